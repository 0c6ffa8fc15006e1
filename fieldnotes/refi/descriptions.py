"""Structured fields inside REFI-QDA's one free-text Description, as labelled sections.

A code's MacQueen entry (short definition, definition, when to use, when not to use, example), its
rating scale, shortcut and English glosses, and a coding's rating, review flag and memo have no
place of their own in REFI-QDA. We write them as paragraphs that start with a label
("Definition: ...") separated by blank lines, which reads well in every tool, and parse them back.
Text before the first label (a description written by another tool) is kept as unlabelled text, and
a code with nothing but a definition is written without a label, so another tool's description comes
back to it unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fieldnotes.translations import Said, said

CODE_TEXT_LABELS: tuple[tuple[str, str], ...] = (
    ("short", "Short definition"),
    ("definition", "Definition"),
    ("when_to_use", "When to use"),
    ("when_not_to_use", "When not to use"),
    ("example", "Example"),
)
GLOSS_LABELS: tuple[tuple[str, str], ...] = (
    ("name", "English name"),
    ("short", "English short definition"),
    ("definition", "English definition"),
    ("when_to_use", "English when to use"),
    ("when_not_to_use", "English when not to use"),
    ("example", "English example"),
)
SCALE, SCALE_LABELS, SHORTCUT, RETIRED = "Rating scale", "Scale labels", "Shortcut", "Retired"
CODE_LABELS = frozenset(
    [label for _, label in CODE_TEXT_LABELS] + [label for _, label in GLOSS_LABELS]
    + [SCALE, SCALE_LABELS, SHORTCUT, RETIRED]
)
CODING, RATING, REVIEW, MEMO = "Coding", "Rating", "Needs review", "Memo"
SELECTION_LABELS = frozenset([CODING, RATING, REVIEW, MEMO])
_SCALE = re.compile(r"^\s*(-?\d+)\s*(?:–|-|\.\.|to)\s*(-?\d+)\s*$")
_SCALE_LABEL = re.compile(r"^\s*(-?\d+)\s*=\s*(.*?)\s*$")
_YES = ("yes", "true", "ja", "1")


def write_sections(pairs: list[tuple[str, str]]) -> str:
    """Labelled paragraphs; empty values are left out."""
    return "\n\n".join(f"{label}: {value.strip()}" for label, value in pairs if value and value.strip())


def read_sections(text: str, labels: frozenset[str]) -> tuple[list[tuple[str, str]], str]:
    """The labelled sections in order, and the unlabelled text before the first label."""
    sections: list[tuple[str, str]] = []
    free: list[str] = []
    for paragraph in text.replace("\r\n", "\n").split("\n\n"):
        label = _label_of(paragraph, labels)
        if label is not None:
            sections.append((label, paragraph[len(label) + 1 :].lstrip(" ")))
        elif sections:
            name, value = sections[-1]
            sections[-1] = (name, value + "\n\n" + paragraph)
        else:
            free.append(paragraph)
    return sections, "\n\n".join(free).strip()


def _label_of(paragraph: str, labels: frozenset[str]) -> str | None:
    head, colon, _ = paragraph.partition(":")
    return head if colon and head in labels else None


# --- codes ---------------------------------------------------------------------------------------


@dataclass
class CodeEntry:
    """What a code's Description holds besides its name."""

    texts: dict[str, str] = field(default_factory=dict)
    scale: tuple[int, int] | None = None
    scale_labels: dict[str, str] = field(default_factory=dict)
    shortcut: str | None = None
    retired: bool = False
    glosses: dict[str, dict[str, str]] = field(default_factory=dict)


def code_description(entry: CodeEntry) -> str:
    """The labelled sections of a code's entry; a definition alone is written as it is.

    Other tools' codes have one free description, which an import keeps as the definition. Written
    back with a "Definition: " label, it would come back to the other tool changed, so a code that
    has nothing but a definition gets it unlabelled (unless it would read back as labelled sections).
    """
    definition = entry.texts.get("definition", "").strip()
    others = any(value.strip() for key, value in entry.texts.items() if key != "definition")
    if definition and not others and entry.scale is None and not entry.shortcut and not entry.retired \
            and not any(value.strip() for value in entry.glosses.get("en", {}).values()) \
            and not read_sections(definition, CODE_LABELS)[0]:
        return definition
    pairs = [(label, entry.texts.get(key, "")) for key, label in CODE_TEXT_LABELS]
    if entry.scale is not None:
        pairs.append((SCALE, f"{entry.scale[0]}–{entry.scale[1]}"))
        steps = sorted(entry.scale_labels.items(), key=lambda kv: int(kv[0]))
        pairs.append((SCALE_LABELS, "\n".join(f"{step} = {text}" for step, text in steps if text)))
    if entry.shortcut:
        pairs.append((SHORTCUT, entry.shortcut))
    if entry.retired:
        pairs.append((RETIRED, "yes"))
    english = entry.glosses.get("en", {})
    pairs += [(label, english.get(key, "")) for key, label in GLOSS_LABELS]
    return write_sections(pairs)


def parse_code_description(text: str | None) -> CodeEntry:
    """Our labelled sections back into fields; a foreign tool's free text becomes the definition."""
    entry = CodeEntry()
    if not text:
        return entry
    sections, free = read_sections(text, CODE_LABELS)
    by_label = {label: key for key, label in CODE_TEXT_LABELS}
    gloss_by_label = {label: key for key, label in GLOSS_LABELS}
    for label, value in sections:
        value = value.strip()
        if label in by_label:
            entry.texts[by_label[label]] = value
        elif label in gloss_by_label:
            entry.glosses.setdefault("en", {})[gloss_by_label[label]] = value
        elif label == SCALE:
            match = _SCALE.match(value)
            if match and int(match.group(1)) < int(match.group(2)):
                entry.scale = (int(match.group(1)), int(match.group(2)))
        elif label == SCALE_LABELS:
            for line in value.splitlines():
                step = _SCALE_LABEL.match(line)
                if step and step.group(2):
                    entry.scale_labels[step.group(1)] = step.group(2)
        elif label == SHORTCUT:
            entry.shortcut = value.lower() if len(value) == 1 and value.isalnum() else None
        elif label == RETIRED:
            entry.retired = value.casefold() in _YES
    if entry.scale is None:
        entry.scale_labels = {}
    else:
        low, high = entry.scale
        entry.scale_labels = {k: v for k, v in entry.scale_labels.items() if low <= int(k) <= high}
    if free:
        definition = entry.texts.get("definition", "")
        entry.texts["definition"] = free + ("\n\n" + definition if definition else "")
    return entry


# --- codings -------------------------------------------------------------------------------------


@dataclass
class CodingNote:
    """A coding's rating, review flag and memo, as written on its selection."""

    rating: int | None = None
    needs_review: bool = False
    memo: str | None = None

    @property
    def empty(self) -> bool:
        return self.rating is None and not self.needs_review and not self.memo

    def pairs(self) -> list[tuple[str, str]]:
        return [(RATING, "" if self.rating is None else str(self.rating)),
                (REVIEW, "yes" if self.needs_review else ""), (MEMO, self.memo or "")]


@dataclass
class SelectionNotes:
    """A selection's Description read back: notes for all its codings, notes per coding, free text."""

    common: CodingNote = field(default_factory=CodingNote)
    per_coding: dict[tuple[str, str], CodingNote] = field(default_factory=dict)  # (code path, coder name)
    free: str = ""
    problems: list[Said] = field(default_factory=list)

    def for_coding(self, code_path: str, coder: str) -> CodingNote:
        own = self.per_coding.get((code_path, coder))
        return own if own is not None else self.common


def selection_description(notes: list[tuple[str, str, CodingNote]], codings: int) -> str:
    """The Description of a selection holding `codings` codings; `notes` are (code path, coder, note).

    When every coding on the selection carries the same note it is written once, without a header;
    otherwise each is written under a "Coding: path · coder" header.
    """
    with_content = [(path, coder, note) for path, coder, note in notes if not note.empty]
    if not with_content:
        return ""
    first = with_content[0][2]
    if len(with_content) == codings and all(note == first for _, _, note in with_content):
        return write_sections(first.pairs())
    blocks = [write_sections([(CODING, f"{path} · {coder}"), *note.pairs()]) for path, coder, note in with_content]
    return "\n\n".join(blocks)


def parse_selection_description(text: str | None) -> SelectionNotes:
    result = SelectionNotes()
    if not text:
        return result
    sections, result.free = read_sections(text, SELECTION_LABELS)
    current = result.common
    for label, value in sections:
        value = value.strip()
        if label == CODING:
            path, separator, coder = value.rpartition(" · ")
            current = CodingNote()
            if separator:
                result.per_coding[(path.strip(), coder.strip())] = current
            else:
                result.problems.append(said("the header {value!r} names no coder", value=value))
        elif label == RATING:
            try:
                current.rating = int(value)
            except ValueError:
                result.problems.append(said("the rating {value!r} is not a whole number", value=value))
        elif label == REVIEW:
            current.needs_review = value.casefold() in _YES
        elif label == MEMO:
            current.memo = value or None
    return result


# --- people in a document ------------------------------------------------------------------------


def _person(entry: Any) -> str:
    if isinstance(entry, dict):
        name, role = str(entry.get("name", "")).strip(), str(entry.get("role", "")).strip()
        return f"{name} ({role})" if role else name
    return str(entry).strip()


def _parse_person(text: str) -> dict[str, str]:
    name, _, role = text.partition("(")
    person = {"name": name.strip()}
    if role.strip(" )"):
        person["role"] = role.strip(" )")
    return person


def participants_text(participants: list[dict[str, str]]) -> str:
    """`Name (role); Name (role)`, the form `fieldnotes doc set DOC participants` takes."""
    return "; ".join(filter(None, (_person(entry) for entry in participants)))


def parse_participants(text: str) -> list[dict[str, str]]:
    return [_parse_person(item.strip()) for item in text.split(";") if item.strip()]


def speakers_text(speakers: dict[str, Any]) -> str:
    """`I = Name (role); R = Name (role)`: the speaker labels of a transcript and who they are."""
    return "; ".join(f"{label} = {_person(entry)}" for label, entry in speakers.items())


def parse_speakers(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in text.split(";"):
        label, equals, person = item.partition("=")
        if equals and label.strip():
            out[label.strip()] = _parse_person(person.strip())
    return out
