"""Where fieldnotes keeps things on disk.

One place decides every path, each overridable by an environment variable, so tests and users can
move them (`fieldnotes locate` prints them). Nothing here creates folders until asked.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "fieldnotes"

#: environment variables that override the defaults
ENV_DB = "FIELDNOTES_DB"
ENV_HOME = "FIELDNOTES_HOME"  # one folder for data, settings and logs (tests use this)
ENV_DATA = "FIELDNOTES_DATA_DIR"
ENV_CONFIG = "FIELDNOTES_CONFIG_DIR"
ENV_LOG = "FIELDNOTES_LOG_DIR"
ENV_BACKUP = "FIELDNOTES_BACKUP_DIR"

DEFAULT_PROJECT_FILE = "fieldnotes.db"


def _platform_dir(kind: str) -> Path:
    import platformdirs

    if kind == "data":
        return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    if kind == "config":
        return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def _dir(env: str, kind: str, sub: str) -> Path:
    explicit = os.environ.get(env)
    if explicit:
        return Path(explicit).expanduser()
    home = os.environ.get(ENV_HOME)
    if home:
        return Path(home).expanduser() / sub
    return _platform_dir(kind)


def data_dir() -> Path:
    return _dir(ENV_DATA, "data", "data")


def config_dir() -> Path:
    return _dir(ENV_CONFIG, "config", "config")


def log_dir() -> Path:
    return _dir(ENV_LOG, "log", "logs")


def backup_dir() -> Path:
    explicit = os.environ.get(ENV_BACKUP)
    if explicit:
        return Path(explicit).expanduser()
    return data_dir() / "backups"


def recovery_dir() -> Path:
    """Where text typed in an editor is kept when it could not be saved (`fieldnotes new`, `edit`)."""
    return data_dir() / "recovered"


def log_file() -> Path:
    return log_dir() / "fieldnotes.log"


def demo_project() -> Path:
    return data_dir() / "demo.fieldnotes.db"


def default_project() -> str:
    """The project named by `FIELDNOTES_DB`, else `fieldnotes.db` in the current folder."""
    return os.environ.get(ENV_DB) or DEFAULT_PROJECT_FILE


def ensure_private_dir(path: Path) -> Path:
    """Create a folder readable by the owner only (on POSIX)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
