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
import datetime as dt
import operator
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from fieldnotes.analysis import columns as cols
from fieldnotes.analysis.scope import Grouped, as_uuid, load, load_grouped, paused_gc
from fieldnotes.codebook.tree import CodeTree
from fieldnotes.errors import InvalidInput
from fieldnotes.queries.filters import Filters
from fieldnotes.translations import _

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
    start: dt.date | None = None  # the fieldwork start, when the columns are phases (headings show their dates)

    def value(self, row: str, column: str) -> Number:
        return self.cells[row][column]

    def title(self, column: str) -> str:
        """The column's heading as a reader sees it: "Fase 1 (feb.–jul. 2025)", "(ingen)", a kind, a name."""
        return cols.column_label(self.by, column, self.start)

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


def _percent(counted: _Counted, units: cols.Units | cols.GroupedUnits) -> _Counted:
    def share(count: Number, base: int) -> float:
        return 100.0 * count / base if base else 0.0

    return _Counted(
        values={row: {label: share(n, units.base.get(label, 0)) for label, n in cells.items()}
                for row, cells in counted.values.items()},
        row_totals={row: share(n, units.base_total) for row, n in counted.row_totals.items()},
        column_totals={label: share(n, units.base.get(label, 0)) for label, n in counted.column_totals.items()},
        total=share(counted.total, units.base_total))


# --- the measures over codings grouped by document ---------------------------------------------------
#
# Rows are list positions 0 .. n-1 (`_Rows`), with `n` for ALL; a cell (row, column) is the position
# row * width + column in a flat list of counts, columns numbered in their order.


class _Table:
    """The flat tables of one matrix: codes' rows and chains as positions, columns as numbers."""

    def __init__(self, grouped: Grouped, units: cols.GroupedUnits, structure: _Rows) -> None:
        self.row_of = {code: structure.of(code_id) for code, code_id in grouped.code_of.items()}
        self.rows = len(structure.nodes) + 1  # the last position is ALL
        self.all = self.rows - 1
        self.chains = {code: tuple(self.all if row == structure.ALL else row for row in structure.chain(code_id))
                       for code, code_id in grouped.code_of.items()}
        self.width = max(1, len(units.order))
        self.column = {label: number for number, label in enumerate(units.order)}
        self.structure = structure
        self.units = units

    def rolled(self, cells: list[int]) -> list[int]:
        """Each row's cells with its descendants' added (when rolling up), children before parents."""
        if self.structure.rollup:
            width, parents = self.width, self.structure.parent
            for row in range(len(parents) - 1, -1, -1):
                parent = parents[row]
                if parent is not None:
                    at, to = row * width, parent * width
                    cells[to:to + width] = map(operator.add, cells[to:to + width], cells[at:at + width])
        return cells

    def counted(self, cells: list[int], row_totals: list[int], shown: list[int], column_totals: list[int],
                total: Number) -> _Counted:
        width, order = self.width, self.units.order
        return _Counted(
            values={row: dict(zip(order, cells[row * width:row * width + width], strict=False)) for row in shown},
            row_totals={row: row_totals[row] for row in shown},
            column_totals=dict(zip(order, column_totals, strict=False)), total=total)

    def labelled(self, grouped: Grouped) -> Iterable[tuple[tuple[int, ...], tuple[list[Any], ...]]]:
        """Each document's column numbers (document columns) with its lists."""
        column = self.column
        numbers: dict[tuple[str, ...], tuple[int, ...]] = {}
        labels = self.units.document_labels
        for doc, lists in grouped.groups.items():
            found = labels[doc]
            at = numbers.get(found)
            if at is None:
                at = numbers[found] = tuple(column[label] for label in found)
            yield at, lists


def _grouped_codings(grouped: Grouped, table: _Table, shown: list[int]) -> _Counted:
    """Codings per cell, counted with arrays: each coding's row and column(s) as one number, a bincount."""
    width, row_of = table.width, table.row_of
    codes_at = grouped.at("code")
    lists = list(grouped.groups.values())
    sizes = np.fromiter((len(group[codes_at]) for group in lists), dtype=np.int64, count=len(lists))
    total = int(sizes.sum())
    row = np.fromiter(map(row_of.__getitem__, chain.from_iterable(group[codes_at] for group in lists)),
                      dtype=np.int64, count=total)
    if table.units.per_coding:
        column, labels = table.column, table.units.coding_labels
        place = row * width + np.fromiter(map(column.__getitem__, chain.from_iterable(
            labels[doc] for doc in grouped.groups)), dtype=np.int64, count=total)
    else:  # a coding counts in every column its document is in
        numbers = [numbers for numbers, _lists in table.labelled(grouped)]
        counts = np.fromiter(map(len, numbers), dtype=np.int64, count=len(numbers))
        flat = np.fromiter(chain.from_iterable(numbers), dtype=np.int64, count=int(counts.sum()))
        document = np.repeat(np.arange(len(lists), dtype=np.int64), sizes)
        repeat = counts[document]
        which = np.repeat(np.arange(total, dtype=np.int64), repeat)
        offset = np.arange(len(which), dtype=np.int64) - np.repeat(np.cumsum(repeat) - repeat, repeat)
        place = row[which] * width + flat[(np.cumsum(counts) - counts)[document[which]] + offset]
    cells = np.bincount(place, minlength=table.rows * width).tolist()
    column_totals = np.bincount(place % width, minlength=width).tolist() if len(place) else [0] * width
    row_totals = np.bincount(row, minlength=table.rows).tolist()
    if table.structure.rollup:
        parents = table.structure.parent
        for at in range(len(parents) - 1, -1, -1):
            if parents[at] is not None:
                row_totals[parents[at]] += row_totals[at]
    return table.counted(table.rolled(cells), row_totals, shown, column_totals[:width], total)


def _grouped_documents(grouped: Grouped, table: _Table, shown: list[int]) -> _Counted:
    width, chains = table.width, table.chains
    codes_at = grouped.at("code")
    cells = [0] * (table.rows * width)
    row_totals = [0] * table.rows
    if table.units.per_coding:
        # each (code, column) as the set of documents it occurs in, one bit per document
        column, labels = table.column, table.units.coding_labels
        size = (len(grouped.groups) + 7) // 8
        own = [{code: row * width + number for code, row in table.row_of.items()} for number in range(width)]
        flags: dict[int, bytearray] = {}
        for position, (doc, lists) in enumerate(grouped.groups.items()):
            at, bit = position >> 3, 1 << (position & 7)
            for key in set(map(operator.getitem, map(own.__getitem__, map(column.__getitem__, labels[doc])),
                               lists[codes_at])):
                found = flags.get(key)
                if found is None:
                    found = flags[key] = bytearray(size)
                found[at] |= bit
        masks = [0] * (table.rows * width)
        for key, found in flags.items():
            masks[key] = int.from_bytes(found, "little")
        # a row's documents in a column: its own and its descendants' (children come after parents);
        # in any column (the row's total): the union over the columns
        parents, rollup, everything = table.structure.parent, table.structure.rollup, table.all * width
        anywhere = [0] * table.rows
        for row in range(len(parents) - 1, -1, -1):
            parent, at = parents[row], row * width
            for number in range(width):
                mask = masks[at + number]
                if mask:
                    if parent is not None and rollup:
                        masks[parent * width + number] |= mask
                    masks[everything + number] |= mask
                    cells[at + number] = mask.bit_count()
                    anywhere[row] |= mask
            row_totals[row] = anywhere[row].bit_count()
        every = 0
        for number in range(width):
            cells[everything + number] = masks[everything + number].bit_count()
            every |= masks[everything + number]
        row_totals[table.all] = every.bit_count()
    else:
        in_rows: list[int] = []  # a row for each document that counts in it
        by_columns: dict[tuple[int, ...], list[int]] = defaultdict(list)
        for numbers, lists in table.labelled(grouped):
            rows = set(chain.from_iterable(map(chains.__getitem__, lists[codes_at])))
            by_columns[numbers].extend(rows)
            in_rows.extend(rows)
        for numbers, in_column in by_columns.items():
            counts = Counter(in_column).items()
            for number in numbers:
                for row, n in counts:
                    cells[row * width + number] += n
        for row, n in Counter(in_rows).items():
            row_totals[row] = n
    everything = table.all * width
    return table.counted(cells, row_totals, shown, cells[everything:everything + width], row_totals[table.all])


def _grouped_characters(grouped: Grouped, table: _Table, shown: list[int]) -> _Counted:
    """Characters per cell, every character once however many codings cover it, counted with arrays.

    Each coding is expanded into the rows it counts in (its chain), the entries ordered by row and then
    by document and start (the codings' own order; a stable radix sort by row keeps it). Within a run of
    one row in one document, an entry adds what lies beyond the furthest end of the entries before it
    (everything between its start and that end is covered). For per-coding columns (coder, role) the same
    is done by cell (row and column), since a cell's characters are the union of its own codings only.
    """
    width, rows = table.width, table.rows
    codes_at, starts_at, ends_at = grouped.at("code"), grouped.at("start"), grouped.at("end")
    lists = list(grouped.groups.values())
    sizes = np.fromiter((len(group[codes_at]) for group in lists), dtype=np.int64, count=len(lists))
    total = int(sizes.sum())
    document = np.repeat(np.arange(len(lists), dtype=np.int64), sizes)
    start = np.fromiter(chain.from_iterable(group[starts_at] for group in lists), dtype=np.int64, count=total)
    end = np.fromiter(chain.from_iterable(group[ends_at] for group in lists), dtype=np.int64, count=total)
    codes = list(table.chains)
    number_of = {code: number for number, code in enumerate(codes)}
    code = np.fromiter(map(number_of.__getitem__, chain.from_iterable(group[codes_at] for group in lists)),
                       dtype=np.int64, count=total)
    if table.units.per_coding:
        column_of = table.column
        column = np.fromiter(map(column_of.__getitem__, chain.from_iterable(
            table.units.coding_labels[doc] for doc in grouped.groups)), dtype=np.int64, count=total)
    else:
        column = np.zeros(total, dtype=np.int64)
    # the codings by document, then start (the order every run below relies on)
    by = np.lexsort((start, document))
    document, start, end, code, column = document[by], start[by], end[by], code[by], column[by]
    # each coding once per row of its chain (itself, its ancestors when rolling up, ALL)
    longest = max((len(found) for found in table.chains.values()), default=1)
    chains = np.full((max(len(codes), 1), longest), -1, dtype=np.int64)
    lengths = np.zeros(max(len(codes), 1), dtype=np.int64)
    for number, code_key in enumerate(codes):
        found = table.chains[code_key]
        chains[number, :len(found)] = found
        lengths[number] = len(found)
    per_coding = lengths[code]
    entry = np.repeat(np.arange(total, dtype=np.int64), per_coding)
    place = np.arange(len(entry), dtype=np.int64) - np.repeat(np.cumsum(per_coding) - per_coding, per_coding)
    row = chains[code[entry], place]
    covered = _union_runs(row, entry, document, start, end)
    per_document = np.bincount(covered[0], weights=covered[2], minlength=rows).astype(np.int64)
    if table.units.per_coding:
        cell = row * width + column[entry]
        cells = _covered_by(cell, entry, document, start, end, rows * width)
    else:
        cells = _document_cells(covered, table, grouped, rows, width)
    everything = table.all * width
    cell_list = cells.tolist()
    per_document_list = per_document.tolist()
    return table.counted(cell_list, per_document_list, shown, cell_list[everything:everything + width],
                         per_document_list[table.all])


def _ordered(key: np.ndarray, limit: int) -> np.ndarray:
    """A stable order of `key` (whose values are below `limit`): a radix sort when they fit 16 bits."""
    if limit <= np.iinfo(np.int16).max:
        return np.argsort(key.astype(np.int16), kind="stable")
    return np.argsort(key, kind="stable")


def _union_runs(key: np.ndarray, entry: np.ndarray, document: np.ndarray, start: np.ndarray, end: np.ndarray,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The characters each (key, document) run covers: (key, document, characters) per run."""
    order = _ordered(key, int(key.max()) + 1 if len(key) else 0)
    key, which = key[order], entry[order]
    doc, first, last = document[which], start[which], end[which]
    if not len(key):
        return key, doc, np.zeros(0, dtype=np.int64)
    new_run = np.concatenate(([True], (key[1:] != key[:-1]) | (doc[1:] != doc[:-1])))
    run = np.cumsum(new_run) - 1
    big = np.int64(1 << 32)  # beyond any end: a run's furthest end never reaches into the next run
    reached = np.maximum.accumulate(run * big + last)
    before = np.concatenate(([-1], reached[:-1])) - run * big  # negative at a run's first entry
    added = np.maximum(last - np.maximum(first, before), 0)
    runs = np.flatnonzero(new_run)
    return key[runs], doc[runs], np.add.reduceat(added, runs)


def _covered_by(key: np.ndarray, entry: np.ndarray, document: np.ndarray, start: np.ndarray, end: np.ndarray,
                size: int) -> np.ndarray:
    """For each key (row or cell), its characters summed over documents, each character once per document."""
    keys, _, covered = _union_runs(key, entry, document, start, end)
    return np.bincount(keys, weights=covered, minlength=size).astype(np.int64)


def _document_cells(covered: tuple[np.ndarray, np.ndarray, np.ndarray], table: _Table, grouped: Grouped,
                    rows: int, width: int) -> np.ndarray:
    """A row's characters in each column a document belongs to (a document can be in several)."""
    rows_of, documents, characters = covered
    numbers = [numbers for numbers, _lists in table.labelled(grouped)]
    counts = np.fromiter(map(len, numbers), dtype=np.int64, count=len(numbers))
    flat = np.fromiter(chain.from_iterable(numbers), dtype=np.int64, count=int(counts.sum()))
    begins = np.cumsum(counts) - counts
    repeat = counts[documents]
    which = np.repeat(np.arange(len(documents), dtype=np.int64), repeat)
    place = np.arange(len(which), dtype=np.int64) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    column = flat[begins[documents[which]] + place]
    return np.bincount(rows_of[which] * width + column, weights=characters[which],
                       minlength=rows * width).astype(np.int64)


def _matrix(session: Session, filters: Filters, dimension: cols.Dimension, measure: str, rollup: bool) -> Matrix:
    if measure not in MEASURES:
        raise InvalidInput(_("no measure {measure!r}")
                           .format(measure=measure), hint=_("use one of: {choices}").format(choices=", "
                                   "".join(MEASURES)))
    fields = ["code"]
    if dimension.name == "coder":
        fields.append("coder")
    if dimension.name == "role" or measure == "chars":
        fields.append("start")
    if measure == "chars":
        fields.append("end")
    grouped = load_grouped(session, filters, fields)
    tree = grouped.tree
    units = cols.grouped_units(session, grouped, dimension, filters)
    structure = _Rows(tree, rollup)
    table = _Table(grouped, units, structure)
    shown = [structure.index[node.id] for node in tree.walk() if grouped.codes is None or node.id in grouped.codes]
    if measure == "codings":
        counted = _grouped_codings(grouped, table, shown)
    elif measure == "chars":
        counted = _grouped_characters(grouped, table, shown)
    else:
        counted = _grouped_documents(grouped, table, shown)
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
        start=cols.phase_start(session, dimension),
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
    raise InvalidInput(_("no column {wanted!r}").format(wanted=wanted), hint=_("columns: {names}")
                       .format(names=", ".join([*labels, TOTAL])))


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
        raise InvalidInput(_("{path!r} is not a row of this matrix").format(path=scope.tree.path(node.id)),
                           hint=_("the --code filter leaves it out"))
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


def every_cell_coding_ids(session: Session, filters: Filters | None, by: str | cols.Dimension,
                          rollup: bool = True) -> tuple[list[str], dict[uuid.UUID, dict[str, list[uuid.UUID]]]]:
    """Every cell's codings in one pass: the column labels in order, and per row (a code's id) per column
    the codings `cell_coding_ids` gives for that one cell (a row with rollup holds its sub-codes' codings).
    The theme browser opens any cell from these without asking the database again."""
    filters = filters or Filters()
    dimension = cols.parse_by(by)
    fields = ["id", "code", "document"] + (["coder"] if dimension.name == "coder" else []) + (
        ["start"] if dimension.name == "role" else [])
    scope = load(session, filters, fields)
    units = cols.units(session, scope, dimension, filters)
    chains: dict[uuid.UUID, list[uuid.UUID]] = {}
    cells: dict[uuid.UUID, dict[str, list[uuid.UUID]]] = defaultdict(lambda: defaultdict(list))
    for coding_id, code, key in zip(scope.column("id"), scope.column("code"), units.keys, strict=True):
        node = scope.code_of[code]
        chain = chains.get(node)
        if chain is None:
            chain = chains[node] = [node, *scope.tree.ancestors(node)] if rollup else [node]
        identifier = as_uuid(coding_id)
        for label in units.labels[key]:
            for row in chain:
                cells[row][label].append(identifier)
    return list(units.order), {row: dict(columns) for row, columns in cells.items()}
