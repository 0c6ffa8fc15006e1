"""Fuzzy search: a misspelt or mistranscribed word still finds its passages, with a score.

Vocabulary first: each word of the query is compared (rapidfuzz) with the words the corpus actually
holds, which is far less work than comparing it with every sentence; the close ones become the word's
variants, scored by similarity, and the usual search then finds them in the text. "sagsbehanler"
finds "sagsbehandler" (0.96) and "sagsbehandleren" (0.89). Short words must match more closely (a
word of three letters or fewer only exactly), so "tro" does not find "tre". A phrase typed with a
space where the text has a compound ("virksomheds konsulent") also finds the compound.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from fieldnotes.search.query import And, Near, Node, Not, Or, Phrase, Term, map_terms

DEFAULT_MIN_SCORE = 0.8
MAX_VARIANTS = 200


def max_edits(length: int) -> int:
    if length <= 3:
        return 0
    if length <= 5:
        return 1
    if length <= 8:
        return 2
    return 3


def variants(word: str, vocabulary: Sequence[str], min_score: float = DEFAULT_MIN_SCORE, *,
             known: Collection[str] | None = None) -> list[tuple[str, float]]:
    """Corpus words close to `word`, best first: (word, similarity 0–1)."""
    allowed = max_edits(len(word))
    if allowed == 0:
        return [(word, 1.0)] if word in (known if known is not None else set(vocabulary)) else []
    found = process.extract(word, vocabulary, scorer=fuzz.ratio, score_cutoff=min_score * 100, limit=None)
    out = []
    for candidate, score, _ in found:
        if Levenshtein.distance(word, candidate, score_cutoff=allowed) <= allowed:
            out.append((candidate, 1.0 if candidate == word else round(score / 100, 4)))
    out.sort(key=lambda pair: (-pair[1], pair[0]))
    return out[:MAX_VARIANTS]


def expand(node: Node, vocabulary: Sequence[str], min_score: float = DEFAULT_MIN_SCORE) -> Node:
    """The query with each plain word replaced by its variants in the corpus."""
    cache: dict[str, tuple[tuple[str, float], ...]] = {}
    known = set(vocabulary)

    def fuzzy(term: Term) -> Term:
        if term.mode != "exact":
            return term
        if term.word not in cache:
            cache[term.word] = tuple(variants(term.word, vocabulary, min_score, known=known))
        return Term(term.word, "fuzzy", cache[term.word])

    expanded = map_terms(node, fuzzy)
    return _with_compounds(expanded, vocabulary, min_score, known)


def _with_compounds(node: Node, vocabulary: Sequence[str], min_score: float, known: Collection[str]) -> Node:
    if isinstance(node, Phrase) and all(t.mode == "fuzzy" for t in node.terms):
        joined = "".join(t.word for t in node.terms)
        found = tuple(variants(joined, vocabulary, min_score, known=known))
        return Or((node, Term(joined, "fuzzy", found)), synonyms=True) if found else node
    if isinstance(node, And):
        return And(tuple(_with_compounds(c, vocabulary, min_score, known) for c in node.children))
    if isinstance(node, Or):
        return Or(tuple(_with_compounds(c, vocabulary, min_score, known) for c in node.children), node.synonyms)
    if isinstance(node, Not):
        return Not(_with_compounds(node.positive, vocabulary, min_score, known), node.negative)
    if isinstance(node, Near):
        return node
    return node
