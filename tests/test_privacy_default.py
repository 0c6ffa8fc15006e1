"""Privacy by default: a project with a pseudonym register never exports a name unless someone says so.

Every export entry point is listed in EXPORTS; a test walks the command line and the package for
commands and modules that write files, so a new export that does not go through the names decision
(`fieldnotes.export.pseudonyms.decide`) fails here until it does (or is listed, with a reason, as no export).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import yaml
from lxml import etree

import fieldnotes
from fieldnotes.project.demo import build
from fieldnotes.resources import demo_dir
from tests.helpers import ok, run
from tests.projectdata import make_project

# --- what an export holds ------------------------------------------------------------------------

_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
#: the elements whose text runs are read joined: a Word or DrawingML paragraph, an Excel string
_JOINED = {"p", "si", "is"}


def xml_text(data: bytes) -> str:
    """An XML part as text to search: the markup with entities resolved (so "&amp;" is "&"), and every
    paragraph's runs joined (a name split over two runs is still found)."""
    text = html.unescape(data.decode("utf-8"))
    root = etree.fromstring(data, _XML)
    joined = ["".join(element.itertext()) for element in root.iter()
              if isinstance(element.tag, str) and etree.QName(element).localname in _JOINED]
    return text + "\n" + "\n".join(joined)


def parts(path: Path) -> dict[str, str]:
    """Every part of an exported file as text: each member of a Word, Excel or REFI-QDA zip (every XML
    part, the .rels, the sources), or the whole of a CSV, YAML or .qdc file."""
    suffix = path.suffix.lower()
    if suffix in (".docx", ".xlsx", ".qdpx"):
        out = {}
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                data = archive.read(name)
                is_xml = name.endswith((".xml", ".rels", ".qde")) or data.lstrip().startswith(b"<?xml")
                out[name] = xml_text(data) if is_xml else data.decode("utf-8")
        assert out, path
        return out
    if suffix == ".qdc":
        return {path.name: xml_text(path.read_bytes())}
    if suffix == ".html":  # the page as text (entities resolved) and its JSON data block decoded
        page = path.read_text(encoding="utf-8")
        block = re.search(r'<script type="application/json" id="fn-data">(.*?)</script>', page, re.S)
        assert block, path
        return {path.name: html.unescape(page), "data": json.dumps(json.loads(block.group(1)), ensure_ascii=False)}
    return {path.name: path.read_bytes().decode("utf-8-sig")}


def originals_in(text: str, originals: list[str]) -> list[str]:
    """The register originals a text holds as words: as written or in capitals, genitives included
    ("Mettes", "Lars'", "Mette's")."""
    found = []
    for original in originals:
        for form in {original, original.upper()}:
            if re.search(rf"(?<!\w){re.escape(form)}(?:s|'s?|')?(?!\w)", text):
                found.append(original)
                break
    return sorted(found)


def names_in_file(path: Path, originals: list[str], dates: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """The register originals each part of an exported file holds; `dates`, spans of months the export
    writes (the phases'), are taken out first: English "Jan" in "Aug 2025 – Jan 2026" is not the name Jan."""

    def without_dates(text: str) -> str:
        for span in dates:
            text = text.replace(span, " ")
        return text

    return {name: hits for name, text in parts(path).items()
            if (hits := originals_in(without_dates(text), originals))}


def phase_spans(db: Path) -> tuple[str, ...]:
    """Every phase's months as exports write them, in both languages: "Aug 2025 – Jan 2026" (headings, chart
    axes) and "1 Aug 2025 – 31 Jan 2026" (the Word overview, the theme browser's heat map)."""
    from fieldnotes.analysis.columns import phase_start
    from fieldnotes.export.labels import Labels
    from fieldnotes.project.opening import open_project, phase_dates
    from fieldnotes.translations import format_period

    with open_project(str(db), readonly=True) as project, project.read() as session:
        start = phase_start(session, "phase")
    assert start is not None
    spans = [(format_period(*phase_dates(n, start), lang=lang), Labels(lang).period(*phase_dates(n, start)))
             for n in range(1, 9) for lang in ("da", "en")]
    return tuple(span for pair in spans for span in pair)


# --- every export entry point ---------------------------------------------------------------------

#: every command that writes an export, with the invocations that reach each of its forms; {out} is a
#: folder, {docs} every document's id, {doc} one document, {code} a code with excerpts, {municipality} one
EXPORTS: dict[tuple[str, ...], list[list[str]]] = {
    ("export", "docx"): [
        ["export", "docx", "{out}/rapport.docx", "--memos", "--context", "turn", "--group-by", "municipality"],
        ["export", "docx", "{out}/kommenteret.docx", "--annotated", "{docs}"],
        ["export", "docx", "{out}/celle.docx", "--cell", "municipality", "{code}", "{municipality}",
         "--overview", "municipality"],
        ["export", "docx", "{out}/oversigt.docx", "--overview", "attr:team", "--group-by", "document"],
    ],
    ("export", "csv"): [["export", "csv", "{out}/uddrag.csv", "--context", "turn"]],
    ("export", "xlsx"): [["export", "xlsx", "{out}/uddrag.xlsx", "--context", "sentence"]],
    ("export", "html"): [["export", "html", "{out}/temaoversigt.html", "--memos"]],
    ("export", "qdpx"): [["export", "qdpx", "{out}/projekt.qdpx"]],
    ("export", "qdc"): [["export", "qdc", "{out}/kodebog.qdc"]],
    ("exchange", "export-qdpx"): [["exchange", "export-qdpx", "{out}/udveksling.qdpx", "--utf16-positions"]],
    ("exchange", "export-qdc"): [["exchange", "export-qdc", "{out}/udveksling.qdc"]],
    ("codebook", "export"): [["codebook", "export", "{out}/kodebog.yaml"],
                             ["codebook", "export", "{out}/kodebog-refi.qdc"]],
    ("matrix",): [["matrix", "--by", "municipality", "--csv", "{out}/matrix.csv"],
                  ["matrix", "--by", "attr:team", "--measure", "documents", "--xlsx", "{out}/matrix.xlsx"]],
}

#: commands that write a file but are no export, and why
NOT_EXPORTS: dict[tuple[str, ...], str] = {
    ("backup",): "a copy of the project itself (docs/privacy.md, 'Separating the key': backups)",
    ("bundle",): "internal exchange with teammates on the same material: names travel as written (docs/privacy.md)",
    ("pseudonyms", "export"): "the key file: the register itself, kept apart on purpose",
    ("memo", "add"): "writes a memo into the project, not a file",
    ("new",): "writes a document into the project, not a file",
}

#: modules that write files themselves, but no export (every other one must decide about names)
NOT_EXPORT_WRITERS = {
    "fieldnotes/fileio.py": "defines the atomic writers",
    "fieldnotes/team/bundle.py": "team bundles: internal exchange",
    "fieldnotes/privacy/keyfile.py": "the key file",
    "fieldnotes/documents/opened.py": "the person's own list of recently opened documents: ids and times only",
    "fieldnotes/cli/coding_cmds.py": "the text handed to $EDITOR: a temporary file, removed afterwards",
    "fieldnotes/export/sheetml.py": "opens parts inside a zip its caller made (export.exporter decides about names)",
    "fieldnotes/preferences.py": "the person's own settings (the interface language), never project content",
}


def leaf_commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], argparse.ArgumentParser]]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
        return
    for action in subs:
        for name, child in action.choices.items():
            yield from leaf_commands(child, (*path, name))


def writes_a_file(parser: argparse.ArgumentParser) -> bool:
    """A command that writes a file: an OUT argument, or help that says it writes."""
    for action in parser._actions:
        metavar = action.metavar if isinstance(action.metavar, str) else ""
        if action.dest == "out" or metavar == "OUT" or "file to write" in (action.help or ""):
            return True
    return (parser.description or "").lower().startswith("write")


def test_every_command_that_writes_a_file_is_an_export_that_decides_about_names_or_says_why_not() -> None:
    from fieldnotes.cli.parser import build_parser

    writers = {path: parser for path, parser in leaf_commands(build_parser()) if writes_a_file(parser)}
    unlisted = set(writers) - set(EXPORTS) - set(NOT_EXPORTS)
    assert not unlisted, f"list these in EXPORTS (with an invocation) or NOT_EXPORTS (with a reason): {unlisted}"
    assert set(EXPORTS) <= set(writers) and set(NOT_EXPORTS) <= set(writers)
    for path in EXPORTS:
        options = {s for a in writers[path]._actions if a.dest == "pseudonymize" for s in a.option_strings}
        assert options == {"--pseudonymize", "--no-pseudonymize"}, path


def test_every_module_that_writes_files_goes_through_the_names_decision() -> None:
    root = Path(fieldnotes.__file__).parent
    writers = {}
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if re.search(r"\b(atomic_output|write_atomic)\(|open\([^)]*['\"][wax]b?['\"]", source):
            writers[str(path.relative_to(root.parent))] = source
    assert "fieldnotes/export/exporter.py" in writers and "fieldnotes/refi/writing.py" in writers
    assert set(NOT_EXPORT_WRITERS) <= set(writers)  # the list holds no stale entry
    for name, source in writers.items():
        if name in NOT_EXPORT_WRITERS:
            continue
        assert re.search(r"\bdecide\(", source), f"{name} writes files without deciding about names"
        assert re.search(r"\brecord\(|_record\(", source), f"{name} writes exports without recording them"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("demo") / "demo.db"
    build(target)
    return target


@pytest.fixture(scope="module")
def register() -> list[str]:
    data = yaml.safe_load((demo_dir() / "pseudonyms.yaml").read_text(encoding="utf-8"))
    return [e["original"] for e in data["entries"]]


def invocations(db: Path, out: Path, **values: str) -> Iterator[tuple[tuple[str, ...], list[str], Path]]:
    """Every export invocation, filled in for a project: (command, arguments, the file it writes)."""
    docs = [d["id"] for d in ok("--db", db, "docs", "--json").json]
    fill = {"out": str(out), "docs": docs, **values}
    for command, runs in EXPORTS.items():
        for template in runs:
            args: list[str] = []
            for arg in template:
                if arg == "{docs}":
                    args += fill["docs"]  # type: ignore[arg-type]
                else:
                    args.append(arg.format(**{k: v for k, v in fill.items() if k != "docs"}))
            target = next(Path(a) for a in args if a.startswith(str(out)))
            yield command, args, target


@pytest.mark.slow
def test_a_plain_export_of_the_demo_in_every_format_names_no_one(demo: Path, register: list[str],
                                                                 tmp_path: Path) -> None:
    seen: set[tuple[str, ...]] = set()
    written = []
    for command, args, target in invocations(demo, tmp_path, code="Sparringskultur og ledelse",
                                            municipality="Søholm"):
        result = ok("--db", demo, *args)
        assert "names replaced: yes" in result.out or "navne erstattet: ja" in result.out, args
        assert names_in_file(target, register, phase_spans(demo)) == {}, args
        seen.add(command)
        written.append(target.name)
    assert seen == set(EXPORTS)
    # every one of them is in the audit trail, with the choice
    audit = {e["details"]["file"]: e["details"] for e in ok("--db", demo, "log", "--exports", "--json").json}
    for name in written:
        assert audit[name]["pseudonymized"] is True and audit[name]["names_choice"] == "project setting", name
    # the control: the same material with --no-pseudonymize names people, and the audit says it was asked
    plain = tmp_path / "med-navne.docx"
    result = ok("--db", demo, "export", "docx", plain, "--memos", "--no-pseudonymize")
    assert "names replaced: no (exported as written, as asked" in result.out
    assert len(set().union(*names_in_file(plain, register).values())) > 20
    details = ok("--db", demo, "log", "--exports", "--json").json[0]["details"]
    assert details["pseudonymized"] is False and details["names_choice"] == "explicit"


def test_the_search_finds_names_in_every_kind_of_part(tmp_path: Path) -> None:
    """The check above must be able to fail: a name in markup, split over runs, escaped, or in a genitive."""
    word = tmp_path / "x.docx"
    with zipfile.ZipFile(word, "w") as archive:
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="urn:w"><w:p><w:r><w:t>'
                                              'Met</w:t></w:r><w:r><w:t>tes borger</w:t></w:r></w:p></w:document>')
        archive.writestr("docProps/core.xml", "<?xml version='1.0'?><c>Fjordby Lager &amp; Logistik</c>")
    assert names_in_file(word, ["Mette", "Fjordby Lager & Logistik", "Per"]) == {
        "word/document.xml": ["Mette"], "docProps/core.xml": ["Fjordby Lager & Logistik"]}
    assert originals_in("LARS' cykel og Personalet", ["Lars", "Per"]) == ["Lars"]


# --- the default, and the explicit choices ----------------------------------------------------------


def test_a_new_project_replaces_names_by_default_and_the_setting_is_an_audited_choice(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    assert ok("--db", project, "project", "show", "--json").json["pseudonymize_exports"] is True
    ok("--db", project, "pseudonyms", "add", "Søren", "Bo")
    ok("--db", project, "code", "Interview med sagsbehandler", "--code", "Ledelse", "--match", "Søren")
    ok("--db", project, "export", "csv", tmp_path / "standard.csv")
    assert "Søren" not in (tmp_path / "standard.csv").read_text(encoding="utf-8-sig")

    result = ok("--db", project, "project", "set", "pseudonymize_exports", "no")
    assert "no longer replaced" in result.out and "1 entries" in result.out
    ok("--db", project, "export", "csv", tmp_path / "efter.csv")
    assert "Søren" in (tmp_path / "efter.csv").read_text(encoding="utf-8-sig")
    ok("--db", project, "export", "csv", tmp_path / "alligevel.csv", "--pseudonymize")
    assert "Søren" not in (tmp_path / "alligevel.csv").read_text(encoding="utf-8-sig")
    ok("--db", project, "project", "set", "pseudonymize_exports", "yes", "--coder", "Jonas Bech")

    log = ok("--db", project, "log", "--exports", "--json").json
    settings = [(e["coder"], e["details"]["pseudonymize_exports"]) for e in log if e["action"] == "exports.default"]
    assert settings == [("Jonas Bech", True), ("Anna Krogh", False)]
    files = {e["details"]["file"]: (e["details"]["pseudonymized"], e["details"]["names_choice"])
             for e in log if e["action"] == "export"}
    assert files == {"standard.csv": (True, "project setting"), "efter.csv": (False, "project setting"),
                     "alligevel.csv": (True, "explicit")}
    lines = ok("--db", project, "log", "--exports", "--lang", "da").out
    assert "pseudonymize_exports = no" in lines


def test_bundles_keep_the_names_and_the_key_for_teammates(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    ok("--db", project, "pseudonyms", "add", "Søren", "Bo")
    ok("--db", project, "code", "Interview med sagsbehandler", "--code", "Ledelse", "--match", "Søren")
    bundle = tmp_path / "anna.fnbundle"
    result = ok("--db", project, "bundle", bundle)
    assert "internal exchange, not an export" in result.out
    with zipfile.ZipFile(bundle) as archive:
        rows = archive.read("rows.json").decode("utf-8")
        assert json.loads(archive.read("manifest.json"))["pseudonymized"] is False
    assert '"original":"Søren"' in rows and "Søren" in rows  # the key and the text travel as they are


# --- every field a person writes, applied, the key taken out: the name is nowhere ---------------------

NAME = "Bodil Ærtebjerg"
PSEUDONYMS = {"Bodil Ærtebjerg": "Grethe Aagesen", "Bodil": "Grethe", "Ærtebjerg": "Aagesen"}
#: a name's traces in raw bytes: any case, and the parts JSON would escape ("\u00c6rtebjerg")
TRACES = [b"bodil", b"rtebjerg"]
NOTE = """Samtale med Bodil Ærtebjerg om praktikken.
Bodils mor ringede. BODIL ÆRTEBJERG står på skemaet, og Ærtebjergs sag er tung.
Jeg tror på, at Bodil får et job.
"""


def traces(data: bytes) -> list[bytes]:
    lowered = data.lower()
    return [t for t in TRACES if t in lowered]


def checkpoint_and_vacuum(path: Path) -> bytes:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = path.read_bytes()
    wal = Path(f"{path}-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


@pytest.fixture
def named_everywhere(tmp_path: Path) -> Path:
    """A project with the name in every field a person can write, and in the register."""
    project = make_project(tmp_path)
    folder = tmp_path / "ny"
    folder.mkdir()
    (folder / "samtale.txt").write_text(NOTE, encoding="utf-8")
    (folder / "samtale.meta.yaml").write_text(
        f"title: Samtale med {NAME}\nkind: observation\nmunicipality: Lyngå\ndate: 2025-04-02\n"
        f"participants: [{{name: {NAME}, role: borger}}]\n"
        f"cases: [{{type: borger, name: {NAME}}}]\n"
        f"attributes: {{kontaktperson: {NAME}}}\n", encoding="utf-8")
    ok("--db", project, "import", folder)
    title = f"Samtale med {NAME}"
    ok("--db", project, "codebook", "add", "Bodils forløb", "--short", f"Alt om {NAME} og hendes praktik")
    ok("--db", project, "code", title, "--code", "Bodils forløb", "--match", "Jeg tror på, at Bodil får et job.",
       "--memo", "Bodil virker glad")
    ok("--db", project, "code", title, "--code", "Ledelse", "--match", "Bodils mor ringede.")
    ok("--db", project, "memo", "add", f"doc:{title}", f"{NAME} vil gerne have en mentor.")
    ok("--db", project, "memo", "add", "code:Bodils forløb", "Koden samler Ærtebjergs forløb.")
    ok("--db", project, "doc", "set", "Interview med sagsbehandler", "attr:kontaktperson", NAME)
    for original, pseudonym in PSEUDONYMS.items():
        ok("--db", project, "pseudonyms", "add", original, pseudonym)
    return project


def test_separating_the_key_is_refused_while_a_name_remains_and_says_where(named_everywhere: Path,
                                                                            tmp_path: Path) -> None:
    result = run("--db", named_everywhere, "pseudonyms", "export", tmp_path / "nøgle.yaml", "--remove", "--yes")
    assert result.code == 1 and result.err.count("\n") == 1, result.err
    assert "code name 'Bodils forløb'" in result.err and "2 memos" in result.err
    assert "case 'Bodil Ærtebjerg'" in result.err and "run `fieldnotes pseudonyms apply` first" in result.err
    assert f"document 'Samtale med {NAME}' (its text, title and participants)" in result.err
    assert not (tmp_path / "nøgle.yaml").exists()


@pytest.mark.slow
def test_a_name_in_every_field_is_nowhere_after_apply_and_separating_the_key(named_everywhere: Path,
                                                                              tmp_path: Path,
                                                                              isolated_paths: Path) -> None:
    project = named_everywhere
    before = tmp_path / "før.csv"
    ok("--db", project, "export", "csv", before, "--no-pseudonymize", "--context", "turn")
    assert NAME in before.read_text(encoding="utf-8-sig")  # the control: the name is in the material
    assert traces(checkpoint_and_vacuum(project)) == TRACES

    ok("--db", project, "pseudonyms", "apply", "--yes")
    key = tmp_path / "nøgle.yaml"
    result = ok("--db", project, "pseudonyms", "export", key, "--remove", "--yes")
    assert "backups made from now on hold no originals" in result.out
    assert re.search(r"\d+ older backup\(s\) of the project still hold the originals .*kept", result.out)
    assert yaml.safe_load(key.read_text(encoding="utf-8"))["entries"]  # the key left with the names

    # the project file, once its write-ahead log is checkpointed and free pages vacuumed
    assert traces(checkpoint_and_vacuum(project)) == []
    # the event log (and every other table), as the database returns it
    with closing(sqlite3.connect(project)) as conn:
        for table in ("changes", "events"):
            for row in conn.execute(f"SELECT * FROM {table}"):
                assert traces(repr(row).encode("utf-8")) == [], (table, row)
    assert NAME not in ok("--db", project, "log", "--json").out

    # backups made after the separation: the user's own, and the next day's automatic one
    ok("--db", project, "backup", tmp_path / "kopi.db")
    backups = isolated_paths / "data" / "backups"
    old = set(backups.glob("*.db"))
    from fieldnotes import clock

    with clock.frozen_at(clock.now().replace(year=clock.now().year + 1)):  # the first change of a day
        ok("--db", project, "memo", "add", "project", "Næste dag.")  # makes the daily backup first
    daily = set(backups.glob("*.db")) - old
    assert len(daily) == 1
    for copy in [tmp_path / "kopi.db", *daily]:
        assert traces(copy.read_bytes()) == [], copy

    # every export, with the default and with --no-pseudonymize: the project holds pseudonyms only
    for flags in ([], ["--no-pseudonymize"]):
        out = tmp_path / ("standard" if not flags else "uden")
        out.mkdir()
        for _command, args, target in invocations(project, out, code="Ledelse", municipality="Lyngå"):
            args = [a.replace("attr:team", "attr:kontaktperson") for a in args]
            result = ok("--db", project, *args, *flags)
            if not flags:
                assert "names replaced: yes (the project holds pseudonyms only" in result.out, args
            for name, text in parts(target).items():
                assert traces(text.encode("utf-8")) == [], (target.name, name)
            if target.suffix == ".docx" and "--annotated" not in args:
                assert "Grethe" in "".join(parts(target).values()), target.name  # the pseudonyms are there
    audit = [e for e in ok("--db", project, "log", "--exports", "--json").json if e["action"] == "export"]
    assert audit and all(e["details"]["register_entries"] == 3 for e in audit)
    assert {e["details"]["pseudonymized"] for e in audit if e["details"]["names_choice"] == "project setting"} \
        == {True}


def test_a_pseudonymised_export_never_says_there_is_no_register_when_there_is_one(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    ok("--db", project, "pseudonyms", "add", "Søren", "Bo")
    ok("--db", project, "pseudonyms", "apply", "--yes")
    ok("--db", project, "pseudonyms", "export", tmp_path / "nøgle.json", "--remove", "--yes")
    for command in (["export", "qdc"], ["export", "qdpx"], ["exchange", "export-qdc"]):
        suffix = ".qdc" if command[-1].endswith("qdc") else ".qdpx"
        result = ok("--db", project, *command, tmp_path / f"{command[-1]}{suffix}", "--pseudonymize")
        assert "no pseudonym register" not in result.out + result.err
        assert "names replaced: yes (the project holds pseudonyms only" in result.out
    info = ok("--db", project, "export", "qdc", tmp_path / "igen.qdc", "--json").json
    assert info["pseudonymized"] is True and info["names_replaced"] is True


# --- existing projects: the upgrade turns the default on and says so once ------------------------------

def _old_project(tmp_path: Path, *, register: bool) -> Path:
    """A project at the schema before privacy by default (its released fixture), with or without a register."""
    import shutil

    fixture = Path(__file__).parent / "fixtures" / "schemas" / "7362aef2bde7.db"
    copy = tmp_path / "gammel.db"
    shutil.copy(fixture, copy)
    with closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("SELECT pseudonymize_exports FROM project").fetchone() == (0,)
        if not register:
            conn.execute("DELETE FROM pseudonyms")
            conn.commit()
    return copy


def test_the_upgrade_turns_the_default_on_for_a_register_and_the_command_line_says_so_once(tmp_path: Path) -> None:
    old = _old_project(tmp_path, register=True)
    first = ok("--db", old, "docs")
    assert "every export now replaces names" in first.err and "pseudonymize_exports no" in first.err
    second = ok("--db", old, "docs")
    assert "every export now replaces names" not in second.err
    assert ok("--db", old, "project", "show", "--json").json["pseudonymize_exports"] is True
    entry = next(e for e in ok("--db", old, "log", "--exports", "--json").json if e["action"] == "exports.default")
    assert entry["details"]["notice"] == "shown" and entry["details"]["register_entries"] >= 1
    result = ok("--db", old, "export", "csv", tmp_path / "efter.csv")
    assert "names replaced: yes" in result.out


def test_the_upgrade_turns_the_default_on_silently_without_a_register(tmp_path: Path) -> None:
    old = _old_project(tmp_path, register=False)
    assert "every export now replaces names" not in ok("--db", old, "docs").err
    assert ok("--db", old, "project", "show", "--json").json["pseudonymize_exports"] is True


async def test_the_upgrade_notice_is_said_once_by_the_app_in_its_language(tmp_path: Path) -> None:
    from fieldnotes.project.opening import open_project
    from fieldnotes.tui.app import FieldnotesApp
    from tests.helpers import settle

    old = _old_project(tmp_path, register=True)
    said: list[list[str]] = []
    for _ in range(2):
        app = FieldnotesApp(open_project(str(old)), "Anna Krogh", lang="da")
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            said.append([str(n.message) for n in app._notifications])
            assert app.errors == []
        app.project.close()
    assert any("Privatliv" in m and "pseudonymize_exports no" in m for m in said[0]), said[0]
    assert not any("pseudonymize_exports no" in m for m in said[1]), said[1]


@pytest.mark.postgres
def test_on_a_server_db_upgrade_turns_the_default_on_and_says_so_once(pg_url: str) -> None:
    from sqlalchemy import text

    from fieldnotes.db import migrate
    from fieldnotes.db.backends import engine_for

    ok("--db", pg_url, "init", "--empty", "--coder", "Anna Krogh")
    ok("--db", pg_url, "pseudonyms", "add", "Søren", "Bo")
    engine = engine_for(pg_url)
    try:  # the server as an older fieldnotes left it: before this revision, the default off
        migrate.downgrade(engine, "7362aef2bde7")
        with engine.begin() as conn:
            conn.execute(text("UPDATE project SET pseudonymize_exports = false"))
    finally:
        engine.dispose()
    first = ok("--db", pg_url, "db", "upgrade")
    assert "every export now replaces names" in first.out
    assert "every export now replaces names" not in ok("--db", pg_url, "docs").err
    assert ok("--db", pg_url, "project", "show", "--json").json["pseudonymize_exports"] is True
    entry = next(e for e in ok("--db", pg_url, "log", "--exports", "--json").json
                 if e["action"] == "exports.default")
    assert entry["details"]["notice"] == "shown" and entry["details"]["register_entries"] == 1
    engine = engine_for(pg_url)
    try:  # and back: the downgrade takes its own change away and the setting with it
        migrate.downgrade(engine, "7362aef2bde7")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT pseudonymize_exports FROM project")).scalar() is False
            assert conn.execute(text("SELECT count(*) FROM changes WHERE action = 'exports.default'")).scalar() == 0
    finally:
        engine.dispose()
