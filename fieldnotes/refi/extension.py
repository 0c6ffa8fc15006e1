"""What a fieldnotes export carries beyond the REFI-QDA schema: the archive member `fieldnotes.json`.

The schema has no extension point and our exports must stay valid, so whatever has no place in
`project.qde` goes into this separate member, which other tools ignore: the project's settings (start
date, language, default coder), every row's exact times and author, documents' source file names,
code positions, attribute types and categories, speaker turns, when cases and attribute values were
linked, and where a memo that came back from a comment on a Word report came from (the report, its
export, the anchor, the thread and the comment's date). What the schema can hold stays in its own
places (Users, Variables, Cases, Notes, Descriptions); this member only adds to it.

Rows are keyed by the GUIDs `project.qde` gives them; a coder is named by the GUID of its `User`, as
in `project.qde`, so a pseudonymised export (where coders' names, and so their ids, change) stays
consistent. Text in it passes through the export's pseudonymisation like all other text. The
pseudonym register is never in it.

The columns carried are listed per table in `COLUMNS`: a new column (a memo's source, say) is carried
by naming it there. Reading is strict about types, value by value: a value that does not fit its
column is left out with a warning, so a damaged or hostile member can never put a wrong value into
the project.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from pathlib import PureWindowsPath
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Integer, String, Text, Uuid
from sqlalchemy.sql.schema import Table

from fieldnotes.db import history
from fieldnotes.db.models import (
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
from fieldnotes.db.types import UTCDateTime
from fieldnotes.translations import Said, said, said_n

MEMBER = "fieldnotes.json"
FORMAT = "fieldnotes-refi-extension"
VERSION = 1
#: the columns every carried row has
TRACKED = ("created_at", "updated_at", "created_by")
#: per table, the columns carried besides TRACKED (the rest is in project.qde)
COLUMNS: dict[str, tuple[str, ...]] = {
    "project": ("start_date", "language", "default_coder_id", "pseudonymize_exports"),
    "coders": (),
    "documents": ("source_name",),
    "codes": ("position",),
    "codings": (),
    "memos": ("source", "source_export", "source_anchor", "reply_to", "written_at"),
    "cases": (),
    "attributes": ("scope", "value_type", "categories"),
}
#: rows that have no GUID of their own in project.qde, carried as lists
LINK_COLUMNS: dict[str, tuple[str, ...]] = {
    "document_cases": (),
    "attribute_values": (),
    "speaker_turns": ("ordinal", "speaker", "start", "end", "timestamp"),
}
#: columns holding text that could name someone: they go through the pseudonymisation
TEXT_COLUMNS = frozenset({("documents", "source_name"), ("attributes", "categories"), ("speaker_turns", "speaker"),
                          ("memos", "source")})
#: columns left out of a pseudonymised export: file names (a source's, a report's) are written by hand,
#: in any case and spelling, so the register cannot be trusted to catch every name in them
LEFT_OUT_WHEN_PSEUDONYMISED = frozenset({("documents", "source_name"), ("memos", "source")})
#: columns that name a coder: written as the coder's User GUID
CODER_COLUMNS = frozenset({"created_by", "default_coder_id"})
MODELS: dict[str, Any] = {
    "project": ProjectSettings, "coders": Coder, "documents": Document, "codes": Code, "codings": Coding,
    "memos": Memo, "cases": Case, "attributes": Attribute, "document_cases": DocumentCase,
    "attribute_values": AttributeValue, "speaker_turns": SpeakerTurn,
}

LINK_KEYS = ("attribute", "case", "document")


def link_key(**refs: uuid.UUID | None) -> str:
    """How a row without a GUID of its own is found: the GUIDs it links, by name."""
    return " ".join(f"{name}={str(refs[name]).upper()}" for name in LINK_KEYS if refs.get(name) is not None)


UserOf = Callable[[uuid.UUID | None], str | None]
TextOut = Callable[[str], str]


class Writer:
    """Collects the member while an export is built."""

    def __init__(self, user_of: UserOf, text_out: TextOut, *, pseudonymised: bool = False) -> None:
        self.user_of = user_of
        self.text_out = text_out
        self.pseudonymised = pseudonymised
        self.rows: dict[str, dict[str, dict[str, Any]]] = {table: {} for table in COLUMNS}
        self.links: dict[str, list[dict[str, Any]]] = {table: [] for table in LINK_COLUMNS}
        self.turns: dict[str, list[dict[str, Any]]] = {}

    def _value(self, table: str, column: str, value: Any) -> Any:
        if column in CODER_COLUMNS:
            return self.user_of(value)
        if (table, column) in TEXT_COLUMNS and value is not None:
            if isinstance(value, list):
                return [self.text_out(str(item)) for item in value]
            return self.text_out(str(value))
        return history.encode(value)

    def _image(self, table: str, row: Any, columns: tuple[str, ...]) -> dict[str, Any]:
        image = {column: self._value(table, column, getattr(row, column)) for column in (*TRACKED, *columns)
                 if not (self.pseudonymised and (table, column) in LEFT_OUT_WHEN_PSEUDONYMISED)}
        if isinstance(image.get("source_name"), str):  # a file's name, never a folder of the computer it came from
            image["source_name"] = PureWindowsPath(image["source_name"]).name
        return image

    def row(self, table: str, key: str, row: Any) -> None:
        self.rows[table][key] = self._image(table, row, COLUMNS[table])

    def link(self, table: str, row: Any, **keys: str) -> None:
        self.links[table].append({**keys, **self._image(table, row, LINK_COLUMNS[table])})

    def speaker_turns(self, document: str, turns: list[SpeakerTurn]) -> None:
        self.turns[document] = [self._image("speaker_turns", turn, LINK_COLUMNS["speaker_turns"]) for turn in turns]

    def data(self) -> bytes:
        """The member's bytes: sorted, so two exports of the same project give the same bytes."""
        for items in self.links.values():
            items.sort(key=lambda item: json.dumps(item, sort_keys=True))
        body = {"format": FORMAT, "version": VERSION, "rows": self.rows, "links": self.links,
                "speaker_turns": self.turns}
        return (json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


# --- reading ----------------------------------------------------------------------------------------


def _fits(column: Any, value: Any) -> bool:
    """Whether a decoded value fits its column (type, length, list of strings for categories)."""
    kind = column.type
    if value is None:
        return bool(column.nullable)
    if isinstance(kind, UTCDateTime):
        return isinstance(value, dt.datetime)
    if isinstance(kind, Date):
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if isinstance(kind, Uuid):
        return isinstance(value, uuid.UUID)
    if isinstance(kind, Boolean):
        return isinstance(value, bool)
    if isinstance(kind, Integer):
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**31
    if isinstance(kind, String) and kind.length:
        return isinstance(value, str) and len(value) <= kind.length
    if isinstance(kind, Text | String):
        return isinstance(value, str)
    if isinstance(kind, JSON):
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return isinstance(value, int | float) and not isinstance(value, bool)


def _decode(table_name: str, image: Any, columns: tuple[str, ...], problems: list[Said]) -> dict[str, Any] | None:
    """Column values from one entry, value by value: a value that cannot be read or does not fit its column
    is left out (and noted), the others are kept. None when the entry is not an object at all."""
    if not isinstance(image, dict):
        problems.append(said("an entry of {table} is not an object", table=table_name))
        return None
    table: Table = MODELS[table_name].__table__
    values: dict[str, Any] = {}
    for name in (*TRACKED, *columns):
        if name not in image:
            continue
        try:
            value = history.decode(table, {name: image[name]})[name]
        except (TypeError, ValueError, AttributeError):
            problems.append(said("{column} holds {value!r}, which cannot be read", column=f"{table_name}.{name}",
                                 value=str(image[name])[:40]))
            continue
        column = table.c[name]
        if value is None and isinstance(column.type, JSON):
            continue  # JSON's null is not SQL's NULL: leave the column to its default
        if isinstance(value, float) and isinstance(column.type, Integer) and value.is_integer():
            value = int(value)
        if not _fits(column, value):
            problems.append(said("{column} holds {value!r}, which does not fit", column=f"{table_name}.{name}",
                                 value=str(value)[:40]))
            continue
        values[name] = value
    return values


class Extension:
    """The member as read: checked column values per table and key. Empty when absent or unreadable."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[uuid.UUID | str, dict[str, Any]]] = {table: {} for table in COLUMNS}
        self.links: dict[str, dict[str, dict[str, Any]]] = {table: {} for table in LINK_COLUMNS}
        self.turns: dict[uuid.UUID, list[dict[str, Any]]] = {}
        self.problems: list[Said] = []  # shown in the reader's language
        self.present = False

    def row(self, table: str, key: uuid.UUID | str) -> dict[str, Any]:
        return self.rows[table].get(key, {})

    def link(self, table: str, **refs: uuid.UUID) -> dict[str, Any]:
        return self.links[table].get(link_key(**refs), {})


def _guid(text: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(text).strip("{}"))
    except ValueError:
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _left_out(problems: list[Said]) -> Said:
    """The first three problems and how many more; the template joining them is no message of its own."""
    shown = Said("; ".join(f"{{p{i}}}" for i in range(min(3, len(problems)))), {f"p{i}": p for i, p in
                                                                              enumerate(problems[:3])})
    more = said_n(" (and {n} more)", " (and {n} more)", len(problems) - 3) if len(problems) > 3 else ""
    return said_n("{member}: {n} value left out: {shown}{more}", "{member}: {n} values left out: {shown}{more}",
                  len(problems), member=MEMBER, shown=shown, more=more)


def read(data: bytes | None) -> Extension:
    """The member's content, checked value by value; what does not fit is left out and noted."""
    out = Extension()
    if data is None:
        return out
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        out.problems.append(said("{member} is not readable JSON; it was ignored", member=MEMBER))
        return out
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        out.problems.append(said("{member} is not fieldnotes' extension; it was ignored", member=MEMBER))
        return out
    if not isinstance(body.get("version"), int) or body["version"] > VERSION:
        out.problems.append(said("{member} was written by a newer fieldnotes (version {version!r}); what this "
                                 "version knows of it was read", member=MEMBER, version=body.get("version")))
    out.present = True
    problems: list[Said] = []
    rows = _dict(body.get("rows"))
    for table, columns in COLUMNS.items():
        for key, image in _dict(rows.get(table)).items():
            guid = "project" if table == "project" else _guid(key)
            values = _decode(table, image, columns, problems) if guid is not None else None
            if guid is not None and values is not None:
                out.rows[table][guid] = values
    links = _dict(body.get("links"))
    for table in ("document_cases", "attribute_values"):
        items = links.get(table)
        for image in items if isinstance(items, list) else []:
            if not isinstance(image, dict):
                continue
            refs = {k: _guid(image[k]) for k in LINK_KEYS if k in image}
            values = _decode(table, image, LINK_COLUMNS[table], problems)
            if values is not None and refs and None not in refs.values():
                out.links[table][link_key(**refs)] = values
    for key, items in _dict(body.get("speaker_turns")).items():
        doc = _guid(key)
        if doc is None or not isinstance(items, list):
            continue
        decoded = [_decode("speaker_turns", image, LINK_COLUMNS["speaker_turns"], problems) for image in items]
        if all(values is not None and all(c in values for c in LINK_COLUMNS["speaker_turns"][:4])
               for values in decoded):
            out.turns[doc] = [values for values in decoded if values is not None]
        else:
            problems.append(said("the speaker turns of a document do not fit; they were derived from its text instead"))
    if problems:
        out.problems.append(_left_out(problems))
    return out
