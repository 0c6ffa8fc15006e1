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

from fieldnotes import clock
from fieldnotes.db import validation
from fieldnotes.db.models import Coder, ProjectSettings
from fieldnotes.errors import InvalidInput
from fieldnotes.translations import _

NAMESPACE = uuid.UUID("5b0f7a52-3c1e-5f0e-8f43-6d2f1c9b7a10")
ENV_CODER = "FIELDNOTES_CODER"


def normalise_name(name: str) -> str:
    """A coder's name checked by the rules for names (fieldnotes.db.validation)."""
    cleaned = validation.name(name, _("the coder's name"), limit=validation.CODER_NAME)
    if not cleaned:
        raise InvalidInput(_("a coder's name cannot be empty"))
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


#: the event log's action when the project's default coder is set: by the app's first-run question, a
#: switch on Home, or `project set default_coder`
DEFAULT_ACTION = "coder.default"


def login_name() -> str:
    try:
        return getpass.getuser() or "coder"
    except Exception:
        return "coder"


def suggested_name() -> str:
    """A person's name to offer when asking who codes: the account's full name when the system knows one
    (the GECOS field), else the login name."""
    login = login_name()
    try:
        import pwd

        full = pwd.getpwuid(os.getuid()).pw_gecos.split(",")[0].strip()
    except (ImportError, KeyError, OSError, AttributeError):
        full = ""
    if full and full.casefold() != login.casefold():
        try:
            return normalise_name(full)
        except InvalidInput:
            pass
    return login


def set_default(session: Session, name: str) -> Coder:
    """Make NAME the project's default coder (created on first use), as one change of the event log."""
    from fieldnotes.db import history
    from fieldnotes.translations import said

    cleaned = normalise_name(name)
    with history.change(session, coder_id=coder_id(cleaned), action=DEFAULT_ACTION,
                        summary=said("coding as {name}", name=cleaned)):
        coder = ensure_coder(session, cleaned)
        settings = session.scalars(select(ProjectSettings)).one()
        settings.default_coder_id = coder.id
        # the same name kept (the app's question answered with its suggestion) is still recorded: it
        # means somebody said who codes, so the question is not asked again (needs_name)
        settings.updated_at = clock.now()
    return coder


def needs_name(session: Session) -> bool:
    """True when nobody has said who codes in this project: its default coder is unset or only the login
    name it was created under, and no one named it since (at `init`, in the app, or `project set`)."""
    from fieldnotes.db.models import Change

    settings = session.scalars(select(ProjectSettings)).first()
    if settings is None:
        return False
    coder = session.get(Coder, settings.default_coder_id) if settings.default_coder_id else None
    if coder is not None and coder.name.casefold() != login_name().casefold():
        return False
    if session.scalar(select(Change.id).where(Change.action == DEFAULT_ACTION).limit(1)) is not None:
        return False
    init = session.scalars(select(Change).where(Change.action == "init").limit(1)).first()
    return not (init is not None and (init.details or {}).get("coder_named"))


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
