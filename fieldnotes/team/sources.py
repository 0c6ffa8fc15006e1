"""What a merge reads from the other copy, whether a bundle or a whole project file, in one shape:
its rows as they are now, the rows it deleted (with when and by whom), and which versions of each
row its event log has seen.

"Seen" is what makes merging safe without a common ancestor: if our version of a row is one the
other copy's log has seen, their version grew out of ours and simply wins; if theirs is one our log
has seen, ours is newer; only when neither has seen the other's version did both copies change it,
and that is a conflict.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from fieldnotes.db import migrate
from fieldnotes.db.image_queries import select_images, stored, uuid_text
from fieldnotes.db.models import Change, Event
from fieldnotes.errors import NotAProject, Refused, SchemaTooNew
from fieldnotes.team.bundle import Bundle, is_bundle, read_bundle
from fieldnotes.team.images import (
    MERGED_TABLES,
    Image,
    Key,
    Stamp,
    deletion_stamp,
    fingerprint,
    moment,
)
from fieldnotes.translations import _

#: the merge records here when and by whom a row it deletes was deleted in the other copy
ORIGINS = "origins"


def ident(image: Image | None) -> str:
    """A short fixed-size identity of an image (sets of them stay small for big projects)."""
    return hashlib.sha1(fingerprint(image).encode("utf-8"), usedforsecurity=False).hexdigest()


@dataclass
class Tombstone:
    """A row's deletion: the last version before it, when, and by whom."""

    before: Image | None
    at: dt.datetime
    coder: str | None

    @property
    def stamp(self) -> Stamp:
        return deletion_stamp(self.at, self.coder)


@dataclass
class LogFacts:
    """Versions of rows a log has seen, and the rows it last deleted.

    The versions are kept as they come (images, or their JSON text straight from the database) and
    turned into identities only for the rows a merge asks about: most rows of a big project are the
    same in both copies, and their versions are never needed.
    """

    versions: dict[Key, list[Any]] = field(default_factory=dict)
    deleted: dict[Key, Tombstone] = field(default_factory=dict)
    _idents: dict[Key, set[str]] = field(default_factory=dict, repr=False)

    def saw(self, key: Key, image: Image | str | None) -> None:
        if image is not None and image != "null":
            self.versions.setdefault(key, []).append(image)
            self._idents.pop(key, None)

    def idents(self, key: Key) -> set[str]:
        found = self._idents.get(key)
        if found is None:
            found = self._idents[key] = {ident(_image(version)) for version in self.versions.get(key, ())}
        return found

    def has_seen(self, key: Key, image: Image | None) -> bool:
        return image is not None and key in self.versions and ident(image) in self.idents(key)

    def joined(self, other: LogFacts) -> LogFacts:
        """These facts with the versions another reading of the log has seen too (the deletions are
        this reading's)."""
        versions = dict(self.versions)
        for key, seen in other.versions.items():
            versions[key] = [*versions.get(key, ()), *seen]
        return LogFacts(versions, dict(self.deleted))


def _image(version: Image | str | None) -> Image | None:
    return json.loads(version) if isinstance(version, str) else version


def _origin(action: str, details: Any, key: Key, at: dt.datetime, coder: str | None) -> tuple[
        dt.datetime, str | None]:
    if action == "merge" and isinstance(details, dict):
        found = (details.get(ORIGINS) or {}).get(f"{key[0]}:{key[1]}")
        if found:
            return moment(found[0]), found[1]
    return at, coder


def log_facts(conn: Connection, keys: Iterable[Key] | None = None) -> LogFacts:
    """Versions seen and last deletions, from a project's event log: all of it, or for some rows."""
    facts = LogFacts()
    raw = conn.dialect.name == "sqlite"
    query = select(Event.table, stored(Event.row_id, raw), stored(Event.change_id, raw), stored(Event.before, raw),
                   stored(Event.after, raw)).order_by(Event.seq)
    if keys is None:
        batches: list[Any] = [query.where(Event.table.in_(MERGED_TABLES))]
    else:
        by_table: dict[str, list[uuid.UUID]] = {}
        for table, row_id in keys:
            by_table.setdefault(table, []).append(uuid.UUID(row_id))
        batches = [query.where(Event.table == table, Event.row_id.in_(ids[start : start + 500]))
                   for table, ids in by_table.items() for start in range(0, len(ids), 500)]
    deletions: dict[Key, tuple[Any, Any]] = {}
    row_text: dict[Any, str] = {}
    for batch in batches:
        for table, row_id, change_id, before, after in conn.execute(batch):
            if table not in MERGED_TABLES:
                continue
            text = row_text.get(row_id)
            if text is None:
                text = row_text[row_id] = uuid_text(row_id)
            key = (table, text)
            facts.saw(key, before)
            facts.saw(key, after)
            if after is None or after == "null":
                deletions[key] = (before, change_id)
            else:
                deletions.pop(key, None)
    if deletions:
        wanted = sorted({uuid.UUID(uuid_text(change_id)) for _, change_id in deletions.values()})
        changes: dict[uuid.UUID, tuple[dt.datetime, str | None, str]] = {}
        merges: set[uuid.UUID] = set()
        for start in range(0, len(wanted), 500):
            query = select(Change.id, Change.at, Change.coder_id, Change.action).where(
                Change.id.in_(wanted[start : start + 500]))
            for change_id, at, coder_id, action in conn.execute(query):
                changes[change_id] = (at, str(coder_id) if coder_id else None, action)
                if action == "merge":
                    merges.add(change_id)
        details: dict[uuid.UUID, Any] = {}
        for change_id in sorted(merges):  # a merge's details say when and by whom it was deleted elsewhere
            details[change_id] = conn.execute(select(Change.details).where(Change.id == change_id)).scalar()
        for key, (before, stored_id) in deletions.items():
            change_id = uuid.UUID(uuid_text(stored_id))
            if change_id not in changes:  # an event without its change (the log's foreign key forbids it)
                continue
            at, by, action = changes[change_id]
            when, who = _origin(action, details.get(change_id), key, at, by)
            facts.deleted[key] = Tombstone(_image(before), when, who)
    return facts


def read_rows(conn: Connection) -> dict[Key, Image]:
    """Every row a merge compares, as images."""
    out: dict[Key, Image] = {}
    for name in MERGED_TABLES:
        for image in select_images(conn, name):
            out[(name, image["id"])] = image
    return out


@dataclass
class Source:
    """The other copy, read: a bundle (some rows, with context) or a whole project file."""

    name: str
    kind: str  # "bundle" or "project"
    project_id: str | None
    project_name: str | None
    rows: dict[Key, Image]
    context: set[Key]
    facts: LogFacts
    pseudonymized: bool = False
    summary: dict[str, Any] = field(default_factory=dict)


def from_bundle(bundle: Bundle) -> Source:
    rows: dict[Key, Image] = {}
    context: set[Key] = set()
    for table, images in bundle.context.items():
        for image in images:
            key = (table, str(image["id"]))
            rows[key] = image
            context.add(key)
    for table, images in bundle.changed.items():
        for image in images:
            key = (table, str(image["id"]))
            rows[key] = image
            context.discard(key)
    facts = LogFacts()
    for event in bundle.events:
        key = (str(event["table"]), str(event["row_id"]))
        facts.saw(key, event.get("before"))
        facts.saw(key, event.get("after"))
    for table, items in bundle.deleted.items():
        for item in items:
            key = (table, str(item["id"]))
            if key in rows:
                continue
            facts.saw(key, item.get("before"))
            facts.deleted[key] = Tombstone(item.get("before"), moment(item.get("at")), item.get("coder"))
    project = bundle.manifest.get("project") or {}
    return Source(bundle.name, "bundle", bundle.project_id, project.get("name"), rows, context, facts,
                  bundle.pseudonymized, {"coders": bundle.manifest.get("coders"), "since": bundle.manifest.get("since"),
                                         "created_at": bundle.manifest.get("created_at")})


@contextmanager
def _readable(path: Path) -> Iterator[Path]:
    """The project file itself, or an upgraded copy of it when it has an older schema."""
    from fieldnotes.project.opening import _inspect_sqlite

    revision = _inspect_sqlite(path)
    if revision is not None and revision not in migrate.known_revisions():
        raise SchemaTooNew(_("{name} was written by a newer fieldnotes (schema {revision})")
                           .format(name=path.name, revision=revision),
                           hint=_("upgrade fieldnotes to merge it; nothing was merged"))
    if revision == migrate.head():
        yield path
        return
    from fieldnotes.db.backends import engine_for
    from fieldnotes.project.backup import copy_sqlite

    with tempfile.TemporaryDirectory(prefix="fieldnotes-merge-") as folder:
        copy = copy_sqlite(path, Path(folder) / "upgraded.db")
        engine = engine_for(str(copy))
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()
        yield copy


def from_project_file(path: Path) -> Source:
    from fieldnotes.db.backends import engine_for

    with _readable(path) as readable:
        engine = engine_for(str(readable), readonly=True)
        try:
            with engine.connect() as conn:
                rows = read_rows(conn)
                facts = log_facts(conn)
        finally:
            engine.dispose()
    for key in list(facts.deleted):
        if key in rows:
            del facts.deleted[key]
    project = next((image for (table, _), image in rows.items() if table == "project"), None)
    return Source(path.name, "project", str(project["id"]) if project else None,
                  project.get("name") if project else None, rows, set(), facts)


def open_source(path: Path | str, *, ours: Path | None = None) -> Source:
    """Read a bundle or a whole project file for merging; anything else is refused clearly."""
    from fieldnotes.db.backends import display_target, is_url, looks_like_sqlite
    from fieldnotes.privacy import encryption

    text = str(path)
    if is_url(text):
        raise Refused(_("{value} is a server database; merge takes a bundle or a project file")
                      .format(value=display_target(text)),
                      hint=_("make a SQLite copy with `fieldnotes backup OUT --db URL` and merge that"))
    path = Path(path).expanduser()
    if not path.exists():
        raise Refused(_("there is no file {path}")
                      .format(path=path), hint=_("give a bundle (from `fieldnotes bundle`) or a project file"))
    if ours is not None and path.resolve() == ours.resolve():
        raise Refused(_("{name} is this project itself; there is nothing to merge").format(name=path.name))
    if is_bundle(path):
        return from_bundle(read_bundle(path, ours=ours))
    if path.is_file() and not encryption.is_encrypted(path) and not looks_like_sqlite(path):
        raise NotAProject(_("{name} is neither a fieldnotes bundle nor a project file").format(name=path.name),
                          hint=_("give a bundle made with `fieldnotes bundle`, or a copy of a project file"))
    return from_project_file(path)
