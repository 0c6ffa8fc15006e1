"""Alembic environment for fieldnotes.

Migrations run only through fieldnotes (`fieldnotes.db.migrate`), which hands over an open
connection inside a transaction; there is no alembic.ini to find at run time.
"""

from alembic import context

from fieldnotes.db.migrate import include_object
from fieldnotes.db.models import Base
from fieldnotes.db.types import UTCDateTime



def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write fieldnotes' own column types as plain SQLAlchemy types, so revisions never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through fieldnotes: `fieldnotes db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
    include_object=include_object,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
