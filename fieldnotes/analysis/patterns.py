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
- `phase_shift` (the phase matrix): the share of the codings in the `early` phases (a list) that are
  codings of `code` (with its descendants), against the same share in the `late` phases, falls
  (`direction: falling`: early share >= `factor` x late share) or rises (`rising`: late >= `factor` x
  early). Shares, not counts, because the phases hold different amounts of material. In `municipality`
  when given, else in the whole project.
- `cooccurs` (co-occurrence): the codes `a` and `b` meet (`within`: overlap, turn or paragraph; default
  overlap) at least `min` times, in at least `min_documents` documents (default 1); with `top: N`,
  fewer than N other pairs meet as often or more often.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from fieldnotes.analysis.columns import NONE
from fieldnotes.analysis.cooccurrence import WITHIN, cooccurrence
from fieldnotes.analysis.matrix import matrix
from fieldnotes.analysis.ratings import ratings
from fieldnotes.codebook.tree import CodeTree
from fieldnotes.errors import InvalidInput
from fieldnotes.queries.filters import Filters
from fieldnotes.translations import _

TYPES = ("dominant_area", "present_everywhere", "rating_trend", "phase_shift", "cooccurs")


def _need(pattern: dict[str, Any], *keys: str) -> list[Any]:
    missing = [key for key in keys if key not in pattern]
    if missing:
        raise InvalidInput(_("the {pattern} pattern lacks {missing}: {given}")
                           .format(pattern=pattern.get('type'), missing=', '.join(missing), given=pattern))
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
        raise InvalidInput(_("{path!r} is not a top-level code (an area)").format(path=tree.path(node.id)))
    return tree.path(node.id)


def _municipality(labels: list[str], name: str) -> str:
    for label in labels:
        if label.casefold() == str(name).casefold():
            return label
    raise InvalidInput(_("no municipality {name!r} in the project")
                       .format(name=name), hint=_("known: {names}").format(names=", ".join(labels)))


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
        raise InvalidInput(_("a rating_trend's direction is rising or flat, not {direction!r}")
                           .format(direction=direction))
    if kind == "phase_shift":
        return _phase_shift(session, pattern)
    if kind == "cooccurs":
        return _cooccurs(session, pattern)
    raise InvalidInput(_("unknown pattern type {kind!r}").format(kind=kind), hint=_("types: {names}")
                       .format(names=", ".join(TYPES)))


def _phases(pattern: dict[str, Any], key: str) -> list[str]:
    value = _need(pattern, key)[0]
    phases = value if isinstance(value, list) else [value]
    if not phases or not all(isinstance(p, int) and not isinstance(p, bool) and p > 0 for p in phases):
        raise InvalidInput(_("a phase_shift's {key} is a list of phase numbers (1, 2, ...), not {value!r}")
                           .format(key=key, value=value))
    return [str(p) for p in phases]


def _phase_shift(session: Session, pattern: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    code, direction, factor = _need(pattern, "code", "direction", "factor")
    early, late = _phases(pattern, "early"), _phases(pattern, "late")
    if direction not in ("falling", "rising"):
        raise InvalidInput(_("a phase_shift's direction is falling or rising, not {direction!r}")
                           .format(direction=direction))
    name = pattern.get("municipality")
    table = matrix(session, Filters(municipalities=[str(name)] if name else []), "phase", "codings", rollup=True)
    tree = CodeTree.load(session)
    path = tree.path(tree.resolve(str(code)).id)
    row = table.cells.get(path, {})

    def share(phases: list[str]) -> tuple[int, int, float]:
        count = sum(int(row.get(p, 0)) for p in phases)
        total = sum(int(table.column_totals.get(p, 0)) for p in phases)
        return count, total, count / total if total else 0.0

    (early_n, early_total, before), (late_n, late_total, after) = share(early), share(late)
    observed: dict[str, Any] = {
        "municipality": name, "code": path, "early": {"codings": early_n, "of": early_total, "share": before},
        "late": {"codings": late_n, "of": late_total, "share": after}}
    if not early_total or not late_total:
        return False, observed
    high, low = (before, after) if direction == "falling" else (after, before)
    observed["factor"] = high / low if low else float("inf") if high else 0.0
    return high > low and high >= float(factor) * low, observed


def _cooccurs(session: Session, pattern: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    a, b, least = _need(pattern, "a", "b", "min")
    within = str(pattern.get("within", "overlap"))
    if within not in WITHIN:
        raise InvalidInput(_("a cooccurs pattern's within is one of {WITHIN}, not {within!r}")
                           .format(WITHIN=', '.join(WITHIN), within=within))
    tree = CodeTree.load(session)
    ids = {tree.resolve(str(a)).id, tree.resolve(str(b)).id}
    if len(ids) != 2:
        raise InvalidInput(_("a cooccurs pattern names two different codes, not {a!r} twice").format(a=a))
    found = cooccurrence(session, Filters(), within)
    pair = next((p for p in found.pairs if {p.code_a, p.code_b} == ids), None)
    count, documents = (pair.count, pair.documents) if pair else (0, 0)
    rank = 1 + sum(1 for p in found.pairs if p is not pair and p.count >= count)
    observed = {"pair": sorted(tree.path(i) for i in ids), "within": within, "count": count,
                "documents": documents, "rank": rank}
    held = count >= int(least) and documents >= int(pattern.get("min_documents", 1)) and count > 0
    if pattern.get("top") is not None:
        held = held and rank <= int(pattern["top"])
    return held, observed


def load_patterns(path: Path) -> list[dict[str, Any]]:
    """The patterns of a patterns file; a dominant_area without `areas` gets the file's `areas` list."""
    from fieldnotes import safeyaml

    data = safeyaml.load(Path(path).read_text(encoding="utf-8"), Path(path).name, what=_("the patterns file"),
                         hint=_("write it as examples/demo/patterns.yaml is written"), loader=safeyaml.FewAliases) or {}
    patterns = data.get("patterns") or []
    if not isinstance(patterns, list) or not all(isinstance(p, dict) for p in patterns):
        raise InvalidInput(_("{name}: 'patterns' must be a list of mappings").format(name=Path(path).name))
    areas = data.get("areas")
    return [{**p, "areas": areas} if p.get("type") == "dominant_area" and areas and "areas" not in p else dict(p)
            for p in patterns]
