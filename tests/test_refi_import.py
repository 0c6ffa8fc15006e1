"""REFI-QDA import: files shaped the way NVivo, ATLAS.ti and MAXQDA write them, the ATLAS.ti reference
project, merging, undo, and refusing hostile or broken files without writing anything."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from fieldnotes.db.coders import coder_id
from fieldnotes.db.models import Case, Code, Memo
from fieldnotes.documents.store import attributes_of
from fieldnotes.errors import InvalidInput
from fieldnotes.project.opening import open_project
from fieldnotes.refi import safezip
from tests.fixtures.refi import vendor_files
from tests.fixtures.refi.vendor_files import Built
from tests.helpers import ok, run
from tests.projectdata import make_project, snapshot

SAMPLE = Path(__file__).parent / "fixtures" / "refi" / "sky-loom_refi-qda__TestProject.qdpx"


def empty_project(folder: Path, name: str = "tom.db") -> Path:
    db = folder / name
    ok("--db", db, "init", "--empty", "--coder", "Importør")
    return db


def import_file(db: Path, path: Path, *extra: str) -> dict[str, Any]:
    return ok("--db", db, "exchange", "import", path, "--json", *extra).json  # type: ignore[no-any-return]


def codings(db: Path) -> list[tuple[str, str, str, str, str | None]]:
    return sorted((e["document_title"], e["code_path"], e["text"], e["coder"], e["memo"])
                  for e in ok("--db", db, "excerpts", "--json").json)


def expected(built: Built) -> list[tuple[str, str, str, str, str | None]]:
    return sorted((x.document, x.code, x.text, x.coder, x.memo) for x in built.expected)


def rows(db: Path, model: Any) -> list[Any]:
    with open_project(str(db), readonly=True) as project, project.read() as session:
        found = list(session.scalars(select(model)))
        session.expunge_all()
        return found


@pytest.mark.parametrize("maker", [vendor_files.nvivo, vendor_files.atlas, vendor_files.maxqda],
                         ids=["nvivo", "atlas", "maxqda"])
def test_every_coding_lands_on_the_right_text(tmp_path: Path, maker: Any) -> None:
    built = maker(tmp_path)
    db = empty_project(tmp_path)
    summary = import_file(db, built.path)
    assert codings(db) == expected(built)
    report = summary["report"]
    assert summary["title"].startswith(f"imported {built.path.name}: ")
    assert report["taken"]["codings"] == len(built.expected)
    dropped = [d["name"] for d in report["dropped"] if d["kind"] == "selection"]
    assert len(dropped) == len(built.dropped_selections)
    for name in built.dropped_selections:  # (none for some tools: the count above is then the check)
        assert any(name in d for d in dropped), (name, dropped)


def test_nvivo_shape_utf16_bom_crlf_cases_and_notes(tmp_path: Path) -> None:
    built = vendor_files.nvivo(tmp_path)
    db = empty_project(tmp_path)
    report = import_file(db, built.path)["report"]
    assert report["positions"] == "utf16"
    drop = next(d for d in report["dropped"] if d["kind"] == "selection")
    assert "Uden for teksten" in drop["name"] and "not within the text" in drop["reason"]
    shown = ok("--db", db, "show", "Interview med Mette", "--json").json
    assert not shown["text"].startswith("\ufeff") and "\r" not in shown["text"]
    assert shown["text"] == vendor_files.NVIVO_INTERVIEW.replace("\r\n", "\n")
    belief = [c for c in shown["codings"] if c["text"].startswith("Jeg tror på")]
    assert len(belief) == 2 and len({(c["start"], c["end"]) for c in belief}) == 1  # one span, two codings
    assert report["users"] == [{"guid": built.guids["user"].lower(), "name": "Anna Krogh",
                                "coder": str(coder_id("Anna Krogh")), "authored": True}]
    case = next(c for c in rows(db, Case) if c.name == "Mette")
    assert case.type == "case" and str(case.id).upper() == vendor_files.guid("nvivo-case")
    with open_project(str(db), readonly=True) as project, project.read() as session:
        assert attributes_of(session, "case")[case.id] == {"Alder": 47, "Rolle": "sagsbehandler"}
    codes = {c.name: c for c in rows(db, Code)}
    assert codes["Tro på borgerens jobchance"].color == "#4e79a7"  # ARGB with an opaque alpha
    assert not codes["Sparring"].codable and codes["Kollegial sparring"].codable
    assert codes["Tro på borgerens jobchance"].definition == "Udsagn om tro på, at borgeren kan få job."
    memos = {memo.text: memo for memo in rows(db, Memo)}
    assert set(memos) == {"Refleksion\n\nTroen på borgeren er tydelig 😀", "Optaget i Ærøskøbing, lyden er god 🎙"}
    assert all(memo.document_id is not None for memo in memos.values())


def test_atlas_shape_flat_codes_sets_and_trial_qde(tmp_path: Path) -> None:
    built = vendor_files.atlas(tmp_path)
    db = empty_project(tmp_path)
    report = import_file(db, built.path)["report"]
    assert report["positions"] == "atlas"
    tree = {c["path"]: c for c in ok("--db", db, "codebook", "list", "--json").json}
    assert set(tree) == {"Arbejdsmarked", "Arbejdsmarked/Virksomhedskontakt", "Relation", "Relation/Samtale",
                         "Tro på jobchancen"}
    assert tree["Arbejdsmarked/Virksomhedskontakt"]["id"] == built.guids["kontakt"].lower()
    assert not tree["Relation"]["codable"] and tree["Arbejdsmarked"]["codable"]
    assert tree["Arbejdsmarked/Virksomhedskontakt"]["color"] == "#4e79a7"  # rgb(78, 121, 167)
    assert tree["Tro på jobchancen"]["color"] == "#aabbcc"
    docs = {d["title"]: d for d in ok("--db", db, "docs", "--json").json}
    assert docs["Observation Fjordby"]["attributes"] == {"køn": "kvinde"}
    assert {"type": "group", "name": "Fjordby"} in docs["Referat lokalt møde"]["cases"]
    assert any("Trial.qde" in line for line in report["converted"])
    assert any("project:0:10" in line for line in report["converted"])
    assert [d["kind"] for d in report["dropped"]] == ["code set"]
    assert any("rgb(78, 121, 167)" in w for w in report["warnings"])  # a schema problem, read anyway


def test_maxqda_shape_nameless_cases_empty_sets_and_nfd(tmp_path: Path) -> None:
    built = vendor_files.maxqda(tmp_path)
    db = empty_project(tmp_path)
    report = import_file(db, built.path)["report"]
    docs = ok("--db", db, "docs", "--json").json
    assert docs[0]["attributes"] == {"Kommune": "Århus", "Varighed": 42} and docs[0]["cases"] == []
    assert report["taken"]["cases"] == 0 and any("without a name" in line for line in report["converted"])
    assert any("Sets" in w for w in report["warnings"])
    assert ok("--db", db, "show", "Interview Århus", "--json").json["text"].startswith("Interview i Århus")
    codes = {c.name: c for c in rows(db, Code)}
    assert codes["Ressourcesyn"].definition == "Udsagn om borgerens ressourcer."
    assert codes["Ressourcesyn"].when_to_use == "Når ressourcer nævnes."


def test_positions_from_an_unknown_tool_are_checked_and_the_right_unit_found(tmp_path: Path) -> None:
    built = vendor_files.nvivo(tmp_path)
    relabelled = tmp_path / "ukendt.qdpx"
    import zipfile

    with zipfile.ZipFile(built.path) as source, zipfile.ZipFile(relabelled, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, data.replace(b"NVivo 14.23.2 (Windows)", b"Some Tool 2.0") if name.endswith(
                ".qde") else data)
    db = empty_project(tmp_path)
    report = import_file(db, relabelled)["report"]
    assert report["positions"] == "codepoints"
    assert any("UTF-16 code units" in line for line in report["converted"])
    assert codings(db) == expected(built)
    forced = empty_project(tmp_path, "tvunget.db")
    report = import_file(forced, relabelled, "--positions", "codepoints")["report"]
    assert {d["kind"] for d in report["dropped"]} == {"selection"}
    assert len(codings(forced)) < len(built.expected)


def test_the_atlas_reference_project_reports_what_it_dropped(tmp_path: Path) -> None:
    db = empty_project(tmp_path)
    result = ok("--db", db, "exchange", "import", SAMPLE)
    assert "dropped pdf source: Kellogg's Passion for Nutrition.pdf" in result.out
    report = import_file(empty_project(tmp_path, "igen.db"), SAMPLE)["report"]
    counts = Counter(d["kind"] for d in report["dropped"])
    assert counts["pdf source"] == 2 and counts["picture source"] == 1 and counts["audio source"] == 1
    assert counts["video source"] == 2 and counts["graph"] == 1
    assert counts["source file"] == 6  # every TextSource's .txt is missing (transcripts share those files)
    assert counts["code set"] == 4 and counts["link"] == 1
    assert counts["set"] == 12  # 11 document groups whose documents are all missing, and the empty "<3"
    missing = {d["name"] for d in report["dropped"] if d["kind"] == "source file"}
    assert "Mabel.txt" in missing and "Simon.docx" in missing
    pdf = next(d for d in report["dropped"] if d["name"].startswith("Pay de Lim"))
    assert "6 selections with 6 codings" in pdf["reason"]
    graph = next(d for d in report["dropped"] if d["kind"] == "graph")
    assert graph["name"] == "Netzwerk" and "3 nodes, 2 edges" in graph["reason"]
    assert report["taken"]["codes"] == 14 and report["taken"]["memos"] == 2 and report["taken"]["documents"] == 0
    tree = {c["path"] for c in ok("--db", db, "codebook", "list", "--json").json}
    assert {"Coke", "Coke/full-fat Coke", "Coke/diet Coke", '"rushed"'} <= tree
    assert any("basePath" in line for line in report["converted"])
    memos = ok("--db", db, "memo", "list", "--json").json
    assert {m["author"] for m in memos} == {"Friedrich Markgraf"}
    assert any(m["text"].startswith("Research Plan\n\nday to day log") for m in memos)
    assert ok("--db", db, "project", "show", "--json").json["name"] == "ATLAS.ti standard project"


def test_importing_twice_matches_instead_of_duplicating(tmp_path: Path) -> None:
    built = vendor_files.nvivo(tmp_path)
    db = empty_project(tmp_path)
    import_file(db, built.path)
    before = snapshot(db)
    again = import_file(db, built.path)
    assert again["title"].endswith("nothing new; 1 item dropped")
    assert again["report"]["matched"]["codings"] == 4 and again["report"]["matched"]["documents"] == 1
    assert snapshot(db) == before


def test_documents_with_the_same_text_are_matched_by_hash(tmp_path: Path) -> None:
    built = vendor_files.maxqda(tmp_path)
    db = empty_project(tmp_path)
    material = tmp_path / "material"
    material.mkdir()
    text = vendor_files.MAXQDA_TEXT
    (material / "århus.txt").write_text(text, encoding="utf-8")
    ok("--db", db, "import", material, "--coder", "Importør")
    report = import_file(db, built.path)["report"]
    assert report["matched"]["documents"] == 1 and report["taken"]["documents"] == 0
    assert len(ok("--db", db, "docs", "--json").json) == 1
    assert len(codings(db)) == 2


def test_the_whole_import_is_one_undoable_change(tmp_path: Path) -> None:
    db = make_project(tmp_path)
    before = snapshot(db)
    import_file(db, vendor_files.atlas(tmp_path).path, "--coder", "Importør")
    assert snapshot(db) != before
    assert "REFI-QDA" in ok("--db", db, "undo", "--coder", "Importør").out
    assert snapshot(db) == {**before, "coders": snapshot(db)["coders"]}


def test_dry_run_reports_and_changes_nothing(tmp_path: Path) -> None:
    db = make_project(tmp_path)
    before = snapshot(db)
    out = ok("--db", db, "exchange", "import", vendor_files.nvivo(tmp_path).path, "--dry-run").out
    assert out.startswith("would import nvivo-projekt.qdpx: ") and "dry run: nothing was changed" in out
    assert snapshot(db) == before


def test_merging_into_a_project_with_codes_keeps_both(tmp_path: Path) -> None:
    db = make_project(tmp_path)
    built = vendor_files.nvivo(tmp_path)
    import_file(db, built.path)
    paths = {c["path"] for c in ok("--db", db, "codebook", "list", "--json").json}
    assert "Tro på borgerens jobchance/Specifik tro" in paths and "Relation til borger" in paths
    assert ok("--db", db, "project", "show", "--json").json["name"] == "Testkodebog"  # not fresh: kept
    mine = [c for c in codings(db) if c[0] == "Interview med Mette"]
    assert mine == expected(built)


@pytest.mark.parametrize("kind, message", [
    ("not a zip", "is not a REFI-QDA project: a .qdpx file is a zip archive"),
    ("no qde", "holds no project file (.qde)"),
    ("malformed", "is not well-formed XML"),
    ("external entity", "declares a DTD or entities"),
    ("entity bomb", "declares a DTD or entities"),
    ("dotdot", "unsafe path '../../evil.txt'"),
    ("absolute", "unsafe path '/etc/evil.txt'"),
    ("not refi", "not REFI-QDA: its root element is <html>"),
    ("bare xxe", "declares a DTD or entities"),
])
def test_bad_files_are_refused_in_one_line_and_nothing_is_written(tmp_path: Path, kind: str, message: str) -> None:
    db = make_project(tmp_path)
    bad = vendor_files.bad_files(tmp_path)[kind]
    before = snapshot(db)
    result = run("--db", db, "exchange", "import", bad)
    assert result.code == 1, result.out
    assert message in result.err
    assert "Traceback" not in result.err and result.err.count("\n") == 1
    assert "root:" not in result.err  # nothing of /etc/passwd
    assert snapshot(db) == before


def test_oversized_members_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safezip, "MAX_MEMBER_BYTES", 10_000)
    db = make_project(tmp_path)
    before = snapshot(db)
    result = run("--db", db, "exchange", "import", vendor_files.oversized(tmp_path, 50_000))
    assert result.code == 1 and "members larger than" in result.err
    assert snapshot(db) == before


def test_a_lying_zip_directory_is_caught_while_reading(tmp_path: Path) -> None:
    """The directory says the source unpacks to 100 bytes; it holds 100,000: no more than the directory says
    is ever unpacked, and the member is refused as damaged (its checksum cannot match)."""
    from tests.hostiledata import lying_zip

    path = tmp_path / "løgn.qdpx"
    path.write_bytes(lying_zip("sources/stor.txt", "ø".encode() * 50_000, claimed=100,
                               others={"project.qde": b"<Project/>"}))
    with safezip.Archive(path) as archive:
        assert archive.read("project.qde") == b"<Project/>"
        with pytest.raises(InvalidInput, match=r"sources/stor.txt cannot be unpacked"):
            archive.read("sources/stor.txt")


def test_a_codebook_file_imports_codes_only(tmp_path: Path) -> None:
    db = empty_project(tmp_path)
    report = import_file(db, vendor_files.codebook(tmp_path))["report"]
    assert report["format"] == "qdc" and report["taken"]["codes"] == 5
    paths = {c["path"]: c for c in ok("--db", db, "codebook", "list", "--json").json}
    assert "Relation og samarbejde med borger/Samtale∕møde" in paths
    assert "Relation og samarbejde med borger/Forforståelser (2)" in paths
    belief = paths["Relation og samarbejde med borger/Tro på jobchancen"]
    assert belief["shortcut"] == "t" and belief["scale"] == [1, 5]
    assert ok("--db", db, "project", "show", "--json").json["name"] != "kodebog"


def test_sample_is_kept_with_its_licence() -> None:
    licence = SAMPLE.parent / "sky-loom_refi-qda_LICENSE.txt"
    assert licence.read_text(encoding="utf-8").startswith("MIT License")
    assert SAMPLE.stat().st_size == 7004
