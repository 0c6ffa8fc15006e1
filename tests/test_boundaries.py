"""The cached sentence and paragraph boundaries (coding/boundaries.py) against the plain computation (spans).

First the computation itself, at every offset of generated Danish texts and transcripts; then the cache in a
real project after every kind of change that can touch a text: edits, a new kind, new documents, imports,
deletions, undo, redo and merges, each checked against the text as it then is. Excerpts read through the
cache, through a stale row and through no row at all give the same context.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from fieldnotes.coding import boundaries, spans
from fieldnotes.db.models import Document, DocumentBoundaries, SpeakerTurn
from fieldnotes.project.opening import open_project
from tests.helpers import ok, run
from tests.projectdata import make_project

#: pieces of Danish text with what makes sentences hard: abbreviations, initials, numbers, quotes, ellipses,
#: speaker labels and timestamps, tabs and blank lines
PIECES = ["Søren får et job", " på lageret", ". ", "! ", "? ", "… ", ".\"", " f.eks. ", " bl.a. ", " kl. 9.15 ",
          " nr. 3. ", " A. Jensen ", " ca.", "?!", " æøå", "\n", "\n\n", "[00:00:05] I: ", "R: ", "Mette: ",
          "\t", "  ", ".", "»Ja.« ", " 2. ", "osv. ", "Hvad så?", "Det gør jeg."]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@given(text=texts, transcript=st.booleans())
def test_every_offset_has_the_sentence_and_paragraph_spans_finds(text: str, transcript: bool) -> None:
    found = boundaries.compute(text, transcript=transcript)
    for offset in range(len(text) + 1):
        assert found.sentence(offset) == spans.sentence(text, offset, transcript=transcript), offset
        assert found.paragraph(offset) == spans.paragraph(text, offset), offset
        assert found.paragraph_number(offset) == text.count("\n", 0, offset) + 1, offset


@given(text=texts.filter(bool), transcript=st.booleans(), data=st.data())
def test_a_span_has_the_sentences_around_it_spans_finds(text: str, transcript: bool, data: st.DataObject) -> None:
    found = boundaries.compute(text, transcript=transcript)
    for _ in range(10):
        start = data.draw(st.integers(0, len(text) - 1))
        end = data.draw(st.integers(start + 1, len(text)))
        assert found.sentences_around(start, end) == spans.sentences_around(text, start, end, transcript=transcript)


@given(text=texts, transcript=st.booleans())
def test_the_stored_form_reads_back_the_same(text: str, transcript: bool) -> None:
    import uuid

    found = boundaries.compute(text, transcript=transcript)
    row = boundaries.stored_row(uuid.uuid4(), "x" * 64, transcript, found)
    back = boundaries.from_row(row["length"], row["lines"], row["sentences"])
    assert (list(back.lines), list(back.reach), list(back.starts), list(back.ends)) == (
        found.lines, found.reach, found.starts, found.ends)


# --- the cache in a project, through every change that touches a text ---------------------------------

ANNA, JONAS = "Anna Krogh", "Jonas Bech"
INTERVIEW_DOC = "Interview med sagsbehandler"
NOTE_DOC = "Teammøde i Fjordby"
_TEMPLATE: list[tuple[Path, Path]] = []


def _template(factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small project, and a bundle of Jonas' work on a copy of it: an edit of the note, a note of his own."""
    if not _TEMPLATE:
        folder = factory.mktemp("boundaries-template")
        target = make_project(folder)
        ok("--db", target, "memo", "add", "project", "Jonas er med", "--coder", JONAS)
        ok("--db", target, "undo", "--coder", JONAS)
        side = folder / "jonas.db"
        shutil.copyfile(target, side)
        note = ok("--db", side, "show", NOTE_DOC, "--json").json["text"]
        (folder / "jonas-edit.txt").write_text(note.replace("Lederen spørger", "Lederen, dvs. Per, spørger f.eks."),
                                               encoding="utf-8")
        ok("--db", side, "edit", NOTE_DOC, "--from-file", folder / "jonas-edit.txt", "--coder", JONAS)
        (folder / "jonas-note.txt").write_text("Kl. 10. Møde med A. Jensen.\nHun siger: »Ja.« Det er nr. 2.\n",
                                               encoding="utf-8")
        ok("--db", side, "new", "--from-file", folder / "jonas-note.txt", "--title", "Jonas' note", "--coder", JONAS)
        bundle = folder / "jonas.fnbundle"
        ok("--db", side, "bundle", bundle, "--coder", JONAS)
        _TEMPLATE.append((target, bundle))
    return _TEMPLATE[0]


def check_cache(path: Path) -> int:
    """Every document has exactly one row, it matches its text and turns, and it is what `compute` gives now
    (and so, by the tests above, what `spans` finds). Returns how many documents there are."""
    with open_project(str(path), readonly=True) as project, project.read() as session:
        documents = session.execute(select(Document.id, Document.sha256, Document.text)).all()
        transcripts = set(session.scalars(select(SpeakerTurn.document_id).distinct()))
        table = DocumentBoundaries.__table__
        rows = {row.document_id: row for row in session.execute(select(table))}
    assert set(rows) == {doc_id for doc_id, _, _ in documents}, "a document without a row, or a row left over"
    for doc_id, sha256, text in documents:
        row = rows[doc_id]
        transcript = doc_id in transcripts
        assert (row.sha256, row.version, bool(row.transcript), row.length) == (
            sha256, boundaries.VERSION, transcript, len(text))
        stored = boundaries.from_row(row.length, row.lines, row.sentences)
        fresh = boundaries.compute(text, transcript=transcript)
        assert (list(stored.lines), list(stored.reach), list(stored.starts), list(stored.ends)) == (
            fresh.lines, fresh.reach, fresh.starts, fresh.ends)
    return len(documents)


EDIT_PIECES = ["Det gør jeg.", " f.eks. i Lyngå", " kl. 9.15", "\n", "?", " A. Jensen siger", "…", " ", "æøå."]
operations = st.lists(st.one_of(
    st.tuples(st.just("edit"), st.sampled_from([INTERVIEW_DOC, NOTE_DOC]), st.integers(0, 400), st.integers(0, 30),
              st.lists(st.sampled_from(EDIT_PIECES), max_size=4).map("".join)),
    st.tuples(st.just("kind"), st.sampled_from([INTERVIEW_DOC, NOTE_DOC]),
              st.sampled_from(["interview", "observation"])),
    st.tuples(st.just("new"), st.lists(st.sampled_from(EDIT_PIECES), min_size=1, max_size=6).map("".join)),
    st.tuples(st.just("import")),
    st.tuples(st.just("delete")),
    st.tuples(st.just("undo"), st.sampled_from([ANNA, JONAS])),
    st.tuples(st.just("redo"), st.sampled_from([ANNA, JONAS])),
    st.tuples(st.just("merge")),
), min_size=1, max_size=6)


@settings(max_examples=15)
@given(steps=operations)
def test_the_cache_follows_every_change_to_a_text(tmp_path_factory: pytest.TempPathFactory,
                                                  steps: list[tuple[object, ...]]) -> None:
    template, bundle = _template(tmp_path_factory)
    folder = tmp_path_factory.mktemp("boundaries")
    work = folder / "p.db"
    shutil.copyfile(template, work)
    check_cache(work)
    for number, step in enumerate(steps):
        kind = step[0]
        if kind == "edit":
            _, title, at, cut, typed = step
            shown = run("--db", work, "show", title, "--json")
            if shown.code != 0:  # deleted by an earlier step
                continue
            text = shown.json["text"]
            at = min(int(at), len(text))  # type: ignore[call-overload]
            new = text[:at] + str(typed) + text[at + int(cut):]  # type: ignore[call-overload]
            if not new.strip():
                continue
            source = folder / f"edit-{number}.txt"
            source.write_text(new, encoding="utf-8")
            run("--db", work, "edit", title, "--from-file", source, "--coder", JONAS)
        elif kind == "kind":
            run("--db", work, "doc", "set", step[1], "kind", step[2], "--coder", ANNA)
        elif kind == "new":
            source = folder / f"new-{number}.txt"
            source.write_text(str(step[1]), encoding="utf-8")
            run("--db", work, "new", "--from-file", source, "--title", f"Ny note {number}", "--coder", ANNA)
        elif kind == "import":
            source = folder / f"import-{number}.txt"
            source.write_text("[00:00:01] I: Hvad sker der, f.eks. i dag?\n[00:00:09] R: Det ved jeg ikke. "
                              "Måske kl. 14.\n", encoding="utf-8")
            run("--db", work, "import", source, "--kind", "interview", "--coder", ANNA)
        elif kind == "delete":
            run("--db", work, "doc", "delete", NOTE_DOC, "--yes", "--coder", ANNA)
        elif kind in ("undo", "redo"):
            run("--db", work, str(kind), "--coder", step[1])
        else:
            run("--db", work, "merge", bundle, "--coder", ANNA)
        check_cache(work)


def _excerpt_context(path: Path) -> list[tuple[str, str, str, int | None]]:
    from fieldnotes.coding.excerpts import excerpts

    with open_project(str(path), readonly=True) as project, project.read() as session:
        return [(e.id, e.context_before, e.context_after, e.paragraph)
                for e in excerpts(session, context="sentence")]


def test_excerpts_read_the_same_context_through_the_cache_a_stale_row_and_none(tmp_path: Path) -> None:
    target = make_project(tmp_path)
    for match in ("Søren får et job", "Lederen er med", "ringer til bageriet"):
        ok("--db", target, "code", INTERVIEW_DOC, "--code", "Ledelse", "--match", match, "--coder", ANNA)
    ok("--db", target, "code", NOTE_DOC, "--code", "Ledelse", "--match", "Lederen spørger", "--coder", ANNA)
    assert check_cache(target) == 2
    through_cache = _excerpt_context(target)
    assert len(through_cache) == 4
    with open_project(str(target), readonly=True) as project, project.read() as session:
        texts = dict(session.execute(select(Document.title, Document.text)).all())
    interview = texts[INTERVIEW_DOC]
    start = interview.index("Søren får et job")
    before = next(c[1] for c in through_cache if c[1].endswith("at "))
    assert interview[spans.sentence(interview, start, transcript=True)[0]:start] == before == "Altså, jeg tror på, at "
    table = DocumentBoundaries.__table__
    with open_project(str(target)) as project, project.write() as session:
        session.execute(update(table).values(sha256="0" * 64))  # stale: as if the text changed behind its back
    assert _excerpt_context(target) == through_cache
    with open_project(str(target)) as project, project.write() as session:
        session.execute(delete(table))
    assert _excerpt_context(target) == through_cache
