"""GUIDs in REFI-QDA files: ours are our row UUIDs; elements without a row get a UUID5 of stable keys.

Every tool that matches by name breaks on merge, so an export must give the same GUIDs every time and
an import must keep the file's GUIDs as our row ids.
"""

from __future__ import annotations

import re
import uuid

NAMESPACE = uuid.UUID("2f6c1d8e-5a43-5b7e-9c0d-41e2a7b3f9a1")
_BRACED = re.compile(r"^\{(.*)\}$")


def derived(kind: str, *keys: object) -> uuid.UUID:
    """A stable id for a REFI element that has no row of ours (a selection, a set, a built-in variable)."""
    return uuid.uuid5(NAMESPACE, kind + ":" + "\x1f".join(str(key) for key in keys))


#: our document fields and the case type, written as REFI variables with these stable ids
BUILTIN_VARIABLES: dict[str, tuple[str, str]] = {
    "kind": ("Kind", "Text"),
    "date": ("Date", "Date"),
    "activity": ("Activity", "Text"),
    "participants": ("Participants", "Text"),
    "speakers": ("Speakers", "Text"),
    "case type": ("Case type", "Text"),
}


def builtin_variable(key: str) -> uuid.UUID:
    return derived("fieldnotes-variable", key)


def to_guid(value: uuid.UUID) -> str:
    """How we write a GUID: upper case, as the specification's examples and most tools do."""
    return str(value).upper()


def parse_guid(text: str | None) -> uuid.UUID | None:
    """A GUID as tools write it (upper or lower case, with or without braces); None if it is not one."""
    if not text:
        return None
    cleaned = _BRACED.sub(r"\1", text.strip())
    try:
        return uuid.UUID(cleaned)
    except ValueError:
        return None


def guid_or_derived(text: str | None, kind: str, *fallback_keys: object) -> tuple[uuid.UUID, bool]:
    """The file's GUID, or a stable one derived from other keys when it is missing or malformed.

    Returns the id and whether it came from the file.
    """
    parsed = parse_guid(text)
    if parsed is not None:
        return parsed, True
    return derived(kind, text or "", *fallback_keys), False


def headline(text: str, width: int = 60) -> str:
    """A short name for a memo or a selection: its start on one line, cut at a word with an ellipsis."""
    collapsed = " ".join(text.split())
    if len(collapsed) <= width:
        return collapsed
    cut = collapsed[:width]
    space = cut.rfind(" ")
    if space > width // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"
