"""REFI-QDA fidelity: what other tools give us is kept, and what we have goes out and comes back.

Files in the shapes NVivo, QualCoder and ATLAS.ti write (built in `fixtures/refi/fidelity_files.py`),
the demo project through a round trip, and exports of an unchanged project byte for byte.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import uuid
import zipfile
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import select

from fieldnotes.db.coders import coder_id
from fieldnotes.db.models import Code, Coder, Coding, Document, Memo, ProjectSettings
from fieldnotes.project import demo
from fieldnotes.project.opening import open_project
from fieldnotes.refi import schema
from fieldnotes.refi.safexml import parse
from tests.fixtures.refi import fidelity_files as files
from tests.helpers import ok, run

NS = {"q": schema.PROJECT_NS}
Q = "{" + schema.PROJECT_NS + "}"


def empty_project(folder: Path, name: str = "tom.db", coder: str = "Importør") -> Path:
    db = folder / name
    ok("--db", db, "init", "--empty", "--coder", coder)
    return db


def import_json(db: Path, path: Path, *extra: str) -> dict[str, Any]:
    return ok("--db", db, "exchange", "import", path, "--json", *extra).json  # type: ignore[no-any-return]


def excerpt_texts(db: Path) -> list[tuple[str, str, str]]:
    return sorted((e["document_title"], e["text"], e["coder"]) for e in ok("--db", db, "excerpts", "--json").json)


def expected_texts(items: list[files.Expected]) -> list[tuple[str, str, str]]:
    return sorted((x.document, x.text, x.coder) for x in items)


def moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def qde(path: Path) -> Any:
    with zipfile.ZipFile(path) as archive:
        return parse(archive.read("project.qde"), "project.qde")


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# --- selections that cut a word --------------------------------------------------------------------


def test_nvivo_sloppy_selection_is_kept_as_given_when_the_other_selections_settle_utf16(tmp_path: Path) -> None:
    built = files.nvivo(tmp_path)
    db = empty_project(tmp_path)
    result = ok("--db", db, "exchange", "import", built.path)
    report = import_json(empty_project(tmp_path, "igen.db"), built.path)["report"]
    assert report["positions"] == "utf16"
    assert report["dropped"] == []
    assert report["taken"]["codings"] == len(built.expected) + 1
    assert excerpt_texts(db) == expected_texts(built.expected + built.sloppy)
    kept = report["kept"]
    assert [(k["kind"], k["start"] < k["end"]) for k in kept] == [("selection", True)]
    assert "UTF-16 code units" in kept[0]["reason"] and "10 of 11" in kept[0]["reason"]
    assert kept[0]["unit"] == "utf16"
    assert report["kinds"]["selections"]["kept"] == kept
    assert "kept selection as given: Interview med Mette" in result.out
    shown = ok("--db", db, "show", "Interview med Mette", "--json").json
    assert shown["text"] == files.NVIVO_TEXT.replace("\r\n", "\n")  # no BOM, no CR, emoji whole
    again = import_json(db, built.path)["report"]
    assert again["kept"] == [] and again["matched"]["codings"] == len(built.expected) + 1


def test_sloppy_selections_are_dropped_when_the_unit_is_not_settled_and_kept_when_forced(tmp_path: Path) -> None:
    built = files.nvivo(tmp_path, clean=3, sloppy=3)
    db = empty_project(tmp_path)
    report = import_json(db, built.path)["report"]
    dropped = [d for d in report["dropped"] if d["kind"] == "selection"]
    assert len(dropped) == 3 and report["kept"] == []
    assert all("do not settle" in d["reason"] and "--positions utf16" in d["reason"] for d in dropped)
    assert excerpt_texts(db) == expected_texts(built.expected)
    forced = empty_project(tmp_path, "tvunget.db")
    report = import_json(forced, built.path, "--positions", "utf16")["report"]
    assert report["dropped"] == [] and len(report["kept"]) == 3
    assert all("when counted in UTF-16 code units, as --positions says" in k["reason"] for k in report["kept"])
    assert excerpt_texts(forced) == expected_texts(built.expected + built.sloppy)
    wrong = import_json(empty_project(tmp_path, "forkert.db"), built.path, "--positions", "codepoints")["report"]
    assert wrong["kept"] + wrong["dropped"]
    assert all("code points" in item["reason"] for item in wrong["kept"] + wrong["dropped"])
    assert all("UTF-16" not in item["reason"] for item in wrong["kept"] + wrong["dropped"])


# --- sources without a name ------------------------------------------------------------------------


def test_nameless_sources_take_their_file_names_unique_within_the_import(tmp_path: Path) -> None:
    built = files.qualcoder(tmp_path)
    db = empty_project(tmp_path)
    report = import_json(db, built.path)["report"]
    docs = {d["title"]: d["id"] for d in ok("--db", db, "docs", "--json").json}
    assert set(docs) == {"Samtale med Mette", "Referat fra møde i Fjordby", "observation", "observation (2)",
                         "observation (3)"}
    owners = {"Samtale med Mette": "mette", "Referat fra møde i Fjordby": "referat", "observation": "named",
              "observation (2)": "observation", "observation (3)": "noter"}
    for title, key in owners.items():
        assert docs[title] == built.guids[key].lower()
        assert ok("--db", db, "show", docs[title], "--json").json["text"] == files.QUALCODER_TEXTS[key]
    named = [c for c in report["kinds"]["documents"]["converted"] if "has no name" in c["reason"]]
    assert len(named) == 4
    assert any("Referat fra møde i Fjordby.docx" in c["reason"] for c in named)


# --- descriptions --------------------------------------------------------------------------------


def test_a_plain_description_from_another_tool_goes_back_unchanged(tmp_path: Path) -> None:
    built = files.qualcoder(tmp_path)
    db = empty_project(tmp_path)
    import_json(db, built.path)
    out = tmp_path / "tilbage.qdpx"
    ok("--db", db, "exchange", "export-qdpx", out)
    code = next(c for c in qde(out).iter(Q + "Code") if c.get("name") == "Ressourcer")
    assert code.findtext("q:Description", None, NS) == files.QUALCODER_DESCRIPTION
    book = tmp_path / "kodebog.qdc"
    ok("--db", db, "exchange", "export-qdc", book)
    root = parse(book.read_bytes(), book.name)
    description = next(root.iter("{" + schema.CODEBOOK_NS + "}Description")).text
    assert description == files.QUALCODER_DESCRIPTION
    ok("--db", db, "codebook", "import", book)  # and it reads back as the same definition
    with open_project(str(db), readonly=True) as project, project.read() as session:
        row = session.scalars(select(Code).where(Code.name == "Ressourcer")).one()
        assert row.definition == files.QUALCODER_DESCRIPTION and row.when_to_use == ""


def test_structured_fields_still_go_out_as_labelled_sections(tmp_path: Path) -> None:
    built = files.qualcoder(tmp_path)
    db = empty_project(tmp_path)
    import_json(db, built.path)
    with open_project(str(db)) as project:
        from fieldnotes.project.actions import acting

        with acting(project, "Importør", "test.setup", "a when-to-use") as (session, _):
            session.scalars(select(Code).where(Code.name == "Ressourcer")).one().when_to_use = "Når borgeren selv taler"
    out = tmp_path / "felter.qdc"
    ok("--db", db, "exchange", "export-qdc", out)
    description = next(parse(out.read_bytes(), out.name).iter("{" + schema.CODEBOOK_NS + "}Description")).text
    assert description == (f"Definition: {files.QUALCODER_DESCRIPTION}\n\nWhen to use: Når borgeren selv taler")


# --- users ---------------------------------------------------------------------------------------


def test_users_who_coded_nothing_become_coders_and_their_guids_go_back_out(tmp_path: Path) -> None:
    built = files.atlas(tmp_path)
    db = empty_project(tmp_path)
    report = import_json(db, built.path)["report"]
    assert report["taken"]["coders"] == 3
    assert {u["name"]: u["authored"] for u in report["users"]} == {"Jonas Bech": True, "Mette Vinther": False,
                                                                   "Søren Ølgaard": False}
    with open_project(str(db), readonly=True) as project, project.read() as session:
        stored = {c.name: (c.id, c.refi_guid) for c in session.scalars(select(Coder))}
    for name in files.ATLAS_USERS:
        assert stored[name] == (coder_id(name), uuid.UUID(built.guids[name]))
    assert excerpt_texts(db) == expected_texts(built.expected)
    out = tmp_path / "ud.qdpx"
    ok("--db", db, "exchange", "export-qdpx", out)
    root = qde(out)
    users = {u.get("name"): u.get("guid") for u in root.iter(Q + "User")}
    assert {name: users[name] for name in files.ATLAS_USERS} == {name: built.guids[name] for name in files.ATLAS_USERS}
    assert users["Importør"] == str(coder_id("Importør")).upper()  # ours: derived from the name
    coding = next(root.iter(Q + "Coding"))
    assert coding.get("creatingUser") == built.guids["Jonas Bech"]
    again = empty_project(tmp_path, "igen.db")
    import_json(again, out)
    with open_project(str(again), readonly=True) as project, project.read() as session:
        assert {c.name: (c.id, c.refi_guid) for c in session.scalars(select(Coder))
                if c.name in files.ATLAS_USERS} == {name: stored[name] for name in files.ATLAS_USERS}


# --- times ---------------------------------------------------------------------------------------


def test_times_of_sources_notes_codes_and_codings_are_kept_and_go_back_out(tmp_path: Path) -> None:
    nvivo, qualcoder = files.nvivo(tmp_path), files.qualcoder(tmp_path)
    db = empty_project(tmp_path)
    import_json(db, nvivo.path)
    import_json(db, qualcoder.path)
    with open_project(str(db), readonly=True) as project, project.read() as session:
        doc = session.scalars(select(Document).where(Document.title == "Interview med Mette")).one()
        assert (doc.created_at, doc.updated_at) == (moment(files.SOURCE_CREATED), moment(files.SOURCE_MODIFIED))
        codings = session.scalars(select(Coding).where(Coding.document_id == doc.id)).all()
        assert {c.created_at for c in codings} == {moment(files.CODING_CREATED)}
        memo = session.scalars(select(Memo).where(Memo.document_id == doc.id)).one()
        assert (memo.created_at, memo.updated_at) == (moment(files.NOTE_CREATED), moment(files.NOTE_MODIFIED))
        code = session.scalars(select(Code).where(Code.name == "Ressourcer")).one()
        assert (code.created_at, code.updated_at) == (moment("2024-01-15T12:00:00Z"), moment("2024-02-01T12:00:00Z"))
        assert code.created_by == coder_id("Jonas Bech")
        settings = session.scalars(select(ProjectSettings)).one()
        assert settings.created_at == moment("2024-04-30T07:00:00Z")  # the first file made the empty project
    out = tmp_path / "ud.qdpx"
    ok("--db", db, "exchange", "export-qdpx", out)
    root = qde(out)
    source = next(s for s in root.iter(Q + "TextSource") if s.get("name") == "Interview med Mette")
    assert (source.get("creationDateTime"), source.get("modifiedDateTime")) == (files.SOURCE_CREATED,
                                                                                 files.SOURCE_MODIFIED)
    assert {c.get("creationDateTime") for c in source.iter(Q + "Coding")} == {files.CODING_CREATED}
    note = next(n for n in root.iter(Q + "Note") if n.get("guid") == nvivo.guids["note"])
    assert (note.get("creationDateTime"), note.get("modifiedDateTime")) == (files.NOTE_CREATED, files.NOTE_MODIFIED)
    assert root.get("creationDateTime") == "2024-04-30T07:00:00Z"


# --- a document whose text differs -----------------------------------------------------------------


def test_same_guid_other_text_is_a_conflict_and_the_files_text_is_kept(tmp_path: Path) -> None:
    first = files.nvivo(tmp_path)
    changed_text = files.NVIVO_TEXT.replace("Tak for snakken", "Mange tak for snakken i dag")
    second = files.nvivo(tmp_path, name="nvivo-mette-rettet.qdpx", text=changed_text)
    db = empty_project(tmp_path)
    import_json(db, first.path)
    result = run("--db", db, "exchange", "import", second.path)
    assert result.code == 0 and "1 conflict with the project" in result.out.splitlines()[0]
    assert "conflict on document: Interview med Mette" in result.out
    summary = import_json(db, second.path, "--dry-run")
    conflicts = summary["report"]["conflicts"]
    assert len(conflicts) == 1 and conflicts[0]["document"] == first.guids["doc"].lower()
    assert conflicts[0]["copy_title"] == "Interview med Mette (nvivo-mette-rettet)"
    assert "earlier import" in conflicts[0]["reason"]  # the first run kept it; a second run does not copy again
    docs = {d["title"]: d["id"] for d in ok("--db", db, "docs", "--json").json}
    assert set(docs) == {"Interview med Mette", "Interview med Mette (nvivo-mette-rettet)"}
    copy = ok("--db", db, "show", docs["Interview med Mette (nvivo-mette-rettet)"], "--json").json
    assert copy["text"] == changed_text.replace("\r\n", "\n") and copy["codings"] == []
    assert ok("--db", db, "show", "Interview med Mette", "--json").json["text"] == files.NVIVO_TEXT.replace("\r\n",
                                                                                                          "\n")
    memos = [m for m in ok("--db", db, "memo", "list", "--json").json if m["target"] == copy["id"]]
    assert len(memos) == 1 and docs["Interview med Mette"] in memos[0]["text"]
    ok("--db", db, "exchange", "import", second.path)
    assert len(ok("--db", db, "docs", "--json").json) == 2  # importing again does not copy again


# --- the report ----------------------------------------------------------------------------------


def test_the_report_lists_each_kind_with_reasons_and_json_gives_the_same(tmp_path: Path) -> None:
    sample = Path(__file__).parent / "fixtures" / "refi" / "sky-loom_refi-qda__TestProject.qdpx"
    db = empty_project(tmp_path)
    text = ok("--db", db, "exchange", "import", sample, "--dry-run").out
    report = import_json(db, sample, "--dry-run")["report"]
    kinds = report["kinds"]
    assert {"coders", "codes", "memos", "media", "graphs", "documents", "cases", "file"} <= set(kinds)
    assert kinds["codes"]["taken"] == 14 and kinds["coders"]["taken"] == report["taken"]["coders"]
    listed = [item for entry in kinds.values() for outcome in ("converted", "kept", "dropped", "conflicts")
              for item in entry[outcome]]
    assert len(listed) == len(report["dropped"]) + len(report["converted"]) + len(report["kept"])
    assert listed and all(item["reason"] for item in listed)
    for group, entry in kinds.items():
        items = [item for outcome in ("converted", "kept", "dropped", "conflicts") for item in entry[outcome]]
        assert f"  {group}:" in text or not (entry["taken"] or entry["matched"] or items)
        for item in entry["dropped"]:
            assert f"dropped {item['kind']}: {item['name']} — {item['reason']}" in text
        for item in entry["converted"]:
            assert f"converted {item['kind']}: " in text and item["reason"] in text
    assert Counter(d["kind"] for d in kinds["media"]["dropped"]) == {"video source": 2, "pdf source": 2,
                                                                      "picture source": 1, "audio source": 1}


# --- the demo through a round trip -----------------------------------------------------------------

SKIPPED_TABLES = {"changes", "events", "pseudonyms", "alembic_version"}  # event log, audit trail, pseudonym register


@pytest.fixture(scope="module")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("demo") / "demo.db"
    demo.build(target)
    return target


def tables(db: Path) -> dict[str, Counter[tuple[Any, ...]]]:
    """Every table's rows without their id, as a multiset; the event log, audit trail and register left out."""
    out: dict[str, Counter[tuple[Any, ...]]] = {}
    with closing(sqlite3.connect(db)) as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                 if not row[0].startswith(("sqlite_", "search_index")) and row[0] not in SKIPPED_TABLES]
        for name in names:
            cursor = conn.execute(f'SELECT * FROM "{name}"')
            columns = [d[0] for d in cursor.description]
            keep = [i for i, column in enumerate(columns) if column != "id"
                    and not (name == "project" and column == "is_demo")]
            out[name] = Counter(tuple(row[i] for i in keep) for row in cursor)
    return out


def test_the_demo_survives_a_round_trip_table_by_table(demo_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "demo.qdpx"
    ok("--db", demo_project, "exchange", "export-qdpx", out, "--no-pseudonymize")
    target = empty_project(tmp_path, "kopi.db", coder="Anna Krogh")  # the demo's default coder: no one new
    report = import_json(target, out, "--coder", "Anna Krogh")["report"]
    assert report["dropped"] == [] and report["warnings"] == [] and report["conflicts"] == []
    assert report["settings"]["taken"] is True
    before, after = tables(demo_project), tables(target)
    assert set(before) == set(after) and len(before) >= 12
    for name in before:
        assert after[name] == before[name], f"the table {name} differs after a round trip"
    # what the issue names, said plainly (is_demo is not carried: a copy must never be overwritten by `demo`)
    for command in (["project", "show"], ["docs"], ["memo", "list"], ["excerpts"]):
        mine, theirs = ok("--db", demo_project, *command, "--json").json, ok("--db", target, *command, "--json").json
        if command[0] == "project":
            mine = {k: v for k, v in mine.items() if k not in ("project", "demo")}
            theirs = {k: v for k, v in theirs.items() if k not in ("project", "demo")}
        assert theirs == mine
    phases = [e["phase"] for e in ok("--db", target, "excerpts", "--json").json]
    assert phases and None not in phases and len(set(phases)) > 1
    assert ok("--db", target, "project", "show", "--json").json["demo"] is False


def test_two_exports_of_an_unchanged_project_are_byte_identical(demo_project: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "første.qdpx", tmp_path / "anden.qdpx"
    ok("--db", demo_project, "exchange", "export-qdpx", first, "--no-pseudonymize")
    ok("--db", demo_project, "exchange", "export-qdpx", second, "--no-pseudonymize")  # the first is in the audit now
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    root = qde(first)
    assert root.get("creationDateTime") == "2025-02-01T08:00:00Z"  # when the demo project was made
    with open_project(str(demo_project), readonly=True) as project, project.engine.connect() as conn:
        last = conn.exec_driver_sql("SELECT max(at) FROM changes c WHERE EXISTS "  # a change that touched a row:
                                    "(SELECT 1 FROM events e WHERE e.change_id = c.id)").scalar()  # not an export
    assert last is not None
    assert root.get("modifiedDateTime") == dt.datetime.fromisoformat(str(last)).strftime("%Y-%m-%dT%H:%M:%SZ")
    schema.load("project").assertValid(root)
    copy = tmp_path / "ændret.db"
    copy.write_bytes(demo_project.read_bytes())
    ok("--db", copy, "memo", "add", "project", "Et nyt memo efter eksporten 🌱")
    third = tmp_path / "tredje.qdpx"
    ok("--db", copy, "exchange", "export-qdpx", third, "--no-pseudonymize")
    changed = qde(third).get("modifiedDateTime")
    assert changed > root.get("modifiedDateTime") and qde(third).get("creationDateTime") == "2025-02-01T08:00:00Z"


def test_importing_into_a_project_that_is_not_empty_keeps_its_settings(demo_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "demo.qdpx"
    ok("--db", demo_project, "exchange", "export-qdpx", out, "--no-pseudonymize")
    db = tmp_path / "egen.db"
    ok("--db", db, "init", "--name", "Vores eget projekt", "--start", "2024-08-01", "--coder", "Karin Holm")
    result = ok("--db", db, "exchange", "import", out)
    shown = ok("--db", db, "project", "show", "--json").json
    assert (shown["name"], shown["start"], shown["default_coder"]) == ("Vores eget projekt", "2024-08-01",
                                                                       "Karin Holm")
    report = import_json(db, out, "--dry-run")["report"]
    assert report["settings"]["taken"] is False
    assert report["settings"]["file"]["start"] == "2025-02-01"
    assert report["settings"]["file"]["name"] == "Troen på borgernes jobchance (demo)"
    assert "project settings: this project keeps its own; the file's are: name Troen på borgernes jobchance " \
           "(demo)" in result.out and "start 2025-02-01" in result.out


def test_the_pseudonym_register_never_goes_into_a_qdpx(demo_project: Path, tmp_path: Path) -> None:
    with open_project(str(demo_project), readonly=True) as project, project.engine.connect() as conn:
        register = [tuple(row) for row in conn.exec_driver_sql("SELECT original, pseudonym FROM pseudonyms")]
    assert len(register) > 10
    kept = tmp_path / "navne.qdpx"
    ok("--db", demo_project, "exchange", "export-qdpx", kept, "--no-pseudonymize")
    everything = b"".join(members(kept).values()).decode("utf-8")
    assert not any("pseudonym" in name.casefold() for name in members(kept))
    assert "pseudonyms" not in json.dumps(json.loads(members(kept)["fieldnotes.json"])).casefold()
    assert [p for _, p in register if " " in p and p in everything] == []  # no full pseudonym travelled
    hidden = tmp_path / "pseudonymer.qdpx"
    ok("--db", demo_project, "exchange", "export-qdpx", hidden, "--pseudonymize")
    for name, data in members(hidden).items():
        text = data.decode("utf-8")
        leaked = [original for original, _ in register if re.search(rf"\b{re.escape(original)}\b", text)]
        assert leaked == [], f"{name} holds {leaked}"
    assert etree.fromstring(members(hidden)["project.qde"]) is not None


def test_a_damaged_fieldnotes_json_is_read_value_by_value_and_never_breaks_an_import(demo_project: Path,
                                                                                      tmp_path: Path) -> None:
    out = tmp_path / "demo.qdpx"
    ok("--db", demo_project, "exchange", "export-qdpx", out, "--no-pseudonymize")
    parts = members(out)
    extension = json.loads(parts["fieldnotes.json"])
    extension["rows"]["project"]["project"].update(language="klingon-language", start_date="ikke en dato")
    attribute = next(iter(extension["rows"]["attributes"]))
    extension["rows"]["attributes"][attribute]["value_type"] = "bogus"
    code = next(iter(extension["rows"]["codes"]))
    extension["rows"]["codes"][code]["position"] = "først"
    doc = next(iter(extension["speaker_turns"]))
    extension["speaker_turns"][doc][0]["end"] = 10**9
    extension["rows"]["documents"]["ikke-en-guid"] = {"source_name": 7}
    parts["fieldnotes.json"] = json.dumps(extension).encode("utf-8")
    damaged = tmp_path / "skadet.qdpx"
    with zipfile.ZipFile(damaged, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    target = empty_project(tmp_path, "kopi.db", coder="Anna Krogh")
    report = import_json(target, damaged)["report"]
    assert report["taken"]["documents"] == len(ok("--db", demo_project, "docs", "--json").json)
    assert any("fieldnotes.json: " in w and "left out" in w for w in report["warnings"])
    shown = ok("--db", target, "project", "show", "--json").json
    assert shown["language"] == "da" and shown["start"] is None  # the bad values were left out, not stored
    with open_project(str(target), readonly=True) as project, project.read() as session:
        from fieldnotes.db.models import Attribute

        assert {a.value_type for a in session.scalars(select(Attribute))} <= {"text", "number", "date", "category"}
    assert any("speaker turns" in w for w in report["warnings"])
    ok("--db", target, "db", "check")



# --- memos that came back from a meeting ------------------------------------------------------------

MEETING_COLUMNS = ("source", "source_export", "source_anchor", "reply_to", "written_at")


def test_memos_from_a_meeting_keep_where_they_came_from(tmp_path: Path) -> None:
    """A memo made from a comment on a Word report (`memo import`) keeps its report, export, anchor, thread
    and the comment's date through a .qdpx; a pseudonymised export leaves the report's file name out."""
    built = files.nvivo(tmp_path)
    db = empty_project(tmp_path)
    import_json(db, built.path)
    first, reply = uuid.uuid5(uuid.NAMESPACE_URL, "møde-1"), uuid.uuid5(uuid.NAMESPACE_URL, "møde-2")
    with open_project(str(db)) as project:
        from fieldnotes.project.actions import acting

        with acting(project, "Importør", "test.setup", "a meeting's memos") as (session, _):
            doc = session.scalars(select(Document).where(Document.title == "Interview med Mette")).one()
            written = dt.datetime(2025, 3, 4, 13, 15, tzinfo=dt.UTC)
            session.add(Memo(id=first, text="Søren bør nævnes i rapporten 🙂", document_id=doc.id,
                             source="Rapport til mødet i Ærøskøbing.docx", source_export="a1b2c3d4-eksport",
                             source_anchor="fn0a1b", written_at=written))
            session.add(Memo(id=reply, text="Enig – også i Lyngå", document_id=doc.id,
                             source="Rapport til mødet i Ærøskøbing.docx", source_export="a1b2c3d4-eksport",
                             source_anchor="text", reply_to=first, written_at=written + dt.timedelta(minutes=5)))

    def meeting(path: Path) -> dict[uuid.UUID, tuple[Any, ...]]:
        with open_project(str(path), readonly=True) as project, project.read() as session:
            return {m.id: tuple(getattr(m, c) for c in MEETING_COLUMNS)
                    for m in session.scalars(select(Memo).where(Memo.id.in_([first, reply])))}

    out = tmp_path / "møde.qdpx"
    ok("--db", db, "exchange", "export-qdpx", out, "--no-pseudonymize")
    copy = empty_project(tmp_path, "kopi.db")
    import_json(copy, out)
    before = meeting(db)
    assert len(before) == 2 and before[reply][3] == first
    assert meeting(copy) == before
    ok("--db", db, "pseudonyms", "add", "Søren", "Bo")
    hidden = tmp_path / "møde-pseudonymer.qdpx"
    ok("--db", db, "exchange", "export-qdpx", hidden, "--pseudonymize")
    carried = json.loads(members(hidden)["fieldnotes.json"])["rows"]["memos"]
    assert "source" not in carried[str(first).upper()] and carried[str(reply).upper()]["reply_to"]
    assert "Ærøskøbing.docx" not in members(hidden)["fieldnotes.json"].decode("utf-8")



def test_file_names_stay_out_when_the_project_holds_pseudonyms_only(tmp_path: Path) -> None:
    """After the key was taken out of the project, exports say their names are pseudonyms: a report's file
    name (which `pseudonyms apply` does not reach) must not travel in fieldnotes.json then either."""
    built = files.nvivo(tmp_path)
    db = empty_project(tmp_path)
    import_json(db, built.path)
    with open_project(str(db)) as project:
        from fieldnotes.project.actions import acting

        with acting(project, "Importør", "test.setup", "a meeting's memo") as (session, _):
            doc = session.scalars(select(Document).where(Document.title == "Interview med Mette")).one()
            session.add(Memo(text="Et memo fra mødet", document_id=doc.id, source="Rapport om Søren.docx",
                             source_export="eksport-1", source_anchor="text"))
    ok("--db", db, "pseudonyms", "add", "Søren", "Bo")
    ok("--db", db, "pseudonyms", "apply", "--yes")
    ok("--db", db, "pseudonyms", "export", tmp_path / "nøgle.yaml", "--remove", "--yes")
    out = tmp_path / "kun-pseudonymer.qdpx"
    result = ok("--db", db, "exchange", "export-qdpx", out, "--json").json
    assert result["names_replaced"] is True
    carried = json.loads(members(out)["fieldnotes.json"])["rows"]
    assert all("source" not in memo for memo in carried["memos"].values())
    assert all("source_name" not in doc for doc in carried["documents"].values())
    assert "Søren" not in b"".join(members(out).values()).decode("utf-8")


# --- every column has a place ------------------------------------------------------------------------

#: per table, the columns project.qde itself holds (Users, Codes with their descriptions, TextSources with
#: their Variables, selections and their descriptions, Cases, Variables, Notes)
IN_PROJECT_QDE: dict[str, set[str]] = {
    "project": {"name"},
    "coders": {"name", "refi_guid"},
    "codes": {"parent_id", "name", "color", "shortcut", "short", "definition", "when_to_use", "when_not_to_use",
              "example", "glosses", "codable", "retired", "scale_min", "scale_max", "scale_labels"},
    "documents": {"title", "kind", "activity", "date", "participants", "speakers", "text", "sha256", "length"},
    "codings": {"document_id", "code_id", "coder_id", "start", "end", "text", "memo", "rating", "needs_review"},
    "memos": {"text", "document_id", "case_id", "code_id", "coding_id"},
    "cases": {"type", "name", "description"},
    "attributes": {"name"},
    "document_cases": {"document_id", "case_id"},
    "attribute_values": {"attribute_id", "document_id", "case_id", "value_text", "value_number", "value_date"},
    "speaker_turns": {"document_id"},
}
#: what a .qdpx never carries, and why
NOT_CARRIED: dict[str, str] = {
    "changes": "the audit trail", "events": "the event log", "pseudonyms": "the pseudonym register",
    "merge_conflicts": "a merge's review list, which points into the event log",
    "project.is_demo": "a copy of the demo must never be overwritten by `fieldnotes demo`",
    "document_boundaries": "a cache of each text's line and sentence boundaries, computed again from the text",
}


def test_every_column_of_ours_has_a_place_in_a_qdpx() -> None:
    """A new column (a memo's source, say) fails here until it is carried (refi/extension.py's COLUMNS) or
    said not to be: the round trip of the demo only sees the columns the demo fills."""
    from fieldnotes.db.models import Base
    from fieldnotes.refi import extension

    carried = {table: {"id", *extension.TRACKED, *columns}
               for table, columns in (extension.COLUMNS | extension.LINK_COLUMNS).items()}
    homeless = []
    for table in Base.metadata.sorted_tables:
        if table.name in NOT_CARRIED:
            continue
        placed = carried.get(table.name, set()) | IN_PROJECT_QDE.get(table.name, set())
        homeless += [f"{table.name}.{c.name}" for c in table.columns
                     if c.name not in placed and f"{table.name}.{c.name}" not in NOT_CARRIED]
    assert homeless == [], "carry these in refi/extension.py (COLUMNS) or say here why a .qdpx leaves them out"
