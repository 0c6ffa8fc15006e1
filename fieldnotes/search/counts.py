"""Concordance counts: how often a word or phrase occurs per municipality, kind, phase or activity.

Beside the raw number of hits each row gives the documents searched and their size, and hits per
100,000 characters, because municipalities rarely contribute the same amount of material. Every
group in scope is listed, also those without a hit (a zero is a finding too).
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from fieldnotes.db.models import DOCUMENT_KINDS
from fieldnotes.errors import InvalidInput
from fieldnotes.queries.filters import Filters
from fieldnotes.search.fulltext import Options, find
from fieldnotes.search.query import Query
from fieldnotes.search.units import Scope, resolve
from fieldnotes.translations import _

BY = ("municipality", "kind", "phase", "activity", "document")
PER = 100_000


@dataclass
class CountRow:
    label: str | int | None
    hits: int = 0
    documents: int = 0  # documents with at least one hit
    searched_documents: int = 0
    characters: int = 0
    per_100k_characters: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CountTable:
    query: str
    by: str
    rows: list[CountRow] = field(default_factory=list)
    total: CountRow = field(default_factory=lambda: CountRow("total"))
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"query": self.query, "by": self.by, "rows": [r.as_dict() for r in self.rows],
                "total": self.total.as_dict(), "notes": self.notes}


def _labels(session: Session, scope: Scope, by: str) -> dict[uuid.UUID, list[str | int | None]]:
    if by == "municipality":
        found = scope.municipalities(session)
        return {d: list(found.get(d, [])) or [None] for d in scope.documents}
    if by == "kind":
        return {d: [info.kind] for d, info in scope.documents.items()}
    if by == "phase":
        return {d: [scope.phase(d)] for d in scope.documents}
    if by == "activity":
        return {d: [info.activity] for d, info in scope.documents.items()}
    return {d: [info.title] for d, info in scope.documents.items()}


def _order(by: str, scope: Scope, labels: list[str | int | None]) -> list[str | int | None]:
    def key(label: str | int | None) -> tuple[int, Any]:
        if label is None:
            return (2, "")
        if by == "kind" and label in DOCUMENT_KINDS:
            return (0, DOCUMENT_KINDS.index(str(label)))
        if isinstance(label, int):
            return (0, label)
        return (1, str(label).casefold())

    if by == "document":
        titles = [scope.documents[d].title for d in scope.ordered(None, "date")]
        return list(dict.fromkeys(t for t in titles if t in labels))
    return sorted(labels, key=key)


def counts(session: Session, query: str | Query, filters: Filters | None = None, options: Options | None = None,
           *, by: str = "municipality") -> CountTable:
    if by not in BY:
        raise InvalidInput(_("cannot count by {by!r}").format(by=by), hint=_("use one of: {choices}")
                           .format(choices=", ".join(BY)))
    options = options or Options()
    options.limit = None
    scope = resolve(session, filters)
    found = find(session, query, scope, options)
    table = CountTable(str(found.query), by, notes=found.notes)
    labels = _labels(session, scope, by)
    per_doc = Counter(h.document_id for h in found.hits)
    rows: dict[str | int | None, CountRow] = {}
    members: dict[str | int | None, set[uuid.UUID]] = defaultdict(set)
    for doc_id, doc_labels in labels.items():
        for label in doc_labels:
            members[label].add(doc_id)
    for label in _order(by, scope, list(members)):
        row = CountRow(label)
        for doc_id in members[label]:
            row.searched_documents += 1
            row.characters += scope.characters(doc_id)
            if per_doc[doc_id]:
                row.documents += 1
                row.hits += per_doc[doc_id]
        row.per_100k_characters = round(row.hits * PER / row.characters, 2) if row.characters else 0.0
        rows[label] = row
    table.rows = list(rows.values())
    total = table.total
    total.hits = len(found.hits)
    total.documents = len(per_doc)
    total.searched_documents = len(scope.documents)
    total.characters = sum(scope.characters(d) for d in scope.documents)
    total.per_100k_characters = round(total.hits * PER / total.characters, 2) if total.characters else 0.0
    return table
