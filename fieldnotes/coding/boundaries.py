"""Sentence and paragraph boundaries of each document, worked out once and kept in the database.

`spans.sentence` finds the sentence around an offset by scanning its paragraph (abbreviations such as
"f.eks." make that more than a search for full stops). Fetching 10,000 excerpts with their sentence
context did that 20,000 times; here every sentence of a document is found once, when its text is
written, and kept in `document_boundaries` as three arrays: where each sentence's reach begins (the
first offset `spans.sentence` maps to it), and the sentence it maps to (start, end). The line starts
give paragraphs and paragraph numbers the same way. An excerpt's context is then two binary searches.

The cache can never be wrong, only missing:
- each row carries the text's sha256 (documents.sha256, which every writer of the text keeps), the
  transcript flag it was computed with (a transcript's first sentence of a line starts after the
  speaker label) and `VERSION` of this computation; a row that does not match is ignored, and the
  boundaries are computed from the text instead;
- every change that touches a document or its speaker turns (an import, an edit, a new kind, undo,
  redo, a merge) refreshes that document's row at the end of the change, in the same transaction
  (`refresh`, called by `db.history` through `history.DOCUMENT_LISTENERS`).

`tests/test_boundaries.py` checks every offset of generated texts against `spans`, and the cache
against a fresh computation after edits, undo, redo, merges and imports.
"""

from __future__ import annotations

import bisect
import sys
import uuid
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, insert, select, type_coerce
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.types import String

from fieldnotes.coding.spans import _SENTENCE_END, _ends_sentence, content_start, trim
from fieldnotes.db.models import Document, DocumentBoundaries, SpeakerTurn

#: bump when the sentence rules in `spans` change: older rows are then ignored and rebuilt
VERSION = 1


def _packed(values: list[int]) -> bytes:
    data = array("I", values)
    if sys.byteorder == "big":  # stored little-endian, whatever machine wrote it
        data.byteswap()
    return data.tobytes()


def _unpacked(blob: bytes) -> array[int]:
    data = array("I")
    data.frombytes(bytes(blob))
    if sys.byteorder == "big":
        data.byteswap()
    return data


@dataclass
class Boundaries:
    """A document's paragraphs and sentences, as `spans.paragraph` and `spans.sentence` find them."""

    length: int
    lines: Any  # sequence of line starts: 0, and one past each "\n"
    reach: Any  # sorted: the first offset whose sentence is sentence k
    starts: Any  # sentence k's start and end (trimmed, as spans.sentence returns them)
    ends: Any

    def sentence(self, offset: int) -> tuple[int, int]:
        """The same as `spans.sentence(text, offset, transcript=...)`."""
        offset = max(0, min(offset, self.length))
        k = bisect.bisect_right(self.reach, offset) - 1
        return self.starts[k], self.ends[k]

    def sentences_around(self, start: int, end: int) -> tuple[int, int]:
        """The same as `spans.sentences_around(text, start, end, transcript=...)`."""
        reach = self.reach
        first = bisect.bisect_right(reach, max(0, min(start, self.length))) - 1
        last = bisect.bisect_right(reach, max(0, min(max(start, end - 1), self.length))) - 1
        return self.starts[first], self.ends[last]

    def paragraph(self, offset: int) -> tuple[int, int]:
        """The same as `spans.paragraph(text, offset)`."""
        offset = max(0, min(offset, self.length))
        index = bisect.bisect_right(self.lines, offset) - 1
        return self.lines[index], self.lines[index + 1] - 1 if index + 1 < len(self.lines) else self.length

    def paragraph_number(self, offset: int) -> int:
        """1 + the line breaks before `offset` (`text.count("\\n", 0, offset) + 1`)."""
        return bisect.bisect_right(self.lines, offset)


def compute(text: str, *, transcript: bool) -> Boundaries:
    """Every paragraph's sentences, found as `spans.sentence` finds them (the plain computation)."""
    lines: list[int] = []
    reach: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    size = len(text)
    line_start = 0
    while True:
        lines.append(line_start)
        newline = text.find("\n", line_start)
        line_end = size if newline == -1 else newline
        body = content_start(text, line_start, line_end) if transcript else line_start
        cuts = [body]
        cuts.extend(match.end() for match in _SENTENCE_END.finditer(text, body, line_end)
                    if _ends_sentence(text, body, match))
        # an offset before the first cut (a transcript's label) belongs to the first sentence
        for index, cut in enumerate(cuts):
            following = cuts[index + 1] if index + 1 < len(cuts) else line_end
            a, b = trim(text, cut, following)
            reach.append(line_start if index == 0 else cut)
            starts.append(a)
            ends.append(b)
        if newline == -1:
            break
        line_start = newline + 1
    return Boundaries(size, lines, reach, starts, ends)


def stored_row(document_id: uuid.UUID, sha256: str, transcript: bool, found: Boundaries) -> dict[str, Any]:
    return {"document_id": document_id, "sha256": sha256, "version": VERSION, "transcript": transcript,
            "length": found.length, "lines": _packed(found.lines),
            "sentences": _packed([*found.reach, *found.starts, *found.ends])}


def from_row(length: int, lines: bytes, sentences: bytes) -> Boundaries:
    values = _unpacked(sentences)
    count = len(values) // 3
    return Boundaries(length, _unpacked(lines), values[:count], values[count : 2 * count], values[2 * count :])


def _transcripts(connection: Connection, document_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for chunk in _chunks(document_ids):
        found.update(connection.execute(select(SpeakerTurn.document_id).where(
            SpeakerTurn.document_id.in_(chunk)).distinct()).scalars())
    return found


def _chunks(items: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for index in range(0, len(items), size):
        yield items[index : index + size]


def refresh(session: Session, document_ids: Iterable[uuid.UUID]) -> None:
    """Bring the cached boundaries of these documents in step with their text and turns (inside the
    caller's transaction): rows that still match are kept, others are rewritten, and the rows of
    documents that no longer exist are removed."""
    wanted = sorted(set(document_ids))
    if not wanted:
        return
    connection = session.connection()
    table: Table = DocumentBoundaries.__table__  # type: ignore[assignment]
    for chunk in _chunks(wanted):
        transcripts = _transcripts(connection, chunk)
        kept = {row.document_id: row for row in connection.execute(
            select(table.c.document_id, table.c.sha256, table.c.version, table.c.transcript)
            .where(table.c.document_id.in_(chunk)))}
        current = dict(connection.execute(select(Document.id, Document.sha256).where(Document.id.in_(chunk))).all())
        stale = [doc_id for doc_id in chunk if doc_id in kept and (
            doc_id not in current or kept[doc_id].sha256 != current[doc_id] or kept[doc_id].version != VERSION
            or bool(kept[doc_id].transcript) != (doc_id in transcripts))]
        if stale:
            connection.execute(delete(table).where(table.c.document_id.in_(stale)))
        missing = [doc_id for doc_id in chunk if doc_id in current and (doc_id not in kept or doc_id in stale)]
        if not missing:
            continue
        rows = []
        for doc_id, sha, text in connection.execute(
                select(Document.id, Document.sha256, Document.text).where(Document.id.in_(missing))):
            transcript = doc_id in transcripts
            rows.append(stored_row(doc_id, sha, transcript, compute(text, transcript=transcript)))
        connection.execute(insert(table), rows)


def cached(connection: Connection, raw_ids: list[Any], transcripts: dict[Any, bool]) -> dict[Any, Boundaries]:
    """The valid cached boundaries of these documents, by raw id (as `excerpts` reads ids: the driver's own
    value, see excerpts._raw). A document whose row is missing or stale is left out."""
    table: Table = DocumentBoundaries.__table__  # type: ignore[assignment]
    raw_id = type_coerce(table.c.document_id, String())
    out: dict[Any, Boundaries] = {}
    for chunk in _chunks(raw_ids):
        query = (select(raw_id, table.c.transcript, table.c.length, table.c.lines, table.c.sentences)
                 .join(Document, Document.id == table.c.document_id)
                 .where(raw_id.in_(chunk), table.c.sha256 == Document.sha256, table.c.version == VERSION))
        for raw, transcript, length, lines, sentences in connection.execute(query):
            if bool(transcript) == transcripts.get(raw, False):
                out[raw] = from_row(length, lines, sentences)
    return out
