"""The `fieldnotes` command: parse, dispatch to a handler, turn failures into one-line messages.

Only argparse and the parser table are imported before a command runs, so `fieldnotes --help`
answers at once; each handler module is imported when its command is used.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

EXIT_OK, EXIT_FAILED = 0, 1


def _lang_given(argv: Sequence[str]) -> str | None:
    """`--lang X` or `--lang=X`, read before parsing: help texts and usage errors are in that language."""
    for index, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith("--lang="):
            return word.partition("=")[2]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    from fieldnotes.translations import current, use

    before = current()
    try:
        return _main(argv)
    finally:
        use(before)  # a caller in the same process (a test, a script) keeps its own language


def _main(argv: Sequence[str] | None) -> int:
    from fieldnotes import collector
    from fieldnotes.translations import _, choose, use

    collector.tune()
    from fieldnotes.cli import terminal

    terminal.guard()
    words = list(sys.argv[1:] if argv is None else argv)
    # the language before the project's is known: --lang, FIELDNOTES_LANG, the person's, the system's
    use(choose(_lang_given(words)))
    from fieldnotes.cli.parser import build_parser

    parser = build_parser()
    args = parser.parse_args(words)
    handler_ref: str | None = getattr(args, "handler", None)
    if handler_ref is None:
        handler_ref = "fieldnotes.cli.app_cmd:run_app"
    module_name, _sep, func_name = handler_ref.partition(":")
    debug = bool(getattr(args, "debug", False))
    from fieldnotes.errors import FieldnotesError

    try:
        handler = getattr(importlib.import_module(module_name), func_name)
        from fieldnotes.cli.context import Context

        with Context(args) as ctx:
            collector.settle()
            result = handler(ctx)
        return int(result or EXIT_OK)
    except FieldnotesError as error:
        if debug:
            raise
        _error(str(error))
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(_("fieldnotes: interrupted; nothing half-done was kept"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:
        if debug:
            raise
        _error(f"{error.strerror or error}" + (f": {error.filename}" if getattr(error, "filename", None) else ""))
        return EXIT_FAILED
    except Exception as error:  # a bug: log it, show one line
        if debug:
            raise
        known = _database_trouble(error)
        if known:
            _error(known)
            return EXIT_FAILED
        from fieldnotes.logs import log_exception

        where = log_exception(error)
        print(_("fieldnotes: unexpected error ({name}); details were logged to {where}. "
                "Run again with --debug to see them here.").format(name=type(error).__name__, where=where),
              file=sys.stderr)
        return EXIT_FAILED


def _error(message: str) -> None:
    """The one line a failure prints: whatever it quotes, no control character reaches the terminal and no
    line break splits it."""
    from fieldnotes.text import terminal_safe
    from fieldnotes.translations import _

    print(_("fieldnotes: error: {message}").format(message=terminal_safe(message, one_line=True)), file=sys.stderr)


def _database_trouble(error: Exception) -> str | None:
    """Database failures a user can act on, named plainly (nothing was changed: the transaction rolled back)."""
    from fieldnotes.translations import _

    text = str(getattr(error, "orig", error)).lower()
    if "disk is full" in text or "database or disk is full" in text:
        return _("the disk is full; nothing was changed. Free some space and run the command again")
    if "readonly database" in text or "read-only" in text:
        return _("the project file cannot be written (read-only); nothing was changed")
    if "database is locked" in text:
        return _("the project is busy in another program for too long; nothing was changed. Try again")
    if _from_sqlite(error) and ("malformed" in text or "not a database" in text):
        return _("the project file is damaged ({reason}); nothing was changed. List its backups with "
                 "`fieldnotes restore` and put one back with `fieldnotes restore N`"
                 ).format(reason=text.splitlines()[0])
    if "value too long for type character varying" in text:  # a name stored before fieldnotes checked lengths
        return _("a name is longer than the database holds (see `fieldnotes codebook list` and `fieldnotes docs`); "
                 "nothing was changed. Shorten it in the project it comes from and try again")
    if "could not connect" in text or "connection refused" in text:
        return _("cannot reach the database server; check the address and that the server is running")
    return None


def _from_sqlite(error: Exception) -> bool:
    """A database error raised by SQLite itself (directly or wrapped by SQLAlchemy)."""
    import sqlite3

    orig = getattr(error, "orig", error)
    if isinstance(orig, sqlite3.DatabaseError):
        return True
    return any(cls.__name__ == "DatabaseError" and "sqlcipher" in cls.__module__  # an encrypted project's driver
               for cls in type(orig).__mro__)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
