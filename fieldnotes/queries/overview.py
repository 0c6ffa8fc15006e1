"""Read models for the terminal app: what a screen shows, in one call each.

They live here, not in the app, so that screens only collect input and show results, and so that
the same data can be tested without a terminal.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldnotes.codebook.tree import CodeTree
from fieldnotes.db.models import Code, Coder, Coding, Document, Memo, SpeakerTurn
from fieldnotes.documents.store import municipalities_by_document
from fieldnotes.project.opening import Project
from fieldnotes.text import line_starts
from fieldnotes.translations import _


@dataclass
class HomeData:
    name: str
    location: str
    start: str | None
    counts: dict[str, int]
    coders: list[tuple[str, int]]
    recent_documents: list[dict[str, Any]]
    recent_codings: list[dict[str, Any]]
    municipalities: list[tuple[str, int]]


def home_of(project: Project) -> HomeData:
    """What Home shows, read in a transaction of its own."""
    with project.read() as session:
        return home(project, session)


def home(project: Project, session: Session) -> HomeData:
    settings = project.settings(session)

    def count(model: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)

    # counted on coder_id, which its index holds: counting ids read every coding (half a second at the target
    # tier); a coder without codings still counts 0 through the outer join
    coders = session.execute(
        select(Coder.name, func.count(Coding.coder_id)).outerjoin(Coding, Coding.coder_id == Coder.id)
        .group_by(Coder.name).order_by(func.count(Coding.coder_id).desc(), Coder.name)
    ).all()
    recent_docs = recent_documents(session, settings.id)
    tree = CodeTree.load(session)
    titles = dict(session.execute(select(Document.id, Document.title)).all())
    names = dict(session.execute(select(Coder.id, Coder.name)).all())
    recent = session.execute(
        select(Coding.id, Coding.document_id, Coding.code_id, Coding.coder_id, Coding.text, Coding.created_at)
        .order_by(Coding.created_at.desc(), Coding.id).limit(8)
    ).all()
    by_doc = municipalities_by_document(session)
    per_municipality: dict[str, int] = {}
    for names_list in by_doc.values():
        for municipality in names_list:
            per_municipality[municipality] = per_municipality.get(municipality, 0) + 1
    return HomeData(
        name=settings.name,
        location=project.display,
        start=settings.start_date.isoformat() if settings.start_date else None,
        counts={"documents": count(Document), "codes": count(Code), "codings": count(Coding), "memos": count(Memo)},
        coders=[(name, int(n)) for name, n in coders],
        recent_documents=[{"id": r.id, "title": r.title, "kind": r.kind, "date": r.date.isoformat() if r.date else ""}
                          for r in recent_docs],
        recent_codings=[{"id": r.id, "document_id": r.document_id, "document": titles.get(r.document_id, "?"),
                         "code": tree.path(r.code_id), "coder": names.get(r.coder_id, "?"),
                         "text": " ".join(r.text.split())[:80]} for r in recent],
        municipalities=sorted(per_municipality.items()),
    )


def recent_documents(session: Session, project_key: uuid.UUID, limit: int = 8) -> list[Any]:
    """The documents you opened (here, documents.opened) or anyone coded most lately, newest first; after
    them, when fewer were, the newest imported. A coding counts when it is made or last changed."""
    from fieldnotes.documents.opened import opened

    docs = session.execute(select(Document.id, Document.title, Document.kind, Document.date,
                                  Document.updated_at)).all()
    touched = dict(opened(project_key))
    # the latest update of each document's codings: the index on (document_id, updated_at) answers it
    # without reading the codings themselves (a second at the stress tier's 250,000 codings without it)
    for document_id, when in session.execute(
            select(Coding.document_id, func.max(Coding.updated_at)).group_by(Coding.document_id)):
        if when is not None and (document_id not in touched or when > touched[document_id]):
            touched[document_id] = when
    floor = dt.datetime.min.replace(tzinfo=dt.UTC)

    def order(row: Any) -> tuple[bool, dt.datetime, dt.datetime]:
        return (row.id in touched, touched.get(row.id, floor), row.updated_at or floor)

    by_title = sorted(docs, key=lambda row: row.title)
    return sorted(by_title, key=order, reverse=True)[:limit]  # stable: equal times stay by title


@dataclass
class CodingMark:
    id: uuid.UUID
    code_id: uuid.UUID
    code_path: str
    color: str
    coder: str
    start: int
    end: int
    memo: str | None
    rating: int | None
    needs_review: bool
    scale: tuple[int, int] | None
    shortcut: str | None = None

    @property
    def code_name(self) -> str:
        return self.code_path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Place:
    """Where a coding lies, as a reader cites it: paragraphs (lines, from 1) and the speaker of its turn."""

    paragraph: int
    last_paragraph: int
    speaker: str | None
    role: str | None


@dataclass
class TurnMark:
    speaker: str
    start: int
    end: int
    timestamp: float | None


@dataclass
class DocumentView:
    id: uuid.UUID
    title: str
    kind: str
    date: str | None
    municipality: str | None
    activity: str | None
    text: str
    turns: list[TurnMark]
    codings: list[CodingMark]
    speakers: dict[str, Any] = field(default_factory=dict)
    memos: list[str] = field(default_factory=list)

    @functools.cached_property
    def _line_starts(self) -> list[int]:
        return line_starts(self.text)

    @functools.cached_property
    def _turn_starts(self) -> list[int]:
        return [t.start for t in self.turns]

    def place(self, start: int, end: int) -> Place:
        """The paragraphs a span covers and the speaker of the turn it begins in (as excerpts cite them),
        found by bisection: the reader's side panel and codings list ask this for many codings."""
        starts = self._line_starts
        first = bisect.bisect_right(starts, start)
        last = max(first, bisect.bisect_right(starts, max(start, end - 1)))
        speaker = role = None
        index = bisect.bisect_right(self._turn_starts, start) - 1
        if index >= 0 and self.turns[index].end >= start:
            speaker = self.turns[index].speaker
            person = self.speakers.get(speaker)
            if isinstance(person, dict):
                role = person.get("role")
                speaker = person.get("name") or speaker
        return Place(first, last, speaker, role)


def document_view(session: Session, document_id: uuid.UUID, *, coders: list[str] | None = None) -> DocumentView:
    """Everything the reader shows for one document. `coders` limits whose codings are shown."""
    doc = session.get(Document, document_id)
    if doc is None:
        from fieldnotes.errors import NotFound

        raise NotFound(_("the document no longer exists"))
    from fieldnotes.db.image_queries import stored

    tree = CodeTree.load(session)
    names = dict(session.execute(select(Coder.id, Coder.name)).all())
    # codes and coders repeat from coding to coding: on SQLite their stored text is turned into a UUID
    # once each, not once per coding (a long transcript has a thousand codings; this is most of its read)
    raw = session.get_bind().dialect.name == "sqlite"
    ids: dict[Any, uuid.UUID] = {}

    def as_id(value: Any) -> uuid.UUID:
        found = ids.get(value)
        if found is None:
            found = ids[value] = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
        return found

    query = select(Coding.id, stored(Coding.code_id, raw), stored(Coding.coder_id, raw), Coding.start, Coding.end,
                   Coding.memo, Coding.rating, Coding.needs_review).where(
        Coding.document_id == document_id).order_by(Coding.start, Coding.end)
    marks = []
    for coding_id, stored_code, stored_coder, start, end, memo, rating, needs_review in session.execute(query):
        code_id, coder_id = as_id(stored_code), as_id(stored_coder)
        node = tree.nodes.get(code_id)
        coder = names.get(coder_id, "?")
        if coders is not None and coder not in coders:
            continue
        scale = None
        if node is not None and node.scale_min is not None and node.scale_max is not None:
            scale = (node.scale_min, node.scale_max)
        color = node.color if node else "#808080"
        marks.append(CodingMark(coding_id, code_id, tree.path(code_id), color, coder, start, end, memo, rating,
                                needs_review, scale, node.shortcut if node else None))
    # columns, not SpeakerTurn objects: a long transcript has hundreds of turns, and loading each as an object
    # (with its created and updated moments) was a third of opening it
    turns = [TurnMark(*row) for row in session.execute(
        select(SpeakerTurn.speaker, SpeakerTurn.start, SpeakerTurn.end, SpeakerTurn.timestamp)
        .where(SpeakerTurn.document_id == document_id).order_by(SpeakerTurn.start))]
    municipality = ", ".join(municipalities_by_document(session, [document_id]).get(document_id, [])) or None
    memos = [m.text for m in session.scalars(select(Memo).where(Memo.document_id == document_id))]
    return DocumentView(doc.id, doc.title, doc.kind, doc.date.isoformat() if doc.date else None, municipality,
                        doc.activity, doc.text, turns, marks, dict(doc.speakers or {}), memos)


@dataclass
class CodeChoice:
    id: uuid.UUID
    path: str
    name: str
    color: str
    shortcut: str | None
    short: str
    definition: str
    when_to_use: str
    when_not_to_use: str
    scale: tuple[int, int] | None
    scale_labels: dict[str, str]
    codable: bool


def code_choices(session: Session, *, include_retired: bool = False) -> list[CodeChoice]:
    """The codes a coder can pick, in tree order, with what the picker shows beside them."""
    tree = CodeTree.load(session)
    codes = {c.id: c for c in session.scalars(select(Code))}
    out = []
    for node in tree.walk():
        code = codes[node.id]
        if code.retired and not include_retired:
            continue
        scale = (code.scale_min, code.scale_max) if code.scale_min is not None and code.scale_max is not None else None
        out.append(CodeChoice(code.id, tree.path(code.id), code.name, code.color, code.shortcut, code.short,
                              code.definition, code.when_to_use, code.when_not_to_use, scale,
                              dict(code.scale_labels or {}), code.codable))
    return out


def recent_codes(session: Session, coder_id: uuid.UUID, limit: int = 9) -> list[uuid.UUID]:
    """The codes this coder applied most recently, newest first, without repeats."""
    rows = session.execute(
        select(Coding.code_id, func.max(Coding.created_at).label("last"))
        .where(Coding.coder_id == coder_id).group_by(Coding.code_id).order_by(func.max(Coding.created_at).desc())
        .limit(limit)
    ).all()
    return [row.code_id for row in rows]


def documents_table(session: Session) -> list[dict[str, Any]]:
    """The documents screen's rows: `docs --json` rows plus the coders who coded each document."""
    from fieldnotes.documents.store import listing

    rows = listing(session)
    names = dict(session.execute(select(Coder.id, Coder.name)).all())
    coders: dict[str, set[str]] = {}
    for doc_id, coder_id in session.execute(select(Coding.document_id, Coding.coder_id).distinct()):
        coders.setdefault(str(doc_id), set()).add(names.get(coder_id, ""))
    for row in rows:
        row["coders"] = sorted(coders.get(row["id"], set()))
    return rows


@dataclass
class CodeEntry:
    id: uuid.UUID
    parent_id: uuid.UUID | None
    name: str
    path: str
    color: str
    shortcut: str | None
    codable: bool
    retired: bool
    codings: int
    theme_codings: int
    texts: dict[str, str]
    scale: tuple[int, int] | None
    scale_labels: dict[str, str]
    memos: list[str]
    english: dict[str, str] = field(default_factory=dict)  # the codebook's `en:` glosses, where it has them

    def text(self, key: str, lang: str) -> tuple[str, bool]:
        """A MacQueen field in `lang`, and whether it is shown untranslated (English asked, only Danish there)."""
        danish = self.texts.get(key) or ""
        if lang != "en":
            return danish, False
        english = self.english.get(key) or ""
        return (english, False) if english else (danish, bool(danish))


def codebook_entries(session: Session) -> list[CodeEntry]:
    """Every code in tree order with counts and its full MacQueen entry, for the codebook screen."""
    from fieldnotes.codebook.sync import coding_counts
    from fieldnotes.codebook.yamlfile import TEXT_FIELDS

    tree = CodeTree.load(session)
    counts = coding_counts(session)
    codes = {c.id: c for c in session.scalars(select(Code))}
    memos: dict[uuid.UUID, list[str]] = {}
    for memo in session.scalars(select(Memo).where(Memo.code_id.is_not(None))):
        if memo.code_id is not None:
            memos.setdefault(memo.code_id, []).append(memo.text)
    out = []
    for node in tree.walk():
        code = codes[node.id]
        scale = (code.scale_min, code.scale_max) if code.scale_min is not None and code.scale_max is not None else None
        out.append(CodeEntry(code.id, code.parent_id, code.name, tree.path(code.id), code.color, code.shortcut,
                             code.codable, code.retired, counts.get(code.id, 0),
                             sum(counts.get(c, 0) for c in tree.descendants(code.id)),
                             {key: getattr(code, key) for key in TEXT_FIELDS}, scale, dict(code.scale_labels or {}),
                             memos.get(code.id, []),
                             {k: str(v) for k, v in ((code.glosses or {}).get("en") or {}).items() if v}))
    return out


def filter_choices(session: Session) -> dict[str, list[str]]:
    """The values the filter menus offer: municipalities, phases, kinds, coders, activities."""
    from fieldnotes.db.models import MUNICIPALITY, Case, ProjectSettings
    from fieldnotes.project.opening import phase_of

    start = session.scalar(select(ProjectSettings.start_date))
    dates = session.scalars(select(Document.date).distinct()).all()
    phases = sorted({p for p in (phase_of(d, start) for d in dates) if p is not None})
    return {
        "municipality": sorted(session.scalars(select(Case.name).where(Case.type == MUNICIPALITY))),
        "phase": [str(p) for p in phases],
        "kind": sorted({k for k in session.scalars(select(Document.kind).distinct())}),
        "coder": sorted(session.scalars(select(Coder.name))),
        "activity": sorted({a for a in session.scalars(select(Document.activity).distinct()) if a}),
    }
