"""coders keep a REFI-QDA user guid

`coders.refi_guid`: the GUID another tool gave a user in a REFI-QDA file, kept beside the coder's own
id (a UUID5 of the name) so that an export gives the other tool back the user it knows.

Revision ID: 69f14e29b28e
Revises: 5ad6b14b1023
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '69f14e29b28e'
down_revision: str | None = '5ad6b14b1023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('coders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refi_guid', sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('coders', schema=None) as batch_op:
        batch_op.drop_column('refi_guid')

