"""Rows read as event-log images, fast.

history.row_image would turn every value into a Python object (a UUID, an aware datetime) and then
back into text. Reading many rows that way costs seconds (a bundle reads a whole project, an edit of
a long transcript a thousand codings twice), so on SQLite the stored values are read as they are and
turned into the same images directly. On other databases the values come as objects and are encoded
column by column. A test checks that both give exactly what history.row_image gives.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any

from sqlalchemy import JSON, Boolean, Column, ColumnElement, Connection, Date, Table, Uuid, func, select, type_coerce
from sqlalchemy.types import NullType

from fieldnotes.db.models import TRACKED_TABLES
from fieldnotes.db.types import UTCDateTime

#: every tracked table by name, in the order parents come before children
TABLES: dict[str, Table] = {model.__tablename__: model.__table__ for model in TRACKED_TABLES}  # type: ignore[attr-defined]

Image = dict[str, Any]

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
