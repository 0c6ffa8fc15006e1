"""The person's own settings: one small JSON file in the user config folder (`fieldnotes locate` prints it).

Unlike the project's settings, these belong to one person on one machine and are never shared: today
only `language`, which wins over the project's language (the team's default).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fieldnotes import paths

#: the settings a person can change, each with its allowed values
KNOWN: dict[str, tuple[str, ...]] = {"language": ("da", "en")}


def settings_file() -> Path:
    return paths.config_dir() / "settings.json"


def load() -> dict[str, Any]:
    """The person's settings; empty when there are none, or the file cannot be read (it is only a preference)."""
    try:
        data = json.loads(settings_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(key: str, value: str) -> None:
    """Change one setting, keeping the others (and any the file holds that this version does not know)."""
    from fieldnotes.errors import InvalidInput
    from fieldnotes.fileio import write_atomic
    from fieldnotes.translations import _

    if key not in KNOWN:
        raise InvalidInput(_("there is no personal setting {key!r}").format(key=key),
                           hint=_("the settings are: {names}").format(names=", ".join(KNOWN)))
    if value not in KNOWN[key]:
        raise InvalidInput(_("{value!r} is not a value of {key}").format(value=value, key=key),
                           hint=_("use one of: {values}").format(values=", ".join(KNOWN[key])))
    data = load()
    data[key] = value
    paths.ensure_private_dir(settings_file().parent)
    write_atomic(settings_file(), (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
