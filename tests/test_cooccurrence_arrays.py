"""Co-occurrence counted with arrays, against the plain walk through each document's codings."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fieldnotes.analysis.cooccurrence import _Codings, _in_units, _overlap_pairs, _overlaps, _tally, _unit_pairs
from fieldnotes.analysis.scope import Grouped

CODES = "abcdef"
CODING = st.tuples(st.integers(0, 120), st.integers(1, 60), st.sampled_from(CODES))
UNIT_BREAKS = st.lists(st.integers(1, 170), max_size=8)  # where a document's units (turns, lines) begin
DOCUMENT = st.tuples(st.lists(CODING, max_size=14), UNIT_BREAKS, st.booleans())


def plain(documents: dict[str, list[tuple[int, int, str]]], meetings: Any) -> dict[tuple[str, str], tuple[int, int]]:
    """(code a, code b) -> (meetings, documents), from the generator the pair excerpts use."""
    counts: Counter[tuple[str, str]] = Counter()
    where: dict[tuple[str, str], set[str]] = defaultdict(set)
    for doc, _unit, a, b, _x, _y in meetings:
        pair = (min(a, b), max(a, b))
        counts[pair] += 1
        where[pair].add(doc)
    return {pair: (n, len(where[pair])) for pair, n in counts.items()}


def arrays(documents: dict[str, list[tuple[int, int, str]]], units: dict[str, tuple[list[int], list[int]]] | None,
           ) -> dict[tuple[str, str], tuple[int, int]]:
    groups = {doc: ([s for s, _, _ in items], [e for _, e, _ in items], [c for _, _, c in items])
              for doc, items in documents.items() if items}
    grouped = Grouped(None, ("start", "end", "code"), groups, None, None)  # type: ignore[arg-type]
    place = {code: index for index, code in enumerate(CODES)}
    width = len(CODES)
    codings = _Codings(grouped, place)
    met = _overlap_pairs(codings, width) if units is None else _unit_pairs(codings, units, width)
    keys, counts, docs = _tally(met, len(groups))
    return {(CODES[k // width], CODES[k % width]): (int(n), int(d)) for k, n, d in zip(keys.tolist(), counts, docs,
                                                                                     strict=True)}


@given(st.lists(DOCUMENT, max_size=5))
def test_arrays_count_what_the_plain_walk_counts(drawn: list[tuple[list[tuple[int, int, str]], list[int], bool]],
                                                 ) -> None:
    documents = {f"d{i}": [(s, s + n, code) for s, n, code in codings] for i, (codings, _, _) in enumerate(drawn)}
    units: dict[str, tuple[list[int], list[int]]] = {}
    for i, (_, breaks, gaps) in enumerate(drawn):
        starts = sorted({0, *breaks})
        # units that touch (lines, turns back to back) or leave gaps (text between turns)
        ends = [(b - 2 if gaps else b) for b in starts[1:]] + [200]
        units[f"d{i}"] = (starts, [max(s, e) for s, e in zip(starts, ends, strict=True)])
    plain_groups = {doc: [(s, e, c, None) for s, e, c in items] for doc, items in documents.items()}
    with_ids = {doc: [(s, e, c, (doc, n)) for n, (s, e, c) in enumerate(items)] for doc, items in documents.items()}
    assert arrays(documents, None) == plain(documents, _overlaps(with_ids))
    assert arrays(documents, units) == plain(documents, _in_units(plain_groups, units))


def test_nothing_to_count() -> None:
    assert arrays({}, None) == {} and arrays({"d": []}, {"d": ([0], [10])}) == {}
