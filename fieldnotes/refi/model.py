"""A REFI-QDA file as plain data: what the reader found, before anything touches a project."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from fieldnotes.translations import Said


@dataclass
class Stamped:
    """Authorship and times, as far as the file gives them."""

    creating_user: uuid.UUID | None = None
    created: dt.datetime | None = None
    modified: dt.datetime | None = None


@dataclass
class RefiUser:
    guid: uuid.UUID
    name: str


@dataclass
class RefiCode(Stamped):
    guid: uuid.UUID = field(default_factory=uuid.uuid4)
    name: str = ""
    codable: bool = True
    color: str | None = None
    description: str = ""
    line: int = 0
    children: list[RefiCode] = field(default_factory=list)
    note_refs: list[uuid.UUID] = field(default_factory=list)


@dataclass
class RefiVariable:
    guid: uuid.UUID
    name: str
    type: str  # Text, Boolean, Integer, Float, Date, DateTime


@dataclass
class RefiValue:
    variable: uuid.UUID
    value: Any  # str, bool, int, float, dt.date or dt.datetime


@dataclass
class RefiCoding(Stamped):
    guid: uuid.UUID = field(default_factory=uuid.uuid4)
    code: uuid.UUID | None = None
    note_refs: list[uuid.UUID] = field(default_factory=list)


@dataclass
class RefiSelection(Stamped):
    guid: uuid.UUID = field(default_factory=uuid.uuid4)
    name: str = ""
    start: int = 0
    end: int = 0
    description: str = ""
    codings: list[RefiCoding] = field(default_factory=list)
    note_refs: list[uuid.UUID] = field(default_factory=list)


@dataclass
class RefiText(Stamped):
    """A source whose plain text we can take: a TextSource, a PDF's text representation, a transcript."""

    guid: uuid.UUID = field(default_factory=uuid.uuid4)
    name: str = ""
    element: str = "TextSource"
    path: str | None = None  # plainTextPath as written
    member: str | None = None  # the archive member it resolved to
    rich_path: str | None = None
    content: str | None = None  # inline PlainTextContent
    media: str | None = None  # for a transcript or PDF representation: the media source's name
    description: str = ""
    selections: list[RefiSelection] = field(default_factory=list)
    codings: list[RefiCoding] = field(default_factory=list)  # codings of the whole source
    note_refs: list[uuid.UUID] = field(default_factory=list)
    values: list[RefiValue] = field(default_factory=list)
    lost: list[tuple[str, Said]] = field(default_factory=list)  # (kind, what) of parts we cannot take
    regions: int = 0  # a PDF's selections drawn on its pages
    region_codings: int = 0


@dataclass
class RefiMedia:
    """A source we cannot take (picture, PDF without text, audio, video), with what it carried."""

    guid: uuid.UUID
    name: str
    kind: str  # "picture source", "pdf source", "audio source", "video source"
    selections: int = 0
    codings: int = 0
    extra: Said | str = ""


@dataclass
class RefiCase:
    guid: uuid.UUID
    name: str | None
    description: str
    values: list[RefiValue] = field(default_factory=list)
    sources: list[uuid.UUID] = field(default_factory=list)
    selections: list[uuid.UUID] = field(default_factory=list)
    codes: list[uuid.UUID] = field(default_factory=list)


@dataclass
class RefiNote(Stamped):
    guid: uuid.UUID = field(default_factory=uuid.uuid4)
    name: str = ""
    description: str = ""
    content: str | None = None
    path: str | None = None
    member: str | None = None
    selections: int = 0


@dataclass
class RefiLink:
    guid: uuid.UUID
    name: str
    origin: uuid.UUID | None
    target: uuid.UUID | None


@dataclass
class RefiSet:
    guid: uuid.UUID
    name: str
    description: str
    codes: list[uuid.UUID] = field(default_factory=list)
    sources: list[uuid.UUID] = field(default_factory=list)
    notes: list[uuid.UUID] = field(default_factory=list)


@dataclass
class RefiFile(Stamped):
    """Everything read from one .qdpx or .qdc."""

    format: str = "qdpx"  # "qdpx", "qdc" or "qde"
    name: str = ""
    origin: str | None = None
    description: str = ""
    users: list[RefiUser] = field(default_factory=list)
    codes: list[RefiCode] = field(default_factory=list)  # roots, children nested
    variables: list[RefiVariable] = field(default_factory=list)
    cases: list[RefiCase] = field(default_factory=list)
    texts: list[RefiText] = field(default_factory=list)
    media: list[RefiMedia] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    links: list[RefiLink] = field(default_factory=list)
    sets: list[RefiSet] = field(default_factory=list)
    graphs: list[tuple[str, int, int]] = field(default_factory=list)  # name, vertices, edges
    project_note_refs: list[uuid.UUID] = field(default_factory=list)
    warnings: list[Said | str] = field(default_factory=list)  # Said: shown in the reader's language
    converted: list[tuple[str, Said | str, Said]] = field(default_factory=list)  # (kind, name, what happened)
    source_bytes: dict[str, bytes] = field(default_factory=dict)  # archive member -> bytes
    missing_files: dict[str, Said] = field(default_factory=dict)  # reference -> why it could not be read
    extension: bytes | None = None  # fieldnotes.json, what our own exports carry beyond the schema
