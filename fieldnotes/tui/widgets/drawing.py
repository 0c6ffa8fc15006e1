"""Drawing the analysis's pictures as Rich text: heat cells and their legend, rating small multiples and
the fieldwork timeline. The numbers, scales, glyphs and colours come from `fieldnotes.analysis.charts`
(Textual-free and tested there); this module only lays them out.

Every picture has a second cue besides colour: heat cells carry a glyph of rising density (░ ▒ ▓ █)
and the top steps are bold; rating trends carry an arrow (↑ ↓ →) and their numbers. So they read on a
16-colour terminal and with colour off (NO_COLOR).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text

from fieldnotes.analysis import charts
from fieldnotes.tui.i18n import _, number

#: a heat cell's glyph is drawn this many cells wide, before the number
SWATCH = 2


def heat_style(step: int, dark: bool) -> str:
    """A shaded cell's style: the step's colour behind black or white text, bold in the top two steps."""
    background = charts.colour(step, dark)
    if background is None:
        return "dim"
    return f"{charts.text_on(background)} on {background}" + (" bold" if step > charts.STEPS // 2 else "")


def glyph_style(step: int, dark: bool) -> str:
    """A step's glyph: softened text colour on the step's colour."""
    background = charts.colour(step, dark)
    if background is None:
        return "dim"
    return f"{charts.glyph_colour(background)} on {background}"


def swatch(step: int, dark: bool, width: int = SWATCH) -> Text:
    """A step's glyph, `width` cells wide, on its colour."""
    return Text(charts.GLYPHS[step] * width, style=glyph_style(step, dark))


def heat_cell(shown: str, step: int, dark: bool, width: int = SWATCH) -> Text:
    """A number with its step's glyph before it, on its step's colour (right-aligned by the table)."""
    text = swatch(step, dark, width)
    text.append(f" {shown}", style=heat_style(step, dark))
    text.justify = "right"
    return text


def level_name(depth: int) -> str:
    if depth == 0:
        return _("Areas")
    if depth == 1:
        return _("Sub-codes")
    return _("Level {n}").format(n=depth + 1)


def band_text(band: charts.Band, percent: bool) -> str:
    """A legend entry's range: 1–8 (whole numbers), or up to 25 % (percentages)."""
    if percent:
        return _("≤{n} %").format(n=number(band.high))
    found = band.whole()
    if found is None:
        return ""
    first, last = found
    return number(first) if first == last else f"{number(first)}–{number(last)}"


def legend_part(name: str, scale: charts.Scale, dark: bool, *, percent: bool = False) -> Text:
    """One scale's legend: its name, then each step's swatch and range (steps holding no whole number
    are left out)."""
    text = Text(f"{name} ", style="bold")
    for band in scale.bands():
        shown = band_text(band, percent)
        if not shown:
            continue
        text.append_text(swatch(band.step, dark))
        text.append(f" {shown}  ")
    text.rstrip()
    return text


def heat_legend(scales: dict[int, charts.Scale], dark: bool, width: int, *, percent: bool = False,
                names: dict[int, str] | None = None) -> Text:
    """The legend of one scale per level: on one line when it fits in `width`, else a line per level."""
    parts = [legend_part((names or {}).get(depth) or level_name(depth), scale, dark, percent=percent)
             for depth, scale in scales.items() if scale.top > 0]
    if not parts:
        return Text(_("Nothing to shade"), style="dim")
    joined = Text("   ").join(parts)
    return joined if joined.cell_len <= width else Text("\n").join(parts)


# --- ratings as small multiples ------------------------------------------------------------------------


def mean_text(value: float | None) -> str:
    return "–" if value is None else number(value, 1)


def trend_words(means: Sequence[float | None]) -> tuple[str, str]:
    """The arrow and "2,8 → 3,9" for a row of means (first and last phase with ratings)."""
    first, last = charts.first_and_last(means)
    arrow = charts.direction(first, last)
    if first is None:
        return arrow, "–"
    return arrow, f"{mean_text(first)} → {mean_text(last)}"


def arrow_style(arrow: str, theme: Any) -> str:
    colours = {"↑": theme.success, "↓": theme.error}
    found = colours.get(arrow)
    return f"bold {found}" if found else "bold"


def phase_legend(columns: Sequence[str], start: Any, width: int) -> Text:
    """The phases a chart numbers, each with its months: "Fase 1 (feb.–jul. 2025) · Fase 2 (…)", in lines
    of at most `width` cells that break only between phases."""
    from fieldnotes.analysis.columns import phase_label

    lines: list[str] = []
    for label in (phase_label(column, start) for column in columns):
        if lines and len(lines[-1]) + 3 + len(label) <= width:
            lines[-1] += " · " + label
        else:
            lines.append(label)
    return Text("\n".join(lines), style="dim")


def spark_row(grid: Any, row: str, theme: Any, name_width: int) -> Text:
    """One municipality as a line: name, a sparkline of its mean per phase (each phase two cells), the
    first and last mean with an arrow, and how many ratings."""
    low, high = grid.scale
    means = grid.means(row)
    text = Text(row[:name_width].ljust(name_width) + " ")
    for value in means:
        text.append(charts.spark(value, low, high) if value is not None else "·",
                    style=theme.primary if value is not None else "dim")
        text.append(" ")
    arrow, words = trend_words(means)
    text.append(f" {words} ")
    text.append(arrow, style=arrow_style(arrow, theme))
    text.append("  " + _("n {n}").format(n=number(grid.row_totals[row].count)), style="dim")
    return text


def spark_rows(grid: Any, theme: Any) -> Text:
    """Every row of a rating grid as a sparkline, under a line naming the phases."""
    name_width = max([8, *(len(row) for row in grid.rows)])
    head = Text(" " * (name_width + 1), style="dim")
    head.append(" ".join(label[:1] for label in grid.columns), style="dim")
    lines = [head, *(spark_row(grid, row, theme, name_width) for row in grid.rows)]
    return Text("\n").join(lines)


def bar_group(name: str, stats: Sequence[Any], columns: Sequence[str], scale: tuple[int, int], theme: Any, *,
              height: int, bar_width: int, colour: str | None = None) -> Text:
    """One municipality's small multiple: a bar per phase for its mean rating on the scale (the scale's
    ends marked on the left), each phase's mean and number of ratings beneath, and the trend above.
    `stats` are RatingStats, one per column."""
    low, high = scale
    means = [s.mean for s in stats]
    arrow, words = trend_words(means)
    step = bar_width + 1
    axis = max(len(str(low)), len(str(high)), len(_("n")))
    title = Text(f"{name}  ", style="bold")
    title.append(words + " ")
    title.append(arrow, style=arrow_style(arrow, theme))
    lines = [title]
    bars = [charts.column(value, low, high, height) for value in means]
    for level in range(height):
        mark = str(high) if level == 0 else (str(low) if level == height - 1 else "")
        line = Text(mark.rjust(axis) + (" ┤" if mark else " │"), style="dim")
        for cells in bars:
            line.append(" ")
            line.append(cells[level] * bar_width, style=colour or theme.primary)
        lines.append(line)
    phases = Text(" " * (axis + 2), style="dim")
    counts = Text(_("n").rjust(axis) + "  ", style="dim")
    means_line = Text(" " * (axis + 2))
    for column, item in zip(columns, stats, strict=True):
        phases.append(column[:step - 1].rjust(step), style="dim")
        counts.append(number(item.count)[:step - 1].rjust(step), style="dim")
        means_line.append(mean_text(item.mean)[:step - 1].rjust(step))
    lines += [phases, means_line, counts]
    return Text("\n").join(lines)


def bar_group_width(columns: int, bar_width: int, scale: tuple[int, int]) -> int:
    """How wide `bar_group` draws its bars (the title can be wider)."""
    return max(len(str(scale[0])), len(str(scale[1])), len(_("n"))) + 2 + columns * (bar_width + 1)


# --- the fieldwork timeline -----------------------------------------------------------------------------


def kind_style(index: int, theme: Any) -> str:
    """The colour of the index-th document kind (a colour-blind-safe palette for the theme)."""
    return charts.category_colour(index, bool(theme.dark))
