"""Language: word frequencies per column, key words against the rest, and key words in context.

What is read: the documents the filters allow, without speaker labels and timestamps (so "I", "R" and
"Mette" opening a turn are not words of the conversation). With a coding filter (`--code`, `--coder`,
`--rating`, `--contains`) only the coded excerpts that pass it are read, each character once however
many codings cover it. `roles` keeps only the speaker turns of people with those roles (for example
the caseworkers' own words, not the researcher's questions); `--by role` splits the text by role.

Tokens: lower-cased runs of letters (æ, ø and å are letters) that may be joined by hyphens, so
"it-system" and "ressourceforløb" are one word each; digits and punctuation are not words. Stop words
(stopwords_da.txt) are counted in the totals, so rates are per all words, but never listed.

Names (`no_names`): the words of the names of the project's people (each document's speakers and
participants), its cases (municipalities, workplaces, ...) and the pseudonym register (originals and
pseudonyms) count in the totals like stop words but are never listed, so that key words show how
people talk rather than who they are. A name's word is one written with a capital in the name and
never in lower case in what is read, so "lager" in "Fjordby Lager & Logistik" and "per" stay words.

Key words: each column against the rest of what is read (every document not in the column), by
Dunning's log-likelihood G2 (Dunning 1993; the two-cell form of Rayson & Garside 2000):
E1 = c(a+b)/(c+d), E2 = d(a+b)/(c+d), G2 = 2(a ln(a/E1) + b ln(b/E2)), where a and b are the word's
counts in the column and in the rest, and c and d their sizes in words. Only words used more in the
column than in the rest are listed, with G2 >= 3.84 (p < 0.05, one degree of freedom) and at least
`min_count` uses; `log_ratio` (Hardie 2014: log2 of the ratio of relative frequencies, a zero in the
rest counted as 0.5) says how big the difference is.
"""

from __future__ import annotations

import bisect
import math
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.analysis import columns as cols
from fieldnotes.analysis.scope import document_keys, fetch_plain, load, paused_gc, raw
from fieldnotes.coding.spans import turn_parts
from fieldnotes.db.models import Case, Document, Pseudonym, SpeakerTurn
from fieldnotes.documents.store import municipalities_by_document
from fieldnotes.errors import InvalidInput
from fieldnotes.queries.filters import Filters, document_ids
from fieldnotes.translations import _

if TYPE_CHECKING:
    from fieldnotes.project.opening import Project

TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
STOPWORDS_FILE = Path(__file__).with_name("stopwords_da.txt")
SIGNIFICANT = 3.84  # G2 at p < 0.05 with one degree of freedom
ALL = "(all)"


def tokenise(text: str) -> list[str]:
    """The words of a text, lower-cased, in order."""
    return TOKEN.findall(text.lower())


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    lines = STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def log_likelihood(a: int, b: int, c: int, d: int) -> float:
    """Dunning's G2 for a word used a times in c words and b times in d words."""
    if c <= 0 or d <= 0 or a + b == 0:
        return 0.0
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    return 2.0 * ((a * math.log(a / e1) if a else 0.0) + (b * math.log(b / e2) if b else 0.0))


def log_ratio(a: int, b: int, c: int, d: int) -> float:
    return math.log2((a / c) / (max(b, 0.5) / d))


# --- what is read ----------------------------------------------------------------------------------


@dataclass
class _Text:
    key: Any
    id: uuid.UUID
    title: str
    text: str
    segments: list[tuple[int, int, tuple[str, ...]]] = field(default_factory=list)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans = sorted(spans)
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _intersect(segments: list[tuple[int, int, str]], spans: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """The parts of the segments that the (merged, sorted) spans cover."""
    ends = [high for _, high in spans]
    out = []
    for start, end, role in segments:
        index = bisect.bisect_right(ends, start)  # the first span ending after the segment starts
        while index < len(spans) and spans[index][0] < end:
            low, high = spans[index]
            out.append((max(start, low), min(end, high), role))
            index += 1
    return out


def _has_coding_filter(filters: Filters) -> bool:
    return bool(filters.codes or filters.coders or filters.rating is not None or filters.contains)


def _coded_spans(session: Session, filters: Filters) -> dict[Any, list[tuple[int, int]]] | None:
    """With a filter on codings: each document's coded stretches, merged; else None (whole documents)."""
    if not _has_coding_filter(filters):
        return None
    scope = load(session, filters, ("document", "start", "end"))
    grouped: dict[Any, list[tuple[int, int]]] = defaultdict(list)
    for key, start, end in scope.rows:
        grouped[key].append((start, end))
    return {key: _merge(spans) for key, spans in grouped.items()}


def _turns_of(session: Session, keys: dict[Any, Any]) -> dict[Any, list[tuple[int, int, str]]]:
    turns: dict[Any, list[tuple[int, int, str]]] = defaultdict(list)
    for key, start, end, speaker in fetch_plain(session, select(raw(SpeakerTurn.document_id), SpeakerTurn.start,
                                                                SpeakerTurn.end, SpeakerTurn.speaker)):
        if key in keys:
            turns[key].append((start, end, speaker))
    return turns


def _labelled(segments: list[tuple[int, int, str]], dimension: cols.Dimension | None, doc_label: tuple[str, ...],
              roles_seen: set[str]) -> list[tuple[int, int, tuple[str, ...]]]:
    """A document's segments with the columns each falls in: its speaker's role, the document's column, or all."""
    if dimension is not None and dimension.name == "role":
        roles_seen.update(role for _start, _end, role in segments)
        return [(start, end, (role,)) for start, end, role in segments]
    labels = doc_label if dimension is not None else (ALL,)
    return [(start, end, labels) for start, end, _role in segments]


def _reading(session: Session, filters: Filters, dimension: cols.Dimension | None,
             roles: list[str] | None) -> tuple[list[_Text], list[str]]:
    """The documents to read, each with its segments and the columns they fall in, and the column order."""
    if dimension is not None and dimension.name == "coder":
        raise InvalidInput(_("words cannot be split by coder"),
                           hint=_("use --coder X to read only the excerpts one coder has coded"))
    docs = document_ids(session, filters)
    keys = document_keys(session, docs)
    coded = _coded_spans(session, filters)
    if coded is not None:
        keys = {key: value for key, value in keys.items() if key in coded}
    doc_labels: dict[Any, tuple[str, ...]] = {}
    order: list[str] = [ALL]
    if dimension is not None and not dimension.per_coding:
        columns = cols.document_columns(session, dimension, docs)
        doc_labels, order = columns.labels, columns.order
    speakers = {key: mapping for key, mapping in session.connection().execute(select(raw(Document.id),
                                                                                     Document.speakers))}
    turns = _turns_of(session, keys)
    wanted_roles = {r.casefold() for r in roles} if roles else None
    texts: list[_Text] = []
    roles_seen: set[str] = set()
    found = [row for row in fetch_plain(session, select(raw(Document.id), Document.title, Document.text,
                                                        Document.date)) if row[0] in keys]
    # by date, undated last, then title: the same order on SQLite and PostgreSQL
    found.sort(key=lambda row: (row[3] is None, str(row[3]), row[1]))
    for key, title, text, _date in found:
        segments = _segments(text, sorted(turns.get(key, [])), _speaker_roles(speakers.get(key)))
        if wanted_roles is not None:
            segments = [s for s in segments if s[2].casefold() in wanted_roles]
        if coded is not None:
            segments = _intersect(segments, coded.get(key, []))
        item = _Text(key, keys[key], title, text)
        item.segments.extend(_labelled(segments, dimension, doc_labels.get(key, (cols.NONE,)), roles_seen))
        texts.append(item)
    if dimension is not None and dimension.name == "role":
        order = cols.ordered(dimension, roles_seen)
    return texts, order


def _speaker_roles(mapping: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for label, person in (mapping or {}).items():
        role = person.get("role") if isinstance(person, dict) else None
        out[str(label)] = str(role) if role else cols.NONE
    return out


def _segments(text: str, turns: list[tuple[int, int, str]], roles: dict[str, str]) -> list[tuple[int, int, str]]:
    """A document's text without speaker labels and timestamps (a header line such as `Speaker 2  00:02:16`
    included, wherever it opens the speaker's words), each piece with its speaker's role."""
    if not turns:
        return [(0, len(text), cols.NONE)]
    out: list[tuple[int, int, str]] = []
    position = 0
    for start, end, speaker in turns:
        if start > position:
            out.append((position, start, cols.NONE))
        role = roles.get(speaker, cols.NONE)
        out.extend((part_start, part_end, role) for part_start, part_end in turn_parts(text, start, end))
        position = max(position, end)
    if position < len(text):
        out.append((position, len(text), cols.NONE))
    return out


# --- frequencies and key words -------------------------------------------------------------------


@dataclass
class WordCount:
    word: str
    count: int
    per_10k: float  # uses per 10,000 words of the column


@dataclass
class KeyWord:
    word: str
    count: int
    other_count: int
    per_10k: float
    other_per_10k: float
    log_likelihood: float
    log_ratio: float


@dataclass
class WordColumn:
    label: str
    tokens: int  # every word, stop words included
    types: int  # distinct words, stop words included
    words: list[WordCount]
    key_words: list[KeyWord] | None = None


@dataclass
class WordTable:
    by: str | None
    source: str  # "documents" or "excerpts"
    roles: list[str]
    stopwords_removed: bool
    columns: list[WordColumn]
    counts: dict[str, Counter[str]] = field(default_factory=dict, repr=False)  # per column, for drill-down
    names_removed: list[str] | None = None  # with no_names: the name words in the text, never listed

    def column(self, label: str) -> WordColumn:
        for column in self.columns:
            if column.label == label:
                return column
        raise InvalidInput(_("no column {label!r}")
                           .format(label=label), hint=_("columns: {names}").format(
                               names=", ".join(c.label for c in self.columns)))

    def as_dict(self) -> dict[str, Any]:
        def rounded(item: Any) -> dict[str, Any]:
            return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(item).items()}

        return {
            "by": self.by, "source": self.source, "roles": list(self.roles),
            "stopwords_removed": self.stopwords_removed,
            **({"names_removed": list(self.names_removed)} if self.names_removed is not None else {}),
            "measure": "log-likelihood (Dunning 1993)",
            "columns": [
                {"label": c.label, "tokens": c.tokens, "types": c.types, "words": [rounded(w) for w in c.words],
                 **({"key_words": [rounded(k) for k in c.key_words]} if c.key_words is not None else {})}
                for c in self.columns
            ],
        }


def project_names(session: Session) -> list[str]:
    """The names of the project's speakers and participants, cases, and pseudonym register entries."""
    names: set[str] = set()
    for participants, speakers in session.execute(select(Document.participants, Document.speakers)):
        people = [*(participants or []), *(speakers or {}).values()]
        for person in people:
            name = person.get("name") if isinstance(person, dict) else person
            if isinstance(name, str):
                names.add(name)
    names.update(session.scalars(select(Case.name)))
    for original, pseudonym in session.execute(select(Pseudonym.original, Pseudonym.pseudonym)):
        names.update(n for n in (original, pseudonym) if n)
    return sorted(names)


def name_words(names: list[str]) -> frozenset[str]:
    """The lower-cased words written with a capital in these names, stop words aside."""
    stop = stopwords()
    return frozenset(w.lower() for name in names for w in TOKEN.findall(name)
                     if w[0].isupper() and w.lower() not in stop)


def _per_10k(count: int, tokens: int) -> float:
    return 10_000.0 * count / tokens if tokens else 0.0


def _counted(texts: list[_Text], order: list[str], candidates: frozenset[str],
             keyness: bool) -> tuple[dict[str, Counter[str]], Counter[str], set[str]]:
    """Word counts per column, over everything (only with `keyness`), and the name words the text also
    writes in lower case (words, not names)."""
    per_column: dict[str, Counter[str]] = {label: Counter() for label in order}
    everything: Counter[str] = Counter()
    in_lower_case: set[str] = set()
    for item in texts:
        # one pass of the tokeniser per document and set of columns, not per speaker turn
        pieces: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for start, end, labels in item.segments:
            pieces[labels].append(item.text[start:end])
        for labels, texts_of in pieces.items():
            joined = "\n".join(texts_of)
            if candidates:
                in_lower_case.update(w for w in TOKEN.findall(joined) if w in candidates)
            found = TOKEN.findall(joined.lower())
            if keyness:
                everything.update(found)
            for label in labels:
                per_column.setdefault(label, Counter()).update(found)
    return per_column, everything, in_lower_case


def _key_words(counts: Counter[str], tokens: int, everything: Counter[str], total_tokens: int,
               stop: frozenset[str], min_count: int, limit: int) -> list[KeyWord]:
    """A column's key words against the rest: used more there than elsewhere, and significantly so."""
    rest_tokens = total_tokens - tokens
    found_keys = []
    for word, a in counts.items():
        if a < min_count or word in stop:
            continue
        b = everything[word] - a
        if rest_tokens <= 0 or a / tokens <= b / rest_tokens:
            continue
        g2 = log_likelihood(a, b, tokens, rest_tokens)
        if g2 >= SIGNIFICANT:
            found_keys.append(KeyWord(word, a, b, _per_10k(a, tokens), _per_10k(b, rest_tokens), g2,
                                      log_ratio(a, b, tokens, rest_tokens)))
    found_keys.sort(key=lambda k: (-k.log_likelihood, k.word))
    return found_keys[:limit]


def words(session: Session, filters: Filters | None = None, by: str | cols.Dimension | None = None, *,
          roles: list[str] | None = None, keyness: bool = False, limit: int = 30, keep_stopwords: bool = False,
          min_count: int = 3, no_names: bool = False) -> WordTable:
    """The most frequent words per column and, with `keyness`, each column's key words against the rest;
    `no_names` leaves the words of people's, cases' and register names out of both lists."""
    filters = filters or Filters()
    dimension = cols.parse_by(by) if by else None
    if keyness and dimension is None:
        dimension = cols.parse_by("municipality")
    candidates = name_words(project_names(session)) if no_names else frozenset()
    with paused_gc():
        texts, order = _reading(session, filters, dimension, roles)
        per_column, everything, in_lower_case = _counted(texts, order, candidates, keyness)
    names = candidates - in_lower_case
    stop = (frozenset() if keep_stopwords else stopwords()) | names
    total_tokens = sum(everything.values())  # only needed, and only counted, for key words
    out: list[WordColumn] = []
    for label, counts in per_column.items():
        tokens = sum(counts.values())
        top = [WordCount(w, n, _per_10k(n, tokens))
               for w, n in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])) if w not in stop][:limit]
        column = WordColumn(label, tokens, len(counts), top)
        if keyness:
            column.key_words = _key_words(counts, tokens, everything, total_tokens, stop, min_count, limit)
        out.append(column)
    present = sorted(w for w in names if any(w in counts for counts in per_column.values())) if no_names else None
    return WordTable(str(dimension) if dimension else None, "excerpts" if _has_coding_filter(filters) else "documents",
                     list(roles or []), not keep_stopwords, out, per_column, names_removed=present)


# --- key words in context ------------------------------------------------------------------------


@dataclass
class Concordance:
    document: str
    document_title: str
    municipality: str | None
    start: int
    end: int
    left: str
    word: str
    right: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _matcher(word: str) -> Any:
    wanted = word.strip().lower()
    if not wanted or not TOKEN.fullmatch(wanted.rstrip("*")):
        raise InvalidInput(_("{word!r} is not a word")
                           .format(word=word), hint=_("give one word, or a beginning with * (borger*)"))
    if wanted.endswith("*"):
        prefix = wanted[:-1]
        return lambda token: token.startswith(prefix)
    return lambda token: token == wanted


def kwic(session: Session, filters: Filters | None, word: str, *, roles: list[str] | None = None, width: int = 40,
         limit: int | None = None) -> list[Concordance]:
    """Every use of a word (or of words beginning so, `borger*`) in what `words` reads, with up to `width`
    characters of context on each side, in document order (by date, then title)."""
    matches = _matcher(word)
    texts, _ = _reading(session, filters or Filters(), None, roles)
    municipalities = municipalities_by_document(session, [t.id for t in texts])
    out: list[Concordance] = []
    for item in texts:
        text = item.text
        for low, high, start, end in _occurrences(item, matches):
            out.append(Concordance(
                str(item.id), item.title, ", ".join(municipalities.get(item.id, [])) or None, start, end,
                _flat(text[max(low, start - width):start]), text[start:end], _flat(text[end:min(high, end + width)])))
            if limit is not None and len(out) >= limit:
                return out
    return out


def _occurrences(item: _Text, matches: Any) -> Iterator[tuple[int, int, int, int]]:
    """(segment start, segment end, word start, word end): context stays within the segment, so a
    speaker's words are never shown with the next speaker's label."""
    for low, high, _labels in item.segments:
        for found in TOKEN.finditer(item.text, low, high):
            if matches(found.group().lower()):
                yield low, high, found.start(), found.end()


def _flat(text: str) -> str:
    return " ".join(text.split("\n"))


def words_in(project: Project, filters: Filters | None = None, by: str | cols.Dimension | None = None, *,
             keyness: bool = False, limit: int = 30, no_names: bool = False) -> WordTable:
    """`words` of a project, read in a transaction of its own (the app's Words screen)."""
    with project.read() as session:
        return words(session, filters, by, keyness=keyness, limit=limit, no_names=no_names)


def kwic_in(project: Project, filters: Filters | None, word: str) -> list[Concordance]:
    """`kwic` of a project, read in a transaction of its own."""
    with project.read() as session:
        return kwic(session, filters, word)
