"""Moving a whole project onto an empty server project: the same merge, written with COPY.

A team moves its SQLite project onto the server with `init --empty` and `merge project.db`. The merge
writes every row there is; one INSERT per row (pipelined) and an event-log row per row made it take
minutes at the target tier. When the server project is empty, this module plans the merge exactly as
`fieldnotes.team.merge` does (the same `Planner`, so the same rows, ids, values and conflicts), and
only the writing differs: every new row, and the event log's rows, go to the server with
`COPY … FROM STDIN`, table by table in dependency order, in the merge's one transaction. The few
rows that already exist (the empty project's settings row, replaced by the moved project's, and
coders both have) are written as the merge writes them. The event log gets exactly the events,
before- and after-images and order a merge records.

"Empty" (`is_empty`): no row in any content table (cases, attributes, documents and their cases and
turns, attribute values, codes, codings, memos, pseudonyms) nor in the merge's conflict list, and an
event log that never recorded a content row: only what `init --empty` makes, plus changes to the
settings and the coder records. Such a project holds nothing a merge could lose, so no backup is made
first (the report's `backup` is None and `backup_skipped` says why).

The GIN full-text index over documents and the vocabulary table's statement-level triggers stay as
they are: one COPY is one statement, so the triggers count the words once; dropping the index and
building it again after the copy was tried and took as long as keeping it up (typical tier: 5.5 s to
copy the documents and 5.3 s to build the index, against 9.6 s to copy them into the index), while it
needs the table's owner and locks readers out.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import JSON, Table, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from fieldnotes.db import coders, history
from fieldnotes.db.models import Event
from fieldnotes.errors import InvalidInput
from fieldnotes.project.opening import Project
from fieldnotes.team.images import Image
from fieldnotes.team.merge import _snapshot
from fieldnotes.team.merge_plan import CONTENT_TABLES, MergeReport, Plan, Planner
from fieldnotes.team.merge_write import _complete, _depths, _json_as_stored, apply_writes, check_unchanged, record_merge
from fieldnotes.team.sources import Source
from fieldnotes.translations import _

#: tests set this to False to make a move onto an empty server take the normal merge's way
ENABLED = True
#: tests set this to a callable run after the rows are copied, to fail a move halfway
AFTER_COPY: Callable[[], None] | None = None


@dataclass
class MoveReport(MergeReport):
    """A merge's report, for a move onto an empty server project: no backup was made, and why."""

    backup_skipped: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "backup_skipped": self.backup_skipped}


def is_empty(session: Session) -> bool:
    """Is the project only what `init --empty` makes (settings, coders, their changes)? See the module."""
    conn = session.connection()
    for table in (*CONTENT_TABLES, "merge_conflicts"):
        if conn.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{table}")')).scalar():
            return False
    names = ", ".join(f"'{table}'" for table in CONTENT_TABLES)
    return not conn.execute(text(f'SELECT EXISTS (SELECT 1 FROM events WHERE "table" IN ({names}))')).scalar()


def move_onto_empty_server(project: Project, source: Source, coder_name: str) -> MergeReport | None:
    """Merge a whole project file into an empty server project with COPY; None when this is not that
    case (a SQLite project, a bundle, a project that is not empty): the caller merges as usual."""
    if not ENABLED or project.is_sqlite or source.kind != "project":
        return None
    coder_id = coders.coder_id(coder_name)
    with project.write() as session:
        _snapshot(session)
        if not is_empty(session):
            return None
        plan = Planner(session, source).plan()
        report = plan.report
        if report.nothing:
            return report
        check_unchanged(session, plan)
        report.backup = None
        record_merge(session, plan, source, coder_id, coder_name, write_by_copy, events=copy_events)
    return MoveReport(**{f.name: getattr(report, f.name) for f in fields(MergeReport)})


def write_by_copy(session: Session, pending: history.PendingChange, plan: Plan) -> None:
    """Write the plan as `merge_write.apply_writes` does: new rows with COPY, the rest as the merge writes
    them; the events in the order `apply_writes` records them."""
    depths = _depths(plan.writes, plan)

    def order(item: tuple[str, uuid.UUID, Image | None]) -> tuple[int, int]:
        return history.TABLE_ORDER.get(item[0], 99), depths.get(str(item[1]), 0)

    def new(item: tuple[str, uuid.UUID, Image | None]) -> bool:
        return item[2] is not None and plan.expected.get((item[0], str(item[1]))) is None

    upserts = sorted((_json_as_stored(w, plan) for w in plan.writes if w[2] is not None), key=order)
    removals = sorted((w for w in plan.writes if w[2] is None), key=order, reverse=True)
    conn = session.connection()
    inserts = [w for w in upserts if new(w)]
    by_table: dict[str, list[Image]] = {}
    for table_name, _row_id, image in inserts:
        assert image is not None
        by_table.setdefault(table_name, []).append(image)
    for table_name in sorted(by_table, key=lambda name: history.TABLE_ORDER.get(name, 99)):
        _copy_rows(conn, history.TABLES[table_name], by_table[table_name])
    if AFTER_COPY is not None:
        AFTER_COPY()
    rest = [w for w in plan.writes if not new(w)]
    if rest:  # the replaced settings row, coders both copies have: written and logged as the merge does
        scratch = history.PendingChange(change_id=pending.change_id, coder_id=None, action="merge", summary="",
                                        details={})
        apply_writes(session, scratch, Plan(rest, plan.conflicts, plan.origins, plan.report, plan.expected))
    for table_name, row_id, image in upserts + removals:
        pending.explicit_events.append((table_name, row_id, plan.expected.get((table_name, str(row_id))), image))
    session.expire_all()


def _writers(columns: list[Any], dialect: Any, *, json_none_as_null: bool) -> list[Callable[[Any], Any]]:
    """Column value -> what the driver is given, as SQLAlchemy's bind processors make it (a JSON
    column's None is SQL NULL where the merge writes it so, JSON null where a plain INSERT binds it)."""
    out: list[Callable[[Any], Any]] = []
    for column in columns:
        bind = column.type._cached_bind_processor(dialect)
        is_json = isinstance(column.type, JSON)

        def write(value: Any, bind: Any = bind, is_json: bool = is_json) -> Any:
            if value is None and (bind is None or (is_json and json_none_as_null)):
                return None
            return bind(value) if bind is not None else value

        out.append(write)
    return out


def _copy(conn: Any, table_name: str, names: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """Stream rows into a table with COPY (psycopg 3), refusing a NUL as every statement does."""
    import psycopg

    columns = ", ".join(f'"{name}"' for name in names)
    statement = f'COPY "{table_name}" ({columns}) FROM STDIN'
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                if any(isinstance(value, str) and "\x00" in value for value in row):
                    raise InvalidInput(_("a value holds a NUL character (U+0000), which a project cannot hold; "
                                         "nothing was changed"), hint=_("remove it and try again"))
                copy.write_row(row)
    except psycopg.Error as error:  # as SQLAlchemy raises it: the merge's retry and the CLI's messages know it
        raise sa_exc.DBAPIError(statement, None, error) from error


def _copy_rows(conn: Any, table: Table, images: list[Image]) -> None:
    """New rows from their images. An image's values are already text as COPY reads it (ids, ISO times in
    UTC and dates as `history.encode` wrote them), so they go as they are; JSON values are written with
    `json.dumps`, as the driver writes the JSON the merge binds (None is SQL NULL, as the merge writes it).
    An image lacking a column (an older schema) is completed and bound as the merge does."""
    columns = list(table.columns)
    writers = _writers(columns, conn.dialect, json_none_as_null=True)
    names = [column.name for column in columns]
    jsons = [isinstance(column.type, JSON) for column in columns]
    dumps = json.dumps

    def rows() -> Iterable[tuple[Any, ...]]:
        for image in images:
            try:
                yield tuple([(None if (value := image[name]) is None else dumps(value)) if is_json else image[name]
                             for name, is_json in zip(names, jsons, strict=True)])
            except KeyError:
                values = _complete(table, image, None)
                yield tuple(write(values.get(name)) for write, name in zip(writers, names, strict=True))

    _copy(conn, table.name, names, rows())


def copy_events(conn: Any, events: list[dict[str, Any]]) -> None:
    """The event log's rows with COPY, in the order given (their seq follows it, left to the server as
    an INSERT leaves it), as an INSERT of them stores them: images as `json.dumps` writes them, and a
    missing image as JSON null (the log's columns store None so, unlike the merged rows)."""
    names = [column.name for column in Event.__table__.columns if column.name != "seq"]
    dumps = json.dumps
    images = [name in ("before", "after") for name in names]
    _copy(conn, "events", names, (tuple([dumps(event[name]) if image else event[name]
                                         for name, image in zip(names, images, strict=True)]) for event in events))
