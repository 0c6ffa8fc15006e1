"""Commands of the pseudonym register: `fieldnotes pseudonyms add|list|remove|import|export|detect|apply`.

Only argparse is imported here, so `fieldnotes --help` stays instant; the handlers live in
`fieldnotes.cli.privacy_cmds`. The workflow is documented in docs/privacy.md.
"""

from __future__ import annotations

import argparse

from fieldnotes.translations import _

H = "fieldnotes.cli.privacy_cmds"


def _backups(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--delete-backups", action="store_true",
                        help=_("also delete fieldnotes' own backups of the project, which still hold the originals"))
    parser.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    from fieldnotes.cli.parser import add_command, add_group

    grp = add_group(sub, common, "pseudonyms",
                    _("the pseudonym register: replace names consistently, keep the key apart"))
    p = add_command(grp, common, "add", f"{H}:add", _("add an entry: ORIGINAL becomes PSEUDONYM"),
                    _("Add an entry to the register: ORIGINAL (a name as it is written in the material) becomes\n"
                    "PSEUDONYM everywhere: whole words, longest first, the genitive too (\"Mettes\" -> \"Annes\").\n"
                    "--from-participants proposes an entry for every participant and speaker of the documents\n"
                    "(full name, first name, surname), with pseudonyms drawn from a shipped list of Danish names."),
                    acts=True)
    p.add_argument("original", nargs="?", metavar="ORIGINAL")
    p.add_argument("pseudonym", nargs="?", metavar="PSEUDONYM")
    p.add_argument("--category", metavar="C", help=_("person (default), place, workplace, organisation or other"))
    p.add_argument("--attr", action="append", default=[], metavar="KEY=VALUE",
                   help=_("an attribute of the entry, such as role=leder (repeatable)"))
    p.add_argument("--from-participants", action="store_true",
                   help=_("add entries for every participant and speaker not yet in the register"))
    p.add_argument("--dry-run", action="store_true", help=_("with --from-participants: only show the proposals"))

    add_command(grp, common, "list", f"{H}:list_entries", _("list the register"),
                _("List the register: id, category, original, pseudonym, attributes, and how often the original\n"
                "occurs in the documents. An entry whose key was separated shows no original."))

    p = add_command(grp, common, "remove", f"{H}:remove", _("remove an entry"), acts=True)
    p.add_argument("entry", metavar="ORIGINAL|ID", help=_("the entry's original, pseudonym, id or id prefix"))

    p = add_command(grp, common, "import", f"{H}:import_key", _("merge a key file into the register"),
                    _("Merge a key file (.yaml or .json, as `pseudonyms export` writes it) into the register. Entries\n"
                    "whose key was separated get their originals back; new entries are added with their ids."),
                    acts=True)
    p.add_argument("keyfile", metavar="KEYFILE")

    p = add_command(grp, common, "export", f"{H}:export_key", _("write the key (originals and pseudonyms) to a file"),
                    _("Write the register's key to KEYFILE (.yaml or .json, readable by you only): ids, originals,\n"
                    "pseudonyms, categories, attributes. With --remove the originals are then taken out of the\n"
                    "project: the register keeps only the pseudonyms, the history is redacted, the search index\n"
                    "rebuilt and freed pages cleared; re-identifying then needs the key file. --remove is refused\n"
                    "while an original still occurs in the material (run `pseudonyms apply` first). An existing\n"
                    "KEYFILE is only written with --force, and then every entry it holds is kept (the register's\n"
                    "entries are added to it). Recorded in the audit trail (`fieldnotes log --exports`)."),
                    acts=True)
    p.add_argument("keyfile", metavar="KEYFILE")
    p.add_argument("--remove", action="store_true", help=_("take the originals out of the project afterwards"))
    p.add_argument("--force", action="store_true",
                   help=_("write into an existing key file, keeping every entry it holds"))
    _backups(p)

    p = add_command(grp, common, "detect", f"{H}:detect", _("list personal data the register does not cover"),
                    _("List candidates for the register, with document and position: CPR numbers (valid dates;\n"
                    "modulus 11 is reported, not required), phone numbers, e-mail addresses, street addresses,\n"
                    "and capitalised words that look like names. Nothing is replaced."))
    p.add_argument("--kind", action="append", default=[], choices=("cpr", "phone", "email", "address", "name"),
                   help=_("only candidates of this kind (repeatable)"))

    p = add_command(grp, common, "apply", f"{H}:apply", _("put the pseudonyms into the project's text"),
                    _("Replace every original by its pseudonym in the project itself: document text (codings move\n"
                    "with their words), titles, participants, speakers, memos, cases, attribute values and\n"
                    "codebook texts. The history is then redacted, so undo cannot bring the originals back.\n"
                    "--dry-run lists every replacement (document, position, original -> pseudonym) first."),
                    acts=True)
    p.add_argument("--dry-run", action="store_true", help=_("list the replacements; change nothing"))
    _backups(p)
