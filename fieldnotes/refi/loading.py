"""Importing a REFI-QDA project (.qdpx) or codebook (.qdc) into a project, as one undoable change.

The file's GUIDs become our row ids, so importing a file twice, or importing a file exported from
this project, matches what is there instead of duplicating it: rows with an existing id are matched;
codes are also matched by path and documents by the hash of their text when ids differ; codings are
matched by (document, code, coder, span). A project that is still empty (made with `init --empty`)
takes a file's project as it is: name, creation time and, from our own files, every setting; a
project that is not empty keeps its settings, and the report shows the file's.

Every `User` becomes a coder (a coder's id stays a UUID5 of the name; the file's user GUID is stored
beside it and written back on export). Sources, notes, codes and codings keep the times the file
gives them. What our own exports carry beyond the schema (`fieldnotes.json`) is put back exactly.

Positions are converted from the file's unit (see `positions`) and each selection is checked: it must
lie within the text and must not split a character; one from another tool should also not cut a word,
because a selection that does was usually counted in the wrong unit. Before anything is decided the
other units are tried per document, and the one under which the selections land best is taken. A
selection that still cuts a word is a coder's sloppy selection when the file's unit is settled (at
least nine in ten of its selections land on word boundaries) or forced with `--positions`: it is
imported as given and listed as "kept as given"; otherwise it is dropped with the reason.

A document whose GUID matches one in the project but whose text differs is a conflict: its codings
move onto the project's text (those touching a difference marked for review), and the file's text is
kept as a new document, linked to the old one by a memo. Everything that is not taken (media, PDF
regions, graphs, missing files, selections that do not fit) is listed in the report with the reason.
"""

from __future__ import annotations

import codecs
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from fieldnotes import text as textmod
from fieldnotes.codebook.tree import CodeTree
from fieldnotes.coding.edit import OffsetMap, char_opcodes
from fieldnotes.db import coders, history, validation
from fieldnotes.db.models import (
    ATTRIBUTE_TYPES,
    Attribute,
    AttributeValue,
    Case,
    Code,
    Coder,
    Coding,
    Document,
    DocumentCase,
    Memo,
    ProjectSettings,
    SpeakerTurn,
)
from fieldnotes.documents.store import NewDocument, add_document, normalise_kind, set_attribute
from fieldnotes.errors import FieldnotesError
from fieldnotes.project.opening import Project
from fieldnotes.refi import codetree, extension, identity
from fieldnotes.refi.descriptions import (
    SelectionNotes,
    parse_participants,
    parse_selection_description,
    parse_speakers,
)
from fieldnotes.refi.model import RefiCode, RefiCoding, RefiFile, RefiSelection, RefiText, RefiValue, RefiVariable
from fieldnotes.refi.positions import UNIT_NAMES, UNITS, Landing, PositionMap, unit_for_origin, unit_short
from fieldnotes.refi.reader import read_exchange
from fieldnotes.refi.report import ImportReport
from fieldnotes.translations import LANGUAGES, Said, _, said, said_n

OUR_ORIGIN = "fieldnotes"
SET_CASE_TYPE = "group"
#: the share of a file's selections that must land on word boundaries for its unit to count as settled
SETTLED_SHARE = 0.9
_VALUE_TYPES = {"Text": "text", "Boolean": "text", "Integer": "number", "Float": "number", "Date": "date",
                "DateTime": "text"}
_SCHEMES = ("internal://", "relative://", "absolute://", "file://")


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


@dataclass(frozen=True)
class Target:
    """What a memo is attached to."""

    kind: str  # "document", "code", "case", "coding", "project"
    id: uuid.UUID | None
    label: str


@dataclass
class _Choice:
    """The counting unit chosen for one source, and where its selections land under it."""

    unit: str
    mapping: PositionMap
    landings: list[Landing]
    score: tuple[int, int]


@dataclass
class _Source:
    """A source whose text was found, with the unit its positions are read in and where its selections land.

    Only the landings are kept between deciding and importing (not the texts), so a large file is held in
    memory one document at a time."""

    text: RefiText
    unit: str | None  # None: the text cannot be mapped
    landings: list[Landing]


def import_exchange_file(project: Project, path: Path | str, *, coder_name: str, positions: str | None = None,
                         dry_run: bool = False) -> dict[str, Any]:
    """Import a .qdpx, .qdc or .qde into the project as one change; returns `{"title", "notes", "report"}`.

    `positions` forces a counting unit (codepoints, utf16, atlas) instead of the one the file's origin
    implies. A refused file raises before anything is written.
    """
    path = Path(path)
    if positions not in (None, "auto", *UNITS):
        raise FieldnotesError(_("unknown position unit {positions!r}").format(positions=positions),
                              hint=_("use one of: {values}").format(values=", ".join(("auto", *UNITS))))
    refi = read_exchange(path)
    report = ImportReport(file=path.name, format=refi.format, origin=refi.origin)
    for kind, name, reason in refi.converted:
        report.convert(kind, name, reason)
    report.warnings.extend(refi.warnings)
    coder_id = coders.coder_id(coder_name)
    try:
        with project.write() as session:
            with history.change(session, coder_id=coder_id, action="import",
                                summary=said("imported {name} (REFI-QDA)", name=path.name),
                                details={"format": refi.format, "file": path.name}):
                coders.ensure_coder(session, coder_name)
                _Importer(session, refi, report, coder_id, None if positions == "auto" else positions).run()
                if dry_run:
                    raise _DryRun
    except _DryRun:
        report.dry_run = True
    return report.summary()


def decode_source(data: bytes) -> tuple[str, Said | None]:
    """Source text from its bytes (UTF-8, with or without BOM; UTF-16 with a BOM), and a warning if guessed."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        return data.decode("cp1252", errors="replace"), said("not UTF-8 (byte {byte}); read as Windows-1252",
                                                             byte=str(error.start))


def _excerpt(text: str, width: int = 40) -> str:
    return identity.headline(text, width)


def file_stem(reference: str | None) -> str:
    """The file name without its extension, from a plainTextPath or richTextPath as tools write them."""
    if not reference:
        return ""
    bare = reference.strip()
    for scheme in _SCHEMES:
        if bare.casefold().startswith(scheme):
            bare = bare[len(scheme):]
    return PurePosixPath(bare.replace("\\", "/")).stem.strip()


def _walk(codes: list[RefiCode]) -> dict[uuid.UUID, RefiCode]:
    out: dict[uuid.UUID, RefiCode] = {}
    stack = list(codes)
    while stack:
        code = stack.pop()
        out.setdefault(code.guid, code)
        stack.extend(code.children)
    return out


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


class _Importer:
    def __init__(self, session: Session, refi: RefiFile, report: ImportReport, coder_id: uuid.UUID,
                 forced_unit: str | None) -> None:
        self.session = session
        self.refi = refi
        self.report = report
        self.coder_id = coder_id
        self.forced_unit = forced_unit
        self.trusted = (refi.origin or "").strip().casefold().startswith(OUR_ORIGIN)
        self.default_unit = forced_unit or unit_for_origin(refi.origin)
        report.positions = self.default_unit if refi.texts else None
        self.fresh = not any(session.scalar(select(func.count()).select_from(model)) for model in
                             (Document, Code, Memo, Case))
        self.ext = extension.read(refi.extension) if self.trusted else extension.Extension()
        report.warnings.extend(self.ext.problems)
        if refi.extension is not None and not self.trusted:
            report.warnings.append(said("the file holds {member}, but it was written by {origin!r}, not by fieldnotes; "
                                        "it was not read", member=extension.MEMBER, origin=refi.origin))
        self.users = {user.guid: user.name or f"REFI user {str(user.guid)[:8]}" for user in refi.users}
        self.user_coders: dict[uuid.UUID, uuid.UUID] = {}
        self.coder_names: dict[uuid.UUID, str] = dict(session.execute(select(Coder.id, Coder.name)).all())
        self.variables: dict[uuid.UUID, RefiVariable] = {v.guid: v for v in refi.variables}
        self.used_variables: set[uuid.UUID] = set()
        self.refi_codes = _walk(refi.codes)
        self.code_ids: dict[uuid.UUID, uuid.UUID] = {}
        self.paths: dict[uuid.UUID, str] = {}
        self.doc_ids: dict[uuid.UUID, uuid.UUID] = {}
        self.doc_texts: dict[uuid.UUID, str] = {}
        self.selections: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID | None]] = {}
        self.coding_ids: dict[uuid.UUID, uuid.UUID] = {}
        self.case_ids: dict[uuid.UUID, uuid.UUID] = {}
        self.new_cases: set[uuid.UUID] = set()
        self.new_docs: set[uuid.UUID] = set()
        self.new_attributes: set[uuid.UUID] = set()
        self.reported_missing: set[str] = set()
        self.note_targets: dict[uuid.UUID, list[Target]] = {}
        self.coding_keys: dict[uuid.UUID, set[tuple[uuid.UUID, uuid.UUID, int, int]]] = {}
        self.used_coding_ids: set[uuid.UUID] = set()
        self.hashes: dict[str, uuid.UUID] = {sha: doc_id for doc_id, sha in
                                              session.execute(select(Document.id, Document.sha256))}
        self.titles = {" ".join(text.name.split()).casefold() for text in refi.texts if text.name.strip()}
        self.credited = 0
        self.builtin_ids = {identity.builtin_variable(key): key for key in identity.BUILTIN_VARIABLES}
        self.builtin_names = {name: key for key, (name, _kind) in identity.BUILTIN_VARIABLES.items()}
        self.scales: dict[uuid.UUID, tuple[int | None, int | None]] = {}
        self._known_codings: set[uuid.UUID] | None = None
        self.clean = self.sloppy = 0
        self.stamped: list[tuple[Any, dict[str, Any]]] = []

    # --- times and what our own files carry ----------------------------------------------------
    def carried(self, table: str, key: uuid.UUID | str, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
        """`fieldnotes.json`'s values for one row, coders mapped from User GUIDs to ours."""
        out: dict[str, Any] = {}
        for column, value in self.ext.row(table, key).items():
            if column in skip:
                continue
            if column in extension.CODER_COLUMNS:
                value = self.user_coders.get(value) if value is not None else None
                if value is None:
                    continue
            out[column] = value
        return out

    def stamp(self, row: Any, table: str | None, key: uuid.UUID | str | None, *, created: dt.datetime | None = None,
              modified: dt.datetime | None = None, skip: tuple[str, ...] = (), later: bool = True) -> None:
        """Give a row the file's times (and what our own files carry); `later`: again at the very end,
        because the import may still change the row (which would make its updated_at the import's time)."""
        values: dict[str, Any] = {}
        if created is not None:
            values["created_at"] = created
            values["updated_at"] = modified or created
        elif modified is not None:
            values["updated_at"] = modified
        if table is not None and key is not None:
            values.update(self.carried(table, key, skip=skip))
        if not values:
            return
        for column, value in values.items():
            setattr(row, column, value)
        if later:
            self.stamped.append((row, values))

    def finish(self) -> None:
        """Put the times back on rows the import changed after making them."""
        self.session.flush()
        for row, values in self.stamped:
            for column, value in values.items():
                setattr(row, column, value)
            if "updated_at" in values:
                flag_modified(row, "updated_at")
        self.session.flush()

    # --- coders --------------------------------------------------------------------------------
    def authors(self) -> set[uuid.UUID]:
        found: set[uuid.UUID | None] = {note.creating_user for note in self.refi.notes}
        found |= {code.creating_user for code in self.refi_codes.values()}
        for text in self.refi.texts:
            found.add(text.creating_user)
            found |= {coding.creating_user for coding in text.codings}
            for selection in text.selections:
                found.add(selection.creating_user)
                found |= {coding.creating_user for coding in selection.codings}
        return {user for user in found if user is not None}

    def import_users(self) -> None:
        """Every User becomes a coder, whether or not they made anything; their GUID is kept beside it."""
        authored = self.authors()
        seen: set[uuid.UUID] = set()
        stamped: list[tuple[Coder, uuid.UUID]] = []
        for guid, given in self.users.items():
            name = coders.normalise_name(given)[:200]
            cid = coders.coder_id(name)
            own = None if guid == cid else guid
            coder = self.session.get(Coder, cid)
            if coder is None:
                coder = Coder(id=cid, name=name, created_by=cid, refi_guid=own)
                self.session.add(coder)
                self.session.flush()
                self.report.taken["coders"] += 1
                fresh_row = True
            else:
                fresh_row = False
                if cid not in seen:
                    self.report.matched["coders"] += 1
                if own is not None and coder.refi_guid is None:
                    coder.refi_guid = own
                    self.report.convert("coder", coder.name, said(
                        "the file's user GUID {guid} was stored beside the coder, for exports back to that tool",
                        guid=identity.to_guid(own)))
                elif own is not None and coder.refi_guid != own:
                    self.report.convert("coder", coder.name, said(
                        "the file's user {guid} was read as this coder, who keeps the user GUID stored before",
                        guid=identity.to_guid(own)))
            seen.add(cid)
            self.user_coders[guid] = cid
            self.coder_names[cid] = coder.name
            if fresh_row or self.fresh:  # an empty project takes the file's coders as they are
                stamped.append((coder, guid))
        for coder, guid in stamped:  # after all are made: one may have been added by another
            self.stamp(coder, "coders", guid)
        self.report.users = [{"guid": str(guid), "name": name, "coder": str(self.user_coders[guid]),
                              "authored": guid in authored} for guid, name in self.users.items()]

    def coder_for(self, user: uuid.UUID | None) -> uuid.UUID | None:
        return self.user_coders.get(user) if user is not None else None

    def coder_of(self, *users: uuid.UUID | None) -> uuid.UUID:
        for user in users:
            found = self.coder_for(user)
            if found is not None:
                return found
        self.credited += 1
        return self.coder_id

    def run(self) -> None:
        self.import_users()
        self.import_codes()
        sources = self.prepare_sources()
        for source in sources:
            self.import_text(source)
        self.import_cases()
        self.import_sets()
        self.import_links()
        self.import_notes()
        self.import_variables()
        self.import_project()
        self.report_media()
        if self.credited:
            coder = self.coder_names.get(self.coder_id)
            credited = said_n("{count} coding", "{count} codings", self.credited, count_as="count")
            self.report.convert("coding", credited,
                                said_n("it named no known author; it is credited to {coder}",
                                       "they named no known author; they are credited to {coder}", self.credited,
                                       coder=coder if coder else said("the importing coder")))
        self.finish()

    # --- codes ---------------------------------------------------------------------------------
    def coded_guids(self) -> set[uuid.UUID]:
        found: set[uuid.UUID] = set()
        for text in self.refi.texts:
            for coding in [*text.codings, *(c for s in text.selections for c in s.codings)]:
                if coding.code is not None:
                    found.add(coding.code)
        return found

    def import_codes(self) -> None:
        converted: list[tuple[str, Said]] = []
        planned = codetree.plan(self.refi.codes, converted)
        for name, what in converted:
            self.report.convert("code", name, what)  # a Said
        existing = {code.id: code for code in self.session.scalars(select(Code))}
        tree = CodeTree.load(self.session)
        self.paths = {code_id: tree.path(code_id) for code_id in existing}
        by_path = {path.casefold(): code_id for code_id, path in self.paths.items()}
        shortcuts = {code.shortcut for code in existing.values() if code.shortcut}
        siblings: dict[uuid.UUID | None, int] = {}
        for code in existing.values():
            siblings[code.parent_id] = siblings.get(code.parent_id, 0) + 1
        coded = self.coded_guids()
        self.scales = {code.id: (code.scale_min, code.scale_max) for code in existing.values()}
        for plan in planned:
            parent_id = self.code_ids.get(plan.parent) if plan.parent else None
            path = f"{self.paths[parent_id]}/{plan.name}" if parent_id else plan.name
            if plan.guid in existing:
                self.code_ids[plan.guid] = plan.guid
                self.report.matched["codes"] += 1
                continue
            same_path = by_path.get(path.casefold())
            if same_path is not None:
                self.code_ids[plan.guid] = same_path
                self.report.matched["codes"] += 1
                self.report.convert("code", path, said("it has another id in the file; it was matched by its path"))
                continue
            entry = plan.entry
            codable = plan.codable
            if not codable and plan.guid in coded:
                codable = True
                self.report.convert("code", path, said("a category in the file, but it carries codings there; "
                                                       "it was made a code"))
            shortcut = entry.shortcut
            if shortcut and shortcut in shortcuts:
                self.report.warnings.append(said("the shortcut {shortcut!r} of {path} is taken in this project; "
                                                 "it was left out", shortcut=shortcut, path=path))
                shortcut = None
            if shortcut:
                shortcuts.add(shortcut)
            position = plan.position + (siblings.get(parent_id, 0) if not self.fresh else 0)
            scale = entry.scale
            source = self.refi_codes.get(plan.guid)
            name = validation.name(plan.name, _("the code name"), limit=validation.CODE_NAME)  # the rules for names
            row = Code(id=plan.guid, parent_id=parent_id, name=name, color=plan.color or "#808080",
                       shortcut=shortcut, codable=codable, retired=entry.retired, position=position,
                       scale_min=scale[0] if scale else None, scale_max=scale[1] if scale else None,
                       scale_labels=dict(entry.scale_labels), glosses={k: dict(v) for k, v in entry.glosses.items()},
                       created_by=self.coder_for(source.creating_user) if source else None,
                       **{key: entry.texts.get(key, "") for key in
                          ("short", "definition", "when_to_use", "when_not_to_use", "example")})
            self.session.add(row)
            self.stamp(row, "codes", plan.guid, created=source.created if source else None,
                       modified=source.modified if source else None, skip=() if self.fresh else ("position",))
            self.scales[plan.guid] = (row.scale_min, row.scale_max)
            self.code_ids[plan.guid] = plan.guid
            self.paths[plan.guid] = path
            by_path[path.casefold()] = plan.guid
            existing[plan.guid] = row
            self.report.taken["codes"] += 1
            for note in plan.note_refs:
                self.note_targets.setdefault(note, []).append(Target("code", plan.guid, path))
        self.session.flush()

    # --- sources -------------------------------------------------------------------------------
    def decoded(self, text: RefiText) -> str:
        """The source's text as written (a source whose text is missing never gets here)."""
        if text.content is not None:
            return text.content
        assert text.member is not None
        return decode_source(self.refi.source_bytes[text.member])[0]

    def raw_text(self, text: RefiText) -> str | None:
        codings = len(text.codings) + sum(len(s.codings) for s in text.selections)
        lost = said_n("; its {selections} with {codings} was not imported",
                      "; its {selections} with {codings} were not imported", len(text.selections),
                      selections=said_n("{n} selection", "{n} selections", len(text.selections)),
                      codings=said_n("{count} coding", "{count} codings", codings, count_as="count")) \
            if text.selections or codings else ""
        if text.content is not None:
            return text.content
        if text.member is None:
            reference = text.path or text.rich_path or text.name
            if reference in self.reported_missing and not lost:
                return None  # a transcript sharing the file of a source already reported
            self.reported_missing.add(reference)
            why = self.refi.missing_files.get(reference, said("it is not in the archive"))
            kind_label = f" ({text.element.lower()} of {text.media})" if text.media else ""
            self.report.drop("source file", f"{self.label(text)}{kind_label}",
                             said("its text file {reference} is missing: {why}{lost}", reference=reference, why=why,
                                  lost=lost))
            return None
        raw, warning = decode_source(self.refi.source_bytes[text.member])
        if warning:
            self.report.warnings.append(said("{label}: {warning}", label=self.label(text), warning=warning))
        return raw

    @staticmethod
    def label(text: RefiText) -> str:
        return text.name or file_stem(text.path) or file_stem(text.rich_path) or str(text.guid)

    def prepare_sources(self) -> list[_Source]:
        """Every source whose text is there, with the unit its positions are read in, and the file's tally:
        how many selections land on word boundaries (`clean`) and how many cut a word (`sloppy`)."""
        sources = []
        for text in self.refi.texts:
            raw = self.raw_text(text)
            if raw is not None:
                choice = self.choose_unit(raw, text.selections)
                sources.append(_Source(text, choice.unit if choice else None, choice.landings if choice else []))
        for source in sources:
            for landing in source.landings:
                if landing.problem is None:
                    if landing.word is None:
                        self.clean += 1
                    else:
                        self.sloppy += 1
        return sources

    def choose_unit(self, raw: str, selections: list[RefiSelection]) -> _Choice | None:
        candidates = [self.default_unit]
        if not (self.forced_unit or self.trusted):
            candidates += [unit for unit in UNITS if unit != self.default_unit]
        best: _Choice | None = None
        for unit in candidates:
            mapping = PositionMap(raw, unit)
            if not mapping.usable:
                continue
            landings = [mapping.land(s.start, s.end) for s in selections]
            good = sum(1 for landing in landings if self.accepts(landing))
            named = sum(1 for s, landing in zip(selections, landings, strict=True)
                        if landing.problem is None and _name_matches(s.name, mapping.text[landing.start:landing.end]))
            choice = _Choice(unit, mapping, landings, (good, named))
            if best is None or choice.score > best.score:
                best = choice
            if good == len(selections):
                break
        return best

    def accepts(self, landing: Landing) -> bool:
        return landing.problem is None and (self.trusted or landing.word is None)

    def verdict(self, landing: Landing, unit: str) -> tuple[str, Said | None]:
        """Whether a selection is taken, kept as given (it cuts a word) or dropped, and why."""
        if landing.problem is not None:
            return "drop", landing.problem
        if landing.word is None or self.trusted:
            return "take", None
        name = said(unit_short(unit))
        if self.forced_unit:
            return "keep", said("it {word} when counted in {unit}, as --positions says; imported as given",
                                word=landing.word, unit=name)
        total = self.clean + self.sloppy
        if self.clean >= SETTLED_SHARE * total:
            return "keep", said("it {word} under every way of counting; the file's other selections settle that it "
                                "counts in {unit} ({clean} of {total} land on word boundaries), so it was imported "
                                "as given", word=landing.word, unit=name, clean=self.clean, total=total)
        return "drop", said("it {word} under every way of counting, and the file's other selections do not settle "
                            "how it counts ({clean} of {total} land on word boundaries); import with --positions "
                            "{option} to keep it as given", word=landing.word, clean=self.clean, total=total,
                            option=unit)

    def import_text(self, source: _Source) -> None:
        text, unit = source.text, source.unit
        label = self.label(text)
        if unit is None:
            self.report.drop("source file", label, said("its text could not be mapped character by character "
                                                        "after Unicode normalisation; nothing of it was imported"))
            return
        raw = self.decoded(text)
        body = textmod.normalise(raw)
        if not body.strip():
            self.report.drop("source file", label, said("its text is empty"))
            return
        if unit != self.default_unit:
            self.report.convert("document", label, said("its positions fit its text as {unit}, not as {default}; "
                                                        "they were read that way", unit=said(UNIT_NAMES[unit]),
                                                        default=said(UNIT_NAMES[self.default_unit])))
        if text.element != "TextSource":
            self.report.convert("document", label, said("the {element} of {media} was imported as a document",
                                                        element=text.element.lower(), media=text.media))
        doc, remap = self.document_for(text, raw, body)
        if doc is None:
            return
        for kind, what in text.lost:
            self.report.drop(kind, label, said("{what}: fieldnotes anchors codings to text only", what=what))
        for note in text.note_refs:
            self.note_targets.setdefault(note, []).append(Target("document", doc.id, doc.title))
        description = textmod.normalise(text.description).strip()
        if description:
            self.add_memo(identity.derived("source-description", text.guid), description,
                          Target("document", doc.id, doc.title), text.creating_user, text.created, text.modified)
            self.report.convert("document", label, said("its description became a memo on the document"))
        with self.session.no_autoflush:
            for selection, landing in zip(text.selections, source.landings, strict=True):
                self.import_selection(doc, text, selection, landing, unit, remap)
            whole = Landing(0, len(body))
            for coding in text.codings:
                self.add_coding(doc, coding, whole, SelectionNotes(), None, remap, f"{label} (whole source)")
        if text.codings:
            self.report.convert("coding", label, said_n("{n} coding of the whole source became a coding of the whole "
                                                        "document", "{n} codings of the whole source became codings "
                                                        "of the whole document", len(text.codings)))
        self.session.flush()

    def title_for(self, text: RefiText) -> str:
        """A new document's title: the source's name as given; without one, its file's name, made unique
        among the titles of the import (a name shared by two sources in the file is left as it is)."""
        title = " ".join(text.name.split())
        if title:
            return title
        stems = [file_stem(path) for path in (text.path, text.rich_path)]
        named = [stem for stem in stems if stem and identity.parse_guid(stem) is None]
        title = base = (named or [stem for stem in stems if stem] or ["Untitled"])[0]
        where = next((path for path in (text.path, text.rich_path) if path and file_stem(path) == title), None)
        number = 1
        while title.casefold() in self.titles:
            number += 1
            title = f"{base} ({number})"
        self.titles.add(title.casefold())
        why = said("its title was taken from its file {file}", file=where) if where else said(
            "it has no file name either")
        if number > 1:
            why = said("{why}; another source in the file has that title, so it became {title!r}", why=why,
                       title=title)
        self.report.convert("document", title, said("the source has no name; {why}", why=why))
        return title

    def document_for(self, text: RefiText, raw: str, body: str) -> tuple[Document | None, OffsetMap | None]:
        """The document a source lands in (matched or new), and a map if its text differs from the file's."""
        sha = textmod.sha256(body)
        label = self.label(text)
        existing = self.session.get(Document, text.guid)
        if existing is None and sha in self.hashes:
            existing = self.session.get(Document, self.hashes[sha])
            if existing is not None and existing.id != text.guid:
                self.report.convert("document", label, said("it has the same text as the project's {title!r}; it "
                                                            "was matched to it", title=existing.title))
        if existing is not None:
            self.doc_ids[text.guid] = existing.id
            self.doc_texts[existing.id] = existing.text
            self.report.matched["documents"] += 1
            if existing.sha256 == sha:
                self.fill_document_values(existing, text.values)
                return existing, None
            self.keep_conflicting_text(text, raw, sha, existing)
            return existing, OffsetMap(char_opcodes(body, existing.text))
        fields, attributes = self.document_fields(text.values, label)
        title = self.title_for(text)
        doc = self.new_document(text, raw, title, fields, text.guid, text.name or title)
        self.doc_ids[text.guid] = doc.id
        self.doc_texts[doc.id] = doc.text
        self.hashes[sha] = doc.id
        self.new_docs.add(doc.id)
        self.report.taken["documents"] += 1
        self.stamp(doc, "documents", text.guid, created=text.created, modified=text.modified)
        self.carried_turns(doc, text.guid)
        for variable, value in attributes:
            self.set_value("document", variable, value, document_id=doc.id)
        return doc, None

    def new_document(self, text: RefiText, raw: str, title: str, fields: dict[str, Any], doc_id: uuid.UUID,
                     source_name: str) -> Document:
        label = self.label(text)
        try:
            kind = normalise_kind(fields.get("kind"))
        except FieldnotesError:
            self.report.warnings.append(said("{label}: the kind {kind!r} is unknown; it is a 'document'", label=label,
                                             kind=fields.get("kind")))
            kind = "document"
        new = NewDocument(text=raw, title=title[:500], kind=kind, date=fields.get("date"),
                          activity=fields.get("activity"), participants=fields.get("participants", []),
                          speakers=fields.get("speakers", {}), source_name=source_name[:500] or None, id=doc_id)
        doc = add_document(self.session, new, coder_id=self.coder_for(text.creating_user)).document
        if doc.text != textmod.normalise(raw):  # add_document normalises exactly as the position map does
            raise FieldnotesError(_("{label}: its text changed in normalisation in an unexpected way; nothing imported")
                                  .format(label=label))
        return doc

    def keep_conflicting_text(self, text: RefiText, raw: str, sha: str, existing: Document) -> None:
        """The file's text of a document the project holds with another text: kept as a new document."""
        copy_id = identity.derived("refi-conflicting-text", text.guid, sha)
        copy = self.session.get(Document, copy_id)
        if copy is None:
            titles = {title.casefold() for title in self.session.scalars(select(Document.title))} | self.titles
            stem = Path(self.report.file).stem
            base = title = f"{existing.title} ({stem})"
            number = 1
            while title.casefold() in titles:
                number += 1
                title = f"{base} {number}"
            self.titles.add(title.casefold())
            fields, _attributes = self.document_fields(text.values, existing.title)
            copy = self.new_document(text, raw, title, fields, copy_id, self.report.file)
            self.hashes[sha] = copy.id
            self.report.taken["documents"] += 1
            memo = (f"The text of the document «{existing.title}» ({existing.id}) as {self.report.file} has it. "
                    "The project's text of that document differs, so this text was kept beside it; the file's "
                    "codings were moved onto the project's document.")
            self.add_memo(identity.derived("refi-conflicting-text-memo", copy.id), memo,
                          Target("document", copy.id, copy.title), None, None, None)
            what = said("the file's text was kept as the new document {title!r}, linked to it by a memo",
                        title=copy.title)
        else:
            what = said("the file's text is the document {title!r}, kept by an earlier import", title=copy.title)
        self.report.conflict("document", existing.title,
                             said("the file has another text for this document (the same GUID); {what}. Its codings "
                                  "were moved onto the project's text; those touching a difference are marked for "
                                  "review", what=what),
                             document=str(existing.id), copy=str(copy.id), copy_title=copy.title)

    def carried_turns(self, doc: Document, guid: uuid.UUID) -> None:
        """The speaker turns our own file carries for a document (with their times), instead of fresh ones."""
        wanted = self.ext.turns.get(guid)
        if wanted is None:
            return
        keys = ("ordinal", "speaker", "start", "end", "timestamp")
        if any(not 0 <= turn["start"] <= turn["end"] <= len(doc.text) for turn in wanted):
            self.report.warnings.append(said("{title}: the speaker turns in {member} do not fit its text; they were "
                                             "found again from the text", title=doc.title, member=extension.MEMBER))
            return
        turns = list(self.session.scalars(select(SpeakerTurn).where(SpeakerTurn.document_id == doc.id)
                                          .order_by(SpeakerTurn.ordinal)))
        if [tuple(getattr(t, k) for k in keys) for t in turns] != [tuple(w.get(k) for k in keys) for w in wanted]:
            for turn in turns:
                self.session.delete(turn)
            self.session.flush()
            turns = [SpeakerTurn(document_id=doc.id, **{k: w.get(k) for k in keys}) for w in wanted]
            self.session.add_all(turns)
        for turn, carried in zip(turns, wanted, strict=True):
            for column in extension.TRACKED:
                value = carried.get(column)
                if column in extension.CODER_COLUMNS:
                    value = self.user_coders.get(value) if value is not None else None
                if value is not None:
                    setattr(turn, column, value)
        self.session.flush()

    def document_fields(self, values: list[RefiValue], label: str) -> tuple[dict[str, Any], list[tuple[RefiVariable,
                                                                                                          Any]]]:
        fields: dict[str, Any] = {}
        rest: list[tuple[RefiVariable, Any]] = []
        for value in values:
            key = self.builtin_key(value.variable)
            self.used_variables.add(value.variable)
            if key == "kind":
                fields["kind"] = str(value.value)
            elif key == "date":
                fields["date"] = _as_date(value.value)
                if fields["date"] is None:
                    self.report.warnings.append(said("{label}: the date {value!r} is not a date; left out",
                                                     label=label, value=value.value))
            elif key == "activity":
                fields["activity"] = str(value.value) or None
            elif key == "participants":
                fields["participants"] = parse_participants(str(value.value))
            elif key == "speakers":
                fields["speakers"] = parse_speakers(str(value.value))
            elif key is None:
                variable = self.variables.get(value.variable)
                if variable is None:
                    self.report.warnings.append(said("{label}: a value refers to a variable that is not in the file; "
                                                     "left out", label=label))
                    continue
                rest.append((variable, value.value))
        return fields, rest

    def builtin_key(self, variable_id: uuid.UUID) -> str | None:
        """Which of our fields a variable stands for: by our stable id, or by our name (a tool that
        read our file may have given the variable a new id)."""
        if variable_id in self.builtin_ids:
            return self.builtin_ids[variable_id]
        variable = self.variables.get(variable_id)
        return self.builtin_names.get(variable.name) if variable is not None else None

    def fill_document_values(self, doc: Document, values: list[RefiValue]) -> None:
        _fields, attributes = self.document_fields(values, doc.title)
        for variable, value in attributes:
            self.set_value("document", variable, value, document_id=doc.id)

    # --- attributes ----------------------------------------------------------------------------
    def new_attribute(self, scope: str, name: str, variable: RefiVariable) -> Attribute:
        carried = self.carried("attributes", variable.guid, skip=("scope",))
        value_type = carried.pop("value_type", None)
        if value_type not in ATTRIBUTE_TYPES:
            value_type = _VALUE_TYPES.get(variable.type, "text")
        attribute_id = variable.guid if self.session.get(Attribute, variable.guid) is None else \
            identity.derived("attribute", scope, name)
        attribute = Attribute(id=attribute_id, scope=scope, name=name, value_type=value_type, created_by=None)
        self.session.add(attribute)
        if attribute_id == variable.guid:
            self.stamp(attribute, "attributes", variable.guid, skip=("scope", "value_type"))
        self.session.flush()
        self.new_attributes.add(attribute.id)
        self.report.taken["attributes"] += 1
        return attribute

    def set_value(self, scope: str, variable: RefiVariable, value: Any, *, name: str | None = None,
                  document_id: uuid.UUID | None = None, case_id: uuid.UUID | None = None) -> None:
        """Set an attribute value unless the target already has one (the project's value wins on merge)."""
        self.used_variables.add(variable.guid)
        name = name or variable.name
        if not name:
            return
        attribute = self.session.scalars(select(Attribute).where(Attribute.scope == scope,
                                                                 Attribute.name == name)).first()
        if attribute is None:
            attribute = self.new_attribute(scope, name, variable)
        where = AttributeValue.document_id == document_id if document_id else AttributeValue.case_id == case_id
        if self.session.scalars(select(AttributeValue).where(AttributeValue.attribute_id == attribute.id,
                                                             where)).first() is not None:
            return
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, dt.datetime):
            value = value.isoformat()
        try:
            set_attribute(self.session, scope=scope, name=name, value=value, coder_id=None, document_id=document_id,
                          case_id=case_id)
        except FieldnotesError as error:
            self.report.warnings.append(said("the value {value!r} of {name!r} was left out: {why}", value=value,
                                             name=name, why=error.message))
            return
        carried = self.ext.link("attribute_values", attribute=attribute.id,
                                **({"document": document_id} if document_id else {"case": case_id}))
        if carried:
            row = self.session.scalars(select(AttributeValue).where(AttributeValue.attribute_id == attribute.id,
                                                                    where)).one()
            self.apply_link(row, carried)

    def apply_link(self, row: Any, carried: dict[str, Any]) -> None:
        values = {}
        for column, value in carried.items():
            if column in extension.CODER_COLUMNS:
                value = self.user_coders.get(value) if value is not None else None
                if value is None:
                    continue
            values[column] = value
        for column, value in values.items():
            setattr(row, column, value)
        self.stamped.append((row, values))

    def import_variables(self) -> None:
        """Variables no source or case has a value of: ours carry what they are; others' have no place."""
        for variable in self.refi.variables:
            if variable.guid in self.used_variables or variable.guid in self.builtin_ids:
                continue
            scope = self.ext.row("attributes", variable.guid).get("scope")
            if scope not in ("document", "case"):
                self.report.drop("variable", variable.name, "no source or case in the file has a value of it")
                continue
            if self.session.get(Attribute, variable.guid) is not None or self.session.scalars(
                    select(Attribute).where(Attribute.scope == scope, Attribute.name == variable.name)).first():
                self.report.matched["attributes"] += 1
                continue
            self.new_attribute(scope, variable.name, variable)

    # --- selections and codings ----------------------------------------------------------------
    def import_selection(self, doc: Document, text: RefiText, selection: RefiSelection, landing: Landing, unit: str,
                         remap: OffsetMap | None) -> None:
        label = f"{self.label(text)}: {selection.name or selection.guid} ({selection.start}:{selection.end})"
        verdict, reason = self.verdict(landing, unit)
        if verdict == "drop":
            self.report.drop("selection", label, said_n("{reason}; its {n} coding was not imported",
                                                        "{reason}; its {n} codings were not imported",
                                                        len(selection.codings), reason=reason))
            return
        notes = parse_selection_description(selection.description)
        self.report.warnings.extend(said("{label}: {warning}", label=label, warning=problem)
                                    for problem in notes.problems)
        first: uuid.UUID | None = None
        taken = self.report.taken["codings"]
        for coding in selection.codings:
            made = self.add_coding(doc, coding, landing, notes, selection, remap, label)
            first = first or made
        if verdict == "keep" and self.report.taken["codings"] > taken:  # not again when its codings are here
            self.report.keep("selection", label, reason or "", unit=unit, start=landing.start, end=landing.end)
        self.selections[selection.guid] = (doc.id, first)
        target = Target("coding", first, doc.title) if first else Target("document", doc.id, doc.title)
        for note in selection.note_refs:
            self.note_targets.setdefault(note, []).append(target)
        if not selection.codings:
            if notes.free or notes.common.memo:
                start, end = self.mapped(landing, remap)
                memo = "\n\n".join(x for x in (notes.common.memo, notes.free) if x)
                quoted = _excerpt(self.doc_texts[doc.id][start:end])
                self.add_memo(identity.derived("selection-memo", selection.guid), f"«{quoted}» ({start}–{end}): {memo}",
                              Target("document", doc.id, doc.title), selection.creating_user, selection.created,
                              selection.modified)
                self.report.convert("selection", label, said("the comment on this uncoded selection became a memo "
                                                             "on {title!r}", title=doc.title))
            elif not selection.note_refs:
                self.report.drop("selection", label, said("it carries no coding and no comment"))

    def mapped(self, landing: Landing, remap: OffsetMap | None) -> tuple[int, int]:
        if remap is None:
            return landing.start, landing.end
        return remap.position(landing.start, side="start"), remap.position(landing.end, side="end")

    def add_coding(self, doc: Document, coding: RefiCoding, landing: Landing, notes: SelectionNotes,
                   selection: RefiSelection | None, remap: OffsetMap | None, label: str) -> uuid.UUID | None:
        code_id = self.code_ids.get(coding.code) if coding.code else None
        if code_id is None:
            self.report.drop("coding", label, said("it refers to a code that is not in the file's codebook"))
            return None
        start, end = self.mapped(landing, remap)
        if end <= start:
            self.report.drop("coding", label, _TEXT_GONE)
            return None
        coder = self.coder_of(coding.creating_user, selection.creating_user if selection else None)
        note = notes.for_coding(self.paths.get(code_id, ""), self.coder_names.get(coder, ""))
        memo = "\n\n".join(x for x in (note.memo, notes.free) if x) or None
        low, high = self.scales.get(code_id, (None, None))
        rating = note.rating
        if rating is not None and (low is None or high is None or not low <= rating <= high):
            self.report.warnings.append(said("{label}: the rating {rating} does not fit the scale of {code}; it was "
                                             "left out", label=label, rating=rating, code=self.paths.get(code_id)))
            rating = None
        review = note.needs_review or (remap is not None and remap.touches(landing.start, landing.end))
        keys = self.keys_of(doc.id)
        key = (code_id, coder, start, end)
        if coding.guid in self.known_codings():
            self.coding_ids[coding.guid] = coding.guid
            self.report.matched["codings"] += 1
            return coding.guid
        if key in keys:
            found = self.session.scalars(select(Coding.id).where(
                Coding.document_id == doc.id, Coding.code_id == code_id, Coding.coder_id == coder,
                Coding.start == start, Coding.end == end)).first()
            self.report.matched["codings"] += 1
            self.coding_ids[coding.guid] = found or coding.guid
            return found
        coding_id = coding.guid
        if coding_id in self.used_coding_ids:
            coding_id = identity.derived("coding", coding.guid, doc.id, start, end, code_id)
            self.report.warnings.append(said("{label}: the coding id {guid} is used twice in the file; the second got "
                                             "a new id", label=label, guid=str(coding.guid)))
        self.used_coding_ids.add(coding_id)
        keys.add(key)
        row = Coding(id=coding_id, document_id=doc.id, code_id=code_id, coder_id=coder, start=start, end=end,
                     text=self.doc_texts[doc.id][start:end], memo=memo, rating=rating, needs_review=review,
                     created_by=coder)
        created = coding.created or (selection.created if selection else None)
        self.stamp(row, "codings", coding.guid, created=created, modified=selection.modified if selection else None,
                   later=False)
        self.session.add(row)
        self.coding_ids[coding.guid] = coding_id
        self.report.taken["codings"] += 1
        for ref in coding.note_refs:
            self.note_targets.setdefault(ref, []).append(Target("coding", coding_id, doc.title))
        return coding_id

    def known_codings(self) -> set[uuid.UUID]:
        """The file's coding ids that are already rows here (read once, in chunks)."""
        if self._known_codings is None:
            wanted = [c.guid for t in self.refi.texts for c in [*t.codings, *(c for s in t.selections
                                                                              for c in s.codings)]]
            self._known_codings = set()
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                self._known_codings.update(self.session.scalars(select(Coding.id).where(Coding.id.in_(chunk))))
        return self._known_codings

    def keys_of(self, doc_id: uuid.UUID) -> set[tuple[uuid.UUID, uuid.UUID, int, int]]:
        keys = self.coding_keys.get(doc_id)
        if keys is None:
            rows = self.session.execute(select(Coding.code_id, Coding.coder_id, Coding.start, Coding.end)
                                        .where(Coding.document_id == doc_id))
            keys = self.coding_keys[doc_id] = {(row[0], row[1], row[2], row[3]) for row in rows}
        return keys

    # --- cases and sets ------------------------------------------------------------------------
    def case_type_and_values(self, values: list[RefiValue]) -> tuple[str | None, list[tuple[RefiVariable, str, Any]]]:
        """The case type a case carries, and its other values with the attribute name each becomes."""
        case_type: str | None = None
        rest: list[tuple[RefiVariable, str, Any]] = []
        for value in values:
            self.used_variables.add(value.variable)
            if self.builtin_key(value.variable) == "case type":
                case_type = str(value.value).strip() or None
                continue
            variable = self.variables.get(value.variable)
            if variable is None:
                self.report.warnings.append(said("a case value refers to a variable that is not in the file; left "
                                                 "out"))
                continue
            classification, colon, name = variable.name.partition(":")
            if colon and classification.strip() and name.strip():  # NVivo: "Cases:Age", "Person:Gender"
                folded = classification.strip().casefold()
                case_type = case_type or ("case" if folded == "cases" else folded)
                rest.append((variable, name.strip(), value.value))
            else:
                rest.append((variable, variable.name, value.value))
        return case_type, rest

    def link(self, doc_id: uuid.UUID, case_id: uuid.UUID) -> None:
        exists = self.session.scalars(select(DocumentCase).where(DocumentCase.document_id == doc_id,
                                                                 DocumentCase.case_id == case_id)).first()
        if exists is None:
            row = DocumentCase(document_id=doc_id, case_id=case_id, created_by=None)
            self.session.add(row)
            carried = self.ext.link("document_cases", document=doc_id, case=case_id)
            if carried and doc_id in self.new_docs and case_id in self.new_cases:
                self.apply_link(row, carried)
            self.session.flush()
            self.report.taken["case links"] += 1

    def case(self, case_type: str, name: str, guid: uuid.UUID | None, description: str = "") -> Case:
        what, several = validation.case_words(validation.case_type(case_type))
        name = validation.case_name(name, what, several=several)  # the rules for names
        found = self.session.get(Case, guid) if guid else None
        if found is None:
            folded = name.casefold()
            found = next((c for c in self.session.scalars(select(Case).where(Case.type == case_type))
                          if c.name.casefold() == folded), None)
        if found is not None:
            if found.id not in self.new_cases:
                self.report.matched["cases"] += 1
            return found
        row = Case(id=guid or identity.derived("case", case_type, name), type=case_type, name=name,
                   description=description, created_by=None)
        self.session.add(row)
        if guid is not None:
            self.stamp(row, "cases", guid)
        self.session.flush()
        self.new_cases.add(row.id)
        self.report.taken["cases"] += 1
        return row

    def import_cases(self) -> None:
        seen_variables: set[str] = set()
        for refi_case in self.refi.cases:
            label = refi_case.name or _NAMELESS
            docs = [self.doc_ids[g] for g in refi_case.sources if g in self.doc_ids]
            for selection in refi_case.selections:
                if selection in self.selections and self.selections[selection][0] not in docs:
                    docs.append(self.selections[selection][0])
            if refi_case.selections:
                self.report.convert("case", label, _CASE_REASONS["selections"](len(refi_case.selections)))
            if refi_case.codes:
                self.report.drop("case code", label, _CASE_REASONS["codes"](len(refi_case.codes)))
            case_type, values = self.case_type_and_values(refi_case.values)
            for variable, name, _value in values:
                if variable.name != name and variable.name not in seen_variables:
                    seen_variables.add(variable.name)
                    self.report.convert("variable", variable.name, said("it became the attribute {name!r}", name=name))
            if refi_case.name is None:
                if not docs:
                    self.report.drop("case", label, said("it refers to no document that was imported"))
                    continue
                for doc_id in docs:
                    for variable, name, value in values:
                        self.set_value("document", variable, value, name=name, document_id=doc_id)
                self.report.convert("case", label, _nameless_case(len(values), len(docs)))
                continue
            row = self.case(case_type or "case", refi_case.name, refi_case.guid, refi_case.description)
            self.case_ids[refi_case.guid] = row.id
            for doc_id in docs:
                self.link(doc_id, row.id)
            for variable, name, value in values:
                self.set_value("case", variable, value, name=name, case_id=row.id)
            missing = len(refi_case.sources) - len([g for g in refi_case.sources if g in self.doc_ids])
            if missing:
                self.report.warnings.append(_CASE_REASONS["missing"](missing, label=label))

    def import_sets(self) -> None:
        known = {row.casefold() for row in self.session.scalars(select(Case.type).distinct())} | {"municipality"}
        for refi_set in self.refi.sets:
            label = refi_set.name or str(refi_set.guid)
            if refi_set.codes:
                self.report.drop("code set", label, _SET_REASONS["codes"](len(refi_set.codes)))
            if refi_set.notes:
                self.report.drop("note set", label, _SET_REASONS["notes"](len(refi_set.notes)))
            if not (refi_set.codes or refi_set.notes or refi_set.sources):
                self.report.drop("set", label, said("it is empty"))
                continue
            if not refi_set.sources:
                continue
            docs = [self.doc_ids[g] for g in refi_set.sources if g in self.doc_ids]
            if not docs:
                self.report.drop("set", label, _SET_REASONS["sources"](len(refi_set.sources)))
                continue
            key, colon, value = refi_set.name.partition(":")
            key, value = key.strip(), value.strip()
            if colon and key and value and key.casefold() not in known:
                variable = RefiVariable(identity.derived("set-variable", key.casefold()), key, "Text")
                for doc_id in docs:
                    self.set_value("document", variable, value, document_id=doc_id)
                self.report.convert("set", label, _SET_REASONS["attribute"](len(docs), key=key, value=value))
                continue
            case_type, name = (key, value) if colon and key and value else (SET_CASE_TYPE, refi_set.name)
            row = self.case(case_type, name, None if colon else refi_set.guid, refi_set.description)
            self.case_ids.setdefault(refi_set.guid, row.id)
            for doc_id in docs:
                self.link(doc_id, row.id)
            if not colon:
                self.report.convert("set", label, _SET_REASONS["case"](len(docs), type=SET_CASE_TYPE))

    # --- notes and links -----------------------------------------------------------------------
    def target_of(self, guid: uuid.UUID | None) -> Target | None:
        if guid is None:
            return None
        if guid in self.code_ids:
            return Target("code", self.code_ids[guid], self.paths.get(self.code_ids[guid], ""))
        if guid in self.doc_ids:
            return Target("document", self.doc_ids[guid], "")
        if guid in self.case_ids:
            return Target("case", self.case_ids[guid], "")
        if guid in self.coding_ids:
            return Target("coding", self.coding_ids[guid], "")
        if guid in self.selections:
            doc_id, coding_id = self.selections[guid]
            return Target("coding", coding_id, "") if coding_id else Target("document", doc_id, "")
        return None

    def import_links(self) -> None:
        notes = {note.guid for note in self.refi.notes}
        for link in self.refi.links:
            label = link.name or str(link.guid)
            if link.origin in notes or link.target in notes:
                note, other = (link.origin, link.target) if link.origin in notes else (link.target, link.origin)
                target = self.target_of(other)
                if target is not None:
                    assert note is not None
                    self.note_targets.setdefault(note, []).append(target)
                    continue
                self.report.drop("link", label, said("it ties a note to something that was not imported; the note "
                                                     "is kept on the project"))
                continue
            self.report.drop("link", label, said("fieldnotes keeps no links between codes, documents or selections"))

    def import_notes(self) -> None:
        for note in self.refi.notes:
            label = note.name or str(note.guid)
            content = note.content
            if content is None and note.member is not None:
                content = decode_source(self.refi.source_bytes[note.member])[0]
            content = textmod.normalise(content or "").strip()
            parts = []
            name = note.name.strip()
            if name and not _name_in(name, content):
                parts.append(name)
            parts += [textmod.normalise(note.description).strip(), content]
            text = "\n\n".join(part for part in parts if part)
            if not text:
                self.report.drop("note", label, said("it is empty"))
                continue
            if note.selections:
                self.report.drop("note selection", label, said_n(
                    "{n} selection inside a note has no place in fieldnotes; the note's text is kept",
                    "{n} selections inside a note have no place in fieldnotes; the note's text is kept",
                    note.selections))
            targets = self.note_targets.get(note.guid, [])
            target = targets[0] if targets else Target("project", None, "")
            if len({(t.kind, t.id) for t in targets}) > 1:
                self.report.convert("note", label, said("it is attached to {n} things; fieldnotes keeps it on the "
                                                        "first ({kind})", n=len(targets),
                                                        kind=_TARGET_KINDS.get(target.kind, target.kind)))
            self.add_memo(note.guid, text, target, note.creating_user, note.created, note.modified, carried=True)

    def add_memo(self, guid: uuid.UUID, text: str, target: Target, user: uuid.UUID | None,
                 created: dt.datetime | None, modified: dt.datetime | None, *, carried: bool = False) -> None:
        if self.session.get(Memo, guid) is not None:
            self.report.matched["memos"] += 1
            return
        memo = Memo(id=guid, text=text, created_by=self.coder_for(user))
        if target.kind != "project":
            setattr(memo, f"{target.kind}_id", target.id)
        self.stamp(memo, "memos" if carried else None, guid, created=created, modified=modified, later=False)
        self.session.add(memo)
        self.session.flush()
        self.report.taken["memos"] += 1

    # --- the project -----------------------------------------------------------------------------
    def file_settings(self) -> dict[str, Any]:
        carried = self.carried("project", "project")
        default = carried.get("default_coder_id")
        return {"name": self.refi.name or None, "created": _iso(self.refi.created),
                "start": _iso(carried.get("start_date")), "language": carried.get("language"),
                "default_coder": self.coder_names.get(default) if default else None,
                "pseudonymize_exports": carried.get("pseudonymize_exports")}

    def import_project(self) -> None:
        description = textmod.normalise(self.refi.description).strip()
        if description:
            self.add_memo(identity.derived("project-description", description), description,
                          Target("project", None, ""), None, None, None)
        if self.refi.format == "qdc":
            return
        settings = self.session.scalars(select(ProjectSettings)).first()
        taken = self.fresh and settings is not None
        self.report.settings = {"taken": taken, "file": self.file_settings()}
        if not taken or settings is None:
            return
        if self.refi.name and settings.name != self.refi.name:
            settings.name = self.refi.name
        creator = self.coder_for(self.refi.creating_user)
        if creator is not None:
            settings.created_by = creator
        carried = self.carried("project", "project")
        if carried.get("language") not in LANGUAGES:
            carried.pop("language", None)
        # a project that pseudonymises its exports keeps doing so, whatever the file says
        carried["pseudonymize_exports"] = bool(settings.pseudonymize_exports or carried.get("pseudonymize_exports"))
        if self.refi.created is not None:
            carried.setdefault("created_at", self.refi.created)
        self.apply_link(settings, carried)

    def report_media(self) -> None:
        for media in self.refi.media:
            carried = said_n("; {selections} with {codings} on it was not imported",
                             "; {selections} with {codings} on it were not imported", media.selections,
                             selections=said_n("{n} selection", "{n} selections", media.selections),
                             codings=said_n("{count} coding", "{count} codings", media.codings,
                                            count_as="count")) \
                if media.selections or media.codings else ""
            extra = said("; {extra}", extra=media.extra) if media.extra else ""
            self.report.drop(media.kind, media.name, said("fieldnotes holds text only{carried}{extra}", carried=carried,
                                                          extra=extra))
        for name, vertices, edges in self.refi.graphs:
            self.report.drop("graph", name, said("fieldnotes has no network views ({nodes}, {edges})",
                                                 nodes=said_n("{n} node", "{n} nodes", vertices),
                                                 edges=said_n("{n} edge", "{n} edges", edges)))


# the reasons of cases and sets, kept out of the import's steps (a count picks the message's plural form)
_CASE_REASONS: dict[str, Callable[..., Said]] = {
    "selections": lambda n: said_n(
        "it refers to {n} selection; fieldnotes links cases to whole documents, so its document was linked",
        "it refers to {n} selections; fieldnotes links cases to whole documents, so their documents were linked", n),
    "codes": lambda n: said_n("{n} code reference on a case has no place in fieldnotes",
                              "{n} code references on a case have no place in fieldnotes", n),
    "missing": lambda n, **values: said_n("the case {label} refers to {n} source that was not imported",
                                          "the case {label} refers to {n} sources that were not imported", n, **values),
}
_SET_REASONS: dict[str, Callable[..., Said]] = {
    "codes": lambda n: said_n("fieldnotes has no code groups; its {n} code was imported without it",
                              "fieldnotes has no code groups; its {n} codes were imported without it", n),
    "notes": lambda n: said_n("fieldnotes has no memo groups; its {n} note was imported without it",
                              "fieldnotes has no memo groups; its {n} notes were imported without it", n),
    "sources": lambda n: said_n("its {n} source was not imported", "none of its {n} sources were imported", n),
    "attribute": lambda n, **values: said_n("it became the document attribute {key} = {value} on {n} document",
                                            "it became the document attribute {key} = {value} on {n} documents", n,
                                            **values),
    "case": lambda n, **values: said_n("it became a case of type {type!r} with {n} document",
                                       "it became a case of type {type!r} with {n} documents", n, **values),
}
_NAMELESS = said("(a case without a name)")
_TEXT_GONE = said("the text it coded is no longer in the project's version of the document")


def _nameless_case(values: int, documents: int) -> Said:
    return said("a case without a name (MAXQDA's way of giving documents variables) became {values} on {documents}",
                values=said_n("{n} attribute value", "{n} attribute values", values),
                documents=said_n("{n} document", "{n} documents", documents))


_TARGET_KINDS = {"code": said("code"), "document": said("document"), "case": said("case"),
                 "coding": said("coding"), "project": said("project")}  # what a note hangs on, for its reason


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _name_in(name: str, content: str) -> bool:
    """Is a note's name just the start of its text (as we and many tools name notes)?"""
    wanted = " ".join(name.rstrip("…").split())
    return bool(wanted) and " ".join(content.split()).startswith(wanted)


def _name_matches(name: str, selected: str) -> bool:
    """ATLAS.ti and others name a selection by its text (cut with an ellipsis): a check on the positions."""
    wanted = " ".join(name.replace("…", " ").split())
    if len(wanted) < 8 or wanted.endswith("..."):
        wanted = wanted.rstrip(".").rstrip()
    if len(wanted) < 8:
        return False
    return " ".join(selected.split()).startswith(wanted)
