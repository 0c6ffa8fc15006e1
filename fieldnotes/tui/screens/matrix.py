"""Themes per municipality: the code matrix as a heatmap, the rating trend of the belief code, and
drill-down from any cell to its excerpts (and from there to Word).

Keys: m / p / k / c cycle the columns (municipality, phase, kind, coder) · v cycles the measure ·
r toggles roll-up · Enter lists the cell's excerpts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from fieldnotes.filters import Filters
from fieldnotes.tui.i18n import N_, _

BY = ("municipality", "phase", "kind", "coder", "activity", "role")
BY_NAMES = {"municipality": N_("municipality"), "phase": N_("phase"), "kind": N_("kind"), "coder": N_("coder"),
            "activity": N_("activity"), "role": N_("speaker role")}
MEASURES = ("codings", "documents", "chars", "percent")
MEASURE_NAMES = {"codings": N_("codings"), "documents": N_("documents"), "chars": N_("characters coded"),
                 "percent": N_("% of the column's documents")}
BELIEF = "Tro på borgerens jobchance"


@dataclass
class MatrixData:
    matrix: Any
    trend: Any | None  # ratings of the belief code per phase, when the project has it


def cell_filters(by: str, row: str, column: str) -> Filters | None:
    """The filters that select one cell's excerpts, where the column is a document or coder property."""
    base = Filters(codes=[row])
    if column == "total":
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
    else:
        return None
    return base


def _shade(value: float, top: float) -> str:
    """A background for a heatmap cell: stronger for larger values (readable in light and dark themes)."""
    if top <= 0 or value <= 0:
        return ""
    share = value / top
    steps = ("#1d3557", "#264d73", "#2f6690", "#3a7ca5", "#4f9bc2", "#69b4d6")
    return steps[min(len(steps) - 1, int(share * (len(steps) - 1) + 0.5))]


class MatrixScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "drill", _("Excerpts")),
        Binding("m", "by('municipality')", _("Municipality")),
        Binding("p", "by('phase')", _("Phase")),
        Binding("k", "by('kind')", _("Kind")),
        Binding("c", "by('coder')", _("Coder"), show=False),
        Binding("v", "measure", _("Measure")),
        Binding("r", "rollup", _("Roll-up"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.by = "municipality"
        self.measure = "codings"
        self.rollup = True
        self.data: MatrixData | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="matrix-view"):
            yield Static(id="matrix-title")
            yield DataTable(id="matrix", cursor_type="cell", zebra_stripes=False)
            yield Static(id="trend")
        yield Static(id="matrix-status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#matrix", DataTable).focus()
        self.reload()

    def reload(self) -> None:
        app: Any = self.app
        by, measure, rollup = self.by, self.measure, self.rollup

        def work() -> MatrixData:
            from fieldnotes.analysis.matrix import matrix
            from fieldnotes.analysis.ratings import ratings
            from fieldnotes.errors import FieldnotesError

            with app.project.read() as session:
                grid = matrix(session, Filters(), by=by, measure=measure, rollup=rollup)
                try:
                    trend = ratings(session, BELIEF, by="phase")
                except FieldnotesError:
                    trend = None
            return MatrixData(grid, trend)

        app.db(work, self.show, group="matrix", exclusive=True)

    def show(self, data: MatrixData) -> None:
        self.data = data
        grid = data.matrix
        table = self.query_one("#matrix", DataTable)
        table.clear(columns=True)
        table.add_column(_("Code"), key="__code__")
        for column in grid.columns:
            table.add_column(column, key=column)
        table.add_column(_("Total"), key="total")
        tops = [v for row in grid.rows for v in grid.cells[row].values()]
        top = max(tops) if tops else 0
        for row, depth in zip(grid.rows, grid.depths, strict=True):
            label = Text("  " * depth + row.rsplit("/", 1)[-1], style="bold" if depth == 0 else "")
            cells: list[Any] = [label]
            for column in grid.columns:
                value = grid.cells[row][column]
                shown = f"{value:.0f}%" if grid.measure == "percent" else f"{value:,}".replace(",", ".")
                background = _shade(float(value), float(top))
                cells.append(Text(f" {shown} ", style=f"on {background}" if background else "dim",
                                  justify="right"))
            total = grid.row_totals[row]
            cells.append(Text(f"{total:.0f}%" if grid.measure == "percent" else str(total), justify="right"))
            table.add_row(*cells, key=row)
        self.query_one("#matrix-title", Static).update(
            _("[b]Themes by {by}[/b] · {measure}{rollup}").format(
                by=_(BY_NAMES[self.by]), measure=_(MEASURE_NAMES[self.measure]),
                rollup="" if self.rollup else " · " + _("without sub-codes")))
        self.query_one("#trend", Static).update(self._trend_text(data.trend))
        self.query_one("#matrix-status", Static).update(
            _("Enter: the cell's excerpts · m p k c: columns · v: measure · r: roll-up"))

    def _trend_text(self, trend: Any | None) -> Text:
        if trend is None or not trend.columns:
            return Text("")
        low, high = trend.scale
        line = Text.from_markup(f"[b]{_('Belief in the job chance, mean rating by phase')}[/b]  ")
        blocks = "▁▂▃▄▅▆▇█"
        for stats in trend.columns:
            if stats.mean is None:
                continue
            level = int((stats.mean - low) / max(1, high - low) * (len(blocks) - 1) + 0.5)
            line.append(f" {_('phase')} {stats.label}: ")
            line.append(blocks[level], style="bold #f2b134")
            line.append(f" {stats.mean:.1f} (n={stats.count})")
        return line

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
        filters = cell_filters(self.by, row, column)
        app: Any = self.app
        by, rollup = self.by, self.rollup

        def work() -> list[Any]:
            from fieldnotes.analysis.matrix import cell_excerpts

            with app.project.read() as session:
                return cell_excerpts(session, Filters(), by, row, column, rollup, context="sentence")

        def done(found: list[Any]) -> None:
            from fieldnotes.tui.screens.excerpts import CellExcerptsScreen

            title = f"{row} · {column}"
            self.app.push_screen(CellExcerptsScreen(title, found, filters))

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
