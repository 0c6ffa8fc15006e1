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
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Connection, String, func, select, type_coerce
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


def _coding_rows(session: Session, filters: Filters, tree: CodeTree, limit: int | None) -> list[tuple[Any, ...]]:
    """The selected codings as plain tuples from the driver's cursor: (id, document, code, coder, start, end,
    memo, rating, needs_review, created_at[, text]); a Row object per excerpt would cost more than the query."""
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
    result = session.connection().execute(query)
    try:
        rows = list(result.cursor.fetchall())
    finally:
        result.close()
    if filters.contains:
        needle = filters.contains.casefold()
        rows = [r for r in rows if needle in r[10].casefold()]
    return rows


def _documents(connection: Connection, raw_docs: list[Any]) -> dict[Any, Any]:
    """Each document's metadata by raw id, with whether it is a transcript (has speaker turns)."""
    has_turns = select(SpeakerTurn.id).where(SpeakerTurn.document_id == Document.id).exists()
    return {d.id: d for d in connection.execute(
        select(_raw(Document.id).label("id"), Document.title, Document.kind, Document.date, Document.activity,
               Document.speakers, has_turns.label("transcript")).where(_raw(Document.id).in_(raw_docs)))}


def _in_order(rows: list[tuple[Any, ...]], doc_meta: dict[Any, Any], tree: CodeTree) -> None:
    """Sort the rows as the codebook orders codes, then documents by date and title, then by position."""
    tree_order = {node.id.hex: index for index, node in enumerate(tree.walk())}
    code_order = {raw: tree_order.get(_hex(raw), 1 << 30) for raw in {r[2] for r in rows}}
    # documents by date and title, as one number each: the sort key is then a tuple of four integers
    doc_rank = {raw: rank for rank, raw in enumerate(sorted(doc_meta, key=lambda raw: (
        doc_meta[raw].date or dt.date.min, doc_meta[raw].title)))}
    rows.sort(key=lambda r: (code_order[r[2]], doc_rank[r[1]], r[4], r[5]))


def _per_document(session: Session, connection: Connection, raw_docs: list[Any],
                  doc_meta: dict[Any, Any]) -> dict[Any, tuple[Any, ...]]:
    """What every excerpt of a document shares, worked out once per document: (id, metadata, municipality,
    date, phase, text, overlap index, speakers, boundaries, turns, turn starts)."""
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
    per_doc: dict[Any, tuple[Any, ...]] = {}
    for raw_doc in raw_docs:
        meta = doc_meta[raw_doc]
        per_doc[raw_doc] = (uuid_text(raw_doc), meta, ", ".join(municipalities.get(raw_doc, [])) or None,
                            meta.date.isoformat() if meta.date else None, phase_of(meta.date, start_date),
                            texts[raw_doc], _OverlapIndex(all_codings.get(raw_doc, [])), meta.speakers or {},
                            found_boundaries[raw_doc], turns.get(raw_doc, []),
                            [turn.start for turn in turns.get(raw_doc, [])])
    return per_doc


def _speaker_at(start: int, turn_starts: list[int], doc_turns: list[_Turn],
                speakers: dict[str, Any]) -> tuple[_Turn | None, str | None, str | None]:
    """The turn an excerpt starts in (the last one starting at or before it, if it reaches that far), and
    its speaker's name and role as the document's participants give them."""
    at = bisect.bisect_right(turn_starts, start) - 1
    turn = doc_turns[at] if at >= 0 else None
    if turn is None or turn.end < start:
        return None, None, None
    speaker, person = turn.speaker, speakers.get(turn.speaker) if turn.speaker else None
    if isinstance(person, dict):
        return turn, person.get("name") or speaker, person.get("role")
    return turn, speaker, None


class _Memo(dict[Any, Any]):
    """A value worked out once per key (code paths, moments, timestamps shared by many excerpts)."""

    def __init__(self, work: Callable[[Any], Any]) -> None:
        super().__init__()
        self.work = work

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.work(key)
        return value


def excerpts(session: Session, filters: Filters | None = None, *, context: str | int | None = None,
             tree: CodeTree | None = None, limit: int | None = None) -> list[Excerpt]:
    filters = filters or Filters()
    tree = tree or CodeTree.load(session)
    rows = _coding_rows(session, filters, tree, limit)
    if not rows:
        return []
    connection = session.connection()
    doc_meta = _documents(connection, list({r[1] for r in rows}))
    _in_order(rows, doc_meta, tree)
    rows = rows if limit is None else rows[:limit]
    raw_docs = list({r[1] for r in rows})
    coders = {_hex(raw): name for raw, name in connection.execute(select(_raw(Coder.id), Coder.name))}
    coder_names = {raw: coders.get(_hex(raw)) or uuid_text(raw) for raw in {r[3] for r in rows}}
    code_texts = {raw: uuid_text(raw) for raw in {r[2] for r in rows}}
    per_doc = _per_document(session, connection, raw_docs, doc_meta)
    paths = _Memo(lambda raw_code: tree.path(uuid.UUID(_hex(raw_code))))
    moments = _Memo(_moment)  # the codings made in one step share their moment
    stamps = _Memo(_stamp)
    sentence_context = context == "sentence"
    out = []
    for row in rows:
        (raw_id, raw_doc, raw_code, raw_coder, start, end, memo, rating, needs_review, created_at) = row[:10]
        (doc_text_id, meta, municipality, date, phase, text, overlaps, speakers, known, doc_turns,
         turn_starts) = per_doc[raw_doc]
        turn, speaker, role = _speaker_at(start, turn_starts, doc_turns, speakers)
        excerpt = Excerpt(
            id=uuid_text(raw_id), code=code_texts[raw_code], code_path=paths[raw_code], document=doc_text_id,
            document_title=meta.title, municipality=municipality, kind=meta.kind, date=date, phase=phase,
            coder=coder_names[raw_coder], start=start, end=end, text=text[start:end], memo=memo, rating=rating,
            needs_review=bool(needs_review), speaker=speaker, speaker_role=role,
            paragraph=known.paragraph_number(start), timestamp=stamps[turn.timestamp] if turn else None,
            overlapping=sorted({paths[c] for c in overlaps.codes(start, end) if c != raw_code}),
            activity=meta.activity, created_at=moments[created_at],
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
