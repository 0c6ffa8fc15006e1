"""Evaluating a query over text: the one place that decides what a hit is.

The database index only proposes candidate documents; this module reads their text and returns the
exact spans (code points, end exclusive) of what matched. So the spans can be coded directly, and
SQLite and PostgreSQL give the same hits whatever their tokenizers do at the edges.

A *unit* is the stretch of text a query is evaluated over: a whole document, or one coded excerpt
when the search is limited to a theme. AND, OR and NOT hold within a unit (`borger AND praktik`
finds units holding both words, and reports each occurrence of both). A hit's score is how well its
words matched (1.0 exact, lower for fuzzy variants) times the share of the query's alternatives that
the unit holds (so with OR, units holding more of the words come first).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fieldnotes.search import tokens as tk
from fieldnotes.search.query import And, Leaf, Near, Node, Not, Or, Phrase, Term, leaves, score_groups


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    score: float
    leaf: Leaf


def _fragment(term: Term, variants: list[str] | None = None) -> str:
    if term.mode == "exact":
        return re.escape(term.word)
    if term.mode == "prefix":
        return re.escape(term.word) + r"[^\W_]*"
    if term.mode == "stem":
        return re.escape(term.stem) + r"[^\W_]*"
    words = variants if variants is not None else term.variant_words
    if not words:
        return r"(?!)"  # a fuzzy word with no variant in the corpus matches nothing
    return "(?:" + trie_regex(words) + ")"


def trie_regex(words: list[str]) -> str:
    """Words as one regex shaped like a trie ("sag(?:s|en)"), which fails at the first wrong letter
    instead of trying every word at every position."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?"
        return body

    return emit(trie)


class _LeafPattern:
    """A word or phrase as regexes over lower-cased text (or case-insensitively over the original).

    The patterns start with the word itself, never with a look-behind, so the regex engine can jump
    from one occurrence of the word's first letters to the next (about fifty times faster than testing
    every position); that a match starts a word is checked by hand. A fuzzy word whose variants start
    with different letters gets one pattern per first letter, for the same reason.
    """

    def __init__(self, leaf: Term | Phrase) -> None:
        self.leaf = leaf
        self.terms = [leaf] if isinstance(leaf, Term) else list(leaf.terms)
        first, rest = self.terms[0], self.terms[1:]
        tail = "".join(tk.BETWEEN + _fragment(t) for t in rest) + tk.AFTER
        if first.mode == "fuzzy" and first.variant_words:
            groups: dict[str, list[str]] = {}
            for word in first.variant_words:
                groups.setdefault(word[0], []).append(word)
            heads = [_fragment(first, words) for words in groups.values()]
        else:
            heads = [_fragment(first)]
        self.lower = [re.compile(head + tail) for head in heads]
        self.anycase = [re.compile(head + tail, re.IGNORECASE) for head in heads]
        self.checked = len(self.terms) > 1 or any(t.mode in ("stem", "fuzzy") for t in self.terms)
        self.single_fuzzy = first.variant_scores if len(self.terms) == 1 and first.mode == "fuzzy" else None

    def find(self, text: str, low: str | None, start: int, end: int) -> list[Match]:
        patterns, haystack = (self.lower, low) if low is not None else (self.anycase, text)
        out: list[Match] = []
        for pattern in patterns:
            out += self._scan(pattern, haystack, start, end, low is not None)
        if len(patterns) > 1:
            out.sort(key=lambda m: (m.start, m.end))
        return out

    def _scan(self, pattern: re.Pattern[str], haystack: str, start: int, end: int, lowered: bool) -> list[Match]:
        out = []
        search = pattern.search
        position = start
        while True:
            match = search(haystack, position)
            if match is None:
                break
            a, b = match.span()
            if a >= end:
                break
            if (a > 0 and haystack[a - 1].isalnum()) or b > end:
                position = a + 1  # not at the start of a word, or running out of the unit
                continue
            position = b
            if self.single_fuzzy is not None:  # one fuzzy word: the match is the token
                found = self.single_fuzzy.get(match.group() if lowered else match.group().lower(), 0.0)
                if not found:
                    position = a + 1
                    continue
                score = found
            elif self.checked:
                words = tk.TOKEN.findall(match.group().lower())
                scores = [t.accepts(w) for t, w in zip(self.terms, words, strict=False)]
                if len(words) != len(self.terms) or not all(scores):
                    position = a + 1
                    continue
                score = sum(scores) / len(scores)
            else:
                score = 1.0
            out.append(Match(a, b, score, self.leaf))
        return out


def _instances(item: Term | Phrase, toks: Sequence[tk.Token]) -> list[tuple[int, int, float]]:
    """Where a word or phrase occurs in a token list: (first token, last token, score)."""
    terms = [item] if isinstance(item, Term) else list(item.terms)
    size = len(terms)
    out = []
    for index in range(len(toks) - size + 1):
        scores = [terms[j].accepts(toks[index + j].word) for j in range(size)]
        if all(scores):
            out.append((index, index + size - 1, sum(scores) / size))
    return out


def _near(leaf: Near, text: str, start: int, end: int) -> list[Match]:
    """FTS5's NEAR: each item once, at most `distance` words between the first's end and the last's start."""
    toks = tk.tokens(text, start, end)
    found = [_instances(item, toks) for item in leaf.items]
    if any(not f for f in found):
        return []
    out: list[Match] = []
    for anchor_item, instances in enumerate(found):
        for first, last, score in instances:
            chosen = [(first, last, score)]
            for other_item, others in enumerate(found):
                if other_item == anchor_item:
                    continue
                later = [inst for inst in others if inst[0] >= first and inst != (first, last, score)]
                if not later:
                    break
                chosen.append(min(later, key=lambda inst: inst[0]))
            else:
                if max(c[0] for c in chosen) - last - 1 <= leaf.distance:
                    span_end = max(toks[c[1]].end for c in chosen)
                    out.append(Match(toks[first].start, span_end, sum(c[2] for c in chosen) / len(chosen), leaf))
    out.sort(key=lambda m: (m.start, m.end))
    merged: list[Match] = []
    for match in out:  # overlapping clumps are one passage
        if merged and match.start < merged[-1].end:
            last_match = merged[-1]
            merged[-1] = Match(last_match.start, max(last_match.end, match.end),
                               max(last_match.score, match.score), leaf)
        else:
            merged.append(match)
    return merged


class Matcher:
    """A query compiled for evaluation over many units of text."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self._patterns: dict[int, _LeafPattern] = {}
        for leaf in leaves(node):
            if not isinstance(leaf, Near):
                self._patterns[id(leaf)] = _LeafPattern(leaf)
        self.groups = score_groups(node)
        self.group_count = len(set(self.groups.values()))
        self._labels: dict[int, str] = {}

    def label(self, leaf: Leaf) -> str:
        """The part of the query a hit matched, as text (computed once per leaf)."""
        key = id(leaf)
        if key not in self._labels:
            self._labels[key] = str(leaf)
        return self._labels[key]

    def _leaf(self, leaf: Leaf, text: str, low: str | None, start: int, end: int,
              cache: dict[int, list[Match]]) -> list[Match]:
        key = id(leaf)
        if key not in cache:
            if isinstance(leaf, Near):
                cache[key] = _near(leaf, text, start, end)
            else:
                cache[key] = self._patterns[key].find(text, low, start, end)
        return cache[key]

    def _eval(self, node: Node, text: str, low: str | None, start: int, end: int,
              cache: dict[int, list[Match]]) -> list[Match] | None:
        """The matches that make `node` true in the unit, or None when it is false there."""
        if isinstance(node, And):
            out: list[Match] = []
            for child in node.children:
                found = self._eval(child, text, low, start, end, cache)
                if found is None:
                    return None
                out += found
            return out
        if isinstance(node, Or):
            any_true, out = False, []
            for child in node.children:
                found = self._eval(child, text, low, start, end, cache)
                if found is not None:
                    any_true = True
                    out += found
            return out if any_true else None
        if isinstance(node, Not):
            positive = self._eval(node.positive, text, low, start, end, cache)
            if positive is None or self._eval(node.negative, text, low, start, end, cache) is not None:
                return None
            return positive
        found = self._leaf(node, text, low, start, end, cache)
        return found or None

    def unit(self, text: str, low: str | None, start: int, end: int) -> list[Match]:
        """The hits in [start, end) of text, in text order, each scored (see the module docstring)."""
        cache: dict[int, list[Match]] = {}
        found = self._eval(self.node, text, low, start, end, cache)
        if not found:
            return []
        present = len({self.groups.get(id(match.leaf), id(match.leaf)) for match in found})
        share = min(1.0, present / self.group_count) if self.group_count else 1.0
        unique: dict[tuple[int, int], Match] = {}
        for match in found:
            key = (match.start, match.end)
            if key not in unique or unique[key].score < match.score:
                unique[key] = Match(match.start, match.end, match.score * share, match.leaf)
        return sorted(unique.values(), key=lambda m: (m.start, m.end))
