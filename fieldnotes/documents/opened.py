"""When you last opened each document: a small file of your own on this computer, not the project.

Home's "Recent documents" are the ones you opened or coded lately. Opening is reading, so it is not
written into the project: a row per open in the shared event log would show in `log`, travel in bundles,
make every other coder's app reload on a shared server, and need a migration. Instead each person's
opens are kept in `recent.json` in fieldnotes' data folder (`fieldnotes locate`), keyed by the project's
settings id (so a copy of a project shares them) and holding ids and times only, never text or titles.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from fieldnotes import clock, paths
from fieldnotes.fileio import write_atomic

FILE_NAME = "recent.json"
#: how many documents are remembered per project (Home shows eight)
KEEP = 50


def _file() -> Path:
    return paths.data_dir() / FILE_NAME


def _load() -> dict[str, Any]:
    try:
        data = json.loads(_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or unreadable: start again, nothing of the project is lost
        return {}
    return data if isinstance(data, dict) else {}


def opened(project_key: uuid.UUID) -> dict[uuid.UUID, dt.datetime]:
    """When each document of this project was last opened here (UTC)."""
    found: dict[uuid.UUID, dt.datetime] = {}
    entries = _load().get(str(project_key))
    if not isinstance(entries, dict):
        return found
    for document, when in entries.items():
        try:
            moment = dt.datetime.fromisoformat(when)
            found[uuid.UUID(document)] = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        except (TypeError, ValueError):
            continue
    return found


def record_open(project_key: uuid.UUID, document_id: uuid.UUID) -> None:
    """Remember that the document was opened now; only the newest KEEP per project are kept.

    A data folder that cannot be written (read-only home) only costs the list its order: the document
    still opens."""
    times = opened(project_key)
    times[document_id] = clock.now().astimezone(dt.UTC)
    newest = sorted(times.items(), key=lambda item: item[1], reverse=True)[:KEEP]
    data = _load()
    data[str(project_key)] = {str(document): when.isoformat() for document, when in newest}
    try:
        paths.ensure_private_dir(_file().parent)
        write_atomic(_file(), json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))
    except OSError:
        return
