"""Ratings on a code's scale (the belief in a citizen's job chance, 1-5) per municipality or phase.

A code's ratings include those of its descendants that have a scale of their own (for example
"Tro på borgerens jobchance" with its sub-code "Specifik tro"), unless `descendants=False`. A code
without a scale whose descendants have none is refused: there is nothing to summarise. Codings
without a rating are left out. A document in several municipalities counts in each column; the total
counts every rating once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from fieldnotes.analysis import columns as cols
from fieldnotes.analysis.scope import load, paused_gc
from fieldnotes.codebook.tree import CodeTree
from fieldnotes.errors import InvalidInput
from fieldnotes.queries.filters import Filters
from fieldnotes.translations import _


@dataclass
class RatingStats:
    label: str
    count: int
    mean: float | None
    median: float | None
    distribution: dict[int, int]  # every point of the scale, with how many ratings it got

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "count": self.count,
                "mean": None if self.mean is None else round(self.mean, 3), "median": self.median,
                "distribution": {str(point): n for point, n in self.distribution.items()}}


@dataclass
class Ratings:
    code: str
    code_path: str
    codes: list[str]  # the paths whose ratings are included
    by: str
    scale: tuple[int, int]
    columns: list[RatingStats]
    total: RatingStats
    start: dt.date | None = None  # the fieldwork start, when `by` is phase (headings show the phases' dates)

    def title(self, label: str) -> str:
        return cols.column_label(self.by, label, self.start)

    def column(self, label: str) -> RatingStats:
        for stats in self.columns:
            if stats.label == label:
                return stats
        raise InvalidInput(_("no column {label!r}")
                           .format(label=label), hint=_("columns: {names}").format(
                               names=", ".join(s.label for s in self.columns)))

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "code_path": self.code_path, "codes": list(self.codes), "by": self.by,
                "scale": list(self.scale), "columns": [c.as_dict() for c in self.columns],
                "total": self.total.as_dict()}


def _stats(label: str, values: list[int], scale: tuple[int, int]) -> RatingStats:
    distribution = dict.fromkeys(range(scale[0], scale[1] + 1), 0)
    for value in values:
        distribution[value] = distribution.get(value, 0) + 1
    return RatingStats(label, len(values), statistics.fmean(values) if values else None,
                       float(statistics.median(values)) if values else None, distribution)


def rated_codes(tree: CodeTree, code: str, *, descendants: bool = True) -> list[Any]:
    """The code, and its descendants with a scale; refused when none of them has a scale."""
    node = tree.resolve(code)
    candidates = tree.descendants(node.id) if descendants else [node.id]
    scaled = [tree.nodes[c] for c in candidates if tree.nodes[c].scale_min is not None]
    if not scaled:
        others = sorted(tree.path(n.id) for n in tree.nodes.values() if n.scale_min is not None)
        raise InvalidInput(_("{path!r} has no rating scale, so it has no ratings").format(path=tree.path(node.id)),
                           hint=_("codes with a scale: {names}").format(names="; ".join(others)) if others else
                           _("give a code a scale with `fieldnotes codebook add NAME --scale 1:5`"))
    return scaled


def ratings(session: Session, code: str, filters: Filters | None = None, by: str | cols.Dimension = "municipality",
            *, descendants: bool = True) -> Ratings:
    """Count, mean, median and distribution of a code's ratings per column, and over all."""
    filters = filters or Filters()
    dimension = cols.parse_by(by)
    tree = CodeTree.load(session)
    node = tree.resolve(code)
    scaled = rated_codes(tree, code, descendants=descendants)
    scale = (min(n.scale_min for n in scaled), max(n.scale_max for n in scaled))
    narrowed = dataclasses.replace(filters, codes=[str(n.id) for n in scaled], descendants=False)
    fields = ["code", "document", "rating"] + (["coder"] if dimension.name == "coder" else []) + (
        ["start"] if dimension.name == "role" else [])
    with paused_gc():
        scope = load(session, narrowed, fields, tree=tree)
        units = cols.units(session, scope, dimension, narrowed)
    per_label: dict[str, list[int]] = defaultdict(list)
    every: list[int] = []
    for key, rating in zip(units.keys, scope.column("rating"), strict=True):
        if rating is None:
            continue
        every.append(rating)
        for label in units.labels[key]:
            per_label[label].append(rating)
    return Ratings(
        code=str(node.id), code_path=tree.path(node.id), codes=[tree.path(n.id) for n in scaled], by=str(dimension),
        scale=scale, columns=[_stats(label, per_label.get(label, []), scale) for label in units.order],
        total=_stats("total", every, scale), start=cols.phase_start(session, dimension),
    )


@dataclass
class RatingGrid:
    """A code's ratings in two dimensions at once (municipality × phase): the small multiples that show
    whether belief rises in one municipality and falls in another. `cells[row][column]` holds the
    ratings of the row's documents in the column; `rows_total` and `columns_total` each row's and
    column's ratings (every rating once)."""

    code: str
    code_path: str
    codes: list[str]
    rows_by: str
    columns_by: str
    scale: tuple[int, int]
    rows: list[str]
    columns: list[str]
    cells: dict[str, dict[str, RatingStats]]
    row_totals: dict[str, RatingStats]
    column_totals: dict[str, RatingStats]
    total: RatingStats
    start: dt.date | None = None  # the fieldwork start, for headings of phases with their dates

    def row_title(self, row: str) -> str:
        return cols.column_label(self.rows_by, row, self.start)

    def column_title(self, column: str) -> str:
        return cols.column_label(self.columns_by, column, self.start)

    def means(self, row: str) -> list[float | None]:
        """The row's mean in each column (None where it has no rating)."""
        return [self.cells[row][column].mean for column in self.columns]

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "code_path": self.code_path, "codes": list(self.codes), "rows_by": self.rows_by,
                "columns_by": self.columns_by, "scale": list(self.scale), "rows": list(self.rows),
                "columns": list(self.columns),
                "cells": {row: {column: stats.as_dict() for column, stats in values.items()}
                          for row, values in self.cells.items()},
                "row_totals": {row: stats.as_dict() for row, stats in self.row_totals.items()},
                "column_totals": {column: stats.as_dict() for column, stats in self.column_totals.items()},
                "total": self.total.as_dict()}


def rating_grid(session: Session, code: str, filters: Filters | None = None, rows: str = "municipality",
                columns: str = "phase", *, descendants: bool = True) -> RatingGrid:
    """A code's ratings per `rows` × `columns` (both document or coding columns, as `--by` takes them),
    read in one pass: the same ratings `ratings(..., by=columns)` counts, split by `rows` as well."""
    filters = filters or Filters()
    row_dimension, column_dimension = cols.parse_by(rows), cols.parse_by(columns)
    if row_dimension == column_dimension:
        raise InvalidInput(_("the rows and the columns are both {row_dimension}")
                           .format(row_dimension=row_dimension), hint=_("choose two different ones"))
    tree = CodeTree.load(session)
    node = tree.resolve(code)
    scaled = rated_codes(tree, code, descendants=descendants)
    scale = (min(n.scale_min for n in scaled), max(n.scale_max for n in scaled))
    narrowed = dataclasses.replace(filters, codes=[str(n.id) for n in scaled], descendants=False)
    wanted = {"code", "document", "rating"}
    for dimension in (row_dimension, column_dimension):
        if dimension.name == "coder":
            wanted.add("coder")
        if dimension.name == "role":
            wanted.add("start")
    with paused_gc():
        scope = load(session, narrowed, sorted(wanted), tree=tree)
        row_units = cols.units(session, scope, row_dimension, narrowed)
        column_units = cols.units(session, scope, column_dimension, narrowed)
    per_cell: dict[tuple[str, str], list[int]] = defaultdict(list)
    per_row: dict[str, list[int]] = defaultdict(list)
    per_column: dict[str, list[int]] = defaultdict(list)
    every: list[int] = []
    for row_key, column_key, rating in zip(row_units.keys, column_units.keys, scope.column("rating"), strict=True):
        if rating is None:
            continue
        every.append(rating)
        row_labels, column_labels = row_units.labels[row_key], column_units.labels[column_key]
        for row_label in row_labels:
            per_row[row_label].append(rating)
            for column_label in column_labels:
                per_cell[row_label, column_label].append(rating)
        for column_label in column_labels:
            per_column[column_label].append(rating)
    return RatingGrid(
        code=str(node.id), code_path=tree.path(node.id), codes=[tree.path(n.id) for n in scaled],
        rows_by=str(row_dimension), columns_by=str(column_dimension), scale=scale,
        rows=list(row_units.order), columns=list(column_units.order),
        cells={row: {column: _stats(column, per_cell.get((row, column), []), scale) for column in column_units.order}
               for row in row_units.order},
        row_totals={row: _stats(row, per_row.get(row, []), scale) for row in row_units.order},
        column_totals={column: _stats(column, per_column.get(column, []), scale) for column in column_units.order},
        total=_stats("total", every, scale),
        start=cols.phase_start(session, "phase") if "phase" in (row_dimension.name, column_dimension.name) else None,
    )
