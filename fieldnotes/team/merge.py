"""Merging another copy's work into this project: on stable ids, without loss, the same in either order.

The other copy is a bundle or a whole project file (fieldnotes.team.sources). Rows are matched by id.
Rows that the two copies created independently are matched by what makes them the same: documents
by their text (SHA-256), cases by type and name, attributes by scope and name, case links and
attribute values by what they link, codings by document, code, coder and span. Such a row of theirs
joins the row this project already has (its codings, turns and memos follow), because a row that
replaced another one with the same unique name could not be taken back by undo.

For each row that both copies have, or that one deleted:

- the same in both: nothing to do;
- one version grew out of the other (the other copy's event log has seen it): the newer one wins,
  silently;
- both changed it, or one deleted what the other changed: a conflict. The later change wins (the
  row's `updated_at`, or when it was deleted; ties by coder id, then content), so merging A into B and
  B into A give the same rows; every conflict is recorded in merge_conflicts with both versions, to
  be reviewed with `fieldnotes conflicts` and settled differently if need be.

Codings follow their document's text: a coding made on another version of the text is moved as an
edit would move it (and flagged for review where an edit touched it). Nothing is lost: a row still
used by a surviving row is kept even if the other copy deleted it (a deleted code used on the other
side), together with the rows deleted with it that depend on it (the code's codings and their memos),
and a coding whose text the other copy deleted entirely is listed as a conflict with its text.

A merge is one change in the event log (action "merge"), undone by `fieldnotes undo` of the coder who
merged. Merging the same file again finds nothing to do. The project is backed up first (a server
project into a SQLite copy in the backup folder).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.orm import Session

from fieldnotes.db import coders
from fieldnotes.errors import FieldnotesError
from fieldnotes.project.opening import Project
from fieldnotes.team.merge_plan import ChangedMeanwhile, Conflict, MergeReport, Planner
from fieldnotes.team.merge_write import apply_writes, check_unchanged, record_merge
from fieldnotes.team.sources import Source, open_source
from fieldnotes.translations import _

#: what callers use; the planning is in merge_plan, the writing in merge_write
__all__ = ["ATTEMPTS", "ChangedMeanwhile", "Conflict", "MergeReport", "merge"]

#: merges into one server database queue on this lock (SQLite's write lock does the same for files)
ADVISORY_LOCK = 0x6669656C646E6F74
#: how often a merge starts over when others changed what it was about to write
ATTEMPTS = 5


def _snapshot(session: Session) -> None:
    """On a server, read everything from one snapshot: a coder writing meanwhile must not make the
    merge see their codings without their coder (SQLite's write lock gives the same guarantee)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _conflicting(error: sa_exc.DBAPIError) -> bool:
    """Someone else wrote the same rows (serialization failure, deadlock, or the same row inserted by a
    coder meanwhile, such as their coder record): trying again on a fresh snapshot helps."""
    return getattr(getattr(error, "orig", None), "sqlstate", None) in ("40001", "40P01", "23505")


@contextmanager
def _one_merge_at_a_time(project: Project) -> Iterator[None]:
    """Merges into one server database queue here, before their snapshot is taken (a lock taken inside
    the merge's own transaction would leave it planning on what it saw before the wait)."""
    if project.is_sqlite:  # SQLite's write lock already does this
        yield
        return
    with project.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK})
            conn.commit()


def merge(project: Project, path: Path | str, *, coder_name: str, dry_run: bool = False) -> MergeReport:
    """Merge a bundle or a whole project file into `project` as one undoable change.

    On a shared server the merge reads one snapshot and writes only rows nobody changed since; when
    someone did, it starts over (up to ATTEMPTS times) and never overwrites their change.
    """
    source = open_source(path, ours=project.path)
    if dry_run:
        with project.read() as session:
            _snapshot(session)
            plan = Planner(session, source).plan()
        plan.report.dry_run = True
        return plan.report
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with _one_merge_at_a_time(project):
                return _merge_once(project, source, coder_name)
        except ChangedMeanwhile:
            if attempt == ATTEMPTS:
                raise FieldnotesError(_("others kept changing the project while the merge was being worked out; "
                                      "nothing was merged"), hint=_("run the merge again")) from None
        except sa_exc.DBAPIError as error:
            if not _conflicting(error) or attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _merge_once(project: Project, source: Source, coder_name: str) -> MergeReport:
    from fieldnotes.team.server_move import move_onto_empty_server

    if (moved := move_onto_empty_server(project, source, coder_name)) is not None:  # COPY, no backup
        return moved
    coder_id = coders.coder_id(coder_name)
    with project.write() as session:
        _snapshot(session)
        plan = Planner(session, source).plan()
        report = plan.report
        if report.nothing:
            return report
        check_unchanged(session, plan)
        if project.is_sqlite and project.path is not None:
            from fieldnotes.project.backup import backup_sqlite

            report.backup = backup_sqlite(project.path, reason="before-merge").name
        elif not project.is_sqlite:  # a server: a SQLite copy of it as it is, before anything is written
            from fieldnotes.project.backup import backup_server

            report.backup = backup_server(project.target, reason="before-merge").name
        record_merge(session, plan, source, coder_id, coder_name, apply_writes)
    return report

