"""Spans over document text: checking them, and widening a selection to a word, sentence, paragraph
or speaker turn. All offsets are code points over the stored text, end exclusive.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import Protocol

from fieldnotes.documents.turns import header, words_start
from fieldnotes.errors import InvalidInput
from fieldnotes.translations import _

UNITS = ("word", "sentence", "paragraph", "turn")

# abbreviations after which a full stop does not end a Danish (or English) sentence
_ABBREVIATIONS = {
    "f.eks", "fx", "bl.a", "dvs", "ca", "kl", "mht", "evt", "jf", "nr", "pga", "osv", "mv", "ift", "inkl",
    "ekskl", "hhv", "vedr", "tlf", "e.g", "i.e", "etc", "mr", "mrs", "dr", "st", "vs", "s", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "nov", "dec", "ggr", "årh", "mia", "mio",
}
_SENTENCE_END = re.compile(r"[.!?…]+[\"'»”’)\]]*(?=\s|$)")



class TurnLike(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


def check(length: int, start: int, end: int) -> None:
    if start < 0 or end > length or start >= end:
        raise InvalidInput(
            _("the span {start}:{end} is not within the document (0 ≤ start < end ≤ {length})").format(start=start,
                    end=end, length=length),
            hint=_("give START:END in characters, end exclusive"),
        )


def parse(text: str) -> tuple[int, int]:
    try:
        start_text, end_text = text.split(":", 1)
        return int(start_text), int(end_text)
    except ValueError:
        raise InvalidInput(_("the span {text!r} is not START:END")
                           .format(text=text), hint=_("for example --span 120:245")) from None


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch in "_-'’"


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop whitespace at both ends (a span never starts or ends in blanks)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a span so that it starts and ends on whole words."""
    start, end = trim(text, start, end)
    while start > 0 and _is_word(text[start - 1]) and start < len(text) and _is_word(text[start]):
        start -= 1
    while end < len(text) and _is_word(text[end]) and end > 0 and _is_word(text[end - 1]):
        end += 1
    return start, end


def paragraph(text: str, offset: int) -> tuple[int, int]:
    offset = max(0, min(offset, len(text)))
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end == -1 else end


def content_start(text: str, line_start: int, line_end: int) -> int:
    """Where a line's own words begin, after any timestamp and speaker label (as import finds turns,
    fieldnotes.documents.turns); a line that is nothing but a label and timestamp is kept whole."""
    start = words_start(text, line_start, line_end)
    return start if start < line_end else line_start


def _ends_sentence(text: str, body_start: int, match: re.Match[str]) -> bool:
    """Whether a full stop (or ?, !, …) ends a sentence: not after an abbreviation, an initial or a number."""
    if text[match.start()] != ".":
        return True
    word_end = match.start()
    word_start = max(body_start, text.rfind(" ", body_start, word_end) + 1)
    word = text[word_start:word_end]
    if not word.isprintable():  # a tab or another space than ' ' in it: find the word the long way
        word_start = word_end
        while word_start > body_start and not text[word_start - 1].isspace():
            word_start -= 1
        word = text[word_start:word_end]
    word = word.lower().rstrip(".")
    return not (word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or word.isdigit())


def sentence(text: str, offset: int, *, transcript: bool = False) -> tuple[int, int]:
    """The sentence around an offset, within its paragraph; abbreviations do not end sentences.

    In transcripts a line's timestamp and speaker label are not part of its first sentence.
    """
    par_start, par_end = paragraph(text, offset)
    body_start = content_start(text, par_start, par_end) if transcript else par_start
    start, end = body_start, par_end
    for match in _SENTENCE_END.finditer(text, body_start, par_end):
        if not _ends_sentence(text, body_start, match):
            continue
        if match.end() <= offset:
            start = match.end()
        else:
            end = match.end()
            break
    return trim(text, start, end)


def sentences_around(text: str, start: int, end: int, *, transcript: bool = False) -> tuple[int, int]:
    """Where the sentence holding `start` begins and the one holding the span's last character ends: the
    same as two calls of `sentence`, in one pass over the paragraph when the span lies within one (an
    excerpt's context is asked for 10,000 times in a row)."""
    last = max(start, end - 1)
    par_start, par_end = paragraph(text, start)
    if last > par_end:
        return sentence(text, start, transcript=transcript)[0], sentence(text, last, transcript=transcript)[1]
    body_start = content_start(text, par_start, par_end) if transcript else par_start
    first_start, first_end, last_start, last_end = body_start, par_end, body_start, par_end
    first_done = False
    for match in _SENTENCE_END.finditer(text, body_start, par_end):
        if not _ends_sentence(text, body_start, match):
            continue
        boundary = match.end()
        if boundary <= start:
            first_start = boundary
        elif not first_done:
            first_end, first_done = boundary, True
        if boundary <= last:
            last_start = boundary
        else:
            last_end = boundary
            break
    return trim(text, first_start, first_end)[0], trim(text, last_start, last_end)[1]


def turn(turns: Sequence[TurnLike], starts: Sequence[int], offset: int) -> tuple[int, int] | None:
    index = bisect.bisect_right(starts, offset) - 1
    if index < 0:
        return None
    found = turns[index]
    if found.start <= offset <= found.end:
        return found.start, found.end
    return None


def widen(text: str, start: int, end: int, unit: str, turns: Sequence[TurnLike] = ()) -> tuple[int, int]:
    """Grow [start, end) to whole units. Turns without transcript structure fall back to paragraphs."""
    if unit not in UNITS:
        raise InvalidInput(_("cannot widen to {unit!r}").format(unit=unit), hint=_("use one of {UNITS}")
                           .format(UNITS=', '.join(UNITS)))
    last = max(start, end - 1)
    transcript = bool(turns)
    if unit == "word":
        return snap_to_words(text, start, end)
    if unit == "sentence":
        a, b = sentence(text, start, transcript=transcript), sentence(text, last, transcript=transcript)
    elif unit == "paragraph":
        a, b = paragraph(text, start), paragraph(text, last)
        if transcript:
            a = (content_start(text, a[0], a[1]), a[1])
            b = (content_start(text, b[0], b[1]), b[1])
    else:
        starts = [t.start for t in turns]
        first_turn, last_turn = turn(turns, starts, start), turn(turns, starts, last)
        if first_turn is None or last_turn is None:
            return widen(text, start, end, "paragraph")
        a = turn_content(text, first_turn[0], first_turn[1])
        b = turn_content(text, last_turn[0], last_turn[1])
        if a[0] >= b[1]:  # turns with nothing said but their labels: the selection as it was
            return trim(text, start, end)
    return trim(text, min(a[0], b[0]), max(a[1], b[1]))


def turn_content(text: str, turn_start: int, turn_end: int) -> tuple[int, int]:
    """A turn without its timestamp and speaker label: what a coder codes. A header line alone
    (`Speaker 2  00:02:16`, `Mette:`) is left out whole: the words start below it."""
    line_end = text.find("\n", turn_start, turn_end)
    first_line_end = turn_end if line_end == -1 else line_end
    start = words_start(text, turn_start, first_line_end)
    if start >= first_line_end and line_end != -1:
        start = line_end + 1
    return trim(text, min(start, turn_end), turn_end)


def turn_parts(text: str, turn_start: int, turn_end: int) -> list[tuple[int, int]]:
    """What the speaker says in a turn, in pieces: `turn_content` without the label and timestamp of any
    later line that opens with the same speaker's label (consecutive turns by one speaker are one turn,
    so a header line can sit inside it). Empty pieces are left out."""
    start, end = turn_content(text, turn_start, turn_end)
    first_line_end = text.find("\n", turn_start, turn_end)
    opening = header(text, turn_start, turn_end if first_line_end == -1 else first_line_end)
    parts: list[tuple[int, int]] = []
    if opening is not None:
        speaker = opening[0]
        line_start = text.find("\n", start, end) + 1
        while 0 < line_start < end:
            next_break = text.find("\n", line_start, end)
            line_end = end if next_break == -1 else next_break
            found = header(text, line_start, line_end)
            if found is not None and found[0] == speaker:
                parts.append(trim(text, start, line_start))
                start = found[1]
            line_start = next_break + 1 if next_break != -1 else 0
    parts.append(trim(text, min(start, end), end))
    return [(a, b) for a, b in parts if a < b]


def at_cursor(text: str, offset: int) -> tuple[int, int]:
    """The one character a cursor (no selection) stands for when widening: the one after it, or, at the end
    of a line or of the text, the one before, so `s` at a paragraph's end selects its last sentence."""
    offset = max(0, min(offset, len(text)))
    if offset > 0 and (offset == len(text) or text[offset] == "\n"):
        return offset - 1, offset
    return offset, min(len(text), offset + 1)
