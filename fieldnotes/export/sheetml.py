"""SpreadsheetML (.xlsx) written as text, streaming: the fast path for a table of every excerpt.

openpyxl builds a cell object per value (a quarter of a million excerpts is nine million cells, and
about two minutes); the markup itself is small. This writer puts each row's XML straight into the zip
as it goes, so memory stays flat and a row costs a few string joins. It writes what the excerpt tables
need and nothing more: inline strings (no shared-string table to hold in memory), numbers, booleans,
dates as serial numbers with a date format, a handful of cell styles, column widths, a frozen header
row and an autofilter. Text is always text: an inline string is never read as a formula.

The parts follow ECMA-376 (Office Open XML, transitional); Excel, LibreOffice and openpyxl read them.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from fieldnotes.export import ooxml

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

#: cell styles (indexes into cellXfs in styles.xml)
PLAIN, HEADER, TOP, WRAP, DATE, BOLD = 0, 1, 2, 3, 4, 5

# XML 1.0 forbids most control characters (and lone surrogates, U+FFFE, U+FFFF)
# text that a reader would take for an escaped character (_x000D_) is itself escaped (ECMA-376 ST_Xstring)
_ESCAPE_LIKE = re.compile("_(x[0-9A-Fa-f]{4}_)")
_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's 1900 date system (as it counts, after its 1900 leap day)
_ROWS_PER_WRITE = 200
#: the most characters an Excel cell holds
CELL_LIMIT = 32_767


def escape(text: str) -> str:
    """Text safe as the content of an element, kept as it is when read back (carriage returns too)."""
    text = ooxml.escape(text)  # the Word writer's: forbidden characters out, & < > " escaped
    if "\r" in text:
        text = text.replace("\r", "&#13;")  # a literal CR would be read as a line feed
    if "_x" in text:
        text = _ESCAPE_LIKE.sub(r"_x005F_\1", text)
    return text


def column_letter(number: int) -> str:
    """The letters of the 1-based column `number`: 1 -> A, 27 -> AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def serial(day: dt.date) -> int:
    """A date as Excel's serial day number (what a date-formatted cell holds)."""
    return (day - _EPOCH).days


@dataclass
class Sheet:
    """One worksheet: its rows are read once, as they are written.

    `styles` gives each column's cell style for body rows (TOP, WRAP; a date column is DATE). `dates`
    marks the columns whose values are dates (`datetime.date` or ISO text); those become serial numbers.
    """

    name: str
    rows: Iterable[Sequence[Any]]
    widths: Sequence[float] = ()
    header: Sequence[str] | None = None
    styles: Sequence[int] = ()
    dates: Sequence[bool] = ()
    freeze_header: bool = False
    autofilter: bool = False
    row_count: int | None = None  # body rows, when known: the autofilter's range and the sheet's dimension
    first_column_style: int | None = None  # a style for the first column's cells (the About sheet's labels)
    #: text longer than a cell holds (CELL_LIMIT) is replaced by what this returns for it, and counted
    shorten: Callable[[str], str] | None = None
    #: the rows are already cells' XML (one string per row, from `cell_writers`), not values
    prepared: bool = False
    shortened: int = field(default=0, init=False)
    _written: int = field(default=0, init=False)

    @property
    def width(self) -> int:
        return max(len(self.widths), len(self.header or ()), len(self.styles))

    def cell_writers(self) -> list[Callable[[Any], str]]:
        """For each column, the function turning a value into its cell's XML (cells run in order, so a
        row is the concatenation of its cells)."""
        styles = list(self.styles) or [TOP] * self.width
        dates = list(self.dates) or [False] * len(styles)
        writers = [_cell_writer(style, date, self) for style, date in zip(styles, dates, strict=False)]
        if self.first_column_style is not None and writers:
            writers[0] = _cell_writer(self.first_column_style, False, self)
        return writers


def _cell_writer(style: int, date: bool, sheet: Sheet | None = None) -> Callable[[Any], str]:
    """A function turning one value of a column into its cell's XML (no reference: cells run in order)."""
    string_open = f'<c s="{style}" t="inlineStr"><is><t xml:space="preserve">'
    number_open = f'<c s="{style}"><v>'
    bool_open = f'<c s="{style}" t="b"><v>'
    date_open = f'<c s="{DATE}"><v>'
    serials: dict[Any, str] = {}

    def cell(value: Any) -> str:
        if value is None:
            return "<c/>"
        kind = type(value)
        if kind is str:
            if date and value:
                found = serials.get(value)
                if found is None:
                    found = serials[value] = str(serial(dt.date.fromisoformat(value)))
                return date_open + found + "</v></c>"
            if not value:
                return "<c/>"
            if len(value) > CELL_LIMIT and sheet is not None and sheet.shorten is not None:
                sheet.shortened += 1
                value = sheet.shorten(value)
            value = escape(value)
            return string_open + value + "</t></is></c>" if value else "<c/>"
        if kind is bool:
            return bool_open + ("1" if value else "0") + "</v></c>"
        if kind is int:
            return number_open + str(value) + "</v></c>"
        if kind is float:
            return number_open + repr(value) + "</v></c>"
        if isinstance(value, dt.datetime):
            fraction = (value - dt.datetime.combine(_EPOCH, dt.time(), value.tzinfo)).total_seconds() / 86_400
            return date_open + repr(fraction) + "</v></c>"
        if isinstance(value, dt.date):
            return date_open + str(serial(value)) + "</v></c>"
        if isinstance(value, int | float):
            return number_open + repr(value) + "</v></c>"
        return string_open + escape(str(value)) + "</t></is></c>"

    return cell


def _sheet_head(sheet: Sheet, width: int) -> str:
    parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">']
    if sheet.row_count is not None and width:
        last = sheet.row_count + (1 if sheet.header is not None else 0)
        parts.append(f'<dimension ref="A1:{column_letter(width)}{max(1, last)}"/>')
    if sheet.freeze_header:
        parts.append('<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                     'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" '
                     'sqref="A2"/></sheetView></sheetViews>')
    else:
        parts.append('<sheetViews><sheetView workbookViewId="0"/></sheetViews>')
    parts.append('<sheetFormatPr defaultRowHeight="15"/>')
    if sheet.widths:
        parts.append("<cols>" + "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>'
                                        for i, w in enumerate(sheet.widths, 1)) + "</cols>")
    parts.append("<sheetData>")
    return "".join(parts)


def _write_sheet(book: zipfile.ZipFile, part: str, sheet: Sheet, *, zip64: bool) -> None:
    width = sheet.width
    writers = sheet.cell_writers()
    with book.open(part, "w", force_zip64=zip64) as stream:
        stream.write(_sheet_head(sheet, width).encode())
        number = 0
        if sheet.header is not None:
            number = 1
            header = _cell_writer(HEADER, False)
            stream.write(("<row>" + "".join(map(header, sheet.header)) + "</row>").encode())
        chunk: list[str] = []
        for values in sheet.rows:
            number += 1
            if sheet.prepared:
                chunk.append("<row>" + values + "</row>")  # type: ignore[operator]
            else:
                chunk.append("<row>" + "".join([write(value) for write, value in zip(writers, values,
                                                                                     strict=False)]) + "</row>")
            if len(chunk) >= _ROWS_PER_WRITE:
                stream.write("".join(chunk).encode())
                chunk.clear()
        if chunk:
            stream.write("".join(chunk).encode())
        sheet._written = number
        tail = "</sheetData>"
        if sheet.autofilter and width:
            tail += f'<autoFilter ref="{_filter_range(width, number)}"/>'
        stream.write((tail + "</worksheet>").encode())


def _filter_range(width: int, last_row: int) -> str:
    return f"A1:{column_letter(width)}{max(1, last_row)}"


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{MAIN_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FF1F3864"/><bgColor indexed="64"/></patternFill></fill>'
    '</fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="6">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'  # PLAIN
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'  # HEADER
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top"/></xf>'  # TOP
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'  # WRAP
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1">'
    '<alignment vertical="top"/></xf>'  # DATE
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'  # BOLD
    '</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)


def _quoted_sheet_name(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _workbook(sheets: Sequence[Sheet]) -> str:
    entries = "".join(f'<sheet name="{escape(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, s in enumerate(sheets, 1))
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f'{escape(_quoted_sheet_name(s.name))}!'
        f'{_absolute(_filter_range(s.width, s._written))}</definedName>'
        for i, s in enumerate(sheets) if s.autofilter)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><bookViews><workbookView/></bookViews>'
            f'<sheets>{entries}</sheets>' + (f"<definedNames>{names}</definedNames>" if names else "")
            + "</workbook>")


def _absolute(reference: str) -> str:
    """A1:AH9 -> $A$1:$AH$9."""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in reference.split(":"))


def _content_types(count: int) -> str:
    sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                     f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, count + 1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f'{sheets}</Types>')


_ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
              'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
              'Target="xl/workbook.xml"/></Relationships>')


def _workbook_rels(count: int) -> str:
    sheets = "".join(f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                     for i in range(1, count + 1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{PKG_REL_NS}">{sheets}'
            f'<Relationship Id="rId{count + 1}" Type="{REL_NS}/styles" Target="styles.xml"/></Relationships>')


def write_book(handle: IO[bytes], sheets: Sequence[Sheet], *, large: bool = False) -> None:
    """Write a workbook of `sheets` to `handle`, each sheet's rows streamed as they are read.

    `large`: the sheets may together hold more than 2 GB of XML (the zip then needs its 64-bit fields).
    Deflate runs at its fastest level: the XML is repetitive, so the file is still about a fifth of it.
    """
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", _content_types(len(sheets)))
        book.writestr("_rels/.rels", _ROOT_RELS)
        for index, sheet in enumerate(sheets, 1):
            _write_sheet(book, f"xl/worksheets/sheet{index}.xml", sheet, zip64=large)
        book.writestr("xl/workbook.xml", _workbook(sheets))
        book.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        book.writestr("xl/styles.xml", _STYLES)
