"""Creating a project: `fieldnotes init` (and the demo build, which starts the same way)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fieldnotes.codebook import sync, yamlfile
from fieldnotes.db import coders, history, validation
from fieldnotes.db.models import ProjectSettings
from fieldnotes.errors import FieldnotesError
from fieldnotes.project.opening import Project, create_empty, discard
from fieldnotes.resources import default_codebook
from fieldnotes.translations import _, said

LANGUAGES = ("da", "en")


def create_project(
    target: str,
    *,
    name: str | None = None,
    start: dt.date | None = None,
    codebook: Path | None = None,
    empty: bool = False,
    coder: str | None = None,
    language: str = "da",
    is_demo: bool = False,
    encrypt: bool = False,
) -> Project:
    """Create a project at the schema's head, with settings and (unless `empty`) a codebook.

    `coder` is the person's name; without one the project is signed with the account's name (full name,
    else login), and the app asks for the person's name when it first opens the project
    (coders.needs_name).

    The codebook is read and checked before anything is created, so a bad file leaves nothing
    behind; any later failure removes the half-made project.
    """
    if "://" not in target and Path(target).expanduser().exists():
        raise FieldnotesError(
            _("{target} already exists").format(target=target), hint=_("choose another file name, or move the existing "
                                                                       "file away")
        )
    book = None if empty else yamlfile.read(codebook or default_codebook())
    coder_name = coders.normalise_name(coder or coders.suggested_name())
    name = validation.project_name(name or (book.name if book and book.name else None) or _default_name(target))
    project = create_empty(target, encrypt=encrypt)
    try:
        with project.write() as session:
            coder_id = coders.coder_id(coder_name)
            with history.change(session, coder_id=coder_id, action="init", summary=said("created the project"),
                                details={"coder_named": bool(coder)}):
                coders.ensure_coder(session, coder_name)
                session.add(
                    ProjectSettings(
                        name=name,
                        start_date=start,
                        language=language,
                        default_coder_id=coder_id,
                        is_demo=is_demo,
                        created_by=coder_id,
                    )
                )
                if book is not None:
                    sync.apply(session, book, coder_id=coder_id)
    except BaseException:
        discard(project)
        raise
    return project


def _default_name(target: str) -> str:
    if "://" in target:
        return target.rsplit("/", 1)[-1] or "fieldnotes project"
    return Path(target).stem or "fieldnotes project"
