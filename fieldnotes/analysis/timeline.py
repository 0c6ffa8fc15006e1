"""The fieldwork timeline: how many documents each municipality has in each month of the study, by kind.

A lead sees at a glance where fieldwork is thin (a municipality without interviews for half a year)
and how the material is spread over the phases. The months run from the fieldwork start for the
study's two years (STUDY_MONTHS), widened to take in every dated document in scope; without a start
date, from the first to the last document's month. A document linked to two municipalities counts in
each row (and once in the totals); documents without a municipality are in the row `(none)`, documents
without a date are counted apart (`undated`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.analysis.columns import NONE
from fieldnotes.db.models import DOCUMENT_KINDS, Document, ProjectSettings
from fieldnotes.documents.store import municipalities_by_document
from fieldnotes.project.opening import phase_of
from fieldnotes.queries.filters import Filters, document_ids

#: the study runs two years
STUDY_MONTHS = 24


def _month(date: dt.date) -> str:
    return f"{date.year:04d}-{date.month:02d}"


def _months(first: dt.date, last: dt.date) -> list[str]:
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _add_months(date: dt.date, months: int) -> dt.date:
    index = date.year * 12 + date.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _phase(month: str, start: dt.date | None) -> int | None:
    """The phase of the month's first day in the fieldwork (of the start day, in the start's month)."""
    if start is None:
        return None
    first = dt.date(int(month[:4]), int(month[5:]), 1)
    if (first.year, first.month) < (start.year, start.month):
        return None
    return phase_of(max(first, start), start)


@dataclass
class Timeline:
    start: str | None  # the fieldwork start (ISO), when the project has one
    months: list[str]  # "YYYY-MM", every month from the first to the last
    phases: list[int | None]  # each month's phase (of its first day in the fieldwork), None before the start
    rows: list[str]  # municipalities in alphabetical order, `(none)` last
    kinds: list[str]  # the kinds that occur, in the model's order
    counts: dict[str, dict[str, dict[str, int]]]  # row -> kind -> month -> documents
    undated: dict[str, int] = field(default_factory=dict)  # row -> documents without a date
    documents: int = 0  # documents in scope, each once

    def month_total(self, row: str, month: str) -> int:
        return sum(self.counts[row][kind].get(month, 0) for kind in self.kinds)

    def row_total(self, row: str) -> int:
        return sum(sum(months.values()) for months in self.counts[row].values()) + self.undated.get(row, 0)

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "months": list(self.months), "phases": list(self.phases),
                "rows": list(self.rows), "kinds": list(self.kinds),
                "counts": {row: {kind: dict(months) for kind, months in kinds.items()}
                           for row, kinds in self.counts.items()},
                "undated": dict(self.undated), "documents": self.documents}


def timeline(session: Session, filters: Filters | None = None) -> Timeline:
    """Documents per municipality (rows) and month (columns), by kind, for the documents the filters allow."""
    filters = filters or Filters()
    allowed = document_ids(session, filters)
    start = session.scalar(select(ProjectSettings.start_date))
    rows = session.execute(select(Document.id, Document.kind, Document.date)).all()
    if allowed is not None:
        rows = [r for r in rows if r.id in allowed]
    places = municipalities_by_document(session)
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    undated: dict[str, int] = defaultdict(int)
    kinds: set[str] = set()
    dates = [r.date for r in rows if r.date is not None]
    for doc_id, kind, date in rows:
        kinds.add(kind)
        for place in places.get(doc_id) or [NONE]:
            if date is None:
                undated[place] += 1
            else:
                counts[place][kind][_month(date)] += 1
    labels = set(counts) | set(undated)
    order = sorted(labels - {NONE}, key=str.casefold) + ([NONE] if NONE in labels else [])
    kind_order = [k for k in DOCUMENT_KINDS if k in kinds] + sorted(kinds - set(DOCUMENT_KINDS))
    if start is not None:
        first, last = dt.date(start.year, start.month, 1), _add_months(start, STUDY_MONTHS - 1)
        if dates:
            first, last = min(first, min(dates)), max(last, max(dates))
        months = _months(first, last)
    else:
        months = _months(min(dates), max(dates)) if dates else []
    phases = [_phase(month, start) for month in months]
    return Timeline(
        start=start.isoformat() if start else None, months=months, phases=phases, rows=order, kinds=kind_order,
        counts={row: {kind: dict(counts[row][kind]) for kind in kind_order} for row in order},
        undated={row: undated[row] for row in order if undated.get(row)}, documents=len(rows))
