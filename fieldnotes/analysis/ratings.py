"""Ratings on a code's scale (the belief in a citizen's job chance, 1-5) per municipality or phase.

A code's ratings include those of its descendants that have a scale of their own (for example
"Tro på borgerens jobchance" with its sub-code "Specifik tro"), unless `descendants=False`. A code
without a scale whose descendants have none is refused: there is nothing to summarise. Codings
without a rating are left out. A document in several municipalities counts in each column; the total
counts every rating once.
"""

from __future__ import annotations

import dataclasses
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

    def column(self, label: str) -> RatingStats:
        for stats in self.columns:
            if stats.label == label:
                return stats
        raise InvalidInput(f"no column {label!r}", hint="columns: " + ", ".join(s.label for s in self.columns))

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
        raise InvalidInput(f"{tree.path(node.id)!r} has no rating scale, so it has no ratings",
                           hint=("codes with a scale: " + "; ".join(others)) if others else
                           "give a code a scale with `fieldnotes codebook add NAME --scale 1:5`")
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
        total=_stats("total", every, scale),
    )
