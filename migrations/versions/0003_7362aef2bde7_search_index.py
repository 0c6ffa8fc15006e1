"""search index over document text

On SQLite: an external-content FTS5 table `search_index` over documents.text (the document's rowid
is the index's rowid), kept in step by triggers on documents, so every path that changes text
(import, edit, undo/redo through Core statements, merge, delete) updates it; plus an fts5vocab
table `search_index_vocab` listing the indexed words (fuzzy search and similar passages read it), and a
covering index `search_index_documents_meta` on the documents' metadata (see SQLITE_UP).
The tokenizer keeps Danish letters distinct: "på" is not "pa", "ø" is not "o".

On PostgreSQL: a GIN index on to_tsvector('simple', text), which PostgreSQL keeps in step itself.

Names start with "search_index", so the schema comparison (fieldnotes.db.migrate.include_object)
leaves them alone. A later revision that rebuilds the documents table in batch mode drops these
triggers with the old table: it must create them again and run the 'rebuild' command below.

Revision ID: 7362aef2bde7
Revises: 7bbb24f0434b
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = '7362aef2bde7'
down_revision: str | None = '7bbb24f0434b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_index USING fts5(text, content='documents', content_rowid='rowid', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_index_after_insert AFTER INSERT ON documents BEGIN "
    "INSERT INTO search_index(rowid, text) VALUES (new.rowid, new.text); END",
    "CREATE TRIGGER search_index_after_delete AFTER DELETE ON documents BEGIN "
    "INSERT INTO search_index(search_index, rowid, text) VALUES ('delete', old.rowid, old.text); END",
    "CREATE TRIGGER search_index_after_update AFTER UPDATE OF text ON documents BEGIN "
    "INSERT INTO search_index(search_index, rowid, text) VALUES ('delete', old.rowid, old.text); "
    "INSERT INTO search_index(rowid, text) VALUES (new.rowid, new.text); END",
    "INSERT INTO search_index(search_index) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE search_index_vocab USING fts5vocab(search_index, 'row')",
    # SQLite stores documents.id and .length after the long text, so reading them walks the text's
    # overflow pages; this covering index lets a search read every document's metadata at once
    "CREATE INDEX search_index_documents_meta ON documents (id, title, kind, date, activity, length)",
]
SQLITE_DOWN = [
    "DROP INDEX IF EXISTS search_index_documents_meta",
    "DROP TABLE IF EXISTS search_index_vocab",
    "DROP TRIGGER IF EXISTS search_index_after_update",
    "DROP TRIGGER IF EXISTS search_index_after_delete",
    "DROP TRIGGER IF EXISTS search_index_after_insert",
    "DROP TABLE IF EXISTS search_index",
]
PG_INDEX = "search_index_documents_text"


def _has_fts5() -> bool:
    return bool(op.get_bind().exec_driver_sql("SELECT sqlite_compileoption_used('ENABLE_FTS5')").scalar())


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        if not _has_fts5():  # pragma: no cover - every supported SQLite build has FTS5; search then scans
            return
        for statement in SQLITE_UP:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(f"CREATE INDEX {PG_INDEX} ON documents USING gin (to_tsvector('simple', text))")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
