"""`fieldnotes` with no command: open the terminal app on the current project."""

from __future__ import annotations

from fieldnotes.cli.context import Context


def run_app(ctx: Context) -> int:
    from fieldnotes.tui.i18n import use

    use(ctx.lang)  # before the app's modules are imported: key descriptions are translated as they load
    from fieldnotes.tui.app import FieldnotesApp

    project = ctx.project()
    app = FieldnotesApp(project, ctx.coder_name(), lang=ctx.lang)
    app.run()
    return 0
