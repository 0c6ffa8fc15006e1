"""The report's figures drawn as pictures for print: matplotlib on its Agg canvas, at 300 dpi.

Imported only when a report asks for charts (matplotlib takes about half a second to load), and it
never touches pyplot's global state, so it is safe in a worker thread.

Everything survives a grayscale printer: the heat maps use the analysis package's single-hue scale
(`analysis.charts.LIGHT_PALETTE`, whose steps get darker in gray as well as in colour), with a hatch of
rising density as a second cue and the count written in every cell; the trend lines differ by marker
and line style as well as by colour (viridis, which is ordered in lightness).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from fieldnotes.analysis.charts import LIGHT_PALETTE, Scale, blend, level_scales, scale_of, text_on
from fieldnotes.export.labels import Labels
from fieldnotes.translations import format_number

if TYPE_CHECKING:
    from fieldnotes.export.figures import HeatFigure, PairFigure, TrendFigure

DPI = 300
CM = 1 / 2.54  # inches
FONT = "DejaVu Sans"  # ships with matplotlib, and has æ, ø and å
INK = "#262626"
RULE = "#bfbfbf"
#: a step's hatch, zero first: denser for more, so the scale reads without colour
HATCHES = (None, None, "....", "////", "xxxx")
#: the trend lines' second and third cues
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINE_STYLES = ("-", "--", ":", "-.")


@dataclass
class Picture:
    png: bytes
    width_cm: float
    height_cm: float


def _figure(width_cm: float, height_cm: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_cm * CM, height_cm * CM), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Any, width_cm: float, height_cm: float) -> Picture:
    from PIL import Image  # matplotlib's own dependency

    drawn = io.BytesIO()
    figure.savefig(drawn, format="png", dpi=DPI, facecolor="white")
    buffer = io.BytesIO()  # without the alpha channel, which nothing uses: a third smaller
    Image.open(drawn).convert("RGB").save(buffer, format="png", dpi=(DPI, DPI), optimize=True)
    return Picture(buffer.getvalue(), width_cm, height_cm)


def _style() -> Any:
    import matplotlib

    return matplotlib.rc_context({"font.family": FONT, "font.size": 7.5, "hatch.linewidth": 0.5,
                                  "text.color": INK, "axes.edgecolor": RULE, "axes.labelcolor": INK,
                                  "xtick.color": INK, "ytick.color": INK, "svg.fonttype": "none"})


EMPTY = "#f5f5f5"  # a cell with nothing: the faintest gray, so the grid still reads as a grid


def step_colour(step: int) -> str:
    """A step's fill: the faintest gray for nothing, then LIGHT_PALETTE's steps (light to dark)."""
    return EMPTY if step <= 0 else LIGHT_PALETTE[min(step, len(LIGHT_PALETTE)) - 1]


def gray(colour: str) -> float:
    """The colour as a grayscale printer prints it (luma, 0 black to 1 white)."""
    value = colour.lstrip("#")
    red, green, blue = (int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.299 * red + 0.587 * green + 0.114 * blue


def _short(text: str, width: int) -> str:
    return textwrap.shorten(text, width=width, placeholder="…") if len(text) > width else text


def _cell(axes: Any, x: float, y: float, value: int, scale: Scale, lang: str, *, bold: bool = False) -> None:
    """One shaded cell with its hatch and its count."""
    from matplotlib.patches import Rectangle

    step = scale.step(value)
    fill = step_colour(step)
    axes.add_patch(Rectangle((x, y), 1, 1, facecolor=fill, edgecolor="white", linewidth=1.2))
    hatch = HATCHES[min(step, len(HATCHES) - 1)]
    if hatch:
        axes.add_patch(Rectangle((x + 0.04, y + 0.06), 0.92, 0.88, facecolor="none", linewidth=0,
                                 edgecolor=blend(fill, text_on(fill), 0.35), hatch=hatch))
    if value > 0:
        axes.text(x + 0.5, y + 0.5, format_number(value, lang), ha="center", va="center", color=text_on(fill),
                  fontsize=7, fontweight="bold" if bold else "normal",
                  bbox={"boxstyle": "round,pad=0.15", "facecolor": fill, "edgecolor": "none"} if hatch else None)


def _legend(figure: Any, left: float, bottom: float, _: Labels) -> None:
    """Four swatches, fewer to more, at (left, bottom) in figure fractions."""
    axes = figure.add_axes((left, bottom, 0.28, 0.035))
    axes.set_xlim(-2.2, 6.5)
    axes.set_ylim(0, 1)
    axes.axis("off")
    from matplotlib.patches import Rectangle

    for step in range(1, 5):
        fill = step_colour(step)
        x = step - 1 + 0.1 * step
        axes.add_patch(Rectangle((x, 0), 1, 1, facecolor=fill, edgecolor=RULE, linewidth=0.4))
        hatch = HATCHES[step]
        if hatch:
            axes.add_patch(Rectangle((x, 0), 1, 1, facecolor="none", linewidth=0,
                                     edgecolor=blend(fill, text_on(fill), 0.35), hatch=hatch))
    axes.text(-0.2, 0.5, _("fewer"), ha="right", va="center", fontsize=7)
    axes.text(4.6, 0.5, _("more"), ha="left", va="center", fontsize=7)


def heat_map(data: HeatFigure, _: Labels) -> Picture:
    """Codes down, municipalities across, each level of codes shaded on its own scale."""
    rows, columns = len(data.rows), len(data.columns)
    label_cm, width_cm = 6.2, 16.0
    cell_cm = min(2.2, (width_cm - label_cm - 0.4) / max(1, columns))
    row_cm = min(0.6, 15.5 / max(1, rows))
    head_cm, foot_cm = 1.1, 1.0
    height_cm = head_cm + rows * row_cm + foot_cm
    scales = level_scales([depth for _name, depth in data.rows], data.cells)
    with _style():
        figure = _figure(width_cm, height_cm)
        grid_w, grid_h = columns * cell_cm, rows * row_cm
        axes = figure.add_axes((label_cm / width_cm, foot_cm / height_cm, grid_w / width_cm, grid_h / height_cm))
        axes.set_xlim(0, columns)
        axes.set_ylim(rows, 0)
        axes.axis("off")
        for r, ((name, depth), values) in enumerate(zip(data.rows, data.cells, strict=True)):
            left = -(label_cm - 0.2 - 0.35 * depth) / cell_cm
            axes.text(left, r + 0.5, _short(name, 44 - 3 * depth), ha="left", va="center",
                      fontsize=7.5, fontweight="bold" if depth == 0 else "normal")
            for c, value in enumerate(values):
                _cell(axes, c, r, value, scales[depth], _.lang, bold=depth == 0)
        for c, label in enumerate(data.columns):
            axes.text(c + 0.5, -0.25, _short(label, 16), ha="center" if columns <= 6 else "left", va="bottom",
                      rotation=0 if columns <= 6 else 35, fontsize=7.5, fontweight="bold")
        _legend(figure, label_cm / width_cm, 0.25 / height_cm, _)
        return _png(figure, width_cm, height_cm)


def series_style(index: int, count: int) -> tuple[str, str, str]:
    """The colour (viridis from dark to light-green, evenly apart), marker and line style of the index-th of
    `count` lines: three cues, so no two lines look alike in gray."""
    from matplotlib import colormaps

    colour = colormaps["viridis"](0.85 * index / max(1, count - 1))
    hex_colour = "#" + "".join(f"{round(channel * 255):02x}" for channel in colour[:3])
    return hex_colour, MARKERS[index % len(MARKERS)], LINE_STYLES[index % len(LINE_STYLES)]


def trends(data: TrendFigure, _: Labels) -> Picture:
    """One line per municipality: the mean rating in each phase, gaps where a phase has none."""
    with _style():
        figure, width_cm, height_cm = trend_figure(data, _)
        return _png(figure, width_cm, height_cm)


def trend_figure(data: TrendFigure, _: Labels) -> tuple[Any, float, float]:
    """The trend chart as a matplotlib figure, with its width and height in cm. Each phase is named with its
    months on two lines ("Fase 1" over "feb.–jul. 2025"); where that many labels would touch they slant,
    and the figure grows downwards to hold them and the legend beneath."""
    width_cm, top_cm, plot_cm, gap_cm = 16.0, 0.34, 6.12, 0.25
    left_cm, right_cm = 1.44, 0.48
    low, high = data.scale
    with _style():
        figure = _figure(width_cm, 8.5)
        axes = figure.add_axes((left_cm / width_cm, 0.24, 1 - (left_cm + right_cm) / width_cm, 0.72))
        xs = list(range(len(data.phases)))
        for index, (name, means) in enumerate(data.series):
            colour, marker, line = series_style(index, len(data.series))
            ys = [float("nan") if m is None else m for m in means]
            axes.plot(xs, ys, color=colour, marker=marker, linestyle=line, linewidth=1.6, markersize=6,
                      markeredgecolor="white", markeredgewidth=0.6, label=name)
        axes.set_xticks(xs, [_.phase(p, data.start, two_lines=True) for p in data.phases])
        axes.set_yticks(list(range(low, high + 1)), [format_number(v, _.lang) for v in range(low, high + 1)])
        axes.set_ylim(low - 0.3, high + 0.3)
        axes.set_xlim(-0.3, max(0.3, len(xs) - 0.7))
        axes.set_ylabel(_("Mean rating"))
        axes.grid(axis="y", color="#e6e6e6", linewidth=0.6)
        axes.set_axisbelow(True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        legend = axes.legend(loc="upper center", ncol=min(4, len(data.series)), frameon=False, handlelength=3.2)
        renderer = figure.canvas.get_renderer()
        cm_per_pixel = 2.54 / DPI
        ticks = axes.get_xticklabels()
        boxes = [tick.get_window_extent(renderer) for tick in ticks]
        if any(a.x1 + gap_cm / cm_per_pixel > b.x0 for a, b in pairwise(boxes)):
            for tick in ticks:
                tick.set(rotation=30, horizontalalignment="right", rotation_mode="anchor")
            overhang = -min(tick.get_window_extent(renderer).x0 for tick in ticks) * cm_per_pixel
            left_cm += max(0.0, overhang + 0.15)  # the first label slants out past the left edge: move in
        else:
            overhang = (max(box.x1 for box in boxes) - figure.bbox.width) * cm_per_pixel
            right_cm += max(0.0, overhang + 0.1)  # the last label runs out past the right edge: move in
        axes_bottom = axes.get_window_extent(renderer).y0
        depth_cm = max((axes_bottom - tick.get_window_extent(renderer).y0) * cm_per_pixel for tick in ticks)
        legend_cm = legend.get_window_extent(renderer).height * cm_per_pixel
        height_cm = top_cm + plot_cm + depth_cm + gap_cm + legend_cm + 0.15
        figure.set_size_inches(width_cm * CM, height_cm * CM)
        axes.set_position(((left_cm / width_cm), 1 - (top_cm + plot_cm) / height_cm,
                           1 - (left_cm + right_cm) / width_cm, plot_cm / height_cm))
        legend.set_bbox_to_anchor((0.5, (legend_cm + 0.15) / height_cm), transform=figure.transFigure)
        return figure, width_cm, height_cm


def pair_grid(data: PairFigure, _: Labels) -> Picture:
    """The lower half of the code × code grid; rows are named and numbered, columns numbered."""
    count = len(data.names)
    label_cm, width_cm = 6.8, 16.0
    cell_cm = min(1.0, (width_cm - label_cm - 0.4) / max(1, count))
    head_cm, foot_cm = 0.4, 1.4
    height_cm = head_cm + count * cell_cm + foot_cm
    values = [v for r, row in enumerate(data.cells) for c, v in enumerate(row) if c < r]
    scale = scale_of(values)
    with _style():
        figure = _figure(width_cm, height_cm)
        size = count * cell_cm
        axes = figure.add_axes((label_cm / width_cm, foot_cm / height_cm, size / width_cm, size / height_cm))
        axes.set_xlim(0, count)
        axes.set_ylim(count, 0)
        axes.axis("off")
        for r, name in enumerate(data.names):
            axes.text(-0.15, r + 0.5, f"{_short(name, 40)}  {r + 1}", ha="right", va="center", fontsize=7.5)
            axes.text(r + 0.5, count + 0.15, str(r + 1), ha="center", va="top", fontsize=7.5)
            for c in range(r):
                _cell(axes, c, r, data.cells[r][c], scale, _.lang)
        _legend(figure, label_cm / width_cm, 0.2 / height_cm, _)
        return _png(figure, width_cm, height_cm)


def grays(colours: Sequence[str]) -> list[float]:
    return [gray(c) for c in colours]
