"""Co-occurrence: which codes meet in the text, and where.

Codes meet (`within`):

- `overlap`: a coding of one code and a coding of the other share at least one character. The count
  is the number of such pairs of codings.
- `turn`: both codes have a coding in the same speaker turn (a coding is in every turn it overlaps).
  Documents without speaker turns (notes, minutes) are taken paragraph by paragraph instead. The
  count is the number of turns (or paragraphs) where both codes occur.
- `paragraph`: the same with paragraphs (lines of the stored text).

Codes are counted as applied: a parent code does not meet its own children through rollup. The code
filter limits both sides of a pair. `pair_excerpts` opens the excerpts where two codes meet.
"""

from __future__ import annotations

import bisect
import dataclasses
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate, chain, combinations
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from fieldnotes.analysis.scope import (
    Grouped,
    Scope,
    aggregated,
    as_uuid,
    fetch_plain,
    load,
    load_grouped,
    numbers_per_document,
    paused_gc,
    raw,
)
from fieldnotes.codebook.tree import CodeTree
from fieldnotes.db.models import Document, SpeakerTurn
from fieldnotes.errors import InvalidInput
from fieldnotes.queries.filters import Filters
from fieldnotes.translations import _

if TYPE_CHECKING:
    from fieldnotes.project.opening import Project

WITHIN = ("overlap", "turn", "paragraph")


@dataclass(slots=True)
class Pair:
    code_a: uuid.UUID
    code_a_path: str
    code_b: uuid.UUID
    code_b_path: str
    count: int
    documents: int

    def as_dict(self) -> dict[str, Any]:
        return {"code_a": str(self.code_a), "code_a_path": self.code_a_path, "code_b": str(self.code_b),
                "code_b_path": self.code_b_path, "count": self.count, "documents": self.documents}


@dataclass
class Cooccurrence:
    within: str
    pairs: list[Pair]  # most frequent first
    codings: dict[str, int]  # codings per code path in scope, to read the counts against

    def as_dict(self) -> dict[str, Any]:
        return {"within": self.within, "pairs": [p.as_dict() for p in self.pairs], "codings": dict(self.codings)}


@dataclass
class PairGrid:
    """Co-occurrence as a code × code table: the codes that meet anything, in codebook order, as both
    rows and columns; `count(a, b)` is the pair's count (the same either way round), 0 where they do not
    meet; `pair(a, b)` the Pair itself."""

    within: str
    codes: list[uuid.UUID]
    paths: list[str]
    pairs: dict[tuple[uuid.UUID, uuid.UUID], Pair]

    def pair(self, a: uuid.UUID, b: uuid.UUID) -> Pair | None:
        return self.pairs.get((a, b)) or self.pairs.get((b, a))

    def count(self, a: uuid.UUID, b: uuid.UUID) -> int:
        found = self.pair(a, b)
        return found.count if found is not None else 0

    def depths(self) -> list[int]:
        return [path.count("/") for path in self.paths]

    def as_dict(self) -> dict[str, Any]:
        return {"within": self.within, "codes": [str(c) for c in self.codes], "paths": list(self.paths),
                "cells": [[self.count(a, b) for b in self.codes] for a in self.codes]}


def pair_grid(result: Cooccurrence) -> PairGrid:
    """The pairs of `result` as a code × code grid (codes without any pair are left out)."""
    order = {path: index for index, path in enumerate(result.codings)}
    seen: dict[uuid.UUID, str] = {}
    for pair in result.pairs:
        seen[pair.code_a], seen[pair.code_b] = pair.code_a_path, pair.code_b_path
    codes = sorted(seen, key=lambda code: (order.get(seen[code], len(order)), seen[code]))
    return PairGrid(result.within, codes, [seen[c] for c in codes],
                    {(p.code_a, p.code_b): p for p in result.pairs})


def _check(within: str) -> str:
    if within not in WITHIN:
        raise InvalidInput(_("--within {within!r} is not one of: {choices}").format(within=within,
                                                                                     choices=", ".join(WITHIN)))
    return within


# --- where codings meet ------------------------------------------------------------------------------


# A meeting: (document, unit, code a, code b, coding of a, coding of b); for `overlap` the unit is the
# pair of codings itself.
Meeting = tuple[Any, Any, Any, Any, Any, Any]


def _by_document(scope: Scope) -> dict[Any, list[tuple[int, int, Any, Any]]]:
    groups: dict[Any, list[tuple[int, int, Any, Any]]] = defaultdict(list)
    has_id = "id" in scope.fields
    ids = scope.column("id") if has_id else [None] * len(scope.rows)
    for doc, start, end, code, coding in zip(scope.column("document"), scope.column("start"), scope.column("end"),
                                             scope.column("code"), ids, strict=True):
        groups[doc].append((start, end, code, coding))
    return groups


def _overlaps(groups: dict[Any, list[tuple[int, int, Any, Any]]]) -> Iterator[Meeting]:
    for doc, items in groups.items():
        items.sort(key=lambda item: (item[0], item[1]))
        active: list[tuple[int, int, Any, Any]] = []
        for item in items:
            start = item[0]
            active = [other for other in active if other[1] > start]
            for other in active:
                if other[2] != item[2]:
                    yield doc, (other[3], item[3]), other[2], item[2], other[3], item[3]
            active.append(item)


def _in_units(groups: dict[Any, list[tuple[int, int, Any, Any]]],
              units: dict[Any, tuple[list[int], list[int]]]) -> Iterator[Meeting]:
    for doc, items in groups.items():
        starts, ends = units.get(doc, ([], []))
        members: dict[int, list[tuple[Any, Any]]] = defaultdict(list)
        for start, end, code, coding in items:
            first = max(0, bisect.bisect_right(starts, start) - 1)
            last = bisect.bisect_left(starts, end) - 1  # the last unit starting before the coding ends
            for unit in range(first, last + 1):
                if starts[unit] < end and ends[unit] > start:
                    members[unit].append((code, coding))
        for unit, found in members.items():
            if len(found) < 2:
                continue
            if found[0][1] is None:  # counting only: each pair of codes once per unit
                for code_a, code_b in combinations(sorted({code for code, _ in found}), 2):
                    yield doc, unit, code_a, code_b, None, None
                continue
            for (code_a, coding_a), (code_b, coding_b) in combinations(found, 2):
                if code_a != code_b:
                    yield doc, unit, code_a, code_b, coding_a, coding_b


def _meetings(session: Session, scope: Scope, within: str) -> Iterator[Meeting]:
    groups = _by_document(scope)
    if within == "overlap":
        return _overlaps(groups)
    return _in_units(groups, _grouped_units(session, within, set(groups)))


# --- the public functions ----------------------------------------------------------------------------


def cooccurrence(session: Session, filters: Filters | None = None, within: str = "overlap") -> Cooccurrence:
    """Every pair of codes that meets, with how often and in how many documents."""
    within = _check(within)
    with paused_gc():  # the tables built while counting are gone again before the collector resumes
        return _cooccurrence(session, filters or Filters(), within)


def _cooccurrence(session: Session, filters: Filters, within: str) -> Cooccurrence:
    grouped = load_grouped(session, filters, ("start", "end", "code"))
    tree = grouped.tree
    nodes = tree.walk()
    order = {node.id: index for index, node in enumerate(nodes)}
    # codes as their place in the codebook: cheap to hash, and pairs come out in tree order
    place = {value: order.get(code_id, len(nodes) + i) for i, (value, code_id) in enumerate(grouped.code_of.items())}
    code_at = {place[value]: code_id for value, code_id in grouped.code_of.items()}
    width = len(nodes) + len(grouped.code_of)  # a pair of places (a, b), a < b, is the number a * width + b
    codings = _Codings(grouped, place)
    if within == "overlap":
        met = _overlap_pairs(codings, width)
    else:
        met = _unit_pairs(codings, _grouped_units(session, within, set(grouped.groups)), width)
    keys, counts, documents = _tally(met, len(grouped.groups))
    ranked = np.argsort(-counts, kind="stable")  # most frequent first; keys are in order of code a, then b
    codes: list[Any] = [None] * width
    paths: list[str] = [""] * width
    for at, code_id in code_at.items():
        codes[at], paths[at] = code_id, tree.path(code_id)
    keys = keys[ranked]
    pairs = [Pair(codes[a], paths[a], codes[b], paths[b], count, docs) for a, b, count, docs in zip(
        (keys // width).tolist(), (keys % width).tolist(), counts[ranked].tolist(), documents[ranked].tolist(),
        strict=True)]
    per_code: Counter[Any] = Counter()
    for lists in grouped.groups.values():
        per_code.update(lists[2])
    by_id = {grouped.code_of[code]: n for code, n in per_code.items()}
    codings_per_path = {tree.path(node.id): by_id.get(node.id, 0) for node in nodes
                        if grouped.codes is None or node.id in grouped.codes}
    return Cooccurrence(within, pairs, codings_per_path)


# --- counting with arrays -----------------------------------------------------------------------------
#
# A quarter of a million codings meet in millions of places; counting them one by one in Python took
# seconds. Here every step is an array operation: the codings of all documents as one array (positions
# shifted by a document's number times SHIFT, so that one sorted array holds every document in turn),
# meetings as arrays of pair numbers, and the counting a sort (np.unique).

SHIFT = 1 << 40  # longer than any document: positions of document n lie in [n * SHIFT, (n + 1) * SHIFT)


class _Codings:
    """The codings of a `Grouped` (start, end, code) as arrays: document number, shifted start and end,
    code place; sorted by shifted start, then end, then code."""

    def __init__(self, grouped: Grouped, place: dict[Any, int]) -> None:
        lists = list(grouped.groups.values())
        sizes = np.fromiter((len(group[0]) for group in lists), dtype=np.int64, count=len(lists))
        total = int(sizes.sum())
        document = np.repeat(np.arange(len(lists), dtype=np.int64), sizes)
        offset = document * SHIFT
        start = np.fromiter(chain.from_iterable(group[0] for group in lists), dtype=np.int64, count=total) + offset
        end = np.fromiter(chain.from_iterable(group[1] for group in lists), dtype=np.int64, count=total) + offset
        code = np.fromiter(map(place.__getitem__, chain.from_iterable(group[2] for group in lists)), dtype=np.int64,
                           count=total)
        by = np.lexsort((code, end, start))
        self.documents = list(grouped.groups)
        self.document, self.start, self.end, self.code = document[by], start[by], end[by], code[by]


def _partners(ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For runs given by `ends` (element i pairs with every element from i + 1 up to ends[i], exclusive):
    every such pair as two index arrays (i, j)."""
    count = np.maximum(ends - np.arange(len(ends)) - 1, 0)
    first = np.repeat(np.arange(len(ends), dtype=np.int64), count)
    begins = np.cumsum(count) - count
    second = first + 1 + (np.arange(int(count.sum()), dtype=np.int64) - np.repeat(begins, count))
    return first, second


def _overlap_pairs(codings: _Codings, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of codings of different codes that share a character, as (pair number, document).

    Sorted by start, a coding shares a character with each later one that starts before it ends (and in
    the same document: positions of different documents are SHIFT apart)."""
    reach = np.searchsorted(codings.start, codings.end, side="left")
    first, second = _partners(reach)
    a, b = codings.code[first], codings.code[second]
    differ = a != b
    a, b = a[differ], b[differ]
    return np.minimum(a, b) * width + np.maximum(a, b), codings.document[first[differ]]


def _unit_pairs(codings: _Codings, units: dict[Any, tuple[list[int], list[int]]],
                width: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of codes once per unit they both have a coding in, as (pair number, document)."""
    unit_starts, unit_ends, unit_document = [], [], []
    for number, doc in enumerate(codings.documents):
        found_starts, found_ends = units.get(doc, ([], []))
        unit_starts.append(np.asarray(found_starts, dtype=np.int64) + number * SHIFT)
        unit_ends.append(np.asarray(found_ends, dtype=np.int64) + number * SHIFT)
        unit_document.append(np.full(len(found_starts), number, dtype=np.int64))
    starts = np.concatenate(unit_starts) if unit_starts else np.zeros(0, dtype=np.int64)
    ends = np.concatenate(unit_ends) if unit_ends else np.zeros(0, dtype=np.int64)
    owner = np.concatenate(unit_document) if unit_document else np.zeros(0, dtype=np.int64)
    # A coding is in the units from the last one starting at or before its start (if that one reaches
    # past its start) up to the last one starting before its end: every unit between starts inside it.
    first = np.searchsorted(starts, codings.start, side="right")
    own_first = np.searchsorted(starts, codings.document * SHIFT, side="left")  # the document's first unit
    step_back = first > own_first
    first = np.where(step_back, first - 1, first)
    if len(ends):  # the unit stepped back to ends at or before the start: the coding begins after it
        first = np.where(step_back & (ends[np.minimum(first, len(ends) - 1)] <= codings.start), first + 1, first)
    last = np.searchsorted(starts, codings.end, side="left")
    spans = np.maximum(last - first, 0)
    coding = np.repeat(np.arange(len(first), dtype=np.int64), spans)
    begins = np.cumsum(spans) - spans
    unit = first[coding] + (np.arange(int(spans.sum()), dtype=np.int64) - np.repeat(begins, spans))
    # each code once per unit, sorted by unit and then code
    members = _counted(unit * width + codings.code[coding])[0]
    member_unit, member_code = members // width, members % width
    run_end = np.searchsorted(member_unit, member_unit, side="right")  # the end of each unit's run
    a, b = _partners(run_end)
    return member_code[a] * width + member_code[b], owner[member_unit[a]]


def _counted(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values in order and how often each occurs (a sort; numpy's unique hashes, slower here)."""
    ordered = np.sort(values, kind="stable")
    if not len(ordered):
        return ordered, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    return ordered[starts], np.diff(np.append(starts, len(ordered)))


def _tally(met: tuple[np.ndarray, np.ndarray], documents: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct pairs (in order), how often each meets, and in how many documents."""
    pairs, where = met
    keys, counts = _counted(pairs)
    in_documents = _counted(pairs * max(documents, 1) + where)[0] // max(documents, 1)
    _, per_pair = _counted(in_documents)
    return keys, counts, per_pair


def _grouped_units(session: Session, within: str, documents: set[Any]) -> dict[Any, tuple[list[int], list[int]]]:
    """Each document's units as (starts, ends): its speaker turns (read as one row per document), or else
    its paragraphs (read from the text only for documents without turns)."""
    out: dict[Any, tuple[list[int], list[int]]] = {}
    if within == "turn":
        order = (SpeakerTurn.start, SpeakerTurn.id)
        query = select(raw(SpeakerTurn.document_id), aggregated(session, SpeakerTurn.start, *order),
                       aggregated(session, SpeakerTurn.end, *order)).group_by(SpeakerTurn.document_id)
        rows = [row for row in fetch_plain(session, query) if row[0] in documents]
        every_start = numbers_per_document([row[1] for row in rows])  # one parse for every document
        every_end = numbers_per_document([row[2] for row in rows])
        for (doc, _, _), starts, ends in zip(rows, every_start, every_end, strict=True):
            if sorted(starts) != starts or len(set(starts)) != len(starts):
                spans = sorted(zip(starts, ends, strict=True))
                starts, ends = [s for s, _ in spans], [e for _, e in spans]
            out[doc] = (starts, ends)
    missing = documents - set(out)
    if missing:
        query = select(raw(Document.id), Document.text)
        if within == "turn":  # only documents without turns are read paragraph by paragraph
            query = query.where(~exists().where(SpeakerTurn.document_id == Document.id))
        for doc, text in fetch_plain(session, query):
            if doc in missing:
                out[doc] = _paragraphs(text)
    return out


def _paragraphs(text: str) -> tuple[list[int], list[int]]:
    """A text's lines as (starts, ends), the same as `line_starts` gives, without a loop in Python."""
    lengths = list(map(len, text.split("\n")))
    starts = list(accumulate(map((1).__add__, lengths[:-1]), initial=0))
    return starts, [start + length for start, length in zip(starts, lengths, strict=True)]


def pair_coding_ids(session: Session, filters: Filters | None, within: str, code_a: str | uuid.UUID,
                    code_b: str | uuid.UUID) -> set[uuid.UUID]:
    """The codings of two codes that take part in their meetings (both sides)."""
    within = _check(within)
    filters = filters or Filters()
    tree = CodeTree.load(session)
    a, b = tree.resolve(str(code_a)).id, tree.resolve(str(code_b)).id
    if a == b:
        raise InvalidInput(_("a code does not co-occur with itself; name two different codes"))
    narrowed = dataclasses.replace(filters, codes=[str(a), str(b)], descendants=False)
    scope = load(session, narrowed, ("id", "document", "start", "end", "code"), tree=tree)
    out: set[uuid.UUID] = set()
    for _a, _b, _c, _d, coding_a, coding_b in _meetings(session, scope, within):
        out.update((as_uuid(coding_a), as_uuid(coding_b)))
    return out


def pair_excerpts(session: Session, filters: Filters | None, within: str, code_a: str | uuid.UUID,
                  code_b: str | uuid.UUID, *, context: str | int | None = None) -> list[Any]:
    """The excerpts of both codes where they meet, in the order `fieldnotes excerpts` lists them."""
    from fieldnotes.coding.excerpts import excerpts

    filters = filters or Filters()
    ids = pair_coding_ids(session, filters, within, code_a, code_b)
    if not ids:
        return []
    tree = CodeTree.load(session)
    narrowed = dataclasses.replace(filters, codes=[str(tree.resolve(str(code_a)).id),
                                                   str(tree.resolve(str(code_b)).id)], descendants=False)
    return [e for e in excerpts(session, narrowed, context=context, tree=tree) if uuid.UUID(e.id) in ids]


def cooccurrence_in(project: Project, filters: Filters | None = None, within: str = "overlap") -> Cooccurrence:
    """`cooccurrence` of a project, read in a transaction of its own (the app's Co-occurrence screen)."""
    with project.read() as session:
        return cooccurrence(session, filters, within)


def pair_excerpts_in(project: Project, filters: Filters | None, within: str, code_a: str | uuid.UUID,
                     code_b: str | uuid.UUID, *, context: str | int | None = None) -> list[Any]:
    """`pair_excerpts` of a project, read in a transaction of its own."""
    with project.read() as session:
        return pair_excerpts(session, filters, within, code_a, code_b, context=context)
