"""Danish stemming (the Snowball algorithm), done in fieldnotes so both backends stem alike.

"borger", "borgeren" and "borgerne" share the stem "borg". Stemming is done here rather than by the
database (PostgreSQL has a Danish dictionary, SQLite has none), so a stemmed search finds the same
hits on both. Every stem is a prefix of its word, which lets the index find candidates with a prefix
query ("borg*") before the stems are compared exactly.

Algorithm: https://snowballstem.org/algorithms/danish/stemmer.html
"""

from __future__ import annotations

from functools import lru_cache

VOWELS = frozenset("aeiouyæåø")
S_ENDINGS = frozenset("abcdfghjklmnoprtvyzå")
MAIN_SUFFIXES = tuple(sorted(
    ("hed", "ethed", "ered", "e", "erede", "ende", "erende", "ene", "erne", "ere", "en", "heden", "eren", "er",
     "heder", "erer", "heds", "es", "endes", "erendes", "enes", "ernes", "eres", "ens", "hedens", "erens", "ers",
     "ets", "erets", "et", "eret", "s"),
    key=len, reverse=True))
OTHER_SUFFIXES = ("løst", "elig", "lig", "els", "ig")
CONSONANT_PAIRS = ("gd", "dt", "gt", "kt")


def _r1(word: str) -> int:
    """Start of R1: after the first non-vowel that follows a vowel, and at least 3 letters in."""
    for index in range(1, len(word)):
        if word[index] not in VOWELS and word[index - 1] in VOWELS:
            return max(index + 1, 3) if len(word) >= 3 else len(word)
    return len(word)


def _consonant_pair(word: str, r1: int) -> str:
    if word.endswith(CONSONANT_PAIRS) and len(word) - 2 >= r1:
        return word[:-1]
    return word


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """The stem of one lower-case word (always a prefix of it)."""
    r1 = _r1(word)
    for suffix in MAIN_SUFFIXES:  # step 1: the longest suffix inside R1
        if word.endswith(suffix) and len(word) - len(suffix) >= r1:
            if suffix != "s":
                word = word[: -len(suffix)]
            elif len(word) >= 2 and word[-2] in S_ENDINGS:
                word = word[:-1]
            break
    word = _consonant_pair(word, r1)  # step 2
    if word.endswith("igst"):  # step 3
        word = word[:-2]
    for suffix in OTHER_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= r1:
            word = word[:-1] if suffix == "løst" else _consonant_pair(word[: -len(suffix)], r1)
            break
    if len(word) - 1 >= r1 and len(word) >= 2 and word[-1] not in VOWELS and word[-1] == word[-2]:  # step 4
        word = word[:-1]
    return word
