"""The meeting comes back (#27): comments written on an exported Word report return as memos.

Comments are added with python-docx 1.2's comments API (replies with Word's commentsExtended.xml, as
Word writes them), on three excerpts, a code heading and free text; a copy goes through LibreOffice
(`soffice --convert-to docx`, as saving in Writer does). Each import is checked memo by memo.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn
from sqlalchemy import func, select, update

from fieldnotes.db.models import Change, Code, Coding, Event, Memo, ProjectSettings
from fieldnotes.export import anchors
from fieldnotes.export.exporter import ExportRequest, export
from fieldnotes.project.opening import open_project
from tests.conftest import missing
from tests.helpers import ok, run
from tests.test_export_data import BELIEF, COMPANY, SPARRING, coded_copy

W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
EXTENDED_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml"
EXTENDED_REL = "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"
NAMES = {"Søren": "Peter", "Mette Vinther": "Hanne Lund", "Mette": "Hanne", "Lyngå": "Bækby"}
REPORT = "møderapport æøå.docx"
CODE_NAMES = ("Sparringskultur og ledelse", "Viden om arbejdsmarkedet", "Tro på borgerens jobchance")


@pytest.fixture
def project(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    return coded_copy(tmp_path_factory, tmp_path)


@dataclass
class Written:
    """A comment the test wrote: where, by whom, when, what."""

    key: str
    text: str
    author: str
    when: dt.datetime
    reply_to: str | None = None


COMMENTS = [
    Written("tro", "Det her er nøglecitatet", "Anna Krogh", dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC)),
    Written("tro", "Hvad siger lederen om det?", "Jonas Bech", dt.datetime(2026, 11, 30, 9, 20, tzinfo=dt.UTC)),
    Written("sparring", "Sammenlign med Søholm", "Mette Ørsted", dt.datetime(2026, 11, 30, 9, 25, tzinfo=dt.UTC)),
    Written("virksomhed", "Bageriet går igen i flere interview", "Jonas Bech",
            dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC)),
    Written("ledelse", "Skal koden deles i to?", "Anna Krogh", dt.datetime(2026, 11, 30, 9, 35, tzinfo=dt.UTC)),
    Written("titel", "Husk at sende rapporten til kommunerne", "Mette Ørsted",
            dt.datetime(2026, 11, 30, 9, 40, tzinfo=dt.UTC)),
    Written("tro", "Enig – brug det i artiklen", "Mette Ørsted", dt.datetime(2026, 11, 30, 9, 45, tzinfo=dt.UTC),
            reply_to="Det her er nøglecitatet"),
]
#: how each place is found in the report (fragments that pseudonymisation leaves alone)
PLACES = {"tro": "job på lageret", "sparring": "runde i teamet", "virksomhed": "virksomhedskonsulent ringer"}


def export_report(db: Path, out: Path, *, pseudonymize: bool = False) -> Path:
    opened = open_project(str(db))
    try:
        export(opened, ExportRequest("docx", out, exported_by="Anna Krogh", lang="da", pseudonymize=pseudonymize,
                                     replacements=NAMES if pseudonymize else None))
    finally:
        opened.close()
    return out


def stamp(comment: Any, when: dt.datetime) -> None:
    comment._comment_elm.set(qn("w:date"), when.strftime("%Y-%m-%dT%H:%M:%SZ"))


def add_comments(report: Path, comments: list[Written] = COMMENTS) -> None:
    """Write the comments on the report as a meeting would, replies threaded as Word threads them."""
    document = docx.Document(str(report))
    paragraphs = document.paragraphs

    def place(key: str) -> Any:
        if key == "titel":
            return next(p for p in paragraphs if p._p.style == "Title")
        if key == "ledelse":
            return next(p for p in paragraphs if (p._p.style or "").startswith("Heading") and p.text == "Ledelse")
        return next(p for p in paragraphs if p._p.style == "Excerpt" and PLACES[key] in p.text)

    made: dict[str, Any] = {}
    threads: list[tuple[str, str]] = []
    for number, written in enumerate(comments):
        comment = document.add_comment(place(written.key).runs, written.text, author=written.author,
                                       initials="".join(w[0] for w in written.author.split()))
        stamp(comment, written.when)
        para_id = f"{0x10000000 + number:08X}"
        comment._comment_elm.findall(qn("w:p"))[-1].set(W14 + "paraId", para_id)
        made[written.text] = para_id
        if written.reply_to:
            threads.append((para_id, made[written.reply_to]))
    if threads:
        entries = "".join(f'<w15:commentEx w15:paraId="{pid}" w15:done="0"/>' for pid in made.values()
                          if pid not in dict(threads))
        entries += "".join(f'<w15:commentEx w15:paraId="{child}" w15:paraIdParent="{parent}" w15:done="0"/>'
                           for child, parent in threads)
        xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w15:commentsEx '
               f'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">{entries}</w15:commentsEx>')
        part = Part(PackURI("/word/commentsExtended.xml"), EXTENDED_TYPE, xml.encode("utf-8"), document.part.package)
        document.part.relate_to(part, EXTENDED_REL)
    document.save(str(report))


def libreoffice_copy(report: Path, tmp_path: Path) -> Path:
    """The report as LibreOffice saves it (Writer's own docx export)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        missing("LibreOffice", "install it with `apt-get install libreoffice-writer-nogui`")
    assert soffice is not None
    outdir = tmp_path / "gemt-i-libreoffice"
    outdir.mkdir(exist_ok=True)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx", "--outdir",
                    str(outdir), str(report)], check=True, capture_output=True, timeout=180)
    converted = outdir / report.name
    assert converted.exists()
    return converted


def coding_of(db: Path, text: str, code: str | None = None) -> str:
    opened = open_project(str(db))
    try:
        with opened.read() as session:
            query = select(Coding.id).where(Coding.text == text)
            if code is not None:
                query = query.join(Code, Code.id == Coding.code_id).where(Code.name == code)
            return str(session.scalars(query).one())
    finally:
        opened.close()


def code_of(db: Path, name: str) -> str:
    opened = open_project(str(db))
    try:
        with opened.read() as session:
            return str(session.scalars(select(Code.id).where(Code.name == name)).one())
    finally:
        opened.close()


def memos_from(db: Path, report: str) -> list[dict[str, Any]]:
    rows = ok("--db", db, "--json", "memo", "list", "--source", report).json
    assert isinstance(rows, list)
    return rows


def memo_table(db: Path) -> list[tuple[Any, ...]]:
    opened = open_project(str(db))
    try:
        with opened.read() as session:
            return [tuple(row) for row in session.execute(
                select(Memo.id, Memo.text, Memo.coding_id, Memo.code_id, Memo.created_by, Memo.written_at,
                       Memo.reply_to, Memo.source, Memo.updated_at).order_by(Memo.id)).all()]
    finally:
        opened.close()


def change_count(db: Path) -> int:
    opened = open_project(str(db))
    try:
        with opened.read() as session:
            return int(session.scalar(select(func.count()).select_from(Change)) or 0)
    finally:
        opened.close()


def expected(db: Path, *, quoted_title: str, threaded: bool) -> list[tuple[Any, ...]]:
    belief = coding_of(db, BELIEF)
    sparring = coding_of(db, SPARRING)
    company = coding_of(db, COMPANY)
    rows = [
        ("coding", belief, "Anna Krogh", "2026-11-30T09:15:00+00:00", "Det her er nøglecitatet", False),
        ("coding", belief, "Mette Ørsted", "2026-11-30T09:45:00+00:00", "Enig – brug det i artiklen", threaded),
        ("coding", belief, "Jonas Bech", "2026-11-30T09:20:00+00:00", "Hvad siger lederen om det?", False),
        ("coding", sparring, "Mette Ørsted", "2026-11-30T09:25:00+00:00", "Sammenlign med Søholm", False),
        ("coding", company, "Jonas Bech", "2026-11-30T09:30:00+00:00", "Bageriet går igen i flere interview", False),
        ("code", code_of(db, "Ledelse"), "Anna Krogh", "2026-11-30T09:35:00+00:00", "Skal koden deles i to?", False),
        ("project", None, "Mette Ørsted", "2026-11-30T09:40:00+00:00",
         f"Husk at sende rapporten til kommunerne\n\n«{quoted_title}»", False),
    ]
    # a meeting's memos are listed by date, each reply right after the memo it answers
    return rows if threaded else sorted(rows, key=lambda row: str(row[3]))


def as_rows(memos: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(m["target_kind"], m["target"], m["author"], m["written_at"], m["text"], m["reply_to"] is not None)
            for m in memos]


def project_name(db: Path) -> str:
    opened = open_project(str(db))
    try:
        with opened.read() as session:
            return str(session.scalar(select(ProjectSettings.name)))
    finally:
        opened.close()


def threads_kept(report: Path) -> bool:
    with zipfile.ZipFile(report) as archive:
        return any(name.casefold() == "word/commentsextended.xml" for name in archive.namelist())


# --- the round trip --------------------------------------------------------------------------------


@pytest.mark.parametrize("saved_by", ["word", "libreoffice"])
def test_each_comment_comes_back_as_the_expected_memo_and_a_second_import_changes_nothing(
        project: Path, tmp_path: Path, saved_by: str) -> None:
    report = export_report(project, tmp_path / REPORT)
    add_comments(report)
    if saved_by == "libreoffice":
        report = libreoffice_copy(report, tmp_path)
    # LibreOffice 7.4 does not write commentsExtended.xml when it saves a .docx: a reply comes back as a
    # memo of its own on the same coding (the thread is lost in the file, not here)
    threaded = threads_kept(report)
    assert threaded == (saved_by == "word")
    before = change_count(project)
    result = ok("--db", project, "--json", "memo", "import", report, "--coder", "Ole Dam")
    assert result.json["new"] == 7 and result.json["updated"] == 0 and result.json["written"]
    assert change_count(project) == before + 1  # one recorded change: one undo takes it back
    memos = memos_from(project, report.name)
    assert as_rows(memos) == expected(project, quoted_title=project_name(project), threaded=threaded)
    assert {m["source"] for m in memos} == {report.name}
    opened = open_project(str(project))
    try:
        with opened.read() as session:
            export_id = session.scalars(select(Memo.source_export).where(Memo.source.is_not(None))).first()
    finally:
        opened.close()
    assert export_id and all(m["source_export"] == export_id for m in memos)
    if threaded:
        first = next(m for m in memos if m["text"] == "Det her er nøglecitatet")
        assert next(m for m in memos if m["text"].startswith("Enig"))["reply_to"] == first["id"]
    # authors became coders
    coders = ok("--db", project, "--json", "memo", "list").json
    assert {"Mette Ørsted", "Jonas Bech", "Anna Krogh"} <= {m["author"] for m in coders}

    table = memo_table(project)
    again = ok("--db", project, "--json", "memo", "import", report, "--coder", "Ole Dam")
    assert (again.json["new"], again.json["updated"], again.json["unchanged"]) == (0, 0, 7)
    assert memo_table(project) == table
    assert change_count(project) == before + 1


def test_the_word_copy_and_the_libreoffice_copy_of_one_report_are_one_meeting(project: Path, tmp_path: Path) -> None:
    """Saving the commented report in LibreOffice renumbers its comments; importing both adds nothing twice."""
    report = export_report(project, tmp_path / REPORT)
    add_comments(report)
    ok("--db", project, "memo", "import", report)
    table = memo_table(project)
    copy = libreoffice_copy(report, tmp_path)
    result = ok("--db", project, "--json", "memo", "import", copy)
    assert (result.json["new"], result.json["updated"], result.json["unchanged"]) == (0, 0, 7)
    assert memo_table(project) == table


def test_the_anchors_survive_libreoffice(project: Path, tmp_path: Path) -> None:
    """Bookmarks, the custom XML part and the document properties are all still there after Writer saves."""
    report = export_report(project, tmp_path / REPORT)
    copy = libreoffice_copy(report, tmp_path)
    from fieldnotes.export.report_comments import read_report

    original, saved = read_report(report), read_report(copy)
    assert saved.project_id == original.project_id and saved.export_id == original.export_id
    assert saved.codings == original.codings and saved.codes == original.codes
    assert len(original.codings) == 5 and len(original.codes) == 7
    with zipfile.ZipFile(copy) as archive:
        names = {n.casefold() for n in archive.namelist()}
        document = archive.read("word/document.xml").decode("utf-8")
    assert {"customxml/item1.xml", "docprops/custom.xml"} <= names
    assert all(name in document for name in original.codings) and all(name in document for name in original.codes)


def test_a_pseudonymised_report_comes_back_the_same(project: Path, tmp_path: Path) -> None:
    report = export_report(project, tmp_path / REPORT, pseudonymize=True)
    text = "\n".join(p.text for p in docx.Document(str(report)).paragraphs)
    assert "Søren" not in text and "at Peter får et job" in text
    add_comments(report)
    ok("--db", project, "memo", "import", report)
    assert as_rows(memos_from(project, REPORT)) == expected(project, quoted_title=project_name(project),
                                                             threaded=True)


# --- nothing dropped ----------------------------------------------------------------------------------


def test_a_removed_and_a_recoded_codings_comments_are_reported_and_kept_as_project_memos(
        project: Path, tmp_path: Path) -> None:
    report = export_report(project, tmp_path / REPORT)
    add_comments(report)
    ok("--db", project, "uncode", coding_of(project, SPARRING))
    ok("--db", project, "codebook", "merge", "Virksomhedskontakt", "Specifik tro")  # its coding moves code
    result = ok("--db", project, "--json", "memo", "import", report)
    kept = [m for m in result.json["memos"] if m["note"]]
    assert [(m["text"], m["target_kind"]) for m in kept] == [
        ("Sammenlign med Søholm\n\n«" + SPARRING + "»", "project"),
        ("Bageriet går igen i flere interview\n\n«" + COMPANY + "»", "project")]
    assert "removed" in kept[0]["note"] and "recoded" in kept[1]["note"] and "Specifik tro" in kept[1]["note"]
    human = ok("--db", project, "memo", "import", report, "--dry-run").out
    assert "kept as a project memo: its coding was removed since the export: «Vi tager altid" in human
    rows = {m["text"]: m for m in memos_from(project, REPORT)}
    assert rows["Sammenlign med Søholm\n\n«" + SPARRING + "»"]["target_kind"] == "project"
    assert len(rows) == 7  # nothing dropped


def test_a_comment_edited_since_the_last_import_updates_its_memo_and_the_log_records_it(
        project: Path, tmp_path: Path) -> None:
    report = export_report(project, tmp_path / REPORT)
    add_comments(report)
    ok("--db", project, "memo", "import", report)
    document = docx.Document(str(report))
    comment = next(c for c in document.comments if c.text == "Sammenlign med Søholm")
    comment.paragraphs[-1].runs[-1].text = "Sammenlign med Søholm og Fjordby"
    document.save(str(report))
    result = ok("--db", project, "--json", "memo", "import", report)
    assert (result.json["new"], result.json["updated"], result.json["unchanged"]) == (0, 1, 6)
    memos = memos_from(project, REPORT)
    assert "Sammenlign med Søholm og Fjordby" in {m["text"] for m in memos} and len(memos) == 7
    memo_id = uuid.UUID(next(m["id"] for m in memos if m["text"] == "Sammenlign med Søholm og Fjordby"))
    opened = open_project(str(project))
    try:
        with opened.read() as session:
            events = session.execute(select(Event.before, Event.after, Change.action).join(
                Change, Change.id == Event.change_id).where(Event.row_id == memo_id).order_by(Event.seq)).all()
    finally:
        opened.close()
    assert events[-1][2] == "memo.import"
    assert events[-1][0]["text"] == "Sammenlign med Søholm"
    assert events[-1][1]["text"] == "Sammenlign med Søholm og Fjordby"


def test_several_comments_on_one_coding_stay_separate_memos(project: Path, tmp_path: Path) -> None:
    report = export_report(project, tmp_path / REPORT)
    add_comments(report)
    ok("--db", project, "memo", "import", report)
    belief = coding_of(project, BELIEF)
    on_belief = [m for m in memos_from(project, REPORT) if m["target"] == belief]
    assert len(on_belief) == 3 and len({m["id"] for m in on_belief}) == 3


def test_dry_run_writes_nothing_and_undo_takes_the_whole_import_back(project: Path, tmp_path: Path) -> None:
    report = export_report(project, tmp_path / REPORT)
    add_comments(report)
    table, changes = memo_table(project), change_count(project)
    dry = ok("--db", project, "--json", "memo", "import", report, "--dry-run")
    assert dry.json["new"] == 7 and not dry.json["written"]
    assert memo_table(project) == table and change_count(project) == changes
    ok("--db", project, "memo", "import", report)
    assert len(memos_from(project, REPORT)) == 7
    ok("--db", project, "undo")
    assert memos_from(project, REPORT) == [] and memo_table(project) == table


def test_memo_list_source_lists_only_that_meetings_memos(project: Path, tmp_path: Path) -> None:
    ok("--db", project, "memo", "add", "project", "Et memo skrevet i fieldnotes")
    report = export_report(project, tmp_path / REPORT)
    add_comments(report)
    ok("--db", project, "memo", "import", report)
    assert len(memos_from(project, str(tmp_path / "en anden mappe" / REPORT))) == 7  # the file name counts
    assert memos_from(project, "et andet møde.docx") == []
    human = ok("--db", project, "memo", "list", "--source", REPORT).out.splitlines()
    assert human[0].startswith("30 November 2026 09:15 Anna Krogh on coding")  # the date as an English reader writes it
    assert human[1].startswith("  ↳ 30 November 2026 09:45")


# --- who -------------------------------------------------------------------------------------------


def test_comments_without_an_author_need_as(project: Path, tmp_path: Path) -> None:
    report = export_report(project, tmp_path / REPORT)
    add_comments(report, [Written("tro", "Uden navn", "", dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)),
                          Written("sparring", "Også uden", "Unknown Author",
                                  dt.datetime(2026, 11, 30, 10, 5, tzinfo=dt.UTC))])
    table = memo_table(project)
    refused = run("--db", project, "memo", "import", report)
    assert refused.code != 0 and "--as CODER" in refused.err and len(refused.err.strip().splitlines()) == 1
    assert memo_table(project) == table
    ok("--db", project, "memo", "import", report, "--as", "Søren Ågård")
    assert {m["author"] for m in memos_from(project, REPORT)} == {"Søren Ågård"}


# --- refusals ----------------------------------------------------------------------------------------


def refused(db: Path, path: Path) -> str:
    table = memo_table(db)
    result = run("--db", db, "memo", "import", path)
    assert result.code != 0 and "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert memo_table(db) == table
    return lines[0]


def test_a_word_file_that_is_not_a_report_is_refused(project: Path, tmp_path: Path) -> None:
    plain = tmp_path / "referat.docx"
    document = docx.Document()
    paragraph = document.add_paragraph("Referat fra mødet i Søholm")
    document.add_comment(paragraph.runs, "En kommentar", author="Anna Krogh")
    document.save(str(plain))
    assert "not a fieldnotes report" in refused(project, plain)
    text = tmp_path / "noter.docx"
    text.write_text("bare tekst, ikke en Word-fil", encoding="utf-8")
    assert "not a Word report" in refused(project, text)


def test_a_report_from_another_project_is_refused(project: Path, tmp_path: Path,
                                                  tmp_path_factory: pytest.TempPathFactory) -> None:
    other_folder = tmp_path / "andet"
    other_folder.mkdir()
    other = coded_copy(tmp_path_factory, other_folder)
    opened = open_project(str(other))
    try:
        with opened.write() as session:  # a project of its own (test ids are deterministic, so say so)
            session.execute(update(ProjectSettings).values(id=uuid.uuid4()))
    finally:
        opened.close()
    report = export_report(other, tmp_path / REPORT)
    add_comments(report)
    assert "exported from another project" in refused(project, report)


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_damaged_and_hostile_reports_are_refused(project: Path, tmp_path: Path) -> None:
    report = export_report(project, tmp_path / REPORT)
    add_comments(report)
    data = report.read_bytes()
    cut = tmp_path / "afbrudt.docx"
    cut.write_bytes(data[: len(data) // 2])
    assert "damaged" in refused(project, cut)
    with zipfile.ZipFile(report) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    hostile = dict(members)
    hostile["word/comments.xml"] = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                                    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' + members["word/comments.xml"]
                                    .split(b"?>", 1)[1])
    entities = tmp_path / "entiteter.docx"
    entities.write_bytes(zipped(hostile))
    assert "entities" in refused(project, entities)
    bomb = dict(members)
    bomb["word/comments.xml"] = members["word/comments.xml"] + b" " * 300_000_000
    bombed = tmp_path / "bombe.docx"
    bombed.write_bytes(zipped(bomb))
    assert "zip bomb" in refused(project, bombed)


# --- the anchors themselves --------------------------------------------------------------------------


def test_every_excerpt_and_code_heading_has_a_short_unique_bookmark_mapped_in_a_custom_xml_part(
        project: Path, tmp_path: Path) -> None:
    report = export_report(project, tmp_path / REPORT)
    with zipfile.ZipFile(report) as archive:
        document = archive.read("word/document.xml").decode("utf-8")
        rels = archive.read("word/_rels/document.xml.rels").decode("utf-8")
        item = archive.read("customXml/item1.xml").decode("utf-8")
        props = archive.read("customXml/itemProps1.xml").decode("utf-8")
        types = archive.read("[Content_Types].xml").decode("utf-8")
    import re

    names = re.findall(r'w:name="(fn_[^"]+)"', document)
    assert len(names) == len(set(names)) == 5 + 7 and all(len(n) <= 40 for n in names)
    assert "relationships/customXml" in rels and anchors.NAMESPACE in props and "customXmlProperties+xml" in types
    for name in names:
        assert f'bookmark="{name}"' in item
        kind, found = anchors.parse_bookmark(name) or ("", None)
        if kind == "coding":
            assert f'codings="{found}' in item
        else:
            assert f'id="{found}"' in item
    opened = open_project(str(project))
    try:
        with opened.read() as session:
            project_id = str(session.scalar(select(ProjectSettings.id)))
    finally:
        opened.close()
    assert f'project="{project_id}"' in item
    # the export id is the one in the audit record
    log = ok("--db", project, "--json", "log", "--exports").json
    assert f'export="{log[0]["details"]["export_id"]}"' in item


def test_bookmark_names_round_trip() -> None:
    coding, code = uuid.uuid4(), uuid.uuid4()
    name = anchors.coding_bookmark(coding, code)
    assert len(name) == 40 and anchors.parse_bookmark(name) == ("coding", coding)
    assert anchors.parse_bookmark(name.upper()) == ("coding", coding)
    assert anchors.same_code(anchors.code_tag(name), code) and not anchors.same_code(anchors.code_tag(name),
                                                                                      uuid.uuid4())
    assert anchors.parse_bookmark(anchors.code_bookmark(code)) == ("code", code)
    assert anchors.parse_bookmark("_Toc00000001") is None and anchors.parse_bookmark("fn_c_kort") is None


# --- in the app --------------------------------------------------------------------------------------


async def test_the_app_shows_what_the_comments_become_before_it_writes_and_one_undo_takes_them_back(
        project: Path, tmp_path: Path) -> None:
    from textual.widgets import Input, Static

    from fieldnotes.tui.app import FieldnotesApp
    from fieldnotes.tui.screens.meeting import MeetingScreen
    from tests.helpers import settle

    report = export_report(project, tmp_path / REPORT)
    add_comments(report)
    table, changes = memo_table(project), change_count(project)
    app = FieldnotesApp(open_project(str(project)), "Ole Dam", lang="da")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Importér kommentarer")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        screen.query_one("#meeting-file", Input).value = str(report)
        await pilot.press("enter")  # first Enter: what each comment becomes, nothing written
        await settle(pilot)
        preview = str(screen.query_one("#meeting-lines", Static).render())
        assert "ny" in preview and "Skal koden deles i to?" in preview and "7 kommentarer: 7 nye memoer" in preview
        assert "Enter importerer dem" in str(screen.query_one("#meeting-hint", Static).render())
        assert memo_table(project) == table and change_count(project) == changes
        await pilot.press("enter")  # second Enter: written, as one change
        await settle(pilot)
        assert not isinstance(app.screen, MeetingScreen)
        assert len(memos_from(project, REPORT)) == 7 and change_count(project) == changes + 1
        await pilot.press("u")  # one undo takes the whole meeting back out
        await settle(pilot)
        assert memos_from(project, REPORT) == [] and memo_table(project) == table
        assert app.errors == []


async def test_in_the_app_esc_goes_back_and_a_refusal_is_one_line(project: Path, tmp_path: Path) -> None:
    from textual.widgets import Input

    from fieldnotes.tui.app import FieldnotesApp
    from fieldnotes.tui.screens.meeting import MeetingScreen
    from tests.helpers import settle

    plain = tmp_path / "referat æøå.docx"
    docx.Document().save(str(plain))
    table = memo_table(project)
    app = FieldnotesApp(open_project(str(project)), "Ole Dam", lang="da")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_import_comments()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        screen.query_one("#meeting-file", Input).value = str(plain)
        await pilot.press("enter")
        await settle(pilot)
        assert len(app.errors) == 1 and "er ikke en fieldnotes-rapport" in app.errors[0] and "\n" not in app.errors[0]
        await pilot.press("escape")  # typed text: asks first
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert not isinstance(app.screen, MeetingScreen)
    assert memo_table(project) == table


# --- team work ---------------------------------------------------------------------------------------


def test_a_bundle_and_its_merge_carry_the_memos_sources_threads_and_dates(project: Path, tmp_path: Path) -> None:
    laptop = tmp_path / "mettes bærbare"
    laptop.mkdir()
    other = laptop / project.name
    shutil.copy(project, other)
    report = export_report(project, tmp_path / REPORT)
    add_comments(report)
    ok("--db", project, "memo", "import", report, "--coder", "Ole Dam")
    bundle = tmp_path / "ole æøå.fnbundle"
    ok("--db", project, "bundle", bundle, "--coder", "Ole Dam")
    ok("--db", other, "merge", bundle, "--coder", "Mette Ørsted")
    here, there = memos_from(project, REPORT), memos_from(other, REPORT)
    assert len(there) == 7 and any(m["reply_to"] for m in there)
    keys = ("id", "target_kind", "target", "text", "author", "written_at", "source", "source_export", "reply_to")
    assert [{k: m[k] for k in keys} for m in there] == [{k: m[k] for k in keys} for m in here]
    # and the merged copy recognises the meeting: importing it there too adds nothing
    again = ok("--db", other, "--json", "memo", "import", report).json
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 7)


def test_a_refi_qda_export_carries_the_meetings_memos_to_another_fieldnotes(project: Path, tmp_path: Path) -> None:
    report = export_report(project, tmp_path / REPORT)
    add_comments(report)
    ok("--db", project, "memo", "import", report)
    exported = tmp_path / "projekt æøå.qdpx"
    ok("--db", project, "exchange", "export-qdpx", exported)
    target = tmp_path / "modtaget.db"
    ok("--db", target, "init", "--empty", "--coder", "Anna Krogh")
    ok("--db", target, "exchange", "import", exported, "--coder", "Anna Krogh")
    keys = ("id", "text", "author", "written_at", "source", "source_export", "reply_to")
    here, there = memos_from(project, REPORT), memos_from(target, REPORT)
    assert len(there) == 7 and any(m["reply_to"] for m in there)
    assert [{k: m[k] for k in keys} for m in there] == [{k: m[k] for k in keys} for m in here]


# --- details of how Word and LibreOffice write comments -------------------------------------------------


def test_words_utc_dates_from_comments_extensible_win_over_its_local_w_date(project: Path, tmp_path: Path) -> None:
    """Word writes w:date in local time marked as UTC, and the true UTC time in commentsExtensible.xml."""
    report = export_report(project, tmp_path / REPORT)
    add_comments(report, [Written("tro", "Kl. 10.15 dansk tid", "Anna Krogh",
                                  dt.datetime(2026, 11, 30, 10, 15, tzinfo=dt.UTC))])
    document = docx.Document(str(report))
    cid = "{http://schemas.microsoft.com/office/word/2016/wordml/cid}"
    ids_xml = (f'<w16cid:commentsIds xmlns:w16cid="{cid[1:-1]}"><w16cid:commentId w16cid:paraId="10000000" '
               'w16cid:durableId="6A1B2C3D"/></w16cid:commentsIds>')
    cex = "http://schemas.microsoft.com/office/word/2018/wordml/cex"
    ext_xml = (f'<w16cex:commentsExtensible xmlns:w16cex="{cex}"><w16cex:commentExtensible '
               'w16cex:durableId="6A1B2C3D" w16cex:dateUtc="2026-11-30T09:15:00Z"/></w16cex:commentsExtensible>')
    package = document.part.package
    for name, xml, kind, rel in (
            ("commentsIds", ids_xml, "commentsIds", "http://schemas.microsoft.com/office/2016/09/relationships/commentsIds"),
            ("commentsExtensible", ext_xml, "commentsExtensible",
             "http://schemas.microsoft.com/office/2018/08/relationships/commentsExtensible")):
        part = Part(PackURI(f"/word/{name}.xml"),
                    f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml",
                    xml.encode("utf-8"), package)
        document.part.relate_to(part, rel)
    document.save(str(report))
    ok("--db", project, "memo", "import", report)
    assert [m["written_at"] for m in memos_from(project, REPORT)] == ["2026-11-30T09:15:00+00:00"]


def test_a_deleted_codes_heading_comment_is_kept_and_a_selection_belongs_where_it_starts(
        project: Path, tmp_path: Path) -> None:
    report = export_report(project, tmp_path / REPORT)
    add_comments(report, [Written("ledelse", "Skal koden deles i to?", "Anna Krogh",
                                  dt.datetime(2026, 11, 30, 9, 35, tzinfo=dt.UTC))])
    document = docx.Document(str(report))
    paragraphs = document.paragraphs
    elements = [p._p for p in paragraphs]
    # from a code's summary line into its first excerpt: on the code, where the selection starts
    quote = next(p for p in paragraphs if p._p.style == "Excerpt" and PLACES["sparring"] in p.text)
    summary = paragraphs[elements.index(quote._p) - 1]
    assert summary._p.style == "CodeSummary"
    made = document.add_comment([summary.runs[0], quote.runs[-1]], "Fra overskriften og ind i citatet",
                                author="Jonas Bech")
    stamp(made, dt.datetime(2026, 11, 30, 9, 50, tzinfo=dt.UTC))
    # from the contents (no anchor) into the first code's heading: on that code, the first anchor inside it
    heading = next(p for p in paragraphs if (p._p.style or "").startswith("Heading") and p.text in CODE_NAMES)
    entry = next(p for p in reversed(paragraphs[:elements.index(heading._p)]) if p.runs)
    made = document.add_comment([entry.runs[0], heading.runs[-1]], "Fra indholdet ind i første kode",
                                author="Jonas Bech")
    stamp(made, dt.datetime(2026, 11, 30, 9, 55, tzinfo=dt.UTC))
    document.save(str(report))
    ok("--db", project, "codebook", "delete", "Ledelse", "--yes")
    result = ok("--db", project, "--json", "memo", "import", report).json
    by_text = {m["text"].split("\n")[0]: m for m in result["memos"]}
    deleted = by_text["Skal koden deles i to?"]
    assert deleted["target_kind"] == "project" and "deleted" in deleted["note"]
    running = by_text["Fra overskriften og ind i citatet"]
    assert (running["target_kind"], running["target"]) == ("code", code_of(project, "Kollegial sparring"))
    into = by_text["Fra indholdet ind i første kode"]
    assert (into["target_kind"], into["target"]) == ("code", code_of(project, heading.text))


def test_a_comment_on_an_excerpt_several_coders_share_goes_on_its_authors_own_coding(
        project: Path, tmp_path: Path) -> None:
    from tests.test_export_data import DOC

    ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--match", SPARRING, "--coder", "Jonas Bech")
    report = export_report(project, tmp_path / REPORT)  # one block naming Anna Krogh and Jonas Bech
    add_comments(report, [Written("sparring", "Min kodning – jeg er enig", "Jonas Bech",
                                  dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)),
                          Written("sparring", "Og min", "Anna Krogh", dt.datetime(2026, 11, 30, 10, 5, tzinfo=dt.UTC))])
    assert sum(1 for p in docx.Document(str(report)).paragraphs if PLACES["sparring"] in p.text) == 1
    ok("--db", project, "memo", "import", report)
    opened = open_project(str(project))
    try:
        with opened.read() as session:
            owners = dict(session.execute(
                select(Memo.text, Coding.coder_id).join(Coding, Coding.id == Memo.coding_id)
                .where(Memo.source == REPORT)).all())
    finally:
        opened.close()
    from fieldnotes.db.coders import coder_id

    assert owners == {"Min kodning – jeg er enig": coder_id("Jonas Bech"), "Og min": coder_id("Anna Krogh")}


def test_a_name_in_the_reports_file_name_is_replaced_by_apply_and_keeps_the_key_from_being_separated(
        project: Path, tmp_path: Path) -> None:
    name = "Bodil Ærtebjerg"
    report = export_report(project, tmp_path / f"møde om {name}.docx")
    add_comments(report)
    ok("--db", project, "memo", "import", report)
    assert len(memos_from(project, report.name)) == len(COMMENTS)
    ok("--db", project, "pseudonyms", "add", name, "Borger B")
    key = tmp_path / "nøgle.yaml"
    refused = run("--db", project, "pseudonyms", "export", key, "--remove", "--yes")
    assert refused.code == 1 and "memo" in refused.err and not key.exists(), refused.err
    ok("--db", project, "pseudonyms", "apply", "--yes")
    assert memos_from(project, report.name) == []
    assert len(memos_from(project, "møde om Borger B.docx")) == len(COMMENTS)
    ok("--db", project, "pseudonyms", "export", key, "--remove", "--yes")
    assert name not in ok("--db", project, "--json", "memo", "list").out
