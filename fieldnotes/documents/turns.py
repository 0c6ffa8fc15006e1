"""Finding speaker turns in transcripts.

Recognised shapes (a turn starts at the beginning of a line):
- `I: text`, `R: text`, `IP: text`, `Mette: text`, `Mette Vinther: text`, `Mette (leder): text`;
- the same after a timestamp: `[00:12:31] R: text`, `(00:12:31) R: text`, `00:12:31 R: text`, also with a
  range inside the brackets, `[00:12:31 --> 00:12:40] R: text`;
- diarisers: `[00:00:05] SPEAKER_00: text`;
- transcription services: a line `Speaker 1  00:01:02` (or `Mette Vinther  00:01:02`) with the turn's text
  on the following lines.

A label counts as a speaker when it opens at least two lines, or when the document's metadata names
it, so "Beslutning: ..." in the middle of an answer does not start a turn. In a timestamped
transcript (two or more lines that open with a clear timestamp, `[..]`, `(..)` or hh:mm:ss, and a
label) every such label counts, even a speaker who says one thing. Lines without a label continue
the previous turn; consecutive turns by the same speaker are one turn. A turn runs from the start of
its first line to the end of its last non-blank line; `timestamp` is in seconds.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_STAMP = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_RANGE = r"(?:\s*(?:-->|->|–|-)\s*" + _STAMP + r")?"
# a label is at most four words of 40 characters and a role of 30: it fits its column (SpeakerTurn.speaker, 200)
_LABEL = r"(?P<label>[^\W\d_][\w.'’-]{0,39}(?: [\w.'’-]{1,40}){0,3}(?: \([^()\n]{1,30}\))?)"
# match() anchors these at the start of a line; `$` is the line's end when endpos is given
_LABELLED = re.compile(
    r"(?:(?:\[(?P<sq>" + _STAMP + r")" + _RANGE + r"\]|\((?P<rd>" + _STAMP + r")" + _RANGE + r"\)|(?P<bare>"
    + _STAMP + r"))[ \t]*)?" + _LABEL + r"[ \t]*:(?:\s+|$)",
)
_HEADER = re.compile(
    _LABEL + r"[ \t]{2,}(?:\[(?P<sq>" + _STAMP + r")\]|\((?P<rd>" + _STAMP + r")\)|(?P<bare>" + _STAMP
    + r"))[ \t]*$"
)
_HEADER_SERVICE = re.compile(
    r"(?P<label>(?:Speaker|Taler|Talker|Person|Deltager|Spreker|Sprecher)\s+\d+)[ \t]+"
    r"(?:\[(?P<sq>" + _STAMP + r")\]|\((?P<rd>" + _STAMP + r")\)|(?P<bare>" + _STAMP + r"))[ \t]*$",
    re.IGNORECASE,
)
_STAMP_ONLY = re.compile(  # a line opening with a timestamp but no label: not a turn, but not words either
    r"(?:\[" + _STAMP + _RANGE + r"\]|\(" + _STAMP + _RANGE + r"\)|" + _STAMP + r")[ \t]+"
)
_NOT_SPEAKERS = {
    "http", "https", "mailto", "note", "noter", "nb", "ps", "obs", "bemærk", "bemærkning", "bemærkninger", "kl",
    "dato", "tid", "tidspunkt", "sted", "tema", "emne", "punkt", "status", "beslutning", "beslutninger",
    "opfølgning", "konklusion", "referat", "referent", "dagsorden", "deltagere", "fraværende", "afbud",
    "ansvarlig", "næste møde", "kilde", "link", "e-mail", "email", "tlf", "telefon", "adresse",
    "date", "time", "place", "agenda", "attendees", "decision", "decisions", "action", "actions", "subject",
    "re", "to", "from", "cc", "todo",
}


@dataclass(frozen=True)
class Turn:
    speaker: str
    start: int
    end: int
    timestamp: float | None


@dataclass(frozen=True)
class _Candidate:
    label: str
    stamp: str | None
    strong: bool  # a clear transcript timestamp goes with it


def seconds(stamp: str | None) -> float | None:
    if not stamp:
        return None
    parts = stamp.replace(",", ".").split(":")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        return None
    total = 0.0
    for value in values:
        total = total * 60 + value
    return total


def _opening(text: str, start: int, end: int) -> re.Match[str] | None:
    """The label (and timestamp) opening the line text[start:end], as a turn would open."""
    return (_HEADER_SERVICE.match(text, start, end) or _HEADER.match(text, start, end)
            or _LABELLED.match(text, start, end))


def _candidate(line: str) -> _Candidate | None:
    """The label (and timestamp) if the line could open a turn."""
    match = _opening(line, 0, len(line))
    if match is None:
        return None
    stamp = _stamp_of(match)
    if match.re is _HEADER_SERVICE:
        strong = True
    else:
        bracketed = match.group("sq") or match.group("rd")
        strong = bool(bracketed) or bool(stamp and stamp.count(":") == 2)
    return _Candidate(" ".join(match.group("label").split()), stamp, strong)


def header(text: str, start: int, end: int) -> tuple[str, int] | None:
    """The speaker label opening the line text[start:end] (`R:`, `[00:12:31] Mette:`, a header line
    `Speaker 2  00:02:16`), and where the line's own words begin, after the label, timestamp and blanks;
    None if the line does not open as a turn does. The rule `find_turns` uses, for a line of any text."""
    match = _opening(text, start, end)
    if match is None:
        return None
    return " ".join(match.group("label").split()), match.end()


def words_start(text: str, start: int, end: int) -> int:
    """Where the words of the line text[start:end] begin: after a speaker label and timestamp, or
    after a timestamp alone; `end` for a header line (`Speaker 2  00:02:16`) with its words below it."""
    found = header(text, start, end)
    if found is not None:
        return found[1]
    stamp = _STAMP_ONLY.match(text, start, end)
    return stamp.end() if stamp else start


def _stamp_of(match: re.Match[str]) -> str | None:
    return match.group("sq") or match.group("rd") or match.group("bare")


def _accepted(candidates: list[_Candidate | None], known_speakers: Iterable[str]) -> set[str]:
    """The labels that really are speakers: known ones, those that open two lines or more, and (when at least
    two carry a timestamp) every one with a timestamp; a word that is seldom a speaker only when known."""
    known = {s.casefold() for s in known_speakers}
    possible = [c for c in candidates if c and (c.label.casefold() not in _NOT_SPEAKERS or c.label.casefold() in known)]
    counts = Counter(c.label for c in possible)
    stamped = sum(1 for c in possible if c.strong) >= 2
    return {
        c.label for c in possible
        if counts[c.label] >= 2 or c.label.casefold() in known or (stamped and c.strong)
    }


def find_turns(text: str, known_speakers: Iterable[str] = ()) -> list[Turn]:
    lines = text.split("\n")
    candidates = [_candidate(line) for line in lines]
    accepted = _accepted(candidates, known_speakers)
    turns: list[Turn] = []
    current: tuple[str, int, float | None] | None = None  # speaker, start, timestamp
    current_end = 0
    offset = 0
    for line, candidate in zip(lines, candidates, strict=True):
        line_end = offset + len(line)
        if candidate is not None and candidate.label in accepted:
            if current is not None:
                turns.append(Turn(current[0], current[1], current_end, current[2]))
            current = (candidate.label, offset, seconds(candidate.stamp))
            current_end = line_end
        elif current is not None and line.strip():
            current_end = line_end
        offset = line_end + 1
    if current is not None:
        turns.append(Turn(current[0], current[1], current_end, current[2]))
    return _merge_same_speaker(turns)


def _merge_same_speaker(turns: list[Turn]) -> list[Turn]:
    merged: list[Turn] = []
    for turn in turns:
        if merged and merged[-1].speaker == turn.speaker:
            last = merged[-1]
            merged[-1] = Turn(last.speaker, last.start, turn.end, last.timestamp)
        else:
            merged.append(turn)
    return merged
