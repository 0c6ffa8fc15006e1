"""codings (document_id, updated_at) index: Home finds each document's latest coding from the index

`queries.overview.recent_documents` asks for each document's latest coding (Home lists the documents opened
or coded most lately). Without this index SQLite read every coding for it, a second at the target tier;
with it the answer is read from the index alone.

Revision ID: d4e6f8a0b2c3
Revises: 5d46df63fbde
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'd4e6f8a0b2c3'
down_revision: str | None = '5d46df63fbde'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f('ix_codings_document_id_updated_at'), 'codings', ['document_id', 'updated_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_codings_document_id_updated_at'), table_name='codings')
