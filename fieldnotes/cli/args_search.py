"""The `search` and `similar` commands (argparse only, so `fieldnotes --help` stays instant)."""

from __future__ import annotations

import argparse

from fieldnotes.cli.parser import add_command, add_filters
from fieldnotes.translations import N_, _

H = "fieldnotes.cli.search_cmds"

SEARCH_HELP = N_("""\
Search the text of every document (or of those the filters choose). Hits are listed as key words in
context with document, municipality, speaker and position, best first (--sort).

The query:  borger jobchance (both)   praktik OR løntilskud   borger NOT angst   "tror på" (phrase)
            prakti* (prefix)   NEAR(borger job, 5) (within 5 words)   (a OR b) c
Matching ignores case and keeps Danish letters apart ("på" is not "pa"). AND, OR, NOT and NEAR are
operators only in capitals. --fuzzy also finds misspellings and transcription variants, each hit
with a score; --stem finds the word's Danish inflections (borger, borgeren, borgerne).

--inside THEME searches only the text coded with a code or theme (its sub-codes included).
--counts --by municipality|kind|phase|activity|document counts the hits per group (a concordance).
--code CODE codes every hit (or the first --limit N), or only the hits chosen with --hits 1,3,7 (numbered
as the same search lists them), optionally widened with --snap, as one step that `fieldnotes undo` takes
back; --dry-run shows what would be coded.
""")

SIMILAR_HELP = N_("""\
List the passages most like a coded excerpt that do not carry its code yet (by any coder): candidates
for coding it. Passages are sentences (or speaker turns, or paragraphs: --unit), scored 0-1 by the
words they share with the excerpt, rare words weighing more.
""")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = add_command(sub, common, "search", f"{H}:search", _("search the text: full-text, fuzzy, counts, code hits"),
                    SEARCH_HELP, acts=True)
    p.add_argument("query", nargs="?", metavar="QUERY", help=_("what to look for (see above)"))
    add_filters(p, codes=False, codings=False, context=True)
    scope = p.add_argument_group(_("scope"))
    scope.add_argument("--inside", action="append", default=[], metavar="THEME",
                       help=_("only text coded with this code or theme (repeatable); sub-codes included"))
    scope.add_argument("--no-descendants", action="store_true", help=_("with --inside: not the sub-codes"))
    scope.add_argument("--document", action="append", default=[], metavar="DOC",
                       help=_("only this document (id, id prefix or title; repeatable)"))
    how = p.add_argument_group(_("matching and results"))
    how.add_argument("--fuzzy", action="store_true", help=_("also find misspellings and transcription variants"))
    how.add_argument("--min-score", type=float, default=0.8, metavar="S",
                     help=_("with --fuzzy: how alike a word must be, 0-1 (default 0.8)"))
    how.add_argument("--stem", action="store_true", help=_("find Danish inflections of each word"))
    how.add_argument("--limit", type=int, metavar="N", help=_("at most N hits (default: all)"))
    how.add_argument("--sort", choices=("score", "document", "date"), default="score",
                     help=_("best first (default), by document title, or by date"))
    how.add_argument("--counts", action="store_true", help=_("count hits per group instead of listing them"))
    how.add_argument("--by", choices=("municipality", "kind", "phase", "activity", "document"),
                     default="municipality", help=_("with --counts: the groups (default municipality)"))
    act = p.add_argument_group(_("coding the hits"))
    act.add_argument("--code", dest="apply_code", metavar="CODE",
                     help=_("code every hit with CODE, as one undoable step"))
    act.add_argument("--hits", metavar="N,N-M",
                     help=_("with --code: only these hits, numbered as the same search lists them (e.g. 1,3,7 or 2-5)"))
    act.add_argument("--snap", choices=("word", "sentence", "paragraph", "turn"),
                     help=_("with --code: widen each hit to the whole sentence, paragraph or speaker turn"))
    act.add_argument("--memo", metavar="TEXT", help=_("with --code: a memo on each new coding"))
    act.add_argument("--rating", dest="code_rating", type=int, metavar="N",
                     help=_("with --code: a rating, for codes with a scale"))
    act.add_argument("--dry-run", action="store_true", help=_("with --code: show what would be coded; change nothing"))
    p.add_argument("--reindex", action="store_true",
                   help=_("rebuild the search index from the documents (after restoring a damaged file)"))

    p = add_command(sub, common, "similar", f"{H}:similar",
                    _("passages like a coded excerpt, not yet coded with its code"), SIMILAR_HELP)
    p.add_argument("coding", metavar="CODING_ID",
                   help=_("a coding's id (or unique prefix), as `fieldnotes excerpts` shows"))
    p.add_argument("--limit", type=int, default=10, metavar="N", help=_("at most N passages (default 10)"))
    p.add_argument("--unit", choices=("sentence", "turn", "paragraph"), default="sentence",
                   help=_("what a passage is (default sentence)"))
    add_filters(p, codes=False, codings=False, context=True)
