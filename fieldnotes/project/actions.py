"""One user action = one short write transaction holding one recorded change.

The command line and the app both open their writes through `acting`, so every action is stamped
with its coder, lands in the event log as one undoable step, and creates the coder on first use.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from fieldnotes.db import coders, history
from fieldnotes.db.models import Coder
from fieldnotes.project.opening import Project
from fieldnotes.translations import Said, said


@contextmanager
def acting(project: Project, coder: str, action: str, summary: str | Said = "",
           details: dict[str, Any] | None = None) -> Iterator[tuple[Session, uuid.UUID]]:
    cid = coders.coder_id(coder)
    with project.write() as session:
        with history.change(session, coder_id=cid, action=action, summary=summary, details=details):
            coders.ensure_coder(session, coder)
            yield session, cid


def ensure_recorded_coder(session: Session, name: str) -> uuid.UUID:
    """The coder's id, the coder created in a change of their own when new to the project: for actions
    (like settling a disagreement) that record their own change instead of going through `acting`."""
    cid = coders.coder_id(name)
    if session.get(Coder, cid) is None:
        with history.change(session, coder_id=cid, action="coder.add", summary=said("added coder {name}", name=name)):
            coders.ensure_coder(session, name)
    return cid


def describe_change(session: Session, summary: Said, details: dict[str, Any]) -> None:
    """Set the summary and details of the change being recorded, once they are known (the audit trail
    names the document and the old and new values; never any of the document's text)."""
    with history.change(session, coder_id=None, action="") as pending:  # nested: joins the open change
        pending.summary = summary
        pending.details = details
