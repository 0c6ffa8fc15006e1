"""Themes per municipality: the code matrix as a heatmap, the rating trend of the highlighted scaled
code, and drill-down from any cell to its excerpts (and from there to Word).

Keys: m / p / k / c cycle the columns (municipality, phase, kind, coder) · v cycles the measure ·
r toggles roll-up · t shows or hides the ratings · o opens co-occurrence · Enter lists the cell's
excerpts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from fieldnotes.coding.excerpts import Excerpt
from fieldnotes.queries.filters import Filters
from fieldnotes.tui.i18n import N_, _
from fieldnotes.tui.screens.excerpts import CellExcerptsScreen

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
    by_phase: Any | None
    by_municipality: Any | None
    phase_error: str | None = None


def cell_filters(by: str, row: str, column: str, rollup: bool = True) -> Filters | None:
    """The filters that select one cell's excerpts for export, or None when filters cannot say it (a
    `(none)` column, a speaker role): sub-codes are included only when the matrix rolls them up."""
    base = Filters(codes=[row], descendants=rollup)
    if column == "total":
        return base
    if column == NONE:
        return None
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


def no_export_reason(by: str, column: str) -> str:
    if column == NONE:
        return _("Excerpts without a {by} cannot be exported from here: an export filter can only name a {by}; "
                 "export the row's total instead").format(by=_(BY_NAMES.get(by, by)))
    return _("Excerpts by {by} cannot be exported from here; use the Excerpts screen").format(
        by=_(BY_NAMES.get(by, by)))


def _luminance(colour: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)


def text_colour(background: Color) -> str:
    """Black or white, whichever has the higher contrast (WCAG) on the background."""
    lum = _luminance(background)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


def shade(value: float, top: float, base: Color, accent: Color) -> Color | None:
    """A heatmap cell's background: the theme's background blended towards its primary colour, stronger
    for larger values (so it follows the light and the dark themes)."""
    if top <= 0 or value <= 0:
        return None
    return base.blend(accent, 0.18 + 0.72 * min(1.0, value / top))


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def _number(value: float, measure: str) -> str:
    return f"{value:.0f}%" if measure == "percent" else f"{value:,.0f}".replace(",", ".")


def bar(value: float, low: float, high: float, width: int) -> str:
    """A horizontal bar in eighths of a cell: value on the scale [low, high] across `width` cells."""
    share = 0.0 if high <= low else max(0.0, min(1.0, (value - low) / (high - low)))
    eighths = round(share * width * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + (" ▏▎▍▌▋▊▉"[rest] if rest else "")).ljust(width)


class MatrixCellScreen(CellExcerptsScreen):
    """A cell's (or a pair's) excerpts; when an export filter cannot select them, ctrl+e says why."""

    def __init__(self, title: str, found: list[Excerpt], filters: Filters | None, reason: str = "",
                 note: str = "") -> None:
        super().__init__(title, found, filters)
        self.reason = reason
        self.note = note

    def action_export(self) -> None:
        if self.filters is None:
            self.notify(self.reason or _("These excerpts cannot be exported from here"), severity="warning",
                        timeout=8)
            return
        if self.note:
            self.notify(self.note, timeout=8)
        super().action_export()


class MatrixScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "drill", _("Excerpts"), tooltip=_("List the excerpts behind the number at the cursor")),
        Binding("m", "by('municipality')", _("Municipality"), tooltip=_("Columns: municipalities")),
        Binding("p", "by('phase')", _("Phase"), tooltip=_("Columns: half-year phases of the fieldwork")),
        Binding("k", "by('kind')", _("Kind"), tooltip=_("Columns: document kinds")),
        Binding("c", "by('coder')", _("Coder"), show=False, tooltip=_("Columns: coders")),
        Binding("v", "measure", _("Measure"), tooltip=_("Codings, documents, characters or % of documents")),
        Binding("r", "rollup", _("Roll-up"), show=False, tooltip=_("Count sub-codes in their parent's row, or not")),
        Binding("t", "trend", _("Ratings"), show=False,
                tooltip=_("Show or hide the ratings of the highlighted scaled code by phase and municipality")),
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

    # --- the heatmap ---------------------------------------------------------------------------------
    def show(self, data: MatrixData) -> None:
        self.data = data
        self._width = self.size.width
        grid = data.matrix
        table = self.query_one("#matrix", DataTable)
        cursor = table.cursor_coordinate
        table.clear(columns=True)
        theme = self.app.current_theme
        base = Color.parse(theme.background or ("#121212" if theme.dark else "#efefef"))
        accent = Color.parse(theme.primary)
        shown = {row: {c: f" {_number(grid.cells[row][c], grid.measure)} " for c in grid.columns} for row in grid.rows}
        totals = {row: _number(grid.row_totals[row], grid.measure) for row in grid.rows}
        widths = [max([len(column), *(len(shown[row][column]) for row in grid.rows)]) for column in grid.columns]
        widths.append(max([len(_("Total")), *(len(t) for t in totals.values())]))
        # every column is padded by one cell on each side; two more for the scroll bar
        room = self.size.width - sum(w + 2 for w in widths) - 4
        label_width = max(MIN_LABEL, room)
        table.add_column(_("Code"), key="__code__")
        for column in grid.columns:
            table.add_column(column, key=column)
        table.add_column(_("Total"), key="total")
        tops = [v for row in grid.rows for v in grid.cells[row].values()]
        top = max(tops) if tops else 0
        for row, depth in zip(grid.rows, grid.depths, strict=True):
            name = _cut("  " * depth + row.rsplit("/", 1)[-1], label_width)
            cells: list[Any] = [Text(name, style="bold" if depth == 0 else "")]
            for column in grid.columns:
                background = shade(float(grid.cells[row][column]), float(top), base, accent)
                style = f"{text_colour(background)} on {background.hex6}" if background is not None else "dim"
                cells.append(Text(shown[row][column], style=style, justify="right"))
            cells.append(Text(totals[row], style="bold", justify="right"))
            table.add_row(*cells, key=row)
        if table.row_count:
            table.move_cursor(row=min(cursor.row, table.row_count - 1),
                              column=min(cursor.column, len(grid.columns) + 1))
        self.query_one("#matrix-title", Static).update(
            _("[b]Themes by {by}[/b] · {measure}{rollup}").format(
                by=_(BY_NAMES[self.by]), measure=_(MEASURE_NAMES[self.measure]),
                rollup="" if self.rollup else " · " + _("without sub-codes")))
        self.query_one("#matrix-note", Static).update(
            _("Total counts each once; a document in two columns counts in both"))
        self.query_one("#matrix-status", Static).update(
            _("Enter excerpts · m p k c columns · v measure · r roll-up · t ratings · o pairs"))
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
            from fieldnotes.analysis.ratings import ratings
            from fieldnotes.errors import FieldnotesError

            with app.project.read() as session:
                by_municipality = ratings(session, code, by="municipality", descendants=rollup)
                try:
                    by_phase, error = ratings(session, code, by="phase", descendants=rollup), None
                except FieldnotesError as failure:
                    by_phase, error = None, str(failure)
            return Trend(code, by_phase, by_municipality, error)

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
        if trend is None or trend.by_municipality is None:
            return
        ratings = trend.by_municipality
        low, high = ratings.scale
        narrow = self.size.width < 110
        width = 8 if narrow else 14
        title = Text.from_markup(_("[b]Ratings of {code}[/b] (scale {low}–{high}; n, mean, median)").format(
            code=escape(trend.code.rsplit("/", 1)[-1]), low=low, high=high))
        grid = Table.grid(padding=(0, 3))
        parts: list[Any] = []
        for heading, result in ((_("Phase"), trend.by_phase), (_("Municipality"), trend.by_municipality)):
            if result is None:
                parts.append(Text(trend.phase_error or "", style="italic"))
                continue
            part = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
            part.add_column(heading, no_wrap=True, max_width=12 if narrow else 18, overflow="ellipsis")
            part.add_column("n", justify="right")
            part.add_column(_("mean"), justify="right")
            part.add_column(_("md"), justify="right")
            part.add_column("", width=width, no_wrap=True)
            for stats in result.columns:
                if not stats.count:
                    part.add_row(stats.label, "0", "–", "–", "")
                    continue
                part.add_row(stats.label, str(stats.count), f"{stats.mean:.1f}", f"{stats.median:g}",
                             Text(bar(stats.mean, low, high, width), style=f"{self.app.current_theme.accent}"))
            parts.append(part)
        grid.add_row(*parts)
        holder = Table.grid()
        holder.add_row(title)
        holder.add_row(grid)
        self.query_one("#trend", Static).update(holder)

    def action_trend(self) -> None:
        self.show_trend = not self.show_trend
        self._follow_trend()
        if self.show_trend:
            self._show_trend()

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
        reason = no_export_reason(self.by, column) if filters is None else ""
        app: Any = self.app
        by, rollup = self.by, self.rollup

        def work() -> list[Any]:
            from fieldnotes.analysis.matrix import cell_excerpts

            with app.project.read() as session:
                return cell_excerpts(session, Filters(), by, row, column, rollup, context="sentence")

        def done(found: list[Any]) -> None:
            title = f"{row} · {column}" + ("" if rollup else " · " + _("without sub-codes"))
            self.app.push_screen(MatrixCellScreen(title, found, filters, reason))

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
