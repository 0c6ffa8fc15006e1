"""The reader: a read-only, soft-wrapping text area that paints codings in their code's colour.

TextArea renders only the visible lines, so long documents open at once. Codings are painted by
filling TextArea's highlight map (private API, pinned by the Textual version range and covered by a
snapshot test). Its columns are UTF-8 byte offsets within a line, not characters, so every span is
converted: without that, each æ, ø or å before a span would shift the paint by one cell.

Where codings overlap, the segment is underlined and bold, and the side panel lists every coding at
the cursor.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence

from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.widgets import TextArea
from textual.widgets.text_area import Selection, TextAreaTheme

from fieldnotes.queries.overview import CodingMark
from fieldnotes.text import line_starts

THEME = "fieldnotes"


def _text_colour(background: str) -> str:
    red, green, blue = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    return "#000000" if (0.299 * red + 0.587 * green + 0.114 * blue) > 150 else "#ffffff"


def _utf8_offset(line: str, column: int) -> int:
    """The UTF-8 byte offset of a character column (plain ASCII lines need no encoding)."""
    return column if line.isascii() else len(line[:column].encode("utf-8"))


class CodedText(TextArea):
    """The document text with its codings painted. Offsets are code points over the stored text."""

    BINDINGS = [
        Binding("ctrl+z", "app.undo", show=False, priority=True),
        Binding("ctrl+y", "app.redo", show=False, priority=True),
    ]

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(text, read_only=True, soft_wrap=True, show_line_numbers=False, id=id,
                         highlight_cursor_line=False)
        self._marks: list[CodingMark] = []
        self._starts: list[int] = line_starts(text)
        self._styles: dict[str, Style] = {}
        self._paint_map: dict[int, list[tuple[int, int, str]]] = {}
        self.register_theme(TextAreaTheme(name=THEME, syntax_styles={}))
        self.theme = THEME

    def _watch_show_vertical_scrollbar(self) -> None:
        """TextArea rewraps the whole text when its scrollbar appears; with the stable gutter the reader's
        style keeps, the width is unchanged, and a 100,000-character text is not wrapped twice."""
        if self.wrap_width != getattr(self.wrapped_document, "_width", None):
            self._rewrap_and_refresh_virtual_size()
        self.scroll_cursor_visible()

    def on_resize(self, event: events.Resize) -> None:
        """TextArea rewraps the whole text on every resize. While the layout settles around a freshly
        opened document the reader is resized several times with the same width (only its height
        changes); the wrapped lines stand then, and a long transcript is wrapped once, not four times."""
        if self.wrap_width == getattr(self.wrapped_document, "_width", None):
            event.prevent_default()
            self._refresh_size()

    # --- offsets <-> locations ---------------------------------------------------------------------
    def offset_of(self, location: tuple[int, int]) -> int:
        row, column = location
        row = max(0, min(row, len(self._starts) - 1))
        return self._starts[row] + column

    def location_of(self, offset: int) -> tuple[int, int]:
        row = bisect.bisect_right(self._starts, offset) - 1
        return row, offset - self._starts[row]

    @property
    def span(self) -> tuple[int, int]:
        """The selection as [start, end) offsets (empty when nothing is selected)."""
        start, end = sorted((self.offset_of(self.selection.start), self.offset_of(self.selection.end)))
        return start, end

    @property
    def cursor_offset(self) -> int:
        return self.offset_of(self.selection.end)

    def select_span(self, start: int, end: int) -> None:
        self.selection = Selection(self.location_of(start), self.location_of(end))
        self.scroll_cursor_visible(center=True)

    def show_text(self, text: str) -> None:
        self._starts = line_starts(text)
        self._paint_map = {}
        self.load_text(text)

    # --- painting ----------------------------------------------------------------------------------
    def paint(self, marks: Sequence[CodingMark]) -> None:
        self._marks = list(marks)
        self._paint_map = self._compute_paint()
        self._build_highlight_map()
        self.refresh()

    def _style_name(self, mark: CodingMark, overlapped: bool) -> str:
        name = f"code-{mark.color[1:]}{'-multi' if overlapped else ''}"
        if name not in self._styles:
            style = Style(bgcolor=mark.color, color=_text_colour(mark.color), underline=overlapped, bold=overlapped)
            self._styles[name] = style
            self._theme.syntax_styles[name] = style
        return name

    def _build_highlight_map(self) -> None:
        """TextArea calls this on every document or theme change; the paint is computed once per `paint`."""
        self._line_cache.clear()
        highlights = self._highlights
        highlights.clear()
        for row, items in getattr(self, "_paint_map", {}).items():
            highlights[row] = list(items)

    def _compute_paint(self) -> dict[int, list[tuple[int, int, str]]]:
        marks = self._marks
        paint: dict[int, list[tuple[int, int, str]]] = {}
        if not marks:
            return paint
        text = self.document.text
        starts = self._starts
        by_line: dict[int, list[CodingMark]] = {}
        for mark in marks:
            first = bisect.bisect_right(starts, mark.start) - 1
            last = bisect.bisect_right(starts, max(mark.start, mark.end - 1)) - 1
            for row in range(first, last + 1):
                by_line.setdefault(row, []).append(mark)
        for row, line_marks in by_line.items():
            line_start = starts[row]
            line_end = starts[row + 1] - 1 if row + 1 < len(starts) else len(text)
            line = text[line_start:line_end]
            cuts = {0, len(line)}
            for mark in line_marks:
                cuts.add(max(0, mark.start - line_start))
                cuts.add(min(len(line), mark.end - line_start))
            edges = sorted(cuts)
            for left, right in itertools.pairwise(edges):
                if right <= left:
                    continue
                covering = [m for m in line_marks if m.start - line_start <= left and m.end - line_start >= right]
                if not covering:
                    continue
                top = min(covering, key=lambda m: (m.end - m.start, m.start))  # the narrowest shows on top
                name = self._style_name(top, len(covering) > 1)
                paint.setdefault(row, []).append((_utf8_offset(line, left), _utf8_offset(line, right), name))
        return paint
