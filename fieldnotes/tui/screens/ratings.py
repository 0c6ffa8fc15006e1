"""Rating trends: a scaled code's ratings (the belief in a citizen's job chance, 1–5) as small
multiples, one bar group per municipality with a bar per phase, so a lead sees at a glance whether
belief rises in one municipality and falls in another. Each group names its first and last mean and
an arrow; the last group is every municipality together. The bars are numbered by phase; a line under
the title gives each phase its months ("Fase 1 (feb.–jul. 2025)"), which would not fit under a bar.

Keys: n / p the next or previous code with a scale · esc back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from fieldnotes.tui.i18n import N_, _, number
from fieldnotes.tui.screens.back import go_back
from fieldnotes.tui.widgets.drawing import bar_group, bar_group_width, phase_legend
from fieldnotes.tui.widgets.footer import Footer

#: a bar is this many cells wide at least and at most, and this many rows tall
BAR_WIDTHS = (3, 9)
BAR_HEIGHTS = (4, 12)
#: a group's title is its name and this many cells more ("  2,8 → 3,6 ↑")
TITLE = 13
#: lines of a bar group besides its bars (title, phases, means, counts) and the gap below it
GROUP_LINES = 5


@dataclass
class RatingsData:
    codes: list[str]  # the codes with a scale (or with sub-codes that have one), in codebook order
    grid: Any | None  # fieldnotes.analysis.ratings.RatingGrid for the shown code
    error: str | None = None


def rateable_codes(tree: Any) -> list[str]:
    """Every code whose ratings can be summarised: it or a sub-code has a scale (codebook order)."""
    scaled = {node.id for node in tree.nodes.values() if node.scale_min is not None}
    return [tree.path(node.id) for node in tree.walk() if scaled & set(tree.descendants(node.id))]


def layout(groups: int, columns: int, name: int, scale: tuple[int, int], width: int,
           height: int) -> tuple[int, int, int]:
    """How to lay out the bar groups in `width` × `height` cells: (groups per row, bar width, bar height).
    As many groups side by side as fit with the narrowest bars (all of them, so a rise and a fall are
    seen together), then the bars as wide and as tall as the room allows."""
    narrowest = max(bar_group_width(columns, BAR_WIDTHS[0], scale), name + TITLE)
    per_row = max(1, min(groups, width // (narrowest + 3)))
    room = width // per_row - 3
    bar_width = BAR_WIDTHS[0]
    while bar_width < BAR_WIDTHS[1] and bar_group_width(columns, bar_width + 1, scale) <= room:
        bar_width += 1
    rows = -(-groups // per_row)
    bar_height = max(BAR_HEIGHTS[0], min(BAR_HEIGHTS[1], height // rows - GROUP_LINES))
    return per_row, bar_width, bar_height


class RatingsScreen(Screen[None]):
    BINDINGS = [
        Binding("n", "step(1)", N_("Next code"), tooltip=N_("The next code with a rating scale")),
        Binding("p", "step(-1)", N_("Previous code"), show=False, tooltip=N_("The previous code with a rating scale")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, code: str | None = None, *, rollup: bool = True) -> None:
        super().__init__()
        self.code = code
        self.rollup = rollup
        self.data: RatingsData | None = None
        self._shown_size = (0, 0)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="rt-title")
        with VerticalScroll(id="rt-view"):
            yield Static(id="rt-panels")
        yield Static(_("n p another code · esc back"), classes="status", id="rt-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#rt-view").focus()
        self.reload()

    def on_resize(self, event: events.Resize) -> None:
        if self.data is not None and (event.size.width, event.size.height) != self._shown_size:
            self.show(self.data)

    def reload(self) -> None:
        app: Any = self.app
        wanted, rollup = self.code, self.rollup

        def work() -> RatingsData:
            from fieldnotes.analysis.ratings import rating_grid
            from fieldnotes.codebook.tree import CodeTree
            from fieldnotes.errors import FieldnotesError

            with app.project.read() as session:
                codes = rateable_codes(CodeTree.load(session))
                code = wanted if wanted in codes else (codes[0] if codes else None)
                if code is None:
                    return RatingsData(codes, None, _("No code has a rating scale"))
                try:
                    return RatingsData(codes, rating_grid(session, code, descendants=rollup))
                except FieldnotesError as failure:  # no fieldwork start date: no phases
                    return RatingsData(codes, None, str(failure))

        app.db(work, self.show, group="rating-trends", exclusive=True)

    def show(self, data: RatingsData) -> None:
        self.data = data
        self._shown_size = (self.size.width, self.size.height)
        title = self.query_one("#rt-title", Static)
        panels = self.query_one("#rt-panels", Static)
        grid = data.grid
        if grid is None:
            title.update(Text(data.error or "", style="italic"))
            panels.update("")
            return
        self.code = grid.code_path
        low, high = grid.scale
        heading = Text.from_markup(
            _("[b]Rating trends · {code}[/b] · mean per phase on the scale {low}–{high} · {n} ratings").format(
                code=escape(grid.code_path.rsplit("/", 1)[-1]), low=low, high=high, n=number(grid.total.count)))
        legend = phase_legend(grid.columns, grid.start, max(30, self.size.width - 2))
        title.update(Text("\n").join([heading, legend]))
        legend_lines = len(legend.plain.splitlines())
        theme = self.app.current_theme
        groups: list[tuple[str, list[Any], str | None]] = [
            (row, [grid.cells[row][c] for c in grid.columns], theme.primary) for row in grid.rows]
        groups.append((_("All municipalities"), [grid.column_totals[c] for c in grid.columns], theme.accent))
        per_row, bar_width, height = layout(len(groups), len(grid.columns), max(len(g[0]) for g in groups),
                                            grid.scale, self.size.width - 4, self.size.height - 5 - legend_lines)
        width = max(bar_group_width(len(grid.columns), bar_width, grid.scale),
                    *(len(name) + TITLE for name, _stats, _colour in groups))
        table = Table.grid(padding=(0, 3, 1, 0))
        for _index in range(per_row):
            table.add_column(width=width, no_wrap=True)
        cells = [bar_group(name, stats, grid.columns, grid.scale, theme, height=height, bar_width=bar_width,
                           colour=colour) for name, stats, colour in groups]
        for at in range(0, len(cells), per_row):
            row = cells[at:at + per_row]
            table.add_row(*row, *([""] * (per_row - len(row))))
        panels.update(table)

    def action_step(self, step: int) -> None:
        if self.data is None or not self.data.codes:
            return
        codes = self.data.codes
        at = codes.index(self.code) if self.code in codes else 0
        self.code = codes[(at + step) % len(codes)]
        self.reload()

    def action_back(self) -> None:
        go_back(self)
