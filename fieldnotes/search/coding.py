"""Coding search hits: every hit (or those a person picked in the app) with one code, as one action.

The caller opens one recorded change around `code_spans` (the command line and the app both do), so
coding 200 hits is one step in the event log and one `undo` removes them all. Hits can be widened
first to whole words, sentences, paragraphs or speaker turns; hits that widen to the same span give
one coding, and a span already coded with the code by the same coder is left as it is.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from fieldnotes.coding import applying, spans
from fieldnotes.db.models import Code, Coding, Document, SpeakerTurn
from fieldnotes.errors import InvalidInput
from fieldnotes.search.results import Hit, RawHit
from fieldnotes.translations import _

Span = tuple[uuid.UUID, int, int]


@dataclass
class CodedHit:
    id: str
    document: str
    start: int
    end: int
    text: str
    created: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def spans_of(hits: Iterable[Hit | RawHit]) -> list[Span]:
    out = []
    for hit in hits:
        doc = hit.document_id if isinstance(hit, RawHit) else uuid.UUID(hit.document)
        out.append((doc, hit.start, hit.end))
    return out


def widened(session: Session, found: Sequence[Span], snap: str | None) -> list[Span]:
    """The spans to code, in order, each widened to `snap` (word, sentence, paragraph, turn) if given."""
    if snap is not None and snap not in spans.UNITS:
        raise InvalidInput(_("cannot widen hits to {snap!r}")
                           .format(snap=snap), hint=_("use word, sentence, paragraph or turn"))
    doc_ids = {doc for doc, _, _ in found}
    texts = dict(session.execute(select(Document.id, Document.text).where(Document.id.in_(doc_ids))).all())
    turns: dict[uuid.UUID, list[Any]] = defaultdict(list)
    if snap is not None:  # in a transcript a sentence or paragraph leaves out the timestamp and speaker label
        for turn in session.execute(select(SpeakerTurn.document_id, SpeakerTurn.start, SpeakerTurn.end)
                                    .where(SpeakerTurn.document_id.in_(doc_ids)).order_by(SpeakerTurn.start)):
            turns[turn.document_id].append(turn)
    out: dict[Span, None] = {}
    for doc_id, start, end in found:
        text = texts.get(doc_id)
        if text is None:
            raise InvalidInput(_("a hit refers to a document that is no longer there; search again"))
        spans.check(len(text), start, end)
        if snap is not None:
            start, end = spans.widen(text, start, end, snap, turns.get(doc_id, []))
        out[(doc_id, start, end)] = None
    return sorted(out, key=lambda s: (str(s[0]), s[1], s[2]))


def code_spans(session: Session, found: Sequence[Span], code: Code, *, coder_id: uuid.UUID,
               memo: str | None = None, rating: int | None = None, snap: str | None = None) -> list[CodedHit]:
    """Code the spans (inside the caller's change). Returns each coding, saying whether it is new."""
    applying.check_code(code)
    applying.check_rating(code, rating)
    chosen = widened(session, found, snap)
    if not chosen:
        return []
    keys = [(doc, code.id, coder_id, start, end) for doc, start, end in chosen]

    def existing() -> dict[tuple[uuid.UUID, int, int], Coding]:
        out: dict[tuple[uuid.UUID, int, int], Coding] = {}
        for first in range(0, len(keys), 300):
            chunk = keys[first : first + 300]
            query = select(Coding).where(tuple_(Coding.document_id, Coding.code_id, Coding.coder_id, Coding.start,
                                                Coding.end).in_(chunk))
            out.update({(c.document_id, c.start, c.end): c for c in session.scalars(query)})
        return out

    before = existing()
    applying.apply_bulk(session, [applying.NewCoding(doc, code.id, coder_id, start, end, memo=memo or None,
                                                     rating=rating)
                                  for doc, start, end in chosen if (doc, start, end) not in before])
    after = existing()
    return [CodedHit(str(after[s].id), str(s[0]), s[1], s[2], after[s].text, s not in before) for s in chosen]


@dataclass
class WideningChoice:
    """One way to code a hit: as matched (unit None) or widened to a unit, with the span that gives."""

    unit: str | None
    start: int
    end: int
    text: str


def widening_choices(session: Session, span: Span) -> list[WideningChoice]:
    """A hit as matched and widened to its sentence, paragraph and speaker turn (each only once: a turn
    that is the paragraph is not offered twice), so a person sees the span before coding it."""
    doc_id = span[0]
    text = session.scalar(select(Document.text).where(Document.id == doc_id))
    if text is None:
        raise InvalidInput(_("the hit's document is no longer there; search again"))
    out = [WideningChoice(None, span[1], span[2], text[span[1]:span[2]])]
    for unit in ("sentence", "paragraph", "turn"):
        [(_doc, start, end)] = widened(session, [span], unit)
        if all((c.start, c.end) != (start, end) for c in out):
            out.append(WideningChoice(unit, start, end, text[start:end]))
    return out
