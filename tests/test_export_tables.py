"""CSV and XLSX exports: one row per excerpt, Excel-ready, read back cell by cell."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from fieldnotes.coding.excerpts import excerpts
from fieldnotes.db.models import Case
from fieldnotes.documents.store import set_attribute
from fieldnotes.export.tables import EXCEL_CELL_LIMIT
from fieldnotes.project.actions import acting
from fieldnotes.project.opening import open_project
from fieldnotes.queries.filters import Filters
from tests.helpers import ok, run
from tests.test_export_data import (
    ACROSS,
    BELIEF,
    DOC,
    coded_copy,
)


@pytest.fixture
def project(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    return coded_copy(tmp_path_factory, tmp_path)


def with_attributes(db: Path) -> None:
    ok("--db", db, "doc", "set", DOC, "attr:team", "Ungeteam æøå")
    with open_project(str(db)) as opened, acting(opened, "Anna Krogh", "attr", "case attribute") as (session, cid):
        for name, people in (("Lyngå", 31_500), ("Fjordby", 58_000)):
            case = session.scalars(select(Case).where(Case.name == name)).one()
            set_attribute(session, scope="case", name="indbyggere", value=people, coder_id=cid, case_id=case.id)


def read_csv(path: Path, sep: str = ";") -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=sep))


def test_csv_rows_match_the_excerpts(project: Path, tmp_path: Path) -> None:
    with_attributes(project)
    out = tmp_path / "uddrag.csv"
    result = ok("--db", project, "--json", "export", "csv", out, "--context", "10")
    assert result.json["excerpts"] == 5 and result.json["file"] == str(out)
    rows = read_csv(out)
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        expected = excerpts(session, Filters(), context=10)
    assert [r["text"] for r in rows] == [e.text for e in expected]
    assert [r["id"] for r in rows] == [e.id for e in expected]
    assert [r["context_before"] for r in rows] == [e.context_before for e in expected]
    belief = next(r for r in rows if r["text"] == BELIEF)
    assert (belief["code_level_1"], belief["code_level_2"]) == ("Tro på borgerens jobchance", "Specifik tro")
    assert belief["code_path"] == "Tro på borgerens jobchance/Specifik tro"
    assert (belief["document_title"], belief["municipality"], belief["cases"]) == (DOC, "Lyngå", "municipality: Lyngå")
    assert (belief["attr:team"], belief["municipality:indbyggere"]) == ("Ungeteam æøå", "31500")
    assert (belief["speaker"], belief["speaker_role"], belief["timestamp"]) == ("Mette Vinther", "sagsbehandler",
                                                                                "00:00:12")
    assert (belief["rating"], belief["memo"], belief["coder"], belief["date"]) == ("4", "Tydelig tro på én borger 👍",
                                                                                   "Anna Krogh", "2025-03-10")
    note = next(r for r in rows if r["text"] == ACROSS)
    assert note["attr:team"] == "" and note["municipality:indbyggere"] == "58000" and "\n" in note["text"]


@pytest.mark.parametrize("sep, char", [(",", ","), ("tab", "\t")])
def test_csv_separator_choice(project: Path, tmp_path: Path, sep: str, char: str) -> None:
    out = tmp_path / "x.csv"
    ok("--db", project, "export", "csv", out, "--sep", sep)
    rows = read_csv(out, char)
    assert len(rows) == 5 and rows[0]["code_level_1"] == "Sparringskultur og ledelse"
    assert out.read_bytes().count(b"\r\n") >= 6  # CRLF rows, as Excel writes them


def add_awkward_document(db: Path, tmp_path: Path) -> str:
    text = "= 2+2 er fire, sagde hun 😀\n- Ja, det tror jeg. @Søren ved det.\n" + "Lang linje æøå. " * 2500
    source = tmp_path / "skæv.txt"
    source.write_text(text, encoding="utf-8")
    ok("--db", db, "import", source, "--title", "Skæv tekst", "--municipality", "Søholm")
    ok("--db", db, "code", "Skæv tekst", "--code", "Ledelse", "--span", f"0:{len(text)}")
    ok("--db", db, "code", "Skæv tekst", "--code", "Ledelse", "--match", "- Ja, det tror jeg.")
    return text


def test_formula_like_cells_and_long_cells(project: Path, tmp_path: Path) -> None:
    text = add_awkward_document(project, tmp_path)
    ok("--db", project, "export", "csv", tmp_path / "x.csv", "--municipality", "Søholm")
    rows = read_csv(tmp_path / "x.csv")
    assert sorted(r["text"] for r in rows) == sorted(["'" + text, "'- Ja, det tror jeg."])  # Excel will not run it
    ok("--db", project, "export", "xlsx", tmp_path / "x.xlsx", "--municipality", "Søholm")
    book = openpyxl.load_workbook(tmp_path / "x.xlsx")
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    texts = [row[header.index("Excerpt")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "- Ja, det tror jeg." in texts  # stored as text, unchanged
    (long,) = [t for t in texts if t and t.startswith("= 2+2")]
    assert len(text) > EXCEL_CELL_LIMIT and len(long) <= EXCEL_CELL_LIMIT and long.endswith("characters in all)")
    assert text.startswith(long[: EXCEL_CELL_LIMIT - 50])
    for row in sheet.iter_rows(min_row=2):
        assert row[header.index("Excerpt")].data_type == "s"
    about = {r[0]: r[1] for r in book.worksheets[1].iter_rows(values_only=True)}
    assert "Shortened cells" in about


def test_xlsx_in_danish_with_dates_filters_and_a_description(project: Path, tmp_path: Path) -> None:
    with_attributes(project)
    out = tmp_path / "uddrag.xlsx"
    ok("--db", project, "--lang", "da", "export", "xlsx", out, "--code", "Tro på borgerens jobchance")
    book = openpyxl.load_workbook(out)
    sheet, about = book.worksheets
    assert (sheet.title, about.title) == ("Uddrag", "Om eksporten")
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Niveau 1", "Niveau 2", "Kodesti"] and "indbyggere" in " ".join(header)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Uddrag"] == BELIEF and row["Vurdering"] == 4 and row["Vurderingstekst"] is None
    assert row["Dato"] == dt.datetime(2025, 3, 10) and row["Type"] == "interview" and row["team"] == "Ungeteam æøå"
    facts = {r[0]: r[1] for r in about.iter_rows(values_only=True)}
    assert facts["Projekt"] == "Testkodebog" and facts["Uddrag"] == 1 and facts["Koder"] == "Tro på borgerens jobchance"
    assert facts["Pseudonymiseret"] == "nej"


def test_tables_refuse_annotated_and_empty_results(project: Path, tmp_path: Path) -> None:
    result = run("--db", project, "export", "csv", tmp_path / "x.csv", "--rating", "5:5")
    assert result.code == 1 and "no excerpts match" in result.err and not (tmp_path / "x.csv").exists()
    result = run("--db", project, "export", "xlsx", tmp_path / "x.xlsx", "--annotated", DOC)
    assert result.code == 2  # not an option of xlsx
    log = ok("--db", project, "log", "--exports", "--json").json
    assert log == []


def test_table_exports_are_audited(project: Path, tmp_path: Path) -> None:
    ok("--db", project, "export", "csv", tmp_path / "a.csv", "--kind", "observation")
    ok("--db", project, "export", "xlsx", tmp_path / "b.xlsx", "--phase", "1")
    details = [e["details"] for e in ok("--db", project, "log", "--exports", "--json").json]
    assert sorted((d["format"], d["file"], d["excerpts"]) for d in details) == [("csv", "a.csv", 1),
                                                                               ("xlsx", "b.xlsx", 4)]
    assert {str(d["filters"]) for d in details} == {"{'kinds': 'observation'}", "{'phases': '1'}"}


def test_refi_qda_files_are_reachable_under_export(project: Path, tmp_path: Path) -> None:
    """`export qdpx|qdc` (the contract's names) run the exchange area's exporters."""
    ok("--db", project, "export", "qdc", tmp_path / "bog.qdc")
    ok("--db", project, "export", "qdpx", tmp_path / "projekt.qdpx", "--no-pseudonymize")
    assert (tmp_path / "bog.qdc").stat().st_size > 0 and (tmp_path / "projekt.qdpx").stat().st_size > 0
    assert run("--db", project, "export", "qdc", tmp_path / "bog.qdc").code == 1  # kept without --force
