"""The overview section of the Word export: the code matrix as a table with shaded cells.

One colour from near-white to dark blue, darker for more codings: each level of the code tree on its
own scale (a cell's count against the largest cell of codes at that depth), so sub-codes, which hold
fewer codings than the areas above them, are not all pale beside them. Zero cells stay white, and
counts on dark cells are set in white so they stay legible. Totals are bold on light grey. Codes are
indented by their depth in the tree; the header row repeats on every page and rows never split.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from fieldnotes.export import ooxml
from fieldnotes.export.docx_skeleton import TEXT_WIDTH
from fieldnotes.export.labels import N_, Labels
from fieldnotes.project.opening import phase_dates

if TYPE_CHECKING:
    from fieldnotes.export.cells import Cell, Overview

NONE = "(none)"  # the label of a matrix column without a value (fieldnotes.analysis.columns.NONE)
LIGHT = (0xEA, 0xF1, 0xFB)  # the shade of the smallest count above zero
DARK = (0x1F, 0x38, 0x64)  # the shade of the largest count (the report's accent colour)
TOTAL_FILL = "F2F2F2"
ZERO_FILL = "FFFFFF"

#: column kinds as readers see them (attr:NAME shows the attribute's name)
BY_NAMES = {"municipality": N_("municipality"), "kind": N_("kind"), "activity": N_("activity"),
            "phase": N_("phase"), "coder": N_("coder"), "role": N_("speaker role")}


def shade(value: int, highest: int) -> str:
    """A cell's fill: white for zero, then from LIGHT to DARK as the value nears the highest."""
    if value <= 0 or highest <= 0:
        return ZERO_FILL
    share = min(1.0, value / highest)
    return "".join(f"{round(low + (high - low) * share):02X}" for low, high in zip(LIGHT, DARK, strict=True))


def highest_by_depth(overview: Overview) -> dict[int, int]:
    """The largest cell among the codes at each depth of the tree: the darkest shade of that level (the
    app's heat grid scales its levels the same way, `analysis.charts.level_scales`)."""
    from fieldnotes.analysis.charts import level_scales

    scales = level_scales([depth for _name, depth in overview.rows], overview.cells)
    return {depth: int(scale.top) for depth, scale in scales.items()}


def is_dark(fill: str) -> bool:
    """Whether white text reads better than black on this fill (relative luminance below about 0.4)."""
    red, green, blue = (int(fill[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.45


def by_name(by: str, _: Labels) -> str:
    return by[5:] if by.startswith("attr:") else _(BY_NAMES.get(by, by))


def column_label(label: str, by: str, _: Labels, start: dt.date | None = None) -> str:
    if label == NONE:
        return _("(none)")
    if by == "phase":
        if start is not None and label.isdigit():  # "Fase 1 · 1. feb. 2025 – 31. jul. 2025"
            return _("Phase {n}", n=label) + " · " + _.period(*phase_dates(int(label), start))
        return _("Phase {n}", n=label)
    if by == "kind":
        return _.kind(label)
    return label


def number(n: int, _: Labels) -> str:
    return _.number(n)


def heading_text(overview: Overview, _: Labels) -> str:
    return _("Overview: codings by {by}", by=by_name(overview.by, _))


def explanation(overview: Overview, _: Labels, cell: Cell | None = None) -> str:
    parts = [_("Each cell is the number of coded excerpts of a code in a column, under this report's filters.")]
    if cell is not None:
        parts.append(_("The report holds the excerpts of one matrix cell; the table shows its code in every column."))
    if overview.rollup:
        parts.append(_("A code's row includes its sub-codes."))
    parts.append(_("Darker cells hold more, each level of codes on its own scale. A document in several columns "
                   "counts in each, so a total can be less than the sum of its cells."))
    return " ".join(parts)


def cell_text(cell: Cell, _: Labels) -> str:
    """The title page's words for the cell an export holds."""
    column = _("Total") if cell.column.strip().casefold() == "total" else column_label(cell.column, cell.by, _)
    what = _("with sub-codes") if cell.rollup else _("without sub-codes")
    return _("{row} × {column} (by {by}, {what})", row=cell.row, column=column, by=by_name(cell.by, _), what=what)


def _cell(text: str, width: int, *, fill: str | None = None, bold: bool = False, white: bool = False,
          right: bool = True, indent: int = 0, header: bool = False) -> str:
    tcpr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if fill:
        tcpr += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
    tcpr += '<w:vAlign w:val="center"/>'
    ppr = ("<w:keepNext/>" if header else "") + '<w:spacing w:before="20" w:after="20"/>'
    ppr += (f'<w:ind w:left="{indent}"/>' if indent else "") + ('<w:jc w:val="right"/>' if right else "")
    rpr = ooxml.run_properties(bold=bold, color="FFFFFF" if white else None, size=9)
    return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>" + ooxml.paragraph(ooxml.run(text, rpr), "CodebookCell", ppr) + "</w:tc>"


def overview_table(overview: Overview, _: Labels) -> str:
    """The overview as a Word table (markup)."""
    count = len(overview.columns) + 1  # the columns and the total
    code_width = max(2268, TEXT_WIDTH - count * 1120) if count <= 7 else 2268
    value_width = max(400, (TEXT_WIDTH - code_width) // count)
    highest = highest_by_depth(overview)
    rows = ['<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>'
            + _cell(_("Codes"), code_width, bold=True, right=False, header=True, fill=TOTAL_FILL)
            + "".join(_cell(column_label(label, overview.by, _, overview.start), value_width, bold=True, header=True,
                            fill=TOTAL_FILL)
                      for label in overview.columns)
            + _cell(_("Total"), value_width, bold=True, header=True, fill=TOTAL_FILL) + "</w:tr>"]
    for (name, depth), values, total in zip(overview.rows, overview.cells, overview.row_totals, strict=True):
        cells = []
        for value in values:
            fill = shade(value, highest[depth])
            cells.append(_cell(number(value, _), value_width, fill=fill, white=is_dark(fill), bold=depth == 0))
        rows.append('<w:tr><w:trPr><w:cantSplit/></w:trPr>'
                    + _cell(name, code_width, right=False, indent=depth * 170, bold=depth == 0)
                    + "".join(cells) + _cell(number(total, _), value_width, fill=TOTAL_FILL, bold=True) + "</w:tr>")
    rows.append('<w:tr><w:trPr><w:cantSplit/></w:trPr>'
                + _cell(_("Total"), code_width, right=False, bold=True, fill=TOTAL_FILL)
                + "".join(_cell(number(n, _), value_width, fill=TOTAL_FILL, bold=True)
                          for n in overview.column_totals)
                + _cell(number(overview.total, _), value_width, fill=TOTAL_FILL, bold=True) + "</w:tr>")
    rule = '<w:{side} w:val="single" w:sz="4" w:space="0" w:color="FFFFFF"/>'
    borders = "".join(rule.format(side=s) for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    grid = f'<w:gridCol w:w="{code_width}"/>' + f'<w:gridCol w:w="{value_width}"/>' * count
    return (f'<w:tbl><w:tblPr><w:tblW w:w="{code_width + value_width * count}" w:type="dxa"/>'
            f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
            '<w:tblCellMar><w:left w:w="70" w:type="dxa"/><w:right w:w="70" w:type="dxa"/></w:tblCellMar>'
            f'<w:tblLook w:val="0020" w:firstRow="1" w:lastRow="1"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
            + "".join(rows) + "</w:tbl>")
