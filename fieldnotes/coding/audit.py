"""The audit trail: who changed what, and when, read from the event log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldnotes.db.models import Change, Coder, Event

#: what `fieldnotes log --exports` lists: exports, bundles, key exports, and changes to the default about names
EXPORT_ACTIONS = ("export", "bundle", "pseudonyms.export", "exports.default")


def entries(session: Session, *, coders: list[str] | None = None, since: dt.date | None = None,
            exports_only: bool = False, limit: int | None = None) -> list[dict[str, Any]]:
    from fieldnotes.db.coders import coder_id

    names = dict(session.execute(select(Coder.id, Coder.name)).all())
    counts = dict(session.execute(select(Event.change_id, func.count()).group_by(Event.change_id)).all())
    # newest first by when it happened (imported and merged work, and the demo, carry their own times),
    # then by the order it was written, so changes of the same moment stay in their order
    query = select(Change).order_by(Change.at.desc(), Change.seq.desc())
    if coders:
        query = query.where(Change.coder_id.in_([coder_id(name) for name in coders]))
    if since:
        query = query.where(Change.at >= dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC))
    if exports_only:
        query = query.where(Change.action.in_(EXPORT_ACTIONS))
    if limit:
        query = query.limit(limit)
    return [
        {"id": str(c.id), "seq": c.seq, "at": c.at.isoformat(), "coder": names.get(c.coder_id) if c.coder_id else None,
         "kind": c.kind, "action": c.action, "summary": c.summary, "rows": counts.get(c.id, 0),
         "details": c.details}
        for c in session.scalars(query)
    ]
