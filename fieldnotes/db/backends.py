"""Engines for a project: a local SQLite file or a shared PostgreSQL server.

Nothing is created at import time; callers ask for an engine for a target and pass session
factories down. SQLite runs with WAL, foreign keys on and a busy timeout; transactions that write
start with `BEGIN IMMEDIATE`, so two writers queue on the busy timeout instead of failing with
"database is locked" halfway through.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.pool import NullPool

from fieldnotes.translations import _

BUSY_TIMEOUT_MS = 30_000
SQLITE_MAGIC = b"SQLite format 3\x00"


def is_url(target: str) -> bool:
    return "://" in target


def display_target(target: str) -> str:
    """A target fit for messages and logs: server passwords are never shown."""
    if is_url(target):
        try:
            return make_url(target).render_as_string(hide_password=True)
        except Exception:
            return "<unreadable database URL>"
    return target


def _holds_nul(parameters: Any) -> bool:
    if isinstance(parameters, str):
        return "\x00" in parameters
    if isinstance(parameters, dict):
        return any(_holds_nul(value) for value in parameters.values())
    if isinstance(parameters, (list, tuple)):
        return any(_holds_nul(value) for value in parameters)
    return False


def refuse_nul(engine: Engine) -> None:
    """Refuse, on every backend alike, a statement whose values hold a NUL character.

    PostgreSQL cannot store or even compare text holding NUL (it fails with a DataError); SQLite can. So
    that a project behaves the same on both, neither is sent one: names and metadata with NUL are refused
    at input (fieldnotes.db.validation), and this catches whatever else would carry one (a document looked up
    by a title holding NUL, text pasted into the app)."""

    @event.listens_for(engine, "before_cursor_execute")
    def _check(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if _holds_nul(parameters):
            from fieldnotes.errors import InvalidInput

            raise InvalidInput(_("a value holds a NUL character (U+0000), which a project cannot hold; nothing was "
                                 "changed"), hint=_("remove it and try again"))


def looks_like_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def _sqlite_pragmas(dbapi_conn: Any, readonly: bool, encrypted: bool = False) -> None:
    dbapi_conn.isolation_level = None  # fieldnotes emits BEGIN itself (see _begin)
    cursor = dbapi_conn.cursor()
    if encrypted:
        cursor.execute("PRAGMA temp_store=MEMORY")  # no unencrypted temporary files
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    if not readonly:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def sqlite_engine(path: Path, *, readonly: bool = False, passphrase: str | None = None) -> Engine:
    """An engine on a SQLite file. Read-only engines cannot change the file in any way.

    With a passphrase the file is an SQLCipher one (fieldnotes.privacy.encryption).
    """
    path = Path(path)
    if passphrase is not None:
        from sqlalchemy.pool import QueuePool

        from fieldnotes.privacy.encryption import url_for

        engine = create_engine(url_for(path, passphrase, readonly=readonly), poolclass=QueuePool,
                               connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
                               hide_parameters=True)
    elif readonly:
        uri = path.resolve().as_uri() + "?mode=ro"

        def connect() -> sqlite3.Connection:
            return sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)

        engine = create_engine("sqlite://", creator=connect, poolclass=NullPool, hide_parameters=True)
    else:
        url = URL.create("sqlite", database=str(path))
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            hide_parameters=True,
        )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        _sqlite_pragmas(dbapi_conn, readonly, passphrase is not None)

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    refuse_nul(engine)
    return engine


#: the server's driver, and how to install it (the `postgres` extra of pyproject.toml)
SERVER_EXTRA = "pip install 'fieldnotes[postgres]'"


def server_engine(url: str) -> Engine:
    """An engine on a PostgreSQL server. Its driver (psycopg) is optional: without it, say how to get it."""
    from fieldnotes.errors import FieldnotesError

    try:
        parsed = make_url(url)
    except Exception:
        raise FieldnotesError(_("{display_target} is not a database address fieldnotes can read")
                              .format(display_target=display_target(url)),
                              hint=_("write it as postgresql+psycopg://USER@HOST/DATABASE")) from None
    if parsed.get_backend_name() != "postgresql":
        raise FieldnotesError(_("fieldnotes works with SQLite files and PostgreSQL servers, not {backend}")
                              .format(backend=parsed.get_backend_name()), hint=_("write it as postgresql+psycopg://USER@HOST/DATABASE"))
    try:
        engine = create_engine(url, hide_parameters=True, pool_pre_ping=True)
        refuse_nul(engine)
        return engine
    except ModuleNotFoundError as error:
        missing = (error.name or "").split(".")[0]
        if missing not in ("psycopg", "psycopg2", "pg8000", "asyncpg"):
            raise
        driver = "psycopg" if missing == "psycopg" else f"{missing} (fieldnotes uses psycopg)"
        raise FieldnotesError(_("the PostgreSQL driver {driver} is not installed").format(driver=driver),
                              hint=_("install the server extra: {SERVER_EXTRA}, and write the address as "
                                     "postgresql+psycopg://…")
                                   .format(SERVER_EXTRA=SERVER_EXTRA)) from None


def engine_for(target: str, *, readonly: bool = False, passphrase: str | None = None) -> Engine:
    """An engine on a server URL or a SQLite file; an encrypted file is opened with its passphrase."""
    if is_url(target):
        return server_engine(target)
    path = Path(target)
    if passphrase is None:
        from fieldnotes.privacy.encryption import is_encrypted, passphrase_for

        if is_encrypted(path):
            passphrase = passphrase_for(path)
    return sqlite_engine(path, readonly=readonly, passphrase=passphrase)


def writing(engine: Engine) -> Engine:
    """The same engine, with write transactions that take the write lock up front on SQLite."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine
