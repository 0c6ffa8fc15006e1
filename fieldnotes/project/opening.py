"""Opening and creating projects.

A project is a SQLite file or a PostgreSQL database. Opening checks, without changing anything,
that the target really is a fieldnotes project at a schema this version knows; only then is a SQLite
file backed up and upgraded. Only `init` and `demo` create projects.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, inspect, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from fieldnotes import paths
from fieldnotes.coding import boundaries
from fieldnotes.db import history, migrate
from fieldnotes.db.backends import display_target, engine_for, is_url, looks_like_sqlite, writing
from fieldnotes.db.models import ProjectSettings
from fieldnotes.errors import (
    FieldnotesError,
    NotAProject,
    ProjectMissing,
    SchemaOutOfDate,
    SchemaTooNew,
)
from fieldnotes.translations import N_, _

if boundaries.refresh not in history.DOCUMENT_LISTENERS:  # every change keeps the documents' boundaries in step
    history.DOCUMENT_LISTENERS.append(boundaries.refresh)


@dataclass
class Project:
    """An open project: its engine and session factories. Close it when done."""

    target: str
    engine: Engine
    readonly: bool = False
    notices: list[str] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(writing(self.engine), expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def path(self) -> Path | None:
        return None if is_url(self.target) else Path(self.target)

    @property
    def display(self) -> str:
        return display_target(self.target)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed."""
        with self._read() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A short write transaction, committed when the block ends without error."""
        if self.readonly:
            raise FieldnotesError(
                _("{display} is open read-only").format(display=self.display), hint=_("copy it somewhere writable to "
                                                                                      "change it")
            )
        with self._write() as session, session.begin():
            yield session

    def settings(self, session: Session) -> ProjectSettings:
        row = session.scalars(select(ProjectSettings)).first()
        if row is None:
            raise NotAProject(_("{display} has no project settings; it is damaged").format(display=self.display))
        return row

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _missing(target: str) -> ProjectMissing:
    return ProjectMissing(
        _("no project at {value}").format(value=display_target(target)),
        hint=_("create one with `fieldnotes init` (or try the demo: `fieldnotes demo`)"),
    )


def _inspect_sqlite(path: Path) -> str | None:
    """The schema revision of a SQLite project, read without changing the file."""
    if not path.exists():
        raise _missing(str(path))
    if path.is_dir():
        raise NotAProject(_("{path} is a folder, not a fieldnotes project file").format(path=path))
    from fieldnotes.privacy import encryption

    encrypted = encryption.is_encrypted(path)
    if not encrypted and not looks_like_sqlite(path):
        raise NotAProject(_("{path} is not a fieldnotes project (it is not a SQLite database)").format(path=path))
    probe = engine_for(str(path), readonly=True) if encrypted else _probe(path)
    try:
        with probe.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            if "project" not in tables or "alembic_version" not in tables:
                raise NotAProject(_("{path} is a SQLite database, but not a fieldnotes project").format(path=path))
            return migrate.current(conn)
    except sa_exc.DatabaseError as error:
        if encrypted:
            encryption.forget(path)
            raise encryption.wrong_passphrase(path) from None
        reason = str(getattr(error, "orig", error)).splitlines()[0]
        raise NotAProject(_("{path} cannot be read as a fieldnotes project ({reason})")
                          .format(path=path, reason=reason),
                          hint=_(DAMAGED_HINT)) from None
    finally:
        probe.dispose()


DAMAGED_HINT = N_("if it is a damaged project, list its backups with `fieldnotes restore` "
                "and put one back with `fieldnotes restore N`")


def _probe(path: Path) -> Engine:
    """A read-only engine that creates nothing beside the file.

    Without a `-wal` file next to it the file is opened immutable: SQLite then writes no `-wal` or
    `-shm` even for a WAL-mode file, so a refused file is left exactly as it was found. Where a
    `-wal` exists (the project is open elsewhere, or was not closed) it must be read to see the
    latest state, so the file is opened read-only in the ordinary way.
    """
    import sqlite3

    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    live = Path(str(path) + "-wal").exists()
    uri = path.resolve().as_uri() + ("?mode=ro" if live else "?mode=ro&immutable=1")

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    return create_engine("sqlite://", creator=connect, poolclass=NullPool, hide_parameters=True)


def _check_revision(target: str, revision: str | None) -> None:
    if revision is not None and revision not in migrate.known_revisions():
        raise SchemaTooNew(
            _("{value} was written by a newer fieldnotes (schema {revision})").format(value=display_target(target),
                    revision=revision),
            hint=_("upgrade fieldnotes to open it; the database was left untouched") if is_url(target) else
            _("upgrade fieldnotes to open it; the file was left untouched"),
        )


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def open_project(target: str | None = None, *, readonly: bool = False) -> Project:
    """Open an existing project, upgrading a SQLite file after backing it up."""
    target = target or paths.default_project()
    if is_url(target):
        return _open_server(target)
    path = Path(target).expanduser()
    revision = _inspect_sqlite(path)
    _check_revision(str(path), revision)
    notices: list[str] = []
    writable = _writable(path)
    if not readonly and not writable:
        readonly = True
        notices.append(f"{path} is read-only here, so the project is open read-only")
    head = migrate.head()
    backups: list[Path] = []
    if revision != head:  # upgraded even when only reading is asked for: the file itself must be current
        if not writable:
            raise FieldnotesError(
                _("{path} needs a schema upgrade, but it is read-only").format(path=path),
                hint=_("copy it somewhere writable and open the copy"),
            )
        from fieldnotes.project.backup import backup_sqlite

        backups.append(backup_sqlite(path, reason=f"before-upgrade-{revision}"))
        engine = engine_for(str(path))
        try:
            migrate.upgrade(engine)
        except Exception as error:
            engine.dispose()
            if isinstance(error, FieldnotesError):
                raise
            from fieldnotes.logs import log_exception

            log_exception(error)
            raise FieldnotesError(
                _("upgrading {name} to this version's schema failed and was rolled back; the file is unchanged and a "
                  "backup is at {item}").format(name=path.name, item=backups[0]),
                hint=_("please report this (details are in the log `fieldnotes locate` shows)"),
            ) from None
        notices.append(f"upgraded the project to this version's schema; the previous file was backed up first "
                       f"({backups[0].name}, see `fieldnotes restore`)")
        try:
            from fieldnotes.export.pseudonyms import take_notices

            notices += take_notices(engine)  # what the upgrade changed for the user, said once
        finally:
            engine.dispose()
    if not readonly and not backups:
        from fieldnotes.project.backup import daily_backup_if_due

        try:
            daily = daily_backup_if_due(path)
        except (OSError, FieldnotesError) as error:
            notices.append(f"the daily backup could not be made ({error})")
            daily = None
        if daily is not None:
            backups.append(daily)
    engine = engine_for(str(path), readonly=readonly)
    return Project(str(path), engine, readonly=readonly, notices=notices, backups=backups)


def _open_server(url: str) -> Project:
    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            revision = migrate.current(conn)
            has_project = inspect(conn).has_table("project")
    except sa_exc.OperationalError as error:
        engine.dispose()
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        raise FieldnotesError(_("cannot connect to {value}: {reason}")
                              .format(value=display_target(url), reason=reason)) from None
    if revision is None or not has_project:
        engine.dispose()
        raise _missing(url)
    _check_revision(url, revision)
    if revision != migrate.head():
        engine.dispose()
        raise SchemaOutOfDate(
            _("{value} has an older schema ({revision})").format(value=display_target(url), revision=revision),
            hint=_("run `fieldnotes db upgrade --db {value}` first (it backs the database up, then upgrades it); "
                   "nothing was changed").format(value=display_target(url)),
        )
    return Project(url, engine)


def server_is_empty(url: str) -> bool:
    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            return not inspect(conn).get_table_names()
    except sa_exc.OperationalError as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        raise FieldnotesError(_("cannot connect to {value}: {reason}")
                              .format(value=display_target(url), reason=reason)) from None
    finally:
        engine.dispose()


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with suppress(FileNotFoundError):
            Path(str(path) + suffix).unlink()


def create_empty(target: str, *, encrypt: bool = False) -> Project:
    """Create a project at the schema's head with no settings row yet (callers fill it in).

    Raises if something is already there. On failure nothing is left behind. `encrypt` makes an
    SQLCipher file (fieldnotes.privacy.encryption), with the passphrase typed or from the environment.
    """
    if encrypt and is_url(target):
        raise FieldnotesError(_("--encrypt works on project files"),
                              hint=_("a server database is protected by the server; leave out --encrypt"))
    if is_url(target):
        if not server_is_empty(target):
            raise FieldnotesError(
                _("{value} already holds tables").format(value=display_target(target)),
                hint=_("give an empty database to `fieldnotes init`"),
            )
        engine = engine_for(target)
        migrate.upgrade(engine)
        return Project(target, engine)
    path = Path(target).expanduser()
    if path.exists():
        raise FieldnotesError(
            _("{path} already exists").format(path=path), hint=_("choose another file name, or move the existing file "
                                                                 "away")
        )
    if not path.parent.exists():
        raise FieldnotesError(_("the folder {parent} does not exist")
                              .format(parent=path.parent), hint=_("create it first"))
    passphrase = None
    if encrypt:
        from fieldnotes.privacy import encryption

        encryption.check_available()
        passphrase = encryption.passphrase_for(path, new=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        engine = engine_for(str(path), passphrase=passphrase)
        migrate.upgrade(engine)
    except BaseException:
        with suppress(Exception):
            engine.dispose()
        _remove_sqlite(path)
        raise
    return Project(str(path), engine)


def discard(project: Project) -> None:
    """Remove a project that failed while being created (SQLite only; a server is dropped to empty)."""
    project.close()
    if project.path is not None:
        _remove_sqlite(project.path)
    else:
        engine = engine_for(project.target)
        try:
            migrate.downgrade(engine, "base")
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        finally:
            engine.dispose()


def phase_dates(phase: int, start: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of a phase (`phase_of` gives it for every day in between)."""

    def first_day(n: int) -> dt.date:
        months = start.month - 1 + (n - 1) * 6
        year, month = start.year + months // 12, months % 12 + 1
        last = calendar.monthrange(year, month)[1]
        if start.day <= last:
            return dt.date(year, month, start.day)
        return dt.date(year, month, last) + dt.timedelta(days=1)  # no such day: the phase begins after

    return first_day(phase), first_day(phase + 1) - dt.timedelta(days=1)


def phase_of(date: dt.date | None, start: dt.date | None) -> int | None:
    """Half-years since the fieldwork start, 1-based; None before the start or without dates."""
    if date is None or start is None or date < start:
        return None
    months = (date.year - start.year) * 12 + (date.month - start.month)
    if date.day < start.day:
        months -= 1
    return months // 6 + 1
