"""Consistent copies of a project.

SQLite files are copied with the online backup API, so a backup is consistent even while the app
or another command is writing. Every copy is checked (`PRAGMA integrity_check`) before it counts,
and is readable by the owner only. Automatic backups rotate; `KEEP` of them are kept per project.
"""

from __future__ import annotations

import os
import re
import sqlite3
from contextlib import closing, suppress
from pathlib import Path

from fieldnotes import clock, paths
from fieldnotes.errors import FieldnotesError

KEEP = 10


def _stem(path: Path) -> str:
    return re.sub(r"[^\w.-]+", "_", path.stem, flags=re.UNICODE) or "project"


def verify(path: Path) -> None:
    with closing(sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)) as conn:
        result = conn.execute("PRAGMA integrity_check").fetchone()
    if not result or result[0] != "ok":
        raise FieldnotesError(f"the backup {path} failed its integrity check: {result}")


def copy_sqlite(source: Path, destination: Path) -> Path:
    """Copy a SQLite project to `destination` (which must not exist), consistently, then verify it."""
    if destination.exists():
        raise FieldnotesError(f"{destination} already exists", hint="choose another file name")
    partial = destination.with_name(destination.name + ".partial")
    with suppress(FileNotFoundError):
        partial.unlink()
    fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
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
