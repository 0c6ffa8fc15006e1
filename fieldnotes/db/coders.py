"""Coders: who did what.

A coder's id is a UUID5 of the trimmed, case-folded name, so "Anna Krogh" on two laptops is the same
coder after a merge.
"""

from __future__ import annotations

import getpass
import os
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.db import validation
from fieldnotes.db.models import Coder, ProjectSettings
from fieldnotes.errors import InvalidInput

NAMESPACE = uuid.UUID("5b0f7a52-3c1e-5f0e-8f43-6d2f1c9b7a10")
ENV_CODER = "FIELDNOTES_CODER"


def normalise_name(name: str) -> str:
    """A coder's name checked by the rules for names (fieldnotes.db.validation)."""
    cleaned = validation.name(name, "the coder's name", limit=validation.CODER_NAME)
    if not cleaned:
        raise InvalidInput("a coder's name cannot be empty")
    return cleaned


def coder_id(name: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, normalise_name(name).casefold())


def ensure_coder(session: Session, name: str) -> Coder:
    """The coder with this name, created on first use (inside the caller's change)."""
    cid = coder_id(name)
    coder = session.get(Coder, cid)
    if coder is None:
        coder = Coder(id=cid, name=normalise_name(name), created_by=cid)
        session.add(coder)
        session.flush()
    return coder


def login_name() -> str:
    try:
        return getpass.getuser() or "coder"
    except Exception:
        return "coder"


def choose_name(session: Session, explicit: str | None) -> str:
    """`--coder`, else FIELDNOTES_CODER, else the project's default coder, else the login name."""
    if explicit:
        return normalise_name(explicit)
    env = os.environ.get(ENV_CODER)
    if env:
        return normalise_name(env)
    settings = session.scalars(select(ProjectSettings)).first()
    if settings is not None and settings.default_coder_id is not None:
        coder = session.get(Coder, settings.default_coder_id)
        if coder is not None:
            return coder.name
    return normalise_name(login_name())
