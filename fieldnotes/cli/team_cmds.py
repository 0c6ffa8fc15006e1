"""Commands of team work: bundle, merge, conflicts, agreement, disagreements."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fieldnotes.cli.context import Context
from fieldnotes.errors import FieldnotesError, InvalidInput
from fieldnotes.translations import _, format_date, format_decimal, format_number, ngettext


def _coder_names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if len(names) < 2:
        raise InvalidInput(_("--coders {text!r} names fewer than two coders")
                           .format(text=text), hint=_("for example --coders 'Anna,Jonas'"))
    return names


def _ensure_coder(ctx: Context) -> uuid.UUID:
    """The acting coder, created in a change of their own when they are new to the project."""
    from fieldnotes.project.actions import ensure_recorded_coder

    with ctx.project().write() as session:
        return ensure_recorded_coder(session, ctx.coder_name())


# --- bundle and merge ----------------------------------------------------------------------------


def bundle(ctx: Context) -> int:
    from fieldnotes.dates import parse_date
    from fieldnotes.team.bundle import write_bundle

    args = ctx.args
    since = parse_date(args.since, "since date") if args.since else None
    acting = ctx.coder_name()
    summary = write_bundle(ctx.project(), Path(args.out), coder_names=args.filter_coders or [acting], acting=acting,
                           since=since, pseudonymize=args.pseudonymize, force=args.force)
    changed = sum(summary.counts.get("changed", {}).values())
    deleted = sum(summary.counts.get("deleted", {}).values())
    lines = [_("wrote {file}: {changes} change(s) by {coders}{since} ({changed} row(s), {deleted} deletion(s))").format(
        file=summary.file, changes=summary.changes, coders=", ".join(summary.coders),
        since=_(" since {date}").format(date=format_date(summary.since)) if summary.since else "",
        changed=changed, deleted=deleted)]
    if summary.pseudonymized:
        lines.append(_("the pseudonym register's original names were left out; the text travels as written "
                       "(a bundle is internal exchange, not an export)"))
    else:
        lines.append(_("a bundle is internal exchange, not an export: its text and the pseudonym register travel "
                       "as written (--pseudonymize leaves the register's originals out)"))
    if not summary.changes:
        ctx.note(_("the bundle is empty: no changes to carry"))
    ctx.emit(summary.as_dict(), lines)
    return 0


#: what a merge counts, per table, as a reader names it (JSON keeps the table names)
TABLE_WORDS: dict[str, Callable[[int], str]] = {
    "coders": lambda n: ngettext("{n} coder", "{n} coders", n).format(n=format_number(n)),
    "project": lambda n: ngettext("{n} project setting", "{n} project settings", n).format(n=format_number(n)),
    "cases": lambda n: ngettext("{n} case", "{n} cases", n).format(n=format_number(n)),
    "documents": lambda n: ngettext("{n} document", "{n} documents", n).format(n=format_number(n)),
    "document_cases": lambda n: ngettext("{n} case link", "{n} case links", n).format(n=format_number(n)),
    "speaker_turns": lambda n: ngettext("{n} speaker turn", "{n} speaker turns", n).format(n=format_number(n)),
    "attributes": lambda n: ngettext("{n} attribute", "{n} attributes", n).format(n=format_number(n)),
    "attribute_values": lambda n: ngettext("{n} attribute value", "{n} attribute values", n).format(n=format_number(n)),
    "codes": lambda n: ngettext("{n} code", "{n} codes", n).format(n=format_number(n)),
    # "{n} coding" is the Word export's word (a plain message there), so the count here has its own
    "codings": lambda n: ngettext("{count} coding", "{count} codings", n).format(count=format_number(n)),
    "memos": lambda n: ngettext("{n} memo", "{n} memos", n).format(n=format_number(n)),
    "pseudonyms": lambda n: ngettext("{n} pseudonym", "{n} pseudonyms", n).format(n=format_number(n)),
}


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(
        TABLE_WORDS[table](n) if table in TABLE_WORDS
        else f"{format_number(n)} {table.replace('_', ' ')}" for table, n in sorted(counts.items()))


def merge(ctx: Context) -> int:
    from fieldnotes.team.merge import merge as run_merge

    args = ctx.args
    project = ctx.project(readonly=args.dry_run)
    name = ctx.coder_name()
    report = run_merge(project, args.file, coder_name=name, dry_run=args.dry_run)
    data = report.as_dict()
    if report.nothing:
        ctx.emit(data, _("nothing to merge: {source} holds nothing this project does not already have")
                 .format(source=report.source))
        return 0
    head = _("dry run: merging would change") if report.dry_run else _("merged {source}:").format(
        source=report.source)
    lines = [head]
    for label, counts in ((_("added"), report.added), (_("changed"), report.changed),
                          (_("removed"), report.removed)):
        if counts:
            lines.append(f"  {label}: {_counts(counts)}")
    if report.documents_matched_by_text:
        lines.append(_("  {n} document(s) matched by their text")
                     .format(n=report.documents_matched_by_text))
    if report.codings_moved_with_text:
        lines.append(_("  {codings_moved_with_text} coding(s) moved with an edited text ({needs_review} flagged for "
                       "review)").format(codings_moved_with_text=report.codings_moved_with_text,
                                         needs_review=report.needs_review))
    if report.identity_adopted:
        lines.append(_("  this empty project took the identity of the merged project"))
    if report.conflicts:
        lines.append(_("  {n_conflicts} conflict(s), each settled by the later change:")
                     .format(n_conflicts=len(report.conflicts)))
        lines += [f"    - {c.summary}" for c in report.conflicts[:20]]
        if len(report.conflicts) > 20:
            lines.append(_("    … and {value} more").format(value=len(report.conflicts) - 20))
        if not report.dry_run:
            lines.append(_("  review them with `fieldnotes conflicts`; settle one differently with "
                         "`fieldnotes conflicts settle ID ours|theirs`"))
    if report.backup:
        lines.append(_("  the project was backed up first ({backup}; see `fieldnotes restore`)")
                     .format(backup=report.backup))
    elif data.get("backup_skipped"):
        lines.append(_("  no backup was made first: the server project was empty, so there was nothing to lose"))
    if not report.dry_run:
        lines.append(_("  `fieldnotes undo` takes the whole merge back"))
    ctx.emit(data, lines)
    return 0


# --- conflicts -----------------------------------------------------------------------------------


def conflicts(ctx: Context) -> int:
    from fieldnotes.team.conflicts import as_dict, list_conflicts

    with ctx.project(readonly=True).read() as session:
        rows = [as_dict(c) for c in list_conflicts(session, open_only=ctx.args.open)]
    lines = [f"{r['id'][:8]}  {r['created_at'][:16].replace('T', ' ')}  {r['status']:<7} kept {r['resolution']:<6} "
             f"{r['summary']}" for r in rows] or ["no merge conflicts"]
    ctx.emit(rows, lines)
    return 0


def conflicts_settle(ctx: Context) -> int:
    from fieldnotes.team.conflicts import settle

    coder_id = _ensure_coder(ctx)
    with ctx.project().write() as session:
        done = settle(session, ctx.args.conflict, ctx.args.choice, coder_id=coder_id)
    ctx.emit({"settled": ctx.args.conflict, "choice": ctx.args.choice, "done": done}, done)
    return 0


# --- agreement -----------------------------------------------------------------------------------


def _number(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else format_decimal(value, digits)


def agreement(ctx: Context) -> int:
    from fieldnotes.team.agreement import agreement as compute

    args = ctx.args
    with ctx.project(readonly=True).read() as session:
        report = compute(session, _coder_names(args.coders), codes=args.code or None, unit=args.unit,
                         overlap=args.overlap)
    data = report.as_dict()
    if ctx.json:
        ctx.emit(data)
        return 0
    unit = {"character": _("characters"), "segment": _("segments"), "document": _("documents")}.get(report.unit,
                                                                                                      report.unit)
    if report.overlap:
        unit += " " + _("(segments agree at {overlap} % overlap)").format(overlap=report.overlap)
    lines = [_("agreement of {names} over {n_documents} document(s) coded by all, counted in {unit}")
             .format(names=', '.join(report.coders), n_documents=len(report.documents), unit=unit)]
    rows = [*data["codes"], {**data["pooled"], "code_path": "(pooled)"}]
    width = max([len(str(r["code_path"])) for r in rows] + [4])
    if len(report.coders) == 2:
        lines.append(f"{_('code'):<{width}}  {_('percent'):>8} {'kappa':>7} {_('alpha'):>7} {'a':>8} {'b':>8} "
                     f"{'c':>8} {'d':>10} {'n':>10}")
        for r in rows:
            lines.append(f"{r['code_path']:<{width}}  {_number(r['percent'], 1):>8} {_number(r['kappa']):>7} "
                         f"{_number(r['alpha']):>7} {format_number(r['a']):>8} {format_number(r['b']):>8} "
                         f"{format_number(r['c']):>8} {'–' if r['d'] is None else format_number(r['d']):>10} "
                         f"{format_number(r['n']):>10}")
    else:
        lines.append(f"{_('code'):<{width}}  {_('all agree %'):>11} {_('alpha'):>7} {'n':>10}   "
                     f"{_('kappa per pair')}")
        for r in rows:
            pairs = "; ".join(f"{p['coders'][0]}/{p['coders'][1]} {_number(p['kappa'])}" for p in r["pairs"])
            lines.append(f"{r['code_path']:<{width}}  {_number(r['percent'], 1):>11} {_number(r['alpha']):>7} "
                         f"{format_number(r['n']):>10}   {pairs}")
    if not data["codes"]:
        lines.append(_("no codings by these coders in documents they have all coded"))
    ctx.emit(data, lines)
    return 0


# --- disagreements -------------------------------------------------------------------------------


def _show(item: Any, text: str, index: int, total: int) -> str:
    before = text[max(0, item.start - 60) : item.start].replace("\n", " ")
    after = text[item.end : item.end + 60].replace("\n", " ")
    has, lacks = item.holder_name, item.other_name
    return (f"\n[{index}/{total}] {item.document_title} · {item.code_path} · {item.start}:{item.end}\n"
            f"  {has} coded it, {lacks} did not\n"
            f"  …{before}«{item.text}»{after}…")


def disagreements(ctx: Context) -> int:
    from fieldnotes.team.disagreements import list_disagreements, settle

    args = ctx.args
    names = _coder_names(args.coders)
    if len(names) != 2:
        raise InvalidInput(_("disagreements compares exactly two coders"), hint=_("--coders 'Anna,Jonas'"))
    with ctx.project(readonly=True).read() as session:
        found = list_disagreements(session, names[0], names[1], args.code)
    if args.limit is not None:
        found = found[: args.limit]
    if args.accept and not args.all:
        raise InvalidInput(_("--accept settles every disagreement listed only together with --all"),
                           hint=_("add --all, or run it on a terminal to choose one by one"))
    if args.all and not args.accept:
        raise InvalidInput(_("--all needs --accept a|b|both"))
    if args.accept:
        coder_id = _ensure_coder(ctx)
        settled, skipped = [], []
        for item in found:
            try:
                with ctx.project().write() as session:
                    settle(session, item, args.accept, coder_id)
                settled.append(item.as_dict())
            except FieldnotesError as error:
                skipped.append({**item.as_dict(), "reason": str(error)})
        ctx.emit({"choice": args.accept, "settled": settled, "skipped": skipped},
                 _("settled {n} disagreement(s) with {choice}").format(n=len(settled), choice=args.accept)
                 + (_("; {n} had changed meanwhile and were left").format(n=len(skipped)) if skipped else ""))
        return 0
    if ctx.json or not sys.stdin.isatty():
        lines = [f"{d.document_title} · {d.code_path} · {d.start}:{d.end} · only "
                 f"{d.holder_name}: {d.text[:80]!r}" for d in found]
        lines.append(_("{n_found} disagreement(s)").format(n_found=len(found)))
        ctx.emit([d.as_dict() for d in found], lines)
        return 0
    return _step_through(ctx, found)


def _step_through(ctx: Context, found: list[Any]) -> int:
    from fieldnotes.db.models import Document
    from fieldnotes.team.disagreements import settle

    if not found:
        print(_("no disagreements"))
        return 0
    coder_id = _ensure_coder(ctx)
    done = 0
    for index, item in enumerate(found, 1):
        with ctx.project().read() as session:
            document = session.get(Document, uuid.UUID(item.document))
            text = document.text if document is not None else ""
        print(_show(item, text, index, len(found)))
        while True:
            answer = input(f"  accept [a] {item.coder_a}, [b] {item.coder_b}, [both], [s]kip, [q]uit: ").strip().lower()
            if answer in ("a", "b", "both", "s", "q", ""):
                break
        if answer == "q":
            break
        if answer in ("s", ""):
            continue
        try:
            with ctx.project().write() as session:
                print("  " + settle(session, item, answer, coder_id))
            done += 1
        except FieldnotesError as error:
            print(_("  not settled: {error}").format(error=error))
    print(_("settled {done} of {n_found} disagreement(s); `fieldnotes undo` takes back the last one")
          .format(done=done, n_found=len(found)))
    return 0
