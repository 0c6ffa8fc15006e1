"""Undo and redo, per coder, on the event log.

A coder's history is replayed from their changes: a new action clears their redo stack, an undo
moves a change from the done stack to the redo stack, a redo moves it back. Undo restores every
row's before-image exactly; redo restores the after-images. Undo is refused when another coder's
later change to one of the same rows is still in effect (on a shared server that would silently
destroy their work; a change they have since undone no longer counts), and when the change's images
were redacted for privacy.

A baseline change (the demo records one when it is built) is where undo starts: no coder's undo steps
back across it, so the first `undo` in a fresh demo has nothing to undo rather than taking the
demo apart.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldnotes.db import history
from fieldnotes.db.image_queries import Image, fetch_images
from fieldnotes.db.models import Change, Coder, Event
from fieldnotes.errors import FieldnotesError, Refused
from fieldnotes.translations import _, said

#: the action of a change that undo never steps back across (it changes no rows)
BASELINE = "baseline"
NOT_UNDOABLE = {"init", "export", "redaction", "pseudonyms.export", "bundle", "settle.both", BASELINE}


@dataclass
class Stacks:
    done: list[Change]
    redo: list[Change]


def stacks(session: Session, coder_id: uuid.UUID) -> Stacks:
    floor = session.scalar(select(func.max(Change.seq)).where(Change.action == BASELINE)) or 0
    changes = session.scalars(select(Change).where(Change.coder_id == coder_id, Change.seq > floor)
                              .order_by(Change.seq)).all()
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


def _told(target: Change) -> object:
    """What the undone (or redone) change said, kept structured so it reads in any language later."""
    return history.said_of(target.summary, target.details) or target.action


def _events(session: Session, change: Change) -> list[Event]:
    """The rows a change touched. Coders are never un-created: later changes by them refer to them."""
    query = select(Event).where(Event.change_id == change.id, Event.table != "coders").order_by(Event.seq)
    return list(session.scalars(query))


def _check_conflicts(session: Session, change: Change, events: list[Event], coder_id: uuid.UUID, verb: str) -> None:
    """Refuse when another coder's change to the same rows is still in effect.

    A row is only in conflict when it no longer holds the image this change left it with (its after-image
    once done or redone, its before-image once undone). Later changes that were since undone (and not
    redone) put the row back, so they do not count; neither do the coder's own later changes.
    """
    if any(e.redacted for e in events):
        raise Refused(_("cannot {verb} {value!r}: its history was redacted for privacy")
                      .format(verb=verb, value=change.summary or change.action))
    left: dict[tuple[str, uuid.UUID], Image | None] = {}
    for e in events:
        key = (e.table, e.row_id)
        if verb == "undo":
            left[key] = e.after  # the last image wins
        elif key not in left:
            left[key] = e.before  # the first image is what undo restored
    by_table: dict[str, list[uuid.UUID]] = {}
    for table_name, row_id in left:
        by_table.setdefault(table_name, []).append(row_id)
    conn = session.connection()
    moved: set[uuid.UUID] = set()
    for table_name, row_ids in by_table.items():
        current = fetch_images(conn, table_name, row_ids)
        moved.update(row_id for row_id in row_ids if current.get(str(row_id)) != left[(table_name, row_id)])
    if not moved:
        return
    last_seq = session.scalar(
        select(Change.seq).where(Change.target_id == change.id).order_by(Change.seq.desc()).limit(1)
    ) or change.seq
    later = session.execute(
        select(Change.coder_id, Change.summary, Change.action)
        .select_from(Event)
        .join(Change, Change.id == Event.change_id)
        .where(Event.seq > 0, Change.seq > last_seq, Event.row_id.in_(list(moved)),
               Change.coder_id.is_distinct_from(coder_id))
        .order_by(Change.seq.desc())
        .limit(1)
    ).first()
    if later is not None:
        other_coder, summary, action = later
        name = session.get(Coder, other_coder).name if other_coder else "someone"  # type: ignore[union-attr]
        raise Refused(_("cannot {verb} {value!r}: {name} has since changed the same material ({their_change})")
                      .format(verb=verb, value=change.summary or change.action, name=name,
                              their_change=summary or action),
                          hint=_("ask them, or change it back by hand"))


def undo(session: Session, coder_id: uuid.UUID) -> Change:
    """Undo the coder's most recent change that is not undone yet. Returns that change."""
    state = stacks(session, coder_id)
    if not state.done:
        raise FieldnotesError(_("nothing to undo"))
    target = state.done[-1]
    events = _events(session, target)
    _check_conflicts(session, target, events, coder_id, "undo")
    with history.change(session, coder_id=coder_id, action="undo", kind="undo", target_id=target.id,
                        summary=said("undid: {change}", change=_told(target))) as pending:
        history.apply_images(session, pending, [(e.table, e.row_id, e.before) for e in reversed(events)])
    return target


def redo(session: Session, coder_id: uuid.UUID) -> Change:
    state = stacks(session, coder_id)
    if not state.redo:
        raise FieldnotesError(_("nothing to redo"))
    target = state.redo[-1]
    events = _events(session, target)
    _check_conflicts(session, target, events, coder_id, "redo")
    with history.change(session, coder_id=coder_id, action="redo", kind="redo", target_id=target.id,
                        summary=said("redid: {change}", change=_told(target))) as pending:
        history.apply_images(session, pending, [(e.table, e.row_id, e.after) for e in events])
    return target
