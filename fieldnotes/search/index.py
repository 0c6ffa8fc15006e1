"""The full-text index: which documents may hold a query's words, and which words the corpus holds.

SQLite: the FTS5 table `search_index` (external content over documents, kept in step by triggers on
the documents table, see migration 7362aef2bde7) and its vocabulary table `search_index_vocab`.
PostgreSQL: a GIN index on to_tsvector('simple', text); PostgreSQL keeps it in step itself. The
vocabulary is the table `search_index_vocabulary`, counted by triggers on documents (migration
5d46df63fbde); where the database's locale is C (whose character classes know only ASCII) it is not
read, and the texts are read instead.

The index only narrows the search to candidate documents; `matching` then reads their text and
decides. So a candidate query may find more than the truth, never less, and it is built to hold
that on both backends: a phrase or NEAR becomes "all these words" on PostgreSQL (its parser counts
positions differently), and NOT is only passed on where it is exact. Where PostgreSQL's parser keeps
a token whole (an e-mail address, a web address, a decimal number such as 9.15), a search for a part
of it ("fjordby" in mette@fjordby.dk) finds it only on SQLite; ordinary words behave the same.

Without a usable index (an SQLite build without FTS5, or triggers lost to a damaged schema) every
document in scope is read instead: slower, never wrong. `rebuild` restores the index.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from dataclasses import dataclass, field
from threading import Lock

from sqlalchemy import Uuid, func, select, text
from sqlalchemy.orm import Session

from fieldnotes.db.models import Document
from fieldnotes.search import tokens as tk
from fieldnotes.search.query import And, Near, Node, Not, Or, Phrase, Term

FTS_TABLE = "search_index"
VOCAB_TABLE = "search_index_vocab"
TRIGGERS = ("search_index_after_insert", "search_index_after_delete", "search_index_after_update")
PG_INDEX = "search_index_documents_text"
PG_VOCABULARY = "search_index_vocabulary"  # PostgreSQL: word -> documents holding it, kept by triggers
META_INDEX = "search_index_documents_meta"  # SQLite: a covering index on the documents' metadata
NOTHING = None  # a compiled part that can match no document


@dataclass(frozen=True)
class Compiled:
    expression: str | None  # None: matches nothing
    exact: bool  # the documents it matches are exactly those the query part is true in


# --- compiling a query for each backend ----------------------------------------------------------


def _fts_term(term: Term) -> Compiled:
    if term.mode == "exact":
        return Compiled(f'"{term.word}"', True)
    if term.mode == "prefix":
        return Compiled(f'"{term.word}"*', True)
    if term.mode == "stem":
        return Compiled(f'"{term.stem}"*', False)
    if not term.variants:
        return Compiled(NOTHING, True)
    return Compiled("(" + " OR ".join(f'"{w}"' for w, _ in term.variants) + ")", True)


def _pg_term(term: Term) -> Compiled:
    if term.mode == "exact":
        return Compiled(f"'{term.word}'", True)
    if term.mode == "prefix":
        return Compiled(f"'{term.word}':*", True)
    if term.mode == "stem":
        return Compiled(f"'{term.stem}':*", False)
    if not term.variants:
        return Compiled(NOTHING, True)
    return Compiled("(" + " | ".join(f"'{w}'" for w, _ in term.variants) + ")", True)


class _Compiler:
    """Builds a candidate expression; `negatives=False` drops NOT (used when units are excerpts)."""

    def __init__(self, dialect: str, negatives: bool) -> None:
        self.fts = dialect == "sqlite"
        self.negatives = negatives
        self.AND, self.OR, self.NOT = (" AND ", " OR ", " NOT ") if self.fts else (" & ", " | ", " & !")

    def term(self, term: Term) -> Compiled:
        return _fts_term(term) if self.fts else _pg_term(term)

    def all_of(self, parts: list[Compiled], exact: bool) -> Compiled:
        if any(p.expression is NOTHING for p in parts):
            return Compiled(NOTHING, exact and all(p.exact for p in parts))
        return Compiled("(" + self.AND.join(p.expression or "" for p in parts) + ")",
                        exact and all(p.exact for p in parts))

    def compile(self, node: Node) -> Compiled:
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Phrase):
            return self.phrase(node)
        if isinstance(node, Near):
            return self.near(node)
        if isinstance(node, And):
            return self.all_of([self.compile(c) for c in node.children], True)
        if isinstance(node, Or):
            return self.any_of(node)
        return self.but_not(node)

    def phrase(self, node: Phrase) -> Compiled:
        if self.fts and all(t.mode in ("exact", "prefix") for t in node.terms):
            return Compiled(" + ".join(self.term(t).expression or "" for t in node.terms), True)
        return self.all_of([self.term(t) for t in node.terms], False)

    def near(self, node: Near) -> Compiled:
        items = [self.compile(item) for item in node.items]
        simple = all(t.mode in ("exact", "prefix") for item in node.items
                     for t in ([item] if isinstance(item, Term) else item.terms))
        if self.fts and simple:
            return Compiled(f"NEAR({' '.join(i.expression or '' for i in items)}, {node.distance})", True)
        return self.all_of(items, False)

    def any_of(self, node: Or) -> Compiled:
        parts = [self.compile(c) for c in node.children]
        kept = [p for p in parts if p.expression is not NOTHING]
        if not kept:
            return Compiled(NOTHING, all(p.exact for p in parts))
        return Compiled("(" + self.OR.join(p.expression or "" for p in kept) + ")", all(p.exact for p in parts))

    def but_not(self, node: Not) -> Compiled:
        positive = self.compile(node.positive)
        negative = self.compile(node.negative)
        if positive.expression is NOTHING or not self.negatives or not negative.exact:
            return Compiled(positive.expression, False)
        if negative.expression is NOTHING:
            return positive
        return Compiled(f"({positive.expression}{self.NOT}{negative.expression})", positive.exact)


def compile_query(node: Node, dialect: str, *, negatives: bool = True) -> Compiled:
    """The candidate expression for a backend ("sqlite": FTS5 MATCH; "postgresql": tsquery text)."""
    return _Compiler(dialect, negatives).compile(node)


# --- the backends ---------------------------------------------------------------------------------


@dataclass
class IndexState:
    kind: str  # "fts5", "tsvector" or "scan"
    problem: str | None = None  # why the index is not used, for a notice


def state(session: Session) -> IndexState:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        found = session.execute(text("SELECT 1 FROM pg_indexes WHERE indexname = :name"), {"name": PG_INDEX}).first()
        if found is None:
            return IndexState("scan", "the search index is missing; run `fieldnotes search --reindex`")
        return IndexState("tsvector")
    if dialect != "sqlite":
        return IndexState("scan")
    names = set(session.execute(text(
        "SELECT name FROM sqlite_master WHERE name LIKE 'search_index%' AND type IN ('table', 'trigger')")).scalars())
    if FTS_TABLE not in names:
        if session.execute(text("SELECT sqlite_compileoption_used('ENABLE_FTS5')")).scalar():
            return IndexState("scan", "the search index is missing; run `fieldnotes search --reindex`")
        return IndexState("scan", None)  # this SQLite has no FTS5: reading every document is the only way
    missing = [name for name in (*TRIGGERS, VOCAB_TABLE) if name not in names]
    if missing:
        return IndexState("scan", "the search index is not kept up to date (its triggers are missing); "
                                  "run `fieldnotes search --reindex`")
    return IndexState("fts5")


def _rowid_map(session: Session) -> dict[int, uuid.UUID]:
    """documents.rowid → id, read from the primary-key index (never the rows, whose text is long)."""
    rows = session.connection().exec_driver_sql("SELECT rowid, id FROM documents").all()
    return {rowid: uuid.UUID(hex=str(doc_id)) for rowid, doc_id in rows}


def candidates(session: Session, node: Node, *, negatives: bool = True, index: IndexState | None = None,
               rowids: dict[int, uuid.UUID] | None = None) -> set[uuid.UUID] | None:
    """Documents that may hold hits for the query, or None when every document must be read.

    `rowids` (SQLite: documents.rowid → id, as a scope holds it) saves reading the mapping again.
    """
    index = index or state(session)
    if index.kind == "scan":
        return None
    compiled = compile_query(node, "sqlite" if index.kind == "fts5" else "postgresql", negatives=negatives)
    if compiled.expression is NOTHING:
        return set()
    if index.kind == "fts5":
        found = session.execute(text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q"),
                                {"q": compiled.expression}).scalars().all()
        if not found:
            return set()
        mapping = rowids if rowids is not None else _rowid_map(session)
        return {mapping[r] for r in found if r in mapping}
    query = text("SELECT id FROM documents WHERE to_tsvector('simple'::regconfig, text) @@ "
                 "to_tsquery('simple'::regconfig, :q)").columns(id=Uuid())
    return set(session.execute(query, {"q": compiled.expression}).scalars())


# --- vocabulary -----------------------------------------------------------------------------------


@dataclass
class Vocabulary:
    """The corpus's words with the number of documents holding each, for fuzzy search and similarity."""

    documents: int
    frequencies: dict[str, int] = field(default_factory=dict)

    @property
    def words(self) -> list[str]:
        return list(self.frequencies)


_cache: dict[tuple[str, str], tuple[str, Vocabulary]] = {}
_cache_lock = Lock()


def _database(session: Session) -> str:
    """Which database this is: a read-only SQLite engine's URL is a bare "sqlite://" for every file, so a
    SQLite project is told by its file's path (two projects could otherwise share a cached vocabulary)."""
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        for _seq, name, path in session.connection().exec_driver_sql("PRAGMA database_list"):
            if name == "main":
                return f"sqlite:{path}"
    return bind.engine.url.render_as_string(hide_password=True)


def _cached(session: Session, kind: str, fingerprint: str) -> Vocabulary | None:
    key = (kind, _database(session))
    with _cache_lock:
        found = _cache.get(key)
    return found[1] if found is not None and found[0] == fingerprint else None


def _remember(session: Session, kind: str, fingerprint: str, vocabulary: Vocabulary) -> Vocabulary:
    key = (kind, _database(session))
    with _cache_lock:
        _cache[key] = (fingerprint, vocabulary)
    return vocabulary


def _scanned(session: Session) -> Vocabulary:
    """Read every text once (PostgreSQL, or no index); kept per process until any text changes."""
    fingerprint = _fingerprint(session)
    cached = _cached(session, "scan", fingerprint)
    if cached is not None:
        return cached
    counts: Counter[str] = Counter()
    documents = 0
    for (body,) in session.execute(select(Document.text)).yield_per(200):
        documents += 1
        counts.update(set(tk.TOKEN.findall(body.lower())))
    return _remember(session, "scan", fingerprint, Vocabulary(documents, dict(counts)))


def _fts_vocabulary(session: Session) -> Vocabulary:
    """The FTS5 vocabulary, kept per process while the index's structure record (changed by every
    write to the index) stays the same; reading it whole takes a while on a big project."""
    conn = session.connection()
    structure = conn.exec_driver_sql(f"SELECT block FROM {FTS_TABLE}_data WHERE id = 10").scalar()
    fingerprint = hashlib.sha256(bytes(structure or b"")).hexdigest()
    cached = _cached(session, "fts5", fingerprint)
    if cached is not None:
        return cached
    total = conn.exec_driver_sql("SELECT count(*) FROM documents").scalar() or 0
    raw = conn.connection.dbapi_connection
    assert raw is not None
    rows = raw.execute(f"SELECT term, doc FROM {VOCAB_TABLE}").fetchall()
    return _remember(session, "fts5", fingerprint, Vocabulary(int(total), dict(rows)))


def _fingerprint(session: Session) -> str:
    """Changes whenever a text does (each document's id and checksum; the texts themselves are not read)."""
    digest = hashlib.sha256()
    for doc_id, sha in session.execute(select(Document.id, Document.sha256).order_by(Document.id)):
        digest.update(f"{doc_id}:{sha};".encode())
    return digest.hexdigest()


def server_vocabulary(session: Session) -> bool:
    """Whether this is a PostgreSQL project whose vocabulary table can be read (see the module's doc)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    found = session.execute(text(
        "SELECT datctype FROM pg_database WHERE datname = current_database() "
        "AND EXISTS (SELECT 1 FROM pg_tables WHERE tablename = :name)"), {"name": PG_VOCABULARY}).first()
    return found is not None and found[0] not in ("C", "POSIX")


def _server_vocabulary(session: Session) -> Vocabulary:
    fingerprint = _fingerprint(session)
    cached = _cached(session, "server", fingerprint)
    if cached is not None:
        return cached
    total = session.scalar(select(func.count()).select_from(Document)) or 0
    rows = session.execute(text(f"SELECT term, documents FROM {PG_VOCABULARY} WHERE documents > 0"))
    return _remember(session, "server", fingerprint, Vocabulary(int(total), {t: int(n) for t, n in rows}))


def vocabulary(session: Session, index: IndexState | None = None) -> Vocabulary:
    index = index or state(session)
    if index.kind == "fts5":
        return _fts_vocabulary(session)
    if index.kind == "tsvector" and server_vocabulary(session):
        return _server_vocabulary(session)
    return _scanned(session)


def document_frequencies(session: Session, words: set[str], index: IndexState | None = None) -> Vocabulary:
    """How many documents hold each of `words` (a vocabulary limited to them), and the document count."""
    index = index or state(session)
    if index.kind == "tsvector" and server_vocabulary(session):
        total = session.scalar(select(func.count()).select_from(Document)) or 0
        rows = session.execute(text(f"SELECT term, documents FROM {PG_VOCABULARY} WHERE term = ANY(:words) "
                                    "AND documents > 0"), {"words": sorted(words)})
        return Vocabulary(int(total), {t: int(n) for t, n in rows})
    if index.kind != "fts5":
        full = _scanned(session)
        return Vocabulary(full.documents, {w: full.frequencies[w] for w in words if w in full.frequencies})
    total = session.scalar(select(func.count()).select_from(Document)) or 0
    found: dict[str, int] = {}
    ordered = sorted(words)
    for first in range(0, len(ordered), 500):
        chunk = ordered[first : first + 500]
        marks = ", ".join(f":w{i}" for i in range(len(chunk)))
        rows = session.execute(text(f"SELECT term, doc FROM {VOCAB_TABLE} WHERE term IN ({marks})"),
                               {f"w{i}": w for i, w in enumerate(chunk)})
        found.update({term: int(doc) for term, doc in rows})
    return Vocabulary(int(total), found)


# --- keeping the index whole ---------------------------------------------------------------------

_SQLITE_PARTS = {
    FTS_TABLE: f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(text, content='documents', content_rowid='rowid', "
               "tokenize='unicode61 remove_diacritics 0')",
    TRIGGERS[0]: f"CREATE TRIGGER {TRIGGERS[0]} AFTER INSERT ON documents BEGIN "
                 f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.rowid, new.text); END",
    TRIGGERS[1]: f"CREATE TRIGGER {TRIGGERS[1]} AFTER DELETE ON documents BEGIN "
                 f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.rowid, old.text); END",
    TRIGGERS[2]: f"CREATE TRIGGER {TRIGGERS[2]} AFTER UPDATE OF text ON documents BEGIN "
                 f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.rowid, old.text); "
                 f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.rowid, new.text); END",
    VOCAB_TABLE: f"CREATE VIRTUAL TABLE {VOCAB_TABLE} USING fts5vocab({FTS_TABLE}, 'row')",
    META_INDEX: f"CREATE INDEX {META_INDEX} ON documents (id, title, kind, date, activity, length)",
}


def rebuild(session: Session) -> str:
    """Recreate whatever part of the index is missing and re-read every document (in a write session)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text(f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON documents USING gin "
                             "(to_tsvector('simple', text))"))
        session.execute(text(f"REINDEX INDEX {PG_INDEX}"))
        if session.execute(text("SELECT 1 FROM pg_tables WHERE tablename = :name"), {"name": PG_VOCABULARY}).first():
            session.execute(text(f"DELETE FROM {PG_VOCABULARY}"))
            session.execute(text(f"INSERT INTO {PG_VOCABULARY} (term, documents) SELECT w, count(*) FROM documents, "
                                 f"LATERAL {PG_VOCABULARY}_words(documents.text) AS w GROUP BY w"))
        return "tsvector"
    if dialect != "sqlite":
        return "scan"
    if not session.execute(text("SELECT sqlite_compileoption_used('ENABLE_FTS5')")).scalar():
        return "scan"
    names = set(session.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'search_index%'")).scalars())
    if FTS_TABLE not in names:  # a fresh table: the vocabulary view on the old one cannot stay
        session.execute(text(f"DROP TABLE IF EXISTS {VOCAB_TABLE}"))
        names.discard(VOCAB_TABLE)
    for name, statement in _SQLITE_PARTS.items():
        if name not in names:
            session.execute(text(statement))
    session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))
    return "fts5"


def check(session: Session) -> list[str]:
    """Problems with the index, checked against the documents themselves (slow on big projects)."""
    index = state(session)
    problems = [index.problem] if index.problem else []
    if index.kind == "fts5":
        try:
            session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)"))
        except Exception as error:  # SQLite reports a damaged index as an error
            problems.append(f"the search index does not match the documents ({str(error).splitlines()[0]}); "
                            "run `fieldnotes search --reindex`")
    return problems
