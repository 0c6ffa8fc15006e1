"""The diagnostic log.

It records what went wrong and where, never document text: messages are built from types, ids
and counts, and exception reports keep only the exception type and the stack of code locations.
"""

from __future__ import annotations

import logging
import os
import traceback
from pathlib import Path

from fieldnotes import paths

_configured = False


def logger() -> logging.Logger:
    global _configured
    log = logging.getLogger("fieldnotes")
    if not _configured:
        _configured = True
        try:
            folder = paths.ensure_private_dir(paths.log_dir())
            target = folder / "fieldnotes.log"
            if not target.exists():
                os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))
            handler: logging.Handler = logging.FileHandler(target, encoding="utf-8")
        except OSError:
            handler = logging.NullHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    return log


def log_exception(error: BaseException) -> Path:
    """Log an unexpected error by type and code location only (its message may quote user text)."""
    frames = traceback.extract_tb(error.__traceback__)
    stack = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
    logger().error("unexpected %s at %s", type(error).__name__, stack or "?")
    return paths.log_file()
