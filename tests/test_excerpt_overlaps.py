"""The index that finds the codings overlapping an excerpt, against the obvious scan."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fieldnotes.coding.excerpts import _OverlapIndex

SPANS = st.lists(st.tuples(st.integers(0, 400), st.integers(1, 300), st.sampled_from("abcdef")), max_size=40)


@given(SPANS, st.integers(0, 450), st.integers(1, 200))
def test_the_index_finds_what_a_scan_finds(spans: list[tuple[int, int, str]], start: int, length: int) -> None:
    codings = [(s, s + n, code) for s, n, code in spans]  # long and short, nested, touching, repeated
    end = start + length
    expected = {code for s, e, code in codings if s < end and e > start}
    assert _OverlapIndex(codings).codes(start, end) == expected
