"""Checking declared patterns (examples/demo/patterns.yaml) against a project, through the analysis.

The demo material promises what a project lead should see in it; these checks keep the promise
honest, and they are computed with the same functions a lead uses (`matrix`, `ratings`), so a pattern
that holds here is a pattern the lead can find. Types, as the patterns file defines them:

- `dominant_area`: in `municipality`, the top-level code `area` has at least `margin` times as many
  codings (its theme: the code and its descendants) as any other of the areas: the pattern's `areas`,
  which `load_patterns` takes from the file's top-level `areas` list (the study's four areas, not the
  cross-cutting "Tro på borgerens jobchance"); without such a list, every other top-level code.
- `present_everywhere`: every code in `areas` has at least `min` codings (with descendants) in every
  municipality that has documents.
- `rating_trend`: the mean rating of `code` (with its scaled descendants) in `municipality` moves from
  phase `from_phase` to phase `to_phase` by at least `min_change` (`direction: rising`) or by at most
  `max_change` either way (`direction: flat`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from fieldnotes.analysis.columns import NONE
from fieldnotes.analysis.matrix import matrix
from fieldnotes.analysis.ratings import ratings
from fieldnotes.codebook.tree import CodeTree
from fieldnotes.errors import InvalidInput
from fieldnotes.filters import Filters

TYPES = ("dominant_area", "present_everywhere", "rating_trend")


def _need(pattern: dict[str, Any], *keys: str) -> list[Any]:
    missing = [key for key in keys if key not in pattern]
    if missing:
        raise InvalidInput(f"the {pattern.get('type')} pattern lacks {', '.join(missing)}: {pattern}")
    return [pattern[key] for key in keys]


def _area_counts(session: Session) -> tuple[dict[str, dict[str, int]], list[str]]:
    """Codings per top-level code (with descendants) per municipality, and the municipalities."""
    table = matrix(session, Filters(), "municipality", "codings", rollup=True)
    tree = CodeTree.load(session)
    tops = [tree.path(node.id) for node in tree.children.get(None, [])]
    counts = {top: {label: int(table.cells[top][label]) for label in table.columns} for top in tops}
    return counts, [label for label in table.columns if label != NONE]


def _area_path(session: Session, name: str) -> str:
    tree = CodeTree.load(session)
    node = tree.resolve(name)
    if node.parent_id is not None:
        raise InvalidInput(f"{tree.path(node.id)!r} is not a top-level code (an area)")
    return tree.path(node.id)


def _municipality(labels: list[str], name: str) -> str:
    for label in labels:
        if label.casefold() == str(name).casefold():
            return label
    raise InvalidInput(f"no municipality {name!r} in the project", hint="known: " + ", ".join(labels))


def check_pattern(session: Session, pattern: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    """Whether the project shows the pattern, and what was observed (the numbers behind the verdict)."""
    kind = pattern.get("type")
    if kind == "present_everywhere":
        areas, least = _need(pattern, "areas", "min")
        counts, municipalities = _area_counts(session)
        observed: dict[str, Any] = {"counts": {}, "short": []}
        for area in areas:
            path = _area_path(session, area)
            observed["counts"][path] = {m: counts[path][m] for m in municipalities}
            observed["short"] += [f"{path} in {m}" for m in municipalities if counts[path][m] < least]
        return not observed["short"] and bool(municipalities), observed
    if kind == "dominant_area":
        name, area, margin = _need(pattern, "municipality", "area", "margin")
        counts, municipalities = _area_counts(session)
        municipality = _municipality(municipalities, name)
        path = _area_path(session, area)
        compared = [_area_path(session, a) for a in pattern["areas"]] if pattern.get("areas") else list(counts)
        column = {top: counts[top][municipality] for top in dict.fromkeys([path, *compared])}
        others = [n for top, n in column.items() if top != path]
        runner_up = max(others, default=0)
        ratio = column[path] / runner_up if runner_up else float("inf") if column[path] else 0.0
        observed = {"municipality": municipality, "counts": column, "ratio": ratio}
        return column[path] > runner_up and ratio >= float(margin), observed
    if kind == "rating_trend":
        code, name, first, last, direction = _need(pattern, "code", "municipality", "from_phase", "to_phase",
                                                    "direction")
        found = ratings(session, code, Filters(municipalities=[name]), by="phase")
        means = {s.label: s.mean for s in found.columns}
        before, after = means.get(str(first)), means.get(str(last))
        observed = {"municipality": name, "means": means, "from": before, "to": after}
        if before is None or after is None:
            observed["change"] = None
            return False, observed
        change = after - before
        observed["change"] = change
        if direction == "rising":
            return change >= float(_need(pattern, "min_change")[0]), observed
        if direction == "flat":
            return abs(change) <= float(_need(pattern, "max_change")[0]), observed
        raise InvalidInput(f"a rating_trend's direction is rising or flat, not {direction!r}")
    raise InvalidInput(f"unknown pattern type {kind!r}", hint="types: " + ", ".join(TYPES))


def load_patterns(path: Path) -> list[dict[str, Any]]:
    """The patterns of a patterns file; a dominant_area without `areas` gets the file's `areas` list."""
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    patterns = data.get("patterns") or []
    if not isinstance(patterns, list) or not all(isinstance(p, dict) for p in patterns):
        raise InvalidInput(f"{Path(path).name}: 'patterns' must be a list of mappings")
    areas = data.get("areas")
    return [{**p, "areas": areas} if p.get("type") == "dominant_area" and areas and "areas" not in p else dict(p)
            for p in patterns]


def check_patterns(session: Session,
                   patterns: list[dict[str, Any]]) -> list[tuple[dict[str, Any], bool, dict[str, Any]]]:
    return [(pattern, *check_pattern(session, pattern)) for pattern in patterns]
