"""The reader: a read-only, soft-wrapping text area that paints codings in their code's colour.

TextArea renders only the visible lines, so long documents open at once. Codings are painted by
filling TextArea's highlight map (private API, pinned by the Textual version range and covered by a
snapshot test). Its columns are UTF-8 byte offsets within a line, not characters, so every span is
converted: without that, each æ, ø or å before a span would shift the paint by one cell.

Where codings overlap, the segment is underlined and bold, and the side panel lists every coding at
the cursor.

A margin at the right of the text draws each coding as a stripe along the rows it covers, in its
code's colour and labelled with its code, overlapping codings side by side in lanes (`margin.py` lays
them out). It is part of each rendered line, so it follows soft-wrapping and scrolling exactly and, like
the text, only the rows on screen are drawn; its strips are cached per row until the layout changes.
The text wraps that much narrower. A click on a stripe, a label or coded text chooses a coding.
"""

from __future__ import annotations

import bisect
import itertools
import time
import uuid
from collections.abc import Callable, Sequence

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.message import Message
from textual.strip import Strip
from textual.widgets import TextArea
from textual.widgets.text_area import Selection, TextAreaTheme

from fieldnotes.queries.overview import CodingMark
from fieldnotes.text import line_starts
from fieldnotes.tui.widgets import margin

THEME = "fieldnotes"
#: the stripe of one's own codings, and those of other coders (each coder keeps one, in name order)
OWN_GLYPH = "┃"
OTHER_GLYPHS = ("╏", "┆", "┊", "╎")
CHOSEN_GLYPH = "█"


def _text_colour(background: str) -> str:
    red, green, blue = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    return "#000000" if (0.299 * red + 0.587 * green + 0.114 * blue) > 150 else "#ffffff"


class CodedText(TextArea):
    """The document text with its codings painted. Offsets are code points over the stored text."""

    BINDINGS = [
        Binding("ctrl+z", "app.undo", show=False, priority=True),
        Binding("ctrl+y", "app.redo", show=False, priority=True),
    ]

    class Chosen(Message):
        """A click on a stripe, a label or coded text: the codings it points at, the likeliest first."""

        def __init__(self, coding_ids: list[uuid.UUID], *, in_margin: bool) -> None:
            super().__init__()
            self.coding_ids = coding_ids
            self.in_margin = in_margin

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        # set before TextArea's own set-up, which wraps the text and so asks for the margin's width
        self._marks: list[CodingMark] = []
        self._starts: list[int] = line_starts(text)
        self._lane_bound = 0
        self._room_for: list[CodingMark] | None = None
        self._geometry_key: tuple[int, int] | None = None
        self._geometry = (0, 0)
        self._content_width = 0
        self._wrap_generation = 0
        self._margin: margin.MarginLayout | None = None
        self._margin_key: tuple[int, int, int] | None = None
        self._margin_cache: LRUCache[tuple[int, uuid.UUID | None, Style], Strip] = LRUCache(256)
        self._margin_styles: dict[object, Style] = {}
        self._styles_base: Style | None = None
        self._glyphs: dict[str, str] = {}
        self._own_coder: str | None = None
        self._marks_generation = 0
        self._pressed_in_text = False
        #: what paint_line paints from: the codings crossing each line, the style names of each colour
        self._by_line: dict[int, list[CodingMark]] = {}
        self._style_names: dict[str, tuple[str, str]] = {}
        self._paint_text = text
        #: the coding chosen by a click or from the list, drawn as a solid stripe
        self.chosen: uuid.UUID | None = None
        #: when the margin was first drawn (the benchmark checks it is in the first painted frame)
        self.margin_drawn_at: float | None = None
        super().__init__(text, read_only=True, soft_wrap=True, show_line_numbers=False, id=id,
                         highlight_cursor_line=False)
        self._styles: dict[str, Style] = {}
        self.register_theme(TextAreaTheme(name=THEME, syntax_styles={}))
        self.theme = THEME

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The text is read-only, so TextArea's own Delete (delete the next character) would do nothing:
        it passes Delete on to the reader, where it removes the coding at the cursor."""
        if action == "delete_right" and self.read_only:
            return False
        return super().check_action(action, parameters)

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

    def _rewrap_and_refresh_virtual_size(self) -> None:
        """Wrap the text again, unless it is already wrapped at this width: TextArea wraps a freshly
        loaded text twice before it has a size (its WrappedDocument wraps on creation, then TextArea
        again), and for a long transcript each of those is a noticeable part of opening it."""
        wrapped = self.wrapped_document
        self._wrap_generation = getattr(self, "_wrap_generation", 0) + 1
        if (wrapped.document is self.document and wrapped._width == self.wrap_width
                and len(wrapped._wrap_offsets) == self.document.line_count):
            self._line_cache.clear()
            self._refresh_size()
            return
        super()._rewrap_and_refresh_virtual_size()

    # --- the margin --------------------------------------------------------------------------------
    @property
    def margin_geometry(self) -> tuple[int, int]:
        """(lanes, label cells) of the margin at the present width: a lane per overlapping coding up
        to 3 at 80 columns and 6 when wide; labels of 3 cells (a shortcut letter) when narrow, up to a
        code's full name when wide. A text too narrow for it has no margin."""
        width = self._content_width = self.scrollable_content_region.width
        key = (width, self._lane_bound)
        if key != self._geometry_key:
            self._geometry_key = key
            if width < 30:
                self._geometry = (0, 0)
            else:
                cap = 3 if width < 80 else 4 if width < 120 else 6
                self._geometry = (max(1, min(cap, self._lane_bound)), 3 if width < 80 else min(36, (width - 60) // 2))
        return self._geometry

    @property
    def margin_width(self) -> int:
        lanes, label = self.margin_geometry
        return 1 + lanes + 1 + label if lanes else 0

    @property
    def wrap_width(self) -> int:
        width = super().wrap_width
        return max(1, width - self.margin_width) if width else 0

    def margin_layout(self, geometry: tuple[int, int] | None = None) -> margin.MarginLayout:
        """The margin for the present wrap and codings (computed when first drawn after a change)."""
        lanes, label = geometry or self.margin_geometry
        key = (self._wrap_generation, self._marks_generation, lanes * 1000 + label)
        if self._margin is None or key != self._margin_key:
            self._margin = margin.layout(self._marks, self._row_finder(), lanes=lanes, label_width=label,
                                         label_of=self._label_maker(label))
            self._margin_key = key
            self._margin_cache.clear()
        return self._margin

    def _row_finder(self) -> Callable[[int], int]:
        """offset -> the visual row it is drawn on, read from the wrapped document's tables."""
        starts = self._starts
        wrapped = self.wrapped_document
        breaks_of = wrapped._wrap_offsets
        rows_of = wrapped._line_index_to_offsets
        last_line = len(rows_of) - 1

        def row_of(offset: int) -> int:
            line = min(last_line, bisect.bisect_right(starts, offset) - 1)
            breaks = breaks_of[line]
            rows = rows_of[line]
            return rows[bisect.bisect_right(breaks, offset - starts[line])] if breaks else rows[0]

        return row_of

    def _label_maker(self, width: int) -> Callable[[CodingMark], str]:
        own = self._own_coder

        def label_of(mark: CodingMark) -> str:
            name = mark.code_name
            if width < 8:
                return mark.shortcut or name[:width]
            if own is not None and mark.coder != own:
                marked = f"{name}·{margin.initials(mark.coder)}"
                if len(marked) <= width:
                    return marked
            return name

        return label_of

    def glyph_of(self, coder: str) -> str:
        """The stripe of a coder's codings: one's own solid, each other coder's dashed in its own way."""
        return OWN_GLYPH if self._own_coder is None else self._glyphs.get(coder, OWN_GLYPH)

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        geometry = self.margin_geometry
        lanes, label = geometry
        if not lanes:
            return strip
        text = strip.crop(0, self._content_width - (2 + lanes + label))
        return Strip.join([text, self._margin_strip(self.scroll_offset.y + y, geometry)])

    def _margin_strip(self, row: int, geometry: tuple[int, int]) -> Strip:
        """One row of the margin: a space, a cell per lane, the overflow mark, the labels. Its styles are
        made once per colour (drawing a screenful after each coding must stay well within a keystroke)."""
        lanes, label = geometry
        layout = self.margin_layout(geometry)  # a new layout empties the cache
        theme = self._theme
        base = theme.base_style if theme and theme.base_style is not None else self.rich_style
        chosen = self.chosen
        key = (row, chosen, base)
        cached = self._margin_cache.get(key)
        if cached is not None:
            return cached
        if self.margin_drawn_at is None:
            self.margin_drawn_at = time.perf_counter()
        if base != self._styles_base:
            self._styles_base = base
            self._margin_styles.clear()
        styles = self._margin_styles
        blank = Segment(" ", base)
        cells: list[Segment] = [blank] * (lanes + 2)
        for lane, crossing in layout.crossing(row):
            glyph = CHOSEN_GLYPH if crossing.id == chosen else self.glyph_of(crossing.coder)
            style = styles.get(crossing.color)
            if style is None:
                style = styles[crossing.color] = base + Style(color=crossing.color, bold=True)
            cells[lane + 1] = Segment(glyph, style)
        if layout.overflows(row):
            cells[lanes + 1] = Segment("+", base + Style(dim=True))
        x = 0
        own = self._own_coder
        for chip in layout.chips_at(row):
            if chip.x > x:
                cells.append(Segment(" " * (chip.x - x), base))
            mark = chip.mark
            look = (mark.color, own is not None and mark.coder != own, mark.id == chosen)
            style = styles.get(look)
            if style is None:
                style = styles[look] = base + Style(bgcolor=mark.color, color=_text_colour(mark.color),
                                                    italic=look[1], bold=look[2], underline=look[2])
            cells.append(Segment(chip.text, style))
            x = chip.x + chip.width
        if x < label:
            cells.append(Segment(" " * (label - x), base))
        strip = Strip(cells, 2 + lanes + label)
        self._margin_cache[key] = strip
        return strip

    def _margin_hit(self, event: events.MouseEvent) -> tuple[bool, CodingMark | None]:
        """Whether a mouse event is in the margin, and the coding whose stripe or label it is on."""
        lanes, label = self.margin_geometry
        if not lanes:
            return False, None
        width = self.scrollable_content_region.width
        left = width - (2 + lanes + label)
        x = event.x - self.gutter.left
        if not left <= x < width:
            return False, None
        row = event.y - self.gutter.top + self.scroll_offset.y
        layout = self.margin_layout()
        cell = x - left
        if 1 <= cell <= lanes:
            return True, next((m for lane, m in layout.crossing(row) if lane == cell - 1), None)
        column = cell - lanes - 2
        return True, next((c.mark for c in layout.chips_at(row) if c.x <= column < c.x + c.width), None)

    async def _on_mouse_down(self, event: events.MouseDown) -> None:
        in_margin, mark = self._margin_hit(event)
        self._pressed_in_text = not in_margin
        if in_margin:
            event.prevent_default()  # no text selection starts in the margin
            if mark is not None:
                self.post_message(self.Chosen([mark.id], in_margin=True))

    async def _on_mouse_up(self, event: events.MouseUp) -> None:
        """A click on coded text (a press and release without a drag) chooses the coding there."""
        if self._pressed_in_text and self.selection.is_empty:
            offset = self.cursor_offset
            here = sorted((m for m in self._marks if m.start <= offset < m.end), key=lambda m: (m.end - m.start,
                                                                                                m.start))
            if here:
                self.post_message(self.Chosen([m.id for m in here], in_margin=False))
        self._pressed_in_text = False

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

    def select_span(self, start: int, end: int, *, center: bool = True) -> None:
        self.selection = Selection(self.location_of(start), self.location_of(end))
        if center:
            self.scroll_cursor_visible(center=True)

    def show_text(self, text: str, marks: Sequence[CodingMark] = (), *,
                  room_for: Sequence[CodingMark] | None = None) -> None:
        """Load a new text with its codings: the margin's width is known before the text is wrapped,
        so a long transcript is wrapped once. `room_for`: the codings the margin keeps lanes for (all
        the document's, so that hiding a coder's does not narrow the margin and rewrap the text)."""
        self._starts = line_starts(text)
        self._set_marks(marks, room_for)
        self._index_marks(text)
        self.load_text(text)  # which starts a new highlight map, painted line by line as lines are drawn

    # --- painting ----------------------------------------------------------------------------------
    def paint(self, marks: Sequence[CodingMark], *, room_for: Sequence[CodingMark] | None = None) -> None:
        width = self.margin_width
        before = self._by_line
        self._set_marks(marks, room_for)
        self._index_marks()
        if self.margin_width != width and self.wrapped_document._width:
            self._build_highlight_map()
            self._rewrap_and_refresh_virtual_size()  # a deeper overlap than before widens the margin
        else:
            self._repaint_lines(before)
        self.refresh()

    def _repaint_lines(self, before: dict[int, list[CodingMark]]) -> None:
        """Forget the paint and the drawn rows of only the lines whose codings changed: a keystroke that codes
        a sentence draws that sentence's rows again, not the whole screen of text (the margin, whose lanes
        may shift anywhere, is drawn again whole)."""
        highlights = self._highlights
        if not isinstance(highlights, _LinePaint):
            self._build_highlight_map()
            return
        now = self._by_line
        rows_of = self.wrapped_document._line_index_to_offsets
        drawn: set[int] = set()
        for row in before.keys() | now.keys():
            if before.get(row) != now.get(row):
                highlights.pop(row, None)
                if row < len(rows_of):
                    drawn.update(rows_of[row])
        if drawn:
            cache = self._line_cache
            for key in [key for key in cache.keys() if key[2] in drawn]:  # noqa: SIM118 (an LRUCache, not a dict)
                cache.discard(key)

    def choose(self, coding_id: uuid.UUID | None) -> None:
        """Draw this coding's stripe as chosen (None: no coding is chosen)."""
        if coding_id != self.chosen:
            self.chosen = coding_id
            self.refresh()

    @property
    def own_coder(self) -> str | None:
        """The coder whose codings have the solid stripe; other coders' stripes are dashed."""
        return self._own_coder

    @own_coder.setter
    def own_coder(self, coder: str | None) -> None:
        self._own_coder = coder
        self._set_glyphs()
        self._marks_generation += 1

    def _set_marks(self, marks: Sequence[CodingMark], room_for: Sequence[CodingMark] | None = None) -> None:
        """Take these codings; the margin keeps lanes for the deepest overlap of `room_for` (by default
        of these, counted by `_compute_paint` as it goes through each line's codings)."""
        self._room_for = None if room_for is None or room_for is marks else list(room_for)
        self._marks = list(marks)
        if self._room_for is not None:
            self._lane_bound = margin.lane_bound(self._room_for, self._starts)
        self._marks_generation += 1
        self._set_glyphs()

    def _set_glyphs(self) -> None:
        others = sorted({m.coder for m in self._marks if m.coder != self._own_coder})
        self._glyphs = {coder: OTHER_GLYPHS[i % len(OTHER_GLYPHS)] for i, coder in enumerate(others)}

    def _style_name(self, mark: CodingMark, overlapped: bool) -> str:
        name = f"code-{mark.color[1:]}{'-multi' if overlapped else ''}"
        if name not in self._styles:
            style = Style(bgcolor=mark.color, color=_text_colour(mark.color), underline=overlapped, bold=overlapped)
            self._styles[name] = style
            self._theme.syntax_styles[name] = style
        return name

    def _build_highlight_map(self) -> None:
        """TextArea calls this on every document or theme change. Lines are painted when first drawn: a
        screenful after opening a long transcript or coding in it, not all of its lines each time."""
        self._line_cache.clear()
        self._highlights = _LinePaint(self)  # type: ignore[assignment]

    def _index_marks(self, text: str | None = None) -> None:
        """Which codings cross each line, the style names of their colours, and (unless `room_for` sets
        it) the deepest overlap on a line, which the margin's lanes follow."""
        self._paint_text = self.document.text if text is None else text
        marks = self._marks
        by_line: dict[int, list[CodingMark]] = {}
        self._by_line = by_line
        if not marks:
            if self._room_for is None:
                self._lane_bound = 0
            return
        starts = self._starts
        for mark in marks:
            first = bisect.bisect_right(starts, mark.start) - 1
            last = bisect.bisect_right(starts, max(mark.start, mark.end - 1)) - 1
            for row in range(first, last + 1):
                found = by_line.get(row)
                if found is None:
                    by_line[row] = [mark]
                else:
                    found.append(mark)
        if self._room_for is None:  # the most codings on one line: as many lanes as the deepest overlap
            self._lane_bound = max(map(len, by_line.values()), default=0)
        names = self._style_names = {}  # a colour's style names, alone and overlapped
        for mark in marks:
            if mark.color not in names:
                names[mark.color] = (self._style_name(mark, False), self._style_name(mark, True))

    def paint_line(self, row: int) -> list[tuple[int, int, str]]:
        """One line's coded segments as (first byte, end byte, style name), the narrowest coding on top.
        One sweep over its edges, and the UTF-8 offsets counted as the sweep goes, not from the line's
        start for every edge."""
        line_marks = self._by_line.get(row)
        if not line_marks:
            return []
        text = self._paint_text
        starts = self._starts
        names = self._style_names
        line_start = starts[row]
        line_end = starts[row + 1] - 1 if row < len(starts) - 1 else len(text)
        length = line_end - line_start
        line = text[line_start:line_end]
        plain = line.isascii()
        # (local start, width, start, order, local end, colour): the narrowest, then the first, on top
        items = sorted((max(0, m.start - line_start), m.end - m.start, m.start, order,
                        min(length, m.end - line_start), m.color) for order, m in enumerate(line_marks))
        edges = sorted({0, length, *(item[0] for item in items), *(item[4] for item in items)})
        active: list[tuple[int, int, int, int, str]] = []
        waiting = 0
        at_column = at_byte = 0  # the last edge whose byte offset was counted
        out: list[tuple[int, int, str]] = []
        for left, right in itertools.pairwise(edges):
            while waiting < len(items) and items[waiting][0] <= left:
                item = items[waiting]
                active.append(item[1:])
                waiting += 1
            if any(item[3] <= left for item in active):
                active = [item for item in active if item[3] > left]
            if not active:
                continue
            name = names[min(active)[4]][1] if len(active) > 1 else names[active[0][4]][0]
            if plain:
                out.append((left, right, name))
                continue
            left_byte = at_byte + len(line[at_column:left].encode("utf-8"))
            right_byte = left_byte + len(line[left:right].encode("utf-8"))
            at_column, at_byte = right, right_byte
            out.append((left_byte, right_byte, name))
        return out


class _LinePaint(dict[int, list[tuple[int, int, str]]]):
    """TextArea's highlight map, filled a line at a time as lines are drawn (`CodedText.paint_line`)."""

    def __init__(self, owner: CodedText) -> None:
        super().__init__()
        self._owner = owner

    def __bool__(self) -> bool:
        return bool(self._owner._by_line)

    def __missing__(self, row: int) -> list[tuple[int, int, str]]:
        found = self[row] = self._owner.paint_line(row)
        return found

    def get(self, row: int, default: object = None) -> object:  # type: ignore[override]
        return self[row] or default
