"""Words as the search index sees them, so that Python and the index agree on every hit.

SQLite's FTS5 `unicode61` tokenizer (with `remove_diacritics 0`) makes a token of every run of letters
and digits; everything else (spaces, punctuation, emoji, "-", "_", "@") separates tokens, and case
is folded. `[^\\W_]+` is the same rule in Python. Letters keep their identity: "på" is not "pa" and
"ø" is not "o". Offsets are code points over the stored (NFC) text, like every offset in fieldnotes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

TOKEN = re.compile(r"[^\W_]+")
#: a regex fragment: no word character directly after (a token boundary)
AFTER = r"(?![^\W_])"
#: between the words of a phrase: only separators (no other word)
BETWEEN = r"[\W_]+"


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    word: str  # lower-cased


def fold(text: str) -> str:
    """The form words are compared in: NFC, lower case (never removing diacritics)."""
    return unicodedata.normalize("NFC", text).lower()


def words(text: str) -> list[str]:
    """The folded words of a piece of text, in order."""
    return TOKEN.findall(fold(text))


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens lying wholly inside [start, end) of text (a word cut by a boundary is not a token)."""
    stop = len(text) if end is None else end
    out = []
    for match in TOKEN.finditer(text, start):
        if match.end() > stop:
            break
        out.append(Token(match.start(), match.end(), match.group().lower()))
    return out


def lowered(text: str) -> str | None:
    """The text in lower case with every offset unchanged, or None when lower-casing moves offsets.

    Matching in lower-cased text lets a plain regex find words in any case fast; a few characters
    (such as "İ") grow when lower-cased, and then callers match case-insensitively instead.
    """
    low = text.lower()
    return low if len(low) == len(text) else None
