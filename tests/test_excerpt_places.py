"""Where an excerpt sits (speaker, role, time stamp, paragraph), found by bisection, against a plain scan."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from fieldnotes.coding.applying import NewCoding, apply_bulk
from fieldnotes.coding.excerpts import _stamp, excerpts
from fieldnotes.db.models import Code, Document, SpeakerTurn
from fieldnotes.documents.store import NewDocument, add_document
from fieldnotes.project.actions import acting
from fieldnotes.project.creation import create_project
from fieldnotes.project.opening import Project
from fieldnotes.queries.filters import Filters
from tests.helpers import ok

TRANSCRIPT = "\n".join([
    "[00:00:05] I: Hvordan tror du, det går med borgeren?",
    "[00:00:31] R: Jeg tror på, at Søren får et job på lageret.",
    "Det gør jeg virkelig, også selv om han har ondt i ryggen.",
    "",
    "[00:01:12] I: Og praktikken?",
    "Forsker-note midt i en tur: lyden var dårlig.",
    "[00:02:40] R: Den starter i næste uge på plejecentret i Lyngå.",
    "",
    "Efterskrift uden taler, æøå.",
])
NOTE = "Teammøde i Fjordby.\nSparring om en borger med angst.\n\nLederen foreslår en praktik, måske i bageriet."


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    path = tmp_path_factory.mktemp("steder") / "steder æøå.db"
    opened = create_project(str(path), coder="Anna Krogh", start=dt.date(2025, 2, 1))
    with acting(opened, "Anna Krogh", "import", "tekster") as (session, cid):
        for text, title, kind, speakers in (
                (TRANSCRIPT, "Interview i Lyngå", "interview",
                 {"I": {"name": "Forsker", "role": "forsker"},
                  "R": {"name": "Mette Vinther", "role": "sagsbehandler"}}),
                (NOTE, "Teammøde", "observation", {})):
            add_document(session, NewDocument(text=text, title=title, kind=kind, date=dt.date(2025, 3, 10),
                                              municipalities=["Lyngå"], speakers=speakers), coder_id=cid)
    yield opened
    opened.close()


SPANS = st.lists(st.tuples(st.booleans(), st.floats(0, 0.999), st.integers(1, 80)), min_size=1, max_size=12)


@given(SPANS)
def test_speaker_time_and_paragraph_are_what_a_scan_of_the_turns_and_the_text_gives(
        project: Project, spans: list[tuple[bool, float, int]]) -> None:
    with acting(project, "Anna Krogh", "code", "stikprøve") as (session, cid):
        documents = {d.title: d for d in session.scalars(select(Document))}
        code = session.scalars(select(Code.id).where(Code.codable.is_(True))).first()
        assert code is not None
        items = []
        for in_transcript, where, length in spans:
            doc = documents["Interview i Lyngå" if in_transcript else "Teammøde"]
            start = int(where * (len(doc.text) - 1))
            items.append(NewCoding(doc.id, code, cid, start, min(len(doc.text), start + length)))
        apply_bulk(session, items, texts={d.id: d.text for d in documents.values()})
    with project.read() as session:
        found = excerpts(session, Filters())
        documents_by_id = {str(d.id): d for d in session.scalars(select(Document))}
        turns: dict[uuid.UUID, list[SpeakerTurn]] = {}
        for turn in session.scalars(select(SpeakerTurn)):
            turns.setdefault(turn.document_id, []).append(turn)
        assert len(turns) == 1  # the transcript has turns, the note none
        assert found
        for excerpt in found:
            doc = documents_by_id[excerpt.document]
            before = [t for t in turns.get(doc.id, []) if t.start <= excerpt.start]
            turn = max(before, key=lambda t: t.start) if before else None
            if turn is not None and turn.end >= excerpt.start:
                person = doc.speakers[turn.speaker]
                assert (excerpt.speaker, excerpt.speaker_role) == (person["name"], person["role"])
                assert excerpt.timestamp == _stamp(turn.timestamp)
            else:
                assert (excerpt.speaker, excerpt.speaker_role, excerpt.timestamp) == (None, None, None)
            assert excerpt.paragraph == doc.text.count("\n", 0, excerpt.start) + 1
            assert excerpt.text == doc.text[excerpt.start:excerpt.end]


def test_a_speakers_excerpt_names_speaker_role_and_time(project: Project) -> None:
    start = TRANSCRIPT.index("Jeg tror på")
    with acting(project, "Anna Krogh", "code", "en") as (session, cid):
        doc = session.scalars(select(Document).where(Document.title == "Interview i Lyngå")).one()
        code = session.scalars(select(Code.id).where(Code.codable.is_(True))).first()
        assert code is not None
        apply_bulk(session, [NewCoding(doc.id, code, cid, start, start + 20)], texts={doc.id: doc.text})
    with project.read() as session:
        (excerpt,) = [e for e in excerpts(session, Filters()) if (e.start, e.end) == (start, start + 20)]
    assert (excerpt.speaker, excerpt.speaker_role, excerpt.timestamp, excerpt.paragraph) == (
        "Mette Vinther", "sagsbehandler", "00:00:31", 2)


@pytest.mark.postgres
def test_a_server_gives_the_same_excerpts_as_the_file(english_demo: Path, pg_url: str) -> None:
    """The raw values a server's driver returns (UUIDs, times, booleans) make the same excerpts."""
    ok("--db", pg_url, "init", "--empty", "--coder", "Server")
    ok("--db", pg_url, "merge", english_demo, "--coder", "Server")
    for context in ("turn", "sentence"):
        here = ok("--db", english_demo, "excerpts", "--json", "--context", context).json
        there = ok("--db", pg_url, "excerpts", "--json", "--context", context).json
        assert len(here) > 20 and any(e["speaker"] and e["timestamp"] for e in here)
        assert here == there
