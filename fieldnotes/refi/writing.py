"""Writing a project as REFI-QDA (.qdpx) or its codebook (.qdc), valid against the shipped schemas.

Layout: `project.qde` and `sources/<guid>.txt` (UTF-8 without BOM, LF), no basePath and no absolute
paths. GUIDs are our row ids; elements without a row of ours (selections, sets, built-in variables,
memo links) get UUID5s of stable keys, so two exports of the same project carry the same ids.

Mapping: every coder is a User (with the GUID another tool gave them, when an import stored one);
the codebook nests Codes, with categories as isCodable="false" and the MacQueen fields in the
Description (a code with only a definition gets it as plain text, as other tools write theirs);
documents are TextSources whose kind, date, activity, participants, speakers and attributes are
VariableValues; codings that share a span form one PlainTextSelection, whose Description holds their
ratings, review flags and memos; cases are Cases (type as the variable "Case type") and, for tools
that only read sets, also Sets named "type: name"; memos are Notes, referenced from the project, the
document, the code or the coding they are on (a memo on a case through a Link). What the schema has
no place for goes into the member `fieldnotes.json` (see `extension`).

The project's creationDateTime is when it was created and its modifiedDateTime when it last changed
(not when it was exported), and zip members carry a fixed time, so exporting an unchanged project
twice gives the same bytes.

All text leaves through one function, `text_out`: the `text` of the exports' one decision about names
(`fieldnotes.export.pseudonyms.decide`), so the pseudonym register replaces names as in every export;
when it changes a document's text, the codings move with it.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from fieldnotes import __version__
from fieldnotes.codebook.tree import CodeTree
from fieldnotes.db import coders, history
from fieldnotes.db.models import (
    Attribute,
    AttributeValue,
    Case,
    Change,
    Code,
    Coder,
    Coding,
    Document,
    DocumentCase,
    Event,
    Memo,
    ProjectSettings,
    SpeakerTurn,
)
from fieldnotes.errors import FieldnotesError, Refused
from fieldnotes.fileio import atomic_output
from fieldnotes.project.opening import Project
from fieldnotes.refi import extension, identity, schema
from fieldnotes.refi.descriptions import (
    CodeEntry,
    CodingNote,
    code_description,
    participants_text,
    selection_description,
    speakers_text,
)
from fieldnotes.refi.positions import Utf16Counter
from fieldnotes.refi.report import Both
from fieldnotes.translations import Said, _, said, said_n

ORIGIN = f"fieldnotes {__version__}"
UTF16_ORIGIN = f"{ORIGIN} (positions in UTF-16 code units, as NVivo counts)"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
TextOut = Callable[[str], str]
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT_FIELDS = ("short", "definition", "when_to_use", "when_not_to_use", "example")


def _as_is(text: str) -> str:
    return text


def _replaces_anything(text_out: TextOut) -> bool:
    """Whether the function can change text (the decision's function without a register cannot)."""
    return bool(getattr(text_out, "active", text_out is not _as_is))


def _xml(text: str) -> str:
    """Characters XML 1.0 cannot hold become U+FFFD (they do not occur in normalised text)."""
    return _NOT_XML.sub("\ufffd", text)


def stamp(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _decimal(number: float) -> str:
    text = format(Decimal(repr(number)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _sort_time(value: dt.datetime | None) -> str:
    return stamp(value) or ""


@dataclass
class ExportStats:
    documents: int = 0
    codes: int = 0
    codings: int = 0
    selections: int = 0
    memos: int = 0
    cases: int = 0
    skipped: list[Said] = field(default_factory=list)  # English in JSON (str), translated on screen

    def as_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "codes": self.codes, "codings": self.codings,
                "selections": self.selections, "memos": self.memos, "cases": self.cases, "skipped": self.skipped}


class _Builder:
    """Builds the XML of one export in one read of the project."""

    def __init__(self, session: Session, text_out: TextOut, ns: str) -> None:
        self.session = session
        self.out = text_out
        self.ns = ns
        self.users: set[uuid.UUID] = set()
        self.guids: dict[uuid.UUID, uuid.UUID] = {}
        self.tree = CodeTree.load(session)
        self.codes = {code.id: code for code in session.scalars(select(Code))}
        self.stats = ExportStats()

    def el(self, parent: Any, tag: str, text: str | None = None, **attributes: str | None) -> Any:
        element = etree.SubElement(parent, f"{{{self.ns}}}{tag}")
        for key, value in attributes.items():
            if value is not None:
                element.set(key, _xml(value))
        if text is not None:
            element.text = _xml(text)
        return element

    def user(self, coder_id: uuid.UUID | None) -> str | None:
        """A coder's User GUID: the one another tool gave them, if an import stored it, else our id."""
        if coder_id is None:
            return None
        self.users.add(coder_id)
        return identity.to_guid(self.guids.get(coder_id) or coder_id)

    def text(self, value: str) -> str:
        return self.out(value) if value else value

    def carried(self, table: str, row: Any) -> None:
        """What the schema has no place for goes into `fieldnotes.json` (projects only)."""

    # --- codebook ------------------------------------------------------------------------------
    def code_entry(self, code: Code) -> CodeEntry:
        glosses = {lang: {key: self.text(str(value)) for key, value in fields.items()}
                   for lang, fields in (code.glosses or {}).items() if isinstance(fields, dict)}
        scale = (code.scale_min, code.scale_max) if code.scale_min is not None and code.scale_max is not None \
            else None
        return CodeEntry(texts={key: self.text(getattr(code, key) or "") for key in _TEXT_FIELDS}, scale=scale,
                         scale_labels={str(k): self.text(str(v)) for k, v in (code.scale_labels or {}).items()},
                         shortcut=code.shortcut, retired=code.retired, glosses=glosses)

    def codebook(self, parent: Any, memos_by_code: dict[uuid.UUID, list[Memo]] | None) -> None:
        codes = self.el(parent, "Codes")

        def add(into: Any, node_id: uuid.UUID) -> None:
            code = self.codes[node_id]
            element = self.el(into, "Code", guid=identity.to_guid(code.id), name=self.text(code.name),
                              isCodable="true" if code.codable else "false", color=code.color)
            description = code_description(self.code_entry(code))
            if description:
                self.el(element, "Description", description)
            for memo in (memos_by_code or {}).get(code.id, []):
                self.el(element, "NoteRef", targetGUID=identity.to_guid(memo.id))
            self.stats.codes += 1
            self.carried("codes", code)
            for child in self.tree.children.get(node_id, []):
                add(element, child.id)

        for top in self.tree.children.get(None, []):
            add(codes, top.id)


Shift = Callable[[int, str], int]


def _replaced_text(text_out: TextOut, text: str) -> tuple[str, Shift | None]:
    """A document's text as exported, and how positions move with it (None: they do not)."""
    with_offsets = getattr(text_out, "with_offsets", None)
    if callable(with_offsets):
        body, mapped = with_offsets(text)

        def by_hook(pos: int, _side: str) -> int:
            return int(mapped(pos))

        return body, (None if body == text else by_hook)
    body = text_out(text)
    if body == text:
        return body, None
    from fieldnotes.coding.edit import OffsetMap, char_opcodes

    offsets = OffsetMap(char_opcodes(text, body))

    def by_diff(pos: int, side: str) -> int:
        return offsets.position(pos, side=side)

    return body, by_diff


def _ordered_memos(memos: Iterable[Memo]) -> list[Memo]:
    return sorted(memos, key=lambda memo: (_sort_time(memo.created_at), str(memo.id)))


class _ProjectBuilder(_Builder):
    def __init__(self, session: Session, text_out: TextOut, utf16: bool, pseudonymised: bool) -> None:
        super().__init__(session, text_out, schema.PROJECT_NS)
        self.utf16 = utf16
        self.coders = {coder.id: coder for coder in session.scalars(select(Coder))}
        self.coder_names = {coder.id: coder.name for coder in self.coders.values()}
        self.guids: dict[uuid.UUID, uuid.UUID] = {}
        taken = set(self.coders)
        for coder in sorted(self.coders.values(), key=lambda c: (c.name, str(c.id))):
            if coder.refi_guid is not None and coder.refi_guid not in taken:  # one GUID, one User
                self.guids[coder.id] = coder.refi_guid
                taken.add(coder.refi_guid)
        self.ext = extension.Writer(self.user, self.text, pseudonymised=pseudonymised)
        self.memos = _ordered_memos(session.scalars(select(Memo)))
        self.by_target: dict[tuple[str, uuid.UUID | None], list[Memo]] = defaultdict(list)
        for memo in self.memos:
            for kind in ("document", "case", "code", "coding"):
                target = getattr(memo, f"{kind}_id")
                if target is not None:
                    self.by_target[(kind, target)].append(memo)
                    break
            else:
                self.by_target[("project", None)].append(memo)
        self.attributes = {attr.id: attr for attr in session.scalars(select(Attribute))}
        self.values: dict[tuple[str, uuid.UUID], list[tuple[Attribute, AttributeValue]]] = defaultdict(list)
        for value in session.scalars(select(AttributeValue)):
            attribute = self.attributes[value.attribute_id]
            owner = ("document", value.document_id) if value.document_id else ("case", value.case_id)
            if owner[1] is not None:
                self.values[owner].append((attribute, value))  # type: ignore[index]
        self.used_variables: dict[uuid.UUID, tuple[str, str]] = {}
        self.attribute_types: dict[uuid.UUID, str] = {}

    def carried(self, table: str, row: Any) -> None:
        self.ext.row(table, identity.to_guid(row.id), row)

    # --- variables -----------------------------------------------------------------------------
    def attribute_type(self, attribute: Attribute) -> str:
        """REFI's type for an attribute; whole numbers only are Integer, so a round trip keeps the type."""
        if not self.attribute_types:
            fractional = {a.id for pairs in self.values.values() for a, v in pairs
                          if v.value_number is not None and not float(v.value_number).is_integer()}
            for attr in self.attributes.values():
                self.attribute_types[attr.id] = {"date": "Date", "number": "Float" if attr.id in fractional
                                                 else "Integer"}.get(attr.value_type, "Text")
        return self.attribute_types.get(attribute.id, "Text")

    def value(self, parent: Any, variable: uuid.UUID, name: str, kind: str, value: Any) -> None:
        self.used_variables.setdefault(variable, (name, kind))
        element = self.el(parent, "VariableValue")
        self.el(element, "VariableRef", targetGUID=identity.to_guid(variable))
        if kind == "Date":
            self.el(element, "DateValue", value.isoformat() if isinstance(value, dt.date) else str(value))
        elif kind == "Integer":
            self.el(element, "IntegerValue", str(int(value)))
        elif kind == "Float":
            self.el(element, "FloatValue", _decimal(float(value)))
        else:
            self.el(element, "TextValue", self.text(str(value)))

    def builtin(self, parent: Any, key: str, value: Any) -> None:
        if value in (None, "", [], {}):
            return
        name, kind = identity.BUILTIN_VARIABLES[key]
        self.value(parent, identity.builtin_variable(key), name, kind, value)

    def attribute_values(self, parent: Any, owner: tuple[str, uuid.UUID]) -> None:
        pairs = sorted(self.values.get(owner, []), key=lambda pair: (pair[0].name, str(pair[0].id)))
        for attribute, value in pairs:
            kind = self.attribute_type(attribute)
            if value.value_number is not None:
                raw: Any = value.value_number
            elif value.value_date is not None:
                raw = value.value_date
            else:
                raw = value.value_text or ""
                if kind != "Text":
                    kind = "Text"
            self.value(parent, attribute.id, self.text(attribute.name), kind, raw)
            self.ext.link("attribute_values", value, attribute=identity.to_guid(attribute.id),
                          **{owner[0]: identity.to_guid(owner[1])})

    def variables(self, parent: Any) -> None:
        for attribute in self.attributes.values():  # an attribute no one has a value of yet is kept too
            self.used_variables.setdefault(attribute.id, (self.text(attribute.name), self.attribute_type(attribute)))
        if not self.used_variables:
            return
        element = self.el(parent, "Variables")
        builtins = [identity.builtin_variable(key) for key in identity.BUILTIN_VARIABLES]
        ordered = [v for v in builtins if v in self.used_variables] + sorted(
            (v for v in self.used_variables if v not in builtins),
            key=lambda v: (self.used_variables[v][0], str(v)))
        for variable in ordered:
            name, kind = self.used_variables[variable]
            self.el(element, "Variable", guid=identity.to_guid(variable), name=name, typeOfVariable=kind)
            if variable in self.attributes:
                self.carried("attributes", self.attributes[variable])

    # --- sources -------------------------------------------------------------------------------
    def sources(self, parent: Any, files: dict[str, bytes]) -> None:
        documents = self.session.scalars(select(Document).order_by(Document.title, Document.id)).all()
        if not documents:
            return
        element = self.el(parent, "Sources")
        codings: dict[uuid.UUID, list[Coding]] = defaultdict(list)
        for coding in self.session.scalars(select(Coding)):
            codings[coding.document_id].append(coding)
        turns: dict[uuid.UUID, list[SpeakerTurn]] = defaultdict(list)
        for turn in self.session.scalars(select(SpeakerTurn).order_by(SpeakerTurn.document_id, SpeakerTurn.ordinal,
                                                                      SpeakerTurn.start, SpeakerTurn.id)):
            turns[turn.document_id].append(turn)
        for doc in documents:
            self.source(element, doc, codings.get(doc.id, []), files, turns.get(doc.id, []))

    def source(self, parent: Any, doc: Document, codings: list[Coding], files: dict[str, bytes],
               turns: list[SpeakerTurn]) -> None:
        guid = identity.to_guid(doc.id)
        body, shift = _replaced_text(self.out, doc.text)
        self.carried("documents", doc)
        if shift is None and turns:  # turns in a text the pseudonyms changed are found again on import
            self.ext.speaker_turns(guid, turns)
        count = Utf16Counter(body) if self.utf16 else None
        element = self.el(parent, "TextSource", guid=guid, name=self.text(doc.title),
                          plainTextPath=f"internal://{guid}.txt", creatingUser=self.user(doc.created_by),
                          creationDateTime=stamp(doc.created_at), modifiedDateTime=stamp(doc.updated_at))
        files[f"sources/{guid}.txt"] = body.encode("utf-8")
        self.stats.documents += 1
        spans: dict[tuple[int, int], list[Coding]] = defaultdict(list)
        for coding in codings:
            spans[(coding.start, coding.end)].append(coding)
        for (start, end), group in sorted(spans.items()):
            new_start, new_end = start, end
            if shift is not None:
                new_start, new_end = shift(start, "start"), shift(end, "end")
            if new_end <= new_start:
                self.stats.skipped.append(said_n(
                    "{n} coding at {span} in {title!r} vanished when names were replaced",
                    "{n} codings at {span} in {title!r} vanished when names were replaced", len(group),
                    span=f"{start}:{end}", title=doc.title))
                continue
            self.selection(element, doc, body, group, (start, end), (new_start, new_end), count)
        for memo in self.by_target.get(("document", doc.id), []):
            self.el(element, "NoteRef", targetGUID=identity.to_guid(memo.id))
        self.builtin(element, "kind", doc.kind)
        self.builtin(element, "date", doc.date)
        self.builtin(element, "activity", doc.activity)
        self.builtin(element, "participants", participants_text(doc.participants or []))
        self.builtin(element, "speakers", speakers_text(doc.speakers or {}))
        self.attribute_values(element, ("document", doc.id))

    def selection(self, parent: Any, doc: Document, body: str, group: list[Coding], original: tuple[int, int],
                  span: tuple[int, int], count: Utf16Counter | None) -> None:
        start, end = span
        group = sorted(group, key=lambda c: (self.tree.path(c.code_id), self.coder_names.get(c.coder_id, ""),
                                             str(c.id)))
        first = min(group, key=lambda c: (_sort_time(c.created_at), str(c.id)))
        position = count if count is not None else (lambda pos: pos)
        last = max(group, key=lambda c: (_sort_time(c.updated_at), str(c.id)))
        element = self.el(parent, "PlainTextSelection",
                          guid=identity.to_guid(identity.derived("selection", doc.id, *original)),
                          name=identity.headline(body[start:end]), startPosition=str(position(start)),
                          endPosition=str(position(end)), creatingUser=self.user(first.coder_id),
                          creationDateTime=stamp(first.created_at), modifiedDateTime=stamp(last.updated_at))
        notes = [(self.tree.path(c.code_id), self.coder_names.get(c.coder_id, ""),
                  CodingNote(c.rating, c.needs_review, self.text(c.memo or "") or None)) for c in group]
        description = selection_description(notes, len(group))
        if description:
            self.el(element, "Description", description)
        self.stats.selections += 1
        for coding in group:
            item = self.el(element, "Coding", guid=identity.to_guid(coding.id), creatingUser=self.user(coding.coder_id),
                           creationDateTime=stamp(coding.created_at))
            self.el(item, "CodeRef", targetGUID=identity.to_guid(coding.code_id))
            for memo in self.by_target.get(("coding", coding.id), []):
                self.el(item, "NoteRef", targetGUID=identity.to_guid(memo.id))
            self.stats.codings += 1
            self.carried("codings", coding)

    # --- cases, notes, links, sets -------------------------------------------------------------
    def case_documents(self) -> dict[uuid.UUID, list[uuid.UUID]]:
        titles = dict(self.session.execute(select(Document.id, Document.title)).all())
        out: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        for link in self.session.scalars(select(DocumentCase)):
            out[link.case_id].append(link.document_id)
            self.ext.link("document_cases", link, document=identity.to_guid(link.document_id),
                          case=identity.to_guid(link.case_id))
        for docs in out.values():
            docs.sort(key=lambda doc_id: (titles.get(doc_id, ""), str(doc_id)))
        return out

    def cases(self, parent: Any, cases: list[Case], documents: dict[uuid.UUID, list[uuid.UUID]]) -> None:
        if not cases:
            return
        element = self.el(parent, "Cases")
        for case in cases:
            item = self.el(element, "Case", guid=identity.to_guid(case.id), name=self.text(case.name))
            if case.description:
                self.el(item, "Description", self.text(case.description))
            self.builtin(item, "case type", case.type)
            self.attribute_values(item, ("case", case.id))
            for doc_id in documents.get(case.id, []):
                self.el(item, "SourceRef", targetGUID=identity.to_guid(doc_id))
            self.stats.cases += 1
            self.carried("cases", case)

    def notes(self, parent: Any) -> None:
        if not self.memos:
            return
        element = self.el(parent, "Notes")
        for memo in self.memos:
            text = self.text(memo.text)
            note = self.el(element, "Note", guid=identity.to_guid(memo.id), name=identity.headline(text),
                           creatingUser=self.user(memo.created_by), creationDateTime=stamp(memo.created_at),
                           modifiedDateTime=stamp(memo.updated_at))
            self.el(note, "PlainTextContent", text)
            self.stats.memos += 1
            self.carried("memos", memo)

    def links(self, parent: Any, cases: list[Case]) -> None:
        pairs = [(memo, case) for case in cases for memo in self.by_target.get(("case", case.id), [])]
        if not pairs:
            return
        element = self.el(parent, "Links")
        for memo, case in pairs:
            self.el(element, "Link", guid=identity.to_guid(identity.derived("memo-link", memo.id)), name="Memo",
                    direction="OneWay", originGUID=identity.to_guid(memo.id), targetGUID=identity.to_guid(case.id))

    def sets(self, parent: Any, cases: list[Case], documents: dict[uuid.UUID, list[uuid.UUID]]) -> None:
        with_documents = [case for case in cases if documents.get(case.id)]
        if not with_documents:
            return
        element = self.el(parent, "Sets")
        for case in with_documents:
            item = self.el(element, "Set", guid=identity.to_guid(identity.derived("case-set", case.id)),
                           name=f"{case.type}: {self.text(case.name)}")
            for doc_id in documents[case.id]:
                self.el(item, "MemberSource", targetGUID=identity.to_guid(doc_id))

    def users_element(self, root: Any) -> None:
        """Every coder, whether or not they made anything: a round trip keeps them all."""
        everyone = set(self.coders) | self.users
        if not everyone:
            return
        element = etree.Element(f"{{{self.ns}}}Users")
        for coder_id in sorted(everyone, key=lambda c: (self.coder_names.get(c, ""), str(c))):
            name = self.text(self.coder_names.get(coder_id, ""))
            self.el(element, "User", guid=self.user(coder_id), name=name)
            if coder_id in self.coders:
                self.ext.row("coders", self.user(coder_id) or "", self.coders[coder_id])
        root.insert(0, element)

    def build(self, settings: ProjectSettings, modified: dt.datetime) -> tuple[bytes, dict[str, bytes]]:
        root = etree.Element(f"{{{self.ns}}}Project", nsmap={None: self.ns, "xsi": schema.XSI_NS})
        root.set("name", _xml(self.text(settings.name)))
        root.set("origin", UTF16_ORIGIN if self.utf16 else ORIGIN)
        creator = self.user(settings.created_by) if settings.created_by in self.coders else None
        if creator:
            root.set("creatingUserGUID", creator)
        root.set("creationDateTime", stamp(settings.created_at) or "")
        root.set("modifiedDateTime", stamp(max(modified, settings.created_at)) or "")
        root.set(f"{{{schema.XSI_NS}}}schemaLocation", f"{schema.PROJECT_NS} {schema.PROJECT_LOCATION}")
        self.ext.row("project", "project", settings)
        files: dict[str, bytes] = {}
        if self.codes:
            memos_by_code = {key[1]: memos for key, memos in self.by_target.items() if key[0] == "code" and key[1]}
            self.codebook(self.el(root, "CodeBook"), memos_by_code)
        cases = list(self.session.scalars(select(Case).order_by(Case.type, Case.name, Case.id)))
        documents = self.case_documents()
        variables_at = len(root)
        cases_holder = etree.Element("holder")
        self.cases(cases_holder, cases, documents)
        self.sources(root, files)
        for index, child in enumerate(list(cases_holder)):
            root.insert(variables_at + index, child)
        holder = etree.Element("holder")
        self.variables(holder)
        for child in list(holder):
            root.insert(variables_at, child)
        self.notes(root)
        self.links(root, cases)
        self.sets(root, cases, documents)
        for memo in self.by_target.get(("project", None), []):
            self.el(root, "NoteRef", targetGUID=identity.to_guid(memo.id))
        self.users_element(root)
        data: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True,
                                     standalone=True)
        files[extension.MEMBER] = self.ext.data()
        return data, files


def last_change(session: Session) -> dt.datetime | None:
    """When the project last changed: the latest change in the event log that touched a row.

    Exports and other actions that change no rows are in the log too, but do not count, so exporting
    does not make the project newer.
    """
    touched = exists().where(Event.change_id == Change.id)
    moment: dt.datetime | None = session.scalar(select(func.max(Change.at)).where(touched))
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def project_xml(session: Session, *, text_out: TextOut = _as_is, utf16: bool = False,
                pseudonymised: bool | None = None) -> tuple[bytes, dict[str, bytes], ExportStats]:
    """The project.qde, the source files and `fieldnotes.json` of an export, without writing anything.

    `pseudonymised`: the export says its names are pseudonyms, so file names (written by hand, beyond
    the register's reach) are left out; by default, when `text_out` can replace anything. The export
    passes its decision, which is also yes when the project holds pseudonyms only (the key taken out).
    """
    settings = session.scalars(select(ProjectSettings)).one()
    if pseudonymised is None:
        pseudonymised = _replaces_anything(text_out)
    builder = _ProjectBuilder(session, text_out, utf16, pseudonymised)
    modified = last_change(session) or settings.updated_at
    data, files = builder.build(settings, modified)
    return data, files, builder.stats


def codebook_xml(session: Session, *, text_out: TextOut = _as_is) -> tuple[bytes, int]:
    """A .qdc codebook; refused when there are no codes (the schema needs at least one)."""
    builder = _Builder(session, text_out, schema.CODEBOOK_NS)
    if not builder.codes:
        raise Refused(_("the codebook is empty; there is nothing to export"), hint=_("add codes first"))
    root = etree.Element(f"{{{schema.CODEBOOK_NS}}}CodeBook", nsmap={None: schema.CODEBOOK_NS, "xsi": schema.XSI_NS})
    root.set("origin", ORIGIN)
    root.set(f"{{{schema.XSI_NS}}}schemaLocation", f"{schema.CODEBOOK_NS} {schema.CODEBOOK_LOCATION}")
    builder.codebook(root, None)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True, standalone=True)
    return data, builder.stats.codes


def write_zip(target: Path, qde: bytes, files: dict[str, bytes]) -> None:
    """The archive, atomically: project.qde first, then the sources; fixed member times, owner-only."""
    with atomic_output(target) as handle, zipfile.ZipFile(handle, "w") as archive:
        for name, data in [("project.qde", qde), *sorted(files.items())]:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, data)


def _check_target(target: Path, suffix: str, force: bool) -> None:
    if target.suffix.lower() != suffix:
        raise FieldnotesError(_("{name}: write REFI-QDA {value} to a {suffix} file")
                              .format(name=target.name, value='projects' if suffix == '.qdpx' else 'codebooks',
                                      suffix=suffix), hint=_("name it {stem}{suffix}").format(stem=target.stem,
                                              suffix=suffix))
    if target.exists() and not force:
        raise FieldnotesError(_("{target} already exists").format(target=target), hint=_("add --force to overwrite it"))


def _names(session: Session, pseudonymize: bool | None) -> Any:
    """How the export treats names: the exports' one decision (fieldnotes.export.pseudonyms.decide)."""
    from fieldnotes.export.pseudonyms import decide

    return decide(session, pseudonymize)


def _ensure_exporter(session: Session, coder_name: str) -> None:
    """The exporting coder, added before the XML is built (the audit record names them), so that the
    next export of the unchanged project has the same Users and is the same file."""
    name = coders.normalise_name(coder_name)
    if name and session.get(Coder, coders.coder_id(name)) is None:
        with history.change(session, coder_id=coders.coder_id(name), action="coder.add",
                            summary=said("added coder {name}", name=name)):
            coders.ensure_coder(session, name)


def _record(session: Session, coder_name: str, fmt: str, target: Path, names: Any, summary: Said) -> bool:
    from fieldnotes.export.pseudonyms import record

    record(session, coder_name=coder_name, summary=summary, details={"format": fmt, "file": target.name},
           names=names)
    return bool(names.replaced)


def export_qdpx(project: Project, target: Path | str, *, coder_name: str, pseudonymize: bool | None = None,
                utf16: bool = False, force: bool = False) -> dict[str, Any]:
    """Write the whole project as a .qdpx and record the export in the audit trail (one transaction)."""
    target = Path(target)
    _check_target(target, ".qdpx", force)
    with project.write() as session:
        _ensure_exporter(session, coder_name)  # before the XML, so that the next export is the same file
        names = _names(session, pseudonymize)
        qde, files, stats = project_xml(session, text_out=names.text, utf16=utf16, pseudonymised=bool(names.replaced))
        write_zip(target, qde, files)
        done = _record(session, coder_name, "qdpx", target, names,
                       said("exported the project as REFI-QDA ({documents} documents, {codings} codings) to {file}",
                            documents=stats.documents, codings=stats.codings, file=target.name))
    return {"file": str(target), "format": "qdpx", "pseudonymized": done, "pseudonymize_requested": names.wanted,
            "names_replaced": done, "names": Both.of(names.line(), names.line(_)),  # JSON: English
            "positions": "utf16" if utf16 else "codepoints", **stats.as_dict()}


def write_qdc(session: Session, path: Path | str, *, text_out: TextOut = _as_is) -> int:
    """Write the codebook as a .qdc (atomically); returns the number of codes. Records nothing."""
    data, count = codebook_xml(session, text_out=text_out)
    with atomic_output(Path(path)) as handle:
        handle.write(data)
    return count


def export_qdc(project: Project, target: Path | str, *, coder_name: str, pseudonymize: bool | None = None,
               force: bool = False) -> dict[str, Any]:
    """Write the codebook as a .qdc and record the export in the audit trail."""
    target = Path(target)
    _check_target(target, ".qdc", force)
    with project.write() as session:
        names = _names(session, pseudonymize)
        count = write_qdc(session, target, text_out=names.text)
        done = _record(session, coder_name, "qdc", target, names,
                       said("exported the codebook ({count} codes) to {file}", count=count, file=target.name))
    return {"file": str(target), "format": "qdc", "pseudonymized": done, "pseudonymize_requested": names.wanted,
            "names_replaced": done, "names": Both.of(names.line(), names.line(_)),  # JSON: English
            "codes": count}
