"""`fieldnotes demo`: build the demo project and open the app on it."""

from __future__ import annotations

from pathlib import Path

from fieldnotes import paths
from fieldnotes.cli.context import Context
from fieldnotes.translations import _, format_date


def demo(ctx: Context) -> int:
    from fieldnotes.project.demo import build

    target = _target(ctx)
    if not ctx.json:
        ctx.note(_("building the demo project at {target} …").format(target=target))
    report = build(target)
    if ctx.args.no_tui:
        from fieldnotes.cli.document_cmds import kind_name
        from fieldnotes.documents.store import listing
        from fieldnotes.project.opening import open_project
        from fieldnotes.text import fit

        with open_project(str(target), readonly=True) as project, project.read() as session:
            rows = listing(session)
        lines = [_("demo project: {target}").format(target=target),
                 _("{documents} documents, {codings} codings by {coders}, {memos} memos").format(
                     documents=report.documents, codings=report.codings, coders=", ".join(report.coders),
                     memos=report.memos), ""]
        lines += [f"  {format_date(r['date'], 'short'):<10}  {kind_name(r['kind']):<11} "
                  f"{fit(r['municipality'] or '-', 32):<32} {r['codings']:>3}  {r['title']}" for r in rows]
        lines += ["", _("open it with: fieldnotes --db {target}").format(target=target)]
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
        raise InvalidInput(_("demo: give the demo's file once, as PATH or as --db, not both"),
                           hint=_("e.g. fieldnotes demo {value}").format(value=given[0]))
    if given and "://" in given[0]:
        raise InvalidInput(_("demo: the demo is built into a SQLite file, not a database server"),
                           hint=_("give a file name, e.g. fieldnotes demo demo.db"))
    return Path(given[0]).expanduser() if given else paths.demo_project()
