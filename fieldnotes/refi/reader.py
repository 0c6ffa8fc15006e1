"""Reading a .qdpx, .qdc or bare .qde into plain data, leniently.

Accepted variants (all seen in real files): `project.qde`, `Project.qde` or any single `.qde` at the
archive's top; `sources/` or `Sources/`; paths with or without `internal://`; a BOM and CRLF; namespace
variants (`urn:QDA-XML:project:0:10`, `codebook:1:0`, ...); colours as `rgb()`, `#RGB` or with alpha;
empty containers such as `<Sets/>`. What cannot be read safely is refused (see `safezip`, `safexml`);
schema violations become warnings.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any

from fieldnotes.errors import InvalidInput
from fieldnotes.refi import extension, identity, schema
from fieldnotes.refi.model import (
    RefiCase,
    RefiCode,
    RefiCoding,
    RefiFile,
    RefiLink,
    RefiMedia,
    RefiNote,
    RefiSelection,
    RefiSet,
    RefiText,
    RefiUser,
    RefiValue,
    RefiVariable,
    Stamped,
)
from fieldnotes.refi.safexml import local_name, namespace, parse
from fieldnotes.refi.safezip import Archive
from fieldnotes.translations import Said, _, said, said_n

_RGB = re.compile(r"^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*[\d.]+%?\s*)?\)$", re.IGNORECASE)
_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
MEDIA_KINDS = {"PictureSource": "picture source", "PDFSource": "pdf source", "AudioSource": "audio source",
               "VideoSource": "video source"}


def colour(text: str | None) -> str | None:
    """`#rrggbb` from the ways tools write colours; None when it is not a colour."""
    if not text:
        return None
    value = text.strip()
    rgb = _RGB.match(value)
    if rgb:
        parts = [min(255, int(part)) for part in rgb.groups()]
        return "#" + "".join(f"{part:02x}" for part in parts)
    match = _HEX.match(value)
    if not match:
        return None
    digits = match.group(1).lower()
    if len(digits) == 3:
        return "#" + "".join(d * 2 for d in digits)
    if len(digits) == 8:  # .NET writes AARRGGBB, CSS RRGGBBAA; an opaque alpha tells them apart
        digits = digits[2:] if digits.startswith("ff") and not digits.endswith("ff") else digits[:6]
    return "#" + digits


def _kids(element: Any, name: str) -> list[Any]:
    return [child for child in element if local_name(child) == name]


def _kid(element: Any, name: str) -> Any | None:
    for child in element:
        if local_name(child) == name:
            return child
    return None


def _text_of(element: Any | None) -> str:
    return "" if element is None else "".join(element.itertext())


def _time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        stamp = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


_BASE_PATH = said("a folder on the exporting computer; it was ignored")


class _Reader:
    def __init__(self, out: RefiFile) -> None:
        self.out = out

    # --- small helpers -------------------------------------------------------------------------
    def guid(self, element: Any, attribute: str = "guid", *keys: object) -> uuid.UUID:
        value, from_file = identity.guid_or_derived(element.get(attribute), local_name(element),
                                                    element.sourceline, *keys)
        if not from_file:
            self.out.warnings.append(said("line {line}: <{element}> has no valid {attribute} ({value!r}); a stable id "
                                          "was derived", line=str(element.sourceline), element=local_name(element),
                                          attribute=attribute, value=element.get(attribute)))
        return value

    def ref(self, element: Any, attribute: str = "targetGUID") -> uuid.UUID | None:
        value = identity.parse_guid(element.get(attribute))
        if value is None:
            self.out.warnings.append(said("line {line}: <{element}> refers to {value!r}, which is not a GUID; ignored",
                                          line=str(element.sourceline), element=local_name(element),
                                          value=element.get(attribute)))
        return value

    def refs(self, element: Any, name: str, attribute: str = "targetGUID") -> list[uuid.UUID]:
        found = (self.ref(child, attribute) for child in _kids(element, name))
        return [value for value in found if value is not None]

    def stamp(self, element: Any, target: Stamped) -> None:
        target.creating_user = identity.parse_guid(element.get("creatingUser") or element.get("creatingUserGUID"))
        target.created = _time(element.get("creationDateTime"))
        target.modified = _time(element.get("modifiedDateTime"))

    # --- codebook ------------------------------------------------------------------------------
    def code(self, element: Any) -> RefiCode:
        codable_text = (element.get("isCodable") or "true").strip().lower()
        code = RefiCode(guid=self.guid(element), name=(element.get("name") or "").strip(),
                        codable=codable_text not in ("false", "0"), color=colour(element.get("color")),
                        description=_text_of(_kid(element, "Description")), line=element.sourceline or 0)
        self.stamp(element, code)  # not in the schema, but some tools write them
        raw_colour = element.get("color")
        if raw_colour and code.color is None:
            self.out.warnings.append(said("line {line}: the colour {colour!r} of code {code!r} is not a colour; the "
                                          "default is used", line=str(element.sourceline), colour=raw_colour,
                                          code=code.name))
        code.note_refs = self.refs(element, "NoteRef")
        code.children = [self.code(child) for child in _kids(element, "Code")]
        return code

    def codes(self, codebook: Any | None) -> list[RefiCode]:
        if codebook is None:
            return []
        codes = _kid(codebook, "Codes")
        return [] if codes is None else [self.code(child) for child in _kids(codes, "Code")]

    # --- variables and cases -------------------------------------------------------------------
    def value(self, element: Any) -> RefiValue | None:
        ref_element = _kid(element, "VariableRef")
        variable = self.ref(ref_element) if ref_element is not None else None
        if variable is None:
            return None
        for child in element:
            kind, text = local_name(child), _text_of(child).strip()
            if kind == "VariableRef":
                continue
            if kind == "BooleanValue":
                return RefiValue(variable, text.lower() in ("true", "1"))
            if kind == "IntegerValue" and _int(text) is not None:
                return RefiValue(variable, _int(text))
            if kind == "FloatValue":
                try:
                    return RefiValue(variable, float(text))
                except ValueError:
                    break
            if kind == "DateValue":
                try:
                    return RefiValue(variable, dt.date.fromisoformat(text[:10]))
                except ValueError:
                    break
            if kind in ("TextValue", "DateTimeValue"):
                return RefiValue(variable, text)
        self.out.warnings.append(said("line {line}: a variable value could not be read; ignored",
                                      line=str(element.sourceline)))
        return None

    def values(self, element: Any) -> list[RefiValue]:
        found = (self.value(child) for child in _kids(element, "VariableValue"))
        return [value for value in found if value is not None]

    def case(self, element: Any) -> RefiCase:
        name = (element.get("name") or "").strip() or None
        return RefiCase(guid=self.guid(element), name=name, description=_text_of(_kid(element, "Description")),
                        values=self.values(element), sources=self.refs(element, "SourceRef"),
                        selections=self.refs(element, "SelectionRef"), codes=self.refs(element, "CodeRef"))

    # --- sources -------------------------------------------------------------------------------
    def coding(self, element: Any) -> RefiCoding:
        coding = RefiCoding(guid=self.guid(element))
        self.stamp(element, coding)
        code_ref = _kid(element, "CodeRef")
        coding.code = self.ref(code_ref) if code_ref is not None else None
        coding.note_refs = self.refs(element, "NoteRef")
        return coding

    def selection(self, element: Any, text: RefiText) -> RefiSelection | None:
        start, end = _int(element.get("startPosition")), _int(element.get("endPosition"))
        name = element.get("name") or ""
        if start is None or end is None:
            text.lost.append(("selection", said("{name}: its positions are not numbers",
                                                name=name or element.get("guid"))))
            return None
        selection = RefiSelection(guid=self.guid(element), name=name, start=start, end=end,
                                  description=_text_of(_kid(element, "Description")))
        self.stamp(element, selection)
        selection.codings = [self.coding(child) for child in _kids(element, "Coding")]
        selection.note_refs = self.refs(element, "NoteRef")
        return selection

    def text_source(self, element: Any, *, kind: str, name: str | None = None, media: str | None = None) -> RefiText:
        text = RefiText(guid=self.guid(element), name=(name or element.get("name") or "").strip(), element=kind,
                        path=element.get("plainTextPath"), rich_path=element.get("richTextPath"),
                        description=_text_of(_kid(element, "Description")), media=media)
        self.stamp(element, text)
        inline = _kid(element, "PlainTextContent")
        if inline is not None and not text.path:
            text.content = _text_of(inline)
        for child in _kids(element, "PlainTextSelection"):
            selection = self.selection(child, text)
            if selection is not None:
                text.selections.append(selection)
        text.codings = [self.coding(child) for child in _kids(element, "Coding")]
        text.note_refs = self.refs(element, "NoteRef")
        text.values = self.values(element)
        return text

    def media(self, element: Any, kind: str) -> None:
        name = (element.get("name") or "").strip()
        guid = self.guid(element)
        selection_names = ("PictureSelection", "PDFSelection", "AudioSelection", "VideoSelection")
        selections = [child for child in element if local_name(child) in selection_names]
        codings = sum(len(_kids(child, "Coding")) for child in selections) + len(_kids(element, "Coding"))
        item = RefiMedia(guid=guid, name=name, kind=MEDIA_KINDS[kind], selections=len(selections), codings=codings)
        if kind == "PDFSource":
            representation = _kid(element, "Representation")
            if representation is not None:
                text = self.text_source(representation, kind="PDF representation", name=name, media=name)
                text.guid = guid  # the document stands for the PDF itself
                text.regions, text.region_codings = len(selections), codings
                if selections:
                    text.lost.append(("pdf region", said("{regions} with {codings} drawn on the PDF's pages",
                                                         regions=said_n("{n} region", "{n} regions", len(selections)),
                                                         codings=said_n("{count} coding", "{count} codings", codings,
                                                                        count_as="count"))))
                self.out.texts.append(text)
                return
        if kind in ("AudioSource", "VideoSource"):
            transcripts = _kids(element, "Transcript")
            for transcript in transcripts:
                text = self.text_source(transcript, kind="Transcript", media=name)
                text.name = text.name or f"{name} (transcript)"
                spans = _kids(transcript, "TranscriptSelection")
                if spans:
                    text.lost.append(("transcript selection", said_n(
                        "{n} selection anchored to the media's time line",
                        "{n} selections anchored to the media's time line", len(spans))))
                self.out.texts.append(text)
            if transcripts:
                item.extra = said_n("its transcript is imported as a document where its text file is in the archive",
                                    "its {n} transcripts are imported as documents where their text file is in the "
                                    "archive", len(transcripts))
        self.out.media.append(item)

    def sources(self, element: Any | None) -> None:
        if element is None:
            return
        for child in element:
            kind = local_name(child)
            if kind == "TextSource":
                self.out.texts.append(self.text_source(child, kind="TextSource"))
            elif kind in MEDIA_KINDS:
                self.media(child, kind)
            elif kind:
                self.out.warnings.append(said("line {line}: unknown source <{kind}> ignored",
                                              line=str(child.sourceline), kind=kind))

    # --- notes, links, sets, graphs ------------------------------------------------------------
    def note(self, element: Any) -> RefiNote:
        note = RefiNote(guid=self.guid(element), name=(element.get("name") or "").strip(),
                        description=_text_of(_kid(element, "Description")), path=element.get("plainTextPath"))
        self.stamp(element, note)
        inline = _kid(element, "PlainTextContent")
        if inline is not None:
            note.content = _text_of(inline)
        note.selections = len(_kids(element, "PlainTextSelection"))
        return note

    def set(self, element: Any, member_attribute: str = "targetGUID") -> RefiSet:
        return RefiSet(guid=self.guid(element), name=(element.get("name") or "").strip(),
                       description=_text_of(_kid(element, "Description")),
                       codes=self.refs(element, "MemberCode", member_attribute),
                       sources=self.refs(element, "MemberSource"), notes=self.refs(element, "MemberNote"))

    KNOWN = frozenset(["Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs",
                       "Description", "NoteRef"])

    def project(self, root: Any) -> None:
        out = self.out
        for child in root:
            if local_name(child) and local_name(child) not in self.KNOWN:
                out.warnings.append(_unknown_element(child))
        out.origin = root.get("origin")
        out.name = (root.get("name") or "").strip() or out.name
        self.stamp(root, out)
        users = _kid(root, "Users")
        for element in _kids(users, "User") if users is not None else []:
            guid = self.guid(element)
            out.users.append(RefiUser(guid, (element.get("name") or element.get("id") or "").strip()))
        out.codes = self.codes(_kid(root, "CodeBook"))
        variables = _kid(root, "Variables")
        for element in _kids(variables, "Variable") if variables is not None else []:
            out.variables.append(RefiVariable(self.guid(element), (element.get("name") or "").strip(),
                                              (element.get("typeOfVariable") or "Text").strip()))
        cases = _kid(root, "Cases")
        out.cases = [self.case(element) for element in _kids(cases, "Case")] if cases is not None else []
        self.sources(_kid(root, "Sources"))
        notes = _kid(root, "Notes")
        out.notes = [self.note(element) for element in _kids(notes, "Note")] if notes is not None else []
        links = _kid(root, "Links")
        for element in _kids(links, "Link") if links is not None else []:
            out.links.append(RefiLink(self.guid(element), element.get("name") or "",
                                      identity.parse_guid(element.get("originGUID")),
                                      identity.parse_guid(element.get("targetGUID"))))
        sets = _kid(root, "Sets")
        out.sets = [self.set(element) for element in _kids(sets, "Set")] if sets is not None else []
        graphs = _kid(root, "Graphs")
        for element in _kids(graphs, "Graph") if graphs is not None else []:
            out.graphs.append((element.get("name") or "", len(_kids(element, "Vertex")), len(_kids(element, "Edge"))))
        out.description = _text_of(_kid(root, "Description"))
        out.project_note_refs = self.refs(root, "NoteRef")
        if root.get("basePath"):
            out.converted.append(("file", "basePath", _BASE_PATH))

    def codebook(self, root: Any) -> None:
        self.out.origin = root.get("origin")
        self.out.codes = self.codes(root)
        sets = _kid(root, "Sets")
        self.out.sets = [self.set(element, "guid") for element in _kids(sets, "Set")] if sets is not None else []


def _root(data: bytes, what: str) -> tuple[Any, str]:
    root = parse(data, what)
    name = local_name(root)
    if name == "Project":
        kind = "project"
    elif name.casefold() == "codebook":
        kind = "codebook"
    else:
        raise InvalidInput(_("{what} is XML, but not REFI-QDA: its root element is <{name}>, not <Project> or "
                             "<CodeBook>").format(what=what, name=name))
    return root, kind


def _check(root: Any, kind: str, out: RefiFile) -> None:
    ns = namespace(root)
    if "qda-xml" not in ns.casefold():
        out.warnings.append(said("the file's namespace {namespace!r} is not REFI-QDA's; read anyway",
                                 namespace=ns or "(none)"))
    elif ns not in (schema.PROJECT_NS, schema.CODEBOOK_NS):
        standard = schema.PROJECT_NS if kind == "project" else schema.CODEBOOK_NS
        out.converted.append(("file", said("the namespace variant {namespace!r}", namespace=ns),
                              said("it was read as {standard!r}", standard=standard)))
    out.warnings.extend(said("schema: {problem}", problem=problem) for problem in schema.problems(root, kind))


_RICH_ONLY = said("only rich text is given; fieldnotes needs the plain text")
_NO_TEXT = said("no text is given")


def _no_representation(path: str | None) -> Said:
    return said("its text representation {path} is not in the archive", path=path or "")


def _unknown_element(child: Any) -> Said:
    return said("line {line}: unknown element <{element}> ignored", line=str(child.sourceline),
                element=local_name(child))


def _load_texts(out: RefiFile, archive: Archive | None) -> None:
    for text in out.texts:
        if text.content is not None:
            continue
        if not text.path:
            out.missing_files[text.rich_path or text.name] = _RICH_ONLY if text.rich_path else _NO_TEXT
            continue
        member = archive.find_source(text.path) if archive is not None else None
        if member is None:
            if archive is None:
                out.missing_files[text.path] = said("a bare .qde file holds no source files")
            elif "://" in text.path and not text.path.casefold().startswith("internal:"):
                out.missing_files[text.path] = said("it points outside the archive")
            else:
                out.missing_files[text.path] = said("it is not in the archive")
            continue
        text.member = member
        if member not in out.source_bytes:
            out.source_bytes[member] = archive.read(member)  # type: ignore[union-attr]
    for note in out.notes:
        if note.content is None and note.path and archive is not None:
            note.member = archive.find_source(note.path)
            if note.member is not None and note.member not in out.source_bytes:
                out.source_bytes[note.member] = archive.read(note.member)
    still: list[RefiText] = []
    for text in out.texts:
        if text.element == "PDF representation" and text.member is None and text.content is None:
            out.media.append(RefiMedia(text.guid, text.name, "pdf source",
                                       selections=len(text.selections) + text.regions,
                                       codings=sum(len(s.codings) for s in text.selections) + text.region_codings,
                                       extra=_no_representation(text.path)))
        else:
            still.append(text)
    out.texts = still


def read_exchange(path: Path) -> RefiFile:
    """Read a .qdpx (zip), .qdc or bare .qde; refuse what cannot be read safely, nothing else."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(_("{path} is not a file").format(path=path))
    suffix = path.suffix.lower()
    if suffix == ".qdpx" or zipfile.is_zipfile(path):
        with Archive(path) as archive:
            root, kind = _root(archive.qde(), f"{path.name}:{archive.qde_name}")
            out = RefiFile(format="qdpx", name=path.stem, origin=None)
            if archive.qde_name != "project.qde":
                out.converted.append(("file", archive.qde_name, said("the project file has another name than the "
                                                                      "standard's project.qde; it was read")))
            if kind != "project":
                raise InvalidInput(_("{name}: the .qde file holds a codebook, not a project").format(name=path.name))
            _check(root, kind, out)
            _Reader(out).project(root)
            _load_texts(out, archive)
            if archive.has(extension.MEMBER):
                out.extension = archive.read(extension.MEMBER)
            return out
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(_("cannot read {path} ({strerror})").format(path=path, strerror=error.strerror)) from None
    if len(data) > 200_000_000:
        raise InvalidInput(_("{name} is larger than 200 MB; it was not read").format(name=path.name))
    root, kind = _root(data, path.name)
    out = RefiFile(format="qdc" if kind == "codebook" else "qde", name=path.stem, origin=None)
    _check(root, kind, out)
    if kind == "codebook":
        _Reader(out).codebook(root)
    else:
        _Reader(out).project(root)
        _load_texts(out, None)
    return out
