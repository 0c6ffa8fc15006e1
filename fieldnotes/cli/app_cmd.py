"""`fieldnotes` with no command: open the terminal app on the current project."""

from __future__ import annotations

import os

from fieldnotes.cli.context import Context


def run_app(ctx: Context) -> int:
    from fieldnotes.db.coders import ENV_CODER
    from fieldnotes.tui.i18n import use

    use(ctx.lang)  # before the app's modules are imported: key descriptions are translated as they load
    from fieldnotes.tui.app import FieldnotesApp

    project = ctx.project()
    # with no --coder and no FIELDNOTES_CODER, the app asks a new project's person for their name, once
    named = bool(getattr(ctx.args, "coder", None) or os.environ.get(ENV_CODER))
    app = FieldnotesApp(project, ctx.coder_name(), lang=ctx.lang, ask_name=not named)
    app.run()
    return 0
