"""Positions in REFI-QDA files and how they land on our normalised text.

We count code points over text with no byte-order mark, LF line ends and NFC (`fieldnotes.text`).
The specification counts code points over the UTF-8 file in `sources/`, but the tools differ:

- NVivo counts UTF-16 code units over the text as written: an emoji is 2, CRLF is 2, the BOM is not
  counted (`utf16`);
- ATLAS.ti counts code points with CRLF as one (`atlas`);
- everyone else, and we, count code points over the text as written (`codepoints`).

A `PositionMap` turns positions counted in one of these units over the file's raw text into offsets
over the normalised text. It maps exactly wherever the raw text and the normalised text agree, and
reports a position as inexact when it falls inside something normalisation merged: between CR and LF,
between the halves of a surrogate pair, inside a base letter and its combining accents. Such a
position is snapped outwards (a start to the left, an end to the right) and the caller decides.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from fieldnotes import text as textmod
from fieldnotes.translations import N_, Said, said

UNITS = ("codepoints", "utf16", "atlas")
UNIT_NAMES = {
    "codepoints": N_("Unicode code points (the specification)"),
    "utf16": N_("UTF-16 code units (as NVivo counts)"),
    "atlas": N_("code points with CRLF counted as one (as ATLAS.ti counts)"),
}
_UNIT_SHORT = {  # the names without the tool that counts so
    "codepoints": N_("Unicode code points"),
    "utf16": N_("UTF-16 code units"),
    "atlas": N_("code points with CRLF counted as one"),
}
_SPECIAL = {
    "codepoints": re.compile("\r\n"),
    "utf16": re.compile("\r\n|[\U00010000-\U0010ffff]"),
    "atlas": None,
}
_LINE_ENDS = re.compile("\r\n?|\u2028|\u2029")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# characters with canonical combining class 0 that still compose with the character before them
_COMPOSING_STARTERS = set(
    "\u09be\u09d7\u0b3e\u0b56\u0b57\u0bbe\u0bd7\u0cc2\u0cd5\u0cd6\u0d3e\u0d57\u0dcf\u0ddf\u102e\u1b35"
) | {chr(c) for c in range(0x1161, 0x1176)} | {chr(c) for c in range(0x11A8, 0x11C3)}


def unit_short(unit: str) -> str:
    """A unit's name without the tool that counts so: "UTF-16 code units" (English; `_()` translates it)."""
    return _UNIT_SHORT.get(unit) or UNIT_NAMES[unit].split(" (")[0]


def unit_for_origin(origin: str | None) -> str:
    """The counting unit a tool uses, from the `origin` attribute of its file."""
    folded = (origin or "").casefold()
    if "utf-16" in folded or "nvivo" in folded:
        return "utf16"
    if "atlas" in folded:
        return "atlas"
    return "codepoints"


Piece = tuple[int, int, int, int]  # source start, source end, target start, target end


class _Stage:
    """A piecewise map: identity with a running shift, except inside the listed pieces."""

    def __init__(self, pieces: list[Piece]) -> None:
        self.pieces = pieces
        self.starts = [piece[0] for piece in pieces]

    def map(self, pos: int, *, side: str) -> tuple[int, bool]:
        index = bisect.bisect_right(self.starts, pos) - 1
        if index < 0:
            return pos, True
        s0, s1, d0, d1 = self.pieces[index]
        if pos == s0:
            return d0, True
        if pos >= s1:
            return d1 + (pos - s1), True
        return (d0 if side == "start" else d1), False


def _line_end_stage(body: str, unit: str) -> tuple[_Stage, int]:
    """Raw positions (in `unit`) to code points over the text with LF line ends. Also the raw length."""
    pattern = _SPECIAL[unit]
    pieces: list[Piece] = []
    src = dst = last = 0
    if pattern is not None:
        for match in pattern.finditer(body):
            gap = match.start() - last
            src += gap
            dst += gap
            pieces.append((src, src + 2, dst, dst + 1))  # CRLF, or an astral character in UTF-16
            src += 2
            dst += 1
            last = match.end()
    return _Stage(pieces), src + (len(body) - last)


def _is_boundary(char: str) -> bool:
    return unicodedata.combining(char) == 0 and char not in _COMPOSING_STARTERS


def _nfc_stage(lf_text: str) -> _Stage | None:
    """Code points over LF text to code points over its NFC form; None if it cannot be mapped safely."""
    if unicodedata.is_normalized("NFC", lf_text):
        return _Stage([])
    pieces: list[Piece] = []
    parts: list[str] = []
    dst = 0
    start = 0
    for index in range(1, len(lf_text) + 1):
        if index < len(lf_text) and not _is_boundary(lf_text[index]):
            continue
        segment = lf_text[start:index]
        composed = unicodedata.normalize("NFC", segment)
        if composed != segment:
            pieces.append((start, index, dst, dst + len(composed)))
        parts.append(composed)
        dst += len(composed)
        start = index
    if "".join(parts) != unicodedata.normalize("NFC", lf_text):
        return None
    return _Stage(pieces)


@dataclass
class Landing:
    """Where a selection lands on the normalised text, and whether it landed cleanly."""

    start: int
    end: int
    problem: Said | None = None  # outside the text, or splitting a character: never acceptable
    word: Said | None = None  # cutting a word: a sign of a wrong unit in a file from another tool


class PositionMap:
    """Positions counted over a file's raw text, mapped onto our normalised text."""

    def __init__(self, raw: str, unit: str) -> None:
        if unit not in UNITS:
            raise ValueError(f"unknown unit {unit!r}")
        self.unit = unit
        body = raw[1:] if raw.startswith("\ufeff") else raw
        self._lines, self.raw_length = _line_end_stage(body, unit)
        lf_text = _LINE_ENDS.sub("\n", body)
        self._nfc = _nfc_stage(lf_text)
        self.text = textmod.normalise(raw)

    @property
    def usable(self) -> bool:
        """False in the (theoretical) case that NFC could not be followed piece by piece."""
        return self._nfc is not None

    def position(self, pos: int, *, side: str) -> tuple[int, bool]:
        if self._nfc is None:
            raise ValueError("this text cannot be mapped")
        lf_pos, exact = self._lines.map(pos, side=side)
        final, exact_nfc = self._nfc.map(lf_pos, side=side)
        return final, exact and exact_nfc

    def land(self, start: int, end: int) -> Landing:
        """Map a selection and check it: within the text, not splitting a character or a word."""
        unit = said(unit_short(self.unit))
        if start < 0 or end > self.raw_length or start >= end:  # offsets as text: positions, not amounts
            return Landing(start, end, said("{start}:{end} is not within the text (0–{length} {unit})",
                                            start=str(start), end=str(end), length=str(self.raw_length), unit=unit))
        new_start, exact_start = self.position(start, side="start")
        new_end, exact_end = self.position(end, side="end")
        if not (exact_start and exact_end):
            return Landing(new_start, new_end, said("{start}:{end} splits a character when counted in {unit}",
                                                    start=str(start), end=str(end), unit=unit))
        return Landing(new_start, new_end, None, word_problem(self.text, new_start, new_end))


def splits_word(text: str, pos: int) -> bool:
    return 0 < pos < len(text) and text[pos - 1].isalnum() and text[pos].isalnum()


def word_problem(text: str, start: int, end: int) -> Said | None:
    """Selections from a tool land on whole words; one that cuts a word was probably counted wrongly."""
    if splits_word(text, start):
        return said("starts inside the word {word!r}", word=_word_at(text, start))
    if splits_word(text, end):
        return said("ends inside the word {word!r}", word=_word_at(text, end))
    return None


def _word_at(text: str, pos: int) -> str:
    left = pos
    while left > 0 and text[left - 1].isalnum():
        left -= 1
    right = pos
    while right < len(text) and text[right].isalnum():
        right += 1
    return text[left:right]


class Utf16Counter:
    """Our code point offsets over a text as UTF-16 code units (for `--utf16-positions`)."""

    def __init__(self, text: str) -> None:
        self._astral = [match.start() for match in _ASTRAL.finditer(text)]

    def __call__(self, pos: int) -> int:
        return pos + bisect.bisect_left(self._astral, pos)
