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
from fieldnotes.translations import _, ngettext, said


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
            raise InvalidInput(_("give either ORIGINAL PSEUDONYM or --from-participants, not both"))
        return _from_participants(ctx)
    if args.dry_run:
        raise InvalidInput(_("--dry-run goes with --from-participants"))
    if not args.original or not args.pseudonym:
        raise InvalidInput(_("say what to replace and with what: fieldnotes pseudonyms add ORIGINAL PSEUDONYM"))
    attributes = register.parse_attributes(args.attr)
    category = register.normalise_category(args.category)
    with acting(ctx, "pseudonyms.add", said("added the pseudonym {text} ({category})", text=args.pseudonym.strip(),
                                            category=category)) as (session, cid):
        entry = register.add(session, args.original, args.pseudonym, category=category, attributes=attributes,
                             coder_id=cid)
        info = register.as_dict(entry)
    ctx.emit(info, _("{original} -> {pseudonym} ({category}, id {item})")
             .format(original=info['original'], pseudonym=info['pseudonym'], category=info['category'],
                     item=info['id'][:8]))
    return 0


def _from_participants(ctx: Context) -> int:
    from fieldnotes.privacy import register

    if ctx.args.dry_run:
        with ctx.project(readonly=True).read() as session:
            proposals = register.propose_from_participants(session)
    else:
        with acting(ctx, "pseudonyms.add", said("added pseudonyms for the participants")) as (session, cid):
            proposals = register.propose_from_participants(session)
            for proposal in proposals.entries:
                register.add(session, proposal.original, proposal.pseudonym, category=proposal.category,
                             attributes=proposal.attributes, coder_id=cid)
    lines = [f"  {p.original} -> {p.pseudonym}" + (f"  ({p.attributes['role']})" if p.attributes.get("role") else "")
             for p in proposals.entries]
    count = len(proposals.entries)
    lines.append((ngettext("would add {n} entry", "would add {n} entries", count) if ctx.args.dry_run
                  else ngettext("added {n} entry", "added {n} entries", count)).format(n=count))
    lines += ["  " + _("skipped {reason}").format(reason=reason) for reason in proposals.skipped]
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
    lines = [f"{d['id'][:8]}  {d['category']:<12}  {d['original'] or _('(in the key file)')} -> {d['pseudonym']}"
             + (f"  [{', '.join(f'{k}={v}' for k, v in d['attributes'].items())}]" if d["attributes"] else "")
             + ("  " + _("({n}× in the documents)").format(n=d["occurrences"]) if d["occurrences"] else "")
             for d in data]
    lines.append(ngettext("{n} entry", "{n} entries", len(data)).format(n=len(data)))
    ctx.emit(data, lines)
    return 0


def remove(ctx: Context) -> int:
    from fieldnotes.privacy import register

    with acting(ctx, "pseudonyms.remove", said("removed a pseudonym")) as (session, _cid):
        entry = register.resolve(session, ctx.args.entry)
        info = register.as_dict(entry)
        session.delete(entry)
    ctx.emit(info, _("removed {value} -> {pseudonym}")
             .format(value=info['original'] or '(separated)', pseudonym=info['pseudonym']))
    return 0


def import_key(ctx: Context) -> int:
    from fieldnotes.privacy import keyfile

    path = Path(ctx.args.keyfile).expanduser()
    data = keyfile.read(path)
    with acting(ctx, "pseudonyms.import", said("imported pseudonym entries from {name}", name=path.name)) as (session,
            cid):
        report = keyfile.import_entries(session, data["entries"], coder_id=cid)
    lines = [_("added {added}, gave {restored} separated entries their originals back, {unchanged} already there")
             .format(added=len(report.added), restored=len(report.restored), unchanged=report.unchanged)]
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
        lines.append(_("deleted {n} older backup(s) of the project that held the originals").format(n=len(deleted)))
    elif backups:
        for path in backups:
            ctx.note(f"  {path}")
        lines.append(_("{n_backups} older backup(s) of the project still hold the originals (listed above); they "
                       "were kept: delete them with --delete-backups, or keep them as safely as the key file")
                     .format(n_backups=len(backups)))
    else:
        lines.append(_("no older backup of the project holds the originals"))
    if key_separated:
        lines.append(_("backups made from now on hold no originals"))
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
        raise FieldnotesError(_("{path} already exists").format(path=path),
                              hint=_("add --force to write the register's entries into it (every entry it holds is "
                                     "kept)"))
    if path.exists():
        keyfile.existing(path)  # refuses a file it cannot add to before anything happens
    project = ctx.project()
    coder = ctx.coder_name()

    def exportable(session: Session) -> list[Pseudonym]:
        rows = [p for p in register.entries(session) if p.original]
        if not rows:
            raise Refused(_("the register holds no originals to export"),
                          hint=_("add entries first, or import a key file to restore separated ones"))
        if args.remove:
            left = apply.find(session, register.replacer(session))
            if left:
                raise Refused(_("the key was not written: {n_left} occurrence(s) of originals remain in the "
                                "material, in {where}").format(n_left=len(left), where=apply.where(left)),
                              hint=_("run `fieldnotes pseudonyms apply` first"))
        return rows

    if args.remove:
        with project.read() as session:
            exportable(session)
        if not ctx.confirm(_("write the key to {name} and take the originals out of the project?")
                           .format(name=path.name),
                           yes=args.yes):
            ctx.note(_("nothing was changed"))
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
        values = {"n": len(rows), "file": path.name, "held": len(merged.entries)}
        if merged.held and args.remove:
            summary = said("exported the pseudonym key ({n} entries) to {file}, which now holds {held}, and took the "
                           "originals out of the project", **values)
        elif merged.held:
            summary = said("exported the pseudonym key ({n} entries) to {file}, which now holds {held}", **values)
        elif args.remove:
            summary = said("exported the pseudonym key ({n} entries) to {file} and took the originals out of the "
                           "project", **values)
        else:
            summary = said("exported the pseudonym key ({n} entries) to {file}", **values)
        cid = _ensure_coder(session, coder)
        redaction = redact.Redaction()
        if args.remove:
            redact.secure_delete(session)
            with history.change(session, coder_id=cid, action="pseudonyms.export", summary=summary, details=details):
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
        lines = [_("wrote the key to {path}: it now holds {n_entries} entries ({added} new, {held} it held before, all "
                   "kept); keep it apart from the project").format(path=path, n_entries=len(merged.entries),
                                                                   added=merged.added, held=merged.held)]
    else:
        lines = [_("wrote the key ({n_rows} entries) to {path}; keep it apart from the project")
                 .format(n_rows=len(rows), path=path)]
    if args.remove:
        extra, backup_lines = _after_redaction(ctx, project, key_separated=True)
        info.update(extra)
        lines.append(_("the originals were taken out of the project; re-identifying now needs the key file"))
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
        lines.append(_("dry run: {n_found} replacement(s) would be made; nothing was changed")
                     .format(n_found=len(found)))
        ctx.emit({"dry_run": True, "replacements": [o.as_dict() for o in found]}, lines)
        return 0
    project = ctx.project()
    todo = inplace.pending(project)
    if not todo:
        ctx.emit({"dry_run": False, "replacements": 0}, _("nothing to replace: no original occurs in the project"))
        return 0
    documents = len({o.document for o in todo if o.table == "documents"})
    if not ctx.confirm(_("replace {n_todo} occurrence(s) in {documents} document(s) and redact the history (this "
                         "cannot be undone)?").format(n_todo=len(todo), documents=documents), yes=args.yes):
        ctx.note(_("nothing was changed"))
        return 0
    result, redaction = inplace.replace_and_redact(project, ctx.coder_name())
    info: dict[str, Any] = {"dry_run": False, **result.as_dict(), "redacted": redaction.as_dict()}
    extra, backup_lines = _after_redaction(ctx, project, key_separated=False)
    info.update(extra)
    lines = [_("replaced {replacements} name(s) in {documents} document(s) and {fields} other field(s); "
               "{codings_moved} coding(s) moved with their words").format(
        replacements=result.replacements, documents=result.documents, fields=result.fields,
        codings_moved=result.codings_moved)]
    if result.flagged:
        lines.append(_("{n_flagged} coding(s) covered part of a name and are marked for review")
                     .format(n_flagged=len(result.flagged)))
    if result.coder_names:
        ctx.note(_("coders' names are never replaced: {names}").format(names=", ".join(result.coder_names)))
    lines.append(_("redacted {events} row image(s) in the history; undo stops here").format(events=redaction.events))
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
    lines.append(_("{n} candidate(s){kinds}; nothing was replaced").format(
        n=len(found), kinds=(": " + ", ".join(f"{n} {k}" for k, n in counts.items())) if counts else ""))
    ctx.emit([c.as_dict() for c in found], lines)
    return 0
