"""The fieldwork timeline: documents per municipality over the study's months, by kind, so a lead sees
where fieldwork is thin and how the material spreads over the phases.

Each municipality's line counts its documents a month, shaded like the matrix (a glyph of rising
density in each cell); the lines below it split that by kind (interview, observation, minutes).
A document linked to two municipalities counts in both.

Keys: k shows or hides the kinds · esc back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.screen import Screen
from textual.widgets import Header, Static

from fieldnotes.analysis import charts
from fieldnotes.tui.i18n import N_, _, kind_label, number
from fieldnotes.tui.screens.back import go_back
from fieldnotes.tui.widgets.drawing import heat_cell, heat_legend, heat_style, kind_style
from fieldnotes.tui.widgets.footer import Footer

MONTHS = (N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"), N_("Jul"), N_("Aug"), N_("Sep"),
          N_("Oct"), N_("Nov"), N_("Dec"))
NONE = "(none)"


def phase_mark(phase: int, start: dt.date | None, span: int) -> str:
    """A phase's mark on the months' axis: with its months where its `span` of cells holds them
    ("Fase 1 (feb.–jul. 2025)"), else just "Fase 1" (the months above say when)."""
    from fieldnotes.analysis.columns import phase_title

    dated = phase_title(phase, start)
    return dated if len(dated) <= span else phase_title(phase, None)


class TimelineScreen(Screen[None]):
    BINDINGS = [
        Binding("k", "kinds", N_("Kinds"), tooltip=N_("Show or hide each municipality's documents by kind")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.kinds = True
        self.data: Any = None  # fieldnotes.analysis.timeline.Timeline
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="tl-title")
        with ScrollableContainer(id="tl-view"):
            yield Static(id="tl-chart")
        yield Static(id="tl-legend")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#tl-view").focus()
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

        def work() -> Any:
            from fieldnotes.analysis.timeline import timeline

            with app.project.read() as session:
                return timeline(session)

        app.db(work, self.show, group="timeline", exclusive=True)

    def show(self, data: Any) -> None:
        self.data = data
        self._width = self.size.width
        theme = self.app.current_theme
        dark = theme.dark
        months = data.months
        self.query_one("#tl-title", Static).update(Text.from_markup(
            _("[b]Fieldwork timeline[/b] · documents per municipality and month · {n} documents").format(
                n=number(data.documents))))
        if not months:
            self.query_one("#tl-chart", Static).update(Text(_("No document has a date yet"), style="italic"))
            self.query_one("#tl-legend", Static).update("")
            return
        names = [self._row_name(row) for row in data.rows] + ["  " + kind_label(k) for k in data.kinds]
        label = max(len(name) for name in names) + 1
        total = max(len(_("Total")), *(len(number(data.row_total(row))) for row in data.rows)) + 1
        cell = max(2, min(5, (self.size.width - label - total - 8) // len(months)))
        scale = charts.scale_of(data.month_total(row, month) for row in data.rows for month in months)
        lines = [*self._axis(data, label, cell)]
        for row in data.rows:
            line = Text(self._row_name(row).ljust(label), style="bold")
            for month in months:
                count = data.month_total(row, month)
                step = scale.step(count)
                # a glyph of rising density before the number where there is room (the number is the cue without colour)
                if not count:
                    line.append("·".rjust(cell - 1), style="dim")
                elif cell > 3:
                    line.append_text(heat_cell(number(count).rjust(cell - 3), step, dark, width=1))
                else:
                    line.append(number(count).rjust(cell - 1)[-(cell - 1):], style=heat_style(step, dark))
                line.append(" ")
            line.append(number(data.row_total(row)).rjust(total), style="bold")
            undated = data.undated.get(row, 0)
            if undated:
                line.append("  " + _("{n} undated").format(n=number(undated)), style="dim")
            lines.append(line)
            if not self.kinds:
                continue
            for index, kind in enumerate(data.kinds):
                counts = data.counts[row][kind]
                line = Text(("  " + kind_label(kind)).ljust(label), style="dim")
                for month in months:
                    count = counts.get(month, 0)
                    line.append((number(count) if count else "·").rjust(cell - 1)[: cell - 1],
                                style=kind_style(index, theme) if count else "dim")
                    line.append(" ")
                line.append(number(sum(counts.values())).rjust(total), style="dim")
                lines.append(line)
        self.query_one("#tl-chart", Static).update(Text("\n").join(lines))
        legend = heat_legend({0: scale}, dark, self.size.width - 2, names={0: _("Documents a month")})
        if self.kinds:
            legend.append("   ")
            for index, kind in enumerate(data.kinds):
                legend.append("■ ", style=kind_style(index, theme))
                legend.append(kind_label(kind) + "  ")
        self.query_one("#tl-legend", Static).update(legend)

    @staticmethod
    def _row_name(row: str) -> str:
        return _("(no municipality)") if row == NONE else row

    def _axis(self, data: Any, label: int, cell: int) -> list[Text]:
        """Three lines over the months: the year where it starts, each month, and each phase where it starts."""
        width = label + cell * len(data.months) + 8  # a label at the last month runs on past it
        years, phases = [" "] * width, [" "] * width
        months = Text(" " * label, style="dim")
        last_phase: int | None = None
        marked = 0
        start = dt.date.fromisoformat(data.start) if data.start else None
        for index, month in enumerate(data.months):
            at = label + index * cell
            year, number_of_month = month[:4], int(month[5:])
            if index == 0 or number_of_month == 1:
                years[at:at + len(year)] = year
            name = _(MONTHS[number_of_month - 1])
            months.append((name[:cell - 1] if cell > 2 else name[:1]).ljust(cell))
            phase = data.phases[index]
            if phase is not None and phase != last_phase:
                span = cell * sum(1 for p in data.phases[index:index + 6] if p == phase) - 1
                mark = phase_mark(phase, start, span) if cell >= 3 else str(phase)
                phases[at:at + len(mark)] = mark
                marked = at + len(mark)
            elif phase is not None and at >= marked:  # a line on, where the mark (spaces and all) has ended
                phases[at:at + cell - 1] = "─" * (cell - 1)
            last_phase = phase
        return [Text("".join(years[:width]).rstrip(), style="bold"), months,
                Text("".join(phases[:width]).rstrip(), style="dim")]

    def action_kinds(self) -> None:
        self.kinds = not self.kinds
        self._repaint()

    def action_back(self) -> None:
        go_back(self)
