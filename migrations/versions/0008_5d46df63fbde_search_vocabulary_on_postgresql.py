"""search vocabulary on PostgreSQL: how many documents hold each word, kept by the server

Fuzzy search and similar passages need the project's vocabulary (each word and the number of documents
holding it). SQLite's FTS5 index has it as a table (`search_index_vocab`); on PostgreSQL it was made by
reading every document's text into Python, 17 s at the target tier on every command-line search. Here
the server keeps it in `search_index_vocabulary`, counted by statement-level triggers on documents (one
aggregated write per statement, so an import or a merge of thousands of documents costs one pass; the
rows are written in word order, so two writers never wait on each other in a cycle). Words are what
`fieldnotes.search.tokens.TOKEN` finds in the lower-cased text: runs of letters and digits.

PostgreSQL only; nothing changes on SQLite. The name starts with "search_index", so the schema
comparison (fieldnotes.db.migrate.include_object) and backups leave it alone. On a server whose
database has the C locale (where [[:alnum:]] and lower() know only ASCII) the table is kept but not
read: search reads the texts as before (fieldnotes.search.index).

Revision ID: 5d46df63fbde
Revises: b3d5e7f9a1c2
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = '5d46df63fbde'
down_revision: str | None = 'b3d5e7f9a1c2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "search_index_vocabulary"

#: the distinct words of a text, as fieldnotes.search.tokens.TOKEN finds them in its lower-cased form
WORDS = f"""
CREATE FUNCTION {TABLE}_words(body text) RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT DISTINCT m[1] FROM regexp_matches(lower(body), '([[:alnum:]]+)', 'g') AS m $$
"""

#: +1 for each word of each new text, -1 for each word of each old one; zero counts stay (never read)
COUNT = f"""
CREATE FUNCTION {TABLE}_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {TABLE} (term, documents)
        SELECT w, count(*) FROM new_rows, LATERAL {TABLE}_words(new_rows.text) AS w GROUP BY w ORDER BY w
        ON CONFLICT (term) DO UPDATE SET documents = {TABLE}.documents + excluded.documents;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO {TABLE} (term, documents)
        SELECT w, -count(*) FROM old_rows, LATERAL {TABLE}_words(old_rows.text) AS w GROUP BY w ORDER BY w
        ON CONFLICT (term) DO UPDATE SET documents = {TABLE}.documents + excluded.documents;
    ELSE
        INSERT INTO {TABLE} (term, documents)
        SELECT w, sum(delta) FROM (
            SELECT w, 1 AS delta FROM new_rows JOIN old_rows USING (id), LATERAL {TABLE}_words(new_rows.text) AS w
            WHERE new_rows.text IS DISTINCT FROM old_rows.text
            UNION ALL
            SELECT w, -1 FROM old_rows JOIN new_rows USING (id), LATERAL {TABLE}_words(old_rows.text) AS w
            WHERE new_rows.text IS DISTINCT FROM old_rows.text
        ) AS changed GROUP BY w HAVING sum(delta) <> 0 ORDER BY w
        ON CONFLICT (term) DO UPDATE SET documents = {TABLE}.documents + excluded.documents;
    END IF;
    RETURN NULL;
END $$
"""

UP = [
    f"CREATE TABLE {TABLE} (term text PRIMARY KEY, documents integer NOT NULL)",
    WORDS,
    COUNT,
    f"CREATE TRIGGER {TABLE}_after_insert AFTER INSERT ON documents REFERENCING NEW TABLE AS new_rows "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_count()",
    f"CREATE TRIGGER {TABLE}_after_update AFTER UPDATE ON documents REFERENCING OLD TABLE AS old_rows "
    f"NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_count()",
    f"CREATE TRIGGER {TABLE}_after_delete AFTER DELETE ON documents REFERENCING OLD TABLE AS old_rows "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_count()",
    f"INSERT INTO {TABLE} (term, documents) SELECT w, count(*) FROM documents, LATERAL {TABLE}_words(documents.text) "
    f"AS w GROUP BY w",
]
DOWN = [
    f"DROP TRIGGER IF EXISTS {TABLE}_after_delete ON documents",
    f"DROP TRIGGER IF EXISTS {TABLE}_after_update ON documents",
    f"DROP TRIGGER IF EXISTS {TABLE}_after_insert ON documents",
    f"DROP FUNCTION IF EXISTS {TABLE}_count()",
    f"DROP FUNCTION IF EXISTS {TABLE}_words(text)",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in UP:
            op.get_bind().exec_driver_sql(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DOWN:
            op.get_bind().exec_driver_sql(statement)
