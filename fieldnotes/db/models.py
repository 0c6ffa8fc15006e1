"""The project's data model.

Design rules that later features depend on and that cannot be retrofitted:

- every row has a UUID that never changes (merge and REFI-QDA round trips match on it), its
  creation and update time, and the coder who made it;
- document text is stored once, normalised, and never changed except through the coding engine's
  edit path, which moves codings along; spans are `[start, end)` in code points over that text;
- every change is written to an append-only event log with before- and after-images, which undo,
  audit and merge are built on.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from fieldnotes import clock, ids
from fieldnotes.db.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DOCUMENT_KINDS = ("interview", "observation", "minutes", "document")
ATTRIBUTE_TYPES = ("text", "number", "date", "category")
MUNICIPALITY = "municipality"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime(), uuid.UUID: Uuid(), dict[str, Any]: JSON()}


class Tracked:
    """Identity, timestamps and authorship shared by every row."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=ids.new)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("coders.id"), default=None)


class Coder(Tracked, Base):
    """A person who codes. The id is a UUID5 of the name, so a name means the same coder everywhere.

    `refi_guid` is the GUID another tool gave this person in a REFI-QDA file (NVivo's user id, say):
    kept beside our own id so that exporting back gives the other tool the user it knows.
    """

    __tablename__ = "coders"
    name: Mapped[str] = mapped_column(String(200), unique=True)
    refi_guid: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)


class ProjectSettings(Tracked, Base):
    """The single row of project-wide settings."""

    __tablename__ = "project"
    name: Mapped[str] = mapped_column(String(300))
    start_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    language: Mapped[str] = mapped_column(String(10), default="da")
    default_coder_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("coders.id"), default=None)
    pseudonymize_exports: Mapped[bool] = mapped_column(Boolean, default=True)  # names replaced in exports
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class Case(Tracked, Base):
    """A case in the QDA sense: a municipality, a person, a workplace."""

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("type", "name"),)
    type: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")


class Document(Tracked, Base):
    """One piece of field material, its text normalised at import and immutable afterwards."""

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(f"kind IN {DOCUMENT_KINDS!r}", name="kind"),
        CheckConstraint("length >= 0", name="length"),
    )
    title: Mapped[str] = mapped_column(String(500), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="document")
    activity: Mapped[str | None] = mapped_column(String(200), default=None)
    date: Mapped[dt.date | None] = mapped_column(Date, default=None, index=True)
    participants: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    speakers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source_name: Mapped[str | None] = mapped_column(String(500), default=None)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    length: Mapped[int] = mapped_column(Integer)

    turns: Mapped[list[SpeakerTurn]] = relationship(back_populates="document", order_by="SpeakerTurn.start")
    cases: Mapped[list[Case]] = relationship(secondary="document_cases", viewonly=True)


class DocumentCase(Tracked, Base):
    """A document belongs to a case (its municipality, a person interviewed, ...)."""

    __tablename__ = "document_cases"
    __table_args__ = (UniqueConstraint("document_id", "case_id"),)
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id"))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)


class SpeakerTurn(Tracked, Base):
    """A speaker's turn in a transcript: `[start, end)` over the document text."""

    __tablename__ = "speaker_turns"
    __table_args__ = (
        Index(None, "document_id", "start"),
        CheckConstraint('start >= 0 AND "end" >= start', name="span"),
    )
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id"))
    ordinal: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(200))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    timestamp: Mapped[float | None] = mapped_column(Float, default=None)

    document: Mapped[Document] = relationship(back_populates="turns")


class Attribute(Tracked, Base):
    """A typed attribute that documents or cases can carry (`scope`)."""

    __tablename__ = "attributes"
    __table_args__ = (
        UniqueConstraint("scope", "name"),
        CheckConstraint("scope IN ('document', 'case')", name="scope"),
        CheckConstraint(f"value_type IN {ATTRIBUTE_TYPES!r}", name="value_type"),
    )
    scope: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    value_type: Mapped[str] = mapped_column(String(20), default="text")
    categories: Mapped[list[str] | None] = mapped_column(JSON, default=None)


class AttributeValue(Tracked, Base):
    """One attribute's value on one document or one case."""

    __tablename__ = "attribute_values"
    __table_args__ = (
        UniqueConstraint("attribute_id", "document_id"),
        UniqueConstraint("attribute_id", "case_id"),
        CheckConstraint("(document_id IS NULL) <> (case_id IS NULL)", name="one_target"),
    )
    attribute_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("attributes.id"))
    document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents.id"), default=None, index=True
    )
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("cases.id"), default=None, index=True
    )
    value_text: Mapped[str | None] = mapped_column(Text, default=None)
    value_number: Mapped[float | None] = mapped_column(Float, default=None)
    value_date: Mapped[dt.date | None] = mapped_column(Date, default=None)


class Code(Tracked, Base):
    """A code in the codebook tree, with its MacQueen entry and an optional rating scale."""

    __tablename__ = "codes"
    __table_args__ = (
        CheckConstraint(
            "(scale_min IS NULL AND scale_max IS NULL) OR (scale_min < scale_max)", name="scale"
        ),
    )
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("codes.id"), default=None, index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    color: Mapped[str] = mapped_column(String(7), default="#808080")
    shortcut: Mapped[str | None] = mapped_column(String(1), default=None)
    short: Mapped[str] = mapped_column(Text, default="")
    definition: Mapped[str] = mapped_column(Text, default="")
    when_to_use: Mapped[str] = mapped_column(Text, default="")
    when_not_to_use: Mapped[str] = mapped_column(Text, default="")
    example: Mapped[str] = mapped_column(Text, default="")
    glosses: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    codable: Mapped[bool] = mapped_column(Boolean, default=True)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    scale_min: Mapped[int | None] = mapped_column(Integer, default=None)
    scale_max: Mapped[int | None] = mapped_column(Integer, default=None)
    scale_labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Coding(Tracked, Base):
    """A code applied to `[start, end)` of a document by one coder."""

    __tablename__ = "codings"
    __table_args__ = (
        UniqueConstraint("document_id", "code_id", "coder_id", "start", "end"),
        CheckConstraint('start >= 0 AND "end" > start', name="span"),
        Index(None, "document_id", "start"),
        Index(None, "document_id", "updated_at"),  # Home's recent documents: each document's latest coding
    )
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id"))
    code_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("codes.id"), index=True)
    coder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("coders.id"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    memo: Mapped[str | None] = mapped_column(Text, default=None)
    rating: Mapped[int | None] = mapped_column(Integer, default=None)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)


class Memo(Tracked, Base):
    """A memo on the project (no target), a document, a case, a code or a coding."""

    __tablename__ = "memos"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN document_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN case_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN code_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN coding_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="one_target",
        ),
    )
    text: Mapped[str] = mapped_column(Text)
    document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents.id"), default=None, index=True
    )
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"), default=None, index=True)
    code_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("codes.id"), default=None, index=True)
    coding_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("codings.id"), default=None, index=True
    )
    # a memo that came back from a comment on a Word report (`memo import`): the report's file name, its
    # export id and the anchor the comment was on (a bookmark name, or "text" for other text)
    source: Mapped[str | None] = mapped_column(String(500), default=None, index=True)
    source_export: Mapped[str | None] = mapped_column(String(36), default=None)
    source_anchor: Mapped[str | None] = mapped_column(String(60), default=None)
    #: the memo this one replies to (the first of its thread). Not a foreign key: undo, redo and merge
    #: write rows table by table, and a reply may arrive before the memo it answers
    reply_to: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    #: when it was written, if before it was recorded here (a comment's date)
    written_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


PSEUDONYM_CATEGORIES = ("person", "place", "workplace", "organisation", "other")


class Pseudonym(Tracked, Base):
    """An entry of the pseudonym register: original -> pseudonym.

    `original` is emptied when the key is separated from the project (`pseudonyms export --remove`);
    the key file then holds it, under the same id.
    """

    __tablename__ = "pseudonyms"
    __table_args__ = (CheckConstraint(f"category IN {PSEUDONYM_CATEGORIES!r}", name="category"),)
    original: Mapped[str | None] = mapped_column(Text, default=None)
    pseudonym: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20), default="person")
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    separated: Mapped[bool] = mapped_column(Boolean, default=False)


class MergeConflict(Tracked, Base):
    """A disagreement found while merging, settled by a deterministic rule and open to review."""

    __tablename__ = "merge_conflicts"
    __table_args__ = (CheckConstraint("status IN ('auto', 'settled')", name="status"),)
    merge_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    kind: Mapped[str] = mapped_column(String(40))
    table: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    ours: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    theirs: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    resolution: Mapped[str] = mapped_column(String(20), default="ours")
    status: Mapped[str] = mapped_column(String(20), default="auto")


class DocumentBoundaries(Base):
    """A document's paragraph and sentence boundaries, derived from its text (coding/boundaries.py).

    A cache, not part of the record: no events, no bundles. A row counts only while its sha256, transcript
    flag and version match the document; every change that touches a document refreshes its row.
    """

    __tablename__ = "document_boundaries"
    document_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    transcript: Mapped[bool] = mapped_column(Boolean)
    length: Mapped[int] = mapped_column(Integer)
    lines: Mapped[bytes] = mapped_column(LargeBinary)  # line starts, uint32 little-endian
    sentences: Mapped[bytes] = mapped_column(LargeBinary)  # reach, starts, ends: uint32 little-endian


class Change(Base):
    """One user-level action in the event log: who did what, when. Append-only."""

    __tablename__ = "changes"
    __table_args__ = (
        CheckConstraint("kind IN ('do', 'undo', 'redo')", name="kind"),
        Index(None, "coder_id", "seq"),
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=ids.new)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    coder_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("coders.id"), default=None)
    kind: Mapped[str] = mapped_column(String(10), default="do")
    action: Mapped[str] = mapped_column(String(60))
    summary: Mapped[str] = mapped_column(Text, default="")
    target_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Event(Base):
    """One row's before- and after-image within a change. Append-only, except redaction."""

    __tablename__ = "events"
    __table_args__ = (Index(None, "row_id", "seq"),)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=ids.new)
    change_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("changes.id"), index=True)
    table: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    redacted: Mapped[bool] = mapped_column(Boolean, default=False)


#: tables whose rows the event log tracks (everything users change), in an order that satisfies
#: foreign keys when rows are inserted
TRACKED_TABLES: tuple[type[Tracked], ...] = (
    Coder,
    ProjectSettings,
    Case,
    Attribute,
    Document,
    DocumentCase,
    SpeakerTurn,
    AttributeValue,
    Code,
    Coding,
    Memo,
    Pseudonym,
    MergeConflict,
)
