"""Consistent copies of a project.

SQLite files are copied with the online backup API, so a backup is consistent even while the app
or another command is writing. Every copy is checked (`PRAGMA integrity_check`) before it counts,
and is readable by the owner only. Automatic backups rotate; `KEEP` of them are kept per project.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path

from fieldnotes import clock, paths
from fieldnotes.errors import FieldnotesError, Refused
from fieldnotes.translations import N_, _

KEEP = 10


def _stem(path: Path) -> str:
    """The backup name prefix of a project: its file stem plus a short hash of where it lives."""
    import hashlib

    readable = re.sub(r"[^\w-]+", "_", path.stem, flags=re.UNICODE) or "project"
    where = hashlib.sha256(str(path.expanduser().resolve()).encode("utf-8")).hexdigest()[:8]
    return f"{readable}-{where}"


def verify(path: Path) -> None:
    from fieldnotes.privacy import encryption

    if encryption.is_encrypted(path):
        result: tuple[str] | None = (encryption.integrity(path),)
    else:
        with closing(sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()
    if not result or result[0] != "ok":
        raise FieldnotesError(_("the backup {path} failed its integrity check: {result}")
                              .format(path=path, result=result))


def copy_sqlite(source: Path, destination: Path) -> Path:
    """Copy a SQLite project to `destination` (which must not exist), consistently, then verify it.

    A copy of an encrypted project is encrypted with the same passphrase (SQLCipher's export).
    """
    from fieldnotes.privacy import encryption

    if destination.exists():
        raise FieldnotesError(_("{destination} already exists")
                              .format(destination=destination), hint=_("choose another file name"))
    partial = destination.with_name(destination.name + ".partial")
    with suppress(FileNotFoundError):
        partial.unlink()
    fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        if encryption.is_encrypted(source):
            encryption.copy(source, partial, destination)
        else:
            with closing(sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)) as src, closing(
                sqlite3.connect(partial)
            ) as dst:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")
        verify(partial)
        os.replace(partial, destination)
    except BaseException:
        with suppress(FileNotFoundError):
            partial.unlink()
        raise
    return destination


def backup_sqlite(path: Path, *, reason: str = "manual") -> Path:
    """An automatic backup into the backup folder, rotated to the newest `KEEP` per project."""
    folder = paths.ensure_private_dir(paths.backup_dir())
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
    target = folder / f"{_stem(path)}.{stamp}.{reason}.db"
    copy_sqlite(path, target)
    rotate(path)
    return target


def list_backups(path: Path) -> list[Path]:
    folder = paths.backup_dir()
    if not folder.exists():
        return []
    prefix = _stem(path) + "."
    return sorted(p for p in folder.glob("*.db") if p.name.startswith(prefix))


def rotate(path: Path, keep: int = KEEP) -> None:
    for old in list_backups(path)[:-keep]:
        with suppress(FileNotFoundError):
            old.unlink()


def daily_backup_if_due(path: Path) -> Path | None:
    """The first open of a day backs the project up (rotated like every automatic backup)."""
    today = clock.now().strftime("%Y%m%d")
    if any(b.name.split(".")[1].startswith(today) for b in list_backups(path) if b.name.count(".") >= 3):
        return None
    return backup_sqlite(path, reason="daily")


#: how long restore waits for a command that is just finishing before it calls the project busy (seconds)
RESTORE_WAIT = 2.0
OPEN_ELSEWHERE_HINT = N_("close the app and other fieldnotes commands on this project first")


def _busy(error: Exception) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


@contextmanager
def _held_alone(project: Path) -> Iterator[None]:
    """Hold the project with an exclusive lock, its write-ahead log folded into the file and emptied.

    SQLite keeps a shared lock on a WAL-mode file for as long as any connection has it open (the app
    holds one all the time), so the exclusive lock is only granted when nobody else has the project
    open: otherwise this refuses, and nothing is moved. The checkpoint's answer is checked: a
    checkpoint that could not copy every frame of the log into the file refuses too.
    """
    from fieldnotes.privacy import encryption

    refusal = Refused(_("{name} is open elsewhere, so it cannot be replaced now; nothing was restored")
                      .format(name=project.name),
                      hint=_(OPEN_ELSEWHERE_HINT))
    if encryption.is_encrypted(project):
        try:
            conn = encryption.connect(project, exclusive=True, timeout=RESTORE_WAIT)
        except encryption.Busy:
            raise refusal from None
    else:
        conn = sqlite3.connect(project, timeout=RESTORE_WAIT, isolation_level=None)
        try:
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")  # the first read below takes the lock, and keeps it
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute("COMMIT")
        except sqlite3.OperationalError as error:
            conn.close()
            if _busy(error):
                raise refusal from None
            raise
    try:
        busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        wal = Path(str(project) + "-wal")
        left = wal.stat().st_size if wal.exists() else 0
        if busy or frames != copied or left:
            raise Refused(_("the write-ahead log of {name} could not be folded into the file ({copied} of {frames} "
                            "frames); nothing was restored").format(name=project.name, copied=copied,
                                                                    frames=frames), hint=_(OPEN_ELSEWHERE_HINT))
        yield
    finally:
        conn.close()


def restore(project: Path, backup: Path) -> Path:
    """Put a backup in the project's place; the current file is kept aside. Returns where it went.

    Refused while anyone else has the project open (the app, another command): their view of the
    file, and anything they are about to write, would be lost with it. The project's write-ahead log
    is emptied into the file first, so the file kept aside holds every committed change; a log that
    still holds frames is never deleted.
    """
    from fieldnotes.project.opening import _inspect_sqlite

    _inspect_sqlite(backup)  # refuses anything that is not a readable fieldnotes project
    verify(backup)
    aside = project.with_name(f"{project.stem}.before-restore-{clock.now().strftime('%Y%m%dT%H%M%S')}{project.suffix}")
    if not project.exists():
        copy_sqlite(backup, project)
        return aside
    partial = project.with_name(project.name + ".restoring")
    with suppress(FileNotFoundError):
        partial.unlink()
    try:
        with _held_alone(project):
            copy_sqlite(backup, partial)
            os.replace(project, aside)  # the lock goes with the file; the log is empty (checked above)
            for suffix in ("-wal", "-shm"):
                companion = Path(str(project) + suffix)
                if suffix == "-wal" and companion.exists() and companion.stat().st_size:
                    os.replace(companion, Path(str(aside) + suffix))  # a log with frames stays with its file
                    continue
                with suppress(FileNotFoundError):
                    companion.unlink()
        os.replace(partial, project)
    except BaseException:
        if aside.exists() and not project.exists():
            os.replace(aside, project)
        with suppress(FileNotFoundError):
            partial.unlink()
        raise
    return aside


def server_to_sqlite(url: str, out: Path) -> Path:
    """A consistent SQLite copy of a server project (one read transaction), verified.

    The copy is made at the server's own schema revision, so an out-of-date server can be backed
    up before `fieldnotes db upgrade`; opening the copy later upgrades it like any older file.
    """
    from sqlalchemy import inspect, select

    from fieldnotes.db import migrate
    from fieldnotes.db.backends import display_target, engine_for, sqlite_engine
    from fieldnotes.db.models import TRACKED_TABLES, Change, Event
    from fieldnotes.project.opening import _remove_sqlite

    if out.exists():
        raise FieldnotesError(_("{out} already exists").format(out=out), hint=_("choose another file name"))
    if not out.parent.is_dir():
        raise FieldnotesError(_("the folder {parent} does not exist")
                              .format(parent=out.parent), hint=_("create it first"))
    source = engine_for(url)
    target = None
    created = False
    try:
        tables = [m.__table__ for m in TRACKED_TABLES] + [  # type: ignore[attr-defined]
            Change.__table__, Event.__table__]
        with source.connect() as reading:
            if source.dialect.name == "postgresql":
                reading.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            revision = migrate.current(reading)
            if revision is None or revision not in migrate.known_revisions():
                raise FieldnotesError(
                    _("{target} is not a fieldnotes project this version can read (schema "
                      "{revision})").format(target=display_target(url),
                                            revision=revision or 'none'), hint=_("the database was left untouched"))
            present = inspect(reading)
            columns: dict[str, list[str]] = {}
            for table in tables:
                if not present.has_table(table.name):
                    continue  # added by a later revision than the server's
                names = [c["name"] for c in present.get_columns(table.name)]
                unknown = sorted(set(names) - set(table.c.keys()))
                if unknown:
                    raise FieldnotesError(
                        _("{value} has columns this version does not know ({name}: "
                          "{unknown})").format(value=display_target(url), name=table.name, unknown=', '.join(unknown)),
                        hint=_("back the server up with pg_dump instead"))
                columns[table.name] = names
            fd = os.open(out, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
            created = True
            target = sqlite_engine(out)
            migrate.upgrade(target, revision)
            with target.connect() as writing:
                writing.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
                with writing.begin():
                    for table in tables:
                        if table.name not in columns:
                            continue
                        chosen = [table.c[name] for name in columns[table.name]]
                        rows = [dict(r._mapping) for r in reading.execute(select(*chosen))]
                        for start in range(0, len(rows), 1000):
                            writing.execute(table.insert(), rows[start : start + 1000])
                    broken = writing.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise FieldnotesError(_("the copy has {n_broken} broken references; it was not kept")
                                              .format(n_broken=len(broken)))
        target.dispose()
        target = None
        verify(out)
    except BaseException:
        if target is not None:
            target.dispose()
        if created:
            _remove_sqlite(out)
        raise
    finally:
        source.dispose()
    return out


def server_backup_stem(url: str) -> str:
    """How the automatic backups of one server project are named (the database and a hash of where it is)."""
    import hashlib

    from sqlalchemy import make_url

    address = make_url(url).set(password=None)
    readable = re.sub(r"[^\w-]+", "_", address.database or "server", flags=re.UNICODE)
    where = hashlib.sha256(address.render_as_string(hide_password=True).encode("utf-8")).hexdigest()[:8]
    return f"{readable}-{where}"


def server_backups(url: str) -> list[Path]:
    """The automatic SQLite backups of a server project, oldest first."""
    folder = paths.backup_dir()
    return sorted(folder.glob(f"{server_backup_stem(url)}.*.db")) if folder.exists() else []


def backup_server(url: str, *, reason: str) -> Path:
    """An automatic SQLite backup of a server project into the backup folder, rotated like a file's."""
    folder = paths.ensure_private_dir(paths.backup_dir())
    stem = server_backup_stem(url)
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
    target = server_to_sqlite(url, folder / f"{stem}.{stamp}.{reason}.db")
    for old in server_backups(url)[:-KEEP]:
        with suppress(FileNotFoundError):
            old.unlink()
    return target
