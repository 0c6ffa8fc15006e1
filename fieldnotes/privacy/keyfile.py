"""The pseudonym key file: the register written out, so it can be kept apart from the data.

A key file is YAML (`.yaml`, `.yml`) or JSON (`.json`) with the entries' ids, originals, pseudonyms,
categories and attributes, readable by the owner only. It holds no paths and no document text. The
same format, with ids left out, is how a register is written by hand (the demo's
`examples/demo/pseudonyms.yaml`) and imported.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes import clock
from fieldnotes.db.models import Pseudonym
from fieldnotes.errors import FieldnotesError, InvalidInput, Refused
from fieldnotes.fileio import write_atomic
from fieldnotes.privacy import register
from fieldnotes.privacy.redact import Afterwards, Redaction
from fieldnotes.privacy.replacing import normalise
from fieldnotes.project.opening import Project
from fieldnotes.translations import _, ngettext, said

FORMAT = "fieldnotes-pseudonym-key"
VERSION = 1
HEADER = ("# fieldnotes pseudonym key. It re-identifies the people in the material:\n"
          "# keep it apart from the project and the exports, encrypted, and only as long as the study needs it.\n")


def is_json(path: Path) -> bool:
    """JSON or YAML, by the file's extension (anything else is refused)."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return True
    if suffix in (".yaml", ".yml"):
        return False
    raise InvalidInput(_("{name}: a key file is .yaml, .yml or .json")
                       .format(name=path.name), hint=_("name it {stem}.yaml").format(stem=path.stem))


def entry(row: Pseudonym) -> dict[str, Any]:
    """A register entry as a key file holds it (the form `read` returns)."""
    return {"id": row.id, "original": row.original, "pseudonym": row.pseudonym, "category": row.category,
            "attributes": dict(row.attributes or {})}


def document(entries: list[dict[str, Any]], project_name: str) -> dict[str, Any]:
    items = []
    for e in entries:
        item: dict[str, Any] = {"id": str(e["id"])} if e.get("id") else {}
        item.update({"original": e["original"], "pseudonym": e["pseudonym"], "category": e["category"],
                     "attributes": dict(e.get("attributes") or {})})
        items.append(item)
    return {
        "format": FORMAT,
        "version": VERSION,
        "project": project_name,
        "exported": clock.now().replace(microsecond=0).isoformat(),
        "entries": items,
    }


def _identity(item: dict[str, Any]) -> tuple[str, str | None, str]:
    return (str(item["id"]) if item.get("id") else "", item.get("original"), str(item["pseudonym"]))


def write(path: Path, entries: list[dict[str, Any]], project_name: str, *, held: int = 0) -> dict[str, Any]:
    """Write the key file atomically, owner-only; returns what was written.

    `held` is how many entries the file held before: a key file is never written with fewer.
    """
    if len(entries) < held:  # pragma: no cover - merge() keeps every entry; this guards the rule itself
        raise FieldnotesError(_("{name} holds {held} entries and would be written with {n_entries}; it was left as it "
                                "is").format(name=path.name, held=held, n_entries=len(entries)))
    data = document(entries, project_name)
    if is_json(path):
        body = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        import yaml

        body = HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    write_atomic(path, body.encode("utf-8"))
    written = [_identity(e) for e in read(path)["entries"]]
    if written != [_identity(e) for e in data["entries"]]:  # pragma: no cover
        raise FieldnotesError(_("{name} does not read back as written; the originals were kept in the project")
                              .format(name=path.name))
    return data


@dataclass
class Merged:
    """What a key file will hold: every entry it held, and the register's entries it lacked."""

    entries: list[dict[str, Any]]
    held: int = 0  # entries in the file before
    added: int = 0  # register entries the file did not hold
    kept: int = 0  # entries only in the file (separated earlier, or from another register)


def existing(path: Path) -> list[dict[str, Any]]:
    """The entries of a key file about to be written again; refuses a file that is not a readable key."""
    try:
        return list(read(path)["entries"])
    except FieldnotesError as error:
        raise Refused(_("{name} exists and is not a key file fieldnotes can add to ({message}); nothing was written")
                      .format(name=path.name, message=error.message), hint=_("choose another file name")) from None


def merge(held: list[dict[str, Any]], register_entries: list[dict[str, Any]], *, name: str) -> Merged:
    """The key file's entries after writing the register's into it, in the same format.

    Every entry the file held stays (a key separated earlier exists nowhere else). An entry of the
    register with the same id replaces it (its category or attributes may have changed); one that
    maps the same id differently is refused, as nothing can tell which of the two is right.
    """
    by_id = {str(e["id"]): e for e in register_entries if e.get("id")}
    by_pair = {(e["original"], e["pseudonym"]): e for e in register_entries}
    used: set[int] = set()
    out: list[dict[str, Any]] = []
    kept = 0
    for item in held:
        mine = by_id.get(str(item["id"])) if item.get("id") else by_pair.get((item["original"], item["pseudonym"]))
        if mine is None:
            out.append(item)
            kept += 1
            continue
        if mine["pseudonym"] != item["pseudonym"] or (item["original"] and mine["original"] != item["original"]):
            raise Refused(_("{name} maps the entry {pseudonym!r} differently from the register; nothing was written")
                          .format(name=name, pseudonym=item['pseudonym']),
                              hint=_("write the key to another file and compare the two"))
        out.append(mine)
        used.add(id(mine))
    added = [e for e in register_entries if id(e) not in used]
    return Merged(out + added, held=len(held), added=len(added), kept=kept)


def read(path: Path) -> dict[str, Any]:
    """A key file (or a hand-written register) as data, checked."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FieldnotesError(_("no key file {path}").format(path=path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise FieldnotesError(_("cannot read {name} ({error})")
                              .format(name=path.name, error=type(error).__name__)) from None
    if is_json(path):
        try:
            data = json.loads(text)
        except ValueError as error:
            raise InvalidInput(_("{name}, line {getattr}: the key file is not valid JSON")
                               .format(name=path.name, getattr=getattr(error, 'lineno', '?')),
                               hint=_("fix it, or export the key again with `fieldnotes pseudonyms export`")) from None
    else:
        from fieldnotes import safeyaml

        data = safeyaml.load(text, path.name, what=_("the key file"),
                             hint=_("fix it, or export the key again with `fieldnotes pseudonyms export`"))
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise InvalidInput(_("{name} is not a pseudonym key file (it has no list of entries)").format(name=path.name))
    if data.get("format", FORMAT) != FORMAT:
        raise InvalidInput(_("{name} is a {data!r} file, not a pseudonym key")
                           .format(name=path.name, data=data.get('format')))
    entries = []
    for number, item in enumerate(data["entries"], start=1):
        if not isinstance(item, dict) or not item.get("pseudonym"):
            raise InvalidInput(_("{name}: entry {number} has no pseudonym").format(name=path.name, number=number))
        raw_id = item.get("id")
        try:
            entry_id = uuid.UUID(str(raw_id)) if raw_id else None
        except ValueError:
            raise InvalidInput(_("{name}: entry {number} has a bad id").format(name=path.name, number=number)) from None
        attributes = item.get("attributes") or {}
        if not isinstance(attributes, dict):
            raise InvalidInput(_("{name}: entry {number}'s attributes are not KEY: VALUE pairs")
                               .format(name=path.name, number=number))
        entries.append({
            "id": entry_id,
            "original": normalise(str(item["original"])) if item.get("original") else None,
            "pseudonym": normalise(str(item["pseudonym"])),
            "category": register.normalise_category(item.get("category")),
            "attributes": {str(k): str(v) for k, v in attributes.items()},
        })
    data["entries"] = entries
    return data


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)  # pseudonyms
    restored: list[str] = field(default_factory=list)  # separated entries given back their original
    unchanged: int = 0
    refused: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"added": len(self.added), "restored": len(self.restored), "unchanged": self.unchanged,
                "refused": self.refused}


def import_entries(session: Session, items: list[dict[str, Any]], *, coder_id: uuid.UUID | None) -> ImportReport:
    """Merge key-file entries into the register (inside the caller's change).

    An entry whose id is known and whose key was separated gets its original back (re-identification);
    known entries otherwise stay as they are; new ones are added with their ids, under the register's rules.
    """
    report = ImportReport()
    for item in items:
        row = session.get(Pseudonym, item["id"]) if item["id"] else None
        if row is None and item["original"]:
            row = session.scalars(select(Pseudonym).where(Pseudonym.original == item["original"])).first()
        if row is not None:
            if row.separated and row.original is None and item["original"]:
                if row.pseudonym != item["pseudonym"]:
                    report.refused.append(f"{item['pseudonym']}: the project calls this entry {row.pseudonym!r}")
                    continue
                try:
                    register.check(session, item["original"], row.pseudonym, ignore=row.id)
                except FieldnotesError as error:
                    report.refused.append(f"{item['pseudonym']}: {error.message}")
                    continue
                row.original, row.separated = item["original"], False
                report.restored.append(row.pseudonym)
            elif row.pseudonym == item["pseudonym"] and (row.original == item["original"] or not item["original"]):
                report.unchanged += 1
            else:
                report.refused.append(f"{item['pseudonym']}: the register already maps this differently")
            continue
        if not item["original"]:
            report.refused.append(f"{item['pseudonym']}: no original, and no entry of this project to attach to")
            continue
        try:
            register.add(session, item["original"], item["pseudonym"], category=item["category"],
                         attributes=item["attributes"], coder_id=coder_id, entry_id=item["id"])
        except FieldnotesError as error:
            report.refused.append(f"{item['pseudonym']}: {error.message}")
            continue
        report.added.append(item["pseudonym"])
    session.flush()
    return report


def import_key(project: Project, path: Path, coder: str) -> ImportReport:
    """Import a key file's entries (`fieldnotes pseudonyms import`), as one recorded change by `coder`: new
    entries are added, separated ones get their originals back, and entries the register refuses are
    reported in `refused` while the rest are taken."""
    from fieldnotes.project.actions import acting

    data = read(path)
    with acting(project, coder, "pseudonyms.import", said("imported pseudonym entries from {name}", name=path.name)) \
            as (session, cid):
        return import_entries(session, data["entries"], coder_id=cid)


def load_register(project: Project, path: Path, coder_name: str) -> ImportReport:
    """Import a key file or hand-written register into a project, as one recorded change.

    Used by the demo build; a file with entries the register refuses is an error, not a partial load.
    """
    from fieldnotes.db import coders, history

    data = read(path)
    cid = coders.coder_id(coder_name)
    with project.write() as session, history.change(session, coder_id=cid, action="pseudonyms.import",
                                                    summary=said("imported pseudonym entries from {name}",
                                                                 name=path.name)):
        coders.ensure_coder(session, coder_name)
        report = import_entries(session, data["entries"], coder_id=cid)
        if report.refused:
            raise FieldnotesError(ngettext("{name}: {n} entry refused: {names}", "{name}: {n} entries refused: {names}",
                                           len(report.refused))
                                  .format(name=path.name, n=len(report.refused), names="; ".join(report.refused[:3])))
    return report


# --- separating the key: `fieldnotes pseudonyms export [--remove]` --------------------------------


@dataclass
class KeyExport:
    """What writing the key did: the file, what it holds now, and, when the originals were taken out of
    the project, the history's redaction and what was left to tidy (freed pages, old backups)."""

    path: Path
    entries: int  # register entries written
    merged: Merged
    removed: bool  # the originals were taken out of the project (the key is separated)
    redaction: Redaction = field(default_factory=Redaction)
    afterwards: Afterwards | None = None

    def as_dict(self) -> dict[str, Any]:
        info: dict[str, Any] = {"file": str(self.path), "entries": self.entries, "in_file": len(self.merged.entries),
                                "kept_from_file": self.merged.kept, "removed": self.removed,
                                "redacted": self.redaction.as_dict()}
        if self.afterwards is not None:
            info.update({"backups": [p.name for p in self.afterwards.kept],
                         "deleted_backups": [p.name for p in self.afterwards.deleted]})
        return info


def check_target(path: Path, *, force: bool = False) -> None:
    """Refuse, before anything happens, a key file name with an unknown extension, an existing file
    without `force`, and an existing file that is not a key file fieldnotes can add to."""
    is_json(path)
    if path.exists() and not force:
        raise FieldnotesError(_("{path} already exists").format(path=path),
                              hint=_("add --force to write the register's entries into it (every entry it holds is "
                                     "kept)"))
    if path.exists():
        existing(path)


def _exportable(session: Session, *, remove: bool) -> list[Pseudonym]:
    """The register entries that hold originals; refused when there are none, or (when the originals are
    to be taken out) while an original still occurs in the material."""
    from fieldnotes.privacy import apply

    rows = [p for p in register.entries(session) if p.original]
    if not rows:
        raise Refused(_("the register holds no originals to export"),
                      hint=_("add entries first, or import a key file to restore separated ones"))
    if remove:
        left = apply.find(session, register.replacer(session))
        if left:
            raise Refused(_("the key was not written: {n_left} occurrence(s) of originals remain in the "
                            "material, in {where}").format(n_left=len(left), where=apply.where(left)),
                          hint=_("run `fieldnotes pseudonyms apply` first"))
    return rows


def check_export(project: Project, path: Path, *, remove: bool = False, force: bool = False) -> int:
    """Everything `export_key` would refuse, checked without writing (to ask a person before acting);
    returns how many entries would be written."""
    check_target(path, force=force)
    with project.read() as session:
        return len(_exportable(session, remove=remove))


def export_key(project: Project, path: Path, coder: str, *, remove: bool = False, force: bool = False,
               delete_backups: bool = False) -> KeyExport:
    """Write the register's originals into a key file (adding to one that exists, with `force`), as one
    recorded change.

    With `remove`, the key is separated: in the same transaction the originals are nulled in the
    register (freed pages overwritten), the history is redacted (undo stops here) and the search index
    rebuilt; then the freed pages are cleared and the backups that hold originals are found (deleted
    with `delete_backups`). Refused while an original still occurs in the material.
    """
    from fieldnotes.db import history
    from fieldnotes.privacy import redact
    from fieldnotes.project.actions import ensure_recorded_coder

    check_target(path, force=force)
    with project.write() as session:
        rows = _exportable(session, remove=remove)
        rep = register.replacer(session)
        name = project.settings(session).name
        merged = merge(existing(path) if path.exists() else [], [entry(r) for r in rows], name=path.name)
        write(path, merged.entries, name, held=merged.held)
        details = {"file": path.name, "format": path.suffix.lstrip(".").lower(), "entries": len(rows),
                   "removed": remove, "pseudonymized": False, "filters": {}}
        values = {"n": len(rows), "file": path.name, "held": len(merged.entries)}
        if merged.held and remove:
            summary = said("exported the pseudonym key ({n} entries) to {file}, which now holds {held}, and took the "
                           "originals out of the project", **values)
        elif merged.held:
            summary = said("exported the pseudonym key ({n} entries) to {file}, which now holds {held}", **values)
        elif remove:
            summary = said("exported the pseudonym key ({n} entries) to {file} and took the originals out of the "
                           "project", **values)
        else:
            summary = said("exported the pseudonym key ({n} entries) to {file}", **values)
        cid = ensure_recorded_coder(session, coder)
        redaction = Redaction()
        if remove:
            redact.secure_delete(session)
            with history.change(session, coder_id=cid, action="pseudonyms.export", summary=summary, details=details):
                for row in session.scalars(select(Pseudonym).where(Pseudonym.original.is_not(None))):
                    row.original, row.separated = None, True
            redaction = redact.redact_history(session, rep, drop_originals=True)
            redact.rebuild_search_index(session)
        else:
            history.record_action(session, coder_id=cid, action="pseudonyms.export", summary=summary,
                                  details=details)
    afterwards = redact.tidy_up(project, delete_backups=delete_backups) if remove else None
    return KeyExport(path, len(rows), merged, remove, redaction, afterwards)
