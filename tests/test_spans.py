"""Sentence context in one pass gives exactly what two calls of `sentence` give."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fieldnotes.coding import spans

PIECES = ["Jeg tror på det", ".", ". ", "! ", "? ", "… ", "f.eks. ", "bl.a. ", "kl. 10. ", "nr. 3 ", "A. ", "æøå ",
          "\n", "\n\n", "[00:01:12] Mette: ", "I: ", "IP: ", "Søren får et job", " ", "»Ja.« ", "(pause.) ", "12. "]
TEXTS = st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map("".join)


@given(TEXTS, st.data(), st.booleans())
def test_sentences_around_is_two_sentence_calls(text: str, data: st.DataObject, transcript: bool) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    expected = (spans.sentence(text, start, transcript=transcript)[0],
                spans.sentence(text, max(start, end - 1), transcript=transcript)[1])
    assert spans.sentences_around(text, start, end, transcript=transcript) == expected


def test_a_worked_example() -> None:
    text = "IP: Ja, f.eks. i går. Jeg tror på, at Søren får et job på lageret. Det gør jeg.\nNæste linje."
    start = text.index("Søren")
    end = start + len("Søren får et job")
    a, b = spans.sentences_around(text, start, end, transcript=True)
    assert text[a:b] == "Jeg tror på, at Søren får et job på lageret."
