"""Spans: sentence context in one pass gives exactly what two calls of `sentence` give; speaker labels
and header lines are not part of what a speaker says."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldnotes.coding import spans
from fieldnotes.documents.turns import find_turns, words_start

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


SERVICE = ("Interview med borger\n\nSøren Ærø  00:01:02\nJa, det gør jeg. Søren tror på det.\n\n"
           "Speaker 2  00:02:16\nHej med dig.\nAnden linje.\n\nSpeaker 2 00:02:30\nOgså dette.\n\n"
           "Søren Ærø  00:03:00\nSlut.")


def test_a_header_line_alone_is_not_part_of_the_turn() -> None:
    turns = find_turns(SERVICE)
    assert [t.speaker for t in turns] == ["Søren Ærø", "Speaker 2", "Søren Ærø"]
    first, second, last = turns
    a, b = spans.turn_content(SERVICE, first.start, first.end)
    assert SERVICE[a:b] == "Ja, det gør jeg. Søren tror på det."
    a, b = spans.turn_content(SERVICE, last.start, last.end)
    assert SERVICE[a:b] == "Slut."
    # two turns by one speaker are stored as one: the second header line is inside it
    a, b = spans.turn_content(SERVICE, second.start, second.end)
    assert SERVICE[a:b].startswith("Hej med dig.") and SERVICE[a:b].endswith("Også dette.")
    parts = [SERVICE[a:b] for a, b in spans.turn_parts(SERVICE, second.start, second.end)]
    assert parts == ["Hej med dig.\nAnden linje.", "Også dette."]
    inside = SERVICE.index("gør")
    a, b = spans.widen(SERVICE, inside, inside + 3, "turn", turns)
    assert SERVICE[a:b] == "Ja, det gør jeg. Søren tror på det."
    a, b = spans.sentence(SERVICE, SERVICE.index("Søren tror"), transcript=True)
    assert SERVICE[a:b] == "Søren tror på det."


@pytest.mark.parametrize("line, words", [
    ("Søren Ærø  00:01:02", ""),
    ("Speaker 2 00:02:16", ""),
    ("Taler 1  [00:02:16]", ""),
    ("[00:12:31 --> 00:12:40] Mette (leder): Ja tak.", "Ja tak."),
    ("(00:12:31) IP: Nej.", "Nej."),
    ("00:12:31 Ja, fortsat.", "Ja, fortsat."),
    ("R: Øh, ja.", "Øh, ja."),
    ("Det var kl. 10:30 at vi mødtes.", "Det var kl. 10:30 at vi mødtes."),
])
def test_where_a_lines_words_start_is_the_import_rule(line: str, words: str) -> None:
    text = "x\n" + line + "\ny"
    start, end = 2, 2 + len(line)
    assert text[words_start(text, start, end):end] == words
    assert text[spans.content_start(text, start, end):end] == (words or line)  # a header alone is kept whole
