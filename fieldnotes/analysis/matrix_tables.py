"""The code matrix as a readable text table, a CSV file and an Excel workbook.

Rows keep the codebook's tree shape (indented names in text and Excel, full paths in CSV so a script
can read them). Files are built in memory and written with `fieldnotes.fileio.write_atomic`, so a
failed export never leaves half a file. Headings follow the interface language (da or en).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from fieldnotes.analysis.columns import dimension_name
from fieldnotes.analysis.matrix import Matrix
from fieldnotes.translations import N_, _, format_decimal, format_number, speaking, translator

#: the words of the text table and the workbook (the CSV file keeps the English ones: it is for scripts)
HEADINGS = {"code": N_("Code"), "code_path": N_("Code path"), "total": N_("Total"), "codings": N_("Codings"),
            "documents": N_("Documents"), "chars": N_("Characters coded"),
            "percent": N_("% of the column's documents"), "by": N_("Columns"), "measure": N_("Measure"),
            "rollup": N_("Rows include sub-codes"), "yes": N_("yes"), "no": N_("no"), "filters": N_("Filters"),
            "none": N_("none"), "about": N_("About"), "matrix": N_("Matrix"),
            "with_sub_codes": N_("rows include their sub-codes"), "own_only": N_("rows count only their own code")}


def heading(key: str, lang: str = "en") -> str:
    """A heading in `lang` ("en" for the CSV file)."""
    return translator(lang).gettext(HEADINGS[key])


def title(m: Matrix, lang: str = "en") -> str:
    """What the table shows, in one line: "Codings by municipality (rows include their sub-codes)"."""
    with speaking(lang):
        rollup = _(HEADINGS["with_sub_codes" if m.rollup else "own_only"])
        return _("{measure} by {dimension} ({rollup})").format(measure=_(HEADINGS[m.measure]),
                                                              dimension=dimension_name(m.by), rollup=rollup)


def _number(value: float | int, measure: str, lang: str) -> str:
    return format_decimal(value, 1, lang=lang) if measure == "percent" else format_number(int(value), lang=lang)


def _columns(m: Matrix, lang: str) -> list[str]:
    with speaking(lang):
        return [m.title(col) for col in m.columns]


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def text_table(m: Matrix, *, lang: str = "en", width: int = 44) -> list[str]:
    """Lines of a plain table: indented code names, one column per label, totals on the right and below."""
    labels = [*_columns(m, lang), heading("total", lang)]
    first = [("  " * depth + _name(path)) for path, depth in zip(m.rows, m.depths, strict=True)]
    first = [name if len(name) <= width else name[: width - 1] + "…" for name in first]
    body = [[_number(m.cells[path][col], m.measure, lang) for col in m.columns]
            + [_number(m.row_totals[path], m.measure, lang)] for path in m.rows]
    footer = [_number(m.column_totals[col], m.measure, lang) for col in m.columns] + [_number(m.total, m.measure, lang)]
    left = max([len(heading("code", lang)), len(heading("total", lang)), *(len(n) for n in first)])
    widths = [max(len(label), *(len(row[i]) for row in [*body, footer])) for i, label in enumerate(labels)]
    lines = [heading("code", lang).ljust(left) + "".join("  " + label.rjust(w) for label, w in
                                                            zip(labels, widths, strict=True))]
    lines.append("-" * len(lines[0]))
    for name, row in zip(first, body, strict=True):
        lines.append(name.ljust(left) + "".join("  " + cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
    lines.append("-" * len(lines[0]))
    lines.append(heading("total", lang).ljust(left) + "".join("  " + cell.rjust(w) for cell, w in
                                                              zip(footer, widths, strict=True)))
    return lines


def _plain(value: float | int) -> float | int:
    return round(value, 2) if isinstance(value, float) else value


def csv_bytes(m: Matrix, *, lang: str = "en") -> bytes:
    """UTF-8 with a byte-order mark, so that Excel shows æ, ø and å right when the file is opened. A machine
    format: English headings and the columns' own values whatever `lang` is (docs/cli.md)."""
    lang = "en"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([heading("code_path", lang), *_columns(m, lang), heading("total", lang)])
    for path in m.rows:
        writer.writerow([path, *(_plain(m.cells[path][c]) for c in m.columns), _plain(m.row_totals[path])])
    writer.writerow([heading("total", lang), *(_plain(m.column_totals[c]) for c in m.columns), _plain(m.total)])
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(m: Matrix, *, lang: str = "en", filters: list[tuple[str, str]] | None = None) -> bytes:
    """A workbook with the matrix (indented tree, frozen headings, totals in bold) and a sheet saying what it is."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet: Any = book.active
    sheet.title = heading("matrix", lang)
    bold = Font(bold=True)
    sheet.append([heading("code", lang), *_columns(m, lang), heading("total", lang), heading("code_path", lang)])
    for cell in sheet[1]:
        cell.font = bold
    for path, depth in zip(m.rows, m.depths, strict=True):
        sheet.append([_name(path), *(_plain(m.cells[path][c]) for c in m.columns), _plain(m.row_totals[path]), path])
        sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(indent=depth)
        if depth == 0:
            sheet.cell(row=sheet.max_row, column=1).font = bold
    sheet.append([heading("total", lang), *(_plain(m.column_totals[c]) for c in m.columns), _plain(m.total)])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    number_format = "0.0" if m.measure == "percent" else "#,##0"
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=len(m.columns) + 2):
        for cell in row:
            cell.number_format = number_format
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = min(60, max(12, *(len(_name(p)) + 2 * d + 2 for p, d in
                                                            zip(m.rows, m.depths, strict=True)))) if m.rows else 12
    about = book.create_sheet(heading("about", lang))
    about.append([heading("measure", lang), heading(m.measure, lang)])
    with speaking(lang):
        about.append([heading("by", lang), dimension_name(m.by)])
    about.append([heading("rollup", lang), heading("yes" if m.rollup else "no", lang)])
    for key, value in filters or [(heading("filters", lang), heading("none", lang))]:
        about.append([key, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
