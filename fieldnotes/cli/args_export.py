"""The `export docx|csv|xlsx` commands (argparse only, so `fieldnotes --help` stays instant)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from fieldnotes.cli.parser import add_command, add_filters, add_group, add_names_options
from fieldnotes.translations import N_, _

H = "fieldnotes.cli.export_cmds"

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[Any]

CSV_NOTE = (
    N_("The file is UTF-8 with a byte-order mark, so Excel shows æ, ø and å correctly. The separator is ';'\n"
    "by default, which Danish Excel (and any Excel whose decimal mark is a comma) splits into columns\n"
    "on double-click; use --sep ',' for English-language Excel, --sep tab for a tab-separated file.\n"
    "Headers are the field names of `fieldnotes excerpts --json`. Cells that Excel would run as a\n"
    "formula (starting with = + - @) get a leading apostrophe."))


def export_commands(sub: SubParsers, common: argparse.ArgumentParser) -> SubParsers:
    """The `export` group's sub-commands; created on first use, so other areas can add formats to it."""
    existing = sub.choices.get("export")
    if existing is not None:
        for action in existing._actions:
            if isinstance(action, argparse._SubParsersAction):
                return action
    return add_group(sub, common, "export",
                     _("export coded excerpts (Word, CSV, Excel, a theme browser in HTML) or the project (REFI-QDA)"))


def _common_export_options(parser: argparse.ArgumentParser, *, out_after_list: bool = False) -> None:
    add_filters(parser, context=True)
    add_names_options(parser)
    parser.add_argument("--force", action="store_true", help=_("replace OUT if it exists"))
    # after `--annotated DOC...` the list takes OUT too: the handler takes it back (export_cmds.take_out)
    parser.add_argument("out", metavar="OUT", nargs="?" if out_after_list else None, help=_("the file to write"))


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    group = export_commands(sub, common)

    p = add_command(group, common, "docx", f"{H}:export_docx", _("coded excerpts (or annotated documents) to Word"),
                    _("Write the excerpts the filters select to a Word report: title page, contents, a heading per\n"
                    "code in codebook order with its definition, each excerpt as a quotation with its citation\n"
                    "(document, municipality, kind, date, speaker, position, coder), rating, memo and overlapping\n"
                    "codes, and the codebook entries as an appendix. Headings follow --lang.\n"
                    "With --annotated DOC..., write those documents in full instead, every coding a Word comment.\n\n"
                    "--cell BY ROW COLUMN writes exactly the excerpts behind one cell of `fieldnotes matrix --by BY`\n"
                    "(the same ones `matrix --by BY --cell ROW COLUMN` lists; COLUMN may be '(none)' or 'total'),\n"
                    "with the matrix's rule that a parent row includes its sub-codes unless --no-rollup.\n"
                    "--overview BY puts the code matrix of codings by BY (municipality, phase, kind, activity, coder,\n"
                    "role, attr:NAME) for the exported codes after the contents, its cells shaded by their count."))
    _common_export_options(p, out_after_list=True)
    p.add_argument("--group-by", choices=("municipality", "document", "phase", "kind", "coder"),
                   help=_("also group each code's excerpts under headings one level below it (a group without "
                        "excerpts is left out)"))
    p.add_argument("--memos", action="store_true",
                   help=_("include the memos: the project's, each code's, excerpt's, document's and municipality's"))
    p.add_argument("--merge-coders", action=argparse.BooleanOptionalAction, default=True,
                   help=_("show a passage several coders coded with the same code on the same span once, naming "
                        "every coder with their rating and memo (default); --no-merge-coders shows each coding"))
    p.add_argument("--annotated", nargs="+", metavar="DOC",
                   help=_("write these documents in full, each coding a comment (id, id prefix or exact title)"))
    p.add_argument("--cell", nargs=3, metavar=("BY", "ROW", "COLUMN"),
                   help=_("only the excerpts behind one matrix cell: `matrix --by BY --cell ROW COLUMN`"))
    p.add_argument("--overview", metavar="BY",
                   help=_("add the code matrix by BY as an overview table with shaded cells"))
    p.add_argument("--charts", action="store_true",
                   help=_("add three figures after the contents: the themes × municipality heat map, rating "
                          "trends per municipality over the phases, and the co-occurrence grid (print resolution, "
                          "readable in grayscale, each with a caption and alt text)"))
    p.add_argument("--no-rollup", action="store_true",
                   help=_("with --cell or --overview: a code's row counts only its own codings, not its sub-codes'"))

    p = add_command(group, common, "csv", f"{H}:export_csv", _("coded excerpts as a CSV table (one row each)"),
                    _("Write one row per excerpt: the code path split into levels, document, cases and their\n"
                      "attributes, position, coder, rating, memo, text and context.") + "\n\n" + _(CSV_NOTE))
    _common_export_options(p)
    p.add_argument("--sep", choices=(";", ",", "tab"), default=";", metavar="{;|,|tab}",
                   help=_("the separator (default ';', for Danish Excel)"))

    p = add_command(group, common, "xlsx", f"{H}:export_xlsx", _("coded excerpts as an Excel workbook (one row each)"),
                    _("Write one row per excerpt to an .xlsx workbook (headers in --lang, dates as dates,\n"
                    "frozen header row with filters), and a second sheet describing the export."))
    _common_export_options(p)

    p = add_command(group, common, "html", f"{H}:export_html",
                    _("a theme browser: one HTML file that opens offline in any browser"),
                    _("Write one self-contained HTML file (inline CSS, JavaScript and SVG; no server, no network,\n"
                    "nothing to install) for project leads: the heat map of codes by municipality and by phase\n"
                    "with a switch between them, where a click on a cell (or Tab to it and Enter) lists its\n"
                    "excerpts with their citation lines, ratings and memos (the same excerpts `matrix --by BY\n"
                    "--cell ROW COLUMN` lists); the rating trends per municipality over the phases; and the\n"
                    "codebook with its definitions. Names are replaced as in every export, and the first screen\n"
                    "says whether they are. Words follow --lang."))
    _common_export_options(p)
    p.add_argument("--memos", action="store_true",
                   help=_("also list the memos written on each excerpt (its own memo always shows)"))

    # REFI-QDA files: the exchange area's handlers, under the names the command-line contract gives them
    exchange = "fieldnotes.cli.exchange_cmds"
    for name, handler, help_text in (
            ("qdpx", "export_qdpx", N_("the whole project as a REFI-QDA project (.qdpx)")),
            ("qdc", "export_qdc", N_("the codebook as a REFI-QDA codebook (.qdc)"))):
        p = add_command(group, common, name, f"{exchange}:{handler}", help_text,
                        _("Write {what}; the same as `fieldnotes exchange export-{name}`.").format(what=_(help_text),
                                name=name))
        p.add_argument("out", metavar="OUT", help=_("the .{name} file to write").format(name=name))
        add_names_options(p)
        p.add_argument("--force", action="store_true", help=_("replace OUT if it exists"))
        p.add_argument("--utf16-positions", action="store_true",
                       help=_("count positions in UTF-16 code units, as NVivo does (default: code points)"))
