"""What an export holds, read from the project in one short read session.

The writers (Word, CSV, XLSX) take an `ExportSet` or `AnnotatedSet` and never touch the database, so
the app can gather in a worker and write anywhere, and tests and benchmarks can build sets directly.
Pseudonymisation happens here, once, so no writer can forget it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes import clock
from fieldnotes.codebook.tree import CodeTree
from fieldnotes.coding.excerpts import Excerpt, excerpts
from fieldnotes.db.models import MUNICIPALITY, Case, Code, Coder, Document, DocumentCase, Memo, ProjectSettings
from fieldnotes.documents.store import attributes_of, cases_by_document, municipalities_by_document
from fieldnotes.documents.store import resolve as resolve_document
from fieldnotes.export.pseudonyms import Pseudonymizer
from fieldnotes.queries.filters import Filters

#: `progress(done, total)`, called now and then while a long export is written
Progress = Callable[[int, int], None]

MACQUEEN_FIELDS = ("short", "definition", "when_to_use", "when_not_to_use", "example")


@dataclass
class MemoNote:
    text: str
    author: str | None = None
    date: dt.date | None = None


@dataclass
class CodeEntry:
    """A code as an export shows it: heading, definition, colour and codebook entry."""

    id: str
    name: str
    path: str
    depth: int
    color: str = "#808080"
    codable: bool = True
    short: str = ""
    definition: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    example: str = ""
    scale: tuple[int, int] | None = None
    scale_labels: dict[str, str] = field(default_factory=dict)
    english: dict[str, str] = field(default_factory=dict)
    memos: list[MemoNote] = field(default_factory=list)

    def text(self, name: str, lang: str) -> str:
        """A MacQueen field, in English when asked for and the codebook has an English gloss."""
        if lang == "en" and self.english.get(name):
            return self.english[name]
        value: str = getattr(self, name)
        return value

    def untranslated(self, name: str, lang: str) -> bool:
        """An English export shows this field in Danish: the codebook has no English gloss for it."""
        return lang == "en" and bool(getattr(self, name)) and not self.english.get(name)

    def gloss(self, lang: str) -> str | None:
        """The English name beside the code's own, when exporting in English."""
        english = self.english.get("name")
        return english if lang == "en" and english and english != self.name else None

    def rating_label(self, rating: int | None) -> str | None:
        return None if rating is None else self.scale_labels.get(str(rating))


@dataclass
class ExportSet:
    """Coded excerpts with everything needed to place and read them."""

    project_name: str
    excerpts: list[Excerpt]
    codes: list[CodeEntry]  # tree order: every code with excerpts, and the codes above them
    filters: Filters = field(default_factory=Filters)
    exported_by: str = ""
    exported_at: dt.datetime = field(default_factory=clock.now)
    context: str | int | None = None
    pseudonymized: bool = False
    with_memos: bool = False
    document_memos: dict[str, list[MemoNote]] = field(default_factory=dict)
    coding_memos: dict[str, list[MemoNote]] = field(default_factory=dict)
    selection: str | None = None  # the export holds exactly these listed passages (said on the title page)
    project_memos: list[MemoNote] = field(default_factory=list)
    case_memos: list[tuple[str, str, list[MemoNote]]] = field(default_factory=list)  # (type, name, memos)
    fieldwork_start: dt.date | None = None  # where phase 1 begins (phases are half-years from it)
    document_titles: dict[str, str] = field(default_factory=dict)
    document_cases: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    document_attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    case_attributes: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    #: which project and which export a Word report comes from (its anchors carry them; anchors.py)
    project_id: str = ""
    export_id: str = ""

    def codes_by_id(self) -> dict[str, CodeEntry]:
        return {c.id: c for c in self.codes}


@dataclass
class AnnotatedDocument:
    """A document's full text with its codings (spans over this text)."""

    id: str
    title: str
    kind: str
    date: str | None
    municipality: str | None
    activity: str | None
    text: str
    codings: list[Excerpt]


@dataclass
class AnnotatedSet:
    project_name: str
    documents: list[AnnotatedDocument]
    codes: list[CodeEntry]
    filters: Filters = field(default_factory=Filters)
    exported_by: str = ""
    exported_at: dt.datetime = field(default_factory=clock.now)
    pseudonymized: bool = False

    @property
    def codings(self) -> int:
        return sum(len(d.codings) for d in self.documents)


def _code_entries(session: Session, tree: CodeTree, used: set[uuid.UUID], pseudonymize: Pseudonymizer,
                  ) -> list[CodeEntry]:
    """The used codes and their ancestors, in tree order."""
    wanted = set(used)
    for code_id in used:
        wanted.update(tree.ancestors(code_id))
    rows = {c.id: c for c in session.scalars(select(Code).where(Code.id.in_(list(wanted))))}
    out = []
    for node in tree.walk():
        row = rows.get(node.id)
        if row is None:
            continue
        english = {k: pseudonymize(str(v)) for k, v in ((row.glosses or {}).get("en") or {}).items() if v}
        scale = (row.scale_min, row.scale_max) if row.scale_min is not None and row.scale_max is not None else None
        out.append(CodeEntry(
            id=str(row.id), name=pseudonymize(row.name), path=pseudonymize(tree.path(row.id)), depth=tree.depth(row.id),
            color=row.color,
            codable=row.codable, short=pseudonymize(row.short), definition=pseudonymize(row.definition),
            when_to_use=pseudonymize(row.when_to_use), when_not_to_use=pseudonymize(row.when_not_to_use),
            example=pseudonymize(row.example), scale=scale,
            scale_labels={str(k): pseudonymize(str(v)) for k, v in (row.scale_labels or {}).items()},
            english=english))
    return out


def _memos(session: Session, column: Any, ids: set[uuid.UUID], pseudonymize: Pseudonymizer,
           ) -> dict[str, list[MemoNote]]:
    if not ids:
        return {}
    coders = dict(session.execute(select(Coder.id, Coder.name)).all())
    out: dict[str, list[MemoNote]] = {}
    query = select(Memo).where(column.in_(list(ids))).order_by(Memo.created_at)
    for memo in session.scalars(query):
        key = str(getattr(memo, column.key))
        out.setdefault(key, []).append(MemoNote(
            pseudonymize(memo.text), coders.get(memo.created_by) if memo.created_by else None,
            memo.created_at.date() if memo.created_at else None))
    return out


def _project_and_case_memos(session: Session, doc_ids: set[uuid.UUID], pseudonymize: Pseudonymizer,
                            ) -> tuple[list[MemoNote], list[tuple[str, str, list[MemoNote]]]]:
    """The project's own memos, and the memos on the cases (municipalities first) of the exported documents."""
    coders = dict(session.execute(select(Coder.id, Coder.name)).all())

    def note(memo: Memo) -> MemoNote:
        return MemoNote(pseudonymize(memo.text), coders.get(memo.created_by) if memo.created_by else None,
                        memo.created_at.date() if memo.created_at else None)

    untargeted = select(Memo).where(Memo.document_id.is_(None), Memo.case_id.is_(None), Memo.code_id.is_(None),
                                    Memo.coding_id.is_(None)).order_by(Memo.created_at)
    project = [note(m) for m in session.scalars(untargeted)]
    case_ids = set(session.scalars(select(DocumentCase.case_id).where(DocumentCase.document_id.in_(list(doc_ids)))))
    if not case_ids:
        return project, []
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(list(case_ids))))}
    by_case: dict[uuid.UUID, list[MemoNote]] = {}
    for memo in session.scalars(select(Memo).where(Memo.case_id.in_(list(case_ids))).order_by(Memo.created_at)):
        if memo.case_id is not None:
            by_case.setdefault(memo.case_id, []).append(note(memo))
    named = [(cases[i].type, pseudonymize(cases[i].name), memos) for i, memos in by_case.items()]
    named.sort(key=lambda item: (item[0] != MUNICIPALITY, item[0], item[1].casefold()))
    return project, named


def _pseudonymize_excerpt(excerpt: Excerpt, pseudonymize: Pseudonymizer) -> None:
    """Replace names in an excerpt's material; the excerpt and its context are replaced as one text."""
    whole = excerpt.context_before + excerpt.text + excerpt.context_after
    replaced, where = pseudonymize.with_offsets(whole)
    start, end = where(len(excerpt.context_before)), where(len(excerpt.context_before) + len(excerpt.text))
    excerpt.context_before, excerpt.text, excerpt.context_after = replaced[:start], replaced[start:end], \
        replaced[end:]
    excerpt.document_title = pseudonymize(excerpt.document_title)
    excerpt.code_path = pseudonymize(excerpt.code_path)
    excerpt.overlapping = [pseudonymize(path) for path in excerpt.overlapping]
    excerpt.municipality = pseudonymize.optional(excerpt.municipality)
    excerpt.speaker = pseudonymize.optional(excerpt.speaker)
    excerpt.memo = pseudonymize.optional(excerpt.memo)


def project_name(session: Session) -> str:
    return session.scalar(select(ProjectSettings.name)) or "fieldnotes"


def gather(session: Session, filters: Filters, *, pseudonymize: Pseudonymizer | None = None,
           context: str | int | None = None, memos: bool = False, attributes: bool = False,
           exported_by: str = "") -> ExportSet:
    """The excerpts the filters select, with codes, memos and (for tables) cases and attributes."""
    pseudonymize = pseudonymize or Pseudonymizer()
    tree = CodeTree.load(session)
    found = excerpts(session, filters, context=context, tree=tree)
    if pseudonymize.active:
        for excerpt in found:
            _pseudonymize_excerpt(excerpt, pseudonymize)
    used = {uuid.UUID(code) for code in {e.code for e in found}}  # a UUID per distinct code, not per excerpt
    codes = _code_entries(session, tree, used, pseudonymize)
    data = ExportSet(project_name=pseudonymize(project_name(session)), excerpts=found, codes=codes, filters=filters,
                     exported_by=exported_by, context=context, pseudonymized=pseudonymize.active,
                     with_memos=memos, fieldwork_start=session.scalar(select(ProjectSettings.start_date)))
    doc_ids = {uuid.UUID(doc) for doc in {e.document for e in found}}
    if memos:
        by_code = _memos(session, Memo.code_id, {uuid.UUID(c.id) for c in codes}, pseudonymize)
        for entry in codes:
            entry.memos = by_code.get(entry.id, [])
        data.document_memos = _memos(session, Memo.document_id, doc_ids, pseudonymize)
        data.coding_memos = _memos(session, Memo.coding_id, {uuid.UUID(e.id) for e in found}, pseudonymize)
        titles = session.execute(select(Document.id, Document.title).where(Document.id.in_(list(doc_ids))))
        data.document_titles = {str(i): pseudonymize(t) for i, t in titles}
        data.project_memos, data.case_memos = _project_and_case_memos(session, doc_ids, pseudonymize)
    if attributes:
        cases = cases_by_document(session)
        data.document_cases = {str(d): [(t, pseudonymize(n)) for t, n in cases.get(d, [])] for d in doc_ids}
        doc_attributes = attributes_of(session, "document")
        data.document_attributes = {
            str(d): {k: _pseudonymize_value(v, pseudonymize) for k, v in doc_attributes.get(d, {}).items()}
            for d in doc_ids}
        case_attributes = attributes_of(session, "case")
        names = {c.id: (c.type, pseudonymize(c.name)) for c in session.execute(select(Case.id, Case.type, Case.name))}
        data.case_attributes = {
            names[case_id]: {k: _pseudonymize_value(v, pseudonymize) for k, v in values.items()}
            for case_id, values in case_attributes.items() if case_id in names}
    return data


def _pseudonymize_value(value: Any, pseudonymize: Pseudonymizer) -> Any:
    return pseudonymize(value) if isinstance(value, str) else value


def gather_documents(session: Session, names: list[str], filters: Filters, *,
                     pseudonymize: Pseudonymizer | None = None, exported_by: str = "") -> AnnotatedSet:
    """The chosen documents in full, with the codings the coding filters (code, coder, rating) allow."""
    pseudonymize = pseudonymize or Pseudonymizer()
    tree = CodeTree.load(session)
    chosen: list[Document] = []
    for name in names:
        doc = resolve_document(session, name)
        if doc.id not in {d.id for d in chosen}:
            chosen.append(doc)
    coding_filters = Filters(codes=filters.codes, descendants=filters.descendants, coders=filters.coders,
                             rating=filters.rating, documents=[str(d.id) for d in chosen])
    by_document: dict[str, list[Excerpt]] = {}
    for excerpt in excerpts(session, coding_filters, tree=tree):
        by_document.setdefault(excerpt.document, []).append(excerpt)
    municipalities = municipalities_by_document(session, [d.id for d in chosen])
    documents = []
    for doc in chosen:
        codings = sorted(by_document.get(str(doc.id), []), key=lambda e: (e.start, -e.end))
        text, where = pseudonymize.with_offsets(doc.text)
        for coding in codings:
            coding.start, coding.end = where(coding.start), where(coding.end)
            coding.text = text[coding.start : coding.end]
            coding.memo = pseudonymize.optional(coding.memo)
            coding.code_path = pseudonymize(coding.code_path)
            coding.overlapping = [pseudonymize(path) for path in coding.overlapping]
            coding.speaker = pseudonymize.optional(coding.speaker)
        documents.append(AnnotatedDocument(
            id=str(doc.id), title=pseudonymize(doc.title), kind=doc.kind,
            date=doc.date.isoformat() if doc.date else None,
            municipality=pseudonymize.optional(", ".join(municipalities.get(doc.id, [])) or None),
            activity=doc.activity, text=text, codings=codings))
    used = {uuid.UUID(c.code) for d in documents for c in d.codings}
    return AnnotatedSet(project_name=pseudonymize(project_name(session)), documents=documents,
                        codes=_code_entries(session, tree, used, pseudonymize), filters=filters,
                        exported_by=exported_by, pseudonymized=pseudonymize.active)
