"""exports replace names by default

Privacy by default (docs/privacy.md): a project whose pseudonym register has entries never exports a
name unless someone says so. New projects start with `pseudonymize_exports` on (the model's default);
this revision turns it on for existing ones:
- a project whose register has entries: on, and a change is written to the audit trail (action
  `exports.default`, details `notice: pending`); the app or the command line that opens the project
  next says so once and marks the notice shown (fieldnotes.export.pseudonyms.take_notices);
- a project without entries: on too, unless someone set it before (a `set pseudonymize_exports`
  change); nothing can be replaced there yet, so nothing is said.
The downgrade turns the setting back off where this revision turned it on and removes its change.

Revision ID: 5ad6b14b1023
Revises: 7362aef2bde7
Create Date: 2026-12-01
"""

import datetime as dt
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5ad6b14b1023'
down_revision: str | None = '7362aef2bde7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTION = "exports.default"
SUMMARY = ("names in exports are replaced by default from now on: this version of fieldnotes turned "
           "pseudonymize_exports on{why} (`fieldnotes project set pseudonymize_exports no` turns it off)")

project = sa.table("project", sa.column("pseudonymize_exports", sa.Boolean()))
pseudonyms = sa.table("pseudonyms", sa.column("id", sa.Uuid()))
changes = sa.table(
    "changes", sa.column("seq", sa.Integer()), sa.column("id", sa.Uuid()), sa.column("at", sa.DateTime(timezone=True)),
    sa.column("coder_id", sa.Uuid()), sa.column("kind", sa.String(10)), sa.column("action", sa.String(60)),
    sa.column("summary", sa.Text()), sa.column("target_id", sa.Uuid()), sa.column("details", sa.JSON()))


def upgrade() -> None:
    bind = op.get_bind()
    current = bind.execute(sa.select(project.c.pseudonymize_exports)).first()
    if current is None or current[0]:
        return
    entries = int(bind.execute(sa.select(sa.func.count()).select_from(pseudonyms)).scalar() or 0)
    if not entries:
        chosen = bind.execute(sa.select(sa.func.count()).select_from(changes)
                              .where(changes.c.summary == "set pseudonymize_exports")).scalar()
        if chosen:
            return  # someone chose before; nothing to replace yet, so the choice stands
    bind.execute(project.update().values(pseudonymize_exports=True))
    now = dt.datetime.now(dt.UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # fieldnotes keeps naive UTC in SQLite (fieldnotes.db.types)
    why = f", because the project's pseudonym register has {entries} entries" if entries else ""
    details = {"pseudonymize_exports": True, "by": "upgrade", "register_entries": entries,
               "notice": "pending" if entries else "none"}
    bind.execute(changes.insert().values(id=uuid.uuid4(), at=now, coder_id=None, kind="do", action=ACTION,
                                         summary=SUMMARY.format(why=why), target_id=None, details=details))


def downgrade() -> None:
    bind = op.get_bind()
    ours = [seq for seq, details in bind.execute(sa.select(changes.c.seq, changes.c.details)
                                                 .where(changes.c.action == ACTION)).all()
            if (details or {}).get("by") == "upgrade"]
    if ours:
        bind.execute(project.update().values(pseudonymize_exports=False))
        bind.execute(changes.delete().where(changes.c.seq.in_(ours)))
