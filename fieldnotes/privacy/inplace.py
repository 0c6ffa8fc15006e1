"""Putting the register into the project in one step, as `fieldnotes pseudonyms apply` does: the dry
run (`pending`), then the replacement through the coding engine's edit path, the redaction of the
originals from the event log, a rebuilt search index and cleared freed pages (`apply_and_redact`).

The app and the command line both call these (the command line with its own prompts and notes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fieldnotes.privacy.apply import Applied, Occurrence
from fieldnotes.privacy.redact import Afterwards, Redaction
from fieldnotes.project.opening import Project
from fieldnotes.translations import said


def pending(project: Project) -> list[Occurrence]:
    """Every place an original would be replaced (coders' names, which are never replaced, left out)."""
    from fieldnotes.privacy import apply, register

    with project.read() as session:
        return [o for o in apply.find(session, register.replacer(session)) if o.table != "coders"]


@dataclass
class InPlace:
    applied: Applied
    redaction: Redaction
    notices: list[str] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)  # fieldnotes' own backups that held originals
    deleted: list[Path] = field(default_factory=list)  # those of them deleted on request

    @property
    def afterwards(self) -> Afterwards:
        return Afterwards(self.notices, self.backups, self.deleted)


def replace_and_redact(project: Project, coder: str) -> tuple[Applied, Redaction]:
    """Replace every original in the project and redact the history, in one transaction; undo stops here."""
    from fieldnotes.db import history
    from fieldnotes.privacy import apply, redact, register
    from fieldnotes.project.actions import ensure_recorded_coder

    with project.write() as session:
        redact.secure_delete(session)
        rep = register.replacer(session)
        cid = ensure_recorded_coder(session, coder)
        todo = len([o for o in apply.find(session, rep) if o.table != "coders"])
        with history.change(session, coder_id=cid, action="pseudonyms.apply",
                            summary=said("put pseudonyms into the project ({todo} replacements)", todo=todo)):
            applied = apply.apply_in_place(session, rep, coder_id=cid)
        redaction = redact.redact_history(session, rep)
        history.record_action(session, coder_id=cid, action="redaction",
                              summary=said("redacted the history ({events} row images)", events=redaction.events),
                              details=redaction.as_dict())
        redact.rebuild_search_index(session)
    return applied, redaction


def apply_and_redact(project: Project, coder: str, *, delete_backups: bool = False) -> InPlace:
    """`replace_and_redact`, then clear the freed pages and find the backups that still hold originals
    (deleted when `delete_backups`)."""
    from fieldnotes.privacy import redact

    applied, redaction = replace_and_redact(project, coder)
    after = redact.tidy_up(project, delete_backups=delete_backups)
    return InPlace(applied, redaction, after.notices, after.backups, after.deleted)
