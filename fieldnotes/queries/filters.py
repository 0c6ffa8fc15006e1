"""The filters shared by `docs`, `excerpts`, exports, `matrix` and bundles (docs/cli.md, "Filters").

A filter is plain data; `document_ids` and `code_ids` turn it into sets of ids with a few queries,
which the excerpt query, the analysis and the exporters then use.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.codebook.tree import CodeTree
from fieldnotes.db.models import MUNICIPALITY, Case, Coding, Document, DocumentCase, ProjectSettings
from fieldnotes.documents.store import normalise_kind
from fieldnotes.errors import InvalidInput, NotFound
from fieldnotes.project.opening import phase_of
from fieldnotes.translations import _


@dataclass
class Filters:
    codes: list[str] = field(default_factory=list)
    descendants: bool = True
    municipalities: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)
    phases: list[int] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    coders: list[str] = field(default_factory=list)
    rating: tuple[int, int] | None = None
    contains: str | None = None
    documents: list[str] = field(default_factory=list)

    @property
    def narrows_documents(self) -> bool:
        return bool(self.municipalities or self.cases or self.kinds or self.activities or self.phases
                    or self.date_from or self.date_to or self.documents)

    def describe(self) -> list[tuple[str, str]]:
        """The filters in words, for title pages and audit records."""
        out: list[tuple[str, str]] = []
        if self.codes:
            out.append(("codes", ", ".join(self.codes) + ("" if self.descendants else " (without sub-codes)")))
        for label, values in (("municipalities", self.municipalities), ("cases", self.cases),
                              ("kinds", self.kinds), ("activities", self.activities),
                              ("phases", [str(p) for p in self.phases]), ("coders", self.coders),
                              ("documents", self.documents)):
            if values:
                out.append((label, ", ".join(values)))
        if self.date_from or self.date_to:
            out.append(("dates", f"{self.date_from or '…'} – {self.date_to or '…'}"))
        if self.rating:
            out.append(("rating", f"{self.rating[0]}–{self.rating[1]}"))
        if self.contains:
            out.append(("containing", self.contains))
        return out

    def as_dict(self) -> dict[str, Any]:
        return {key: value for key, value in self.describe()}


def parse_rating(text: str) -> tuple[int, int]:
    try:
        if ":" in text:
            low, high = text.split(":", 1)
            return int(low), int(high)
        value = int(text)
        return value, value
    except ValueError:
        raise InvalidInput(_("the rating range {text!r} is not MIN:MAX")
                           .format(text=text), hint=_("for example --rating 4:5")) from None


def _case_ids(session: Session, names: list[str], case_type: str | None) -> set[uuid.UUID]:
    query = select(Case.id, Case.name, Case.type)
    if case_type:
        query = query.where(Case.type == case_type)
    rows = session.execute(query).all()
    out: set[uuid.UUID] = set()
    for name in names:
        folded = name.strip().casefold()
        matches = [r.id for r in rows if r.name.casefold() == folded or f"{r.type}:{r.name}".casefold() == folded]
        if not matches:
            what = "municipality" if case_type == MUNICIPALITY else "case"
            known = sorted({r.name for r in rows})[:12]
            raise NotFound(_("no {what} {name!r}")
                           .format(what=what,
                                   name=name), hint=_("known: {names}").format(names=", "
                                                                                     "".join(known)) if known else None)
        out.update(matches)
    return out


def document_ids(session: Session, filters: Filters) -> set[uuid.UUID] | None:
    """The documents the filters allow, or None when no document filter is set (all of them)."""
    if not filters.narrows_documents:
        return None
    query = select(Document.id, Document.date)
    if filters.kinds:
        query = query.where(Document.kind.in_([normalise_kind(k) for k in filters.kinds]))
    if filters.activities:
        query = query.where(Document.activity.in_(filters.activities))
    if filters.date_from:
        query = query.where(Document.date >= filters.date_from)
    if filters.date_to:
        query = query.where(Document.date <= filters.date_to)
    rows = session.execute(query).all()
    ids = {r.id for r in rows}
    if filters.phases:
        start = session.scalar(select(ProjectSettings.start_date))
        if start is None:
            raise InvalidInput(_("the project has no fieldwork start date, so it has no phases"),
                               hint=_("set one with `fieldnotes project set start YYYY-MM-DD`"))
        wanted = set(filters.phases)
        ids = {r.id for r in rows if r.id in ids and phase_of(r.date, start) in wanted}
    for names, case_type in ((filters.municipalities, MUNICIPALITY), (filters.cases, None)):
        if names:
            cases = _case_ids(session, names, case_type)
            linked = set(session.scalars(select(DocumentCase.document_id).where(DocumentCase.case_id.in_(cases))))
            ids &= linked
    if filters.documents:
        from fieldnotes.documents.store import resolve

        ids &= {resolve(session, name).id for name in filters.documents}
    return ids


def code_ids(session: Session, filters: Filters, tree: CodeTree | None = None) -> set[uuid.UUID] | None:
    """The codes the filters allow (themes include descendants), or None for every code."""
    if not filters.codes:
        return None
    tree = tree or CodeTree.load(session)
    out: set[uuid.UUID] = set()
    for name in filters.codes:
        node = tree.resolve(name)
        out.update(tree.descendants(node.id) if filters.descendants else [node.id])
    return out


def coder_ids(filters: Filters) -> set[uuid.UUID] | None:
    if not filters.coders:
        return None
    from fieldnotes.db.coders import coder_id

    return {coder_id(name) for name in filters.coders}


def narrow_codings(query: Any, filters: Filters, docs: set[uuid.UUID] | None, codes: set[uuid.UUID] | None,
                   coders: set[uuid.UUID] | None) -> Any:
    """`query` over codings narrowed to the allowed documents, codes and coders, and the rating range
    (each None: no narrowing); `contains` is left to the caller, which reads the text anyway."""
    if docs is not None:
        query = query.where(Coding.document_id.in_(list(docs)))
    if codes is not None:
        query = query.where(Coding.code_id.in_(list(codes)))
    if coders is not None:
        query = query.where(Coding.coder_id.in_(list(coders)))
    if filters.rating is not None:
        query = query.where(Coding.rating >= filters.rating[0], Coding.rating <= filters.rating[1])
    return query
