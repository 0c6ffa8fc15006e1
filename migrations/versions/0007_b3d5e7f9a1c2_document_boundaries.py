"""document boundaries: each document's sentences and paragraphs, worked out once (a cache)

`fieldnotes.coding.boundaries` keeps, per document, where its lines and sentences begin and end, so that
excerpts with sentence or paragraph context need no scan of the text. A row counts only while its sha256,
transcript flag and version match the document. The upgrade fills the table for every document (about
two seconds per ten million characters); a missing row is never wrong, only slower.

Revision ID: b3d5e7f9a1c2
Revises: c7e1a2b94d30
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b3d5e7f9a1c2'
down_revision: str | None = 'c7e1a2b94d30'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'document_boundaries',
        sa.Column('document_id', sa.Uuid(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('transcript', sa.Boolean(), nullable=False),
        sa.Column('length', sa.Integer(), nullable=False),
        sa.Column('lines', sa.LargeBinary(), nullable=False),
        sa.Column('sentences', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('document_id', name=op.f('pk_document_boundaries')),
    )
    _fill()


def _fill() -> None:
    """Compute every document's boundaries, a batch at a time (the text of a large project is not held)."""
    from fieldnotes.coding.boundaries import compute, stored_row

    bind = op.get_bind()
    documents = sa.table('documents', sa.column('id', sa.Uuid()), sa.column('sha256', sa.String()),
                         sa.column('text', sa.Text()))
    turns = sa.table('speaker_turns', sa.column('document_id', sa.Uuid()))
    target = sa.table('document_boundaries', sa.column('document_id', sa.Uuid()), sa.column('sha256', sa.String()),
                      sa.column('version', sa.Integer()), sa.column('transcript', sa.Boolean()),
                      sa.column('length', sa.Integer()), sa.column('lines', sa.LargeBinary()),
                      sa.column('sentences', sa.LargeBinary()))
    transcripts = set(bind.execute(sa.select(turns.c.document_id).distinct()).scalars())
    ids = list(bind.execute(sa.select(documents.c.id).order_by(documents.c.id)).scalars())
    for index in range(0, len(ids), 200):
        chunk = ids[index : index + 200]
        rows = [stored_row(doc_id, sha, doc_id in transcripts, compute(text, transcript=doc_id in transcripts))
                for doc_id, sha, text in bind.execute(
                    sa.select(documents.c.id, documents.c.sha256, documents.c.text).where(documents.c.id.in_(chunk)))]
        if rows:
            bind.execute(sa.insert(target), rows)


def downgrade() -> None:
    op.drop_table('document_boundaries')
