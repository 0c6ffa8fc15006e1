"""Handlers of `fieldnotes pseudonyms …` (see fieldnotes.cli.args_privacy and docs/privacy.md)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from fieldnotes.cli.context import Context
from fieldnotes.errors import InvalidInput
from fieldnotes.translations import _, ngettext

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
    added = register.add_entry(ctx.project(), ctx.coder_name(), args.original, args.pseudonym, category=category,
                               attributes=attributes)
    info = added.as_dict(occurrences=False)
    ctx.emit(info, _("{original} -> {pseudonym} ({category}, id {item})")
             .format(original=info['original'], pseudonym=info['pseudonym'], category=info['category'],
                     item=info['id'][:8]))
    return 0


def _from_participants(ctx: Context) -> int:
    from fieldnotes.privacy import register

    if ctx.args.dry_run:
        proposals = register.add_participants(ctx.project(readonly=True), "", dry_run=True)
    else:
        proposals = register.add_participants(ctx.project(), ctx.coder_name())
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
    from fieldnotes.privacy import register

    data = [e.as_dict() for e in register.listing(ctx.project(readonly=True))]
    lines = [f"{d['id'][:8]}  {d['category']:<12}  {d['original'] or _('(in the key file)')} -> {d['pseudonym']}"
             + (f"  [{', '.join(f'{k}={v}' for k, v in d['attributes'].items())}]" if d["attributes"] else "")
             + ("  " + _("({n}× in the documents)").format(n=d["occurrences"]) if d["occurrences"] else "")
             for d in data]
    lines.append(ngettext("{n} entry", "{n} entries", len(data)).format(n=len(data)))
    ctx.emit(data, lines)
    return 0


def remove(ctx: Context) -> int:
    from fieldnotes.privacy import register

    gone = register.remove_entry(ctx.project(), ctx.coder_name(), ctx.args.entry)
    info = gone.as_dict(occurrences=False)
    ctx.emit(info, _("removed {value} -> {pseudonym}")
             .format(value=info['original'] or '(separated)', pseudonym=info['pseudonym']))
    return 0


def import_key(ctx: Context) -> int:
    from fieldnotes.privacy import keyfile

    path = Path(ctx.args.keyfile).expanduser()
    keyfile.read(path)  # a file that is not a key is refused before the project is opened
    report = keyfile.import_key(ctx.project(), path, ctx.coder_name())
    lines = [_("added {added}, gave {restored} separated entries their originals back, {unchanged} already there")
             .format(added=len(report.added), restored=len(report.restored), unchanged=report.unchanged)]
    lines += [f"  not taken: {reason}" for reason in report.refused]
    ctx.emit({"file": path.name, **report.as_dict()}, lines)
    return 0


# --- export / apply ------------------------------------------------------------------------------


def _after_redaction(ctx: Context, after: Any, *, key_separated: bool) -> list[str]:
    """Print the notices and the backups that still hold originals (fieldnotes.privacy.redact.Afterwards);
    returns the command's summary lines about backups."""
    for notice in after.notices:
        ctx.note(notice)
    lines: list[str] = []
    if after.backups and ctx.args.delete_backups:
        lines.append(_("deleted {n} older backup(s) of the project that held the originals")
                     .format(n=len(after.deleted)))
    elif after.backups:
        for path in after.backups:
            ctx.note(f"  {path}")
        lines.append(_("{n_backups} older backup(s) of the project still hold the originals (listed above); they "
                       "were kept: delete them with --delete-backups, or keep them as safely as the key file")
                     .format(n_backups=len(after.backups)))
    else:
        lines.append(_("no older backup of the project holds the originals"))
    if key_separated:
        lines.append(_("backups made from now on hold no originals"))
    return lines


def export_key(ctx: Context) -> int:
    """`pseudonyms export [--remove]`: fieldnotes.privacy.keyfile.export_key writes (and separates) the key."""
    from fieldnotes.privacy import keyfile

    args = ctx.args
    path = Path(args.keyfile).expanduser()
    keyfile.check_target(path, force=args.force)  # before anything happens
    project = ctx.project()
    coder = ctx.coder_name()
    if args.remove:
        keyfile.check_export(project, path, remove=True, force=args.force)
        if not ctx.confirm(_("write the key to {name} and take the originals out of the project?")
                           .format(name=path.name),
                           yes=args.yes):
            ctx.note(_("nothing was changed"))
            return 0
    result = keyfile.export_key(project, path, coder, remove=bool(args.remove), force=bool(args.force),
                                delete_backups=bool(args.delete_backups))
    merged = result.merged
    if merged.held:
        lines = [_("wrote the key to {path}: it now holds {n_entries} entries ({added} new, {held} it held before, all "
                   "kept); keep it apart from the project").format(path=path, n_entries=len(merged.entries),
                                                                   added=merged.added, held=merged.held)]
    else:
        lines = [_("wrote the key ({n_rows} entries) to {path}; keep it apart from the project")
                 .format(n_rows=result.entries, path=path)]
    if result.afterwards is not None:
        backup_lines = _after_redaction(ctx, result.afterwards, key_separated=True)
        lines.append(_("the originals were taken out of the project; re-identifying now needs the key file"))
        lines += backup_lines
    ctx.emit(result.as_dict(), lines)
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
    done = inplace.apply_and_redact(project, ctx.coder_name(), delete_backups=bool(args.delete_backups))
    result, redaction, after = done.applied, done.redaction, done.afterwards
    info: dict[str, Any] = {"dry_run": False, **result.as_dict(), "redacted": redaction.as_dict(),
                            "backups": [p.name for p in after.kept], "deleted_backups": [p.name for p in after.deleted]}
    backup_lines = _after_redaction(ctx, after, key_separated=False)
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

    found = detecting.candidates_in(ctx.project(readonly=True), ctx.args.kind or None)
    lines = [f"{c.kind:<8} {c.text}  ({c.document_title} @{c.start})  {c.context}"
             + (f"  [{c.note}]" if c.note else "") for c in found]
    counts = Counter(c.kind for c in found)
    lines.append(_("{n} candidate(s){kinds}; nothing was replaced").format(
        n=len(found), kinds=(": " + ", ".join(f"{n} {k}" for k, n in counts.items())) if counts else ""))
    ctx.emit([c.as_dict() for c in found], lines)
    return 0
