"""The code matrix in an export: a cell's excerpts as the export's content, and the matrix as an overview.

`gather_cell` gathers exactly the excerpts behind one cell of `matrix(session, filters, by, ..., rollup)`
(`fieldnotes.analysis.matrix.cell_coding_ids`: the same codings for every measure and every column
kind, `(none)`, `role`, `coder` and `attr:NAME` included). `overview` reads the matrix of codings for the
codes an export holds, ready for a writer that never touches the database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.analysis.columns import NONE, parse_by
from fieldnotes.analysis.matrix import TOTAL, cell_coding_ids, matrix
from fieldnotes.codebook.tree import CodeTree
from fieldnotes.db.models import Coding
from fieldnotes.export.gather import CodeEntry, ExportSet, gather, project_name
from fieldnotes.export.pseudonyms import Pseudonymizer
from fieldnotes.queries.filters import Filters

#: columns whose labels can hold names, so they are pseudonymised with the excerpts
_NAMED = ("municipality", "activity", "attr")


@dataclass(frozen=True)
class Cell:
    """One matrix cell as a reader sees it: the column kind, the row's code path, the column's label."""

    by: str
    row: str
    column: str  # a column label, or `total` for the whole row
    rollup: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"by": self.by, "row": self.row, "column": self.column, "rollup": self.rollup}


@dataclass
class Overview:
    """The matrix of codings for an export's codes: rows in codebook order (name, depth), one count per
    column, with the matrix's row and column totals (each coding counted once)."""

    by: str
    rollup: bool
    rows: list[tuple[str, int]]
    paths: list[str]
    columns: list[str]
    cells: list[list[int]]
    row_totals: list[int]
    column_totals: list[int]
    total: int
    start: dt.date | None = None  # the fieldwork start when the columns are phases: headings show their dates

    @property
    def highest(self) -> int:
        return max((n for row in self.cells for n in row), default=0)


def gather_cell(session: Session, filters: Filters, cell: Cell, **options: Any) -> tuple[ExportSet, Cell]:
    """The excerpts behind one matrix cell, as `gather` returns them (keyword options as `gather`'s), and
    the cell with its row as a full code path. The set's filters stay the caller's, for the title page."""
    tree = CodeTree.load(session)
    node = tree.resolve(str(cell.row))
    ids = cell_coding_ids(session, filters, cell.by, node.id, cell.column, cell.rollup)
    narrowed = dataclasses.replace(filters, codes=[str(node.id)], descendants=cell.rollup)
    data = gather(session, narrowed, **options)
    data.excerpts = [e for e in data.excerpts if uuid.UUID(e.id) in ids]
    used = {uuid.UUID(e.code) for e in data.excerpts}
    wanted = {str(i) for code in used for i in (code, *tree.ancestors(code))}
    data.codes = [c for c in data.codes if c.id in wanted]
    data.filters = filters
    dimension = parse_by(cell.by)
    column = cell.column
    rename = options.get("pseudonymize")
    if rename is not None and dimension.name in _NAMED and column.strip().casefold() != TOTAL:
        column = rename(column)  # the title page names the cell; names in it are replaced like the excerpts'
    row = rename(tree.path(node.id)) if rename is not None else tree.path(node.id)
    return data, dataclasses.replace(cell, row=row, by=str(dimension), column=column)


def keep_codings(data: ExportSet, ids: Collection[str | uuid.UUID]) -> None:
    """Leave in `data` only the excerpts of these codings, and the codes they use with those above them."""
    wanted = {str(i) for i in ids}
    data.excerpts = [e for e in data.excerpts if e.id in wanted]
    used = {e.code for e in data.excerpts}
    paths = [c.path + "/" for c in data.codes if c.id in used]
    data.codes = [c for c in data.codes if c.id in used or any(p.startswith(c.path + "/") for p in paths)]


def gather_codings(session: Session, filters: Filters, ids: Collection[str | uuid.UUID],
                   **options: Any) -> ExportSet:
    """Exactly the excerpts of the codings `ids` (those the filters also allow), as `gather` returns them:
    what a list in the app shows, however it was found (the passages where two codes meet, a cell
    whose column no filter can name). The set's filters stay the caller's, for the title page."""
    wanted = [uuid.UUID(str(i)) for i in ids]
    codes: set[uuid.UUID] = set()
    for at in range(0, len(wanted), 500):  # a few hundred ids per query: far below any driver's limit
        codes.update(session.scalars(select(Coding.code_id).where(Coding.id.in_(wanted[at:at + 500])).distinct()))
    if not codes:
        return ExportSet(project_name=project_name(session), excerpts=[], codes=[], filters=filters)
    narrowed = dataclasses.replace(filters, codes=[str(c) for c in sorted(codes, key=str)], descendants=False)
    data = gather(session, narrowed, **options)
    keep_codings(data, wanted)
    data.filters = filters
    return data


def cell_filters(filters: Filters, cell: Cell) -> Filters:
    """The filters that select the cell's row (its code, with sub-codes when rolling up)."""
    return dataclasses.replace(filters, codes=[cell.row], descendants=cell.rollup)


def overview(session: Session, filters: Filters, by: str, codes: list[CodeEntry], *, rollup: bool = True,
             pseudonymize: Pseudonymizer | None = None) -> Overview:
    """`matrix(session, filters, by, "codings", rollup)` for the rows of `codes` (an export's codes)."""
    dimension = parse_by(by)
    table = matrix(session, filters, dimension, "codings", rollup)
    entries = {c.id: c for c in codes}  # by id: an export's code names and paths may be pseudonymised
    by_path = {path: str(row_id) for path, row_id in zip(table.rows, table.row_ids, strict=True)}
    paths = [path for path in table.rows if by_path[path] in entries]
    rename = pseudonymize if pseudonymize is not None and dimension.name in _NAMED else None
    columns = [label if rename is None or label == NONE else rename(label) for label in table.columns]
    return Overview(
        by=str(dimension), rollup=rollup, paths=paths,
        rows=[(entries[by_path[p]].name, entries[by_path[p]].depth) for p in paths],
        columns=columns, cells=[[int(table.cells[p][c]) for c in table.columns] for p in paths],
        row_totals=[int(table.row_totals[p]) for p in paths],
        column_totals=[int(table.column_totals[c]) for c in table.columns], total=int(table.total),
        start=table.start)


__all__ = ["TOTAL", "Cell", "Overview", "cell_filters", "gather_cell", "gather_codings", "keep_codings", "overview"]
