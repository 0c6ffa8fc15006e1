"""The pictures of the analysis, without a terminal: a heat scale per level of the codebook, bars,
sparklines, and the colours and glyphs they are drawn with.

The app draws its heat grids, rating trends and timeline with these, and a Word report can shade its
overview with the same scale (`level_scales`), so a cell is as dark in the report as on screen.

Every step of a scale has two cues: a colour and a glyph of rising density (░ ▒ ▓ █). The colour
palettes are chosen so that each step stays a distinct colour on a 16-colour terminal (checked in
the tests against Rich's reduction to the 16 standard colours), and the glyphs carry the scale alone
when colour is off (NO_COLOR) or printed in black and white.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: a scale's steps above zero
STEPS = 4
#: the glyph of each step, zero first: density rises with the value
GLYPHS = (" ", "░", "▒", "▓", "█")
#: steps 1-4 on a dark background: viridis (perceptually even, readable with colour-blindness), which
#: Rich reduces to four different colours on a 16-colour terminal (grey, cyan, green, yellow)
DARK_PALETTE = ("#3b528b", "#21918c", "#5ec962", "#fde725")
#: steps 1-4 on a light background: light to dark blue (reduced: white, grey, cyan, blue)
LIGHT_PALETTE = ("#deebf7", "#9ecae1", "#4292c6", "#08519c")
#: colours for categories (document kinds), from Okabe and Ito's palette for colour-blind readers: the
#: lighter ones on a dark background, the deeper ones on a light background
CATEGORY_DARK = ("#56b4e9", "#e69f00", "#009e73", "#cc79a7", "#f0e442")
CATEGORY_LIGHT = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#8c6d00")
#: eighths of a cell, for bars that grow left to right and sparklines that grow upwards
_HORIZONTAL = " ▏▎▍▌▋▊▉"
_VERTICAL = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Band:
    """One step of a scale as a legend shows it: values above `low` up to and including `high`."""

    step: int
    low: float  # exclusive
    high: float  # inclusive

    def whole(self) -> tuple[int, int] | None:
        """The whole numbers in the band as (first, last), or None when it holds none."""
        first, last = math.floor(self.low) + 1, math.floor(self.high)
        return (first, last) if first <= last else None


@dataclass(frozen=True)
class Scale:
    """Values from 0 to `top` in STEPS equal steps: a value above zero is in step ceil(value / top × STEPS)."""

    top: float
    steps: int = STEPS

    def step(self, value: float) -> int:
        """0 for nothing (zero, or an empty scale), else 1..steps; values above `top` are in the last step."""
        if value <= 0 or self.top <= 0:
            return 0
        return max(1, min(self.steps, math.ceil(value / self.top * self.steps - 1e-9)))

    def glyph(self, value: float) -> str:
        """The step's glyph (a space for nothing)."""
        return GLYPHS[min(STEPS, self.step(value))]

    def bands(self) -> list[Band]:
        """Each step's range of values, for the legend (none for an empty scale)."""
        if self.top <= 0:
            return []
        return [Band(step, self.top * (step - 1) / self.steps, self.top * step / self.steps)
                for step in range(1, self.steps + 1)]


def scale_of(values: Iterable[float]) -> Scale:
    """The scale whose top is the largest of `values` (an empty scale when there are none above zero)."""
    return Scale(max((float(v) for v in values), default=0.0))


def level_scales(depths: Sequence[int], rows: Sequence[Iterable[float]]) -> dict[int, Scale]:
    """One scale per level of the codebook: the rows of each depth against their own largest value, so
    that sub-codes (which count less than the area above them) are not all pale beside the areas.

    `depths[i]` is the depth of row i (0 for an area), `rows[i]` its cells (totals left out)."""
    tops: dict[int, float] = {}
    for depth, values in zip(depths, rows, strict=True):
        tops[depth] = max([tops.get(depth, 0.0), *(float(v) for v in values)])
    return {depth: Scale(top) for depth, top in sorted(tops.items())}


def palette(dark: bool) -> tuple[str, ...]:
    """The colours of steps 1..STEPS (as #rrggbb) on a dark or a light background."""
    return DARK_PALETTE if dark else LIGHT_PALETTE


def category_colour(index: int, dark: bool) -> str:
    """The colour of the index-th category (kinds in their order), repeating after five."""
    colours = CATEGORY_DARK if dark else CATEGORY_LIGHT
    return colours[index % len(colours)]


def colour(step: int, dark: bool) -> str | None:
    """A step's colour; None for step 0 (nothing: no shade)."""
    return palette(dark)[step - 1] if step > 0 else None


def _luminance(hex_colour: str) -> float:
    def channel(text: str) -> float:
        c = int(text, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    value = hex_colour.lstrip("#")
    red, green, blue = (channel(value[i:i + 2]) for i in (0, 2, 4))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_on(background: str) -> str:
    """Black or white, whichever reads better on the background (WCAG contrast)."""
    return "#000000" if contrast("#000000", background) >= contrast("#ffffff", background) else "#ffffff"


def blend(first: str, second: str, share: float) -> str:
    """The colour `share` of the way from `first` to `second` (#rrggbb)."""
    a, b = first.lstrip("#"), second.lstrip("#")
    return "#" + "".join(f"{round(int(a[i:i + 2], 16) * (1 - share) + int(b[i:i + 2], 16) * share):02x}"
                         for i in (0, 2, 4))


def glyph_colour(background: str) -> str:
    """The colour of a step's glyph on its background: the text colour softened towards the background,
    so the glyph reads as a texture beside the number rather than as a hole in the cell."""
    return blend(text_on(background), background, 0.45)


# --- bars and sparklines ------------------------------------------------------------------------------


def _share(value: float, low: float, high: float) -> float:
    return 0.0 if high <= low else max(0.0, min(1.0, (value - low) / (high - low)))


def bar(value: float, low: float, high: float, width: int) -> str:
    """A horizontal bar in eighths of a cell: `value` on the scale [low, high] across `width` cells
    (padded with spaces to `width`)."""
    eighths = round(_share(value, low, high) * width * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + (_HORIZONTAL[rest] if rest else "")).ljust(width)


def spark(value: float | None, low: float, high: float) -> str:
    """One cell of a sparkline: ▁ for `low` up to █ for `high`; a space when there is no value."""
    if value is None:
        return " "
    return _VERTICAL[min(len(_VERTICAL) - 1, round(_share(value, low, high) * (len(_VERTICAL) - 1)))]


def sparkline(values: Sequence[float | None], low: float, high: float) -> str:
    """One cell per value (`spark`)."""
    return "".join(spark(value, low, high) for value in values)


def column(value: float | None, low: float, high: float, height: int) -> list[str]:
    """A vertical bar `height` cells tall, top cell first, in eighths of a cell; a value at `low` still
    shows as the thinnest bar (so a rating of 1 is not mistaken for no rating), None as empty cells."""
    if value is None:
        return [" "] * height
    eighths = min(height * 8, max(1, round(_share(value, low, high) * height * 8)))
    full, rest = divmod(eighths, 8)
    top = [_VERTICAL[rest - 1]] if rest else []
    return [" "] * (height - full - len(top)) + top + ["█"] * full


def direction(first: float | None, last: float | None, *, tolerance: float = 0.25) -> str:
    """↑ when `last` is above `first` by more than `tolerance`, ↓ when below, → otherwise, and a space
    when either is missing: the trend of a rating between the first and the last phase with ratings."""
    if first is None or last is None:
        return " "
    if last - first > tolerance:
        return "↑"
    if first - last > tolerance:
        return "↓"
    return "→"


def first_and_last(values: Sequence[float | None]) -> tuple[float | None, float | None]:
    """The first and the last value that is not None (None, None when there is none)."""
    present = [v for v in values if v is not None]
    return (present[0], present[-1]) if present else (None, None)
