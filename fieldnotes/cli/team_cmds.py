"""Commands of team work: bundle, merge, conflicts, agreement, disagreements."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

from fieldnotes.cli.context import Context
from fieldnotes.errors import FieldnotesError, InvalidInput


def _coder_names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if len(names) < 2:
        raise InvalidInput(f"--coders {text!r} names fewer than two coders", hint="for example --coders 'Anna,Jonas'")
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
    lines = [f"wrote {summary.file}: {summary.changes} change(s) by {', '.join(summary.coders)}"
             + (f" since {summary.since}" if summary.since else "")
             + f" ({changed} row(s), {deleted} deletion(s))"]
    if summary.pseudonymized:
        lines.append("the pseudonym register's original names were left out; the text travels as written "
                     "(a bundle is internal exchange, not an export)")
    else:
        lines.append("a bundle is internal exchange, not an export: its text and the pseudonym register travel as "
                     "written (--pseudonymize leaves the register's originals out)")
    if not summary.changes:
        ctx.note("the bundle is empty: no changes to carry")
    ctx.emit(summary.as_dict(), lines)
    return 0


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in sorted(counts.items()))


def merge(ctx: Context) -> int:
    from fieldnotes.team.merge import merge as run_merge

    args = ctx.args
    project = ctx.project(readonly=args.dry_run)
    name = ctx.coder_name()
    report = run_merge(project, args.file, coder_name=name, dry_run=args.dry_run)
    data = report.as_dict()
    if report.nothing:
        ctx.emit(data, f"nothing to merge: {report.source} holds nothing this project does not already have")
        return 0
    head = "dry run: merging would change" if report.dry_run else f"merged {report.source}:"
    lines = [head]
    for label, counts in (("added", report.added), ("changed", report.changed), ("removed", report.removed)):
        if counts:
            lines.append(f"  {label}: {_counts(counts)}")
    if report.documents_matched_by_text:
        lines.append(f"  {report.documents_matched_by_text} document(s) matched by their text")
    if report.codings_moved_with_text:
        lines.append(f"  {report.codings_moved_with_text} coding(s) moved with an edited text "
                     f"({report.needs_review} flagged for review)")
    if report.identity_adopted:
        lines.append("  this empty project took the identity of the merged project")
    if report.conflicts:
        lines.append(f"  {len(report.conflicts)} conflict(s), each settled by the later change:")
        lines += [f"    - {c.summary}" for c in report.conflicts[:20]]
        if len(report.conflicts) > 20:
            lines.append(f"    … and {len(report.conflicts) - 20} more")
        if not report.dry_run:
            lines.append("  review them with `fieldnotes conflicts`; settle one differently with "
                         "`fieldnotes conflicts settle ID ours|theirs`")
    if report.backup:
        lines.append(f"  the project was backed up first ({report.backup}; see `fieldnotes restore`)")
    if not report.dry_run:
        lines.append("  `fieldnotes undo` takes the whole merge back")
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
    return "–" if value is None else f"{value:.{digits}f}"


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
    unit = f"{report.unit}s" + (f" (segments agree at {report.overlap:g} % overlap)" if report.overlap else "")
    lines = [f"agreement of {', '.join(report.coders)} over {len(report.documents)} document(s) coded by all, "
             f"counted in {unit}"]
    rows = [*data["codes"], {**data["pooled"], "code_path": "(pooled)"}]
    width = max([len(str(r["code_path"])) for r in rows] + [4])
    if len(report.coders) == 2:
        lines.append(f"{'code':<{width}}  {'percent':>8} {'kappa':>7} {'alpha':>7} {'a':>8} {'b':>8} {'c':>8} "
                     f"{'d':>10} {'n':>10}")
        for r in rows:
            lines.append(f"{r['code_path']:<{width}}  {_number(r['percent'], 1):>8} {_number(r['kappa']):>7} "
                         f"{_number(r['alpha']):>7} {r['a']:>8} {r['b']:>8} {r['c']:>8} "
                         f"{'–' if r['d'] is None else r['d']:>10} {r['n']:>10}")
    else:
        lines.append(f"{'code':<{width}}  {'all agree %':>11} {'alpha':>7} {'n':>10}   kappa per pair")
        for r in rows:
            pairs = "; ".join(f"{p['coders'][0]}/{p['coders'][1]} {_number(p['kappa'])}" for p in r["pairs"])
            lines.append(f"{r['code_path']:<{width}}  {_number(r['percent'], 1):>11} {_number(r['alpha']):>7} "
                         f"{r['n']:>10}   {pairs}")
    if not data["codes"]:
        lines.append("no codings by these coders in documents they have all coded")
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
        raise InvalidInput("disagreements compares exactly two coders", hint="--coders 'Anna,Jonas'")
    with ctx.project(readonly=True).read() as session:
        found = list_disagreements(session, names[0], names[1], args.code)
    if args.limit is not None:
        found = found[: args.limit]
    if args.accept and not args.all:
        raise InvalidInput("--accept settles every disagreement listed only together with --all",
                           hint="add --all, or run it on a terminal to choose one by one")
    if args.all and not args.accept:
        raise InvalidInput("--all needs --accept a|b|both")
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
                 f"settled {len(settled)} disagreement(s) with {args.accept}"
                 + (f"; {len(skipped)} had changed meanwhile and were left" if skipped else ""))
        return 0
    if ctx.json or not sys.stdin.isatty():
        lines = [f"{d.document_title} · {d.code_path} · {d.start}:{d.end} · only "
                 f"{d.holder_name}: {d.text[:80]!r}" for d in found]
        lines.append(f"{len(found)} disagreement(s)")
        ctx.emit([d.as_dict() for d in found], lines)
        return 0
    return _step_through(ctx, found)


def _step_through(ctx: Context, found: list[Any]) -> int:
    from fieldnotes.db.models import Document
    from fieldnotes.team.disagreements import settle

    if not found:
        print("no disagreements")
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
            print(f"  not settled: {error}")
    print(f"settled {done} of {len(found)} disagreement(s); `fieldnotes undo` takes back the last one")
    return 0
