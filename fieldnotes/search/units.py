"""What a search looks at: documents chosen by the shared filters, and optionally only their coded text.

Without codes in the filters a unit is a whole document. With codes ("search inside Sparringskultur")
the units are the stretches of text coded with the theme (the code and its sub-codes, by any coder),
overlapping codings joined into one stretch, so a word coded twice is found once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import Integer, literal_column, select
from sqlalchemy.orm import Session

from fieldnotes.db.models import Coding, Document, ProjectSettings
from fieldnotes.documents.store import municipalities_by_document
from fieldnotes.project.opening import phase_of
from fieldnotes.queries.filters import Filters, code_ids, document_ids

SORTS = ("score", "document", "date")


@dataclass(frozen=True)
class DocumentInfo:
    id: uuid.UUID
    title: str
    kind: str
    date: dt.date | None
    activity: str | None
    length: int


@dataclass
class Scope:
    documents: dict[uuid.UUID, DocumentInfo]
    #: per document, the stretches searched; None when whole documents are searched
    regions: dict[uuid.UUID, list[tuple[int, int]]] | None = None
    start_date: dt.date | None = None
    #: SQLite: documents.rowid → id for the documents in scope (the FTS index's rowids)
    rowids: dict[int, uuid.UUID] | None = None
    _municipalities: dict[uuid.UUID, list[str]] | None = None

    def units(self, document_id: uuid.UUID) -> list[tuple[int, int]]:
        if self.regions is None:
            return [(0, self.documents[document_id].length)]
        return self.regions.get(document_id, [])

    def characters(self, document_id: uuid.UUID) -> int:
        return sum(end - start for start, end in self.units(document_id))

    def phase(self, document_id: uuid.UUID) -> int | None:
        return phase_of(self.documents[document_id].date, self.start_date)

    def municipalities(self, session: Session, ids: set[uuid.UUID] | None = None) -> dict[uuid.UUID, list[str]]:
        """Municipalities of the documents `ids` (default: all in scope), read once each."""
        known = self._municipalities if self._municipalities is not None else {}
        wanted = set(self.documents) if ids is None else ids
        missing = [d for d in wanted if d not in known]
        if missing:
            found = municipalities_by_document(session, missing)
            known.update({d: found.get(d, []) for d in missing})
        self._municipalities = known
        return {d: known[d] for d in wanted}

    def ordered(self, ids: set[uuid.UUID] | None, sort: str) -> list[uuid.UUID]:
        """Documents (all in scope, or those of `ids` in scope) in the order their hits are listed."""
        chosen = [d for d in self.documents.values() if ids is None or d.id in ids]
        if sort == "document":
            chosen.sort(key=lambda d: (d.title.casefold(), d.date or dt.date.max, d.id))
        else:  # by date; also the order of equal scores
            chosen.sort(key=lambda d: (d.date or dt.date.max, d.title.casefold(), d.id))
        return [d.id for d in chosen]


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def resolve(session: Session, filters: Filters | None = None) -> Scope:
    filters = filters or Filters()
    allowed = document_ids(session, filters)
    if allowed is not None and not allowed:
        return Scope({})
    sqlite = session.get_bind().dialect.name == "sqlite"
    # on SQLite the covering index search_index_documents_meta holds all of these, and the rowid
    rowid = literal_column("documents.rowid" if sqlite else "0", Integer)
    query = select(Document.id, Document.title, Document.kind, Document.date, Document.activity, Document.length,
                   rowid)
    if allowed is not None:
        query = query.where(Document.id.in_(list(allowed)))
    documents: dict[uuid.UUID, DocumentInfo] = {}
    rowids: dict[int, uuid.UUID] | None = {} if sqlite else None
    for doc_id, title, kind, date, activity, length, number in session.execute(query):
        documents[doc_id] = DocumentInfo(doc_id, title, kind, date, activity, length)
        if rowids is not None:
            rowids[number] = doc_id
    start_date = session.scalar(select(ProjectSettings.start_date))
    codes = code_ids(session, filters)
    if codes is None:
        return Scope(documents, None, start_date, rowids)
    spans: dict[uuid.UUID, list[tuple[int, int]]] = {}
    coded = select(Coding.document_id, Coding.start, Coding.end).where(Coding.code_id.in_(list(codes)))
    for doc_id, start, end in session.execute(coded):
        if doc_id in documents:
            spans.setdefault(doc_id, []).append((start, end))
    regions = {doc_id: merge_spans(found) for doc_id, found in spans.items()}
    kept = {doc_id: documents[doc_id] for doc_id in regions}
    return Scope(kept, regions, start_date, {r: d for r, d in (rowids or {}).items() if d in kept} if sqlite else None)
