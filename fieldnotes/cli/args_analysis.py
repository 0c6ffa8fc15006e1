"""Commands of the analysis: `fieldnotes matrix`, `cooccurrence`, `ratings` and `words`.

Only argparse is imported here, so `fieldnotes --help` stays instant; the handlers live in
`fieldnotes.cli.analysis_cmds`.
"""

from __future__ import annotations

import argparse

from fieldnotes.translations import N_, _

H = "fieldnotes.cli.analysis_cmds"
BY = N_("municipality, kind, activity, phase, coder, role or attr:NAME")

MATRIX = N_("""\
Codes as rows (the codebook's tree), columns from --by, one number per cell, with row and column totals.

Columns (--by): municipality, kind, activity, phase (half-years from the fieldwork start, 1-based),
coder, role (the role of the speaker whose turn a coding starts in), or attr:NAME (a document or case
attribute). A document linked to several municipalities counts in each; what has no value is (none).

Measures (--measure):
  codings    codings of the row's code, or of the code and its sub-codes (rollup); each coding once
  documents  documents in the column that contain the row's code (rollup: the code or a sub-code)
  chars      characters coded with the row's code (rollup: or a sub-code), per document each character
             once, however many codings (overlaps, two coders) cover it
  percent    the share of the column's documents that contain the row's code, so that a municipality
             with more material does not look more interested in everything. A column's documents are
             the documents in it; for coder: those the coder coded; for role: those where someone with
             the role speaks; for (none): all documents in scope
Totals count distinct codings, documents and characters, so a row total can be less than the sum of
its cells when a document is in two columns.

--cell ROW COLUMN lists the excerpts behind one number (COLUMN may be 'total' for the whole row).
--csv and --xlsx write the table to a file (recorded in `fieldnotes log --exports`); names in its rows
and columns are replaced like in every export (--no-pseudonymize: as written).""")

COOCCURRENCE = N_("""\
Pairs of codes that meet in the text, with how often and in how many documents.

--within overlap    a coding of each code share at least one character; counts pairs of codings
--within turn       both codes have a coding in the same speaker turn; counts turns (documents
                    without speaker turns, such as notes and minutes, count by paragraph)
--within paragraph  both codes have a coding in the same paragraph (line); counts paragraphs

Codes count as applied (a code does not meet its own sub-codes through rollup).
--pair A B lists the excerpts of A and B where they meet.""")

RATINGS = N_("""\
Ratings of a code with a scale (the belief in a citizen's job chance, 1-5): count, mean, median and
distribution per column (--by, default municipality) and over all. The ratings of sub-codes that have
a scale of their own are included unless --no-descendants. A document in two municipalities counts
in each column; the total counts every rating once.

--per municipality (or any other column) splits the columns once more: one row per municipality with
its ratings per --by column (default then: phase), the small multiples the app draws, so a rise in one
municipality and a fall in another show side by side.""")

WORDS = N_("""\
Word frequencies per column, key words, and key words in context.

Reads the text of the documents in scope without speaker labels and timestamps; with a coding filter
(--code, --coder, --rating, --contains) only the coded excerpts that pass it, each character once.
--role keeps the turns of people with that role (e.g. sagsbehandler), --by role splits by role.
Words are lower-cased letters (æ, ø, å included), hyphenated words kept whole; numbers are not words.
Danish stop words count in the totals but are never listed (--all-words lists them).
--no-names treats names the same way: the words of the names of speakers and participants, cases and
the pseudonym register (written with a capital there, and never in lower case in the text read).

--keyness: each column's key words against the rest of the text, by Dunning's log-likelihood (G2,
1993): words used more in the column than elsewhere with G2 >= 3.84 (p < 0.05) and at least
--min-count uses, strongest first; log_ratio (log2 of the ratio of relative frequencies) shows size.
--kwic WORD: every use of the word (or WORD* for words beginning so), with context.""")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    from fieldnotes.cli.parser import add_command, add_filters, add_names_options

    p = add_command(sub, common, "matrix", f"{H}:matrix",
                    _("codes x municipalities, phases, ...: how often themes occur"),
                    MATRIX)
    add_filters(p, context=True)
    p.add_argument("--by", default="municipality", metavar="COLUMNS", help=_("{columns} (default: municipality)")
                   .format(columns=_(BY)))
    p.add_argument("--measure", choices=("codings", "documents", "chars", "percent"), default="codings",
                   help=_("what a cell counts (default: codings; see above)"))
    p.add_argument("--no-rollup", action="store_true", help=_("a row counts only its own code, not its sub-codes"))
    out = p.add_mutually_exclusive_group()
    out.add_argument("--csv", metavar="OUT", help=_("write the table as CSV (UTF-8)"))
    out.add_argument("--xlsx", metavar="OUT", help=_("write the table as an Excel workbook"))
    out.add_argument("--cell", nargs=2, metavar=("ROW", "COLUMN"), help=_("list the excerpts behind one cell"))
    p.add_argument("--force", action="store_true", help=_("overwrite an existing OUT"))
    add_names_options(p)
    p.add_argument("--limit", type=int, metavar="N", help=_("with --cell: at most N excerpts"))

    p = add_command(sub, common, "cooccurrence", f"{H}:cooccurrence", _("pairs of codes that meet in the text"),
                    COOCCURRENCE)
    add_filters(p, context=True)
    p.add_argument("--within", choices=("overlap", "turn", "paragraph"), default="overlap",
                   help=_("where two codes meet (default: overlap)"))
    p.add_argument("--pair", nargs=2, metavar=("A", "B"), help=_("list the excerpts where codes A and B meet"))
    p.add_argument("--limit", type=int, metavar="N", help=_("at most N pairs (or excerpts with --pair)"))

    p = add_command(sub, common, "ratings", f"{H}:ratings", _("ratings of a scaled code per municipality or phase"),
                    RATINGS)
    p.add_argument("code", metavar="CODE", help=_("a code with a rating scale (name, path or id)"))
    add_filters(p, codes=False)
    p.add_argument("--by", metavar="COLUMNS", help=_("{columns} (default: municipality; with --per: phase)")
                   .format(columns=_(BY)))
    p.add_argument("--no-descendants", action="store_true", help=_("only the code's own ratings, not its sub-codes'"))
    p.add_argument("--per", metavar="ROWS", help=_("one row per value of ROWS ({columns}), columns from --by")
                   .format(columns=_(BY)))

    p = add_command(sub, common, "words", f"{H}:words", _("word frequencies, key words and key words in context"),
                    WORDS)
    add_filters(p)
    p.add_argument("--by", metavar="COLUMNS", help=_("municipality, kind, activity, phase, role or attr:NAME "
                                                   "(default: none; municipality with --keyness)"))
    p.add_argument("--keyness", action="store_true", help=_("key words of each column against the rest"))
    p.add_argument("--kwic", metavar="WORD", help=_("every use of WORD in context (WORD* for words beginning so)"))
    p.add_argument("--role", action="append", default=[], metavar="R",
                   help=_("only the speaker turns of people with this role (repeatable)"))
    p.add_argument("--limit", type=int, metavar="N", help=_("words per column (default 30), or lines of --kwic"))
    p.add_argument("--min-count", type=int, default=3, metavar="N",
                   help=_("with --keyness: at least N uses (default 3)"))
    p.add_argument("--all-words", action="store_true", help=_("list stop words too"))
    p.add_argument("--no-names", action="store_true",
                   help=_("leave out the names of speakers, participants, cases and the pseudonym register"))
    p.add_argument("--width", type=int, default=40, metavar="N",
                   help=_("with --kwic: characters of context (default 40)"))
