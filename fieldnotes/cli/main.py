"""The `fieldnotes` command: parse, dispatch to a handler, turn failures into one-line messages.

Only argparse and the parser table are imported before a command runs, so `fieldnotes --help`
answers at once; each handler module is imported when its command is used.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    from fieldnotes.cli.parser import build_parser

    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    handler_ref: str | None = getattr(args, "handler", None)
    if handler_ref is None:
        handler_ref = "fieldnotes.cli.app_cmd:run_app"
    module_name, _, func_name = handler_ref.partition(":")
    debug = bool(getattr(args, "debug", False))
    from fieldnotes.errors import FieldnotesError

    try:
        handler = getattr(importlib.import_module(module_name), func_name)
        from fieldnotes.cli.context import Context

        with Context(args) as ctx:
            result = handler(ctx)
        return int(result or EXIT_OK)
    except FieldnotesError as error:
        if debug:
            raise
        print(f"fieldnotes: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("fieldnotes: interrupted; nothing half-done was kept", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:  # a bug: log it, show one line
        if debug:
            raise
        from fieldnotes.logs import log_exception

        where = log_exception(error)
        print(
            f"fieldnotes: unexpected error ({type(error).__name__}); details were logged to {where}. "
            "Run again with --debug to see them here.",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
