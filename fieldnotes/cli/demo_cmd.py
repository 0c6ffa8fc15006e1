"""`fieldnotes demo`: build the demo project and open the app on it."""

from __future__ import annotations

from pathlib import Path

from fieldnotes import paths
from fieldnotes.cli.context import Context


def demo(ctx: Context) -> int:
    from fieldnotes.project.demo import build

    target = Path(ctx.args.path).expanduser() if ctx.args.path else paths.demo_project()
    if not ctx.json:
        ctx.note(f"building the demo project at {target} …")
    report = build(target)
    if ctx.args.no_tui:
        from fieldnotes.documents.store import listing
        from fieldnotes.project.opening import open_project

        with open_project(str(target), readonly=True) as project, project.read() as session:
            rows = listing(session)
        lines = [f"demo project: {target}",
                 f"{report.documents} documents, {report.codings} codings by {', '.join(report.coders)}, "
                 f"{report.memos} memos", ""]
        lines += [f"  {r['date']}  {r['kind']:<11} {(r['municipality'] or '-')[:32]:<32} {r['codings']:>3}  "
                  f"{r['title']}" for r in rows]
        lines += ["", f"open it with: fieldnotes --db {target}"]
        ctx.emit(report.as_dict() | {"documents_list": rows}, lines)
        return 0
    ctx.args.db = str(target)
    from fieldnotes.cli.app_cmd import run_app

    return run_app(ctx)
