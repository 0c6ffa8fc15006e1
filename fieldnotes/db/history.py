"""The event log: every change to a tracked row, with its before- and after-image.

Domain code wraps each user-level action in `change(...)`. Session hooks read every inserted,
updated and deleted tracked row around each flush, so no change can slip past the log: a flush
that touches a tracked table outside `change(...)` is an error. Images are whole rows as JSON, so
undo and redo restore rows exactly, and merge can replay them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Date, Table, Uuid, delete, event, insert, update
from sqlalchemy.orm import Session

from fieldnotes import clock, ids
from fieldnotes.db.image_queries import TABLES as TABLES
from fieldnotes.db.image_queries import Image as Image
from fieldnotes.db.image_queries import fetch_images
from fieldnotes.db.models import Change, Event, Tracked
from fieldnotes.db.types import UTCDateTime
from fieldnotes.translations import Said, from_json

_INFO_KEY = "fieldnotes.change"
TABLE_ORDER = {name: index for index, name in enumerate(TABLES)}
#: called at the end of every change, in its transaction, with the ids of the documents whose row or speaker
#: turns it touched (an import, an edit, a new kind, undo, redo, a merge): what is derived from a document's
#: text and kept in the database registers here (coding/boundaries.py, registered by project/opening.py)
DOCUMENT_LISTENERS: list[Callable[[Session, set[uuid.UUID]], None]] = []



def encode(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _decode(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, Uuid):
        return uuid.UUID(value)
    if isinstance(column.type, UTCDateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return dt.date.fromisoformat(value)
    return value


def decode(table: Table, image: Image) -> dict[str, Any]:
    """Turn a JSON image back into column values (unknown keys from newer schemas are dropped)."""
    return {col.name: _decode(col, image.get(col.name)) for col in table.columns if col.name in image}


def row_image(row: Any) -> Image:
    return {key: encode(value) for key, value in row._mapping.items()}


@dataclass
class PendingChange:
    """A change being recorded: the rows it touched and their images before it started."""

    change_id: uuid.UUID
    coder_id: uuid.UUID | None
    action: str
    summary: str | Said
    details: dict[str, Any]
    kind: str = "do"
    target_id: uuid.UUID | None = None
    before: dict[tuple[str, uuid.UUID], Image | None] = field(default_factory=dict)
    order: list[tuple[str, uuid.UUID]] = field(default_factory=list)
    explicit_events: list[tuple[str, uuid.UUID, Image | None, Image | None]] = field(default_factory=list)
    #: writes the events' rows instead of one INSERT of them (a move onto a server copies them in bulk)
    write_events: Callable[[Any, list[dict[str, Any]]], None] | None = None

    def touch(self, key: tuple[str, uuid.UUID], before: Image | None) -> None:
        if key not in self.before:
            self.before[key] = before
            self.order.append(key)


def _tracked(objs: Iterable[Any]) -> list[Tracked]:
    return [obj for obj in objs if isinstance(obj, Tracked)]


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    new = _tracked(session.new)
    dirty = [obj for obj in _tracked(session.dirty) if session.is_modified(obj)]
    deleted = _tracked(session.deleted)
    if not (new or dirty or deleted):
        return
    pending: PendingChange | None = session.info.get(_INFO_KEY)
    if pending is None:
        raise RuntimeError("a tracked row changed outside history.change(); the event log would miss it")
    for obj in new:
        if obj.id is None:
            obj.id = ids.new()
        pending.touch((type(obj).__tablename__, obj.id), None)  # type: ignore[attr-defined]
    wanted: dict[str, list[uuid.UUID]] = {}
    for obj in dirty + deleted:
        key = (type(obj).__tablename__, obj.id)  # type: ignore[attr-defined]
        if key not in pending.before:
            wanted.setdefault(key[0], []).append(obj.id)
    conn = session.connection()
    for table_name, row_ids in wanted.items():
        images = fetch_images(conn, table_name, row_ids)
        for row_id in row_ids:
            pending.touch((table_name, row_id), images.get(str(row_id)))


def _sort_for_insert(items: list[tuple[str, uuid.UUID, Image | None, Image | None]], *, use_after: bool) -> list[
    tuple[str, uuid.UUID, Image | None, Image | None]
]:
    """Order rows so that parents come before children (tables by dependency, codes by depth)."""

    # built once: rebuilding it for each code made moving a whole project quadratic in its codes
    by_id = {str(other[1]): (other[3] if use_after else other[2]) for other in items if other[0] == "codes"}

    def depth(item: tuple[str, uuid.UUID, Image | None, Image | None]) -> int:
        image = item[3] if use_after else item[2]
        if item[0] != "codes" or image is None:
            return 0
        level, parent, seen = 0, image.get("parent_id"), set()
        while parent and parent in by_id and parent not in seen:
            seen.add(parent)
            level += 1
            parent_image = by_id[parent]
            parent = parent_image.get("parent_id") if parent_image else None
        return level

    return sorted(items, key=lambda item: (TABLE_ORDER.get(item[0], 99), depth(item)))


def _write_log(session: Session, pending: PendingChange) -> uuid.UUID | None:
    conn = session.connection()
    by_table: dict[str, list[uuid.UUID]] = {}
    for table_name, row_id in pending.order:
        by_table.setdefault(table_name, []).append(row_id)
    after: dict[tuple[str, uuid.UUID], Image] = {}
    for table_name, row_ids in by_table.items():
        found = fetch_images(conn, table_name, row_ids)
        for row_id in row_ids:
            image = found.get(str(row_id))
            if image is not None:
                after[(table_name, row_id)] = image
    events: list[tuple[str, uuid.UUID, Image | None, Image | None]] = list(pending.explicit_events)
    for key in pending.order:
        before, now = pending.before[key], after.get(key)
        if before != now:
            events.append((key[0], key[1], before, now))
    if not events:
        return None
    if DOCUMENT_LISTENERS:
        touched = _documents_touched(events)
        if touched:
            for listener in DOCUMENT_LISTENERS:
                listener(session, touched)
    # inserts and updates parent-first; deletions come after, children first
    upserts = _sort_for_insert([e for e in events if e[3] is not None], use_after=True)
    removals = list(reversed(_sort_for_insert([e for e in events if e[3] is None], use_after=False)))
    conn.execute(
        insert(Change),
        [
            {
                "id": pending.change_id,
                "at": clock.now(),
                "coder_id": pending.coder_id,
                "kind": pending.kind,
                "action": pending.action,
                "summary": str(pending.summary),
                "target_id": pending.target_id,
                "details": with_said(pending.details, pending.summary),
            }
        ],
    )
    rows = [
        {
            "id": ids.new(),
            "change_id": pending.change_id,
            "table": table_name,
            "row_id": row_id,
            "before": before,
            "after": now,
            "redacted": False,
        }
        for table_name, row_id, before, now in upserts + removals
    ]
    if pending.write_events is not None:
        pending.write_events(conn, rows)
    else:
        conn.execute(insert(Event), rows)
    return pending.change_id


def _documents_touched(events: list[tuple[str, uuid.UUID, Image | None, Image | None]]) -> set[uuid.UUID]:
    touched: set[uuid.UUID] = set()
    for table_name, row_id, before, after in events:
        if table_name == "documents":
            touched.add(row_id)
        elif table_name == "speaker_turns":
            for image in (before, after):
                if image is not None and image.get("document_id"):
                    touched.add(uuid.UUID(str(image["document_id"])))
    return touched


@contextmanager
def change(
    session: Session,
    *,
    coder_id: uuid.UUID | None,
    action: str,
    summary: str | Said = "",
    details: dict[str, Any] | None = None,
    kind: str = "do",
    target_id: uuid.UUID | None = None,
) -> Iterator[PendingChange]:
    """Record everything the block changes as one entry in the event log.

    Nested use joins the outer change, so a compound action (a merge, a bulk coding) is one step.
    """
    outer: PendingChange | None = session.info.get(_INFO_KEY)
    if outer is not None:
        yield outer
        return
    pending = PendingChange(
        change_id=ids.new(),
        coder_id=coder_id,
        action=action,
        summary=summary,
        details=details or {},
        kind=kind,
        target_id=target_id,
    )
    session.info[_INFO_KEY] = pending
    try:
        yield pending
        session.flush()
        _write_log(session, pending)
    finally:
        session.info.pop(_INFO_KEY, None)


def apply_images(
    session: Session, pending: PendingChange, rows: list[tuple[str, uuid.UUID, Image | None]]
) -> None:
    """Set rows to the given images with Core statements (None deletes), logging each as an event.

    Used by undo, redo and merge. The current row is read first so the event has a true before-image.
    """
    conn = session.connection()
    current: dict[tuple[str, uuid.UUID], Image | None] = {}
    by_table: dict[str, list[uuid.UUID]] = {}
    for table_name, row_id, _ in rows:
        by_table.setdefault(table_name, []).append(row_id)
    for table_name, row_ids in by_table.items():
        found = fetch_images(conn, table_name, row_ids)
        for row_id in row_ids:
            current[(table_name, row_id)] = found.get(str(row_id))
    items = [(t, r, current[(t, r)], img) for t, r, img in rows]
    upserts = _sort_for_insert([item for item in items if item[3] is not None], use_after=True)
    removals = list(reversed(_sort_for_insert([item for item in items if item[3] is None], use_after=False)))
    for table_name, row_id, now, image in upserts + removals:
        table = TABLES[table_name]
        if image is None:
            if now is not None:
                conn.execute(delete(table).where(table.c.id == row_id))
        elif now is None:
            conn.execute(insert(table).values(**decode(table, image)))
        else:
            conn.execute(update(table).where(table.c.id == row_id).values(**decode(table, image)))
        if now != image:
            pending.explicit_events.append((table_name, row_id, now, image))
    session.expire_all()


def record_action(session: Session, *, coder_id: uuid.UUID | None, action: str, summary: str | Said = "",
                  details: dict[str, Any] | None = None) -> uuid.UUID:
    """Log an action that changes no rows (an export, a key export) so the audit trail shows it."""
    change_id = ids.new()
    session.connection().execute(
        insert(Change),
        [{"id": change_id, "at": clock.now(), "coder_id": coder_id, "kind": "do", "action": action,
          "summary": str(summary), "target_id": None, "details": with_said(details or {}, summary)}],
    )
    return change_id


# --- what a change says, in the reader's language ------------------------------------------------------
#: the key in a change's details that holds its summary as a template and values (no schema change: details
#: is JSON already); the `summary` column keeps the English text for older versions and scripts
SAID_KEY = "said"


def with_said(details: dict[str, Any], summary: str | Said) -> dict[str, Any]:
    if not isinstance(summary, Said):
        return details
    return {**details, SAID_KEY: summary.as_json()}


def said_of(summary: str | None, details: Any) -> Said | str:
    """A change's summary as structured data where it has it; old changes have only their stored text."""
    found = from_json(details.get(SAID_KEY)) if isinstance(details, dict) else None
    return found if found is not None else (summary or "")


def describe(summary: str | None, details: Any, action: str = "") -> str:
    """A change's summary in the current interface language (as stored, for changes from before)."""
    found = said_of(summary, details)
    return found.render() if isinstance(found, Said) else (found or action)
