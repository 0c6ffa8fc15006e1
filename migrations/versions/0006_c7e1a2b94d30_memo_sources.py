"""memo sources: memos that came back from comments on a Word report

`memo import` turns the comments written on an exported report into memos. Each such memo records the
report's file name (`source`), its export id (`source_export`), the anchor the comment was on
(`source_anchor`), the memo it replies to (`reply_to`, the first of its thread; not a foreign key, as
undo, redo and merge write rows table by table) and when the comment was written (`written_at`).
Every column is nullable: existing memos are unchanged.

Revision ID: c7e1a2b94d30
Revises: 69f14e29b28e
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'c7e1a2b94d30'
down_revision: str | None = '69f14e29b28e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('memos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('source_export', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('source_anchor', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('reply_to', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('written_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_memos_source'), ['source'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('memos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memos_source'))
        batch_op.drop_column('written_at')
        batch_op.drop_column('reply_to')
        batch_op.drop_column('source_anchor')
        batch_op.drop_column('source_export')
        batch_op.drop_column('source')
