"""`fieldnotes demo`: build the demo project and open the app on it."""

from __future__ import annotations

from pathlib import Path

from fieldnotes import paths
from fieldnotes.cli.context import Context


def demo(ctx: Context) -> int:
    from fieldnotes.project.demo import build

    target = _target(ctx)
    if not ctx.json:
        ctx.note(f"building the demo project at {target} …")
    report = build(target)
    if ctx.args.no_tui:
        from fieldnotes.documents.store import listing
        from fieldnotes.project.opening import open_project
        from fieldnotes.text import fit

        with open_project(str(target), readonly=True) as project, project.read() as session:
            rows = listing(session)
        lines = [f"demo project: {target}",
                 f"{report.documents} documents, {report.codings} codings by {', '.join(report.coders)}, "
                 f"{report.memos} memos", ""]
        lines += [f"  {r['date']}  {r['kind']:<11} {fit(r['municipality'] or '-', 32):<32} {r['codings']:>3}  "
                  f"{r['title']}" for r in rows]
        lines += ["", f"open it with: fieldnotes --db {target}"]
        ctx.emit(report.as_dict() | {"documents_list": rows}, lines)
        return 0
    ctx.args.db = str(target)
    from fieldnotes.cli.app_cmd import run_app

    return run_app(ctx)


def _target(ctx: Context) -> Path:
    """The demo's file: PATH, else --db (honoured, not ignored), else the demo file in the data folder."""
    from fieldnotes.errors import InvalidInput

    given = [value for value in (ctx.args.path, ctx.db) if value]
    if len(given) == 2 and Path(given[0]).expanduser().resolve() != Path(given[1]).expanduser().resolve():
        raise InvalidInput("demo: give the demo's file once, as PATH or as --db, not both",
                           hint=f"e.g. fieldnotes demo {given[0]}")
    if given and "://" in given[0]:
        raise InvalidInput("demo: the demo is built into a SQLite file, not a database server",
                           hint="give a file name, e.g. fieldnotes demo demo.db")
    return Path(given[0]).expanduser() if given else paths.demo_project()
