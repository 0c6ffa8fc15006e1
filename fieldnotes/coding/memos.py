"""Memos on the project, a document, a case, a code or a coding, with author and time."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.codebook.tree import CodeTree
from fieldnotes.db.models import Case, Coder, Coding, Document, Memo
from fieldnotes.errors import Ambiguous, FieldnotesError, InvalidInput, NotFound
from fieldnotes.translations import N_, _

#: what a memo is on, as a reader names it
TARGET_NAMES = {"project": N_("project"), "document": N_("document"), "case": N_("case"), "code": N_("code"),
                "coding": N_("coding")}


@dataclass(frozen=True)
class Target:
    kind: str
    id: uuid.UUID | None
    label: str


def resolve_target(session: Session, text: str) -> Target:
    """`project`, `doc:TITLE`, `code:PATH`, `case:NAME`, `coding:ID`, or just a name or id (tried in turn)."""
    from fieldnotes.coding.applying import get_coding
    from fieldnotes.documents.store import resolve as resolve_document

    wanted = text.strip()
    if wanted.casefold() in ("project", "projekt"):
        return Target("project", None, _("the project"))
    prefix, _sep, rest = wanted.partition(":")
    prefix = prefix.strip().casefold()
    if rest and prefix in ("doc", "document", "code", "case", "coding"):
        rest = rest.strip()
        if prefix in ("doc", "document"):
            doc = resolve_document(session, rest)
            return Target("document", doc.id, doc.title)
        if prefix == "code":
            tree = CodeTree.load(session)
            node = tree.resolve(rest)
            return Target("code", node.id, tree.path(node.id))
        if prefix == "case":
            return _case(session, rest)
        coding = get_coding(session, rest)
        return Target("coding", coding.id, f"coding {str(coding.id)[:8]}")
    found: list[Target] = []
    attempts: tuple[Callable[[], Target], ...] = (
        lambda: Target("coding", get_coding(session, wanted).id, f"coding {wanted[:8]}"),
        lambda: _doc_target(session, wanted),
        lambda: _code_target(session, wanted),
        lambda: _case(session, wanted),
    )
    for attempt in attempts:
        try:
            found.append(attempt())
        except NotFound:
            continue
        except Ambiguous:
            raise
    if not found:
        raise NotFound(_("nothing called {wanted!r} to attach a memo to").format(wanted=wanted),
                       hint=_("use project, doc:TITLE, code:PATH, case:NAME or coding:ID"))
    if len(found) > 1:
        raise Ambiguous(_("{name!r} could mean {candidates}").format(
                            name=wanted, candidates="; ".join(f"{t.kind} {t.label}" for t in found)),
                        hint=_("prefix it: doc:, code:, case: or coding:"))
    return found[0]


def _doc_target(session: Session, text: str) -> Target:
    from fieldnotes.documents.store import resolve

    doc = resolve(session, text)
    return Target("document", doc.id, doc.title)


def _code_target(session: Session, text: str) -> Target:
    tree = CodeTree.load(session)
    node = tree.resolve(text)
    return Target("code", node.id, tree.path(node.id))


def _case(session: Session, text: str) -> Target:
    folded = text.casefold()
    matches = [c for c in session.scalars(select(Case)) if c.name.casefold() == folded]
    if not matches:
        raise NotFound(_("no case {text!r}").format(text=text))
    if len(matches) > 1:
        raise Ambiguous(_("{n} cases are called {name!r}: {types}").format(
            n=len(matches), name=text, types=", ".join(c.type for c in matches)))
    return Target("case", matches[0].id, f"{matches[0].type} {matches[0].name}")


def add(session: Session, target: Target, text: str, *, coder_id: uuid.UUID | None) -> Memo:
    body = text.strip()
    if not body:
        raise InvalidInput(_("the memo is empty"))
    memo = Memo(text=body, created_by=coder_id)
    if target.kind == "document":
        memo.document_id = target.id
    elif target.kind == "case":
        memo.case_id = target.id
    elif target.kind == "code":
        memo.code_id = target.id
    elif target.kind == "coding":
        memo.coding_id = target.id
    elif target.kind != "project":
        raise FieldnotesError(_("cannot attach a memo to a {kind}").format(kind=target.kind))
    session.add(memo)
    session.flush()
    return memo


def listing(session: Session, *, source: str | None = None) -> list[dict[str, Any]]:
    """Every memo, oldest first; with `source`, only those a report's comments brought in (`memo import`),
    in thread order."""
    tree = CodeTree.load(session)
    coders = dict(session.execute(select(Coder.id, Coder.name)).all())
    titles = dict(session.execute(select(Document.id, Document.title)).all())
    cases = {c.id: f"{c.type} {c.name}" for c in session.scalars(select(Case))}
    coding_docs = dict(session.execute(select(Coding.id, Coding.document_id)).all())
    out = []
    query = select(Memo).order_by(Memo.created_at)
    if source is not None:
        from pathlib import Path

        query = query.where(Memo.source == Path(source).name)
    for memo in session.scalars(query):
        if memo.document_id:
            kind, target, label = "document", memo.document_id, titles.get(memo.document_id)
        elif memo.case_id:
            kind, target, label = "case", memo.case_id, cases.get(memo.case_id)
        elif memo.code_id:
            kind, target, label = "code", memo.code_id, tree.path(memo.code_id)
        elif memo.coding_id:
            doc = coding_docs.get(memo.coding_id)
            kind, target, label = "coding", memo.coding_id, titles.get(doc) if doc else None
        else:
            kind, target, label = "project", None, None
        out.append({"id": str(memo.id), "target_kind": kind, "target": str(target) if target else None,
                    "target_label": label, "text": memo.text,
                    "author": coders.get(memo.created_by) if memo.created_by else None,
                    "created_at": memo.created_at.isoformat(),
                    "written_at": memo.written_at.isoformat() if memo.written_at else None,
                    "source": memo.source, "source_export": memo.source_export,
                    "reply_to": str(memo.reply_to) if memo.reply_to else None})
    if source is not None:
        out = _threaded(out)
    return out


def _threaded(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each thread's first memo, then its replies, by the date each comment was written."""
    def when(row: dict[str, Any]) -> str:
        return str(row["written_at"] or row["created_at"])

    replies: dict[str, list[dict[str, Any]]] = {}
    known = {row["id"] for row in rows}
    firsts = []
    for row in rows:
        if row["reply_to"] and row["reply_to"] in known:
            replies.setdefault(row["reply_to"], []).append(row)
        else:
            firsts.append(row)
    out = []
    for row in sorted(firsts, key=when):
        out.append(row)
        out.extend(sorted(replies.get(row["id"], []), key=when))
    return out
