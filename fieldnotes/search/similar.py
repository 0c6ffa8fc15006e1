"""Passages like a coded excerpt that do not carry its code yet: the start of "suggest codings".

Vocabulary first, in two stages, so one excerpt against a whole project takes well under a second:
1. the excerpt's content words (Danish function words left out) are weighted by rarity (idf, from
   the index's vocabulary); candidate documents are those holding any of them, and in their text the
   words are located with one regex pass; stretches of about a sentence that hold the most weight are
   kept as candidates;
2. each candidate grows to its passage (sentence, speaker turn or paragraph) and is scored exactly:
   the cosine between the tf-idf vectors of excerpt and passage (0–1).
Passages overlapping any coding of the excerpt's code (by any coder) are left out, the excerpt too.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.codebook.tree import CodeTree
from fieldnotes.coding import applying, spans
from fieldnotes.db.models import Coding, Document, SpeakerTurn
from fieldnotes.errors import InvalidInput
from fieldnotes.queries.filters import Filters
from fieldnotes.search import index as idx
from fieldnotes.search import tokens as tk
from fieldnotes.search.matching import trie_regex
from fieldnotes.search.query import Or, Term
from fieldnotes.search.results import Hit, RawHit, describe
from fieldnotes.search.units import merge_spans, resolve
from fieldnotes.translations import _

UNITS = ("sentence", "turn", "paragraph")
BUCKET = 160  # characters: about a sentence, the grain of the first stage
MAX_TERMS = 24

#: Danish function words (and the transcript fillers "altså", "jo", "nok"): they say nothing about a topic
STOPWORDS = frozenset("""
og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har om vi min havde ham hun
nu over da fra du ud sin dem os op man hans hvor eller hvad skal selv her alle vil blev kunne ind når være dog
noget ville jo deres efter ned skulle denne end dette mit også under have dig anden hende mine alt meget sit
sine vor mod disse hvis din nogle hos blive mange ad bliver hendes været thi jer sådan altså nok faktisk
egentlig lidt godt rigtig så bare ja nej øh åh kan får få fik går gik sagt siger sagde hvordan hvorfor
""".split())


@dataclass
class SimilarResult:
    coding_id: str
    code: str
    code_path: str
    excerpt: str
    hits: list[Hit]
    index: str


def content_words(text: str) -> list[str]:
    """The words that say what a passage is about: no function words, numbers or single letters."""
    return [w for w in tk.words(text) if len(w) > 1 and w not in STOPWORDS and not w.isdigit()]


def _idf(frequency: int, documents: int) -> float:
    return math.log((documents + 1) / (frequency + 1)) + 1.0


def _vector(words: Iterable[str], idf: dict[str, float], default: float) -> dict[str, float]:
    counts = Counter(words)
    return {w: (1.0 + math.log(n)) * idf.get(w, default) for w, n in counts.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(value * b.get(word, 0.0) for word, value in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


class _Excluded:
    """Spans coded with the excerpt's code, per document, to skip quickly."""

    def __init__(self, spans_by_doc: dict[uuid.UUID, list[tuple[int, int]]]) -> None:
        self.spans = {d: merge_spans(s) for d, s in spans_by_doc.items()}
        self.starts = {d: [s[0] for s in found] for d, found in self.spans.items()}

    def overlaps(self, doc_id: uuid.UUID, start: int, end: int) -> bool:
        found = self.spans.get(doc_id)
        if not found:
            return False
        index = bisect.bisect_right(self.starts[doc_id], end - 1) - 1
        return index >= 0 and found[index][1] > start

    def contains(self, doc_id: uuid.UUID, position: int) -> bool:
        return self.overlaps(doc_id, position, position + 1)


def similar(session: Session, coding: str | uuid.UUID | Coding, *, limit: int = 10, unit: str = "sentence",
            filters: Filters | None = None, context: str | int | None = None) -> SimilarResult:
    """The passages most like a coding's excerpt that no coding of its code covers, best first."""
    if unit not in UNITS:
        raise InvalidInput(_("cannot compare by {unit!r}").format(unit=unit), hint=_("use sentence, turn or paragraph"))
    if limit < 1:
        raise InvalidInput(_("--limit needs a number of passages, 1 or more"))
    row = coding if isinstance(coding, Coding) else applying.get_coding(session, str(coding))
    source = session.get(Document, row.document_id)
    assert source is not None
    excerpt = source.text[row.start : row.end]
    tree = CodeTree.load(session)
    result = SimilarResult(str(row.id), str(row.code_id), tree.path(row.code_id), excerpt, [], "scan")
    words = content_words(excerpt)
    scope = resolve(session, filters)
    if not words or not scope.documents:
        return result
    index = idx.state(session)
    result.index = index.kind
    frequencies = idx.document_frequencies(session, set(words), index)
    total = max(frequencies.documents, 1)
    idf = {w: _idf(frequencies.frequencies.get(w, 0), total) for w in set(words)}
    chosen = sorted(idf, key=lambda w: (-idf[w], w))[:MAX_TERMS]
    coded: dict[uuid.UUID, list[tuple[int, int]]] = defaultdict(list)
    for doc_id, start, end in session.execute(select(Coding.document_id, Coding.start, Coding.end)
                                              .where(Coding.code_id == row.code_id)):
        coded[doc_id].append((start, end))
    excluded = _Excluded(coded)
    candidates = idx.candidates(session, Or(tuple(Term(w) for w in chosen)), index=index, rowids=scope.rowids)
    order = scope.ordered(candidates, "date")
    windows = _windows(session, order, chosen, idf, excluded, keep=max(limit * 8, 80))
    passages = _passages(session, windows, unit, excluded)
    passage_words = {key: content_words(text) for key, text in passages.items()}
    vocabulary = set().union(*passage_words.values()) if passage_words else set()
    known = idx.document_frequencies(session, vocabulary - set(idf), index).frequencies
    idf.update({w: _idf(n, total) for w, n in known.items()})
    default = _idf(0, total)
    target = _vector(words, idf, default)
    scored = [(cosine(target, _vector(found, idf, default)), key) for key, found in passage_words.items()]
    scored = [item for item in scored if item[0] > 0]
    rank = {doc_id: position for position, doc_id in enumerate(order)}
    scored.sort(key=lambda item: (-item[0], rank.get(item[1][0], 0), item[1][1]))
    raw = [RawHit(doc_id, start, end, score, "") for score, (doc_id, start, end) in scored[:limit]]
    result.hits = describe(session, raw, scope, context=context)
    return result


def _windows(session: Session, order: list[uuid.UUID], chosen: list[str], idf: dict[str, float],
             excluded: _Excluded, keep: int) -> list[tuple[float, uuid.UUID, int]]:
    """Stage 1: the best stretches (score, document, position of their first word), best first."""
    # a separator, then the words as a trie: the regex engine tries the trie only where a word
    # starts and fails at its first wrong letter (a look-behind in front would make it test every
    # position, see matching._LeafPattern); the text gets a space in front so its first word counts
    source = r"[\W_](?:" + trie_regex(chosen) + ")" + tk.AFTER
    pattern, anycase = re.compile(source), re.compile(source, re.IGNORECASE)
    heap: list[tuple[float, int, uuid.UUID, int]] = []
    serial = 0
    for first in range(0, len(order), 200):
        chunk = order[first : first + 200]
        for doc_id, text in session.execute(select(Document.id, Document.text).where(Document.id.in_(chunk))):
            low = tk.lowered(text)
            finder, haystack = (pattern, low) if low is not None else (anycase, text)
            buckets: dict[int, dict[str, int]] = defaultdict(dict)
            check = doc_id in excluded.spans
            for match in finder.finditer(" " + haystack):
                position = match.start()  # of the word in the text (the separator's in the padded text)
                if check and excluded.contains(doc_id, position):
                    continue
                bucket = buckets[position // BUCKET]
                word = match.group()[1:] if low is not None else match.group()[1:].lower()
                if word not in bucket:
                    bucket[word] = position
            for number, found in buckets.items():
                following = buckets.get(number + 1)
                present = set(found) | set(following or ())
                score = sum(idf[w] for w in present)
                serial += 1
                item = (score, -serial, doc_id, min(found.values()))
                if len(heap) < keep:
                    heapq.heappush(heap, item)
                elif item > heap[0]:
                    heapq.heapreplace(heap, item)
    return [(score, doc_id, position) for score, _, doc_id, position in sorted(heap, reverse=True)]


def _passages(session: Session, windows: list[tuple[float, uuid.UUID, int]], unit: str,
              excluded: _Excluded) -> dict[tuple[uuid.UUID, int, int], str]:
    """Stage 2 input: each window grown to its passage, without passages that carry the code."""
    doc_ids = {doc_id for _, doc_id, _ in windows}
    if not doc_ids:
        return {}
    texts = dict(session.execute(select(Document.id, Document.text).where(Document.id.in_(doc_ids))).all())
    turns: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for turn in session.execute(select(SpeakerTurn.document_id, SpeakerTurn.start, SpeakerTurn.end)
                                .where(SpeakerTurn.document_id.in_(doc_ids)).order_by(SpeakerTurn.start)):
        turns[turn.document_id].append(turn)
    out: dict[tuple[uuid.UUID, int, int], str] = {}
    for _window, doc_id, position in windows:
        text = texts[doc_id]
        start, end = spans.widen(text, position, position + 1, unit, turns.get(doc_id, []))
        if end <= start or excluded.overlaps(doc_id, start, end):
            continue
        out[(doc_id, start, end)] = text[start:end]
    return out
