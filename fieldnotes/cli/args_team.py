"""Commands of team work: `fieldnotes bundle`, `merge`, `conflicts`, `agreement` and `disagreements`.

Only argparse is imported here, so `fieldnotes --help` stays instant; the handlers live in
`fieldnotes.cli.team_cmds`.
"""

from __future__ import annotations

import argparse

from fieldnotes.translations import N_, _

H = "fieldnotes.cli.team_cmds"

BUNDLE = N_("""\
Write one coder's work to a single file, to carry to another copy of the project and merge there with
`fieldnotes merge`: their codings, memos, codebook changes, new documents and the history of those
changes, with the documents, codes and turns they refer to. Merges are not included (a bundle holds
the coder's own work), so bundles can be crossed between copies in any order.

--coder X (repeatable) chooses whose work (default: you, from --coder before the command,
$FIELDNOTES_CODER or the project's default coder); --since DATE only changes on or after DATE.
A bundle is internal exchange with teammates who work on the same material, not an export: its
text travels as written (names included), and so does the pseudonym register. --pseudonymize leaves
the register's original names out of it (the key stays here); the exports' default of replacing
names (pseudonymize_exports) does not apply to bundles. Making a bundle is recorded in the audit
trail (`fieldnotes log --exports`).""")

MERGE = N_("""\
Merge a bundle (from `fieldnotes bundle`) or a whole project file into this project, as one change
that `fieldnotes undo` takes back. Rows are matched by id; documents imported separately on two
laptops are matched by their text. Where both copies changed the same thing (a code renamed twice, a
code deleted on one side and used on the other, a document edited on one side and coded on the other)
the later change wins, so merging in either order gives the same result; each conflict is recorded
with both versions (`fieldnotes conflicts`). Codings made on an older version of a text follow the
edit. Merging the same file twice changes nothing. A SQLite project is backed up first.

A bundle or file from another project is refused, except that a whole project file can be merged
into an empty project (`fieldnotes init --empty`): that is how a team moves onto a shared server.""")

CONFLICTS = N_("""\
List the conflicts merges found, newest first: what both copies did, which version the rule kept
(the later change), and both versions. `fieldnotes conflicts settle ID ours|theirs` puts the other
version back (one undoable change); for two codes that clash by name it merges one into the other.""")

AGREEMENT = N_("""\
Inter-coder agreement per code and pooled over the codes, with the raw counts beside every
coefficient. Compared are the documents every one of the coders has coded at least once.

--unit character  per code and document, each character coded by a coder or not: a = both coded,
                  b = only the first coder, c = only the second, d = neither; percent agreement,
                  Cohen's kappa and Krippendorff's alpha (nominal). n = the compared documents'
                  characters. A coder's overlapping codings of one code count each character once.
--unit segment    a coder's codings of a code are segments; two segments agree when they overlap by
                  at least --overlap percent (default 90) of the two together. a = agreeing pairs,
                  b, c = segments of one coder only; percent = a / (a + b + c). No kappa or alpha:
                  segments have no 'neither' cell.
--unit document   per code, present in a document or not: a, b, c, d count documents.
With more than two coders, kappa and a-d are given per pair (`pairs`), alpha covers all of them.
--code C (repeatable) limits to codes and their sub-codes.""")

DISAGREEMENTS = N_("""\
Step through the places where two coders differ: runs of text where one coder has a code and the
other has not, in the documents both have coded. For each, accept a (the first coder's version), b
(the second's) or both (keep both as they are). Accepting the version that has the code gives it to
the other coder on that run; accepting the one without takes the run out of the other's codings.
Each such choice is one undoable change (action "settle"), by you; keeping both changes nothing and is
noted in the audit trail (action "settle.both"), so the run is not shown again.

On a terminal you are asked for each one; in scripts give --accept a|b|both --all, or --json to
list them.""")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    from fieldnotes.cli.parser import add_command

    p = add_command(sub, common, "bundle", f"{H}:bundle", _("write a coder's work to a file for merging elsewhere"),
                    BUNDLE)
    p.add_argument("out", metavar="OUT", help=_("the bundle file to write (e.g. anna.fnbundle)"))
    p.add_argument("--coder", dest="filter_coders", action="append", default=[], metavar="X",
                   help=_("whose work (repeatable; default: you)"))
    p.add_argument("--since", metavar="DATE", help=_("only changes on or after DATE (YYYY-MM-DD)"))
    p.add_argument("--pseudonymize", action=argparse.BooleanOptionalAction, default=None,
                   help=_("leave the pseudonym key out (default: the key travels; bundles are internal exchange)"))
    p.add_argument("--force", action="store_true", help=_("overwrite an existing file"))

    p = add_command(sub, common, "merge", f"{H}:merge", _("merge a bundle or a whole project file into this project"),
                    MERGE, acts=True)
    p.add_argument("file", metavar="FILE", help=_("a bundle, or a project file (.db)"))
    p.add_argument("--dry-run", action="store_true", help=_("show what merging would do; change nothing"))

    p = add_command(sub, common, "conflicts", f"{H}:conflicts", _("review the conflicts merges found, and settle them"),
                    CONFLICTS)
    p.add_argument("--open", action="store_true", help=_("only conflicts not settled by hand yet"))
    actions = p.add_subparsers(title=_("commands"), metavar="COMMAND", dest="conflicts_command")
    s = add_command(actions, common, "settle", f"{H}:conflicts_settle",
                    _("put one version of a conflict back: ours or theirs"), acts=True)
    s.add_argument("conflict", metavar="ID", help=_("a conflict id (or a unique prefix) from `fieldnotes conflicts`"))
    s.add_argument("choice", choices=("ours", "theirs"))

    p = add_command(sub, common, "agreement", f"{H}:agreement", _("inter-coder agreement: percent, kappa, alpha"),
                    AGREEMENT)
    p.add_argument("--coders", required=True, metavar="A,B[,C...]", help=_("the coders to compare, by name"))
    p.add_argument("--code", action="append", default=[], metavar="C",
                   help=_("only this code and its sub-codes (repeatable)"))
    p.add_argument("--unit", choices=("character", "segment", "document"), default="character",
                   help=_("what counts as one unit (default: character)"))
    p.add_argument("--overlap", type=float, default=90.0, metavar="PCT",
                   help=_("segments agree when they overlap by at least PCT percent (default 90)"))

    p = add_command(sub, common, "disagreements", f"{H}:disagreements",
                    _("step through and settle where two coders differ"), DISAGREEMENTS, acts=True)
    p.add_argument("--coders", required=True, metavar="A,B", help=_("the two coders, by name"))
    p.add_argument("--code", metavar="C", help=_("only this code and its sub-codes"))
    p.add_argument("--accept", choices=("a", "b", "both"), help=_("settle with this choice (with --all)"))
    p.add_argument("--all", action="store_true", help=_("with --accept: settle every disagreement listed"))
    p.add_argument("--limit", type=int, metavar="N", help=_("at most N disagreements"))
