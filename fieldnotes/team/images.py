"""Row images as bundles and merges handle them: references between tables, fingerprints, version
stamps, and moving a coding's span onto another version of its document's text.

An image is a whole row as JSON (fieldnotes.db.history). Ids in images are strings; a row is named by
its key `(table, id)`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from fieldnotes.coding.edit import OffsetMap, char_opcodes
from fieldnotes.db.history import TABLES
from fieldnotes.db.history import Image as Image

Key = tuple[str, str]

#: tables a bundle or a merge carries: everything users change, but not the merge's own review list
MERGED_TABLES: tuple[str, ...] = tuple(name for name in TABLES if name != "merge_conflicts")


def _references() -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for name, table in TABLES.items():
        out[name] = [(column.name, fk.column.table.name) for column in table.columns for fk in column.foreign_keys]
    return out


#: table -> [(column, the table it refers to)], from the models' foreign keys
REFERENCES: dict[str, list[tuple[str, str]]] = _references()


def fingerprint(image: Image | None) -> str:
    """A canonical text of an image, for comparing and for sets of images seen."""
    return json.dumps(image, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def moment(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if not value:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


Stamp = tuple[dt.datetime, str, str]


def stamp(image: Image) -> Stamp:
    """When a row version was made and by whom: what "the later change wins" compares.

    The time is the row's own `updated_at`, which a merge carries over unchanged, so both copies see
    the same stamp; ties go to the coder id, then to the content, so the rule never depends on which
    copy merges into which.
    """
    who = image.get("coder_id") or image.get("created_by") or ""
    return moment(image.get("updated_at") or image.get("created_at")), str(who), fingerprint(image)


def deletion_stamp(at: dt.datetime, coder: str | None) -> Stamp:
    return moment(at), coder or "", ""


def remap(table: str, image: Image, ids: dict[Key, str]) -> Image:
    """The image with its own id and its references replaced where `ids` maps them."""
    if not ids:
        return image
    out = dict(image)
    own = ids.get((table, str(image.get("id"))))
    if own is not None:
        out["id"] = own
    for column, target in REFERENCES.get(table, ()):
        value = out.get(column)
        if value is not None:
            mapped = ids.get((target, str(value)))
            if mapped is not None:
                out[column] = mapped
    return out


@dataclass
class Rebased:
    image: Image | None  # None: every character it covered is gone from the new text
    moved: bool
    touched: bool


class Rebaser:
    """Moves codings from the text they were made on to another version of it, as editing does: a
    coding that no change touches keeps exactly its characters; one that a change touches is
    stretched or shrunk with it and flagged for review."""

    def __init__(self) -> None:
        self._maps: dict[tuple[str, str], OffsetMap] = {}

    def offsets(self, old: str, new: str) -> OffsetMap:
        key = (digest(old.encode("utf-8")), digest(new.encode("utf-8")))
        found = self._maps.get(key)
        if found is None:
            found = self._maps[key] = OffsetMap(char_opcodes(old, new))
        return found

    def coding(self, image: Image, old: str | None, new: str | None) -> Rebased:
        if old is None or new is None or old == new:
            return Rebased(image, False, False)
        mapping = self.offsets(old, new)
        start, end = int(image["start"]), int(image["end"])
        touched = mapping.touches(start, end)
        new_start = mapping.position(start, side="start")
        new_end = mapping.position(end, side="end")
        if new_end <= new_start:
            return Rebased(None, True, True)
        out = dict(image, start=new_start, end=new_end, text=new[new_start:new_end])
        if touched:
            out["needs_review"] = True
        return Rebased(out, (new_start, new_end) != (start, end), touched)
