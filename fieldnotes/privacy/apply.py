"""Applying the pseudonym register: to exported text, or to the project itself.

At export, every exporter (Word, CSV/XLSX, REFI-QDA, bundles) passes its material through
`pseudonymizer(session, enabled)`, which is `replacer(session)` when enabled: the single place names
are replaced, with the rules of `fieldnotes.privacy.replacing`.

In place, `apply_in_place` writes the pseudonyms into the project: document text goes through the
coding engine's edit path (`edit_text`), so codings stay on their words; titles, participants,
speakers, memos, case names, attribute values, codebook texts and merge records are replaced too.
`find` lists every place an original occurs: the dry run shows it, and separating the key refuses
while it is not empty.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.db.models import (
    Attribute,
    AttributeValue,
    Case,
    Code,
    Coder,
    Coding,
    Document,
    Memo,
    MergeConflict,
)
from fieldnotes.privacy import register
from fieldnotes.privacy.replacing import Match, Replacer, offset_map

CONTEXT = 30

#: the text columns (and JSON columns) of rows other than documents that can name people
_OTHER_FIELDS: tuple[tuple[type[Any], tuple[str, ...]], ...] = (
    (Coding, ("memo",)),
    (Memo, ("text",)),
    (Case, ("name", "description")),
    (Attribute, ("categories",)),
    (AttributeValue, ("value_text",)),
    (Code, ("short", "definition", "when_to_use", "when_not_to_use", "example", "glosses", "scale_labels")),
    (MergeConflict, ("summary", "ours", "theirs")),
)
_DOCUMENT_FIELDS = ("title", "participants", "speakers", "source_name")


def replacer(session: Session) -> Replacer:
    """The register as a text -> text function: what every export calls to replace names."""
    return register.replacer(session)


def pseudonymizer(session: Session, enabled: bool) -> Replacer:
    """The function an export applies to its material: the register when enabled, else the identity."""
    return replacer(session) if enabled else Replacer()


@dataclass
class Occurrence:
    """One original found in the project: where, and what it becomes."""

    table: str
    row_id: uuid.UUID
    column: str
    found: str
    replacement: str
    start: int | None = None
    end: int | None = None
    document: uuid.UUID | None = None
    label: str = ""
    context: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "row": str(self.row_id), "field": self.column,
                "document": str(self.document) if self.document else None, "document_title": self.label or None,
                "start": self.start, "end": self.end, "original": self.found, "pseudonym": self.replacement,
                "context": self.context}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _context(text: str, match: Match) -> str:
    before = text[max(0, match.start - CONTEXT) : match.start]
    after = text[match.end : match.end + CONTEXT]
    return " ".join(f"…{before}[{match.found} → {match.replacement}]{after}…".split())


def _in_value(rep: Replacer, table: str, row_id: uuid.UUID, name: str, value: Any, *,
              document: uuid.UUID | None = None, label: str = "") -> list[Occurrence]:
    out = []
    if isinstance(value, str):
        for m in rep.matches(value):
            out.append(Occurrence(table, row_id, name, m.found, m.replacement, m.start, m.end, document, label))
    else:
        for text in _strings(value):
            for m in rep.matches(text):
                out.append(Occurrence(table, row_id, name, m.found, m.replacement, None, None, document, label))
    return out


def find(session: Session, rep: Replacer) -> list[Occurrence]:
    """Every occurrence of a register original in the project's material (not its history)."""
    if not rep.active:
        return []
    out: list[Occurrence] = []
    for doc in session.scalars(select(Document).order_by(Document.date, Document.title)):
        for m in rep.matches(doc.text):
            out.append(Occurrence("documents", doc.id, "text", m.found, m.replacement, m.start, m.end, doc.id,
                                  doc.title, _context(doc.text, m)))
        for name in _DOCUMENT_FIELDS:
            out += _in_value(rep, "documents", doc.id, name, getattr(doc, name), document=doc.id, label=doc.title)
    for model, names in _OTHER_FIELDS:
        for row in session.scalars(select(model)):
            document = getattr(row, "document_id", None)
            for name in names:
                out += _in_value(rep, model.__tablename__, row.id, name, getattr(row, name), document=document)
    for coder in session.scalars(select(Coder)):
        out += _in_value(rep, "coders", coder.id, "name", coder.name)
    return out


@dataclass
class Applied:
    documents: int = 0
    replacements: int = 0
    fields: int = 0
    codings_moved: int = 0
    flagged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    coder_names: list[str] = field(default_factory=list)  # coders named in the register: left as they are

    def as_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "replacements": self.replacements, "fields": self.fields,
                "codings_moved": self.codings_moved, "codings_flagged": self.flagged,
                "codings_removed": self.removed}


def _replace_fields(rep: Replacer, row: Any, names: tuple[str, ...]) -> int:
    changed = 0
    for name in names:
        value = getattr(row, name)
        new = rep.replace_in(value)
        if new != value:
            setattr(row, name, new)
            changed += 1
    return changed


def _move_codings(session: Session, doc: Document, found: list[Match],
                  prior: dict[uuid.UUID, tuple[int, int, bool]], result: Applied) -> None:
    """Put each coding exactly where its words went (the edit path's diff may align a name's letters
    differently), and keep its review flag unless a boundary fell inside a replaced name."""
    mapped: Callable[..., int] = offset_map(found)
    codings = list(session.scalars(select(Coding).where(Coding.document_id == doc.id)))
    taken = {(c.code_id, c.coder_id, c.start, c.end): c.id for c in codings}
    for coding in codings:
        if coding.id not in prior:
            continue
        start, end, review = prior[coding.id]
        inside = any(m.start < start < m.end or m.start < end < m.end for m in found)
        new_start, new_end = mapped(start, "start"), mapped(end, "end")
        if (new_start, new_end) != (coding.start, coding.end) and new_end > new_start:
            key = (coding.code_id, coding.coder_id, new_start, new_end)
            if taken.get(key, coding.id) == coding.id:
                taken.pop((coding.code_id, coding.coder_id, coding.start, coding.end), None)
                taken[key] = coding.id
                coding.start, coding.end = new_start, new_end
        if (coding.start, coding.end) != (start, end):
            result.codings_moved += 1
        coding.text = doc.text[coding.start : coding.end]
        coding.needs_review = review or inside
        if inside and not review:
            result.flagged.append(str(coding.id))


def apply_in_place(session: Session, rep: Replacer, *, coder_id: uuid.UUID | None) -> Applied:
    """Write the pseudonyms into the project (inside the caller's change)."""
    from fieldnotes.coding.edit import edit_text
    from fieldnotes.documents.store import replace_turns

    result = Applied()
    if not rep.active:
        return result
    for doc in session.scalars(select(Document).order_by(Document.date, Document.title)).all():
        found = rep.matches(doc.text)
        speakers_before = doc.speakers
        fields = _replace_fields(rep, doc, _DOCUMENT_FIELDS)
        result.fields += fields
        if fields:
            session.flush()
        if found:
            prior = {c.id: (c.start, c.end, c.needs_review)
                     for c in session.scalars(select(Coding).where(Coding.document_id == doc.id))}
            edited = edit_text(session, doc, rep.splice(doc.text, found), coder_id=coder_id)
            result.removed += edited.removed
            _move_codings(session, doc, found, prior, result)
            session.flush()
            result.replacements += len(found)
        elif doc.speakers != speakers_before:
            replace_turns(session, doc, coder_id=coder_id)
        if found or fields:
            result.documents += 1
    for model, names in _OTHER_FIELDS:
        for row in session.scalars(select(model)).all():
            result.fields += _replace_fields(rep, row, names)
    result.coder_names = sorted({c.name for c in session.scalars(select(Coder)) if rep.matches(c.name)})
    session.flush()
    return result
