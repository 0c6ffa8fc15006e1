"""Undo and redo, per coder, on the event log.

A coder's history is replayed from their changes: a new action clears their redo stack, an undo
moves a change from the done stack to the redo stack, a redo moves it back. Undo restores every
row's before-image exactly; redo restores the after-images. Undo is refused when another coder has
since changed one of the same rows (on a shared server that would silently destroy their work), and
when the change's images were redacted for privacy.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.db import history
from fieldnotes.db.models import Change, Coder, Event
from fieldnotes.errors import FieldnotesError, Refused

NOT_UNDOABLE = {"init", "export", "redaction", "pseudonyms.export", "bundle", "settle.both"}


@dataclass
class Stacks:
    done: list[Change]
    redo: list[Change]


def stacks(session: Session, coder_id: uuid.UUID) -> Stacks:
    changes = session.scalars(select(Change).where(Change.coder_id == coder_id).order_by(Change.seq)).all()
    by_id = {c.id: c for c in changes}
    done: list[Change] = []
    redo: list[Change] = []
    for change in changes:
        if change.kind == "do":
            if change.action in NOT_UNDOABLE:
                continue
            done.append(change)
            redo.clear()
        elif change.kind == "undo" and change.target_id in by_id:
            target = by_id[change.target_id]
            if target in done:
                done.remove(target)
            redo.append(target)
        elif change.kind == "redo" and change.target_id in by_id:
            target = by_id[change.target_id]
            if target in redo:
                redo.remove(target)
            done.append(target)
    return Stacks(done, redo)


def _events(session: Session, change: Change) -> list[Event]:
    """The rows a change touched. Coders are never un-created: later changes by them refer to them."""
    query = select(Event).where(Event.change_id == change.id, Event.table != "coders").order_by(Event.seq)
    return list(session.scalars(query))


def _check_conflicts(session: Session, change: Change, events: list[Event], coder_id: uuid.UUID, verb: str) -> None:
    if any(e.redacted for e in events):
        raise Refused(f"cannot {verb} {change.summary or change.action!r}: its history was redacted for privacy")
    rows = {e.row_id for e in events}
    last_seq = session.scalar(
        select(Change.seq).where(Change.target_id == change.id).order_by(Change.seq.desc()).limit(1)
    ) or change.seq
    later = session.execute(
        select(Event.row_id, Change.coder_id, Change.summary, Change.action)
        .join(Change, Change.id == Event.change_id)
        .where(Event.seq > 0, Change.seq > last_seq, Event.row_id.in_(list(rows)))
    ).all()
    for _row_id, other_coder, summary, action in later:
        if other_coder != coder_id:
            name = session.get(Coder, other_coder).name if other_coder else "someone"  # type: ignore[union-attr]
            raise Refused(f"cannot {verb} {change.summary or change.action!r}: {name} has since changed the same "
                          f"material ({summary or action})", hint="ask them, or change it back by hand")


def undo(session: Session, coder_id: uuid.UUID) -> Change:
    """Undo the coder's most recent change that is not undone yet. Returns that change."""
    state = stacks(session, coder_id)
    if not state.done:
        raise FieldnotesError("nothing to undo")
    target = state.done[-1]
    events = _events(session, target)
    _check_conflicts(session, target, events, coder_id, "undo")
    with history.change(session, coder_id=coder_id, action="undo", kind="undo", target_id=target.id,
                        summary=f"undid: {target.summary or target.action}") as pending:
        history.apply_images(session, pending, [(e.table, e.row_id, e.before) for e in reversed(events)])
    return target


def redo(session: Session, coder_id: uuid.UUID) -> Change:
    state = stacks(session, coder_id)
    if not state.redo:
        raise FieldnotesError("nothing to redo")
    target = state.redo[-1]
    events = _events(session, target)
    _check_conflicts(session, target, events, coder_id, "redo")
    with history.change(session, coder_id=coder_id, action="redo", kind="redo", target_id=target.id,
                        summary=f"redid: {target.summary or target.action}") as pending:
        history.apply_images(session, pending, [(e.table, e.row_id, e.after) for e in events])
    return target
