"""Where two coders differ, and settling it: the headless API behind `fieldnotes disagreements` and the
app's screen.

A disagreement is a run of characters where one coder has a code and the other has not (each
coder's codings of the code merged, as agreement counts them), in a document both coders have
coded. Settling it:

- accept the version of the coder who has the code: the other coder gets the code on the run (a
  coding of theirs that ends or starts at the run is extended, else a new coding is made);
- accept the version of the coder who has not: the run is taken out of the first coder's codings
  (trimmed, split in two, or removed with their memos; undo brings them back);
- accept both: nothing changes, the choice is recorded so the run is not listed again.

Each choice that changes codings is one undoable step in the event log (action "settle"), by the
coder who settles; keeping both is recorded in the audit trail (action "settle.both").
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.codebook.tree import CodeTree
from fieldnotes.coding import applying
from fieldnotes.db import history
from fieldnotes.db.models import Change, Coder, Coding, Document
from fieldnotes.errors import InvalidInput, Refused
from fieldnotes.team.agreement import compared_documents, difference, merge_intervals, resolve_coders
from fieldnotes.translations import _, said

if TYPE_CHECKING:
    from fieldnotes.project.opening import Project

CHOICES = ("a", "b", "both")
NAMESPACE = uuid.UUID("0e9a4b1c-7d2f-5e3a-8c61-5f4b2d9e1a70")
SETTLE = "settle"
#: keeping both versions changes no rows: it is a mark in the audit trail, not a step to undo
SETTLE_BOTH = "settle.both"


@dataclass(frozen=True)
class Disagreement:
    """One run [start, end) of a document where `holder` ("a" or "b") has the code and the other has not."""

    id: str
    document: str
    document_title: str
    code: str
    code_path: str
    start: int
    end: int
    text: str
    holder: str
    coder_a: str
    coder_b: str
    coder_a_id: str
    coder_b_id: str

    @property
    def key(self) -> str:
        """What identifies the run whichever coder is named first: document, code, span, who has it."""
        has, lacks = self.ids_by_role()
        return f"{self.document}:{self.code}:{self.start}:{self.end}:{has}:{lacks}"

    def ids_by_role(self) -> tuple[uuid.UUID, uuid.UUID]:
        """(the coder who has the code, the coder who has not)."""
        a, b = uuid.UUID(self.coder_a_id), uuid.UUID(self.coder_b_id)
        return (a, b) if self.holder == "a" else (b, a)

    @property
    def holder_name(self) -> str:
        """The name of the coder who has the code."""
        return self.coder_a if self.holder == "a" else self.coder_b

    @property
    def other_name(self) -> str:
        """The name of the coder who has not."""
        return self.coder_b if self.holder == "a" else self.coder_a

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["holder_name"] = self.holder_name
        return out


def _key(document: uuid.UUID, code: uuid.UUID, start: int, end: int, has: uuid.UUID, lacks: uuid.UUID) -> str:
    return f"{document}:{code}:{start}:{end}:{has}:{lacks}"


def coders_with_codings(session: Session) -> list[str]:
    """The names of the coders who have coded something, by name: those who can disagree."""
    return sorted(session.scalars(select(Coder.name).where(Coder.id.in_(select(Coding.coder_id).distinct()))))


def accepted_both(session: Session) -> set[str]:
    """Runs already settled as "both" (kept as they are), read from the audit trail."""
    out: set[str] = set()
    for details in session.scalars(select(Change.details).where(Change.action == SETTLE_BOTH)):
        if isinstance(details, dict) and details.get("key"):
            out.add(str(details["key"]))
    return out


def list_disagreements(session: Session, coder_a: str, coder_b: str, code: str | None = None,
                       *, documents: Sequence[uuid.UUID] | None = None) -> list[Disagreement]:
    """Every run where the two coders differ, by document, code (tree order) and position.

    `code` narrows to a code and its sub-codes; only documents both coders have coded are looked at.
    """
    (a_id, a_name), (b_id, b_name) = resolve_coders(session, [coder_a, coder_b])
    tree = CodeTree.load(session)
    wanted = set(tree.descendants(tree.resolve(code).id)) if code else None
    docs = compared_documents(session, [a_id, b_id])
    if documents is not None:
        docs = [d for d in docs if d in set(documents)]
    if not docs:
        return []
    spans: dict[tuple[uuid.UUID, uuid.UUID], tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
    for chunk_start in range(0, len(docs), 500):
        chunk = docs[chunk_start : chunk_start + 500]
        query = select(Coding.document_id, Coding.code_id, Coding.coder_id, Coding.start, Coding.end).where(
            Coding.document_id.in_(chunk), Coding.coder_id.in_([a_id, b_id]))
        for doc_id, code_id, cid, start, end in session.execute(query):
            if wanted is not None and code_id not in wanted:
                continue
            pair = spans.setdefault((doc_id, code_id), ([], []))
            pair[0 if cid == a_id else 1].append((start, end))
    texts = dict(session.execute(select(Document.id, Document.text).where(
        Document.id.in_(list({doc for doc, _ in spans})))).all()) if spans else {}
    titles = dict(session.execute(select(Document.id, Document.title).where(
        Document.id.in_(list(texts)))).all()) if texts else {}
    order = {node.id: index for index, node in enumerate(tree.walk())}
    settled = accepted_both(session)
    out: list[Disagreement] = []
    for (doc_id, code_id), (a_spans, b_spans) in sorted(
            spans.items(), key=lambda item: (titles.get(item[0][0], ""), str(item[0][0]), order.get(item[0][1], 0))):
        merged_a, merged_b = merge_intervals(a_spans), merge_intervals(b_spans)
        runs = [(s, e, "a") for s, e in difference(merged_a, merged_b)]
        runs += [(s, e, "b") for s, e in difference(merged_b, merged_a)]
        for start, end, holder in sorted(runs):
            has, lacks = (a_id, b_id) if holder == "a" else (b_id, a_id)
            key = _key(doc_id, code_id, start, end, has, lacks)
            if key in settled:
                continue
            out.append(Disagreement(
                id=str(uuid.uuid5(NAMESPACE, key)), document=str(doc_id), document_title=titles.get(doc_id, ""),
                code=str(code_id), code_path=tree.path(code_id), start=start, end=end,
                text=texts[doc_id][start:end], holder=holder, coder_a=a_name, coder_b=b_name,
                coder_a_id=str(a_id), coder_b_id=str(b_id)))
    return out


def _still_there(session: Session, disagreement: Disagreement) -> None:
    current = list_disagreements(session, disagreement.coder_a, disagreement.coder_b, disagreement.code,
                                 documents=[uuid.UUID(disagreement.document)])
    if not any(d.key == disagreement.key for d in current):
        raise Refused(_("the disagreement at {start}:{end} in {document_title!r} is no longer there (settled or "
                        "changed since)").format(start=disagreement.start, end=disagreement.end,
                                                 document_title=disagreement.document_title),
                      hint=_("list the disagreements again"))


def _codings_of(session: Session, disagreement: Disagreement, coder: uuid.UUID) -> list[Coding]:
    return list(session.scalars(select(Coding).where(
        Coding.document_id == uuid.UUID(disagreement.document), Coding.code_id == uuid.UUID(disagreement.code),
        Coding.coder_id == coder).order_by(Coding.start, Coding.end)))


def _give(session: Session, disagreement: Disagreement, coder: uuid.UUID, settler: uuid.UUID) -> None:
    """The coder who lacks the code gets it on the run: extend a neighbouring coding, or add one."""
    start, end = disagreement.start, disagreement.end
    own = _codings_of(session, disagreement, coder)
    before = next((c for c in own if c.end == start), None)
    after = next((c for c in own if c.start == end), None)
    if before is not None:
        applying.update(session, before, end=end)
    elif after is not None:
        applying.update(session, after, start=start)
    else:
        document = session.get(Document, uuid.UUID(disagreement.document))
        assert document is not None
        session.add(Coding(document_id=document.id, code_id=uuid.UUID(disagreement.code), coder_id=coder,
                           start=start, end=end, text=document.text[start:end], created_by=settler))
        session.flush()


def _take(session: Session, disagreement: Disagreement, coder: uuid.UUID) -> None:
    """The run is taken out of the coder's codings of the code: trimmed, split or removed."""
    start, end = disagreement.start, disagreement.end
    document = session.get(Document, uuid.UUID(disagreement.document))
    assert document is not None
    for coding in _codings_of(session, disagreement, coder):
        if coding.end <= start or coding.start >= end:
            continue
        if coding.start >= start and coding.end <= end:
            applying.remove(session, coding)
        elif coding.start < start and coding.end > end:  # split: the tail becomes a coding of its own
            tail_end = coding.end
            exists = session.scalars(select(Coding.id).where(
                Coding.document_id == coding.document_id, Coding.code_id == coding.code_id,
                Coding.coder_id == coder, Coding.start == end, Coding.end == tail_end)).first()
            if exists is None:
                session.add(Coding(document_id=coding.document_id, code_id=coding.code_id, coder_id=coder,
                                   start=end, end=tail_end, text=document.text[end:tail_end], memo=coding.memo,
                                   rating=coding.rating, needs_review=coding.needs_review,
                                   created_by=coding.created_by))
                session.flush()
            _trim(session, coding, coding.start, start)
        elif coding.start < start:
            _trim(session, coding, coding.start, start)
        else:
            _trim(session, coding, end, coding.end)


def _trim(session: Session, coding: Coding, start: int, end: int) -> None:
    twin = session.scalars(select(Coding).where(
        Coding.document_id == coding.document_id, Coding.code_id == coding.code_id,
        Coding.coder_id == coding.coder_id, Coding.start == start, Coding.end == end, Coding.id != coding.id)).first()
    if twin is not None:  # what remains is already coded exactly so: the coding is not needed
        applying.remove(session, coding)
    else:
        applying.update(session, coding, start=start, end=end)


def settle(session: Session, disagreement: Disagreement, choice: str, coder_id: uuid.UUID) -> str:
    """Settle one disagreement as one recorded step by `coder_id`. Returns what was done, in words."""
    if choice not in CHOICES:
        raise InvalidInput(_("the choice {choice!r} is unknown").format(choice=choice), hint=_("accept a, b or both"))
    _still_there(session, disagreement)
    holder_name, other_name = disagreement.holder_name, disagreement.other_name
    has, lacks = disagreement.ids_by_role()
    where = said("{code!r} at {span} in {title!r}", code=disagreement.code_path,
                 span=f"{disagreement.start}:{disagreement.end}", title=disagreement.document_title)
    details = {"key": disagreement.key, "choice": choice, "document": disagreement.document,
               "code": disagreement.code, "start": disagreement.start, "end": disagreement.end,
               "coders": [disagreement.coder_a_id, disagreement.coder_b_id]}
    if choice == "both":
        summary = said("kept both versions of {where}", where=where)
        history.record_action(session, coder_id=coder_id, action=SETTLE_BOTH, summary=summary, details=details)
        return summary.render()
    if choice == disagreement.holder:
        summary = said("accepted {holder_name}'s {where}: added for {other_name}", holder_name=holder_name,
                       where=where, other_name=other_name)
    else:
        summary = said("accepted {other_name}'s version of {where}: removed from {holder_name}", other_name=other_name,
                       where=where, holder_name=holder_name)
    with history.change(session, coder_id=coder_id, action=SETTLE, summary=summary, details=details):
        if choice == disagreement.holder:
            _give(session, disagreement, lacks, coder_id)
        else:
            _take(session, disagreement, has)
    return summary.render()


# --- the read model of the app's screen, and settling as one call ----------------------------------


@dataclass
class PairDisagreements:
    """The disagreements of a pair of coders, with a little of the text around each run (by the
    disagreement's id), and who has coded anything now (a coder may be new)."""

    coder_a: str
    coder_b: str
    items: list[Disagreement]
    coders: list[str] = field(default_factory=list)
    before: dict[str, str] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)


def coders_in(project: Project) -> list[str]:
    """The names of the coders who have coded anything, to choose a pair from."""
    with project.read() as session:
        return coders_with_codings(session)


def pair_disagreements(project: Project, coder_a: str, coder_b: str, *, context: int = 80) -> PairDisagreements:
    """Where `coder_a` and `coder_b` differ, each run with up to `context` characters of text on either side
    (white space folded)."""
    with project.read() as session:
        items = list_disagreements(session, coder_a, coder_b)
        coders = coders_with_codings(session)
        documents = list({uuid.UUID(d.document) for d in items})
        texts = dict(session.execute(select(Document.id, Document.text).where(Document.id.in_(documents))).all()) \
            if documents else {}
    found = PairDisagreements(coder_a, coder_b, items, coders)
    for item in items:
        text = texts.get(uuid.UUID(item.document), "")
        found.before[item.id] = " ".join(text[max(0, item.start - context) : item.start].split())
        found.after[item.id] = " ".join(text[item.end : item.end + context].split())
    return found


def settle_in(project: Project, coder: str, disagreement: Disagreement, choice: str) -> str:
    """`settle`, in a transaction of its own, by `coder` (recorded as a coder first if new)."""
    from fieldnotes.project.actions import ensure_recorded_coder

    with project.write() as session:
        return settle(session, disagreement, choice, ensure_recorded_coder(session, coder))
