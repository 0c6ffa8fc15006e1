"""Applying the pseudonym register: to exported text, or to the project itself.

At export, every exporter (Word, CSV/XLSX, REFI-QDA, bundles) passes its material through
`pseudonymizer(session, enabled)`, which is `replacer(session)` when enabled: the single place names
are replaced, with the rules of `fieldnotes.privacy.replacing`.

In place, `apply_in_place` writes the pseudonyms into the project: document text goes through the
coding engine's edit path (`edit_text`), so codings stay on their words; titles, participants,
speakers, memos, case names and descriptions, attribute names and values, code names and codebook
texts, the project's name and merge records are replaced too: every field a person can write.
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
    ProjectSettings,
    SpeakerTurn,
)
from fieldnotes.privacy import register
from fieldnotes.privacy.replacing import Match, Replacer, offset_map

CONTEXT = 30

#: the text columns (and JSON columns) of rows other than documents that can name people
_OTHER_FIELDS: tuple[tuple[type[Any], tuple[str, ...]], ...] = (
    (Coding, ("memo",)),
    (Memo, ("text", "source")),  # source: the file name of the report a meeting commented on
    (Case, ("name", "description")),
    (Attribute, ("name", "categories")),
    (AttributeValue, ("value_text",)),
    (Code, ("name", "short", "definition", "when_to_use", "when_not_to_use", "example", "glosses", "scale_labels")),
    (SpeakerTurn, ("speaker",)),
    (ProjectSettings, ("name",)),
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
    owner: str = ""  # the name of the row it is in (a code's, a case's), for saying where it is

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
              document: uuid.UUID | None = None, label: str = "", owner: str = "") -> list[Occurrence]:
    out = []
    if isinstance(value, str):
        for m in rep.matches(value):
            out.append(Occurrence(table, row_id, name, m.found, m.replacement, m.start, m.end, document, label,
                                  owner=owner))
    else:
        for text in _strings(value):
            for m in rep.matches(text):
                out.append(Occurrence(table, row_id, name, m.found, m.replacement, None, None, document, label,
                                      owner=owner))
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
            owner = str(getattr(row, "name", "") or "")
            for name in names:
                out += _in_value(rep, model.__tablename__, row.id, name, getattr(row, name), document=document,
                                 owner=owner)
    for coder in session.scalars(select(Coder)):
        out += _in_value(rep, "coders", coder.id, "name", coder.name, owner=coder.name)
    return out


#: how a place is named when saying where originals remain: (table, field) -> (one, several); a
#: document's fields are named together ("document 'T' (its text and title)")
_PLACES: dict[tuple[str, str], tuple[str, str]] = {
    ("codes", "name"): ("code name {owner}", "{n} code names"),
    ("codes", "*"): ("the description of code {owner}", "the descriptions of {n} codes"),
    ("codings", "memo"): ("a coding's memo", "{n} codings' memos"),
    ("memos", "text"): ("a memo", "{n} memos"),
    ("cases", "name"): ("case {owner}", "{n} case names"),
    ("cases", "description"): ("the description of case {owner}", "the descriptions of {n} cases"),
    ("attributes", "name"): ("attribute {owner}", "{n} attribute names"),
    ("attributes", "categories"): ("the categories of attribute {owner}", "the categories of {n} attributes"),
    ("attribute_values", "value_text"): ("an attribute value", "{n} attribute values"),
    ("speaker_turns", "speaker"): ("a speaker turn", "{n} speaker turns"),
    ("project", "name"): ("the project's name", "the project's name"),
    ("merge_conflicts", "*"): ("a merge record", "{n} merge records"),
    ("coders", "name"): ("coder name {owner} (coders keep their names: remove that register entry)",
                         "{n} coder names (coders keep their names: remove those register entries)"),
}
_DOCUMENT_WORDS = {"text": "text", "title": "title", "participants": "participants", "speakers": "speakers",
                   "source_name": "file name"}


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def where(found: list[Occurrence]) -> str:
    """Where originals remain, in one clause: "code name 'Mettes team' and 2 memos"."""
    documents: dict[uuid.UUID, tuple[str, list[str]]] = {}
    rows: dict[tuple[str, str], dict[uuid.UUID, str]] = {}
    for o in found:
        if o.table == "documents":
            title, fields = documents.setdefault(o.row_id, (o.label, []))
            if _DOCUMENT_WORDS.get(o.column, o.column) not in fields:
                fields.append(_DOCUMENT_WORDS.get(o.column, o.column))
            continue
        key = (o.table, o.column) if (o.table, o.column) in _PLACES else (o.table, "*")
        rows.setdefault(key, {})[o.row_id] = o.owner
    parts = []
    if len(documents) == 1:
        title, fields = next(iter(documents.values()))
        parts.append(f"document {title!r} (its {_and(fields)})")
    elif documents:
        parts.append(f"{len(documents)} documents")
    for key, owners in rows.items():
        one, several = _PLACES.get(key, (key[0], f"{{n}} rows of {key[0]}"))
        parts.append(one.format(owner=repr(next(iter(owners.values())))) if len(owners) == 1
                     else several.format(n=len(owners)))
    if len(parts) > 8:
        parts = [*parts[:7], f"{len(parts) - 7} other kinds of place"]
    return _and(parts)


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
