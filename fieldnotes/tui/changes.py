"""Noticing changes made elsewhere: another coder on the shared server, or the command line.

The watcher remembers the event log's newest sequence number. Polling it is one indexed MAX
(`last_change_seq`); only when it grew are the new changes' ids read, and those this app wrote
itself (seen as they were inserted through its own engine) are set aside. What is left was
changed elsewhere, and the app reloads what it shows.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.sql.dml import Insert

from fieldnotes.db.models import Change
from fieldnotes.project.opening import Project
from fieldnotes.team.activity import last_change_seq


class ChangeWatcher:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.seen: int | None = None
        self._own: set[uuid.UUID] = set()
        self._lock = threading.Lock()
        event.listen(project.engine, "before_execute", self._before_execute)

    def close(self) -> None:
        if event.contains(self.project.engine, "before_execute", self._before_execute):
            event.remove(self.project.engine, "before_execute", self._before_execute)

    def _before_execute(self, conn: Any, clause: Any, multiparams: Any, params: Any, options: Any) -> None:
        """Remember the id of every change this app writes (history inserts them as Core statements)."""
        if not isinstance(clause, Insert) or getattr(clause.table, "name", None) != Change.__tablename__:
            return
        rows = list(multiparams) if multiparams else [params]
        with self._lock:
            for row in rows:
                if isinstance(row, dict) and isinstance(row.get("id"), uuid.UUID):
                    self._own.add(row["id"])

    def poll(self) -> bool:
        """True when someone else changed the project since the last poll (the first poll only looks)."""
        with self.project.read() as session:
            latest = last_change_seq(session)
            if self.seen is None or latest <= self.seen:
                self.seen = latest if self.seen is None else max(self.seen, latest)
                return False
            new = list(session.scalars(select(Change.id).where(Change.seq > self.seen, Change.seq <= latest)))
        self.seen = latest
        with self._lock:
            foreign = [change for change in new if change not in self._own]
            self._own.difference_update(new)
        return bool(foreign)
