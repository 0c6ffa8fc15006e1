"""Retrieving coded excerpts: one query for the command line, the app, the exports and analysis.

Each excerpt carries what a reader needs to place it: code path, document, municipality, kind, date,
phase, speaker, position (paragraph and timestamp), coder, memo, rating, the other codes overlapping
it, and optionally context before and after (N characters, the sentence, or the speaker turn).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from fieldnotes.codebook.tree import CodeTree
from fieldnotes.coding import boundaries, spans
from fieldnotes.db.image_queries import uuid_text
from fieldnotes.db.models import MUNICIPALITY, Case, Coder, Coding, Document, DocumentCase, ProjectSettings, SpeakerTurn
from fieldnotes.db.plainrows import plain_rows
from fieldnotes.errors import InvalidInput
from fieldnotes.project.opening import phase_of
from fieldnotes.queries.filters import Filters, code_ids, coder_ids, document_ids, narrow_codings
from fieldnotes.translations import _


@dataclass
class Excerpt:
    id: str
    code: str
    code_path: str
    document: str
    document_title: str
    municipality: str | None
    kind: str
    date: str | None
    phase: int | None
    coder: str
    start: int
    end: int
    text: str
    memo: str | None
    rating: int | None
    needs_review: bool
    speaker: str | None = None
    speaker_role: str | None = None
    paragraph: int | None = None
    timestamp: str | None = None
    overlapping: list[str] = field(default_factory=list)
    context_before: str = ""
    context_after: str = ""
    activity: str | None = None
    created_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_context(value: str | None) -> str | int | None:
    if value is None or value == "":
        return None
    if value in ("sentence", "turn", "paragraph"):
        return value
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput(_("--context {value!r} is not sentence, turn or a number of characters")
                           .format(value=value)) from None
    if number < 0:
        raise InvalidInput(_("--context needs a positive number of characters"))
    return number


def _stamp(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _raw(column: Any) -> Any:
    """A UUID column as the driver returns it (hex text on SQLite, a UUID on PostgreSQL).

    Converting 100,000 rows of ids into UUID objects costs seconds; raw values are compared and
    looked up as they are, and only the rows that are returned are converted.
    """
    return type_coerce(column, String())


def _moment(raw: Any) -> str | None:
    if raw is None:
        return None
    moment = raw if isinstance(raw, dt.datetime) else dt.datetime.fromisoformat(str(raw))
    moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    return moment.isoformat()


def _first_codes_only(session: Session, query: Any, tree: CodeTree, limit: int) -> Any:
    """With a limit, only the codes that come first in the tree are needed: narrow the query to the
    shortest run of codes (in tree order) whose codings reach the limit, so a big project is not read
    whole to return its first excerpts."""
    counted = query.with_only_columns(Coding.code_id, func.count()).group_by(Coding.code_id)
    counts = dict(session.execute(counted).all())
    chosen: list[uuid.UUID] = []
    total = 0
    for node in tree.walk():
        if node.id in counts:
            chosen.append(node.id)
            total += counts[node.id]
            if total >= limit:
                break
    if len(chosen) == len(counts):
        return query
    return query.where(Coding.code_id.in_(chosen))


def _selected(session: Session, query: Any, filters: Filters, tree: CodeTree) -> Any:
    """`query` narrowed to the codings the filters select (all but `contains`), or None for none at all."""
    docs_allowed = document_ids(session, filters)
    if docs_allowed is not None and not docs_allowed:
        return None
    return narrow_codings(query, filters, docs_allowed, code_ids(session, filters, tree), coder_ids(filters))


def count_excerpts(session: Session, filters: Filters | None = None, *, tree: CodeTree | None = None) -> int:
    """How many excerpts `excerpts` would return, without reading them (the app shows the first few
    thousand of a large result and says how many there are)."""
    filters = filters or Filters()
    tree = tree or CodeTree.load(session)
    if filters.contains:
        return len(excerpts(session, filters, tree=tree))
    query = _selected(session, select(func.count()).select_from(Coding), filters, tree)
    return 0 if query is None else int(session.scalar(query) or 0)


def excerpts(session: Session, filters: Filters | None = None, *, context: str | int | None = None,
             tree: CodeTree | None = None, limit: int | None = None) -> list[Excerpt]:
    filters = filters or Filters()
    tree = tree or CodeTree.load(session)
    columns = [_raw(Coding.id).label("id"), _raw(Coding.document_id).label("document_id"),
               _raw(Coding.code_id).label("code_id"), _raw(Coding.coder_id).label("coder_id"), Coding.start,
               Coding.end, Coding.memo, Coding.rating, Coding.needs_review,
               type_coerce(Coding.created_at, String()).label("created_at")]
    if filters.contains:
        columns.append(Coding.text)
    query = _selected(session, select(*columns), filters, tree)
    if query is None:
        return []
    if limit is not None and not filters.contains:
        query = _first_codes_only(session, query, tree, limit)
    connection = session.connection()
    # plain tuples from the driver's cursor: (id, document, code, coder, start, end, memo, rating,
    # needs_review, created_at[, text]); a Row object per excerpt would cost more than the query
    result = connection.execute(query)
    try:
        rows = list(result.cursor.fetchall())
    finally:
        result.close()
    if filters.contains:
        needle = filters.contains.casefold()
        rows = [r for r in rows if needle in r[10].casefold()]
    if not rows:
        return []
    raw_docs = list({r[1] for r in rows})
    has_turns = select(SpeakerTurn.id).where(SpeakerTurn.document_id == Document.id).exists()
    doc_meta = {
        d.id: d
        for d in connection.execute(
            select(_raw(Document.id).label("id"), Document.title, Document.kind, Document.date, Document.activity,
                   Document.speakers, has_turns.label("transcript")).where(_raw(Document.id).in_(raw_docs))
        )
    }
    tree_order = {node.id.hex: index for index, node in enumerate(tree.walk())}
    code_order = {raw: tree_order.get(_hex(raw), 1 << 30) for raw in {r[2] for r in rows}}
    # documents by date and title, as one number each: the sort key is then a tuple of four integers
    doc_rank = {raw: rank for rank, raw in enumerate(sorted(doc_meta, key=lambda raw: (
        doc_meta[raw].date or dt.date.min, doc_meta[raw].title)))}
    rows.sort(key=lambda r: (code_order[r[2]], doc_rank[r[1]], r[4], r[5]))
    if limit is not None:
        rows = rows[:limit]
        raw_docs = list({r[1] for r in rows})
    coders = {_hex(raw): name for raw, name in connection.execute(select(_raw(Coder.id), Coder.name))}
    coder_names = {raw: coders.get(_hex(raw)) or uuid_text(raw) for raw in {r[3] for r in rows}}
    code_texts = {raw: uuid_text(raw) for raw in {r[2] for r in rows}}
    start_date = session.scalar(select(ProjectSettings.start_date))
    municipalities: dict[Any, list[str]] = defaultdict(list)
    for raw_doc, name in connection.execute(
        select(_raw(DocumentCase.document_id), Case.name).join(Case, Case.id == DocumentCase.case_id)
        .where(Case.type == MUNICIPALITY, _raw(DocumentCase.document_id).in_(raw_docs)).order_by(Case.name)
    ):
        municipalities[raw_doc].append(name)
    texts: dict[Any, str] = dict(connection.execute(
        select(_raw(Document.id), Document.text).where(_raw(Document.id).in_(raw_docs))).all())
    # every coding of those documents, for the "overlapping codes" column
    all_codings: dict[Any, list[tuple[int, int, Any]]] = defaultdict(list)
    for raw_doc, other_start, other_end, other_code in plain_rows(connection, (
        select(_raw(Coding.document_id), Coding.start, Coding.end, _raw(Coding.code_id))
        .where(_raw(Coding.document_id).in_(raw_docs)))
    ):
        all_codings[raw_doc].append((other_start, other_end, other_code))
    # the speaker turns of those documents, in text order: each excerpt's speaker is found by bisection
    # (a correlated lookup per excerpt in the query cost the database more than reading them all)
    turns: dict[Any, list[_Turn]] = defaultdict(list)
    for raw_doc, speaker, turn_start, turn_end, timestamp in plain_rows(connection, (
        select(_raw(SpeakerTurn.document_id), SpeakerTurn.speaker, SpeakerTurn.start, SpeakerTurn.end,
               SpeakerTurn.timestamp)
        .where(_raw(SpeakerTurn.document_id).in_(raw_docs)).order_by(SpeakerTurn.document_id, SpeakerTurn.start))
    ):
        turns[raw_doc].append(_Turn(speaker, turn_start, turn_end, timestamp))
    # where sentences and paragraphs begin and end, as cached per document (coding/boundaries.py); a
    # document whose cache is missing or stale has them worked out from its text here
    transcripts = {raw: bool(doc_meta[raw].transcript) for raw in raw_docs}
    found_boundaries = boundaries.cached(connection, raw_docs, transcripts)
    for raw_doc in raw_docs:
        if raw_doc not in found_boundaries:
            found_boundaries[raw_doc] = boundaries.compute(texts[raw_doc], transcript=transcripts[raw_doc])
    paths: dict[Any, str] = {}

    def path_of(raw_code: Any) -> str:
        found = paths.get(raw_code)
        if found is None:
            found = paths[raw_code] = tree.path(uuid.UUID(_hex(raw_code)))
        return found

    # what every excerpt of a document shares, worked out once per document
    per_doc: dict[Any, tuple[Any, ...]] = {}
    for raw_doc in raw_docs:
        meta = doc_meta[raw_doc]
        per_doc[raw_doc] = (uuid_text(raw_doc), meta, ", ".join(municipalities.get(raw_doc, [])) or None,
                            meta.date.isoformat() if meta.date else None, phase_of(meta.date, start_date),
                            texts[raw_doc], _OverlapIndex(all_codings.get(raw_doc, [])), meta.speakers or {},
                            found_boundaries[raw_doc], turns.get(raw_doc, []),
                            [turn.start for turn in turns.get(raw_doc, [])])
    moments: dict[Any, str | None] = {}

    def moment_of(raw: Any) -> str | None:  # the codings made in one step share their moment
        if raw not in moments:
            moments[raw] = _moment(raw)
        return moments[raw]

    stamps: dict[Any, str | None] = {}
    sentence_context = context == "sentence"
    out = []
    for row in rows:
        (raw_id, raw_doc, raw_code, raw_coder, start, end, memo, rating, needs_review, created_at) = row[:10]
        (doc_text_id, meta, municipality, date, phase, text, overlaps, speakers, known, doc_turns,
         turn_starts) = per_doc[raw_doc]
        # the turn the excerpt starts in: the last one starting at or before it, if it reaches that far
        at = bisect.bisect_right(turn_starts, start) - 1
        turn = doc_turns[at] if at >= 0 else None
        in_turn = turn is not None and turn.end >= start
        turn_timestamp = turn.timestamp if in_turn and turn is not None else None
        speaker = turn.speaker if in_turn and turn is not None else None
        role = None
        if speaker and isinstance(speakers.get(speaker), dict):
            person = speakers[speaker]
            role = person.get("role")
            speaker = person.get("name") or speaker
        excerpt = Excerpt(
            id=uuid_text(raw_id),
            code=code_texts[raw_code],
            code_path=path_of(raw_code),
            document=doc_text_id,
            document_title=meta.title,
            municipality=municipality,
            kind=meta.kind,
            date=date,
            phase=phase,
            coder=coder_names[raw_coder],
            start=start,
            end=end,
            text=text[start:end],
            memo=memo,
            rating=rating,
            needs_review=bool(needs_review),
            speaker=speaker,
            speaker_role=role,
            paragraph=known.paragraph_number(start),
            timestamp=(stamps[turn_timestamp] if turn_timestamp in stamps else
                       stamps.setdefault(turn_timestamp, _stamp(turn_timestamp))) if in_turn else None,
            overlapping=sorted({path_of(c) for c in overlaps.codes(start, end) if c != raw_code}),
            activity=meta.activity,
            created_at=moment_of(created_at),
        )
        if sentence_context:  # the common case, without a call per excerpt
            a, b = known.sentences_around(start, end)
            excerpt.context_before, excerpt.context_after = text[min(a, start):start], text[end:max(b, end)]
        elif context is not None:
            excerpt.context_before, excerpt.context_after = _context(text, start, end, context, known, doc_turns)
        out.append(excerpt)
    return out


class _Turn(NamedTuple):
    speaker: str
    start: int
    end: int
    timestamp: float | None


def _hex(raw: Any) -> str:
    """A raw id as 32 lower-case hex digits, whatever the driver returned (text on SQLite, a UUID elsewhere)."""
    return raw.hex if isinstance(raw, uuid.UUID) else str(raw).replace("-", "").lower()


class _OverlapIndex:
    """Codings of one document as (start, end, code), to find those overlapping a span without scanning them all."""

    def __init__(self, items: list[tuple[int, int, Any]]) -> None:
        self.items = sorted(items, key=itemgetter(0))
        self.starts = [item[0] for item in self.items]
        # the furthest any coding up to each position reaches: no coding before the first position that
        # reaches past a span's start can overlap it (one long coding no longer widens every search)
        self.reach = list(itertools.accumulate((item[1] for item in self.items), max))

    def codes(self, start: int, end: int) -> set[Any]:
        low = bisect.bisect_right(self.reach, start)
        high = bisect.bisect_left(self.starts, end)
        return {item[2] for item in self.items[low:high] if item[1] > start}


def _context(text: str, start: int, end: int, context: str | int, known: boundaries.Boundaries,
             turns: list[Any]) -> tuple[str, str]:
    if isinstance(context, int):
        return text[max(0, start - context) : start], text[end : end + context]
    if context == "sentence":
        a, b = known.sentences_around(start, end)
    elif context == "paragraph":
        a = known.paragraph(start)[0]
        b = known.paragraph(max(start, end - 1))[1]
    else:
        widened = spans.widen(text, start, end, "turn", turns)
        a, b = widened
    a, b = min(a, start), max(b, end)
    return text[a:start], text[end:b]


def codings_of_document(session: Session, document_id: uuid.UUID) -> list[dict[str, Any]]:
    """A document's codings for `show --json`, in text order."""
    tree = CodeTree.load(session)
    coders = dict(session.execute(select(Coder.id, Coder.name)).all())
    rows = session.scalars(select(Coding).where(Coding.document_id == document_id)
                           .order_by(Coding.start, Coding.end)).all()
    return [
        {"id": str(c.id), "code": str(c.code_id), "code_path": tree.path(c.code_id), "start": c.start, "end": c.end,
         "text": c.text, "coder": coders.get(c.coder_id), "memo": c.memo, "rating": c.rating,
         "needs_review": c.needs_review}
        for c in rows
    ]
