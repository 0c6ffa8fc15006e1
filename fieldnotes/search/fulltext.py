"""Searching the material: `search()` is what the command line and the app call.

The index proposes candidate documents, `matching` finds the exact hits in their text, `results`
describes them. Hits come sorted by score (best first; equal scores in date order), by document
title, or by date; within a document by position. With a limit and an order known before reading
(date, title, or score when every hit scores alike), reading stops once enough hits are found, which
keeps the first page fast on a big project; otherwise every candidate is read and then sorted.
"""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.db.models import Document
from fieldnotes.errors import InvalidInput
from fieldnotes.queries.filters import Filters
from fieldnotes.search import index as idx
from fieldnotes.search import tokens as tk
from fieldnotes.search.fuzzy import DEFAULT_MIN_SCORE, expand
from fieldnotes.search.matching import Matcher
from fieldnotes.search.query import Query, Term, has_or, parse
from fieldnotes.search.results import Hit, RawHit, describe
from fieldnotes.search.units import SORTS, Scope, resolve
from fieldnotes.translations import _


@dataclass
class Options:
    fuzzy: bool = False
    min_score: float = DEFAULT_MIN_SCORE
    stem: bool = False
    limit: int | None = None
    sort: str = "score"
    lenient: bool = False

    def check(self) -> None:
        if self.sort not in SORTS:
            raise InvalidInput(_("cannot sort by {sort!r}")
                               .format(sort=self.sort), hint=_("use score, document or date"))
        if self.limit is not None and self.limit < 0:
            raise InvalidInput(_("--limit needs a number of hits, 0 or more (0: all)"))
        if not 0 < self.min_score <= 1:
            raise InvalidInput(_("--min-score {min_score} is not between 0 and 1")
                               .format(min_score=self.min_score), hint=_("for example 0.8"))


@dataclass
class Found:
    """Raw hits with what is needed to describe them."""

    query: Query
    scope: Scope
    hits: list[RawHit]
    texts: dict[uuid.UUID, str]
    complete: bool  # every candidate was read (False when a limit stopped the reading early)
    index: str
    notes: list[str] = field(default_factory=list)


@dataclass
class SearchResult:
    query: Query
    hits: list[Hit]
    documents_searched: int
    complete: bool
    index: str
    notes: list[str] = field(default_factory=list)

    @property
    def documents_with_hits(self) -> int:
        return len({h.document for h in self.hits})


def prepare(session: Session, query: str | Query, options: Options,
            index: idx.IndexState | None = None) -> tuple[Query, list[str]]:
    """The query as it will be run: parsed, stemmed or expanded to fuzzy variants."""
    parsed = query if isinstance(query, Query) else parse(query, lenient=options.lenient)
    notes = list(parsed.corrections)
    if options.stem and not options.fuzzy:
        parsed = parsed.with_stemming()
    if options.fuzzy:
        vocabulary = idx.vocabulary(session, index)
        parsed = Query(parsed.text, expand(parsed.node, vocabulary.words, options.min_score), parsed.corrections)
    return parsed, notes


def _chunks(ids: list[uuid.UUID], size: int) -> Iterator[list[uuid.UUID]]:
    for first in range(0, len(ids), size):
        yield ids[first : first + size]


def _read(session: Session, matcher: Matcher, scope: Scope, order: list[uuid.UUID], limit: int | None,
          hits: list[RawHit], texts: dict[uuid.UUID, str]) -> bool:
    """Read documents in `order` until `limit` hits are found; True when every document was read."""
    for chunk in _chunks(order, 25 if limit is not None else 200):
        rows = dict(session.execute(select(Document.id, Document.text).where(Document.id.in_(chunk))).all())
        for doc_id in chunk:
            text = rows[doc_id]
            low = tk.lowered(text)
            before = len(hits)
            for start, end in scope.units(doc_id):
                for match in matcher.unit(text, low, start, end):
                    hits.append(RawHit(doc_id, match.start, match.end, match.score, matcher.label(match.leaf)))
            if len(hits) > before:
                texts[doc_id] = text
            if limit is not None and len(hits) >= limit:
                return doc_id == order[-1]
    return True


def _best_variants_first(session: Session, term: Term, scope: Scope, limit: int, index: idx.IndexState
                         ) -> tuple[list[RawHit], dict[uuid.UUID, str], bool]:
    """One fuzzy word, best hits first: every hit of a variant scores alike, so the variants are read in
    order of score and reading stops once `limit` hits are in (usually after a few documents)."""
    by_score: dict[float, list[tuple[str, float]]] = {}
    for word, score in term.variants:
        by_score.setdefault(score, []).append((word, score))
    hits: list[RawHit] = []
    texts: dict[uuid.UUID, str] = {}
    scores = sorted(by_score, reverse=True)
    for position, score in enumerate(scores):
        group = Term(term.word, "fuzzy", tuple(by_score[score]))
        candidates = idx.candidates(session, group, index=index, rowids=scope.rowids)
        order = scope.ordered(candidates, "score")
        if order and not _read(session, Matcher(group), scope, order, limit, hits, texts):
            return hits[:limit], texts, False
        if len(hits) >= limit:
            return hits[:limit], texts, position == len(scores) - 1 and len(hits) == limit
    return hits, texts, True


def _in_order(hits: list[RawHit], order: list[uuid.UUID], sort: str, limit: int | None,
              complete: bool) -> tuple[list[RawHit], bool]:
    """The hits best first (by score, then the documents' order) or in the documents' order, cut at `limit`;
    whether they are still all there is."""
    if sort == "score":
        rank = {doc_id: position for position, doc_id in enumerate(order)}

        def key(h: RawHit) -> tuple[float, int, int, int]:
            return (-h.score, rank[h.document_id], h.start, h.end)

        if limit is not None and len(hits) > limit:
            hits = heapq.nsmallest(limit, hits, key=key)
            complete = False
        else:
            hits.sort(key=key)
    if limit is not None and len(hits) > limit:
        hits = hits[:limit]
        complete = False
    return hits, complete


def find(session: Session, query: str | Query, scope: Scope, options: Options | None = None) -> Found:
    """Every hit (or the first `limit` in the chosen order) as raw hits."""
    options = options or Options()
    options.check()
    index = idx.state(session)
    prepared, notes = prepare(session, query, options, index)
    if index.problem:
        notes.append(index.problem)
    limit = options.limit or None
    if not scope.documents:
        return Found(prepared, scope, [], {}, True, index.kind, notes)
    node = prepared.node
    if (limit is not None and options.sort == "score" and isinstance(node, Term) and node.mode == "fuzzy"
            and scope.regions is None):
        best, best_texts, done = _best_variants_first(session, node, scope, limit, index)
        return Found(prepared, scope, best, best_texts, done, index.kind, notes)
    matcher = Matcher(node)
    candidates = idx.candidates(session, node, negatives=scope.regions is None, index=index, rowids=scope.rowids)
    order = scope.ordered(candidates, options.sort)
    uniform = not options.fuzzy and not has_or(node)
    streaming = limit is not None and (options.sort != "score" or uniform)
    hits: list[RawHit] = []
    texts: dict[uuid.UUID, str] = {}
    complete = _read(session, matcher, scope, order, limit if streaming else None, hits, texts)
    hits, complete = _in_order(hits, order, options.sort, limit, complete)
    kept = {h.document_id for h in hits}
    return Found(prepared, scope, hits, {d: t for d, t in texts.items() if d in kept}, complete, index.kind, notes)


def search(session: Session, query: str | Query, filters: Filters | None = None, options: Options | None = None,
           *, context: str | int | None = "sentence") -> SearchResult:
    """Search the material in scope; hits described with context, ready to show, export or code."""
    scope = resolve(session, filters)
    found = find(session, query, scope, options)
    hits = describe(session, found.hits, scope, texts=found.texts, context=context)
    return SearchResult(found.query, hits, len(scope.documents), found.complete, found.index, found.notes)
