"""Noticing other coders' changes on a shared server, cheaply.

Every change anyone makes appends to the event log, whose sequence number only grows. The app polls
`last_change_seq` (one indexed MAX on the primary key) and reloads what it shows when the number moved.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldnotes.db.models import Change


def last_change_seq(session: Session) -> int:
    """The newest change's sequence number (0 for an empty log); it grows with every change by anyone."""
    return int(session.scalar(select(func.max(Change.seq))) or 0)
