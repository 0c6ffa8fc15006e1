"""What the theme browser (`export html`) shows beyond the excerpts, read in the export's read session.

The heat maps are the code matrix of codings by municipality and by phase, and each cell carries the
excerpts behind it: `analysis.matrix.every_cell_coding_ids`, the same codings `fieldnotes matrix --by BY
--cell ROW COLUMN` lists, so a click in the browser shows exactly what the command line does. The
rating trends are `figures.rating_trends` (the Word report's charts use the same numbers). Municipality
labels are pseudonymised like the excerpts; the writer (`html_browser`) never touches the database.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from fieldnotes.export.figures import TrendFigure
    from fieldnotes.export.gather import ExportSet
    from fieldnotes.export.pseudonyms import Pseudonymizer
    from fieldnotes.queries.filters import Filters

#: the heat maps' column kinds, in the order the switch offers them
VIEWS = ("municipality", "phase")


@dataclass
class HeatView:
    """Rows (positions in the export's codes) × columns; each cell the positions of its excerpts."""

    by: str
    columns: list[str]  # labels as the matrix names them ("(none)" for no value), names pseudonymised
    rows: list[int]
    cells: list[list[list[int]]]

    def count(self, row: int, column: int) -> int:
        return len(self.cells[row][column])


@dataclass
class BrowserData:
    views: list[HeatView] = field(default_factory=list)
    trends: list[TrendFigure] = field(default_factory=list)


def gather_browser(session: Session, filters: Filters, data: ExportSet, pseudonymize: Pseudonymizer) -> BrowserData:
    """The heat maps (every view the project can give: no phases without a fieldwork start) and trends."""
    from fieldnotes.analysis.columns import NONE
    from fieldnotes.analysis.matrix import every_cell_coding_ids
    from fieldnotes.errors import FieldnotesError
    from fieldnotes.export.figures import rating_trends

    position = {uuid.UUID(e.id): index for index, e in enumerate(data.excerpts)}
    rows = [(index, uuid.UUID(code.id)) for index, code in enumerate(data.codes)]
    out = BrowserData()
    for by in VIEWS:
        try:
            columns, cells = every_cell_coding_ids(session, filters, by)
        except FieldnotesError:  # no fieldwork start date: there are no phases
            continue
        labels = [pseudonymize(label) if by == "municipality" and label != NONE else label for label in columns]
        grid = [[sorted(position[c] for c in cells.get(code, {}).get(column, []) if c in position)
                 for column in columns] for _index, code in rows]
        out.views.append(HeatView(by, labels, [index for index, _code in rows], grid))
    out.trends = rating_trends(session, filters, data.codes, pseudonymize)
    return out
