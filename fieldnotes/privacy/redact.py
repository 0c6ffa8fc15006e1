"""Making sure originals do not linger after they were taken out of the material.

After an in-place apply, or after the key is separated, originals would still sit in:
- the event log's before- and after-images and the changes' summaries and details: every original
  is replaced by its pseudonym there (the same matcher as everywhere), and each event so changed is
  marked `redacted`, which makes undo across it refuse;
- the search index: rebuilt from the current text;
- freed database pages and the write-ahead log: on SQLite, `secure_delete`, then VACUUM and a
  truncating checkpoint; on PostgreSQL, VACUUM FULL of the tables involved (the server's own WAL
  archive and backups are its administrator's to handle);
- fieldnotes' own backups: listed, and deleted when asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session

from fieldnotes.db.models import Change, Event
from fieldnotes.privacy.replacing import Replacer
from fieldnotes.project.opening import Project

_CHUNK = 500
_SERVER_TABLES = ("documents", "speaker_turns", "codings", "memos", "cases", "attribute_values", "attributes",
                  "codes", "merge_conflicts", "pseudonyms", "events", "changes", "project")


@dataclass
class Redaction:
    events: int = 0
    changes: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"events": self.events, "changes": self.changes}


def _drop_original(image: dict[str, Any] | None) -> dict[str, Any] | None:
    if image is None or image.get("original") is None:
        return image
    return {**image, "original": None}


def redact_history(session: Session, rep: Replacer, *, drop_originals: bool = False) -> Redaction:
    """Replace originals in the event log (inside the caller's transaction).

    The register's own events keep their originals unless `drop_originals` (the key is being
    separated): until then the register holds them anyway, and its entries stay undoable.
    """
    done = Redaction()
    if not rep.active:
        return done
    last = 0
    while True:
        rows = session.execute(select(Event.seq, Event.table, Event.before, Event.after)
                               .where(Event.seq > last).order_by(Event.seq).limit(_CHUNK)).all()
        if not rows:
            break
        last = rows[-1].seq
        for seq, table, before, after in rows:
            if table == "pseudonyms":
                if not drop_originals:
                    continue
                new_before, new_after = _drop_original(before), _drop_original(after)
                new_before, new_after = rep.replace_in(new_before), rep.replace_in(new_after)
            else:
                new_before, new_after = rep.replace_in(before), rep.replace_in(after)
            if (new_before, new_after) != (before, after):
                session.execute(update(Event).where(Event.seq == seq)
                                .values(before=new_before, after=new_after, redacted=True))
                done.events += 1
    last = 0
    while True:
        changes = session.execute(select(Change.seq, Change.summary, Change.details)
                                  .where(Change.seq > last).order_by(Change.seq).limit(_CHUNK)).all()
        if not changes:
            break
        last = changes[-1].seq
        for seq, summary, details in changes:
            new_summary, new_details = rep(summary or ""), rep.replace_in(details)
            if (new_summary, new_details) != (summary or "", details):
                session.execute(update(Change).where(Change.seq == seq).values(summary=new_summary,
                                                                                details=new_details))
                done.changes += 1
    session.expire_all()
    return done


def rebuild_search_index(session: Session) -> bool:
    """Rebuild the SQLite full-text index from the current text, so no old words stay in its pages."""
    conn = session.connection()
    if conn.dialect.name != "sqlite" or not inspect(conn).has_table("search_index"):
        return False
    conn.exec_driver_sql("INSERT INTO search_index(search_index) VALUES('rebuild')")
    return True


def secure_delete(session: Session) -> None:
    """Overwrite freed content with zeros for the rest of this transaction's connection (SQLite)."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA secure_delete=ON")


def clear_freed_pages(project: Project) -> list[str]:
    """Rewrite the database so no freed page keeps old content; returns notices for the user."""
    notices: list[str] = []
    if project.is_sqlite:
        raw = project.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = cursor.fetchone()
            cursor.close()
        finally:
            raw.close()
        if busy and busy[0]:
            notices.append("another program has the project open, so its write-ahead log could not be emptied; "
                           "close it and run the command again")
        return notices
    with project.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in _SERVER_TABLES:
            conn.exec_driver_sql(f"VACUUM FULL {table}")
    notices.append("on a server, old row versions are gone from the tables, but the server's own write-ahead "
                   "log archive and backups may still hold originals: ask its administrator")
    return notices


def backups_holding_originals(project: Project) -> list[Path]:
    """fieldnotes' own copies of the project made before now: automatic backups and restore leftovers."""
    if project.path is None:  # a server: the SQLite copies taken before merges and upgrades
        from fieldnotes.project.backup import server_backups

        return server_backups(project.target)
    from fieldnotes.project.backup import list_backups

    path = project.path
    asides = sorted(path.parent.glob(f"{path.stem}.before-restore-*{path.suffix}"))
    return list_backups(path) + asides


def delete_backups(paths: list[Path]) -> list[Path]:
    deleted = []
    for path in paths:
        for companion in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            try:
                companion.unlink()
            except FileNotFoundError:
                continue
            if companion == path:
                deleted.append(path)
    return deleted


_delete = delete_backups  # `tidy_up`'s flag has the same name


@dataclass
class Afterwards:
    """What is left to tidy once originals left the database: notices for the user (freed pages that
    could not be cleared), fieldnotes' own backups that hold originals, and those deleted on request."""

    notices: list[str] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)  # found, deleted ones included
    deleted: list[Path] = field(default_factory=list)

    @property
    def kept(self) -> list[Path]:
        return [p for p in self.backups if p not in self.deleted]


def tidy_up(project: Project, *, delete_backups: bool = False) -> Afterwards:
    """After a redaction: clear the freed pages, then find (and, if asked, delete) the backups that still
    hold originals."""
    notices = clear_freed_pages(project)
    backups = backups_holding_originals(project)
    deleted = _delete(backups) if backups and delete_backups else []
    return Afterwards(notices, backups, deleted)
