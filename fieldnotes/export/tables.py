"""Coded excerpts as a table: one row per excerpt, for Excel, R or pandas.

Columns: the code path split into levels, the document and its cases, the document's and its cases'
attributes, where in the document, coder, rating, memo, text and context. CSV headers are the stable
field names of `fieldnotes excerpts --json` (scripts rely on them); the XLSX sheet, made for people,
has them in the export's language, real dates, frozen headers and filters.

CSV for Excel: UTF-8 with a byte-order mark (without it Excel reads æ, ø, å as mojibake) and ';' as
the separator by default, which is what Excel expects where the decimal mark is a comma (Denmark);
English-language Excel wants ','. Cells that Excel would run as a formula (starting with = + - @)
get a leading apostrophe in CSV; XLSX stores them as text, unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from fieldnotes.coding.excerpts import Excerpt
from fieldnotes.export.gather import CodeEntry, ExportSet, Progress
from fieldnotes.export.labels import Labels

SEPARATORS = {";": ";", ",": ",", "tab": "\t", "\t": "\t"}
EXCEL_CELL_LIMIT = 32_767
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header
    label: str  # the XLSX header, in the export's language
    value: Callable[[Excerpt], Any]
    width: float = 14
    wrap: bool = False


def _levels(path: str) -> list[str]:
    return path.split("/")


def columns(data: ExportSet, _: Labels) -> list[Column]:
    """The table's columns for this export (level and attribute columns depend on what is in it)."""
    depth = max((len(_levels(e.code_path)) for e in data.excerpts), default=1)
    codes: dict[str, CodeEntry] = data.codes_by_id()
    doc_attrs = sorted({k for values in data.document_attributes.values() for k in values}, key=str.casefold)
    case_attrs = sorted({(case_type, k) for (case_type, _name), values in data.case_attributes.items()
                         for k in values}, key=lambda pair: (pair[0], pair[1].casefold()))

    def level(index: int) -> Callable[[Excerpt], Any]:
        return lambda e: (_levels(e.code_path)[index] if index < len(_levels(e.code_path)) else None)

    def doc_attr(name: str) -> Callable[[Excerpt], Any]:
        return lambda e: data.document_attributes.get(e.document, {}).get(name)

    def case_attr(case_type: str, name: str) -> Callable[[Excerpt], Any]:
        def value(e: Excerpt) -> Any:
            found = [data.case_attributes.get((t, n), {}).get(name)
                     for t, n in data.document_cases.get(e.document, []) if t == case_type]
            found = [v for v in found if v is not None]
            if not found:
                return None
            return found[0] if len(found) == 1 else "; ".join(str(v) for v in found)
        return value

    def rating_label(e: Excerpt) -> Any:
        code = codes.get(e.code)
        return code.rating_label(e.rating) if code else None

    out = [Column(f"code_level_{i + 1}", _("Level {n}", n=i + 1), level(i), 22) for i in range(depth)]
    out += [
        Column("code_path", _("Code path"), lambda e: e.code_path, 34),
        Column("document_title", _("Document"), lambda e: e.document_title, 30),
        Column("kind", _("Kind"), lambda e: _.kind(e.kind), 12),
        Column("date", _("Date"), lambda e: e.date, 12),
        Column("phase", _("Phase"), lambda e: e.phase, 8),
        Column("activity", _("Activity"), lambda e: e.activity, 18),
        Column("municipality", _("Municipality"), lambda e: e.municipality, 14),
        Column("cases", _("Cases"),
               lambda e: "; ".join(f"{t}: {n}" for t, n in data.document_cases.get(e.document, [])), 24),
    ]
    out += [Column(f"attr:{name}", name, doc_attr(name), 14) for name in doc_attrs]
    out += [Column(f"{t}:{name}", f"{_('municipality') if t == 'municipality' else t}: {name}", case_attr(t, name), 14)
            for t, name in case_attrs]
    out += [
        Column("speaker", _("Speaker"), lambda e: e.speaker, 18),
        Column("speaker_role", _("Role"), lambda e: e.speaker_role, 14),
        Column("paragraph", _("Paragraph"), lambda e: e.paragraph, 10),
        Column("timestamp", _("Time"), lambda e: e.timestamp, 10),
        Column("start", _("Start"), lambda e: e.start, 8),
        Column("end", _("End"), lambda e: e.end, 8),
        Column("coder", _("Coder"), lambda e: e.coder, 16),
        Column("rating", _("Rating"), lambda e: e.rating, 8),
        Column("rating_label", _("Rating label"), rating_label, 20),
        Column("memo", _("Memo"), lambda e: e.memo, 30, wrap=True),
        Column("overlapping", _("Also coded"), lambda e: "; ".join(e.overlapping), 24),
        Column("needs_review", _("Needs review"), lambda e: e.needs_review, 10),
        Column("text", _("Excerpt"), lambda e: e.text, 60, wrap=True),
    ]
    if data.context is not None:
        out += [Column("context_before", _("Context before"), lambda e: e.context_before, 30, wrap=True),
                Column("context_after", _("Context after"), lambda e: e.context_after, 30, wrap=True)]
    out += [Column("document", _("Document id"), lambda e: e.document, 12),
            Column("code", _("Code id"), lambda e: e.code, 12),
            Column("id", _("Coding id"), lambda e: e.id, 12)]
    return out


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(data: ExportSet, handle: IO[bytes], *, lang: str = "en", sep: str = ";",
              progress: Progress | None = None) -> None:
    """UTF-8 with BOM, CRLF rows, fields with newlines or separators quoted."""
    if sep not in SEPARATORS:
        raise ValueError(f"sep must be one of {sorted(SEPARATORS)}")
    cols = columns(data, Labels(lang))
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, delimiter=SEPARATORS[sep], lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([c.key for c in cols])
    for index, excerpt in enumerate(data.excerpts, 1):
        writer.writerow([_csv_cell(c.value(excerpt)) for c in cols])
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, len(data.excerpts))
    text.flush()
    text.detach()


def _xlsx_value(value: Any, key: str, truncated: list[int]) -> Any:
    if isinstance(value, str):
        value = _ILLEGAL.sub("", value)
        if key == "date" and value:
            return dt.date.fromisoformat(value)
        if len(value) > EXCEL_CELL_LIMIT:
            truncated[0] += 1
            value = value[: EXCEL_CELL_LIMIT - 40] + f" […] ({len(value):,} characters in all)"
    return value


def write_xlsx(data: ExportSet, handle: IO[bytes], *, lang: str = "en", progress: Progress | None = None) -> None:
    """A sheet of excerpts (frozen header, filters, dates as dates) and a sheet describing the export."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    _ = Labels(lang)
    cols = columns(data, _)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Excerpts"))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(cols, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    last = get_column_letter(len(cols))
    sheet.auto_filter.ref = f"A1:{last}{len(data.excerpts) + 1}"
    bold, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F3864")
    header = []
    for column in cols:
        cell = WriteOnlyCell(sheet, value=column.label)
        cell.font, cell.fill = bold, fill
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    truncated = [0]
    for index, excerpt in enumerate(data.excerpts, 1):
        row = []
        for column in cols:
            value = _xlsx_value(column.value(excerpt), column.key, truncated)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a formula
            cell.alignment = wrap if column.wrap else top
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            row.append(cell)
        sheet.append(row)
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, len(data.excerpts))
    about = book.create_sheet(_("About"))
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 80
    local = data.exported_at.astimezone()
    facts: list[tuple[str, Any]] = [(_("Project"), data.project_name)]
    facts += _.filter_facts(data.filters)
    if data.selection:
        facts.append((_("Selection"), data.selection))
    facts += [(_("Exported"), f"{_.date(local.date())}, {local:%H:%M}"), (_("Exported by"), data.exported_by),
              (_("Excerpts"), len(data.excerpts)),
              (_("Pseudonymised"), _("yes") if data.pseudonymized else _("no"))]
    if truncated[0]:
        facts.append((_("Shortened cells"), _("{n} cells were longer than Excel allows and were shortened",
                                              n=truncated[0])))
    for label, value in facts:
        label_cell = WriteOnlyCell(about, value=label)
        label_cell.font = Font(bold=True)
        about.append([label_cell, value])
    book.save(handle)
