"""Finding the register's originals in text, and replacing them: the one matcher every path uses.

Rules (docs/privacy.md explains them to researchers):
- whole words only: "Per" is not found in "Personale", "Dam" not in "Damgaard";
- case-sensitive, because many names are also words ("per", "skov", "lykke"); a name written in
  capitals ("METTE") is found too and becomes the pseudonym in capitals;
- longest original first: "Mette Vinther" wins over "Mette" at the same place; a run of spaces or
  tabs in the text matches the single space of a registered name (not a line break);
- the Danish genitive: "Mettes" becomes "Annes"; a name ending in s, x or z takes an apostrophe
  ("Lars'" becomes "Annes", "Mettes" becomes "Jens'" when the pseudonym is Jens). "Mette's" (an
  English-style apostrophe) keeps the writer's form: "Anne's". "Jens" is never read as a genitive of
  a registered "Jen", because Jens is a name of its own;
- one pass: a pseudonym put in is never replaced again.

The originals are compiled into one trie-shaped regular expression: at each place in the text all
originals are tried together, and the longest that ends on a word boundary wins.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fieldnotes.privacy.names import FIRST_NAMES

_SPACE = " "
_SPACE_RE = r"[^\S\n]+"


def normalise(text: str) -> str:
    """How an original or pseudonym is stored: NFC, single spaces, no outer whitespace."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def takes_apostrophe(name: str) -> bool:
    return name[-1:].lower() in ("s", "x", "z")


def genitive(name: str) -> str:
    """Danish genitive of a name: "Anne" -> "Annes", "Jens" -> "Jens'"."""
    return name + "'" if takes_apostrophe(name) else name + "s"


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    found: str  # the text as it stood, genitive ending included
    replacement: str
    original: str  # the register's original


def _tokens(key: str) -> list[str]:
    out: list[str] = []
    for char in key:
        if char.isspace():
            if not out or out[-1] != _SPACE:
                out.append(_SPACE)
        else:
            out.append(char)
    return out


def _node_regex(node: dict[str, Any]) -> str:
    branches = []
    for token in sorted(t for t in node if t):
        head = _SPACE_RE if token == _SPACE else re.escape(token)
        branches.append(head + _node_regex(node[token]))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def _trie_regex(keys: list[str]) -> str:
    trie: dict[str, Any] = {}
    for key in keys:
        node = trie
        for token in _tokens(key):
            node = node.setdefault(token, {})
        node[""] = {}
    return _node_regex(trie)


class Replacer:
    """original -> pseudonym over text; `active` says whether it can change anything at all.

    Shaped like the exporters' pseudonymizer: call it on a string, `optional` on a string or None,
    `with_offsets` for spans over the text, `replace_in` for JSON-like values.
    """

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.replacements: dict[str, str] = {}
        for original, pseudonym in (mapping or {}).items():
            key = normalise(original)
            if key:
                self.replacements[key] = normalise(pseudonym)
        self._lookup: dict[str, tuple[str, str]] = {k: (v, k) for k, v in self.replacements.items()}
        for key, value in self.replacements.items():
            shout = key.upper()
            if shout != key and shout not in self._lookup:
                self._lookup[shout] = (value.upper(), key)
        self._pattern: re.Pattern[str] | None = None
        if self._lookup:
            alternatives = _trie_regex(list(self._lookup))
            self._pattern = re.compile(rf"(?<!\w)(?P<name>{alternatives})(?P<gen>s|')?(?!\w)")

    @property
    def active(self) -> bool:
        return self._pattern is not None

    def _resolve(self, match: re.Match[str]) -> Match | None:
        name = match.group("name")
        key = " ".join(name.split())
        pseudonym, original = self._lookup[key]
        ending = match.group("gen")
        if ending == "s":
            if key + "s" in FIRST_NAMES or (key + "s").capitalize() in FIRST_NAMES:
                return None  # "Jens" is a name, not the genitive of "Jen"
            replacement = genitive(pseudonym)
        elif ending == "'":
            replacement = genitive(pseudonym) if takes_apostrophe(key) else pseudonym + "'"
        else:
            replacement = pseudonym
        if key.isupper() and key != original:
            replacement = replacement.upper()
        return Match(match.start(), match.end(), match.group(0), replacement, original)

    def matches(self, text: str) -> list[Match]:
        if self._pattern is None or not text:
            return []
        found = []
        for raw in self._pattern.finditer(text):
            resolved = self._resolve(raw)
            if resolved is not None:
                found.append(resolved)
        return found

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self.splice(text, self.matches(text))

    @staticmethod
    def splice(text: str, found: list[Match]) -> str:
        """The text with the given matches (from `matches`) replaced."""
        pieces, last = [], 0
        for m in found:
            pieces.append(text[last : m.start])
            pieces.append(m.replacement)
            last = m.end
        pieces.append(text[last:])
        return "".join(pieces)

    def optional(self, text: str | None) -> str | None:
        return None if text is None else self(text)

    def replace_in(self, value: Any) -> Any:
        """Every string inside a JSON-like value replaced (dictionary keys too)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {self.replace_in(k) if isinstance(k, str) else k: self.replace_in(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.replace_in(v) for v in value]
        return value

    def with_offsets(self, text: str) -> tuple[str, Callable[..., int]]:
        """The replaced text and a function taking a position in `text` to the same place in it.

        `mapped(position, side="start")`: a position inside a replaced name moves to the start of its
        pseudonym, or with side="end" to its end.
        """
        found = self.matches(text)
        return self.splice(text, found), offset_map(found)


def offset_map(found: list[Match]) -> Callable[..., int]:
    """Old positions to new ones through a list of replacements (in text order)."""
    starts = [m.start for m in found]
    new_starts: list[int] = []
    shifts: list[int] = []
    shift = 0
    for m in found:
        new_starts.append(m.start + shift)
        shift += len(m.replacement) - (m.end - m.start)
        shifts.append(shift)

    def mapped(position: int, side: str = "start") -> int:
        index = bisect.bisect_right(starts, position) - 1
        if index < 0:
            return position
        m = found[index]
        if position >= m.end:
            return position + shifts[index]
        if position == m.start:
            return new_starts[index]
        return new_starts[index] + (len(m.replacement) if side == "end" else 0)

    return mapped
