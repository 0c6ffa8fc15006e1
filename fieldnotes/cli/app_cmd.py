"""`fieldnotes` with no command: open the terminal app on the current project."""

from __future__ import annotations

from fieldnotes.cli.context import Context


def run_app(ctx: Context) -> int:
    from fieldnotes.cli.parser import build_parser

    build_parser().print_help()
    return 0
