"""Finding speaker turns in transcripts.

Recognised shapes (a turn starts at the beginning of a line):
- `I: text`, `R: text`, `IP: text`, `Mette: text`, `Mette Vinther: text`;
- the same after a timestamp: `[00:12:31] R: text`, `(00:12:31) R: text`, `00:12:31 R: text`;
- diarisers: `[00:00:05] SPEAKER_00: text`;
- transcription services: a line `Speaker 1  00:01:02` with the turn's text on the following lines.

A label counts as a speaker when it opens at least two lines, or when the document's metadata names
it, so "Beslutning: ..." in the middle of an answer does not start a turn. Lines without a label
continue the previous turn; consecutive turns by the same speaker are one turn.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_TS = r"(?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)"
_LABELLED = re.compile(
    r"^(?:(?:\[" + _TS + r"\]|\(" + _TS.replace("ts", "ts2") + r"\)|" + _TS.replace("ts", "ts3") + r")\s*)?"
    r"(?P<label>[^\W\d_][\w.'-]*(?: [\w.'-]+){0,3})\s*:(?:\s+|$)",
)
_HEADER = re.compile(
    r"^(?P<label>[^\W\d_][\w.'-]*(?: [\w.'-]+){0,3})[ \t]{2,}"
    r"(?:\[|\()?(?P<ts>\d{1,2}:\d{2}(?::\d{2})?)(?:\]|\))?\s*$"
)
_HEADER_SERVICE = re.compile(
    r"^(?P<label>(?:Speaker|Taler|Talker|Person|Deltager)\s+\d+)\s+(?:\[|\()?(?P<ts>\d{1,2}:\d{2}(?::\d{2})?)(?:\]|\))?\s*$",
    re.IGNORECASE,
)
_NOT_SPEAKERS = {"http", "https", "note", "noter", "bemærk", "obs", "kl", "dato", "tid", "tema"}


@dataclass(frozen=True)
class Turn:
    speaker: str
    start: int
    end: int
    timestamp: float | None


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


def _candidate(line: str) -> tuple[str, str | None, bool] | None:
    """(label, timestamp, header_only) if the line could open a turn."""
    header = _HEADER_SERVICE.match(line) or _HEADER.match(line)
    if header:
        return header.group("label").strip(), header.group("ts"), True
    match = _LABELLED.match(line)
    if match:
        stamp = match.group("ts") or match.group("ts2") or match.group("ts3")
        return match.group("label").strip(), stamp, False
    return None


def find_turns(text: str, known_speakers: Iterable[str] = ()) -> list[Turn]:
    lines = text.split("\n")
    candidates = [_candidate(line) for line in lines]
    counts = Counter(c[0] for c in candidates if c)
    known = {s.casefold() for s in known_speakers}
    accepted = {
        label
        for label, count in counts.items()
        if label.casefold() not in _NOT_SPEAKERS and (count >= 2 or label.casefold() in known)
    }
    turns: list[Turn] = []
    current: list[object] | None = None  # [speaker, start, end, timestamp]
    offset = 0
    for line, candidate in zip(lines, candidates, strict=True):
        line_end = offset + len(line)
        if candidate and candidate[0] in accepted:
            label, stamp, _ = candidate
            if current is not None and current[0] == label and stamp is None:
                current[2] = line_end if line.strip() else current[2]
            else:
                if current is not None:
                    turns.append(Turn(str(current[0]), int(current[1]), int(current[2]), current[3]))  # type: ignore[arg-type,call-overload]
                current = [label, offset, line_end, seconds(stamp)]
        elif current is not None and line.strip():
            current[2] = line_end
        offset = line_end + 1
    if current is not None:
        turns.append(Turn(str(current[0]), int(current[1]), int(current[2]), current[3]))  # type: ignore[arg-type,call-overload]
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


def turn_at(turns: list[Turn], offset: int) -> Turn | None:
    for turn in turns:
        if turn.start <= offset < max(turn.end, turn.start + 1):
            return turn
    return None
