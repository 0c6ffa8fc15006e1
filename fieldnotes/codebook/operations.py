"""Changing the codebook: add, rename, move, recolour, merge, retire, delete.

Each runs inside the caller's `history.change(...)`, so every codebook change is in the audit
trail and can be undone. A code keeps its id through renames and moves.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldnotes import ids
from fieldnotes.codebook.tree import CodeTree
from fieldnotes.codebook.yamlfile import COLOR
from fieldnotes.db import validation
from fieldnotes.db.models import Code, Coding, Memo
from fieldnotes.errors import InvalidInput, Refused
from fieldnotes.translations import _

PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"]


def code_name(name: str) -> str:
    """A code's name checked: the rules for names (fieldnotes.db.validation), and no '/'."""
    name = validation.name(name, _("the code name"), limit=validation.CODE_NAME)
    if not name:
        raise InvalidInput(_("a code needs a name"))
    if "/" in name:
        raise InvalidInput(_("the code name {name!r} contains '/', which separates names in paths").format(name=name))
    return name


def _check_name(session: Session, name: str, parent_id: uuid.UUID | None, exclude: uuid.UUID | None = None) -> str:
    name = code_name(name)
    same_parent = Code.parent_id == parent_id if parent_id else Code.parent_id.is_(None)
    siblings = session.scalars(select(Code).where(same_parent))
    for sibling in siblings:
        if sibling.id != exclude and sibling.name.casefold() == name.casefold():
            raise Refused(_("there is already a code {name!r} here")
                          .format(name=name), hint=_("choose another name or another parent"))
    return name


def _check_color(color: str) -> str:
    if not COLOR.match(color):
        raise InvalidInput(_("the colour {color!r} is not #RRGGBB").format(color=color))
    return color.lower()


def add(session: Session, name: str, *, parent: Code | None = None, color: str | None = None,
        codable: bool = True, shortcut: str | None = None, short: str = "", scale: tuple[int, int] | None = None,
        coder_id: uuid.UUID | None, code_id: uuid.UUID | None = None) -> Code:
    parent_id = parent.id if parent else None
    name = _check_name(session, name, parent_id)
    if shortcut is not None:
        if len(shortcut) != 1 or not shortcut.isalnum():
            raise InvalidInput(_("the shortcut {shortcut!r} must be one letter or digit").format(shortcut=shortcut))
        taken = session.scalars(select(Code).where(Code.shortcut == shortcut.lower())).first()
        if taken is not None:
            raise Refused(_("the shortcut {shortcut!r} is taken by {name!r}")
                          .format(shortcut=shortcut, name=taken.name))
    if scale is not None and scale[0] >= scale[1]:
        raise InvalidInput(_("the scale {low}–{high} must go from low to high").format(low=scale[0], high=scale[1]))
    siblings = session.scalar(select(func.count()).select_from(Code).where(
        Code.parent_id == parent_id if parent_id else Code.parent_id.is_(None))) or 0
    if color is None:
        color = parent.color if parent else PALETTE[siblings % len(PALETTE)]
    code = Code(id=code_id or ids.new(), name=name, parent_id=parent_id, color=_check_color(color),
                codable=codable, shortcut=shortcut.lower() if shortcut else None, short=short, position=siblings,
                scale_min=scale[0] if scale else None, scale_max=scale[1] if scale else None, created_by=coder_id)
    session.add(code)
    session.flush()
    return code


def rename(session: Session, code: Code, new_name: str) -> Code:
    code.name = _check_name(session, new_name, code.parent_id, exclude=code.id)
    session.flush()
    return code


def move(session: Session, code: Code, new_parent: Code | None) -> Code:
    if new_parent is not None:
        tree = CodeTree.load(session)
        if new_parent.id == code.id or new_parent.id in tree.descendants(code.id):
            raise Refused(_("cannot move {name!r} under itself or one of its sub-codes").format(name=code.name))
    parent_id = new_parent.id if new_parent else None
    _check_name(session, code.name, parent_id, exclude=code.id)
    code.parent_id = parent_id
    code.position = session.scalar(select(func.count()).select_from(Code).where(
        Code.parent_id == parent_id if parent_id else Code.parent_id.is_(None), Code.id != code.id)) or 0
    session.flush()
    return code


def recolour(session: Session, code: Code, color: str) -> Code:
    code.color = _check_color(color)
    session.flush()
    return code


def retire(session: Session, code: Code, retired: bool = True) -> Code:
    code.retired = retired
    session.flush()
    return code


@dataclass
class MergeResult:
    moved: int
    duplicates: int
    children: int


def merge(session: Session, source: Code, target: Code) -> MergeResult:
    """Merge `source` into `target`: its codings move (exact duplicates are dropped), its sub-codes
    and memos move, and the source code is deleted."""
    if source.id == target.id:
        raise Refused(_("a code cannot be merged into itself"))
    tree = CodeTree.load(session)
    if target.id in tree.descendants(source.id):
        raise Refused(_("cannot merge {name!r} into its own sub-code {target!r}")
                      .format(name=source.name, target=target.name))
    if not target.codable and session.scalar(select(func.count()).select_from(Coding).where(
            Coding.code_id == source.id)):
        raise Refused(_("{name!r} is a category; codings cannot move onto it").format(name=target.name))
    existing = {
        (c.document_id, c.coder_id, c.start, c.end): c
        for c in session.scalars(select(Coding).where(Coding.code_id == target.id))
    }
    moved = duplicates = 0
    for coding in session.scalars(select(Coding).where(Coding.code_id == source.id)).all():
        key = (coding.document_id, coding.coder_id, coding.start, coding.end)
        twin = existing.get(key)
        if twin is not None:
            if coding.memo and not twin.memo:
                twin.memo = coding.memo
            if coding.rating is not None and twin.rating is None and target.scale_min is not None:
                twin.rating = coding.rating
            for memo in session.scalars(select(Memo).where(Memo.coding_id == coding.id)):
                memo.coding_id = twin.id
            session.flush()
            session.delete(coding)
            duplicates += 1
        else:
            coding.code_id = target.id
            if target.scale_min is None or target.scale_max is None:
                coding.rating = None
            elif coding.rating is not None and not target.scale_min <= coding.rating <= target.scale_max:
                coding.rating = None
                coding.needs_review = True
            existing[key] = coding
            moved += 1
    session.flush()
    children = session.scalars(select(Code).where(Code.parent_id == source.id)).all()
    for child in children:
        _check_name(session, child.name, target.id, exclude=child.id)
        child.parent_id = target.id
    for memo in session.scalars(select(Memo).where(Memo.code_id == source.id)):
        memo.code_id = target.id
    session.flush()
    session.delete(source)
    session.flush()
    return MergeResult(moved, duplicates, len(children))


@dataclass
class DeletePlan:
    codes: list[Code]
    codings: int


def delete_plan(session: Session, code: Code) -> DeletePlan:
    tree = CodeTree.load(session)
    ids = tree.descendants(code.id)
    codes = [c for c in (session.get(Code, i) for i in ids) if c is not None]
    count = session.scalar(select(func.count()).select_from(Coding).where(Coding.code_id.in_(ids))) or 0
    return DeletePlan(codes, int(count))


def delete(session: Session, code: Code) -> DeletePlan:
    """Delete a code, its sub-codes, their codings and memos (one undoable step)."""
    plan = delete_plan(session, code)
    ids = [c.id for c in plan.codes]
    coding_ids = list(session.scalars(select(Coding.id).where(Coding.code_id.in_(ids))))
    for memo in session.scalars(select(Memo).where(
            (Memo.code_id.in_(ids)) | (Memo.coding_id.in_(coding_ids)) if coding_ids else Memo.code_id.in_(ids))):
        session.delete(memo)
    session.flush()
    for coding in session.scalars(select(Coding).where(Coding.code_id.in_(ids))):
        session.delete(coding)
    session.flush()
    for node in reversed(plan.codes):  # children before parents
        session.delete(node)
        session.flush()
    return plan
