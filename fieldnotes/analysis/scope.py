"""The codings an analysis covers, fetched fast.

At the target size a project holds 100,000 codings. Turning every id of every row into a `uuid.UUID`
costs about a second there, so ids are fetched as the database's own values (hex text on SQLite,
UUIDs on PostgreSQL) and only the few distinct codes, documents and coders are converted. The matrix and
co-occurrence go further with `load_grouped`: the database joins each document's codes, coders and
positions into one text per field (group_concat, string_agg), so 2,000 rows come back instead of 100,000.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, String, Text, cast, func, literal_column, select, type_coerce
from sqlalchemy.orm import Session

from fieldnotes.codebook.tree import CodeTree
from fieldnotes.db.models import Coder, Coding, Document
from fieldnotes.queries.filters import Filters, code_ids, coder_ids, document_ids, narrow_codings

#: what a row of a scope can hold, by name
COLUMNS: dict[str, Any] = {
    "id": Coding.id,
    "code": Coding.code_id,
    "document": Coding.document_id,
    "coder": Coding.coder_id,
    "start": Coding.start,
    "end": Coding.end,
    "rating": Coding.rating,
}
_IDS = ("id", "code", "document", "coder")


@contextmanager
def paused_gc() -> Iterator[None]:
    """Hold off the cyclic garbage collector while an analysis builds its tables.

    They are hundreds of thousands of small tuples with no reference cycles among them, which the
    collector would otherwise scan again and again (it doubles the time at the target size).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def raw(column: Any) -> ColumnElement[Any]:
    """A column read as the database stores it, without the per-row conversion to `uuid.UUID`."""
    return type_coerce(column, String())


def as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


@dataclass
class Scope:
    """The codings that pass the filters, as tuples in the order of `fields`."""

    tree: CodeTree
    fields: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    documents: set[uuid.UUID] | None  # the document filter's documents, None when every document counts
    codes: set[uuid.UUID] | None  # the code filter's codes, None when every code counts
    code_of: dict[Any, uuid.UUID] = field(default_factory=dict)  # raw value -> id

    _columns: list[tuple[Any, ...]] | None = None

    def column(self, name: str) -> tuple[Any, ...]:
        """One field of every row, in row order."""
        if self._columns is None:
            self._columns = list(zip(*self.rows, strict=True)) if self.rows else [() for _ in self.fields]
        return self._columns[self.fields.index(name)]


def load(session: Session, filters: Filters, fields: Iterable[str], *, tree: CodeTree | None = None,
         code_filter: bool = True) -> Scope:
    """Fetch the codings the filters allow (`code_filter=False` ignores `filters.codes`)."""
    tree = tree or CodeTree.load(session)
    names = tuple(fields)
    docs = document_ids(session, filters)
    codes = code_ids(session, filters, tree) if code_filter else None
    coders = coder_ids(filters)
    wanted = names + (("text",) if filters.contains else ())
    columns = [raw(COLUMNS[name]) if name in _IDS else (Coding.text if name == "text" else COLUMNS[name])
               for name in wanted]
    query = narrow_codings(select(*columns), filters, docs, codes, coders)
    rows: list[tuple[Any, ...]] = []
    if docs is None or docs:
        rows = fetch_plain(session, query)
    if filters.contains:
        needle = filters.contains.casefold()
        rows = [row[:-1] for row in rows if needle in row[-1].casefold()]
    scope = Scope(tree, names, rows, docs, codes)
    if "code" in names:
        scope.code_of = {value: as_uuid(value) for value in set(scope.column("code"))}
    return scope


# --- the codings document by document ---------------------------------------------------------------

#: fields `load_grouped` can fetch, and whether they are integers
_GROUPED = {"code": False, "coder": False, "start": True, "end": True}
_SEPARATOR = ","


@dataclass
class Grouped:
    """The codings that pass the filters, document by document: for each document (by its raw id value)
    one list per field, the lists in step (the n-th coding's code, start, ... at index n).

    Codes and coders are their ids as text (hex on SQLite, the dashed form on PostgreSQL); `code_of`
    turns a code's text into its id.
    """

    tree: CodeTree
    fields: tuple[str, ...]
    groups: dict[Any, tuple[list[Any], ...]]
    documents: set[uuid.UUID] | None  # as Scope.documents
    codes: set[uuid.UUID] | None  # as Scope.codes
    code_of: dict[Any, uuid.UUID] = field(default_factory=dict)

    def at(self, name: str) -> int:
        """The position of a field's list among a document's lists."""
        return self.fields.index(name)

    @property
    def size(self) -> int:
        """The number of codings."""
        return sum(len(lists[0]) for lists in self.groups.values()) if self.fields else 0


#: separates the values of a text column (a speaker's label) in `aggregated`
UNIT_SEPARATOR = "\x1f"


def aggregated(session: Session, column: Any, *order: Any, separator: str = _SEPARATOR) -> Any:
    """Every value of `column` in a group as one text, comma-separated (in the same order for every column
    aggregated with the same `order`): the database joins the values, far faster than sending a row each.

    `separator` is "," (ids and numbers) or UNIT_SEPARATOR (text).
    """
    joiner = func.chr(ord(separator)) if separator == UNIT_SEPARATOR else literal_column(f"'{separator}'")
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import aggregate_order_by

        return func.string_agg(cast(column, Text), aggregate_order_by(joiner, *order))
    if separator == UNIT_SEPARATOR:
        joiner = func.char(ord(separator))
    return func.group_concat(column, joiner)


def _grouped_row_by_row(session: Session, filters: Filters, names: tuple[str, ...], tree: CodeTree) -> Grouped:
    """With the text filter, which is applied here, the rows come one by one."""
    scope = load(session, filters, (*names, "document"), tree=tree)
    groups: dict[Any, tuple[list[Any], ...]] = {}
    position = len(names)
    for row in fetch_rows_by_document(scope, names):
        found = groups.get(row[position])
        if found is None:
            found = groups[row[position]] = tuple([] for _ in names)
        for values, value in zip(found, row, strict=False):
            values.append(value)
    return Grouped(tree, names, groups, scope.documents, scope.codes)


def _grouped_in_database(session: Session, filters: Filters, names: tuple[str, ...], tree: CodeTree) -> Grouped:
    """One row per document from the database, each field's values aggregated into one text."""
    docs = document_ids(session, filters)
    codes = code_ids(session, filters, tree)
    columns = [aggregated(session, COLUMNS[name], Coding.id) for name in names]
    query = narrow_codings(select(raw(Coding.document_id), *columns), filters, docs, codes, coder_ids(filters))
    rows = fetch_plain(session, query.group_by(Coding.document_id)) if docs is None or docs else []
    groups = {}
    columns_by_field: list[list[list[Any]]] = []
    sizes: list[int] = []
    for at, name in enumerate(names, 1):
        texts = [row[at] for row in rows]
        if _GROUPED[name]:
            # every document's numbers parsed in one call (int() per value was most of the time)
            if not sizes:
                sizes = [text.count(_SEPARATOR) + 1 for text in texts]
            columns_by_field.append(numbers_per_document(texts, sizes))
        else:
            columns_by_field.append([text.split(_SEPARATOR) for text in texts])
    for row, lists in zip(rows, zip(*columns_by_field, strict=True), strict=True):
        groups[row[0]] = lists
    return Grouped(tree, names, groups, docs, codes)


def load_grouped(session: Session, filters: Filters, fields: Iterable[str], *, tree: CodeTree | None = None) -> Grouped:
    """`load`, with the codings grouped by document (one row per document from the database)."""
    names = tuple(fields)
    unknown = [name for name in names if name not in _GROUPED]
    if unknown or not names:
        raise ValueError(f"cannot group by document: {unknown or names}")
    tree = tree or CodeTree.load(session)
    if filters.contains:
        grouped = _grouped_row_by_row(session, filters, names, tree)
    else:
        grouped = _grouped_in_database(session, filters, names, tree)
    if "code" in names:
        at = names.index("code")
        distinct: set[Any] = set()
        for lists in grouped.groups.values():
            distinct.update(lists[at])
        grouped.code_of = {value: as_uuid(value) for value in distinct}
    return grouped


def numbers_per_document(texts: list[str], sizes: list[int] | None = None) -> list[list[int]]:
    """Comma-separated integers, one text per document, as one list per document: every text parsed in one
    call (int() per value was most of the time of reading 250,000 codings)."""
    if not texts:
        return []
    if sizes is None:
        sizes = [text.count(_SEPARATOR) + 1 for text in texts]
    values = np.fromstring(_SEPARATOR.join(texts), dtype=np.int64, sep=_SEPARATOR)
    return [part.tolist() for part in np.split(values, np.cumsum(sizes)[:-1])]


def fetch_rows_by_document(scope: Scope, names: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """A scope's rows with their document last (the scope must hold `names` and `document`)."""
    picked = [scope.fields.index(name) for name in (*names, "document")]
    return [tuple(row[i] for i in picked) for row in scope.rows]


def fetch_plain(session: Session, query: Any) -> list[tuple[Any, ...]]:
    """All rows of a query whose columns need no conversion, straight from the driver's cursor.

    Building a Row object per row would triple the time at 100,000 codings; the columns an analysis
    selects (raw ids, integers, text) come out of the driver exactly as they would out of a Row.
    """
    result = session.connection().execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def coder_names(session: Session) -> dict[Any, str]:
    """Coders' names by their raw id value."""
    return {key: name for key, name in session.execute(select(raw(Coder.id), Coder.name))}


def document_keys(session: Session, ids: Iterable[uuid.UUID] | None = None) -> dict[Any, uuid.UUID]:
    """Documents' ids by their raw values (every document, or the given ones)."""
    out = {value: as_uuid(value) for (value,) in fetch_plain(session, select(raw(Document.id)))}
    if ids is None:
        return out
    wanted = set(ids)
    return {key: value for key, value in out.items() if value in wanted}


def raw_document_keys(session: Session, ids: Iterable[uuid.UUID] | None = None) -> set[Any]:
    """The raw id values of every document, or of the given ones (`document_keys` without the ids)."""
    if ids is not None:
        return set(document_keys(session, ids))
    return {value for (value,) in fetch_plain(session, select(raw(Document.id)))}
