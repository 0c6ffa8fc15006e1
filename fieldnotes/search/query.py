"""The search language: words, "phrases", prefix*, AND, OR, NOT, NEAR(...) and parentheses.

It is SQLite FTS5's query syntax, parsed here into a small tree so that fieldnotes, not the database,
decides what a hit is: the tree is compiled to an FTS5 MATCH expression or a PostgreSQL tsquery to
find candidate documents fast, and then evaluated over the text itself (see `matching`), which gives
exact spans and the same hits on both backends.

- `borger jobchance` (or `borger AND jobchance`): both words in the document (or coded excerpt);
- `praktik OR løntilskud`; `borger NOT angst`; precedence NOT > AND > OR, as in FTS5;
- `"tror på"`: the words next to each other; `prakti*`: words starting with "prakti";
- `NEAR(borger job, 5)`: the words within 5 words of each other (default 10);
- matching ignores case and keeps letters distinct: `på` does not find "pa", `ø` is not `o`;
- AND, OR, NOT and NEAR are operators only in capitals; a word such as `virksomheds-konsulent` or
  `mette@fjordby.dk` is searched for as the phrase of its words.

A query that cannot be read raises `QuerySyntaxError` with the corrected form as its hint (an unclosed
quote is closed, a stray operator dropped); `parse(..., lenient=True)` searches for that form instead.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property

from fieldnotes.errors import InvalidInput
from fieldnotes.search import tokens as tk
from fieldnotes.search.stemming import stem as stem_word
from fieldnotes.translations import _

DEFAULT_NEAR = 10
OPERATORS = ("AND", "OR", "NOT")


class QuerySyntaxError(InvalidInput):
    """A query that cannot be read; `corrected` is the closest query that can."""

    def __init__(self, message: str, corrected: str | None) -> None:
        hint = (_("did you mean: {names}").format(names=corrected) if corrected
                else _("give a word or a \"phrase\""))
        super().__init__(message, hint=hint)
        self.corrected = corrected


class EmptyQuery(InvalidInput):
    """Nothing to search for."""


# --- the tree ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One word. `mode`: exact, prefix (word*), stem (same Danish stem) or fuzzy (any of `variants`).

    As text (a hit's `term`): `word`, `word*`, `word~` (stemmed) or `word?` (fuzzy).
    """

    word: str
    mode: str = "exact"
    variants: tuple[tuple[str, float], ...] = ()

    @property
    def stem(self) -> str:
        return stem_word(self.word)

    @cached_property
    def variant_scores(self) -> dict[str, float]:
        return dict(self.variants)

    @property
    def variant_words(self) -> list[str]:
        return [w for w, _ in self.variants]

    def accepts(self, token: str) -> float:
        """How well a lower-case token matches: 1.0 exact, a similarity for fuzzy, 0.0 no match."""
        if self.mode == "exact":
            return 1.0 if token == self.word else 0.0
        if self.mode == "prefix":
            return 1.0 if token.startswith(self.word) else 0.0
        if self.mode == "stem":
            return 1.0 if token.startswith(self.stem) and stem_word(token) == self.stem else 0.0
        return self.variant_scores.get(token, 0.0)

    def __str__(self) -> str:
        if self.mode == "prefix":
            return f"{self.word}*"
        if self.mode == "stem":
            return f"{self.word}~"
        if self.mode == "fuzzy":
            return f"{self.word}?"
        return self.word


@dataclass(frozen=True)
class Phrase:
    terms: tuple[Term, ...]

    def __str__(self) -> str:
        body = " ".join(t.word for t in self.terms)
        return f'"{body}"' + ("*" if self.terms[-1].mode == "prefix" else "")


@dataclass(frozen=True)
class Near:
    items: tuple[Term | Phrase, ...]
    distance: int = DEFAULT_NEAR

    def __str__(self) -> str:
        body = " ".join(str(item) for item in self.items)
        return f"NEAR({body}, {self.distance})" if self.distance != DEFAULT_NEAR else f"NEAR({body})"


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " AND ".join(_wrap(c) for c in self.children)


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]
    #: alternatives fieldnotes added for one thing the user typed (a compound): they score as one
    synonyms: bool = False

    def __str__(self) -> str:
        return " OR ".join(_wrap(c) for c in self.children)


@dataclass(frozen=True)
class Not:
    positive: Node
    negative: Node

    def __str__(self) -> str:
        return f"{_wrap(self.positive)} NOT {_wrap(self.negative)}"


Leaf = Term | Phrase | Near
Node = Term | Phrase | Near | And | Or | Not


def _wrap(node: Node) -> str:
    return f"({node})" if isinstance(node, (And, Or, Not)) else str(node)


def leaves(node: Node, *, positive_only: bool = False) -> Iterator[Leaf]:
    """The leaves of a tree; with positive_only, not those under NOT's right-hand side."""
    if isinstance(node, (And, Or)):
        for child in node.children:
            yield from leaves(child, positive_only=positive_only)
    elif isinstance(node, Not):
        yield from leaves(node.positive, positive_only=positive_only)
        if not positive_only:
            yield from leaves(node.negative, positive_only=positive_only)
    else:
        yield node


def score_groups(node: Node) -> dict[int, int]:
    """For each positive leaf (by id) the group it scores in: itself, or its synonym group."""
    out: dict[int, int] = {}

    def walk(current: Node, group: int | None) -> None:
        if isinstance(current, Or) and current.synonyms and group is None:
            group = id(current)
        if isinstance(current, (And, Or)):
            for child in current.children:
                walk(child, group)
        elif isinstance(current, Not):
            walk(current.positive, group)
        else:
            out[id(current)] = group if group is not None else id(current)

    walk(node, None)
    return out


def map_terms(node: Node, change: Callable[[Term], Term]) -> Node:
    """A copy of the tree with every term replaced by change(term)."""
    if isinstance(node, Term):
        return change(node)
    if isinstance(node, Phrase):
        return Phrase(tuple(change(t) for t in node.terms))
    if isinstance(node, Near):
        return Near(tuple(_map_item(i, change) for i in node.items), node.distance)
    if isinstance(node, And):
        return And(tuple(map_terms(c, change) for c in node.children))
    if isinstance(node, Or):
        return Or(tuple(map_terms(c, change) for c in node.children), node.synonyms)
    return Not(map_terms(node.positive, change), map_terms(node.negative, change))


def _map_item(item: Term | Phrase, change: Callable[[Term], Term]) -> Term | Phrase:
    return change(item) if isinstance(item, Term) else Phrase(tuple(change(t) for t in item.terms))


def has_or(node: Node) -> bool:
    """Whether the positive part of the query has alternatives (so hits can score differently)."""
    if isinstance(node, Or):
        return not node.synonyms or any(has_or(c) for c in node.children)
    if isinstance(node, And):
        return any(has_or(c) for c in node.children)
    if isinstance(node, Not):
        return has_or(node.positive)
    return False


@dataclass(frozen=True)
class Query:
    """A parsed query: its tree, the text it came from, and what was corrected to read it."""

    text: str
    node: Node
    corrections: list[str] = field(default_factory=list, compare=False)

    def __str__(self) -> str:
        return str(self.node)

    def with_stemming(self) -> Query:
        def stemmed(term: Term) -> Term:
            return replace(term, mode="stem") if term.mode == "exact" else term

        return Query(self.text, map_terms(self.node, stemmed), self.corrections)


# --- reading a query -----------------------------------------------------------------------------


@dataclass
class _Lexeme:
    kind: str  # word, quoted, op, near, lparen, rparen, comma, number
    text: str
    prefix: bool = False
    closed: bool = True


_SPECIAL = '"(),'


def _quoted(text: str, i: int) -> tuple[_Lexeme, int]:
    """The phrase opening at `text[i]` (a quote), and where the text goes on after it (and its `*`)."""
    n = len(text)
    j, body = i + 1, []
    closed = False
    while j < n:
        if text[j] == '"':
            if j + 1 < n and text[j + 1] == '"':  # "" inside a phrase is a literal quote (FTS5)
                body.append('"')
                j += 2
                continue
            closed = True
            j += 1
            break
        body.append(text[j])
        j += 1
    prefix = closed and j < n and text[j] == "*"
    return _Lexeme("quoted", "".join(body), prefix=prefix, closed=closed), j + (1 if prefix else 0)


def _bare(text: str, i: int) -> tuple[_Lexeme, int]:
    """The word, operator or NEAR starting at `text[i]`, and where the text goes on after it."""
    n = len(text)
    j = i
    while j < n and not text[j].isspace() and text[j] not in _SPECIAL:
        j += 1
    raw = text[i:j]
    if raw in OPERATORS:
        return _Lexeme("op", raw), j
    if raw == "NEAR" and j < n and text[j] == "(":
        return _Lexeme("near", raw), j
    prefix = raw.endswith("*") and len(raw.rstrip("*")) > 0
    return _Lexeme("word", raw.rstrip("*") if prefix else raw, prefix=prefix), j


def _lex(text: str) -> list[_Lexeme]:
    out: list[_Lexeme] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == '"':
            lexeme, i = _quoted(text, i)
        elif ch in "()":
            lexeme, i = _Lexeme("lparen" if ch == "(" else "rparen", ch), i + 1
        elif ch == ",":
            lexeme, i = _Lexeme("comma", ch), i + 1
        else:
            lexeme, i = _bare(text, i)
        out.append(lexeme)
    return out


def _leaf_from(text: str, prefix: bool) -> Term | Phrase | None:
    found = tk.words(text)
    if not found:
        return None
    terms = [Term(w) for w in found]
    if prefix:
        terms[-1] = Term(terms[-1].word, "prefix")
    return terms[0] if len(terms) == 1 else Phrase(tuple(terms))


class _Parser:
    def __init__(self, lexemes: list[_Lexeme]) -> None:
        self.lx = lexemes
        self.i = 0

    def peek(self) -> _Lexeme | None:
        return self.lx[self.i] if self.i < len(self.lx) else None

    def fail(self, message: str) -> QuerySyntaxError:
        return QuerySyntaxError(message, None)

    def parse(self) -> Node | None:
        node = self.or_expr()
        nxt = self.peek()
        if nxt is not None:
            raise self.fail(f"unexpected {nxt.text!r}")
        return node

    def or_expr(self) -> Node | None:
        parts = [self.and_expr()]
        while (nxt := self.peek()) is not None and nxt.kind == "op" and nxt.text == "OR":
            self.i += 1
            parts.append(self.and_expr())
        return _combine(Or, parts)

    def and_expr(self) -> Node | None:
        parts = [self.not_expr()]
        while (nxt := self.peek()) is not None and (nxt.kind in ("word", "quoted", "lparen", "near")
                                                      or (nxt.kind == "op" and nxt.text == "AND")):
            if nxt.kind == "op":
                self.i += 1
            parts.append(self.not_expr())
        return _combine(And, parts)

    def not_expr(self) -> Node | None:
        node = self.primary()
        while (nxt := self.peek()) is not None and nxt.kind == "op" and nxt.text == "NOT":
            self.i += 1
            negative = self.primary()
            if node is None or negative is None:
                raise self.fail("NOT needs something on each side, as in: borger NOT angst")
            node = Not(node, negative)
        return node

    def primary(self) -> Node | None:
        lex = self.peek()
        if lex is None or lex.kind == "op":
            raise self.missing(lex)
        if lex.kind == "rparen":
            raise self.fail("a ')' has no '(' before it")
        if lex.kind == "comma":
            raise self.fail("a ',' belongs only inside NEAR(..., N)")
        self.i += 1
        if lex.kind == "lparen":
            return self.group()
        if lex.kind == "near":
            return self.near()
        if lex.kind == "quoted" and not lex.closed:
            raise self.fail(f"the quote before {lex.text.strip()!r} is not closed")
        if lex.kind == "word" and lex.text.startswith("-") and len(lex.text) > 1:
            raise self.fail(f"{lex.text!r}: to leave a word out write NOT, as in: borger NOT {lex.text[1:]}")
        return _leaf_from(lex.text, lex.prefix)

    def missing(self, lex: _Lexeme | None) -> QuerySyntaxError:
        """A word was expected: at an operator (or after one, at the end) or at the end of the query."""
        before = self.lx[self.i - 1] if self.i > 0 else None
        operator = lex if lex is not None and lex.kind == "op" else before
        if operator is not None and operator.kind == "op":
            return self.fail(f"{operator.text} needs something on each side, as in: borger {operator.text} "
                             "praktik")
        return self.fail("the query ends where a word was expected")

    def group(self) -> Node | None:
        """What stands between "(" (just read) and its ")"."""
        if (nxt := self.peek()) is not None and nxt.kind == "rparen":
            raise self.fail("'()' holds nothing to search for")
        node = self.or_expr()
        close = self.peek()
        if close is None or close.kind != "rparen":
            raise self.fail("a '(' is not closed")
        self.i += 1
        return node

    def near(self) -> Node | None:
        self.i += 1  # the "("
        items: list[Term | Phrase] = []
        distance = DEFAULT_NEAR
        while True:
            lex = self.peek()
            if lex is None:
                raise self.fail("NEAR( is not closed")
            self.i += 1
            if lex.kind == "rparen":
                break
            if lex.kind == "comma":
                number = self.peek()
                if number is None or number.kind != "word" or not number.text.isdigit():
                    raise self.fail("NEAR(...) takes a number of words after the comma, as in NEAR(borger job, 5)")
                distance = int(number.text)
                self.i += 1
                close = self.peek()
                if close is None or close.kind != "rparen":
                    raise self.fail("NEAR( is not closed after its number")
                self.i += 1
                break
            if lex.kind in ("word", "quoted"):
                if lex.kind == "quoted" and not lex.closed:
                    raise self.fail(f"the quote before {lex.text.strip()!r} is not closed")
                leaf = _leaf_from(lex.text, lex.prefix)
                if leaf is not None:
                    items.append(leaf)
                continue
            raise self.fail(f"NEAR(...) holds only words and \"phrases\"; {lex.text!r} cannot go inside it")
        if not items:
            return None
        if len(items) == 1:
            return items[0]
        return Near(tuple(items), distance)


def _combine(kind: type[And] | type[Or], parts: list[Node | None]) -> Node | None:
    kept = [p for p in parts if p is not None]
    if not kept:
        return None
    if len(kept) == 1:
        return kept[0]
    flat: list[Node] = []
    for part in kept:
        flat.extend(part.children if isinstance(part, kind) else [part])
    return kind(tuple(flat))


class _Repair:
    """The closest readable sequence: quotes and parentheses closed, stray operators and commas dropped."""

    def __init__(self) -> None:
        self.fixed: list[_Lexeme] = []
        self.depth = 0
        self.near_depth: int | None = None

    def close(self, lex: _Lexeme) -> None:
        """A ")": closes a group, or drops the group when nothing is left inside it."""
        fixed = self.fixed
        if self.depth == 0:
            return
        while fixed and fixed[-1].kind in ("op", "comma"):
            fixed.pop()
        self.depth -= 1
        if fixed and fixed[-1].kind == "lparen":
            fixed.pop()
            if fixed and fixed[-1].kind == "near" and self.near_depth == self.depth:
                fixed.pop()
        else:
            fixed.append(lex)
        if self.near_depth is not None and self.depth == self.near_depth:
            self.near_depth = None

    def negated(self, lex: _Lexeme) -> None:
        """"-word": NOT word (after something it can negate)."""
        if self.fixed and self.fixed[-1].kind != "op":
            self.fixed.append(_Lexeme("op", "NOT"))
        self.fixed.append(_Lexeme("word", lex.text[1:], lex.prefix))

    def near(self, lex: _Lexeme) -> None:
        """NEAR, unless already inside one."""
        if self.near_depth is None:
            self.fixed.append(lex)
            self.near_depth = self.depth

    def open(self, lex: _Lexeme) -> None:
        """A "(": a group, except a nested one inside NEAR."""
        if self.near_depth is None or self.depth == self.near_depth:
            self.fixed.append(lex)
            self.depth += 1

    def comma(self, lex: _Lexeme, following: _Lexeme | None) -> None:
        """A comma only before NEAR's distance."""
        if self.near_depth is not None and following is not None and following.kind == "word" \
                and following.text.isdigit():
            self.fixed.append(lex)

    def operator(self, lex: _Lexeme) -> None:
        """AND, OR, NOT only after something they can join, and never inside NEAR."""
        if self.near_depth is None and self.fixed and self.fixed[-1].kind not in ("op", "lparen"):
            self.fixed.append(lex)

    def run(self, lexemes: list[_Lexeme]) -> list[_Lexeme]:
        fixed = self.fixed
        for index, lex in enumerate(lexemes):
            if lex.kind == "quoted":
                fixed.append(_Lexeme("quoted", lex.text, lex.prefix, True))
            elif lex.kind == "word" and lex.text.startswith("-") and len(lex.text) > 1:
                self.negated(lex)
            elif lex.kind == "near":
                self.near(lex)
            elif lex.kind == "lparen":
                self.open(lex)
            elif lex.kind == "rparen":
                self.close(lex)
            elif lex.kind == "comma":
                self.comma(lex, lexemes[index + 1] if index + 1 < len(lexemes) else None)
            elif lex.kind == "op":
                self.operator(lex)
            else:
                fixed.append(lex)
        while self.depth:
            self.close(_Lexeme("rparen", ")"))
        while fixed and fixed[-1].kind in ("op", "comma"):
            fixed.pop()
        return fixed


def _repair(lexemes: list[_Lexeme]) -> list[_Lexeme]:
    return _Repair().run(lexemes)


def _render(lexemes: list[_Lexeme]) -> str:
    out: list[str] = []
    for lex in lexemes:
        if lex.kind == "quoted":
            piece = '"' + lex.text.replace('"', '""') + '"' + ("*" if lex.prefix else "")
        elif lex.kind == "word":  # a word spelt like an operator is written in lower case, so it stays a word
            text = lex.text.lower() if lex.text in (*OPERATORS, "NEAR") else lex.text
            piece = text + ("*" if lex.prefix else "")
        else:
            piece = lex.text
        if out and (lex.kind in ("rparen", "comma") or out[-1].endswith("(")
                    or (out[-1].endswith("NEAR") and lex.kind == "lparen")):
            out[-1] += piece
        else:
            out.append(piece)
    return " ".join(out)


def _check_tokens(node: Node | None, source: str) -> Node:
    if node is None:
        if source.strip():
            raise EmptyQuery(_("the search {source!r} has no words in it (punctuation and emoji are not searched)")
                             .format(source=source.strip()), hint=_("give a word or a \"phrase\""))
        raise EmptyQuery(_("the search is empty"),
                         hint=_("give a word or a \"phrase\", e.g. fieldnotes search praktik"))
    return node


def parse(text: str, *, lenient: bool = False) -> Query:
    """Read a query. Strict: a syntax error raises with the corrected form; lenient: use that form."""
    source = unicodedata.normalize("NFC", text or "")
    lexemes = _lex(source)
    try:
        return Query(source, _check_tokens(_Parser(lexemes).parse(), source))
    except QuerySyntaxError as error:
        repaired = _repair(lexemes)
        corrected = _render(repaired)
        try:
            node = _Parser(repaired).parse()
        except QuerySyntaxError:  # nothing readable is left (a lone operator): search for the words literally
            words = tk.words(source)
            node = _combine(And, [Term(w) for w in words])
            corrected = " ".join(words)
        if node is None:
            operators = [lx.text for lx in lexemes if lx.kind == "op"]
            if operators and not tk.words(source.replace("AND", "").replace("OR", "").replace("NOT", "")):
                word = operators[0].lower()
                raise EmptyQuery(_("{item} is an operator and there is nothing to search for around it")
                                 .format(item=operators[0]),
                                 hint=_("to find the word itself, write it in lower case: "
                                        "\"{word}\"").format(word=word)) from None
        node = _check_tokens(node, source)
        if not lenient:
            raise QuerySyntaxError(_("cannot read the search {source!r}: {message}")
                                   .format(source=source.strip(), message=error.message), corrected) from None
        return Query(source, node, [f"{error.message}; searched for: {corrected}"])

