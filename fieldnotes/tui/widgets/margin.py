"""The coding margin's layout: the lane each coding's stripe takes, and where its label goes.

It is computed over the text's visual (soft-wrapped) rows, without a terminal; the reader draws only
the rows on screen from it. Lanes are given greedily in order of each stripe's first row (longest
first), which for intervals uses as few lanes as the deepest overlap needs, and a stripe keeps its lane
however the text is scrolled.

Stripes fall into blocks: runs of rows with a stripe on every row. Lanes and labels in one block do
not depend on any other block (at a row without a stripe every lane is free and no label is waiting),
so a block is laid out only when one of its rows is first drawn. After each coding, the reader lays out
the blocks on screen, not the whole transcript.
"""

from __future__ import annotations

import bisect
import heapq
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len

from fieldnotes.queries.overview import CodingMark


@dataclass
class Chip:
    """A coding's label on one row of the label column."""

    x: int
    width: int
    mark: CodingMark
    text: str


@dataclass
class _Block:
    #: per lane, its stripes as (first row, last row, coding): sorted, and disjoint within a lane
    lane_stripes: list[list[tuple[int, int, CodingMark]]]
    lane_firsts: list[list[int]]
    #: rows crossed by codings that got no lane (more overlap than the margin holds), as disjoint ranges
    overflow: list[tuple[int, int]]
    chips: dict[int, list[Chip]]


@dataclass
class MarginLayout:
    lanes: int
    label_width: int
    label_of: Callable[[CodingMark], str]
    #: every stripe as (first row, last row, coding), by first row, the longest first
    spans: list[tuple[int, int, CodingMark]] = field(default_factory=list)
    #: the blocks as (first row, last row, index of their first span, index after their last span)
    blocks: list[tuple[int, int, int, int]] = field(default_factory=list)
    _block_firsts: list[int] = field(default_factory=list)
    _laid_out: dict[int, _Block] = field(default_factory=dict)

    def _block(self, row: int) -> _Block | None:
        index = bisect.bisect_right(self._block_firsts, row) - 1
        if index < 0 or self.blocks[index][1] < row:
            return None
        block = self._laid_out.get(index)
        if block is None:
            _first, _last, begin, end = self.blocks[index]
            block = self._laid_out[index] = _lay_out(self.spans[begin:end], self.lanes, self.label_width,
                                                     self.label_of)
        return block

    def crossing(self, row: int) -> list[tuple[int, CodingMark]]:
        """(lane, coding) of each stripe on a row: a bisection per lane."""
        block = self._block(row)
        if block is None:
            return []
        out = []
        for lane, firsts in enumerate(block.lane_firsts):
            index = bisect.bisect_right(firsts, row) - 1
            if index >= 0:
                _first, last, mark = block.lane_stripes[lane][index]
                if last >= row:
                    out.append((lane, mark))
        return out

    def overflows(self, row: int) -> bool:
        """Whether more codings cross this row than the margin has lanes for."""
        block = self._block(row)
        return block is not None and any(first <= row <= last for first, last in block.overflow)

    def chips_at(self, row: int) -> list[Chip]:
        block = self._block(row)
        return block.chips.get(row, []) if block is not None else []


def lane_bound(marks: Sequence[CodingMark], starts: Sequence[int]) -> int:
    """The deepest overlap of codings counted in whole lines: never fewer lanes than the wrapped rows
    need, and independent of the width, so the margin's width is known before the text is wrapped."""
    events: list[tuple[int, int]] = []
    for mark in marks:
        first = bisect.bisect_right(starts, mark.start)
        last = bisect.bisect_right(starts, max(mark.start, mark.end - 1))
        events.append((first, 1))
        events.append((last + 1, -1))
    events.sort()
    depth = deepest = 0
    for _line, step in events:
        depth += step
        deepest = max(deepest, depth)
    return deepest


def initials(name: str) -> str:
    return "".join(part[0] for part in name.split() if part[:1].isalpha()).upper() or name[:2]


def layout(marks: Sequence[CodingMark], row_of: Callable[[int], int], *, lanes: int, label_width: int,
           label_of: Callable[[CodingMark], str]) -> MarginLayout:
    """Stripes and labels for `marks` on the rows `row_of(offset)` gives. A label goes on its coding's
    first row; where several start on one row, those that do not fit move down the rows the coding
    still covers. Here only the rows of each stripe and the blocks are found; a block's lanes and
    labels are worked out when it is first drawn."""
    spans = [(row_of(mark.start), row_of(max(mark.start, mark.end - 1)), mark) for mark in marks]
    spans.sort(key=lambda item: (item[0], -item[1]))
    out = MarginLayout(lanes, label_width, label_of, spans)
    begin = 0
    reach = -1
    for index, (first, last, _mark) in enumerate(spans):
        if first > reach and index:
            out.blocks.append((spans[begin][0], reach, begin, index))
            begin = index
        reach = last if first > reach else max(reach, last)
    if spans:
        out.blocks.append((spans[begin][0], reach, begin, len(spans)))
    out._block_firsts = [block[0] for block in out.blocks]
    return out


def _lay_out(spans: list[tuple[int, int, CodingMark]], lanes: int, label_width: int,
             label_of: Callable[[CodingMark], str]) -> _Block:
    block = _Block([[] for _ in range(lanes)], [], [], {})
    busy: list[tuple[int, int]] = []  # (last row, lane) of the stripes still running
    free: list[int] = []  # lanes free again, the lowest taken first
    used = 0
    labelled: list[tuple[int, int, int, CodingMark]] = []  # (first row, lane, last row, mark)
    overflow = block.overflow
    for first, last, mark in spans:
        while busy and busy[0][0] < first:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            lane = heapq.heappop(free)
        else:
            lane = used
            used += 1
        heapq.heappush(busy, (last, lane))
        if lane < lanes:
            block.lane_stripes[lane].append((first, last, mark))
        elif overflow and first <= overflow[-1][1] + 1:
            overflow[-1] = (overflow[-1][0], max(overflow[-1][1], last))
        else:
            overflow.append((first, last))
        labelled.append((first, lane, last, mark))
    block.lane_firsts = [[first for first, _last, _mark in stripes] for stripes in block.lane_stripes]
    if label_width > 0:
        _place_labels(block.chips, labelled, label_width, label_of)
    return block


def _place_labels(chips_of: dict[int, list[Chip]], labelled: list[tuple[int, int, int, CodingMark]], width: int,
                  label_of: Callable[[CodingMark], str]) -> None:
    labelled.sort(key=lambda item: (item[0], item[1]))
    labels: dict[tuple[uuid.UUID, str], tuple[str, int]] = {}  # a label depends on the code and coder only
    count = len(labelled)
    index = 0
    pending: list[tuple[int, CodingMark]] = []  # (last row, mark), in the order the labels are due
    row = -1
    while index < count or pending:
        row = row + 1 if pending else max(row + 1, labelled[index][0])
        while index < count and labelled[index][0] <= row:
            item = labelled[index]
            pending.append((item[2], item[3]))
            index += 1
        x = 0
        chips: list[Chip] = []
        waiting: list[tuple[int, CodingMark]] = []
        for due in pending:
            last, mark = due
            if last < row:
                continue  # its stripe ended before its label found room
            if x >= width:
                waiting.append(due)
                continue
            key = (mark.code_id, mark.coder)
            known = labels.get(key)
            if known is None:
                label = label_of(mark)
                known = labels[key] = (label, cell_len(label))
            text, size = known
            if x + size > width:
                if x:
                    waiting.append(due)
                    continue
                text = _cut(text, width)
                size = cell_len(text)
            chips.append(Chip(x, size, mark, text))
            x += size + 1
        if chips:
            chips_of[row] = chips
        pending = waiting


def _cut(text: str, width: int) -> str:
    """`text` cut to `width` cells, with an ellipsis when something was left out."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return text[:width]
    cut = text
    while cut and cell_len(cut) > width - 1:
        cut = cut[:-1]
    return cut.rstrip() + "…"
