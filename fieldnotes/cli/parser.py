"""Every command, option and help text of `fieldnotes` (the contract in docs/cli.md).

Handlers are named as "module:function" strings so that building the parser imports nothing heavy.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from fieldnotes import __version__
from fieldnotes.translations import N_, _

DESCRIPTION = N_("""\
fieldnotes keeps field material (interview transcripts, observation notes, meeting minutes),
lets you code excerpts with a codebook, compare themes per municipality and over time, and export
coded excerpts to Word. With no command it opens the terminal app on the current project.
""")

EPILOG = N_("""\
The project is --db PATH_OR_URL, else $FIELDNOTES_DB, else ./fieldnotes.db.
The coder is --coder NAME, else $FIELDNOTES_CODER, else the project's default coder.
Exit codes: 0 done (also "nothing to do"), 1 failed (one-line reason on stderr), 2 bad usage.
Start with `fieldnotes demo` to explore, or `fieldnotes init` to begin a project.
""")


if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[Any]


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32, width=100)

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix if prefix is not None else _("usage: "))


#: argparse's own words, which it looks up through the stdlib's gettext, not ours: `Parser` says them
#: through the catalog instead (its help, its section titles, its usage line and its error messages)
ARGPARSE_WORDS = (
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    N_("show program's version number and exit"), N_("%(prog)s: error: %(message)s\n"),
)
#: argparse's error messages, matched in the English it writes them in and said again through the catalog
ARGPARSE_ERRORS = (
    N_("the following arguments are required: %s"), N_("unrecognized arguments: %s"),
    N_("argument %(argument_name)s: %(message)s"), N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("expected one argument"), N_("expected at most one argument"), N_("expected at least one argument"),
    N_("not allowed with argument %s"), N_("ignored explicit argument %r"),
    N_("ambiguous option: %(option)s could match %(matches)s"), N_("invalid %(type)s value: %(value)r"),
    N_("one of the arguments %s is required"), N_("expected %s arguments"), N_("expected %s argument"),
)
_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[sr]")


def _pattern(template: str) -> re.Pattern[str]:
    parts, last, count = [], 0, 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last:match.start()]))
        parts.append(f"(?P<{match.group(1) or f'p{count}'}>.+?)")
        count += 0 if match.group(1) else 1
        last = match.end()
    parts.append(re.escape(template[last:]))
    return re.compile("^" + "".join(parts) + "$", re.S)


def translate_argparse(message: str) -> str:
    """One of argparse's messages in the interface language (the nested 'argument X: ...' included)."""
    for template in ARGPARSE_ERRORS:
        match = _pattern(template).match(message)
        if not match:
            continue
        found = match.groupdict()
        if "message" in found:
            found["message"] = translate_argparse(found["message"])
        count = 0

        def fill(placeholder: re.Match[str], found: dict[str, str] = found) -> str:
            nonlocal count
            name = placeholder.group(1)
            if name is None:
                name, count = f"p{count}", count + 1
            return found.get(name, placeholder.group(0))

        return _PLACEHOLDER.sub(fill, _(template))
    return message


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that says argparse's own words in the interface language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = _("positional arguments")
        self._optionals.title = _("options")
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = _("show this help message and exit")
            elif isinstance(action, argparse._VersionAction):
                action.help = _("show program's version number and exit")

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        if isinstance(action, argparse._VersionAction):
            action.help = _("show program's version number and exit")
        return action

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, _("%(prog)s: error: %(message)s\n") % {"prog": self.prog, "message": translate_argparse(message)})


def _common() -> argparse.ArgumentParser:
    """Options accepted before or after the command (`fieldnotes --json docs` = `fieldnotes docs --json`)."""
    common = Parser(add_help=False)
    group = common.add_argument_group(_("common options"))
    group.add_argument("--db", metavar="PATH_OR_URL", default=argparse.SUPPRESS,
                       help=_("the project: a SQLite file or a postgresql+psycopg:// URL"))
    group.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                       help=_("print JSON on stdout, and nothing else"))
    group.add_argument("--lang", choices=("da", "en"), default=argparse.SUPPRESS,
                       help=_("language of the interface and exported headings"))
    group.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help=_("show the full traceback of an unexpected error"))
    return common


def _add(sub: SubParsers, common: argparse.ArgumentParser,
         name: str, handler: str, help_text: str, description: str | None = None,
         acts: bool = False) -> argparse.ArgumentParser:
    help_text = _(help_text)  # a constant marked with N_() arrives untranslated
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help_text, description=_(description) if description else help_text, parents=[common],
        formatter_class=_Formatter)
    parser.set_defaults(handler=handler)
    if acts:
        parser.add_argument("--coder", metavar="NAME", default=argparse.SUPPRESS,
                            help=_("who is making the change (default: $FIELDNOTES_CODER, else the project's "
                                 "default coder)"))
    return parser


def _group(sub: SubParsers, common: argparse.ArgumentParser,
           name: str, help_text: str) -> SubParsers:
    help_text = _(help_text)
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text, parents=[common],
                                                     formatter_class=_Formatter)
    parser.set_defaults(handler="fieldnotes.cli.context:group_help", group_parser=parser)
    commands: SubParsers = parser.add_subparsers(title=_("commands"), metavar="COMMAND", dest=f"{name}_command")
    return commands


NAMES_HELP = N_("replace names through the pseudonym register; the default whenever the register has entries, "
                "unless the project's pseudonymize_exports is turned off")
NO_NAMES_HELP = N_("export names as written, whatever the default (the audit trail records it)")


def add_names_options(parser: argparse.ArgumentParser) -> None:
    """--pseudonymize / --no-pseudonymize: the choice about names that every export takes (docs/privacy.md)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--pseudonymize", dest="pseudonymize", action="store_true", default=None, help=_(NAMES_HELP))
    group.add_argument("--no-pseudonymize", dest="pseudonymize", action="store_false", help=_(NO_NAMES_HELP))


def add_filters(parser: argparse.ArgumentParser, *, codes: bool = True, codings: bool = True,
                context: bool = False) -> None:
    """The shared filters of docs/cli.md."""
    group = parser.add_argument_group(_("filters"))
    if codes:
        group.add_argument("--code", action="append", default=[], metavar="C",
                           help=_("only these codes (a name, path Parent/Child or id); sub-codes included"))
        group.add_argument("--no-descendants", action="store_true", help=_("do not include sub-codes of --code"))
    group.add_argument("--municipality", action="append", default=[], metavar="M",
                       help=_("only documents linked to this municipality (repeatable)"))
    group.add_argument("--case", action="append", default=[], metavar="C",
                       help=_("only documents linked to this case, of any type (repeatable)"))
    group.add_argument("--kind", action="append", default=[], metavar="K",
                       help=_("interview, observation, minutes or document (repeatable)"))
    group.add_argument("--activity", action="append", default=[], metavar="A", help=_("document activity (repeatable)"))
    group.add_argument("--phase", action="append", default=[], type=int, metavar="N",
                       help=_("half-year N from the fieldwork start, 1-based (repeatable)"))
    group.add_argument("--from", dest="date_from", metavar="DATE", help=_("documents dated on or after DATE"))
    group.add_argument("--to", dest="date_to", metavar="DATE", help=_("documents dated on or before DATE"))
    if codings:
        group.add_argument("--coder", dest="filter_coders", action="append", default=[], metavar="X",
                           help=_("only codings by this coder (repeatable)"))
        group.add_argument("--rating", metavar="MIN:MAX", help=_("only codings rated within the range"))
        group.add_argument("--contains", metavar="TEXT", help=_("only excerpts containing the text"))
    if context:
        group.add_argument("--context", metavar="sentence|turn|N",
                           help=_("add context around each excerpt: the sentence, the speaker turn, or N characters"))


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = Parser(prog="fieldnotes", description=_(DESCRIPTION), epilog=_(EPILOG),
                                     parents=[common], formatter_class=_Formatter)
    parser.add_argument("--version", action="version", version=f"fieldnotes {__version__}")
    parser.add_argument("--coder", metavar="NAME", default=argparse.SUPPRESS,
                        help=_("who is working (default: $FIELDNOTES_CODER, else the project's default coder)"))
    sub = parser.add_subparsers(title=_("commands"), metavar="COMMAND")

    for add in (_project_commands, _codebook_commands, _material_commands, _coding_commands,
                _document_commands):
        add(sub, common)

    # --- areas that register their own commands (each module imports only argparse) -----------------
    import importlib

    for module in AREA_MODULES:
        importlib.import_module(module).register(sub, common)
    return parser


def _project_commands(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """init, project, demo, locate, config, backup, restore and db."""
    # --- projects -------------------------------------------------------------------------------
    p = _add(sub, common, "init", "fieldnotes.cli.project_cmds:init", _("create a project"),
             _("Create a project at the newest schema and load a codebook (default: the study's codebook)."),
             acts=True)
    book = p.add_mutually_exclusive_group()
    book.add_argument("--codebook", metavar="FILE", help=_("load this codebook file instead of the bundled one"))
    book.add_argument("--empty", action="store_true", help=_("no codebook: start with no codes"))
    p.add_argument("--name", help=_("the project's name"))
    p.add_argument("--start", metavar="YYYY-MM-DD", help=_("fieldwork start date (phases count half-years from it)"))
    p.add_argument("--encrypt", action="store_true",
                   help=_("encrypt the project file with a passphrase (SQLCipher; typed, or $FIELDNOTES_PASSPHRASE)"))

    grp = _group(sub, common, "project", _("show or change project settings"))
    _add(grp, common, "show", "fieldnotes.cli.project_cmds:show", _("show the project's settings and counts"))
    p = _add(grp, common, "set", "fieldnotes.cli.project_cmds:set_setting", _("change a setting"),
             _("Change a setting: name, start (YYYY-MM-DD or 'none'), language (da|en), default_coder, "
             "pseudonymize_exports (yes|no)."), acts=True)
    p.add_argument("key", choices=("name", "start", "language", "default_coder", "pseudonymize_exports"))
    p.add_argument("value")

    p = _add(sub, common, "demo", "fieldnotes.cli.demo_cmd:demo", _("build the demo project and open it"),
             _("Build the demo project (four invented municipalities, two years of fieldwork, two coders) into a\n"
             "fresh file, then open the app on it. Default PATH: the demo file in your data folder (see\n"
             "`fieldnotes locate`); --db PATH names the file, too. Never overwrites a file that is not a demo\n"
             "project; ignores $FIELDNOTES_DB."))
    p.add_argument("path", nargs="?", metavar="PATH", help=_("where to build it"))
    p.add_argument("--no-tui", action="store_true", help=_("only build it, and list what is in it"))

    _add(sub, common, "locate", "fieldnotes.cli.project_cmds:locate",
         _("show where the project, settings, backups and logs live"))

    grp = _group(sub, common, "config", N_("your own settings on this computer (the interface language)"))
    _add(grp, common, "show", "fieldnotes.cli.project_cmds:config_show", N_("show your own settings"))
    p = _add(grp, common, "set", "fieldnotes.cli.project_cmds:config_set", N_("change one of your own settings"),
             N_("Change one of your own settings, kept in a small file in your settings folder (`fieldnotes locate`)\n"
                "and never in the shared project: language (da|en) chooses the language of the app and the command\n"
                "line for you, over the project's language and the system's."))
    p.add_argument("key", choices=("language",))
    p.add_argument("value")

    p = _add(sub, common, "backup", "fieldnotes.cli.project_cmds:backup",
             _("write a consistent, verified copy of the project as a SQLite file (also from a server)"))
    p.add_argument("out", metavar="OUT")
    p = _add(sub, common, "restore", "fieldnotes.cli.project_cmds:restore",
             _("list the project's automatic backups, or restore one (the current file is kept aside)"))
    p.add_argument("backup", nargs="?", metavar="BACKUP", help=_("a backup file, or its number in the list"))
    p.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))

    grp = _group(sub, common, "db", _("schema state and upgrades"))
    _add(grp, common, "current", "fieldnotes.cli.project_cmds:db_current", _("show the schema revision"))
    _add(grp, common, "upgrade", "fieldnotes.cli.project_cmds:db_upgrade",
         _("upgrade the schema to this version's (the only way on PostgreSQL)"))
    _add(grp, common, "check", "fieldnotes.cli.project_cmds:db_check",
         _("check the schema matches this version's models and the data is intact"))


def _codebook_commands(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """The codebook group."""
    # --- codebook -------------------------------------------------------------------------------
    grp = _group(sub, common, "codebook", _("list, import, export and compare codebooks"))
    p = _add(grp, common, "list", "fieldnotes.cli.codebook_cmds:list_codes", _("list codes as a tree with counts"))
    p.add_argument("--retired", action="store_true", help=_("include retired codes"))
    p = _add(grp, common, "import", "fieldnotes.cli.codebook_cmds:import_codebook",
             _("add and update codes from a codebook file (never deletes)"), acts=True)
    p.add_argument("file", help=_("a codebook .yaml file"))
    p.add_argument("--dry-run", action="store_true", help=_("show what would change and stop"))
    p = _add(grp, common, "export", "fieldnotes.cli.codebook_cmds:export_codebook", _("write the codebook to a file"),
             _("Write the codebook to a .yaml file (the format of docs/codebook-format.md) or a REFI-QDA .qdc.\n"
               "Names in it are replaced like in every export; recorded in `fieldnotes log --exports`."))
    p.add_argument("file", metavar="OUT", help=_("the .yaml (or .qdc) file to write"))
    add_names_options(p)
    p.add_argument("--force", action="store_true", help=_("overwrite an existing file"))
    p = _add(grp, common, "diff", "fieldnotes.cli.codebook_cmds:diff_codebook",
             _("show what importing a codebook file would change"))
    p.add_argument("file")
    C = "fieldnotes.cli.coding_cmds"
    p = _add(grp, common, "add", f"{C}:codebook_add", _("add a code"), acts=True)
    p.add_argument("name")
    p.add_argument("--parent", metavar="CODE")
    p.add_argument("--color", metavar="#RRGGBB")
    p.add_argument("--category", action="store_true", help=_("a pure category, which cannot be applied"))
    p.add_argument("--shortcut", metavar="KEY", help=_("one letter or digit, typed after the code prefix key"))
    p.add_argument("--short", metavar="TEXT", help=_("short definition"))
    p.add_argument("--scale", metavar="MIN:MAX", help=_("a rating scale, e.g. 1:5"))
    p = _add(grp, common, "rename", f"{C}:codebook_rename", _("rename a code (it keeps its id)"), acts=True)
    p.add_argument("code", metavar="CODE")
    p.add_argument("name", metavar="NEW_NAME")
    p = _add(grp, common, "move", f"{C}:codebook_move", _("move a code under another parent"), acts=True)
    p.add_argument("code", metavar="CODE")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--parent", metavar="CODE")
    where.add_argument("--top", action="store_true", help=_("to the top level"))
    p = _add(grp, common, "recolour", f"{C}:codebook_recolour", _("change a code's colour"), acts=True)
    p.add_argument("code", metavar="CODE")
    p.add_argument("color", metavar="#RRGGBB")
    p = _add(grp, common, "merge", f"{C}:codebook_merge",
             _("merge code A into B: codings move, duplicates are dropped, A is removed"), acts=True)
    p.add_argument("source", metavar="A")
    p.add_argument("target", metavar="B")
    p = _add(grp, common, "retire", f"{C}:codebook_retire",
             _("retire a code: hidden from the picker, its codings kept"), acts=True)
    p.add_argument("code", metavar="CODE")
    p.add_argument("--undo", action="store_true", help=_("bring a retired code back into use"))
    p = _add(grp, common, "delete", f"{C}:codebook_delete", _("delete a code, its sub-codes and their codings"),
             acts=True)
    p.add_argument("code", metavar="CODE")
    p.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))


def _material_commands(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """import, docs and show."""
    # --- material ----------------------------------------------------------------------------------
    p = _add(sub, common, "import", "fieldnotes.cli.document_cmds:import_files", _("import files or folders"),
             _("Import field material: .txt .md .docx .odt .rtf .pdf .vtt .srt, and folders of them (recursively).\n"
             "Flags are defaults for the batch; a file's own metadata wins: YAML front matter (.md), then\n"
             "STEM.meta.yaml beside the file, then its row in --manifest. Files whose text is already in the\n"
             "project are skipped. Each file goes in whole or not at all."), acts=True)
    p.add_argument("paths", nargs="+", metavar="PATH", help=_("files or folders"))
    p.add_argument("--kind", help=_("interview, observation, minutes or document"))
    p.add_argument("--municipality", action="append", default=[], metavar="M",
                   help=_("municipality of the documents (repeatable); unknown ones are created"))
    p.add_argument("--date", metavar="YYYY-MM-DD")
    p.add_argument("--title", metavar="T")
    p.add_argument("--activity", metavar="A",
                   help=_("e.g. opstartsmøde, lokalt møde, tværkommunalt erfaringsmøde, løbende aktiviteter"))
    p.add_argument("--attr", action="append", default=[], metavar="KEY=VALUE", help=_("a document attribute"))
    p.add_argument("--manifest", metavar="FILE", help=_("a CSV with a 'file' column and metadata columns"))
    p.add_argument("--strict", action="store_true", help=_("import everything or nothing"))
    p.add_argument("--allow-duplicate", action="store_true", help=_("import files whose text is already there"))

    p = _add(sub, common, "docs", "fieldnotes.cli.document_cmds:list_documents", _("list documents"))
    add_filters(p, codes=False, codings=False)

    p = _add(sub, common, "show", "fieldnotes.cli.document_cmds:show_document",
             _("print a document's stored text (--json: with its codings and turns)"))
    p.add_argument("document", metavar="DOC", help=_("id (or unique prefix) or exact title"))


def _coding_commands(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """code, uncode, recode, excerpts, memo, undo, redo and log."""
    # --- coding ------------------------------------------------------------------------------------
    C = "fieldnotes.cli.coding_cmds"
    p = _add(sub, common, "code", f"{C}:code", _("code spans of a document"),
             _("Code spans of a document with one code: --span START:END (characters, end exclusive),\n"
             "--match TEXT (must occur once, unless --all or --nth N), --regex RE, or --speaker S\n"
             "(every turn by a speaker label, name or role). --dry-run shows what would be coded."), acts=True)
    p.add_argument("document", metavar="DOC", help=_("id (or unique prefix) or exact title"))
    p.add_argument("--code", required=True, metavar="CODE", help=_("name, path Parent/Child, or id"))
    how = p.add_argument_group(_("what to code (exactly one)"))
    how.add_argument("--span", metavar="START:END")
    how.add_argument("--match", metavar="TEXT")
    how.add_argument("--regex", metavar="RE")
    how.add_argument("--speaker", metavar="S")
    p.add_argument("--all", action="store_true", help=_("with --match: every occurrence"))
    p.add_argument("--nth", type=int, metavar="N", help=_("with --match: the Nth occurrence (1-based)"))
    p.add_argument("--snap", choices=("word", "sentence", "paragraph", "turn"),
                   help=_("widen each span to whole words, the sentence, the paragraph or the speaker turn"))
    p.add_argument("--memo", metavar="TEXT", help=_("why: a memo on the coding"))
    p.add_argument("--rating", type=int, metavar="N", help=_("a rating, for codes with a scale"))
    p.add_argument("--dry-run", action="store_true", help=_("show what would be coded; change nothing"))

    p = _add(sub, common, "uncode", f"{C}:uncode", _("remove a coding"), acts=True)
    p.add_argument("coding", metavar="CODING_ID")

    p = _add(sub, common, "recode", f"{C}:recode", _("change a coding's span, memo, rating or review flag"),
             acts=True)
    p.add_argument("coding", metavar="CODING_ID")
    p.add_argument("--span", metavar="START:END", help=_("move its start and end"))
    p.add_argument("--memo", metavar="TEXT", help=_("replace its memo ('' clears it)"))
    p.add_argument("--rating", type=int, metavar="N")
    p.add_argument("--no-rating", action="store_true", help=_("remove its rating"))
    p.add_argument("--reviewed", action="store_true", help=_("clear its needs-review flag"))

    p = _add(sub, common, "excerpts", f"{C}:list_excerpts", _("list coded excerpts"))
    add_filters(p, context=True)
    p.add_argument("--limit", type=int, metavar="N", help=_("at most N excerpts"))

    grp = _group(sub, common, "memo", _("memos on the project, documents, cases, codes and codings"))
    p = _add(grp, common, "add", f"{C}:memo_add", _("write a memo"),
             _("Write a memo. TARGET is: project, doc:TITLE, code:PATH, case:NAME, coding:ID, or a plain\n"
             "name or id when it is unambiguous."), acts=True)
    p.add_argument("target", metavar="TARGET")
    p.add_argument("text", metavar="TEXT")
    p = _add(grp, common, "list", f"{C}:memo_list", _("list memos"))
    p.add_argument("--source", metavar="REPORT.docx",
                   help=_("only the memos `memo import` brought in from this report (its file name), in thread "
                          "order"))
    p = _add(grp, common, "import", f"{C}:memo_import", _("bring comments written on a Word report back as memos"),
             _("Bring back the comments a meeting wrote on a Word report made with `fieldnotes export docx`.\n"
             "A comment on an excerpt becomes a memo on that coding, one on a code's heading a memo on the\n"
             "code, any other a project memo quoting the text it was on; replies stay replies. The author\n"
             "becomes the memo's coder (created if new) and the comment's date is kept. Importing the same\n"
             "report again changes nothing; a comment edited since updates its memo. A comment whose coding\n"
             "was removed or recoded since the export is kept as a project memo and reported. One undo takes\n"
             "the whole import back."), acts=True)
    p.add_argument("report", metavar="REPORT.docx", help=_("the commented report (Word or LibreOffice)"))
    p.add_argument("--dry-run", action="store_true", help=_("show what each comment would become; write nothing"))
    p.add_argument("--as", dest="as_coder", metavar="CODER",
                   help=_("the coder for comments that carry no author's name"))

    _add(sub, common, "undo", f"{C}:undo", _("undo your last change"), acts=True)
    _add(sub, common, "redo", f"{C}:redo", _("redo your last undone change"), acts=True)

    p = _add(sub, common, "log", f"{C}:log", _("the audit trail: who did what, and when"))
    p.add_argument("--coder", dest="filter_coders", action="append", default=[], metavar="X",
                   help=_("only changes by this coder (repeatable)"))
    p.add_argument("--since", metavar="DATE", help=_("only changes on or after DATE"))
    p.add_argument("--exports", action="store_true", help=_("only exports, bundles and key exports"))
    p.add_argument("--limit", type=int, metavar="N")


def _document_commands(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """edit, new and doc: a document's text and metadata."""
    C = "fieldnotes.cli.coding_cmds"
    p = _add(sub, common, "edit", f"{C}:edit", _("edit a document's text in $EDITOR; codings follow the text"),
             acts=True)
    p.add_argument("document", metavar="DOC")
    p.add_argument("--from-file", metavar="FILE", help=_("take the new text from FILE instead of an editor"))

    p = _add(sub, common, "new", f"{C}:new_document", _("write a new document (an observation note) in $EDITOR"),
             acts=True)
    p.add_argument("--kind", default="observation", help=_("default: observation"))
    p.add_argument("--title")
    p.add_argument("--date", metavar="YYYY-MM-DD", help=_("default: today"))
    p.add_argument("--activity")
    p.add_argument("--municipality", action="append", default=[], metavar="M")
    p.add_argument("--from-file", metavar="FILE", help=_("take the text from FILE instead of an editor"))

    grp = _group(sub, common, "doc", _("change a document's metadata, rename or delete it"))
    p = _add(grp, common, "set", f"{C}:doc_set", _("set title, kind, date, activity, municipality, "
             "participants or attr:NAME"), acts=True)
    p.add_argument("document", metavar="DOC")
    p.add_argument("key", metavar="KEY", help=_("title, kind, date, activity, municipality (M1;M2), "
                   "participants (Name (role); ...), attr:NAME"))
    p.add_argument("value", metavar="VALUE")
    p = _add(grp, common, "rename", f"{C}:doc_rename", _("rename a document"), acts=True)
    p.add_argument("document", metavar="DOC")
    p.add_argument("title", metavar="TITLE")
    p = _add(grp, common, "delete", f"{C}:doc_delete", _("delete a document with its codings (undoable)"),
             acts=True)
    p.add_argument("document", metavar="DOC")
    p.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))


#: modules with a `register(sub, common)` that adds an area's commands with `add_command`/`add_group`
AREA_MODULES: list[str] = ["fieldnotes.cli.args_exchange", "fieldnotes.cli.args_analysis",
                           "fieldnotes.cli.args_export", "fieldnotes.cli.args_search",
                           "fieldnotes.cli.args_privacy", "fieldnotes.cli.args_team"]

add_command = _add
add_group = _group
