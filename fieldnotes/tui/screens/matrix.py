"""Themes per municipality: the code matrix as a heat grid, the rating trend of the highlighted scaled
code per municipality and phase, and drill-down from any cell to its excerpts (and from there to Word).

The heat grid shades each level of the codebook on its own scale (areas apart from their sub-codes,
`fieldnotes.analysis.charts.level_scales`), with a glyph of rising density in every cell and a legend,
so it reads on a 16-colour terminal and with colour off.

Keys: m / p / k / c cycle the columns (municipality, phase, kind, coder) · v cycles the measure ·
r toggles roll-up · t shows or hides the ratings · g opens the rating trends · Enter lists the cell's
excerpts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Static

from fieldnotes.analysis import charts
from fieldnotes.queries.filters import Filters
from fieldnotes.tui.i18n import N_, _, number
from fieldnotes.tui.screens.back import BackScreen
from fieldnotes.tui.screens.excerpts import CellExcerptsScreen
from fieldnotes.tui.widgets.drawing import heat_cell, heat_legend, phase_legend, spark_rows
from fieldnotes.tui.widgets.footer import Footer

BY = ("municipality", "phase", "kind", "coder", "activity", "role")
BY_NAMES = {"municipality": N_("municipality"), "phase": N_("phase"), "kind": N_("kind"), "coder": N_("coder"),
            "activity": N_("activity"), "role": N_("speaker role")}
MEASURES = ("codings", "documents", "chars", "percent")
MEASURE_NAMES = {"codings": N_("codings"), "documents": N_("documents"), "chars": N_("characters coded"),
                 "percent": N_("% of the column's documents")}
NONE = "(none)"
#: a code name is never cut shorter than this, however many columns there are
MIN_LABEL = 12


@dataclass
class MatrixData:
    matrix: Any
    rateable: list[str] = field(default_factory=list)  # rows whose code (or, rolled up, a sub-code) has a scale


@dataclass
class Trend:
    code: str
    grid: Any | None  # fieldnotes.analysis.ratings.RatingGrid: municipality × phase
    error: str | None = None


def cell_filters(by: str, row: str, column: str, rollup: bool = True) -> Filters:
    """Filters that describe one cell on an export's title page: its code (with sub-codes when the matrix
    rolls them up) and, where a filter can name it, its column. The export itself holds exactly the
    cell's excerpts, whatever the column (`(none)`, a speaker role)."""
    base = Filters(codes=[row], descendants=rollup)
    if column in ("total", NONE):
        return base
    if by == "municipality":
        base.municipalities = [column]
    elif by == "phase" and column.isdigit():
        base.phases = [int(column)]
    elif by == "kind":
        base.kinds = [column]
    elif by == "activity":
        base.activities = [column]
    elif by == "coder":
        base.coders = [column]
    return base


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def _number(value: float, measure: str) -> str:
    return f"{number(value)}%" if measure == "percent" else number(value)


class MatrixCellScreen(CellExcerptsScreen):
    """A cell's (or a pair's) excerpts; ctrl+e exports exactly these."""


def _heading(grid: Any, column: str) -> str:
    """A column's heading; a phase on two lines, its number over its months ("Fase 1" / "feb.–jul. 2025")."""
    start = getattr(grid, "start", None)
    if start is not None and grid.by == "phase" and column.isdigit() and int(column) > 0:
        from fieldnotes.analysis.columns import phase_title

        return phase_title(int(column), start, two_lines=True)
    return column


class MatrixScreen(BackScreen):
    BINDINGS = [
        Binding("enter", "drill", N_("Excerpts"), tooltip=N_("List the excerpts behind the number at the cursor")),
        Binding("m", "by('municipality')", N_("Municipality"), tooltip=N_("Columns: municipalities")),
        Binding("p", "by('phase')", N_("Phase"), tooltip=N_("Columns: half-year phases of the fieldwork")),
        Binding("k", "by('kind')", N_("Kind"), tooltip=N_("Columns: document kinds")),
        Binding("c", "by('coder')", N_("Coder"), show=False, tooltip=N_("Columns: coders")),
        Binding("v", "measure", N_("Measure"), tooltip=N_("Codings, documents, characters or % of documents")),
        Binding("r", "rollup", N_("Roll-up"), show=False, tooltip=N_("Count sub-codes in their parent's row, or not")),
        Binding("t", "trend", N_("Ratings"), show=False,
                tooltip=N_("Show or hide the ratings of the highlighted scaled code by phase and municipality")),
        Binding("g", "rating_trends", N_("Trends"),
                tooltip=N_("The highlighted scaled code's ratings as small multiples: municipality × phase")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.by = "municipality"
        self.measure = "codings"
        self.rollup = True
        self.show_trend = True
        self.data: MatrixData | None = None
        self.trend: Trend | None = None
        self._trend_wanted: str | None = None
        self._trend_pending = False
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="matrix-view"):
            yield Static(id="matrix-title")
            yield DataTable(id="matrix", cursor_type="cell", zebra_stripes=False)
            yield Static(id="matrix-legend")
            yield Static(id="matrix-note")
            yield Static(id="trend")
        yield Static(id="matrix-status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#matrix", DataTable).focus()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._repaint())
        self.reload()

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width:
            self._repaint()

    def _repaint(self) -> None:
        if self.data is not None:
            self.show(self.data)

    def reload(self) -> None:
        app: Any = self.app
        by, measure, rollup = self.by, self.measure, self.rollup
        self.trend = None  # the ratings are read again with the matrix (a change elsewhere, roll-up)
        # a trend still being read under the old settings must not be shown, nor block the new one
        self._trend_wanted, self._trend_pending = None, False

        def work() -> MatrixData:
            from fieldnotes.analysis.matrix import matrix
            from fieldnotes.codebook.tree import CodeTree

            with app.project.read() as session:
                grid = matrix(session, Filters(), by=by, measure=measure, rollup=rollup)
                tree = CodeTree.load(session)
            scaled = {tree.path(n.id) for n in tree.nodes.values() if n.scale_min is not None}
            rateable = [row for row in grid.rows
                        if row in scaled or (rollup and any(path.startswith(row + "/") for path in scaled))]
            return MatrixData(grid, rateable)

        app.db(work, self.show, group="matrix", exclusive=True)

    # --- the heat grid -------------------------------------------------------------------------------
    def show(self, data: MatrixData) -> None:
        self.data = data
        self._width = self.size.width
        grid = data.matrix
        table = self.query_one("#matrix", DataTable)
        cursor = table.cursor_coordinate
        table.clear(columns=True)
        dark = self.app.current_theme.dark
        scales = charts.level_scales(grid.depths, [[grid.cells[row][c] for c in grid.columns] for row in grid.rows])
        swatch = charts.GLYPHS[0] * 2 + " "
        shown = {row: {c: _number(grid.cells[row][c], grid.measure) for c in grid.columns} for row in grid.rows}
        totals = {row: _number(grid.row_totals[row], grid.measure) for row in grid.rows}
        headings = {column: _heading(grid, column) for column in grid.columns}
        widths = [max([*(len(line) for line in headings[column].split("\n")),
                       *(len(swatch + shown[row][column]) for row in grid.rows)]) for column in grid.columns]
        widths.append(max([len(_("Total")), *(len(t) for t in totals.values())]))
        # every column is padded by one cell on each side; two more for the scroll bar
        room = self.size.width - sum(w + 2 for w in widths) - 4
        label_width = max(MIN_LABEL, room)
        table.add_column(_("Code"), key="__code__")
        table.header_height = 2 if any("\n" in h for h in headings.values()) else 1
        for column in grid.columns:
            heading = headings[column]
            table.add_column(Text(heading, justify="right") if "\n" in heading else heading, key=column)
        table.add_column(_("Total"), key="total")
        for row, depth in zip(grid.rows, grid.depths, strict=True):
            name = _cut("  " * depth + row.rsplit("/", 1)[-1], label_width)
            cells: list[Any] = [Text(name, style="bold" if depth == 0 else "")]
            scale = scales[depth]
            for column in grid.columns:
                cells.append(heat_cell(shown[row][column], scale.step(float(grid.cells[row][column])), dark))
            cells.append(Text(totals[row], style="bold", justify="right"))
            table.add_row(*cells, key=row)
        if table.row_count:
            table.move_cursor(row=min(cursor.row, table.row_count - 1),
                              column=min(cursor.column, len(grid.columns) + 1))
        self.query_one("#matrix-title", Static).update(
            _("[b]Themes by {by}[/b] · {measure}{rollup}").format(
                by=_(BY_NAMES[self.by]), measure=_(MEASURE_NAMES[self.measure]),
                rollup="" if self.rollup else " · " + _("without sub-codes")))
        self.query_one("#matrix-legend", Static).update(
            heat_legend(scales, dark, self.size.width - 2, percent=grid.measure == "percent"))
        self.query_one("#matrix-note", Static).update(
            _("Total counts each once; a document in two columns counts in both"))
        self.query_one("#matrix-status", Static).update(
            _("Enter excerpts · m p k c columns · v measure · r roll-up · t g ratings"))
        self._follow_trend()

    # --- the rating trend of the highlighted (or first) scaled code ---------------------------------
    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self._follow_trend()

    def _trend_code(self) -> str | None:
        if self.data is None or not self.data.rateable:
            return None
        table = self.query_one("#matrix", DataTable)
        if table.row_count:
            row = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if row in self.data.rateable:
                return row
        return self.data.rateable[0]

    def _follow_trend(self) -> None:
        trend = self.query_one("#trend", Static)
        trend.display = self.show_trend
        code = self._trend_code()
        if not self.show_trend:
            return
        if code is None:
            self.trend = None
            trend.update(_("No code has a rating scale"))
            return
        if code == self._trend_wanted and (self._trend_pending or (self.trend is not None and self.trend.code == code)):
            return
        self._trend_wanted = code
        self._trend_pending = True
        app: Any = self.app
        rollup = self.rollup

        def work() -> Trend:
            from fieldnotes.analysis.ratings import rating_grid
            from fieldnotes.errors import FieldnotesError

            with app.project.read() as session:
                try:
                    return Trend(code, rating_grid(session, code, descendants=rollup))
                except FieldnotesError as failure:  # no fieldwork start date: no phases
                    return Trend(code, None, str(failure))

        def done(result: Trend) -> None:
            if rollup != self.rollup:  # read under a roll-up setting that has changed since
                return
            self._trend_pending = False
            if result.code == self._trend_wanted:  # not a slower answer for a row the cursor has left
                self.trend = result
                self._show_trend()

        def failed() -> None:
            self._trend_pending = False

        app.db(work, done, group="matrix-trend", failed=failed)

    def _show_trend(self) -> None:
        trend = self.trend
        if trend is None:
            return
        panel = self.query_one("#trend", Static)
        if trend.grid is None:
            panel.update(Text(trend.error or "", style="italic"))
            return
        grid = trend.grid
        low, high = grid.scale
        title = Text.from_markup(_("[b]Ratings of {code}[/b] · mean per phase (scale {low}–{high}) · g: bigger").format(
            code=escape(trend.code.rsplit("/", 1)[-1]), low=low, high=high))
        # the sparklines' phases are numbered: a line names each with its months
        legend = phase_legend(grid.columns, grid.start, max(30, self.size.width - 2))
        panel.update(Text("\n").join([title, legend, spark_rows(grid, self.app.current_theme)]))

    def action_trend(self) -> None:
        self.show_trend = not self.show_trend
        self._follow_trend()
        if self.show_trend:
            self._show_trend()

    def action_rating_trends(self) -> None:
        from fieldnotes.tui.screens.ratings import RatingsScreen

        self.app.push_screen(RatingsScreen(self._trend_code(), rollup=self.rollup))

    # --- drill-down -------------------------------------------------------------------------------
    def _cell(self) -> tuple[str, str] | None:
        table = self.query_one("#matrix", DataTable)
        if self.data is None or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate)
        row, column = key.row_key.value, key.column_key.value
        if not row or not column or column == "__code__":
            return None
        return row, column

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_drill()

    def action_drill(self) -> None:
        cell = self._cell()
        if cell is None:
            self.notify(_("Move to a number in the table first"), severity="warning")
            return
        row, column = cell
        filters = cell_filters(self.by, row, column, self.rollup)
        app: Any = self.app
        by, rollup = self.by, self.rollup

        def work() -> list[Any]:
            from fieldnotes.analysis.matrix import cell_excerpts

            with app.project.read() as session:
                return cell_excerpts(session, Filters(), by, row, column, rollup, context="sentence")

        def done(found: list[Any]) -> None:
            from fieldnotes.export.cells import Cell

            title = f"{row} · {column}" + ("" if rollup else " · " + _("without sub-codes"))
            self.app.push_screen(MatrixCellScreen(title, found, filters, Cell(by, row, column, rollup)))

        app.db(work, done, group="matrix-cell")

    def action_by(self, by: str) -> None:
        self.by = by
        self.reload()

    def action_measure(self) -> None:
        self.measure = MEASURES[(MEASURES.index(self.measure) + 1) % len(MEASURES)]
        self.reload()

    def action_rollup(self) -> None:
        self.rollup = not self.rollup
        self.reload()
