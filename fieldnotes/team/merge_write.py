"""Writing a planned merge: the rows in batches, parents first, each logged as `history` logs a change.

The plan comes from fieldnotes.team.merge_plan; the entry point, fieldnotes.team.merge, first checks
with `check_unchanged` that nobody changed the rows since they were planned.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from fieldnotes.db import coders, history
from fieldnotes.db.image_queries import select_images
from fieldnotes.db.models import MergeConflict
from fieldnotes.team.images import Image, fingerprint
from fieldnotes.team.merge_plan import ChangedMeanwhile, Plan
from fieldnotes.team.sources import ORIGINS, Source
from fieldnotes.translations import _, said


def _depths(writes: list[tuple[str, uuid.UUID, Image | None]], plan: Plan) -> dict[str, int]:
    """How deep each written code sits in the tree, so parents are inserted before their children."""
    parents: dict[str, Any] = {}
    for table, row_id, image in writes:
        if table == "codes":
            source = image if image is not None else plan.expected.get(("codes", str(row_id)))
            parents[str(row_id)] = (source or {}).get("parent_id")
    depths: dict[str, int] = {}
    for code in parents:
        level, parent, seen = 0, parents[code], {code}
        while parent is not None and parent in parents and parent not in seen:
            seen.add(parent)
            level += 1
            parent = parents[parent]
        depths[code] = level
    return depths


def _complete(table: Any, image: Image, current: Image | None) -> dict[str, Any]:
    """Column values for every column, so rows can be written in batches (an image from an older
    schema lacks the newer columns: they keep the current value, or take their plain default)."""
    values = history.decode(table, image)
    if len(values) == len(table.columns):
        return values
    known = history.decode(table, current) if current is not None else {}
    for column in table.columns:
        if column.name not in values:
            default = column.default.arg if column.default is not None and column.default.is_scalar else None
            values[column.name] = known.get(column.name, default)
    return values


def _column_writer(column: Any, dialect: Any) -> tuple[Callable[[Any], Any], bool]:
    """Image value -> the value the driver is given, exactly as `history.decode` and the column's type
    would make it; and whether values repeat enough to be worth remembering (not ids, not JSON)."""
    from sqlalchemy import JSON, Date, Uuid

    from fieldnotes.db.types import UTCDateTime

    kind = column.type
    bind = kind._cached_bind_processor(dialect)
    parse: Callable[[Any], Any] | None = None
    if isinstance(kind, Uuid):
        parse = uuid.UUID
    elif isinstance(kind, UTCDateTime):
        parse = dt.datetime.fromisoformat
    elif isinstance(kind, Date):
        parse = dt.date.fromisoformat
    # None in a JSON column is SQL NULL, as the ORM stores a new row's None (not the JSON text 'null')
    none = None if isinstance(kind, JSON) or bind is None else bind(None)

    def write(value: Any) -> Any:
        if value is None:
            return none
        if parse is not None:
            value = parse(value)
        return bind(value) if bind is not None else value

    return write, column.name != "id" and not isinstance(kind, JSON)


def _write_rows(conn: Any, table: Any, whole: list[Image], *, insert: bool) -> None:
    """Insert or update whole rows (every column in the image) straight through the driver (SQLite),
    with the values SQLAlchemy would have bound: a merge into an empty project writes every row, and
    compiling a statement for each row would take most of its time."""
    dialect = conn.dialect
    columns = list(table.columns)
    names = [column.name for column in columns]
    writers = [_column_writer(column, dialect) for column in columns]
    memos: list[dict[Any, Any] | None] = [{} if repeats else None for _, repeats in writers]
    rows = []
    for image in whole:
        row = []
        for name, (write, _other), memo in zip(names, writers, memos, strict=True):
            value = image[name]
            if memo is None:
                row.append(write(value))
                continue
            try:
                found = memo[value]
            except KeyError:
                found = memo[value] = write(value)
            except TypeError:  # not hashable: nothing to remember
                found = write(value)
            row.append(found)
        rows.append(tuple(row))
    quote = dialect.identifier_preparer.quote
    target = dialect.identifier_preparer.format_table(table)
    if insert:
        sql = f"INSERT INTO {target} ({', '.join(quote(n) for n in names)}) VALUES ({', '.join('?' for _ in names)})"
    else:
        sql = f"UPDATE {target} SET {', '.join(f'{quote(n)} = ?' for n in names)} WHERE {quote('id')} = ?"
        at = names.index("id")
        rows = [(*row, row[at]) for row in rows]
    for start in range(0, len(rows), 1000):
        conn.exec_driver_sql(sql, rows[start : start + 1000])


def _json_as_stored(write: tuple[str, uuid.UUID, Image | None], plan: Plan) -> tuple[str, uuid.UUID, Image | None]:
    """The write with each JSON value that equals the row's current one taken from the current row.

    A bundle carries JSON values with their keys sorted; the copy that made the change stored them in
    the order they were given. Keeping the order this copy already has for values that did not change
    makes both merge orders store the same text (the copy that renamed a code stored its glosses again
    as they were; this copy keeps them so too)."""
    table_name, row_id, image = write
    now = plan.expected.get((table_name, str(row_id)))
    if image is None or now is None:
        return write
    names = _json_columns(table_name)
    same = {name: now[name] for name in names
            if name in image and name in now and image[name] is not now[name] and image[name] == now[name]}
    return (table_name, row_id, dict(image, **same)) if same else write


@cache
def _json_columns(table_name: str) -> tuple[str, ...]:
    from sqlalchemy import JSON

    return tuple(c.name for c in history.TABLES[table_name].columns if isinstance(c.type, JSON))


def apply_writes(session: Session, pending: history.PendingChange, plan: Plan) -> None:
    """Write the planned rows as `history.apply_images` does, logging each row's before and after image,
    but in batches: a merge that moves a whole project onto a server writes every row there is.

    Inserts and updates go parents first (tables in dependency order, codes by depth); deletions after,
    children first. The rows' current images were locked and checked by `check_unchanged`.
    """
    from sqlalchemy import JSON, bindparam, delete, insert, update

    conn = session.connection()
    direct = conn.dialect.name == "sqlite" and conn.dialect.paramstyle == "qmark"
    depths = _depths(plan.writes, plan)

    def order(item: tuple[str, uuid.UUID, Image | None]) -> tuple[int, int]:
        return history.TABLE_ORDER.get(item[0], 99), depths.get(str(item[1]), 0)

    upserts = sorted((_json_as_stored(w, plan) for w in plan.writes if w[2] is not None), key=order)
    removals = sorted((w for w in plan.writes if w[2] is None), key=order, reverse=True)
    for (table_name, is_insert), group in itertools.groupby(
            upserts, key=lambda w: (w[0], plan.expected.get((w[0], str(w[1]))) is None)):
        table = history.TABLES[table_name]
        items = [(row_id, image) for _, row_id, image in group if image is not None]
        names = [column.name for column in table.columns]
        # rows with every column go straight to the driver (on SQLite); an older image is completed
        # first; runs of each are written in order, so parents still come before their children
        for whole, run in itertools.groupby(items, key=lambda item: direct and all(n in item[1] for n in names)):
            run_items = list(run)
            if whole:
                _write_rows(conn, table, [image for _, image in run_items], insert=is_insert)
                continue
            rows = [_complete(table, image, plan.expected.get((table_name, str(row_id))))
                    for row_id, image in run_items]
            # JSON columns are bound as JSON that stores None as SQL NULL (see _column_writer)
            jsons = {c.name: bindparam(f"_json_{c.name}", type_=JSON(none_as_null=True))
                     for c in table.columns if isinstance(c.type, JSON)}

            def bound(row: dict[str, Any], jsons: dict[str, Any] = jsons) -> dict[str, Any]:
                return {(f"_json_{k}" if k in jsons else k): v for k, v in row.items()}

            for start in range(0, len(rows), 1000):
                chunk = rows[start : start + 1000]
                if is_insert:
                    conn.execute(insert(table).values(jsons) if jsons else insert(table), [bound(r) for r in chunk])
                else:
                    statement = update(table).where(table.c.id == bindparam("_row"))
                    if jsons:
                        statement = statement.values(jsons)
                    conn.execute(statement, [{"_row": row["id"], **bound(row)} for row in chunk])
    for table_name, group in itertools.groupby(removals, key=lambda w: w[0]):
        table = history.TABLES[table_name]
        ids = [row_id for _, row_id, _ in group]
        for start in range(0, len(ids), 500):
            conn.execute(delete(table).where(table.c.id.in_(ids[start : start + 500])))
    for table_name, row_id, image in upserts + removals:
        pending.explicit_events.append((table_name, row_id, plan.expected.get((table_name, str(row_id))), image))
    session.expire_all()


def check_unchanged(session: Session, plan: Plan) -> None:
    """Lock the rows the merge overwrites and make sure nobody changed them since it planned.

    On a shared server a coder can change a row between planning and writing; overwriting it then
    would lose their change, so the merge stops instead (it is safe to run again).
    """
    by_table: dict[str, list[uuid.UUID]] = {}
    for (name, row_id), before in plan.expected.items():
        if before is not None:
            by_table.setdefault(name, []).append(uuid.UUID(row_id))
    conn = session.connection()
    for table_name, ids in by_table.items():
        table = history.TABLES[table_name]
        for start in range(0, len(ids), 500):
            for image in select_images(conn, table_name, table.c.id.in_(ids[start : start + 500]), for_update=True):
                expected = plan.expected.get((table_name, str(image["id"])))
                if image != expected and fingerprint(image) != fingerprint(expected):
                    raise ChangedMeanwhile(_("{table_name} {id} changed").format(table_name=table_name, id=image['id']))


def record_merge(session: Session, plan: Plan, source: Source, coder_id: uuid.UUID, coder_name: str,
                 write: Callable[[Session, history.PendingChange, Plan], None],
                 events: Callable[[Any, list[dict[str, Any]]], None] | None = None) -> None:
    """The merge as one recorded change: its rows written by `write` (row by row, or by COPY with the event
    log's rows written by `events`), the merging coder, the conflicts for review; the report gets its id."""
    report = plan.report
    summary = said("merged {file}: {n} conflict(s)", file=source.name, n=len(plan.conflicts)) if plan.conflicts \
        else said("merged {file}", file=source.name)
    details = {"source": source.name, "kind": source.kind, "added": report.added, "changed": report.changed,
               "removed": report.removed, "conflicts": len(plan.conflicts), **source.summary, ORIGINS: plan.origins}
    with history.change(session, coder_id=coder_id, action="merge", summary=summary, details=details) as pending:
        if events is not None:
            pending.write_events = events
        write(session, pending, plan)
        # after the rows: the merging coder may be one of the coders the merge brings
        coders.ensure_coder(session, coder_name)
        for conflict in plan.conflicts:
            session.add(MergeConflict(merge_id=pending.change_id, kind=conflict.kind, table=conflict.table,
                                      row_id=uuid.UUID(conflict.row_id) if conflict.row_id else None,
                                      summary=conflict.summary, ours=conflict.ours, theirs=conflict.theirs,
                                      resolution=conflict.resolution, status="auto", created_by=coder_id))
        session.flush()
        report.merge_id = str(pending.change_id)
