"""Handlers of `fieldnotes pseudonyms …` (see fieldnotes.cli.args_privacy and docs/privacy.md)."""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from fieldnotes.cli.coding_cmds import acting
from fieldnotes.cli.context import Context
from fieldnotes.errors import FieldnotesError, InvalidInput, Refused


def _ensure_coder(session: Session, name: str) -> uuid.UUID:
    """The acting coder's id, created first (in a change of its own) if this is their first action."""
    from fieldnotes.project.actions import ensure_recorded_coder

    return ensure_recorded_coder(session, name)


# --- add / list / remove / import ----------------------------------------------------------------


def add(ctx: Context) -> int:
    from fieldnotes.privacy import register

    args = ctx.args
    if args.from_participants:
        if args.original or args.pseudonym:
            raise InvalidInput("give either ORIGINAL PSEUDONYM or --from-participants, not both")
        return _from_participants(ctx)
    if args.dry_run:
        raise InvalidInput("--dry-run goes with --from-participants")
    if not args.original or not args.pseudonym:
        raise InvalidInput("say what to replace and with what: fieldnotes pseudonyms add ORIGINAL PSEUDONYM")
    attributes = register.parse_attributes(args.attr)
    category = register.normalise_category(args.category)
    with acting(ctx, "pseudonyms.add", f"added the pseudonym {args.pseudonym.strip()} ({category})") as (session, cid):
        entry = register.add(session, args.original, args.pseudonym, category=category, attributes=attributes,
                             coder_id=cid)
        info = register.as_dict(entry)
    ctx.emit(info, f"{info['original']} -> {info['pseudonym']} ({info['category']}, id {info['id'][:8]})")
    return 0


def _from_participants(ctx: Context) -> int:
    from fieldnotes.privacy import register

    if ctx.args.dry_run:
        with ctx.project(readonly=True).read() as session:
            proposals = register.propose_from_participants(session)
    else:
        with acting(ctx, "pseudonyms.add", "added pseudonyms for the participants") as (session, cid):
            proposals = register.propose_from_participants(session)
            for proposal in proposals.entries:
                register.add(session, proposal.original, proposal.pseudonym, category=proposal.category,
                             attributes=proposal.attributes, coder_id=cid)
    verb = "would add" if ctx.args.dry_run else "added"
    lines = [f"  {p.original} -> {p.pseudonym}" + (f"  ({p.attributes['role']})" if p.attributes.get("role") else "")
             for p in proposals.entries]
    lines.append(f"{verb} {len(proposals.entries)} entr{'y' if len(proposals.entries) == 1 else 'ies'}")
    lines += [f"  skipped {reason}" for reason in proposals.skipped]
    ctx.emit({"dry_run": bool(ctx.args.dry_run), "entries": [p.as_dict() for p in proposals.entries],
              "skipped": proposals.skipped}, lines)
    return 0


def list_entries(ctx: Context) -> int:
    from sqlalchemy import select

    from fieldnotes.db.models import Document
    from fieldnotes.privacy import register

    with ctx.project(readonly=True).read() as session:
        rows = register.entries(session)
        rep = register.replacer(session)
        counts: Counter[str] = Counter()
        if rep.active:
            for text in session.scalars(select(Document.text)):
                counts.update(m.original for m in rep.matches(text))
        data = [{**register.as_dict(e), "occurrences": counts.get(e.original, 0) if e.original else 0} for e in rows]
    lines = [f"{d['id'][:8]}  {d['category']:<12}  {d['original'] or '(in the key file)'} -> {d['pseudonym']}"
             + (f"  [{', '.join(f'{k}={v}' for k, v in d['attributes'].items())}]" if d["attributes"] else "")
             + (f"  ({d['occurrences']}× in the documents)" if d["occurrences"] else "") for d in data]
    lines.append(f"{len(data)} entr{'y' if len(data) == 1 else 'ies'}")
    ctx.emit(data, lines)
    return 0


def remove(ctx: Context) -> int:
    from fieldnotes.privacy import register

    with acting(ctx, "pseudonyms.remove", "removed a pseudonym") as (session, _):
        entry = register.resolve(session, ctx.args.entry)
        info = register.as_dict(entry)
        session.delete(entry)
    ctx.emit(info, f"removed {info['original'] or '(separated)'} -> {info['pseudonym']}")
    return 0


def import_key(ctx: Context) -> int:
    from fieldnotes.privacy import keyfile

    path = Path(ctx.args.keyfile).expanduser()
    data = keyfile.read(path)
    with acting(ctx, "pseudonyms.import", f"imported pseudonym entries from {path.name}") as (session, cid):
        report = keyfile.import_entries(session, data["entries"], coder_id=cid)
    lines = [f"added {len(report.added)}, gave {len(report.restored)} separated entr"
             f"{'y' if len(report.restored) == 1 else 'ies'} their originals back, {report.unchanged} already there"]
    lines += [f"  not taken: {reason}" for reason in report.refused]
    ctx.emit({"file": path.name, **report.as_dict()}, lines)
    return 0


# --- export / apply ------------------------------------------------------------------------------


def _after_redaction(ctx: Context, project: Any, *, key_separated: bool) -> tuple[dict[str, Any], list[str]]:
    """Clear freed pages, then list (or delete) the backups that still hold originals; returns the
    command's JSON additions and its summary lines about backups."""
    from fieldnotes.privacy import redact

    for notice in redact.clear_freed_pages(project):
        ctx.note(notice)
    backups = redact.backups_holding_originals(project)
    deleted: list[Path] = []
    lines: list[str] = []
    if backups and ctx.args.delete_backups:
        deleted = redact.delete_backups(backups)
        lines.append(f"deleted {len(deleted)} older backup(s) of the project that held the originals")
    elif backups:
        for path in backups:
            ctx.note(f"  {path}")
        lines.append(f"{len(backups)} older backup(s) of the project still hold the originals (listed above); "
                     "they were kept: delete them with --delete-backups, or keep them as safely as the key file")
    else:
        lines.append("no older backup of the project holds the originals")
    if key_separated:
        lines.append("backups made from now on hold no originals")
    return {"backups": [p.name for p in backups if p not in deleted], "deleted_backups": [p.name for p in deleted]}, \
        lines


def export_key(ctx: Context) -> int:
    from sqlalchemy import select

    from fieldnotes.db import history
    from fieldnotes.db.models import Pseudonym
    from fieldnotes.privacy import apply, keyfile, redact, register

    args = ctx.args
    path = Path(args.keyfile).expanduser()
    keyfile.is_json(path)  # refuses an unknown extension before anything happens
    if path.exists() and not args.force:
        raise FieldnotesError(f"{path} already exists",
                              hint="add --force to write the register's entries into it (every entry it holds is kept)")
    if path.exists():
        keyfile.existing(path)  # refuses a file it cannot add to before anything happens
    project = ctx.project()
    coder = ctx.coder_name()

    def exportable(session: Session) -> list[Pseudonym]:
        rows = [p for p in register.entries(session) if p.original]
        if not rows:
            raise Refused("the register holds no originals to export",
                          hint="add entries first, or import a key file to restore separated ones")
        if args.remove:
            left = apply.find(session, register.replacer(session))
            if left:
                raise Refused(f"the key was not written: {len(left)} occurrence(s) of originals remain in the "
                              f"material, in {apply.where(left)}",
                              hint="run `fieldnotes pseudonyms apply` first")
        return rows

    if args.remove:
        with project.read() as session:
            exportable(session)
        if not ctx.confirm(f"write the key to {path.name} and take the originals out of the project?",
                           yes=args.yes):
            ctx.note("nothing was changed")
            return 0
    with project.write() as session:
        rows = exportable(session)  # again, inside the transaction that acts on it
        rep = register.replacer(session)
        name = project.settings(session).name
        merged = keyfile.merge(keyfile.existing(path) if path.exists() else [], [keyfile.entry(r) for r in rows],
                               name=path.name)
        keyfile.write(path, merged.entries, name, held=merged.held)
        details = {"file": path.name, "format": path.suffix.lstrip(".").lower(), "entries": len(rows),
                   "removed": bool(args.remove), "pseudonymized": False, "filters": {}}
        summary = f"exported the pseudonym key ({len(rows)} entries) to {path.name}"
        if merged.held:
            summary += f", which now holds {len(merged.entries)}"
        cid = _ensure_coder(session, coder)
        redaction = redact.Redaction()
        if args.remove:
            redact.secure_delete(session)
            with history.change(session, coder_id=cid, action="pseudonyms.export",
                                summary=summary + " and took the originals out of the project", details=details):
                for row in session.scalars(select(Pseudonym).where(Pseudonym.original.is_not(None))):
                    row.original, row.separated = None, True
            redaction = redact.redact_history(session, rep, drop_originals=True)
            redact.rebuild_search_index(session)
        else:
            history.record_action(session, coder_id=cid, action="pseudonyms.export", summary=summary,
                                  details=details)
    info: dict[str, Any] = {"file": str(path), "entries": len(rows), "in_file": len(merged.entries),
                            "kept_from_file": merged.kept, "removed": bool(args.remove),
                            "redacted": redaction.as_dict()}
    if merged.held:
        lines = [f"wrote the key to {path}: it now holds {len(merged.entries)} entries ({merged.added} new, "
                 f"{merged.held} it held before, all kept); keep it apart from the project"]
    else:
        lines = [f"wrote the key ({len(rows)} entries) to {path}; keep it apart from the project"]
    if args.remove:
        extra, backup_lines = _after_redaction(ctx, project, key_separated=True)
        info.update(extra)
        lines.append("the originals were taken out of the project; re-identifying now needs the key file")
        lines += backup_lines
    ctx.emit(info, lines)
    return 0


def apply(ctx: Context) -> int:
    from fieldnotes.privacy import inplace

    args = ctx.args
    if args.dry_run:
        found = inplace.pending(ctx.project(readonly=True))
        lines = [f"{o.label or o.table}  {o.column}" + (f" {o.start}:{o.end}" if o.start is not None else "")
                 + f"  {o.found} -> {o.replacement}" + (f"  {o.context}" if o.context else "") for o in found]
        lines.append(f"dry run: {len(found)} replacement(s) would be made; nothing was changed")
        ctx.emit({"dry_run": True, "replacements": [o.as_dict() for o in found]}, lines)
        return 0
    project = ctx.project()
    todo = inplace.pending(project)
    if not todo:
        ctx.emit({"dry_run": False, "replacements": 0}, "nothing to replace: no original occurs in the project")
        return 0
    documents = len({o.document for o in todo if o.table == "documents"})
    if not ctx.confirm(f"replace {len(todo)} occurrence(s) in {documents} document(s) and redact the history "
                       "(this cannot be undone)?", yes=args.yes):
        ctx.note("nothing was changed")
        return 0
    result, redaction = inplace.replace_and_redact(project, ctx.coder_name())
    info: dict[str, Any] = {"dry_run": False, **result.as_dict(), "redacted": redaction.as_dict()}
    extra, backup_lines = _after_redaction(ctx, project, key_separated=False)
    info.update(extra)
    lines = [f"replaced {result.replacements} name(s) in {result.documents} document(s) and {result.fields} other "
             f"field(s); {result.codings_moved} coding(s) moved with their words"]
    if result.flagged:
        lines.append(f"{len(result.flagged)} coding(s) covered part of a name and are marked for review")
    if result.coder_names:
        ctx.note("coders' names are never replaced: " + ", ".join(result.coder_names))
    lines.append(f"redacted {redaction.events} row image(s) in the history; undo stops here")
    lines += backup_lines
    ctx.emit(info, lines)
    return 0


def detect(ctx: Context) -> int:
    from fieldnotes.privacy import detect as detecting

    with ctx.project(readonly=True).read() as session:
        found = detecting.candidates(session, ctx.args.kind or None)
    lines = [f"{c.kind:<8} {c.text}  ({c.document_title} @{c.start})  {c.context}"
             + (f"  [{c.note}]" if c.note else "") for c in found]
    counts = Counter(c.kind for c in found)
    lines.append(f"{len(found)} candidate(s)" + (": " + ", ".join(f"{n} {k}" for k, n in counts.items()) if counts
                                                 else "") + "; nothing was replaced")
    ctx.emit([c.as_dict() for c in found], lines)
    return 0
