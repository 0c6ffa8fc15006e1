"""Search hits as a reader sees them: the matched span in its context, placed in its document.

A hit carries what `fieldnotes search --json` promises (document, document_title, start, end, text,
context, score) and what a reader needs to judge it: municipality, kind, date, phase, speaker and role,
paragraph, timestamp. Context is the sentence by default (or the turn, the paragraph, or N characters
either side), cut to at most CONTEXT_LIMIT characters on each side of the hit.
"""

from __future__ import annotations

import bisect
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.coding import spans
from fieldnotes.db.models import Document, SpeakerTurn
from fieldnotes.search.units import Scope
from fieldnotes.text import line_starts

CONTEXT_LIMIT = 600


@dataclass(frozen=True)
class RawHit:
    """A hit before it is described: where it is and how well it matched."""

    document_id: uuid.UUID
    start: int
    end: int
    score: float
    term: str = ""


@dataclass
class Hit:
    document: str
    document_title: str
    start: int
    end: int
    text: str
    context: str
    score: float
    context_before: str
    context_after: str
    municipality: str | None
    kind: str
    date: str | None
    phase: int | None
    activity: str | None
    speaker: str | None
    speaker_role: str | None
    paragraph: int
    timestamp: str | None
    term: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def context_bounds(text: str, start: int, end: int, context: str | int | None,
                   turns: Sequence[spans.TurnLike] = ()) -> tuple[int, int]:
    """Where the context around [start, end) begins and ends."""
    if context is None:
        return start, end
    if isinstance(context, int):
        a, b = start - context, end + context
    elif context == "sentence":
        a = spans.sentence(text, start, transcript=bool(turns))[0]
        b = spans.sentence(text, max(start, end - 1), transcript=bool(turns))[1]
    elif context == "paragraph":
        a, b = spans.paragraph(text, start)[0], spans.paragraph(text, max(start, end - 1))[1]
    else:
        a, b = spans.widen(text, start, end, "turn", turns)
    a = max(0, min(a, start), start - CONTEXT_LIMIT)
    b = min(len(text), max(b, end), end + CONTEXT_LIMIT)
    return a, b


def _stamp(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _document_texts(session: Session, doc_ids: set[uuid.UUID],
                    given: dict[uuid.UUID, str] | None) -> dict[uuid.UUID, str]:
    texts = dict(given or {})
    wanted = [d for d in doc_ids if d not in texts]
    if wanted:
        texts.update(session.execute(select(Document.id, Document.text).where(Document.id.in_(wanted))).all())
    return texts


def _turns_of(session: Session, doc_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    turns: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for row in session.execute(select(SpeakerTurn.document_id, SpeakerTurn.speaker, SpeakerTurn.start,
                                      SpeakerTurn.end, SpeakerTurn.timestamp)
                               .where(SpeakerTurn.document_id.in_(doc_ids)).order_by(SpeakerTurn.start)):
        turns[row.document_id].append(row)
    return turns


def _turn_at(doc_turns: list[Any], start: int) -> Any:
    """The turn a hit starts in: the last one starting at or before it, if it reaches that far."""
    index = bisect.bisect_right([t.start for t in doc_turns], start) - 1
    return doc_turns[index] if index >= 0 and doc_turns[index].end >= start else None


def _speaker_of(turn: Any, people: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """The turn's speaker as the document's participants name them, and their role."""
    speaker = turn.speaker if turn else None
    person = (people or {}).get(speaker) if speaker else None
    if isinstance(person, dict):
        return person.get("name") or speaker, person.get("role")
    return speaker, None


def describe(session: Session, raw: Sequence[RawHit], scope: Scope, *, texts: dict[uuid.UUID, str] | None = None,
             context: str | int | None = "sentence") -> list[Hit]:
    """Turn raw hits into full hits (a few queries for all of them together)."""
    if not raw:
        return []
    doc_ids = {h.document_id for h in raw}
    texts = _document_texts(session, doc_ids, texts)
    speakers: dict[uuid.UUID, Any] = dict(
        session.execute(select(Document.id, Document.speakers).where(Document.id.in_(doc_ids))).all())
    turns = _turns_of(session, doc_ids)
    municipalities = scope.municipalities(session, doc_ids)
    lines = {doc_id: line_starts(texts[doc_id]) for doc_id in doc_ids}
    out = []
    for hit in raw:
        info = scope.documents[hit.document_id]
        text = texts[hit.document_id]
        doc_turns = turns.get(hit.document_id, [])
        turn = _turn_at(doc_turns, hit.start)
        speaker, role = _speaker_of(turn, speakers.get(hit.document_id))
        a, b = context_bounds(text, hit.start, hit.end, context, doc_turns)
        out.append(Hit(
            document=str(hit.document_id), document_title=info.title, start=hit.start, end=hit.end,
            text=text[hit.start : hit.end], context=text[a:b], score=round(hit.score, 4),
            context_before=text[a : hit.start], context_after=text[hit.end : b],
            municipality=", ".join(municipalities.get(hit.document_id, [])) or None, kind=info.kind,
            date=info.date.isoformat() if info.date else None, phase=scope.phase(hit.document_id),
            activity=info.activity, speaker=speaker, speaker_role=role,
            paragraph=bisect.bisect_right(lines[hit.document_id], hit.start), timestamp=_stamp(turn.timestamp)
            if turn else None, term=hit.term,
        ))
    return out


def one_line(text: str) -> str:
    """Text on one line as it stands: each line break or tab becomes one space, nothing else changes (no
    space added, none taken away), so a snippet reads exactly as the stored text does."""
    return text.translate(_ONE_LINE)


_ONE_LINE = str.maketrans({"\n": " ", "\r": " ", "\t": " ", "\v": " ", "\f": " ", "\u2028": " ", "\u2029": " "})


def snippet(before: str, text: str, after: str, width: int) -> tuple[str, str, str]:
    """A hit between at most `width` characters of its context on each side, on one line: the three parts
    put together are a piece of the stored text, spaces and punctuation as they are (the app and the
    command line highlight the middle part; neither adds nor removes a space around it)."""
    return one_line(before)[len(before) - width:] if width < len(before) else one_line(before), \
        one_line(text), one_line(after)[:width]
