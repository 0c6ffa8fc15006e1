"""Property: after any edit, codings in untouched text still cover exactly the same characters."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fieldnotes.coding.edit import OffsetMap, char_opcodes

ALPHABET = st.sampled_from([*list("abc æøåÆØÅ.\n😊é"), "å"])
texts = st.text(ALPHABET, min_size=1, max_size=300)


@st.composite
def edited(draw: st.DrawFn) -> tuple[str, str, list[tuple[int, int]]]:
    old = draw(texts)
    new = old
    for _ in range(draw(st.integers(1, 6))):
        a = draw(st.integers(0, len(new)))
        b = draw(st.integers(a, min(len(new), a + 20)))
        insert = draw(st.text(ALPHABET, max_size=15))
        new = new[:a] + insert + new[b:]
    spans = []
    for _ in range(draw(st.integers(1, 12))):
        s = draw(st.integers(0, len(old) - 1))
        e = draw(st.integers(s + 1, len(old)))
        spans.append((s, e))
    return old, new, spans


@given(edited())
def test_untouched_codings_cover_identical_text(case: tuple[str, str, list[tuple[int, int]]]) -> None:
    old, new, spans = case
    mapping = OffsetMap(char_opcodes(old, new))
    for start, end in spans:
        new_start = mapping.position(start, side="start")
        new_end = mapping.position(end, side="end")
        assert 0 <= new_start <= len(new) and 0 <= new_end <= len(new)
        if not mapping.touches(start, end):
            assert new[new_start:new_end] == old[start:end]


@given(texts, texts)
def test_opcodes_rebuild_the_new_text(old: str, new: str) -> None:
    rebuilt, position = [], 0
    for _tag, i1, i2, j1, j2 in char_opcodes(old, new):
        rebuilt.append(old[position:i1])
        rebuilt.append(new[j1:j2])
        position = i2
    rebuilt.append(old[position:])
    assert "".join(rebuilt) == new


def test_long_document_with_small_edits_is_local() -> None:
    old = "\n".join(f"Linje {i}: borgeren får sparring i Søholm." for i in range(3000))
    new = old.replace("Linje 1500:", "Linje 1500 (rettet):")
    ops = char_opcodes(old, new)
    assert len(ops) == 1 and ops[0][0] == "insert"
