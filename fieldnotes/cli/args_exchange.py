"""Commands of the REFI-QDA exchange: `fieldnotes exchange export-qdpx|export-qdc|import`.

Only argparse is imported here, so `fieldnotes --help` stays instant; the handlers live in
`fieldnotes.cli.exchange_cmds` (also wired to `fieldnotes export qdpx|qdc` and `fieldnotes import`).
"""

from __future__ import annotations

import argparse

from fieldnotes.translations import _

H = "fieldnotes.cli.exchange_cmds"


def _privacy(parser: argparse.ArgumentParser) -> None:
    from fieldnotes.cli.parser import add_names_options

    add_names_options(parser)
    parser.add_argument("--force", action="store_true", help=_("overwrite an existing file"))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    from fieldnotes.cli.parser import add_command, add_group

    grp = add_group(sub, common, "exchange", _("REFI-QDA exchange with NVivo, ATLAS.ti, MAXQDA and QualCoder"))
    p = add_command(grp, common, "export-qdpx", f"{H}:export_qdpx", _("write the project as a REFI-QDA .qdpx"),
                    _("Write the whole project as a REFI-QDA project (.qdpx): coders, codebook, cases with\n"
                    "variables, documents, codings and memos. GUIDs are the project's own ids, so exporting twice\n"
                    "gives the same ids. The export is recorded in the audit trail (`fieldnotes log --exports`)."))
    p.add_argument("out", metavar="OUT", help=_("the .qdpx file to write"))
    _privacy(p)
    p.add_argument("--utf16-positions", action="store_true",
                   help=_("count positions in UTF-16 code units, as NVivo does (default: code points, as the "
                        "standard says)"))
    p = add_command(grp, common, "export-qdc", f"{H}:export_qdc", _("write the codebook as a REFI-QDA .qdc"),
                    _("Write the codebook as a REFI-QDA codebook (.qdc). Definitions, when to use, examples and\n"
                    "rating scales go into each code's description as labelled sections, which an import reads\n"
                    "back. The export is recorded in the audit trail."))
    p.add_argument("out", metavar="OUT", help=_("the .qdc file to write"))
    _privacy(p)
    p.add_argument("--utf16-positions", action="store_true",
                   help=_("accepted for symmetry; a codebook has no positions"))
    p = add_command(grp, common, "import", f"{H}:import_file", _("merge a REFI-QDA .qdpx or .qdc into the project"),
                    _("Merge a REFI-QDA project (.qdpx) or codebook (.qdc) into the project, as one change that\n"
                    "`fieldnotes undo` takes back. Rows whose ids are already there are matched, not duplicated;\n"
                    "documents are also matched by their text. The report lists what was taken, converted and\n"
                    "dropped (media, PDF regions, graphs, missing files, selections that do not fit), and why.\n"
                    "Refused outright: files that are not zip archives or hold no .qde, malformed XML, DTDs and\n"
                    "entities, unsafe paths in the zip, members over 200 MB or archives over 2 GB unpacked."),
                    acts=True)
    p.add_argument("file", metavar="FILE", help=_("a .qdpx, .qdc or .qde file"))
    p.add_argument("--positions", choices=("auto", "codepoints", "utf16", "atlas"), default="auto",
                   help=_("how the file counts positions (default: from the tool that wrote it, checked against "
                        "the text)"))
    p.add_argument("--dry-run", action="store_true", help=_("show the report; change nothing"))
