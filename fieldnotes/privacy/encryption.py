"""Encryption at rest: SQLCipher project files, their passphrase, and encrypted copies.

An encrypted project is an ordinary fieldnotes SQLite project written through SQLCipher (the
`sqlcipher3` wheel, SQLAlchemy's `sqlite+pysqlcipher` dialect). Every page is encrypted, including
the write-ahead log; temporary tables and sorts are kept in memory, so no page of project data reaches
the disk unencrypted. A plain SQLite file starts with "SQLite format 3\\0"; an encrypted one starts
with its random salt, which is how it is recognised.

The passphrase is typed without echo, or read from FIELDNOTES_PASSPHRASE for scripts. It is kept in
memory for the rest of the process (one command opens a project several times) and never written or
logged. The encryption is optional: `pip install 'fieldnotes[encryption]'`.
"""

from __future__ import annotations

import getpass
import os
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

from fieldnotes.errors import FieldnotesError, InvalidInput
from fieldnotes.translations import _

ENV_PASSPHRASE = "FIELDNOTES_PASSPHRASE"
SQLITE_MAGIC = b"SQLite format 3\x00"
#: SQLCipher pages are 4096 bytes (4.x default); any file of whole pages may be one
_PAGE = 512

_remembered: dict[str, str] = {}
_quiet = False


class WrongPassphrase(FieldnotesError):
    """An encrypted project that the given passphrase does not open."""


class Busy(FieldnotesError):
    """An encrypted project that another connection has open, asked for with `exclusive=True`."""


def _key(path: Path) -> str:
    return str(Path(path).expanduser().resolve())


def is_encrypted(path: Path) -> bool:
    """A file that is whole database pages but does not start like plain SQLite: an SQLCipher project.

    Text files and other junk are not whole pages, so they are still reported as "not a database".
    """
    try:
        size = path.stat().st_size
        if size < 1024 or size % _PAGE:
            return False
        with path.open("rb") as handle:
            return handle.read(16) != SQLITE_MAGIC
    except OSError:
        return False


def available() -> bool:
    try:
        import sqlcipher3  # noqa: F401
    except ImportError:
        return False
    return True


def _module() -> Any:
    global _quiet
    try:
        import sqlcipher3
    except ImportError:
        raise FieldnotesError(_("encrypted projects need SQLCipher, which is not installed"),
                              hint=_("install it with: pip install 'fieldnotes[encryption]'")) from None
    if not _quiet:
        # SQLCipher prints decryption failures to stderr; a wrong passphrase gets our one-line message instead
        with closing(sqlcipher3.connect(":memory:")) as conn:
            conn.execute("PRAGMA cipher_log_level = NONE")
        _quiet = True
    return sqlcipher3


def check_available() -> None:
    _module()


def remember(path: Path, passphrase: str) -> None:
    _remembered[_key(path)] = passphrase


def forget(path: Path) -> None:
    _remembered.pop(_key(path), None)


def remembered(path: Path) -> str | None:
    """The passphrase this process already opened the file with, if any."""
    return _remembered.get(_key(path))


def _ask(prompt: str) -> str:
    return getpass.getpass(prompt)


def ask(prompt: str) -> str | None:
    """A passphrase typed without echo, or None when there is no terminal to type it in."""
    return _ask(prompt) if sys.stdin.isatty() else None


def passphrase_for(path: Path, *, new: bool = False) -> str:
    """The passphrase of an encrypted project: remembered, from FIELDNOTES_PASSPHRASE, or typed.

    For a new project a typed passphrase is asked twice.
    """
    known = _remembered.get(_key(path))
    if known is not None:
        return known
    phrase = os.environ.get(ENV_PASSPHRASE)
    if phrase is None:
        if not sys.stdin.isatty():
            what = "will be encrypted" if new else "is encrypted"
            raise FieldnotesError(_("{name} {what} and no passphrase was given").format(name=path.name, what=what),
                                  hint=_("type it in a terminal, or set {ENV_PASSPHRASE} for "
                                         "scripts").format(ENV_PASSPHRASE=ENV_PASSPHRASE))
        phrase = _ask(f"passphrase for {path.name}: ")
        if new and _ask("the same passphrase again: ") != phrase:
            raise InvalidInput(_("the two passphrases differ; nothing was created"))
    if not phrase:
        raise InvalidInput(_("an empty passphrase encrypts nothing"), hint=_("choose a passphrase"))
    remember(path, phrase)
    return phrase


def url_for(path: Path, passphrase: str, *, readonly: bool = False) -> Any:
    """The SQLAlchemy URL of an encrypted file (the password part is the passphrase; SQLAlchemy masks it)."""
    from sqlalchemy import URL

    _module()
    if readonly:
        return URL.create("sqlite+pysqlcipher", password=passphrase, database=f"file:{Path(path).resolve()}",
                          query={"mode": "ro", "uri": "true"})
    return URL.create("sqlite+pysqlcipher", password=passphrase, database=str(path))


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def connect(path: Path, *, readonly: bool = False, passphrase: str | None = None, exclusive: bool = False,
            timeout: float = 5.0) -> Any:
    """A DB-API connection to an encrypted file, keyed and checked (raises WrongPassphrase).

    `exclusive=True` holds the file alone until the connection closes (SQLite's exclusive locking mode),
    and raises Busy when another connection has it open.
    """
    module = _module()
    phrase = passphrase if passphrase is not None else passphrase_for(path)
    if readonly:
        conn = module.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True, timeout=timeout)
    else:
        conn = module.connect(str(path), timeout=timeout, isolation_level=None if exclusive else "")
    try:
        conn.execute(f"PRAGMA key = {_quote(phrase)}")
        conn.execute("PRAGMA temp_store = MEMORY")
        if exclusive:
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")  # set before the first read, which takes the lock
            conn.execute("BEGIN EXCLUSIVE")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if exclusive:
            conn.execute("COMMIT")
    except module.OperationalError as error:
        conn.close()
        text = str(error).lower()
        if exclusive and ("locked" in text or "busy" in text):
            raise Busy(_("{name} is open elsewhere").format(name=path.name)) from None
        forget(path)
        raise wrong_passphrase(path) from None
    except module.DatabaseError:
        conn.close()
        forget(path)
        raise wrong_passphrase(path) from None
    return conn


def wrong_passphrase(path: Path) -> WrongPassphrase:
    return WrongPassphrase(_("cannot open {name}: the passphrase is wrong (or the file is damaged)")
                           .format(name=path.name),
                           hint=_("type it again, or check {ENV_PASSPHRASE}").format(ENV_PASSPHRASE=ENV_PASSPHRASE))


def copy(source: Path, partial: Path, final: Path | None = None) -> None:
    """Write an encrypted copy of `source` into the (empty, existing) file `partial`, with the same key.

    `final` is where the copy will be moved; its passphrase is remembered for this process.

    `sqlcipher_export` copies inside one read transaction, so the copy is consistent while others write.
    """
    phrase = passphrase_for(source)
    with closing(connect(source, readonly=True, passphrase=phrase)) as src:
        src.execute(f"ATTACH DATABASE {_quote(str(partial))} AS copy KEY {_quote(phrase)}")
        src.execute("SELECT sqlcipher_export('copy')")
        src.execute("DETACH DATABASE copy")
    for path in (partial, final):
        if path is not None:
            remember(path, phrase)


def integrity(path: Path) -> str:
    with closing(connect(path, readonly=True)) as conn:
        row = conn.execute("PRAGMA integrity_check").fetchone()
    return str(row[0]) if row else "no answer"
