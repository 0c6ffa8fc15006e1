"""Our own SpreadsheetML writer: read back by openpyxl and opened by LibreOffice Calc, cell by cell."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldnotes.coding.excerpts import excerpts
from fieldnotes.export.sheetml import BOLD, TOP, WRAP, Sheet, column_letter, write_book
from fieldnotes.project.opening import open_project
from fieldnotes.queries.filters import Filters
from tests.conftest import missing
from tests.helpers import ok
from tests.test_export_data import BELIEF, coded_copy
from tests.test_export_tables import add_awkward_document, with_attributes


def book_bytes(*sheets: Sheet) -> bytes:
    out = io.BytesIO()
    write_book(out, list(sheets))
    return out.getvalue()


def test_values_styles_and_sheet_settings_read_back_in_openpyxl() -> None:
    rows = [["Søholm æøå ÆØÅ", 3, 2.5, True, "2025-03-10", "= 2+2", "linje 1\nlinje 2\r\nslut", "<&>\"'", None,
             "x\x01y"],
            ["Lyngå", -1, None, False, dt.date(2024, 2, 29), "@Søren", "", "  mellemrum  ", 10**12, "😀"]]
    excerpts_sheet = Sheet("Uddrag æøå", rows, widths=[20] * 10, header=[f"Kolonne {i} ø" for i in range(10)],
                           styles=[TOP] * 6 + [WRAP] * 4, dates=[False] * 4 + [True] + [False] * 5,
                           freeze_header=True, autofilter=True, row_count=2)
    about = Sheet("Om eksporten", [("Projekt", "Troen på borgernes jobchance"), ("Uddrag", 2)], widths=[22, 80],
                  styles=[TOP, WRAP], first_column_style=BOLD)
    book = openpyxl.load_workbook(io.BytesIO(book_bytes(excerpts_sheet, about)))
    sheet, facts = book.worksheets
    assert (sheet.title, facts.title) == ("Uddrag æøå", "Om eksporten")
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:J3"
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(f"Kolonne {i} ø" for i in range(10))
    assert values[1] == ("Søholm æøå ÆØÅ", 3, 2.5, True, dt.datetime(2025, 3, 10), "= 2+2",
                         "linje 1\nlinje 2\r\nslut", "<&>\"'", None, "xy")  # a control character is dropped
    assert values[2] == ("Lyngå", -1, None, False, dt.datetime(2024, 2, 29), "@Søren", None, "  mellemrum  ",
                         10**12, "😀")
    assert [c.data_type for c in sheet[2]][:6] == ["s", "n", "n", "b", "d", "s"]  # '= 2+2' is text, no formula
    assert sheet["E2"].is_date and sheet["E2"].number_format == "yyyy\\-mm\\-dd"
    assert sheet["A1"].font.b and sheet["A1"].fill.fgColor.rgb == "FF1F3864"
    assert sheet["G2"].alignment.wrap_text and sheet["A2"].alignment.vertical == "top"
    assert sheet.column_dimensions["A"].width == 20
    assert list(facts.iter_rows(values_only=True)) == [("Projekt", "Troen på borgernes jobchance"), ("Uddrag", 2)]
    assert facts["A1"].font.b and not facts["B1"].font.b


def test_long_text_is_shortened_and_counted() -> None:
    long = "Lang linje æøå. " * 3000
    sheet = Sheet("Uddrag", [[long], ["kort"]], widths=[60], shorten=lambda text: text[:100] + " […]")
    data = book_bytes(sheet)
    assert sheet.shortened == 1
    values = [r[0] for r in openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)]
    assert values == [long[:100] + " […]", "kort"]


def test_column_letters() -> None:
    assert [column_letter(n) for n in (1, 26, 27, 52, 53, 702, 703)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


# text a person can type or paste: any character XML can hold (the writer drops the others, as Excel must)
CELL_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\ufffe\uffff"),
                    max_size=40).filter(lambda text: "_x" not in text)


@given(st.lists(st.lists(st.one_of(st.none(), CELL_TEXT, st.integers(-10**15, 10**15), st.booleans()),
                         min_size=3, max_size=3), max_size=8))
def test_any_cell_reads_back_as_written(rows: list[list[object]]) -> None:
    book = openpyxl.load_workbook(io.BytesIO(book_bytes(Sheet("Ark", rows, widths=[10, 10, 10]))))
    found = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]

    def expected(value: object) -> object:
        if isinstance(value, str):
            kept = "".join(ch for ch in value if ch in "\t\n" or ord(ch) >= 0x20)
            return kept or None
        return value

    def trimmed(table: list[list[object]]) -> list[list[object]]:  # empty rows at the end are no rows
        table = [row + [None] * (3 - len(row)) for row in table]
        while table and all(v is None for v in table[-1]):
            table.pop()
        return table

    assert trimmed(found) == trimmed([[expected(v) for v in row] for row in rows])


def test_the_zip_holds_only_the_parts_the_workbook_names() -> None:
    data = book_bytes(Sheet("Uddrag", [["a"]], widths=[10]), Sheet("Om", [["b"]], widths=[10]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == sorted([
            "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
            "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"])


# --- LibreOffice Calc opens the export --------------------------------------------------------------


def calc_csv(book: Path, tmp_path: Path) -> dict[str, list[list[str]]]:
    """Every sheet of `book` as LibreOffice Calc reads it, converted to UTF-8 CSV (by sheet name)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or not (Path(soffice).resolve().parent / "libsclo.so").exists():
        missing("LibreOffice Calc", "install it with `apt-get install libreoffice-calc-nogui`")
    assert soffice is not None
    outdir = tmp_path / "calc"
    outdir.mkdir()
    profile = (tmp_path / "lo-profile").as_uri()
    # comma-separated, double quotes, UTF-8 (76), first line as is, cells as shown, every sheet (-1)
    options = "44,34,76,1,,0,false,true,false,false,false,-1"
    result = subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                             f"csv:Text - txt - csv (StarCalc):{options}", "--outdir", str(outdir), str(book)],
                            capture_output=True, timeout=180)
    assert result.returncode == 0 and b"could not be loaded" not in result.stderr, result.stderr
    sheets = {}
    for found in outdir.glob("*.csv"):
        name = found.stem.removeprefix(book.stem + "-")
        sheets[name] = list(csv.reader(io.StringIO(found.read_text(encoding="utf-8"), newline="")))
    assert sheets, f"LibreOffice wrote no sheet of {book.name}"
    return sheets


@pytest.mark.libreoffice
@pytest.mark.slow
def test_the_excerpt_table_opens_in_libreoffice_calc(tmp_path_factory: pytest.TempPathFactory,
                                                     tmp_path: Path) -> None:
    project = coded_copy(tmp_path_factory, tmp_path)
    with_attributes(project)
    text = add_awkward_document(project, tmp_path)
    out = tmp_path / "uddrag æøå.xlsx"
    ok("--db", project, "--lang", "da", "export", "xlsx", out)
    sheets = calc_csv(out, tmp_path)
    assert set(sheets) == {"Uddrag", "Om eksporten"}
    header, *rows = sheets["Uddrag"]
    assert header[:3] == ["Niveau 1", "Niveau 2", "Kodesti"] and "Uddrag" in header and "Dato" in header
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        expected = excerpts(session, Filters())
    assert len(rows) == len(expected) == 7
    column = {name: header.index(name) for name in ("Uddrag", "Dato", "Kommune", "Vurdering", "Kodnings-id")}
    assert [r[column["Kodnings-id"]] for r in rows] == [e.id for e in expected]
    for row, excerpt in zip(rows, expected, strict=True):
        if len(excerpt.text) <= 32_767:
            assert row[column["Uddrag"]] == excerpt.text  # æøå, line breaks, '= 2+2' as text, not a formula
        assert row[column["Dato"]] == (excerpt.date or "")  # a real date, shown as yyyy-mm-dd
        assert row[column["Kommune"]] == (excerpt.municipality or "")
        assert row[column["Vurdering"]] == ("" if excerpt.rating is None else str(excerpt.rating))
    belief = next(r for r in rows if r[column["Uddrag"]] == BELIEF)
    assert belief[column["Kommune"]] == "Lyngå" and belief[header.index("team")] == "Ungeteam æøå"
    (long,) = [r[column["Uddrag"]] for r in rows if r[column["Uddrag"]].startswith("= 2+2")]
    assert long.endswith(("(40,063 characters in all)", "(40.063 tegn i alt)")) and len(long) <= 32_767
    # Calc's editor breaks a paragraph of a multi-line cell after 16,384 characters (also in files that
    # openpyxl writes), so line breaks aside
    assert text.replace("\n", "").startswith(long.replace("\n", "")[:32_000])
    facts = dict(sheets["Om eksporten"])
    assert facts["Uddrag"] == "7" and facts["Pseudonymiseret"] == "nej" and "Forkortede celler" in facts
