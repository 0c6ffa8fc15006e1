"""Co-occurrence: which pairs of codes meet in the text (overlapping, in the same speaker turn or in
the same paragraph), as a code × code grid shaded like the matrix (or as a list, most frequent first);
Enter lists the excerpts where the highlighted pair meets, and from there ctrl+e exports exactly those.

Keys: w cycles where codes meet · g switches between the grid and the list · Enter lists the pair's
excerpts.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Static

from fieldnotes.analysis import charts
from fieldnotes.queries.filters import Filters
from fieldnotes.tui.i18n import N_, _, format_number, number
from fieldnotes.tui.screens.back import BackScreen
from fieldnotes.tui.widgets.drawing import heat_cell, heat_legend
from fieldnotes.tui.widgets.footer import Footer

WITHIN = ("overlap", "turn", "paragraph")
WITHIN_NAMES = {"overlap": N_("overlapping in the text"), "turn": N_("in the same speaker turn"),
                "paragraph": N_("in the same paragraph")}
COUNT_NAMES = {"overlap": N_("Overlaps"), "turn": N_("Turns"), "paragraph": N_("Paragraphs")}
MIN_NAME = 12
#: a grid row's code name is cut to this many characters at most (the column numbers say the rest)
MAX_GRID_NAME = 34
MIN_GRID_NAME = 20


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


class CooccurrenceScreen(BackScreen):
    BINDINGS = [
        Binding("enter", "drill", N_("Excerpts"), tooltip=N_("List the excerpts where the highlighted pair meets")),
        Binding("w", "within", N_("Where"),
                tooltip=N_("Count pairs that overlap, share a speaker turn or a paragraph")),
        Binding("g", "view", N_("Grid / list"), tooltip=N_("Show the pairs as a code × code grid or as a list")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.within = "overlap"
        self.grid_view = True
        self.data: Any = None  # fieldnotes.analysis.cooccurrence.Cooccurrence
        self.grid: Any = None  # fieldnotes.analysis.cooccurrence.PairGrid
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="co-view"):
            yield Static(id="co-title")
            yield DataTable(id="co-pairs", cursor_type="cell", zebra_stripes=False)
            yield Static(id="co-legend")
            yield Static(id="co-detail")
        yield Static(id="co-status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#co-pairs", DataTable).focus()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._repaint())
        self.reload()

    def on_resize(self, event: events.Resize) -> None:
        if self.data is not None and event.size.width != self._width:
            self.show(self.data)

    def _repaint(self) -> None:
        if self.data is not None:
            self.show(self.data)

    def reload(self) -> None:
        app: Any = self.app
        within = self.within

        def work() -> Any:
            from fieldnotes.analysis.cooccurrence import cooccurrence_in

            return cooccurrence_in(app.project, Filters(), within)

        app.db(work, self.show, group="cooccurrence", exclusive=True)

    def show(self, data: Any) -> None:
        from fieldnotes.analysis.cooccurrence import pair_grid

        self.data = data
        self.grid = pair_grid(data)
        self._width = self.size.width
        self.query_one("#co-title", Static).update(
            _("[b]Codes that meet[/b] · {within} · {n} pairs").format(
                within=_(WITHIN_NAMES[data.within]), n=len(data.pairs)))
        if self.grid_view:
            self._show_grid()
        else:
            self._show_list()
        self._detail()

    def _show_list(self) -> None:
        data = self.data
        table = self.query_one("#co-pairs", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        table.cursor_type, table.zebra_stripes, table.fixed_columns = "row", True, 0
        count_label, docs_label = _(COUNT_NAMES[data.within]), _("Documents")
        numbers = max([len(count_label), *(len(str(p.count)) for p in data.pairs)]) + max(
            len(docs_label), 3) + 4
        name_width = max(MIN_NAME, (self.size.width - numbers - 4 - 4) // 2)
        table.add_column(_("Code"), key="a")
        table.add_column(_("meets"), key="b")
        table.add_column(count_label, key="count")
        table.add_column(docs_label, key="documents")
        for index, pair in enumerate(data.pairs):
            table.add_row(Text(_cut(pair.code_a_path.rsplit("/", 1)[-1], name_width)),
                          Text(_cut(pair.code_b_path.rsplit("/", 1)[-1], name_width)),
                          Text(format_number(pair.count), justify="right", style="bold"),
                          Text(str(pair.documents), justify="right"), key=str(index))
        if data.pairs:
            table.move_cursor(row=min(row, len(data.pairs) - 1))
        self.query_one("#co-legend", Static).display = False
        self.query_one("#co-status", Static).update(
            _("Enter: where they meet · w: overlap / turn / paragraph · g: grid"))

    def _show_grid(self) -> None:
        grid = self.grid
        table = self.query_one("#co-pairs", DataTable)
        cursor = table.cursor_coordinate
        table.clear(columns=True)
        table.cursor_type, table.zebra_stripes, table.fixed_columns = "cell", False, 1
        dark = self.app.current_theme.dark
        counts = [[grid.count(a, b) for b in grid.codes] for a in grid.codes]
        scale = charts.scale_of(n for row in counts for n in row)
        size = len(grid.codes)
        digits = max([1, *(len(number(n)) for row in counts for n in row)])
        # the codes' names, numbered: the columns are those numbers
        names = [f"{index + 1:>{len(str(size))}} " + "  " * depth + path.rsplit("/", 1)[-1]
                 for index, (path, depth) in enumerate(zip(grid.paths, grid.depths(), strict=True))]
        room = self.size.width - size * (max(digits + 2, len(str(size))) + 2) - 6
        width = max(MIN_GRID_NAME, min(MAX_GRID_NAME, room, max((len(n) for n in names), default=0)))
        table.add_column(_("Code"), key="__code__")
        for index in range(size):
            table.add_column(Text(str(index + 1), justify="right"), key=str(index))
        for a, (name, row) in enumerate(zip(names, counts, strict=True)):
            cells: list[Any] = [Text(_cut(name, width), style="bold" if grid.depths()[a] == 0 else "")]
            for b, count in enumerate(row):
                if a == b:
                    cells.append(Text("╲", style="dim", justify="right"))
                elif count == 0:
                    cells.append(Text("·", style="dim", justify="right"))
                else:
                    cells.append(heat_cell(number(count).rjust(digits), scale.step(count), dark, width=1))
            table.add_row(*cells, key=str(a))
        if size:
            table.move_cursor(row=min(cursor.row, size - 1), column=max(1, min(cursor.column, size)))
            if cursor.row == 0 and cursor.column == 0 and grid.pairs:  # first time: the most frequent pair
                first = self.data.pairs[0]
                table.move_cursor(row=grid.codes.index(first.code_a), column=grid.codes.index(first.code_b) + 1)
        legend = self.query_one("#co-legend", Static)
        legend.display = True
        legend.update(heat_legend({0: scale}, dark, self.size.width - 2, names={0: _(COUNT_NAMES[grid.within])}))
        self.query_one("#co-status", Static).update(
            _("Enter: where they meet · w: overlap / turn / paragraph · g: list"))

    def _pair(self) -> Any | None:
        table = self.query_one("#co-pairs", DataTable)
        if self.data is None or table.row_count == 0:
            return None
        if not self.grid_view:
            if not self.data.pairs or table.cursor_row >= len(self.data.pairs):
                return None
            return self.data.pairs[table.cursor_row]
        row, column = table.cursor_coordinate.row, table.cursor_coordinate.column - 1
        codes = self.grid.codes
        if column < 0 or row >= len(codes) or column >= len(codes):
            return None
        return self.grid.pair(codes[row], codes[column])

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        pair = self._pair()
        detail = self.query_one("#co-detail", Static)
        if pair is None:
            if self.data is not None and not self.data.pairs:
                detail.update(_("No two codes meet here"))
            elif self.data is not None:
                detail.update(Text(_("These two codes do not meet here"), style="dim"))
            else:
                detail.update("")
            return
        codings = self.data.codings
        detail.update(Text.assemble(
            (pair.code_a_path, "bold"), f" ({codings.get(pair.code_a_path, 0)})  ×  ",
            (pair.code_b_path, "bold"), f" ({codings.get(pair.code_b_path, 0)})\n",
            (_("{count} times in {documents} documents; in brackets each code's codings").format(
                count=pair.count, documents=pair.documents), "dim")))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_drill()

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_drill()

    def action_within(self) -> None:
        self.within = WITHIN[(WITHIN.index(self.within) + 1) % len(WITHIN)]
        self.reload()

    def action_view(self) -> None:
        self.grid_view = not self.grid_view
        if self.data is not None:
            self.show(self.data)

    def action_drill(self) -> None:
        pair = self._pair()
        if pair is None:
            self.notify(_("No pair is highlighted"), severity="warning")
            return
        app: Any = self.app
        # what the table shows (a `w` not yet reloaded must not change the drill-down under its title)
        within = self.data.within if self.data is not None else self.within

        def work() -> list[Any]:
            from fieldnotes.analysis.cooccurrence import pair_excerpts_in

            return pair_excerpts_in(app.project, Filters(), within, pair.code_a, pair.code_b, context="sentence")

        def done(found: list[Any]) -> None:
            from fieldnotes.tui.screens.matrix import MatrixCellScreen

            filters = Filters(codes=[pair.code_a_path, pair.code_b_path], descendants=False)
            title = _("{a} × {b} · {within} · {count} times").format(
                a=pair.code_a_path, b=pair.code_b_path, within=_(WITHIN_NAMES[within]), count=pair.count)
            self.app.push_screen(MatrixCellScreen(title, found, filters))

        app.db(work, done, group="cooccurrence-pair")
