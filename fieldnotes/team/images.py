"""Row images as bundles and merges handle them: references between tables, fingerprints, version
stamps, and moving a coding's span onto another version of its document's text.

An image is a whole row as JSON (fieldnotes.db.history). Ids in images are strings; a row is named by
its key `(table, id)`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import JSON, Boolean, Column, ColumnElement, Connection, Date, Uuid, func, select, type_coerce
from sqlalchemy.types import NullType

from fieldnotes.coding.edit import OffsetMap, char_opcodes
from fieldnotes.db.history import TABLES
from fieldnotes.db.history import Image as Image
from fieldnotes.db.types import UTCDateTime

Key = tuple[str, str]

#: tables a bundle or a merge carries: everything users change, but not the merge's own review list
MERGED_TABLES: tuple[str, ...] = tuple(name for name in TABLES if name != "merge_conflicts")


def _references() -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for name, table in TABLES.items():
        out[name] = [(column.name, fk.column.table.name) for column in table.columns for fk in column.foreign_keys]
    return out


#: table -> [(column, the table it refers to)], from the models' foreign keys
REFERENCES: dict[str, list[tuple[str, str]]] = _references()


# --- reading rows as images, fast ----------------------------------------------------------------
#
# history.row_image turns every value into a Python object (a UUID, an aware datetime) and then back
# into text. Reading every row of a big project that way costs seconds, so bundles and merges read
# SQLite's stored values as they are and turn them into the same images directly. On other databases
# the values come as objects and are encoded column by column. `row_image_equivalent` in the tests
# checks that both give exactly what history.row_image gives.


def uuid_text(value: Any) -> str:
    """A stored UUID (SQLite: 32 hex digits; a server: a UUID) as an image holds it."""
    if isinstance(value, str) and len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}".lower()
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def _moment_text(value: Any) -> str:
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return str(moment.astimezone(dt.UTC).isoformat())


def _date_text(value: Any) -> str:
    return str((dt.date.fromisoformat(value) if isinstance(value, str) else value).isoformat())


def _json_value(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _converter(column: Column[Any], raw: bool) -> Callable[[Any], Any] | None:
    """How to turn a column's value (stored, when `raw`) into its image value; None: as it is."""
    kind = column.type
    if isinstance(kind, Uuid):
        return uuid_text
    if isinstance(kind, UTCDateTime):
        return _moment_text
    if isinstance(kind, Date):
        return _date_text
    if raw and isinstance(kind, Boolean):
        return bool
    if raw and isinstance(kind, JSON):
        return _json_value
    return None


@cache
def _reader(table_name: str, raw: bool) -> tuple[list[ColumnElement[Any]], tuple[str, ...],
                                                  tuple[tuple[int, Callable[[Any], Any]], ...]]:
    table = TABLES[table_name]
    columns: list[ColumnElement[Any]] = []
    converters: list[tuple[int, Callable[[Any], Any]]] = []
    for index, column in enumerate(table.columns):
        convert = _converter(column, raw)
        columns.append(type_coerce(column, NullType()).label(column.name) if raw else column)
        if convert is not None:
            converters.append((index, convert))
    return columns, tuple(column.name for column in table.columns), tuple(converters)


def stored(column: Any, raw: bool) -> Any:
    """A column read as stored (SQLite: UUIDs as hex text, JSON as its text), or as it comes elsewhere."""
    return type_coerce(column, NullType()).label(column.key) if raw else column


def select_images(conn: Connection, table_name: str, *where: ColumnElement[bool],
                  for_update: bool = False) -> Iterator[Image]:
    """The table's rows (those matching `where`) as images, the same as history.row_image gives."""
    raw = conn.dialect.name == "sqlite"
    columns, names, converters = _reader(table_name, raw)
    query = select(*columns).select_from(TABLES[table_name])
    if where:
        query = query.where(*where)
    if for_update:
        query = query.with_for_update()
    # references and times repeat from row to row: their text is worked out once (texts only, never
    # JSON values, which each image must have for itself)
    plan: list[tuple[int, Callable[[Any], Any], dict[Any, Any] | None]] = [
        (index, convert, None if names[index] == "id" or convert in (bool, _json_value) else {})
        for index, convert in converters]
    for row in conn.execute(query):
        values = list(row)
        for index, convert, memo in plan:
            value = values[index]
            if value is None:
                continue
            if memo is None:
                values[index] = convert(value)
            else:
                found = memo.get(value)
                if found is None:
                    found = memo[value] = convert(value)
                values[index] = found
        yield dict(zip(names, values, strict=True))


#: from how many rows on `fetch_images` considers reading the whole table (when they are a quarter of it)
SCAN_FROM = 2000


def fetch_images(conn: Connection, table_name: str, row_ids: Iterable[uuid.UUID | str]) -> dict[str, Image]:
    """Rows by id, as images keyed by their id (as text). Many rows of a table are read in one pass over
    it, which is far quicker than looking each of them up."""
    table = TABLES[table_name]
    given = list(row_ids)
    found: dict[str, Image] = {}
    if len(given) >= SCAN_FROM:
        rows = conn.execute(select(func.count()).select_from(table)).scalar_one()
        if len(given) * 4 >= rows:
            keep = {row_id if isinstance(row_id, str) and len(row_id) == 36 and row_id == row_id.lower()
                    else str(row_id if isinstance(row_id, uuid.UUID) else uuid.UUID(row_id)) for row_id in given}
            for image in select_images(conn, table_name):
                if image["id"] in keep:
                    found[image["id"]] = image
            return found
    wanted = [row_id if isinstance(row_id, uuid.UUID) else uuid.UUID(row_id) for row_id in given]
    for start in range(0, len(wanted), 500):
        for image in select_images(conn, table_name, table.c.id.in_(wanted[start : start + 500])):
            found[image["id"]] = image
    return found


def fingerprint(image: Image | None) -> str:
    """A canonical text of an image, for comparing and for sets of images seen."""
    return json.dumps(image, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def moment(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if not value:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


Stamp = tuple[dt.datetime, str, str]


def stamp(image: Image) -> Stamp:
    """When a row version was made and by whom: what "the later change wins" compares.

    The time is the row's own `updated_at`, which a merge carries over unchanged, so both copies see
    the same stamp; ties go to the coder id, then to the content, so the rule never depends on which
    copy merges into which.
    """
    who = image.get("coder_id") or image.get("created_by") or ""
    return moment(image.get("updated_at") or image.get("created_at")), str(who), fingerprint(image)


def deletion_stamp(at: dt.datetime, coder: str | None) -> Stamp:
    return moment(at), coder or "", ""


def remap(table: str, image: Image, ids: dict[Key, str]) -> Image:
    """The image with its own id and its references replaced where `ids` maps them."""
    if not ids:
        return image
    out = dict(image)
    own = ids.get((table, str(image.get("id"))))
    if own is not None:
        out["id"] = own
    for column, target in REFERENCES.get(table, ()):
        value = out.get(column)
        if value is not None:
            mapped = ids.get((target, str(value)))
            if mapped is not None:
                out[column] = mapped
    return out


@dataclass
class Rebased:
    image: Image | None  # None: every character it covered is gone from the new text
    moved: bool
    touched: bool


class Rebaser:
    """Moves codings from the text they were made on to another version of it, as editing does: a
    coding that no change touches keeps exactly its characters; one that a change touches is
    stretched or shrunk with it and flagged for review."""

    def __init__(self) -> None:
        self._maps: dict[tuple[str, str], OffsetMap] = {}

    def offsets(self, old: str, new: str) -> OffsetMap:
        key = (digest(old.encode("utf-8")), digest(new.encode("utf-8")))
        found = self._maps.get(key)
        if found is None:
            found = self._maps[key] = OffsetMap(char_opcodes(old, new))
        return found

    def coding(self, image: Image, old: str | None, new: str | None) -> Rebased:
        if old is None or new is None or old == new:
            return Rebased(image, False, False)
        mapping = self.offsets(old, new)
        start, end = int(image["start"]), int(image["end"])
        touched = mapping.touches(start, end)
        new_start = mapping.position(start, side="start")
        new_end = mapping.position(end, side="end")
        if new_end <= new_start:
            return Rebased(None, True, True)
        out = dict(image, start=new_start, end=new_end, text=new[new_start:new_end])
        if touched:
            out["needs_review"] = True
        return Rebased(out, (new_start, new_end) != (start, end), touched)
