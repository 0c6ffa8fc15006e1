"""`export html`: the theme browser as a file: self-contained, escaped, pseudonymised, audited, in Danish or
English, and holding exactly the matrix's cells. (tests/test_browser.py opens it in Chromium.)"""

from __future__ import annotations

import html
import json
import re
import uuid
from pathlib import Path

import lxml.html
import pytest
import yaml

from fieldnotes.analysis.matrix import cell_coding_ids, every_cell_coding_ids
from fieldnotes.export.html_browser import json_for_script
from fieldnotes.project.opening import open_project
from fieldnotes.queries.filters import Filters
from fieldnotes.resources import demo_dir
from tests.helpers import ok, run
from tests.projectdata import make_project

#: what a document, a code name and a memo hold in the hostile project
HOSTILE_TEXT = '<script>alert("uddrag")</script> og <img src=x onerror=alert(1)> står i Æblegårdens referat'
HOSTILE_CODE = "<script>alert('kode') <img src=x onerror=alert(4)> Æble"  # a code name holds no '/'
HOSTILE_SHORT = '<img src=x onerror="alert(2)"> kort for ø'
HOSTILE_MEMO = "</script><script>alert('memo')</script> onerror=alert(3) \u2028 å"


def data_block(page: str) -> dict:  # type: ignore[type-arg]
    found = re.search(r'<script type="application/json" id="fn-data">(.*?)</script>', page, re.S)
    assert found, "the page carries its data as JSON"
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def hostile_project(folder: Path) -> Path:
    project = make_project(folder)
    source = folder / "fjendtlig.txt"
    source.write_text(HOSTILE_TEXT + "\n", encoding="utf-8")
    source.with_name("fjendtlig.meta.yaml").write_text(
        "title: Fjendtligt referat <b>fed</b>\nkind: minutes\nmunicipality: Lyngå\ndate: 2025-04-01\n",
        encoding="utf-8")
    ok("--db", project, "import", source)
    ok("--db", project, "codebook", "add", HOSTILE_CODE, "--short", HOSTILE_SHORT)
    ok("--db", project, "code", "Fjendtligt referat <b>fed</b>", "--code", HOSTILE_CODE, "--match", HOSTILE_TEXT,
       "--memo", HOSTILE_MEMO)
    return project


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_project(tmp_path_factory.mktemp("fjendtlig"))


def test_document_text_code_names_and_memos_are_escaped(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "temaer æøå.html"
    ok("--db", hostile, "--lang", "da", "export", "html", out)
    page = out.read_text(encoding="utf-8")
    # the only script elements are the page's own two; no markup from the material survives as markup
    tree = lxml.html.fromstring(page)
    assert len(tree.findall(".//script")) == 2 and tree.findall(".//img") == [] and tree.findall(".//b") == []
    assert [e.tag for e in tree.iter() if isinstance(e.tag, str) and any(a.startswith("on") for a in e.attrib)] == []
    heat = tree.get_element_by_id("heat").text_content()
    assert HOSTILE_CODE in heat  # the code's name in the heat map, as text
    assert HOSTILE_SHORT in tree.get_element_by_id("codebook").text_content()
    data = data_block(page)
    assert data["excerpts"][[e["t"] for e in data["excerpts"]].index(HOSTILE_TEXT)]["m"] == [HOSTILE_MEMO]
    assert any(code[0] == HOSTILE_CODE for code in data["codes"])
    # the data block cannot be ended or broken by what it holds
    raw = re.search(r'id="fn-data">(.*?)</script>', page, re.S).group(1)  # type: ignore[union-attr]
    for character in ("<", ">", "&", "\u2028", "\u2029"):
        assert character not in raw
    # the script and the stylesheet are the only ones allowed to run (by their hashes); nothing may load
    policy = tree.find(".//meta[@http-equiv='Content-Security-Policy']").get("content")
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy and "script-src 'sha256-" in policy


def test_json_for_script_escapes_everything_that_could_end_the_block() -> None:
    text = json_for_script({"t": "</script><!-- & \u2028\u2029 æ"})
    assert text == '{"t":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029 æ"}'
    assert json.loads(text) == {"t": "</script><!-- & \u2028\u2029 æ"}


def test_the_file_is_self_contained(english_demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "tema.html"
    ok("--db", english_demo, "--lang", "da", "export", "html", out)
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page), "nothing is fetched from anywhere"
    assert not re.search(r"<(link|iframe|object|embed|img)\b", page)
    assert "<svg" in page and "<style>" in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    assert "@media print" in page


def test_every_cell_holds_exactly_the_matrix_cells_codings(english_demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "tema.html"
    ok("--db", english_demo, "export", "html", out, "--no-pseudonymize")
    data = data_block(out.read_text(encoding="utf-8"))
    ids = [e["i"] for e in data["excerpts"]]
    with open_project(str(english_demo), readonly=True) as project, project.read() as session:
        for by in ("municipality", "phase"):
            view = data["views"][by]
            columns, _cells = every_cell_coding_ids(session, Filters(), by)
            assert len(view["columns"]) == len(columns)
            checked = 0
            for r, row in enumerate(view["rows"]):
                path = data["codes"][[c[0] for c in data["codes"]].index(row)][1]
                for c, column in enumerate(columns):
                    expected = cell_coding_ids(session, Filters(), by, path, column)
                    assert {uuid.UUID(ids[i]) for i in view["cells"][r][c]} == expected, (by, path, column)
                    checked += bool(expected)
            assert checked > 20


def test_a_plain_export_of_the_demo_names_no_one_and_says_so(english_demo: Path, tmp_path: Path) -> None:
    register = [e["original"] for e in yaml.safe_load((demo_dir() / "pseudonyms.yaml").read_text("utf-8"))["entries"]]
    out = tmp_path / "demo.html"
    result = ok("--db", english_demo, "--lang", "da", "export", "html", out)
    assert "navne erstattet: ja" in result.out  # --lang da: said in Danish
    page = out.read_text(encoding="utf-8")
    text = html.unescape(page) + json.dumps(data_block(page), ensure_ascii=False)
    found = [name for name in register if re.search(rf"(?<!\w){re.escape(name)}(?:s|'s?)?(?!\w)", text)]
    assert found == []
    first_screen = page[:page.index('<section id="heat"')]
    assert "Navne erstattet: ja" in first_screen
    # the control: as written, the same file names people, and its first screen says so
    named = tmp_path / "med navne.html"
    ok("--db", english_demo, "--lang", "da", "export", "html", named, "--no-pseudonymize")
    page = named.read_text(encoding="utf-8")
    assert "Navne erstattet: nej" in page[:page.index('<section id="heat"')]
    assert any(name in html.unescape(page) + json.dumps(data_block(page), ensure_ascii=False) for name in register)


def test_filters_language_force_json_and_the_audit_record(english_demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "sparring.html"
    result = ok("--db", english_demo, "--lang", "en", "--json", "export", "html", out, "--code",
                "Sparringskultur og ledelse", "--municipality", "Fjordby")
    summary = result.json
    assert summary["format"] == "html" and summary["file"] == str(out) and summary["excerpts"] > 0
    data = data_block(out.read_text(encoding="utf-8"))
    assert len(data["excerpts"]) == summary["excerpts"]
    assert {code[1].split("/")[0] for code in data["codes"]} == {"Sparringskultur og ledelse"}
    assert all("Fjordby" in e["k"] for e in data["excerpts"])
    page = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Theme browser" in page and "By phase" in page
    # a second export to the same name is refused without --force, and nothing is written
    again = run("--db", english_demo, "export", "html", out)
    assert again.code != 0 and "already exists" in again.err and "--force" in again.err
    assert out.read_text(encoding="utf-8") == page
    ok("--db", english_demo, "--lang", "da", "export", "html", out, "--force", "--code", "Sparringskultur og ledelse")
    danish = out.read_text(encoding="utf-8")
    assert '<html lang="da">' in danish and "Temaoversigt" in danish and "Efter fase" in danish
    for english in ("Theme browser", "By phase", "Heat map", "Rating trends", "Codebook"):
        assert english not in danish
    log = ok("--db", english_demo, "log", "--exports", "--json").json
    record = next(e["details"] for e in log if e["details"].get("file") == "sparring.html")
    assert record["format"] == "html" and "Sparringskultur og ledelse" in str(record["filters"]["codes"])
    assert "/" not in record["file"]


def test_the_codebook_and_the_rating_trends_are_in_the_file(english_demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "tema.html"
    ok("--db", english_demo, "--lang", "da", "export", "html", out)
    page = html.unescape(out.read_text(encoding="utf-8"))
    trends = page[page.index('<section id="trends"'):page.index('<section id="codebook"')]
    assert trends.count("<figure") == 3 and "Tro på borgerens jobchance" in trends and "Søholm" in trends
    assert re.search(r"<td>\d,\d</td>", trends), "means in Danish: 2,9"
    codebook = page[page.index('<section id="codebook"'):]
    assert "Kort definition" in codebook and "Sparringskultur og ledelse" in codebook


def test_a_project_without_a_start_date_has_no_phase_view(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    ok("--db", project, "code", "Interview med sagsbehandler", "--code", "Ledelse", "--match", "Lederen er med")
    ok("--db", project, "project", "set", "start", "none")
    out = tmp_path / "uden faser.html"
    result = run("--db", project, "--lang", "da", "export", "html", out)
    assert result.code == 0, result.err
    page = out.read_text(encoding="utf-8")
    assert 'id="view-municipality"' in page and 'id="view-phase"' not in page
    assert "ingen startdato for feltarbejdet" in page
