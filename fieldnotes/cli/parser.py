"""Every command, option and help text of `fieldnotes` (the contract in docs/cli.md).

Handlers are named as "module:function" strings so that building the parser imports nothing heavy.
"""

from __future__ import annotations

import argparse

from fieldnotes import __version__

DESCRIPTION = """\
fieldnotes keeps field material (interview transcripts, observation notes, meeting minutes),
lets you code excerpts with a codebook, compare themes per municipality and over time, and export
coded excerpts to Word. With no command it opens the terminal app on the current project.
"""

EPILOG = """\
The project is --db PATH_OR_URL, else $FIELDNOTES_DB, else ./fieldnotes.db.
The coder is --coder NAME, else $FIELDNOTES_CODER, else the project's default coder.
Exit codes: 0 done (also "nothing to do"), 1 failed (one-line reason on stderr), 2 bad usage.
Start with `fieldnotes demo` to explore, or `fieldnotes init` to begin a project.
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32, width=100)


def _common() -> argparse.ArgumentParser:
    """Options accepted before or after the command (`fieldnotes --json docs` = `fieldnotes docs --json`)."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("common options")
    group.add_argument("--db", metavar="PATH_OR_URL", default=argparse.SUPPRESS,
                       help="the project: a SQLite file or a postgresql+psycopg:// URL")
    group.add_argument("--coder", metavar="NAME", default=argparse.SUPPRESS,
                       help="who is working (default: $FIELDNOTES_CODER or the project's default coder)")
    group.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                       help="print JSON on stdout, and nothing else")
    group.add_argument("--lang", choices=("da", "en"), default=argparse.SUPPRESS,
                       help="language of the interface and exported headings")
    group.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show the full traceback of an unexpected error")
    return common


def _add(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser,
         name: str, handler: str, help_text: str, description: str | None = None) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_text, description=description or help_text,
                            parents=[common], formatter_class=_Formatter)
    parser.set_defaults(handler=handler)
    return parser


def _group(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser,
           name: str, help_text: str) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    parser = sub.add_parser(name, help=help_text, description=help_text, parents=[common],
                            formatter_class=_Formatter)
    parser.set_defaults(handler="fieldnotes.cli.context:group_help", group_parser=parser)
    return parser.add_subparsers(title="commands", metavar="COMMAND", dest=f"{name}_command")


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(prog="fieldnotes", description=DESCRIPTION, epilog=EPILOG,
                                     parents=[common], formatter_class=_Formatter)
    parser.add_argument("--version", action="version", version=f"fieldnotes {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    # --- projects -------------------------------------------------------------------------------
    p = _add(sub, common, "init", "fieldnotes.cli.project_cmds:init", "create a project",
             "Create a project at the newest schema and load a codebook (default: the study's codebook).")
    book = p.add_mutually_exclusive_group()
    book.add_argument("--codebook", metavar="FILE", help="load this codebook file instead of the bundled one")
    book.add_argument("--empty", action="store_true", help="no codebook: start with no codes")
    p.add_argument("--name", help="the project's name")
    p.add_argument("--start", metavar="YYYY-MM-DD", help="fieldwork start date (phases count half-years from it)")

    grp = _group(sub, common, "project", "show or change project settings")
    _add(grp, common, "show", "fieldnotes.cli.project_cmds:show", "show the project's settings and counts")
    p = _add(grp, common, "set", "fieldnotes.cli.project_cmds:set_setting", "change a setting",
             "Change a setting: name, start (YYYY-MM-DD or 'none'), language (da|en), default_coder, "
             "pseudonymize_exports (yes|no).")
    p.add_argument("key", choices=("name", "start", "language", "default_coder", "pseudonymize_exports"))
    p.add_argument("value")

    _add(sub, common, "locate", "fieldnotes.cli.project_cmds:locate",
         "show where the project, settings, backups and logs live")

    grp = _group(sub, common, "db", "schema state and upgrades")
    _add(grp, common, "current", "fieldnotes.cli.project_cmds:db_current", "show the schema revision")
    _add(grp, common, "upgrade", "fieldnotes.cli.project_cmds:db_upgrade",
         "upgrade the schema to this version's (the only way on PostgreSQL)")
    _add(grp, common, "check", "fieldnotes.cli.project_cmds:db_check",
         "check the schema matches this version's models and the data is intact")

    # --- codebook -------------------------------------------------------------------------------
    grp = _group(sub, common, "codebook", "list, import, export and compare codebooks")
    p = _add(grp, common, "list", "fieldnotes.cli.codebook_cmds:list_codes", "list codes as a tree with counts")
    p.add_argument("--retired", action="store_true", help="include retired codes")
    p = _add(grp, common, "import", "fieldnotes.cli.codebook_cmds:import_codebook",
             "add and update codes from a codebook file (never deletes)")
    p.add_argument("file", help="a codebook .yaml file")
    p.add_argument("--dry-run", action="store_true", help="show what would change and stop")
    p = _add(grp, common, "export", "fieldnotes.cli.codebook_cmds:export_codebook", "write the codebook to a file")
    p.add_argument("file", help="the .yaml file to write")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p = _add(grp, common, "diff", "fieldnotes.cli.codebook_cmds:diff_codebook",
             "show what importing a codebook file would change")
    p.add_argument("file")

    return parser
