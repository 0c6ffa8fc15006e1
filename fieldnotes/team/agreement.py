"""Inter-coder agreement: percent agreement, Cohen's κ and Krippendorff's α, per code and pooled.

Three units, always stated in the output beside the raw counts, because a coefficient means little
without them:

- character: per code and document, every character is coded by a coder or not. a = both coded,
  b = only the first coder, c = only the second, d = neither; summed over the documents compared.
- segment: a coder's (merged) codings of a code are segments; two segments match when they overlap
  by at least `overlap` percent of the two together (MAXQDA's rule). a = matched pairs, b and c =
  unmatched segments. There is no "neither" cell, so only percent agreement is defined.
- document: per code, is the code present in the document (any coding) or not.

The documents compared are those that every compared coder has coded at least once (with any
code); `n` counts their characters (or documents) once per code. A coder's overlapping codings of one
code count each character once: spans are merged into disjoint intervals and counted with interval
arithmetic, never with per-character sets, so a 500,000-character document costs no more than its
codings. Cohen's κ is the standard formula (NVivo's; QualCoder multiplies where it should add).
"""

from __future__ import annotations

import itertools
import uuid
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.codebook.tree import CodeTree
from fieldnotes.db.models import Coder, Coding, Document
from fieldnotes.errors import InvalidInput, NotFound
from fieldnotes.translations import _

UNITS = ("character", "segment", "document")
DEFAULT_OVERLAP = 90.0
Interval = tuple[int, int]


# --- interval arithmetic -----------------------------------------------------------------------


def merge_intervals(spans: Iterable[Interval]) -> list[Interval]:
    """Disjoint, sorted intervals covering the same characters (overlapping or touching spans join)."""
    out: list[list[int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def total_length(intervals: Iterable[Interval]) -> int:
    return sum(end - start for start, end in intervals)


def intersection_length(first: Sequence[Interval], second: Sequence[Interval]) -> int:
    """Characters in both of two merged interval lists (a two-pointer walk)."""
    i = j = total = 0
    while i < len(first) and j < len(second):
        start = max(first[i][0], second[j][0])
        end = min(first[i][1], second[j][1])
        if end > start:
            total += end - start
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return total


def difference(first: Sequence[Interval], second: Sequence[Interval]) -> list[Interval]:
    """The runs of `first` not covered by `second` (both merged)."""
    out: list[Interval] = []
    j = 0
    for start, end in first:
        cursor = start
        while j < len(second) and second[j][1] <= cursor:
            j += 1
        k = j
        while k < len(second) and second[k][0] < end:
            if second[k][0] > cursor:
                out.append((cursor, second[k][0]))
            cursor = max(cursor, second[k][1])
            if cursor >= end:
                break
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def coverage_histogram(per_coder: Sequence[Sequence[Interval]], length: int) -> list[int]:
    """h[j] = characters of a text of `length` covered by exactly j of the coders (merged lists)."""
    edges: list[tuple[int, int]] = []
    for intervals in per_coder:
        for start, end in intervals:
            edges.append((start, 1))
            edges.append((end, -1))
    edges.sort()
    histogram = [0] * (len(per_coder) + 1)
    depth, position = 0, 0
    for point, step in edges:
        if point > position:
            histogram[depth] += point - position
            position = point
        depth += step
    histogram[0] += max(0, length - position)
    return histogram


# --- coefficients ------------------------------------------------------------------------------


def percent_agreement(a: int, b: int, c: int, d: int) -> float | None:
    """(a + d) / N as a percentage; None when nothing was compared."""
    n = a + b + c + d
    return None if n == 0 else 100.0 * (a + d) / n


def cohen_kappa(a: int, b: int, c: int, d: int) -> float | None:
    """Cohen's κ of a 2×2 table; None when it is undefined (nothing compared, or P_e = 1)."""
    n = a + b + c + d
    if n == 0:
        return None
    observed = (a + d) / n
    expected = ((a + b) * (a + c) + (c + d) * (b + d)) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def alpha_from_coincidences(coincidences: Mapping[tuple[Hashable, Hashable], float]) -> float | None:
    """Krippendorff's α (nominal) from a coincidence matrix o[c, k]; None when every value is the same."""
    totals: Counter[Hashable] = Counter()
    disagreeing = 0.0
    for (first, second), weight in coincidences.items():
        totals[first] += weight  # type: ignore[assignment]
        if first != second:
            disagreeing += weight
    n = sum(totals.values())
    expected = n * n - sum(value * value for value in totals.values())  # sum over c != k of n_c n_k
    if n <= 1 or expected <= 0:
        return None
    return 1.0 - (n - 1) * disagreeing / expected


def krippendorff_alpha(units: Iterable[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's α for nominal data: one row per unit, one value per coder, None where missing.

    Units with fewer than two values are not pairable and are left out, as the method prescribes.
    """
    coincidences: Counter[tuple[Hashable, Hashable]] = Counter()
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        for i, j in itertools.permutations(range(m), 2):
            coincidences[(values[i], values[j])] += 1.0 / (m - 1)  # type: ignore[assignment]
    return alpha_from_coincidences(coincidences)


def alpha_binary(histogram: Sequence[int]) -> float | None:
    """α (nominal) of present/absent data with no missing values, from h[j] = units that j coders marked.

    The same as `krippendorff_alpha` on the units spelled out, but in O(coders), so every character
    of a corpus can be a unit.
    """
    coders = len(histogram) - 1
    if coders < 2:
        return None
    cross = sum(h * j * (coders - j) for j, h in enumerate(histogram)) / (coders - 1)  # o[1,0] = o[0,1]
    ones = sum(h * j for j, h in enumerate(histogram))
    zeros = sum(h * (coders - j) for j, h in enumerate(histogram))
    n = ones + zeros
    if n <= 1 or ones == 0 or zeros == 0:
        return None
    return 1.0 - (n - 1) * cross / (ones * zeros)


def match_segments(first: Sequence[Interval], second: Sequence[Interval], overlap: float) -> int:
    """How many segments of `first` pair one-to-one with a segment of `second` overlapping by at least
    `overlap` percent of the two together (best overlaps pair first)."""
    candidates: list[tuple[float, int, int]] = []
    for i, (s1, e1) in enumerate(first):
        for j, (s2, e2) in enumerate(second):
            if s2 >= e1:
                break
            common = min(e1, e2) - max(s1, s2)
            if common <= 0:
                continue
            ratio = 100.0 * common / (max(e1, e2) - min(s1, s2))
            if ratio + 1e-9 >= overlap:
                candidates.append((-ratio, i, j))
    candidates.sort()
    used_first: set[int] = set()
    used_second: set[int] = set()
    for _ratio, i, j in candidates:
        if i not in used_first and j not in used_second:
            used_first.add(i)
            used_second.add(j)
    return len(used_first)


# --- results -----------------------------------------------------------------------------------


@dataclass
class Counts:
    """A 2×2 table (d is None where the unit has no 'neither' cell) and what it gives."""

    a: int = 0
    b: int = 0
    c: int = 0
    d: int | None = 0

    def add(self, other: Counts) -> None:
        self.a += other.a
        self.b += other.b
        self.c += other.c
        self.d = None if self.d is None or other.d is None else self.d + other.d

    @property
    def n(self) -> int:
        return self.a + self.b + self.c + (self.d or 0)

    def percent(self) -> float | None:
        if self.d is None:
            compared = self.a + self.b + self.c
            return None if compared == 0 else 100.0 * self.a / compared
        return percent_agreement(self.a, self.b, self.c, self.d)

    def kappa(self) -> float | None:
        return None if self.d is None else cohen_kappa(self.a, self.b, self.c, self.d)

    def as_dict(self) -> dict[str, Any]:
        return {"kappa": self.kappa(), "percent": self.percent(), "a": self.a, "b": self.b, "c": self.c,
                "d": self.d, "n": self.n}


@dataclass
class CodeResult:
    code_id: uuid.UUID | None
    code_path: str
    pairs: dict[tuple[int, int], Counts] = field(default_factory=dict)
    histogram: list[int] = field(default_factory=list)  # character/document units: h[j]
    units: int = 0  # characters or documents compared (n), or segments for the segment unit

    def add(self, other: CodeResult) -> None:
        for pair, counts in other.pairs.items():
            self.pairs.setdefault(pair, Counts(d=counts.d if counts.d is None else 0)).add(counts)
        if other.histogram:
            if not self.histogram:
                self.histogram = [0] * len(other.histogram)
            self.histogram = [x + y for x, y in zip(self.histogram, other.histogram, strict=True)]
        self.units += other.units

    def as_dict(self, names: list[str], unit: str) -> dict[str, Any]:
        coders = len(names)
        out: dict[str, Any] = {"code": str(self.code_id) if self.code_id else None, "code_path": self.code_path}
        alpha = alpha_binary(self.histogram) if unit != "segment" and self.histogram else None
        if coders == 2:
            counts = self.pairs.get((0, 1), Counts(d=None if unit == "segment" else 0))
            out.update(counts.as_dict())
            out["alpha"] = alpha
            return out
        percent = None  # segments: agreement of more than two coders is given per pair
        if unit != "segment":
            total = sum(self.histogram)
            percent = None if total == 0 else 100.0 * (self.histogram[0] + self.histogram[-1]) / total
        out.update({"kappa": None, "percent": percent, "alpha": alpha, "a": None, "b": None, "c": None,
                    "d": None, "n": self.units})
        out["pairs"] = [{"coders": [names[i], names[j]], **counts.as_dict()}
                        for (i, j), counts in sorted(self.pairs.items())]
        return out


@dataclass
class AgreementReport:
    unit: str
    coders: list[str]
    documents: list[uuid.UUID]
    codes: list[CodeResult]
    pooled: CodeResult
    overlap: float | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"unit": self.unit, "coders": self.coders, "documents": len(self.documents)}
        if self.overlap is not None:
            out["overlap"] = self.overlap
        out["codes"] = [c.as_dict(self.coders, self.unit) for c in self.codes]
        pooled = self.pooled.as_dict(self.coders, self.unit)
        pooled.pop("code")
        pooled["code_path"] = None
        out["pooled"] = pooled
        return out


# --- the project-level entry point ---------------------------------------------------------------


def resolve_coders(session: Session, names: Sequence[str]) -> list[tuple[uuid.UUID, str]]:
    """Coders by name (as typed on any laptop: trimmed, case-folded), each known to the project."""
    from fieldnotes.db.coders import coder_id, normalise_name

    known = dict(session.execute(select(Coder.id, Coder.name)).all())
    out: list[tuple[uuid.UUID, str]] = []
    for name in names:
        cid = coder_id(normalise_name(name))
        if cid not in known:
            raise NotFound(_("no coder {name!r} in this project").format(name=name),
                           hint=_("coders: {names}").format(names=", ".join(sorted(known.values()))) if known else None)
        if any(cid == seen for seen, _ in out):
            raise InvalidInput(_("the coder {name!r} is named twice")
                               .format(name=name), hint=_("compare different coders"))
        out.append((cid, known[cid]))
    if len(out) < 2:
        raise InvalidInput(_("agreement needs at least two coders"),
                           hint=_("for example --coders 'Anna Krogh,Jonas Bech'"))
    return out


def compared_documents(session: Session, coder_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """The documents every one of the coders has coded at least once (with any code)."""
    rows = session.execute(select(Coding.document_id, Coding.coder_id).where(Coding.coder_id.in_(coder_ids))
                           .distinct()).all()
    by_doc: dict[uuid.UUID, set[uuid.UUID]] = {}
    for doc_id, cid in rows:
        by_doc.setdefault(doc_id, set()).add(cid)
    wanted = set(coder_ids)
    return sorted(doc for doc, who in by_doc.items() if who >= wanted)


def scope_codes(session: Session, tree: CodeTree, codes: Sequence[str] | None) -> set[uuid.UUID] | None:
    """The codes asked for with their sub-codes, or None for every code."""
    if not codes:
        return None
    out: set[uuid.UUID] = set()
    for name in codes:
        out.update(tree.descendants(tree.resolve(name).id))
    return out


def spans_by_code(session: Session, documents: Sequence[uuid.UUID], coder_ids: Sequence[uuid.UUID],
                  codes: set[uuid.UUID] | None) -> dict[uuid.UUID, dict[uuid.UUID, list[list[Interval]]]]:
    """code -> document -> per coder (in the order given) merged intervals."""
    position = {cid: i for i, cid in enumerate(coder_ids)}
    raw: dict[uuid.UUID, dict[uuid.UUID, list[list[Interval]]]] = {}
    for chunk_start in range(0, len(documents), 500):
        chunk = list(documents[chunk_start : chunk_start + 500])
        query = select(Coding.code_id, Coding.document_id, Coding.coder_id, Coding.start, Coding.end).where(
            Coding.document_id.in_(chunk), Coding.coder_id.in_(list(coder_ids)))
        for code_id, doc_id, cid, start, end in session.execute(query):
            if codes is not None and code_id not in codes:
                continue
            per_doc = raw.setdefault(code_id, {})
            lists = per_doc.setdefault(doc_id, [[] for _ in coder_ids])
            lists[position[cid]].append((start, end))
    for per_doc in raw.values():
        for lists in per_doc.values():
            for index, spans in enumerate(lists):
                lists[index] = merge_intervals(spans)
    return raw


def _character_result(result: CodeResult, per_doc: Mapping[uuid.UUID, list[list[Interval]]],
                      lengths: Mapping[uuid.UUID, int], coders: int) -> None:
    result.histogram = [0] * (coders + 1)
    pairs = list(itertools.combinations(range(coders), 2))
    uncoded = 0  # characters of documents where nobody used the code: all in the "neither" cell
    for doc_id, length in lengths.items():
        lists = per_doc.get(doc_id)
        if not lists or not any(lists):
            uncoded += length
            continue
        histogram = coverage_histogram(lists, length)
        result.histogram = [x + y for x, y in zip(result.histogram, histogram, strict=True)]
        result.units += length
        sizes = [total_length(spans) for spans in lists]
        for i, j in pairs:
            both = intersection_length(lists[i], lists[j])
            only_i, only_j = sizes[i] - both, sizes[j] - both
            result.pairs.setdefault((i, j), Counts()).add(Counts(both, only_i, only_j, length - both - only_i - only_j))
    if uncoded or (lengths and not result.pairs):
        result.histogram[0] += uncoded
        result.units += uncoded
        for pair in pairs:
            result.pairs.setdefault(pair, Counts()).add(Counts(0, 0, 0, uncoded))


def _document_result(result: CodeResult, per_doc: Mapping[uuid.UUID, list[list[Interval]]],
                     documents: Sequence[uuid.UUID], coders: int) -> None:
    result.histogram = [0] * (coders + 1)
    pairs = list(itertools.combinations(range(coders), 2))
    absent = 0  # documents where nobody used the code
    for doc_id in documents:
        lists = per_doc.get(doc_id)
        present = [bool(spans) for spans in lists] if lists else []
        if not any(present):
            absent += 1
            continue
        result.histogram[sum(present)] += 1
        result.units += 1
        for i, j in pairs:
            cell = Counts(int(present[i] and present[j]), int(present[i] and not present[j]),
                          int(present[j] and not present[i]), int(not present[i] and not present[j]))
            result.pairs.setdefault((i, j), Counts()).add(cell)
    if absent:
        result.histogram[0] += absent
        result.units += absent
        for pair in pairs:
            result.pairs.setdefault(pair, Counts()).add(Counts(0, 0, 0, absent))


def _segment_result(result: CodeResult, per_doc: Mapping[uuid.UUID, list[list[Interval]]], coders: int,
                    overlap: float) -> None:
    for lists in per_doc.values():
        for i, j in itertools.combinations(range(coders), 2):
            matched = match_segments(lists[i], lists[j], overlap)
            cell = Counts(matched, len(lists[i]) - matched, len(lists[j]) - matched, None)
            result.pairs.setdefault((i, j), Counts(d=None)).add(cell)
        result.units += sum(len(spans) for spans in lists)


def agreement(session: Session, coder_names: Sequence[str], *, codes: Sequence[str] | None = None,
              unit: str = "character", overlap: float = DEFAULT_OVERLAP) -> AgreementReport:
    """Agreement between two or more coders, per code (tree order) and pooled over the codes."""
    if unit not in UNITS:
        raise InvalidInput(_("the unit {unit!r} is unknown")
                           .format(unit=unit), hint=_("use character, segment or document"))
    if not 0 < overlap <= 100:
        raise InvalidInput(_("the overlap {overlap:g} % is not between 0 and 100")
                           .format(overlap=overlap), hint=_("for example --overlap 90"))
    coders = resolve_coders(session, coder_names)
    coder_ids = [cid for cid, _ in coders]
    tree = CodeTree.load(session)
    wanted = scope_codes(session, tree, codes)
    documents = compared_documents(session, coder_ids)
    lengths = dict(session.execute(select(Document.id, Document.length).where(Document.id.in_(documents)))
                   .all()) if documents else {}
    spans = spans_by_code(session, documents, coder_ids, wanted)
    explicit = {tree.resolve(name).id for name in codes or ()}  # asked for by name: a row, used or not
    chosen = [node.id for node in tree.walk() if node.id in spans or node.id in explicit]
    results: list[CodeResult] = []
    pooled = CodeResult(None, "")
    for code_id in chosen:
        result = CodeResult(code_id, tree.path(code_id))
        per_doc = spans.get(code_id, {})
        if unit == "character":
            _character_result(result, per_doc, lengths, len(coders))
        elif unit == "document":
            _document_result(result, per_doc, documents, len(coders))
        else:
            _segment_result(result, per_doc, len(coders), overlap)
        results.append(result)
        pooled.add(result)
    if unit == "segment" and not pooled.pairs:
        for i, j in itertools.combinations(range(len(coders)), 2):
            pooled.pairs[(i, j)] = Counts(d=None)
    return AgreementReport(unit, [name for _, name in coders], documents, results, pooled,
                           overlap if unit == "segment" else None)
