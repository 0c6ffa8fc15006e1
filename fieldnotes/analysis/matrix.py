"""The code matrix: codes as rows (the codebook tree), columns from `--by`, one number per cell.

Measures (each cell counts what passes the filters):

- `codings`: the number of codings of the row's code, or of the code and its descendants (rollup);
  each coding counts once in a row, however many of the row's codes match.
- `documents`: the number of distinct documents in the column that contain the row's code (rollup:
  the code or a descendant).
- `chars`: the characters coded with the row's code (rollup: with the code or a descendant), summed
  over documents; characters covered by several of the row's codings (overlaps, two coders) count
  once per document.
- `percent`: the share of the column's documents that contain the row's code, in percent, so that a
  municipality with more material does not look more interested in everything. A column's documents
  are the documents in scope that fall in it; for `--by coder` the documents the coder has coded
  (any code), for `--by role` the documents in which someone with that role has a speaker turn, and
  for `(none)` every document in scope.

A document in several columns (linked to two municipalities) counts in each, so row totals count
distinct codings, documents and characters and can be less than the sum of their cells. Column totals
count over all codes in the rows, again without double counting. The Word export calls `matrix`; the
command line and the app open a cell's excerpts with `cell_excerpts`.
"""

from __future__ import annotations

import dataclasses
import operator
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from fieldnotes.analysis import columns as cols
from fieldnotes.analysis.scope import Scope, as_uuid, load, paused_gc
from fieldnotes.codebook.tree import CodeTree
from fieldnotes.errors import InvalidInput
from fieldnotes.filters import Filters

MEASURES = ("codings", "documents", "chars", "percent")
Number = int | float


@dataclass
class Matrix:
    by: str
    measure: str
    rollup: bool
    rows: list[str]  # code paths, in codebook tree order
    row_ids: list[uuid.UUID]
    depths: list[int]
    columns: list[str]
    cells: dict[str, dict[str, Number]]
    row_totals: dict[str, Number]
    column_totals: dict[str, Number]
    total: Number
    column_documents: dict[str, int] = field(default_factory=dict)  # each column's documents (percent base)
    documents: int = 0  # documents in scope

    def value(self, row: str, column: str) -> Number:
        return self.cells[row][column]

    def as_dict(self) -> dict[str, Any]:
        def out(value: Number) -> Number:
            return round(value, 2) if isinstance(value, float) else value

        return {
            "by": self.by,
            "measure": self.measure,
            "rollup": self.rollup,
            "rows": list(self.rows),
            "row_ids": [str(i) for i in self.row_ids],
            "columns": list(self.columns),
            "cells": {row: {col: out(v) for col, v in values.items()} for row, values in self.cells.items()},
            "row_totals": {row: out(v) for row, v in self.row_totals.items()},
            "column_totals": {col: out(v) for col, v in self.column_totals.items()},
            "total": out(self.total),
            "column_documents": dict(self.column_documents),
            "documents": self.documents,
        }


# --- rows and the sets they count -----------------------------------------------------------------


class _Rows:
    """The code tree as small integers (hashing ints is far cheaper than hashing UUIDs), with each
    code's chain of rows its codings count in: itself, its ancestors when rolling up, and `ALL`."""

    ALL = -1

    def __init__(self, tree: CodeTree, rollup: bool) -> None:
        self.nodes = tree.walk()
        self.index = {node.id: i for i, node in enumerate(self.nodes)}
        self.parent = [self.index.get(node.parent_id) if node.parent_id else None for node in self.nodes]
        self.rollup = rollup
        self._tree = tree

    def of(self, code: uuid.UUID) -> int:
        found = self.index.get(code)
        if found is None:  # a code outside the walk (a broken parent link): give it a row of its own
            found = self.index[code] = len(self.nodes)
            self.nodes.append(self._tree.nodes[code])
            self.parent.append(None)
        return found

    def chain(self, code: uuid.UUID) -> tuple[int, ...]:
        row: int | None = self.of(code)
        out = []
        while row is not None:
            out.append(row)
            row = self.parent[row] if self.rollup else None
        out.append(self.ALL)
        return tuple(out)

    def rolled(self, own: dict[int, Any], combine: Callable[[Any, Any], Any]) -> dict[int, Any]:
        """Each row's value with its descendants' folded in (when rolling up), children before parents."""
        out = dict(own)
        if self.rollup:
            for row in range(len(self.nodes) - 1, -1, -1):
                parent = self.parent[row]
                if parent is not None and row in out:
                    out[parent] = combine(out[parent], out[row]) if parent in out else out[row]
        return out


def _bits(indices: Iterable[int], size: int) -> int:
    flags = bytearray((size + 7) // 8)
    for index in indices:
        flags[index >> 3] |= 1 << (index & 7)
    return int.from_bytes(flags, "little")


def _masks(codes: Iterable[Any], keys: list[Hashable]) -> tuple[dict[Any, int], dict[Hashable, int]]:
    """Each code's set of units as a bit mask (sets of documents join and count in C this way).

    Setting a bit twice changes nothing, so the codings need no de-duplication first.
    """
    index = {key: position for position, key in enumerate(dict.fromkeys(keys))}
    width = (len(index) + 7) // 8
    flags: dict[Any, bytearray] = {}
    for code, position in zip(codes, map(index.__getitem__, keys), strict=False):
        found = flags.get(code)
        if found is None:
            found = flags[code] = bytearray(width)
        found[position >> 3] |= 1 << (position & 7)
    return {code: int.from_bytes(found, "little") for code, found in flags.items()}, index


def _label_masks(index: dict[Hashable, int], labels: dict[Hashable, tuple[str, ...]]) -> dict[str, int]:
    members: dict[str, list[int]] = defaultdict(list)
    for key, position in index.items():
        for label in labels[key]:
            members[label].append(position)
    return {label: _bits(found, len(index)) for label, found in members.items()}


def _covered(groups: dict[Hashable, list[tuple[int, int, Any]]], chains: dict[Any, tuple[int, ...]],
             size: int) -> Iterable[tuple[Hashable, list[tuple[int, int]]]]:
    """Characters each row covers in each group, every character once however many codings cover it.

    Within a group the codings are taken by start; a row's new coding adds only what lies beyond the
    furthest end of the row's earlier codings (everything between its start and that end is covered).
    Rows are list positions (`size` of them, `_Rows.ALL` the last), which index faster than a dict.
    """
    for key, items in groups.items():
        items.sort()
        furthest = [-1] * size
        covered = [0] * size
        for start, end, code in items:
            for row in chains[code]:
                reached = furthest[row]
                if end > reached:
                    covered[row] += end - (start if start > reached else reached)
                    furthest[row] = end
        rows = {row for code in {item[2] for item in items} for row in chains[code]}
        yield key, [(row, covered[row]) for row in rows]


def _grouped(keys: Iterable[Hashable], starts: Iterable[int], ends: Iterable[int],
             codes: Iterable[Any]) -> dict[Hashable, list[tuple[int, int, Any]]]:
    groups: dict[Hashable, list[tuple[int, int, Any]]] = defaultdict(list)
    for key, start, end, code in zip(keys, starts, ends, codes, strict=True):
        groups[key].append((start, end, code))
    return groups


def _add_counters(a: Counter[str], b: Counter[str]) -> Counter[str]:
    return a + b


def matrix(session: Session, filters: Filters | None = None, by: str | cols.Dimension = "municipality",
           measure: str = "codings", rollup: bool = True) -> Matrix:
    """Codes x columns for the codings the filters allow (see the module's notes for the measures)."""
    with paused_gc():
        return _matrix(session, filters or Filters(), cols.parse_by(by), measure, rollup)


@dataclass
class _Counted:
    """One measure's numbers by row position, before they are named by code path."""

    values: dict[int, dict[str, Number]]
    row_totals: dict[int, Number]
    column_totals: dict[str, Number]
    total: Number


def _codings(scope: Scope, units: cols.Units, structure: _Rows, shown: list[int]) -> _Counted:
    codes = scope.column("code")
    row_of = {code: structure.of(code_id) for code, code_id in scope.code_of.items()}
    own: dict[int, Counter[str]] = defaultdict(Counter)
    if all(len(found) == 1 for found in units.labels.values()):
        first = {key: found[0] for key, found in units.labels.items()}
        pairs: Iterable[tuple[Any, str]] = zip(codes, map(first.__getitem__, units.keys), strict=False)
    else:
        pairs = ((code, label) for code, key in zip(codes, units.keys, strict=True) for label in units.labels[key])
    for (code, label), count in Counter(pairs).items():
        own[row_of[code]][label] += count
    rolled = structure.rolled(own, _add_counters)
    rolled_totals = structure.rolled({row_of[c]: n for c, n in Counter(codes).items()}, operator.add)
    every: Counter[str] = sum(own.values(), Counter())
    return _Counted(
        values={row: {label: rolled.get(row, Counter()).get(label, 0) for label in units.order} for row in shown},
        row_totals={row: rolled_totals.get(row, 0) for row in shown},
        column_totals={label: every.get(label, 0) for label in units.order}, total=len(codes))


def _documents(scope: Scope, units: cols.Units, structure: _Rows, shown: list[int]) -> _Counted:
    codes = scope.column("code")
    row_of = {code: structure.of(code_id) for code, code_id in scope.code_of.items()}
    code_masks, index = _masks(codes, units.keys)
    label_masks = _label_masks(index, units.labels)
    rolled_masks = structure.rolled({row_of[c]: m for c, m in code_masks.items()}, operator.or_)
    if units.per_coding:  # a row's total counts documents, whatever columns they fall in
        doc_masks, doc_index = _masks(codes, list(scope.column("document")))
        rolled_docs = structure.rolled({row_of[c]: m for c, m in doc_masks.items()}, operator.or_)
    else:
        rolled_docs, doc_index = rolled_masks, index
    every_mask = (1 << len(index)) - 1
    return _Counted(
        values={row: {label: (rolled_masks.get(row, 0) & label_masks.get(label, 0)).bit_count()
                      for label in units.order} for row in shown},
        row_totals={row: rolled_docs.get(row, 0).bit_count() for row in shown},
        column_totals={label: (every_mask & label_masks.get(label, 0)).bit_count() for label in units.order},
        total=len(doc_index))


def _percent(counted: _Counted, units: cols.Units) -> _Counted:
    def share(count: Number, base: int) -> float:
        return 100.0 * count / base if base else 0.0

    return _Counted(
        values={row: {label: share(n, units.base.get(label, 0)) for label, n in cells.items()}
                for row, cells in counted.values.items()},
        row_totals={row: share(n, units.base_total) for row, n in counted.row_totals.items()},
        column_totals={label: share(n, units.base.get(label, 0)) for label, n in counted.column_totals.items()},
        total=share(counted.total, units.base_total))


def _characters(scope: Scope, units: cols.Units, structure: _Rows, shown: list[int]) -> _Counted:
    codes = scope.column("code")
    chains = {code: structure.chain(code_id) for code, code_id in scope.code_of.items()}
    starts, ends = scope.column("start"), scope.column("end")
    cells: dict[int, Counter[str]] = defaultdict(Counter)
    per_document: Counter[int] = Counter()
    size = len(structure.nodes) + 1  # the last position is ALL (-1)
    for key, covered in _covered(_grouped(units.keys, starts, ends, codes), chains, size):
        labels = units.labels[key]
        for row, length in covered:
            target = cells[row]
            for label in labels:
                target[label] += length
            if not units.per_coding:
                per_document[row] += length
    if units.per_coding:  # a row's total counts characters once, whatever columns they fall in
        for _key, covered in _covered(_grouped(scope.column("document"), starts, ends, codes), chains, size):
            for row, length in covered:
                per_document[row] += length
    every = cells.get(structure.ALL, Counter())
    return _Counted(
        values={row: {label: cells.get(row, Counter()).get(label, 0) for label in units.order} for row in shown},
        row_totals={row: per_document.get(row, 0) for row in shown},
        column_totals={label: every.get(label, 0) for label in units.order},
        total=per_document.get(structure.ALL, 0))


def _matrix(session: Session, filters: Filters, dimension: cols.Dimension, measure: str, rollup: bool) -> Matrix:
    if measure not in MEASURES:
        raise InvalidInput(f"no measure {measure!r}", hint="use one of: " + ", ".join(MEASURES))
    fields = ["code", "document"]
    if dimension.name == "coder":
        fields.append("coder")
    if dimension.name == "role" or measure == "chars":
        fields.append("start")
    if measure == "chars":
        fields.append("end")
    scope = load(session, filters, fields)
    tree = scope.tree
    units = cols.units(session, scope, dimension, filters)
    structure = _Rows(tree, rollup)
    shown = [structure.index[node.id] for node in tree.walk() if scope.codes is None or node.id in scope.codes]
    if measure == "codings":
        counted = _codings(scope, units, structure, shown)
    elif measure == "chars":
        counted = _characters(scope, units, structure, shown)
    else:
        counted = _documents(scope, units, structure, shown)
        if measure == "percent":
            counted = _percent(counted, units)
    paths = [tree.path(structure.nodes[row].id) for row in shown]
    return Matrix(
        by=str(dimension), measure=measure, rollup=rollup, rows=paths,
        row_ids=[structure.nodes[row].id for row in shown], depths=[path.count("/") for path in paths],
        columns=list(units.order), cells={path: counted.values[row] for path, row in zip(paths, shown, strict=True)},
        row_totals={path: counted.row_totals[row] for path, row in zip(paths, shown, strict=True)},
        column_totals=counted.column_totals, total=counted.total,
        column_documents={label: units.base.get(label, 0) for label in units.order}, documents=units.base_total,
    )


# --- drilling down from a cell to its excerpts ------------------------------------------------------


TOTAL = "total"


def _column_label(wanted: str, labels: list[str]) -> str | None:
    """The column a user named; None for the row's total (`total`, unless a column is called so)."""
    if wanted in labels:
        return wanted
    folded = [label for label in labels if label.casefold() == wanted.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    if wanted.strip().casefold() == TOTAL:
        return None
    raise InvalidInput(f"no column {wanted!r}", hint="columns: " + ", ".join([*labels, TOTAL]))


def cell_coding_ids(session: Session, filters: Filters | None, by: str | cols.Dimension, row: str | uuid.UUID,
                    column: str, rollup: bool = True) -> set[uuid.UUID]:
    """The codings behind one cell of `matrix(session, filters, by, ..., rollup)`: the same for every measure.

    `column` is a column's label, or `total` for the whole row.
    """
    filters = filters or Filters()
    dimension = cols.parse_by(by)
    fields = ["id", "code", "document"] + (["coder"] if dimension.name == "coder" else []) + (
        ["start"] if dimension.name == "role" else [])
    scope = load(session, filters, fields)
    node = scope.tree.resolve(str(row))
    if scope.codes is not None and node.id not in scope.codes:
        raise InvalidInput(f"{scope.tree.path(node.id)!r} is not a row of this matrix",
                           hint="the --code filter leaves it out")
    units = cols.units(session, scope, dimension, filters)
    label = _column_label(column, units.order)
    wanted = set(scope.tree.descendants(node.id)) if rollup else {node.id}
    ids = scope.column("id")
    codes = scope.column("code")
    return {as_uuid(coding_id) for coding_id, code, key in zip(ids, codes, units.keys, strict=True)
            if scope.code_of[code] in wanted and (label is None or label in units.labels[key])}


def cell_excerpts(session: Session, filters: Filters | None, by: str | cols.Dimension, row: str | uuid.UUID,
                  column: str, rollup: bool = True, *, context: str | int | None = None) -> list[Any]:
    """A cell's excerpts (fieldnotes.coding.excerpts.Excerpt), in the order `fieldnotes excerpts` lists them."""
    from fieldnotes.coding.excerpts import excerpts

    filters = filters or Filters()
    ids = cell_coding_ids(session, filters, by, row, column, rollup)
    if not ids:
        return []
    node = CodeTree.load(session).resolve(str(row))
    narrowed = dataclasses.replace(filters, codes=[str(node.id)], descendants=rollup)
    return [e for e in excerpts(session, narrowed, context=context) if uuid.UUID(e.id) in ids]
