"""Bundles: one coder's work in a single file, to carry to another copy of the project and merge there.

The format (version 1) is a zip archive with three members:

- `manifest.json`: the format and its version, the project's identity (the id of its settings row)
  and name, the schema revision, when and by whom it was made, the coders and `since` it was made
  for, whether the pseudonym key was left out, counts, and the SHA-256 of the two other members;
- `rows.json`: whole row images (fieldnotes.db.history) in three groups: `changed` (rows the
  coders' changes touched, as they are now), `deleted` (rows their changes deleted: the last image
  before, when and by whom) and `context` (unchanged rows the others refer to, such as the
  documents, codes and speaker turns under their codings, so the bundle can be merged into a copy
  that has never seen them);
- `events.json`: those changes and their events with before- and after-images, which tell the
  merge which versions of a row the sender had already seen.

A coder's work is every change they made (optionally since a date), except merges: a bundle carries
the sender's own work, never what they merged from others, so bundles can be crossed between copies in
any order. Making a bundle is recorded in the audit trail (`fieldnotes log --exports`).

A bundle of an encrypted project is encrypted too: the zip archive is sealed whole with the project's
passphrase (fieldnotes.privacy.sealed), so none of its text is readable on disk. Reading one takes the
passphrase from FIELDNOTES_PASSPHRASE, the project it is merged into, or the terminal.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from fieldnotes import archives, clock
from fieldnotes.db import coders, history, migrate
from fieldnotes.db.image_queries import fetch_images, select_images, stored, uuid_text
from fieldnotes.db.models import Change, Coder, Event
from fieldnotes.errors import FieldnotesError, InvalidInput, NotFound, Refused, SchemaTooNew
from fieldnotes.fileio import atomic_output
from fieldnotes.privacy import encryption, sealed
from fieldnotes.project.opening import Project
from fieldnotes.team.images import (
    MERGED_TABLES,
    REFERENCES,
    Image,
    Key,
    digest,
)
from fieldnotes.translations import _, said

FORMAT = "fieldnotes-bundle"
FORMAT_VERSION = 1
MANIFEST, ROWS, EVENTS = "manifest.json", "rows.json", "events.json"
MEMBERS = (MANIFEST, ROWS, EVENTS)
#: the limits of every archive fieldnotes opens (fieldnotes.archives: 2 GB in all, no member unpacking to
#: more than 200 times its packed size), except that one member may use all of it: the rows and events of a
#: whole project of the benchmarks' `stress` tier take about 300 and 400 MB (they pack about 4:1). A bundle
#: holds three members, and its manifest is small.
LIMITS = archives.Limits(member=archives.TOTAL_BYTES, members=100)
MAX_MANIFEST_BYTES = 1024**2
#: zlib's fastest level: a whole project's bundle packs in a third of the time, and is about a sixth larger
COMPRESSION = 1
#: changes that are not a coder's own work (what they merged from others, and undoing that)
NOT_OWN_WORK = ("merge",)


@dataclass
class Bundle:
    """A bundle read and checked: its manifest and its rows, events and deletions."""

    name: str
    manifest: dict[str, Any]
    changed: dict[str, list[Image]]
    context: dict[str, list[Image]]
    deleted: dict[str, list[dict[str, Any]]]
    changes: list[dict[str, Any]]
    events: list[dict[str, Any]]

    @property
    def project_id(self) -> str | None:
        project = self.manifest.get("project") or {}
        return str(project.get("id")) if project.get("id") else None

    @property
    def pseudonymized(self) -> bool:
        return bool(self.manifest.get("pseudonymized"))


@dataclass
class BundleSummary:
    file: str
    coders: list[str]
    since: str | None
    changes: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    pseudonymized: bool = False
    encrypted: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "coders": self.coders, "since": self.since, "changes": self.changes,
                "counts": self.counts, "pseudonymized": self.pseudonymized, "encrypted": self.encrypted}


# --- choosing the rows ---------------------------------------------------------------------------


def own_changes(session: Session, coder_ids: Sequence[uuid.UUID], since: dt.date | None) -> list[Change]:
    """The coders' changes that are their own work: not merges, and not undoing or redoing one."""
    query = select(Change).where(Change.coder_id.in_(list(coder_ids))).order_by(Change.seq)
    if since is not None:
        query = query.where(Change.at >= dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC))
    changes = list(session.scalars(query))
    targets = {c.target_id for c in changes if c.target_id is not None}
    merged = set(session.scalars(select(Change.id).where(Change.id.in_(list(targets)),
                                                         Change.action.in_(NOT_OWN_WORK)))) if targets else set()
    return [c for c in changes if c.action not in NOT_OWN_WORK and c.target_id not in merged]


@dataclass
class LoggedEvent:
    """One event of the coders' changes, as read for a bundle (its images as they are stored)."""

    change_id: str
    table: str
    row_id: str
    before: Any  # an image, None, or (on SQLite) its JSON text as stored
    after: Any


def _events_of(session: Session, change_ids: Sequence[uuid.UUID]) -> list[LoggedEvent]:
    """The changes' events. On SQLite their images stay the JSON text the log holds (SQLite checks that
    it is JSON; an image that is not is decoded here, which fails as reading it always did)."""
    conn = session.connection()
    raw = conn.dialect.name == "sqlite"
    columns = [stored(Event.change_id, raw), Event.table, stored(Event.row_id, raw), stored(Event.before, raw),
               stored(Event.after, raw)]
    checked = [func.coalesce(func.json_valid(Event.before), 1), func.coalesce(func.json_valid(Event.after), 1)]
    query = select(*columns, *checked) if raw else select(*columns, literal(1), literal(1))
    out: list[LoggedEvent] = []
    for start in range(0, len(change_ids), 500):
        chunk = list(change_ids[start : start + 500])
        where = (Event.change_id.in_(chunk), Event.table.in_(MERGED_TABLES))
        try:
            rows = conn.execute(query.where(*where).order_by(Event.seq)).all()
        except sa_exc.OperationalError:  # an SQLite without its JSON functions: every image is decoded
            rows = conn.execute(select(*columns, literal(0), literal(0)).where(*where).order_by(Event.seq)).all()
        for change_id, table, row_id, before, after, before_ok, after_ok in rows:
            if not before_ok and isinstance(before, str):
                before = json.loads(before)
            if not after_ok and isinstance(after, str):
                after = json.loads(after)
            out.append(LoggedEvent(uuid_text(change_id), table, uuid_text(row_id), before, after))
    return out


def _by_table(keys: Iterable[Key]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for table, row_id in keys:
        out.setdefault(table, []).append(row_id)
    return out


def _fetch(session: Session, keys: Iterable[Key]) -> dict[Key, Image]:
    conn = session.connection()
    found: dict[Key, Image] = {}
    for table, row_ids in _by_table(keys).items():
        for row_id, image in fetch_images(conn, table, row_ids).items():
            found[(table, row_id)] = image
    return found


def _deletions(session: Session, missing: set[Key], own: dict[uuid.UUID, Change]) -> dict[Key, dict[str, Any]]:
    """Rows gone whose last event is a deletion by one of the coders' own changes."""
    out: dict[Key, dict[str, Any]] = {}
    conn = session.connection()
    for table, row_ids in _by_table(missing).items():
        ids = [uuid.UUID(row_id) for row_id in row_ids]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            last: dict[uuid.UUID, tuple[uuid.UUID, Any, Any]] = {}
            query = (select(Event.row_id, Event.change_id, Event.before, Event.after)
                     .where(Event.row_id.in_(chunk), Event.table == table).order_by(Event.seq))
            for row_id, change_id, before, after in conn.execute(query):
                last[row_id] = (change_id, before, after)
            for row_id, (change_id, before, after) in last.items():
                change = own.get(change_id)
                if after is None and change is not None:
                    out[(table, str(row_id))] = {"id": str(row_id), "before": before,
                                                 "at": history.encode(change.at),
                                                 "coder": str(change.coder_id) if change.coder_id else None}
    return out


def _context(session: Session, rows: dict[Key, Image]) -> dict[Key, Image]:
    """Rows the given ones refer to (recursively), and the speaker turns of every document among them."""
    context: dict[Key, Image] = {}
    pending = dict(rows)
    while pending:
        wanted: set[Key] = set()
        for (table, _row), image in pending.items():
            for column, target in REFERENCES.get(table, ()):
                value = image.get(column)
                if value is not None and (target, str(value)) not in rows and (target, str(value)) not in context:
                    wanted.add((target, str(value)))
        found = _fetch(session, wanted)
        context.update(found)
        pending = found
    documents = [uuid.UUID(row_id) for table, row_id in [*rows, *context] if table == "documents"]
    if documents:
        conn = session.connection()
        turns = history.TABLES["speaker_turns"]
        for start in range(0, len(documents), 500):
            chunk = documents[start : start + 500]
            for image in select_images(conn, "speaker_turns", turns.c.document_id.in_(chunk)):
                key = ("speaker_turns", image["id"])
                if key not in rows:
                    context[key] = image
    return context


def _scrub(table: str, image: Image | None) -> Image | None:
    """Leave the pseudonym key out: a register entry travels without its original name."""
    if image is None or table != "pseudonyms":
        return image
    return dict(image, original=None)


def _grouped(items: dict[Key, Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for (table, _row), value in sorted(items.items(), key=lambda kv: (MERGED_TABLES.index(kv[0][0]), kv[0][1])):
        out.setdefault(table, []).append(value)
    return out


def _dump(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def _image_json(table: str, value: Any, pseudonymize: bool) -> str:
    """An event's image as JSON: the text stored in the log as it is (it is JSON already), unless the
    pseudonym key has to be left out of it."""
    if isinstance(value, str) and not (pseudonymize and table == "pseudonyms"):
        return value
    image = json.loads(value) if isinstance(value, str) else value
    return _dump(_scrub(table, image) if pseudonymize else image).decode("utf-8")


def _log_json(changes: list[dict[str, Any]], events: list[LoggedEvent], pseudonymize: bool) -> bytes:
    """events.json: the same JSON as `_dump({"changes": ..., "events": ...})`, but each image written as the
    log stores it rather than decoded and encoded again (a whole project's log holds every version of
    every row). Ids and table names need no escaping in JSON: they are written between quotes as they are."""
    parts = []
    for e in events:
        parts.append(f'{{"after":{_image_json(e.table, e.after, pseudonymize)},'
                     f'"before":{_image_json(e.table, e.before, pseudonymize)},'
                     f'"change":"{e.change_id}","row_id":"{e.row_id}","table":"{e.table}"}}')
    return b'{"changes":' + _dump(changes) + b',"events":[' + ",".join(parts).encode("utf-8") + b"]}"


# --- writing -------------------------------------------------------------------------------------


def _coder_ids(session: Session, names: Sequence[str]) -> list[uuid.UUID]:
    known = dict(session.execute(select(Coder.id, Coder.name)).all())
    out = []
    for name in names:
        cid = coders.coder_id(name)
        if cid not in known:
            raise NotFound(_("no coder {name!r} in this project").format(name=name),
                           hint=_("coders: {names}").format(names=", ".join(sorted(known.values()))) if known else None)
        out.append(cid)
    return out


def write_bundle(project: Project, target: Path | str, *, coder_names: Sequence[str], acting: str,
                 since: dt.date | None = None, pseudonymize: bool | None = None,
                 force: bool = False) -> BundleSummary:
    """Write the coders' work to `target` and record it in the audit trail (one transaction).

    A bundle is internal exchange with teammates who work on the same material, not an export: its
    text travels as written, and the register's originals (the key) travel too unless `pseudonymize`
    leaves them out. The exports' default about names (`pseudonymize_exports`) does not apply here.
    """
    target = Path(target)
    if target.exists() and not force:
        raise FieldnotesError(_("{target} already exists")
                              .format(target=target), hint=_("choose another name, or add --force to overwrite it"))
    if project.path is not None and target.exists() and target.resolve() == project.path.resolve():
        raise Refused(_("{target} is this project itself")
                      .format(target=target), hint=_("choose another file name for the bundle"))
    passphrase = _sealing_passphrase(project)
    with project.write() as session:
        settings = project.settings(session)
        pseudonymize = bool(pseudonymize)
        ids = _coder_ids(session, coder_names)
        names = [session.get(Coder, cid).name for cid in ids]  # type: ignore[union-attr]
        changes = own_changes(session, ids, since)
        own = {c.id: c for c in changes}
        events = _events_of(session, list(own))
        touched = {(e.table, str(e.row_id)) for e in events}
        changed = _fetch(session, touched)
        deleted = _deletions(session, touched - set(changed), own)
        context = _context(session, changed)
        if pseudonymize:
            changed = {k: _scrub(k[0], v) for k, v in changed.items()}  # type: ignore[misc]
            context = {k: _scrub(k[0], v) for k, v in context.items()}  # type: ignore[misc]
            deleted = {k: dict(v, before=_scrub(k[0], v["before"])) for k, v in deleted.items()}
        rows = {"changed": _grouped(changed), "context": _grouped(context), "deleted": _grouped(deleted)}
        log = {
            "changes": [{"id": str(c.id), "at": history.encode(c.at), "coder": str(c.coder_id) if c.coder_id else None,
                         "kind": c.kind, "action": c.action, "summary": c.summary} for c in changes],
        }
        rows_bytes, events_bytes = _dump(rows), _log_json(log["changes"], events, pseudonymize)
        counts = {group: {table: len(items) for table, items in rows[group].items()} for group in rows}
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "project": {"id": str(settings.id), "name": settings.name},
            "schema_revision": migrate.head(),
            "created_at": history.encode(clock.now()),
            "created_by": coders.normalise_name(acting),
            "coders": names,
            "since": since.isoformat() if since else None,
            "pseudonymized": pseudonymize,
            "counts": {**counts, "changes": len(changes), "events": len(events)},
            "payload": {ROWS: digest(rows_bytes), EVENTS: digest(events_bytes)},
        }
        members = [(MANIFEST, _dump(manifest)), (ROWS, rows_bytes), (EVENTS, events_bytes)]
        with atomic_output(target) as handle:
            if passphrase is None:
                _zip(handle, members)
            else:  # the archive exists only in memory; the file gets it sealed
                archive = io.BytesIO()
                _zip(archive, members)
                sealed.seal(archive.getbuffer(), passphrase, handle)
        summary = BundleSummary(target.name, names, manifest["since"], len(changes), counts, pseudonymize,
                                encrypted=passphrase is not None)
        _record(session, acting, summary)
    return summary


def _sealing_passphrase(project: Project) -> str | None:
    """The passphrase a bundle of this project is sealed with: an encrypted project's own, else None."""
    if project.path is None or not encryption.is_encrypted(project.path):
        return None
    sealed.check_available()
    return encryption.passphrase_for(project.path)


def _zip(handle: Any, members: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, data, compresslevel=COMPRESSION)


def _record(session: Session, acting: str, summary: BundleSummary) -> None:
    from fieldnotes.project.actions import ensure_recorded_coder

    coder_id = ensure_recorded_coder(session, acting)
    history.record_action(session, coder_id=coder_id, action="bundle",
                          summary=said("bundled the work of {names} into {file}", names=', '.join(summary.coders),
                                       file=summary.file),
                          details=summary.as_dict())


# --- reading -------------------------------------------------------------------------------------


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(len(sealed.MAGIC))
    except OSError:
        return b""


def is_bundle(path: Path) -> bool:
    """A zip archive (a damaged zip counts, so it is refused as a bundle), or a sealed file: a bundle of an
    encrypted project."""
    head = _head(path)
    return head.startswith(b"PK\x03\x04") or sealed.is_sealed(head)


def _unsealed(path: Path, ours: Path | None) -> bytes:
    """The archive inside an encrypted bundle, opened with FIELDNOTES_PASSPHRASE, the passphrase the project
    it is merged into was opened with, or one typed in the terminal."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FieldnotesError(_("cannot read {name} ({strerror})").format(name=name, strerror=error.strerror)) from None
    sealed.check_available()
    candidates = [os.environ.get(encryption.ENV_PASSPHRASE), encryption.remembered(ours) if ours else None]
    tried = False
    for phrase in dict.fromkeys(c for c in candidates if c):
        try:
            return sealed.unseal(data, phrase, name=name)
        except sealed.WrongSealPassphrase:
            tried = True
    typed = encryption.ask(f"passphrase for {name}: ")
    if typed:
        try:
            return sealed.unseal(data, typed, name=name)
        except sealed.WrongSealPassphrase:
            tried = True
    if tried:
        raise sealed.WrongSealPassphrase(
            _("{name} is an encrypted bundle and the passphrase does not open it (or it is damaged); nothing was "
              "merged").format(name=name),
            hint=_("set {ENV_PASSPHRASE} to the passphrase of the project it was made "
                   "from").format(ENV_PASSPHRASE=encryption.ENV_PASSPHRASE))
    raise FieldnotesError(_("{name} is an encrypted bundle and no passphrase was given; nothing was merged")
                          .format(name=name),
                          hint=_("set {ENV_PASSPHRASE} to the project's passphrase, or type it in a "
                                 "terminal").format(ENV_PASSPHRASE=encryption.ENV_PASSPHRASE))


def _damaged(name: str, why: str) -> InvalidInput:
    return InvalidInput(_("{name} is damaged or incomplete ({why}); nothing was merged").format(name=name, why=why),
                        hint=_("make the bundle again and copy it whole"))


#: the manifest's fields and what each must be (None allowed for all but the checksums and the schema)
_MANIFEST_TYPES: dict[str, type | tuple[type, ...]] = {
    "schema_revision": str, "payload": dict, "project": (dict, type(None)), "coders": (list, type(None)),
    "since": (str, type(None)), "created_at": (str, type(None)), "created_by": (str, type(None)),
}


def _check_manifest(name: str, manifest: dict[str, Any]) -> None:
    """A manifest with a field of the wrong kind is damaged (or hand-made), never half-trusted."""
    for field_name, kind in _MANIFEST_TYPES.items():
        if not isinstance(manifest.get(field_name), kind):
            raise _damaged(name, _("its manifest's {field} is not what fieldnotes writes").format(field=field_name))
    project = manifest.get("project") or {}
    if not all(isinstance(project.get(key), str | None) for key in ("id", "name")):
        raise _damaged(name, _("its manifest's project is not what fieldnotes writes"))
    if not all(isinstance(coder, str) for coder in manifest.get("coders") or []):
        raise _damaged(name, _("its manifest's coders are not what fieldnotes writes"))


def _checked_manifest(name: str, raw: bytes) -> dict[str, Any]:
    """The manifest, if it is ours, of a format and schema this fieldnotes knows, and shaped as it writes it."""
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise _damaged(name, _("its manifest is not JSON")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidInput(_("{name} is not a fieldnotes bundle").format(name=name))
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise SchemaTooNew(_("{name} was made by a newer fieldnotes (bundle format {version})")
                           .format(name=name, version=version),
                           hint=_("upgrade fieldnotes to merge it; nothing was merged"))
    _check_manifest(name, manifest)
    revision = manifest.get("schema_revision")
    if revision not in migrate.known_revisions():
        raise SchemaTooNew(_("{name} was made by a newer fieldnotes (schema {revision})")
                           .format(name=name, revision=revision),
                           hint=_("upgrade fieldnotes to merge it; nothing was merged"))
    return manifest


def _is_id(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _check_shape(name: str, rows: Any, log: Any) -> None:
    """Rows and events shaped as fieldnotes writes them: every image a JSON object with a valid id,
    every event naming its table, row and change. (Values inside images are checked as they are written.)"""

    def images(group: Any, *, wrapped: bool) -> bool:
        if group is None:
            return True
        if not isinstance(group, dict):
            return False
        for items in group.values():
            if not isinstance(items, list):
                return False
            for item in items:
                if not isinstance(item, dict) or not _is_id(item.get("id")):
                    return False
                if wrapped and not isinstance(item.get("before"), dict | None):
                    return False
        return True

    if not isinstance(rows, dict) or not (images(rows.get("changed"), wrapped=False)
                                          and images(rows.get("context"), wrapped=False)
                                          and images(rows.get("deleted"), wrapped=True)):
        raise _damaged(name, _("its {member} is not what fieldnotes writes").format(member=ROWS))
    if not isinstance(log, dict):
        raise _damaged(name, _("its {member} is not what fieldnotes writes").format(member=EVENTS))
    changes, events = log.get("changes"), log.get("events")
    if not isinstance(changes, list | None) or not isinstance(events, list | None) or not all(
            isinstance(change, dict) and _is_id(change.get("id")) for change in changes or []) or not all(
            isinstance(event, dict) and isinstance(event.get("table"), str) and _is_id(event.get("row_id"))
            and _is_id(event.get("change")) and isinstance(event.get("before"), dict | None)
            and isinstance(event.get("after"), dict | None) for event in events or []):
        raise _damaged(name, _("its {member} is not what fieldnotes writes").format(member=EVENTS))


def _open(path: Path, ours: Path | None) -> archives.Checked:
    """The bundle's archive with its directory checked (fieldnotes.archives): names, sizes, zip bombs."""
    name = path.name
    try:
        opened = zipfile.ZipFile(io.BytesIO(_unsealed(path, ours)) if sealed.is_sealed(_head(path)) else path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        raise _damaged(name, _("not a complete zip archive")) from None
    except OSError as error:
        raise FieldnotesError(_("cannot read {name} ({strerror})").format(name=name, strerror=error.strerror)) from None
    return archives.Checked(opened, name, LIMITS, what=_("bundle"), hint=_("make the bundle again and copy it whole"),
                            refusal_hint=_("merge only bundles made with `fieldnotes bundle`; nothing was merged"))


def _member(archive: archives.Checked, member: str, limit: int | None = None) -> bytes:
    try:
        return archive.read(member, limit)
    except KeyError:
        raise _damaged(archive.name, _("{member} is missing").format(member=member)) from None


def read_bundle(path: Path | str, *, ours: Path | None = None) -> Bundle:
    """Read and check a bundle: a complete archive, our format, a known schema, intact checksums.

    The manifest is read and checked first, then the rows and events, each no larger than the limits
    allow (`LIMITS`). An encrypted bundle is opened first (see `_unsealed`; `ours` is the project it is
    merged into).
    """
    path = Path(path)
    name = path.name
    with _open(path, ours) as archive:
        if MANIFEST not in {info.filename for info in archive.infos}:
            raise InvalidInput(_("{name} is a zip archive, but not a fieldnotes bundle (it has no {MANIFEST})")
                               .format(name=name, MANIFEST=MANIFEST))
        raw = {MANIFEST: _member(archive, MANIFEST, MAX_MANIFEST_BYTES)}
        manifest = _checked_manifest(name, raw[MANIFEST])
        for member in (ROWS, EVENTS):
            raw[member] = _member(archive, member)
    payload = manifest.get("payload") or {}
    for member in (ROWS, EVENTS):
        if payload.get(member) != digest(raw[member]):
            raise _damaged(name, _("the checksum of {member} does not match").format(member=member))
    try:
        rows = json.loads(raw[ROWS])
        log = json.loads(raw[EVENTS])
    except ValueError:
        raise _damaged(name, _("its rows are not JSON")) from None
    _check_shape(name, rows, log)
    known = set(MERGED_TABLES)

    def tables(group: Any) -> dict[str, list[Any]]:
        return {t: list(items) for t, items in (group or {}).items() if t in known}

    return Bundle(name, manifest, tables(rows.get("changed")), tables(rows.get("context")),
                  tables(rows.get("deleted")), list(log.get("changes") or []),
                  [e for e in log.get("events") or [] if e.get("table") in known])

