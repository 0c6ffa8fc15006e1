"""From a matrix cell to Word (`export docx --cell BY ROW COLUMN`), and the matrix as the Word report's
overview (`export docx --overview BY`), on the demo project.

A cell's report holds exactly the excerpts `matrix --cell` lists, as many as the cell counts, for every
kind of column; the overview table, read back with python-docx, holds the matrix function's numbers,
with each count's cell shaded (w:shd fill) darker for more, each level of the code tree on its own scale.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document
from docx.oxml.ns import qn

from fieldnotes.analysis.matrix import matrix
from fieldnotes.export.docx_overview import DARK, ZERO_FILL, shade
from fieldnotes.privacy.replacing import Replacer
from fieldnotes.project.opening import open_project
from fieldnotes.queries.filters import Filters
from fieldnotes.resources import demo_dir
from tests.helpers import ok, run


def excerpt_texts(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.style is not None and p.style.name == "Excerpt"]


CELLS = [
    pytest.param("municipality", "Kommunikation om borger", "Søholm", True, 32, id="municipality"),
    pytest.param("attr:team", "Kommunikation om borger", "(none)", True, 13, id="none"),
    pytest.param("attr:team", "Kommunikation om borger/Sagsfremstilling", "Visitationsteamet", True, 7, id="attr"),
    pytest.param("municipality", "Tro på borgerens jobchance", "Søholm", False, 1, id="no-rollup"),
    pytest.param("phase", "Tro på borgerens jobchance", "total", True, 66, id="row-total"),
]


@pytest.mark.parametrize(("by", "row", "column", "rollup", "expected"), CELLS)
def test_a_cells_report_holds_exactly_its_excerpts(english_demo: Path, tmp_path: Path, by: str, row: str, column: str,
                                                   rollup: bool, expected: int) -> None:
    flags = [] if rollup else ["--no-rollup"]
    table = ok("--db", english_demo, "matrix", "--by", by, *flags, "--json").json
    counted = table["row_totals"][row] if column == "total" else table["cells"][row][column]
    listed = ok("--db", english_demo, "matrix", "--by", by, *flags, "--cell", row, column, "--json").json
    out = tmp_path / "celle.docx"
    result = ok("--db", english_demo, "export", "docx", out, "--cell", by, row, column, *flags, "--json").json
    texts = excerpt_texts(out)
    assert counted == expected == len(listed) == result["excerpts"] == len(texts)
    # the report replaces names (the demo has a pseudonym register); the listing shows the project as it is
    register = yaml.safe_load((demo_dir() / "pseudonyms.yaml").read_text(encoding="utf-8"))["entries"]
    replaced = Replacer({e["original"]: e["pseudonym"] for e in register})
    assert result["names_replaced"] is True
    assert Counter(texts) == Counter(replaced(e["text"]) for e in listed)
    logged = ok("--db", english_demo, "log", "--exports", "--json").json
    assert any(entry.get("details", {}).get("cell") == {"by": by, "row": row, "column": column, "rollup": rollup}
               for entry in logged), logged


def test_an_empty_cell_writes_nothing(english_demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "tom.docx"
    result = run("--db", english_demo, "export", "docx", out, "--cell", "municipality",
                 "Viden om arbejdsmarkedet/Indsamling af arbejdsmarkedsviden", "Søholm")
    assert result.code == 1 and "holds no excerpts" in result.err and result.err.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize(("args", "says"), [
    (["--cell", "attr:findesikke", "Kommunikation om borger", "x"], "no document or case attribute 'findesikke'"),
    (["--cell", "municipality", "Kommunikation om borger", "Ærøby"], "no column 'Ærøby'"),
    (["--overview", "kommune"], "cannot break down by 'kommune'"),
])
def test_bad_cells_and_overviews_are_refused(english_demo: Path, tmp_path: Path, args: list[str], says: str) -> None:
    out = tmp_path / "forkert.docx"
    result = run("--db", english_demo, "export", "docx", out, *args)
    assert result.code != 0 and says in result.err and result.err.count("\n") == 1
    assert not out.exists()


def shading(cell: Any) -> str | None:
    shd = cell._tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
    return None if shd is None else shd.get(qn("w:fill"))


@pytest.mark.parametrize("by", ["municipality", "phase"])
def test_the_overview_is_the_matrix_with_shaded_cells(english_demo: Path, tmp_path: Path, by: str) -> None:
    out = tmp_path / f"overblik-{by}.docx"
    ok("--db", english_demo, "export", "docx", out, "--overview", by)
    with open_project(str(english_demo), readonly=True) as project, project.read() as session:
        table = matrix(session, Filters(), by, "codings", rollup=True)
    word = Document(str(out))
    grid = word.tables[0]  # before the codebook's tables in the appendix
    header = [c.text for c in grid.rows[0].cells]
    periods = {"1": "1 Feb 2025 – 31 Jul 2025", "2": "1 Aug 2025 – 31 Jan 2026", "3": "1 Feb 2026 – 31 Jul 2026",
               "4": "1 Aug 2026 – 31 Jan 2027"}  # the demo's fieldwork starts on 1 February 2025
    names = [f"Phase {c} · {periods[c]}" for c in table.columns] if by == "phase" else table.columns
    assert header == ["Codes", *names, "Total"]
    body = grid.rows[1:-1]
    shown = [path for path in table.rows if table.row_totals[path]]  # the exported codes: those with excerpts
    assert [r.cells[0].text for r in body] == [path.split("/")[-1] for path in shown]
    # each level of the tree on its own scale: an area's cells against the largest area cell, a sub-code's
    # against the largest sub-code cell, so the largest cell of every level is the darkest shade
    highest: dict[int, int] = {}
    for path in shown:
        depth = path.count("/")
        highest[depth] = max(highest.get(depth, 0), *(int(table.cells[path][c]) for c in table.columns))
    assert len(highest) == 2 and highest[1] < highest[0]  # the demo's sub-codes hold fewer than its areas
    fills = set()
    darkest: dict[int, set[str]] = {}
    for path, word_row in zip(shown, body, strict=True):
        values = word_row.cells[1:-1]
        assert [int(c.text) for c in values] == [table.cells[path][c] for c in table.columns]
        assert int(word_row.cells[-1].text) == table.row_totals[path]
        for column, cell in zip(table.columns, values, strict=True):
            fill = shading(cell)
            assert fill == shade(int(table.cells[path][column]), highest[path.count("/")])
            fills.add(fill)
            darkest.setdefault(path.count("/"), set()).add(str(fill))
    assert [c.text for c in grid.rows[-1].cells] == ["Total", *(str(table.column_totals[c]) for c in table.columns),
                                                     str(table.total)]
    dark = "".join(f"{v:02X}" for v in DARK)
    assert dark in fills and ZERO_FILL in fills and len(fills) > 5  # a scale, not one colour
    assert len(darkest) > 1 and all(dark in level for level in darkest.values())  # sub-codes reach the dark end too
    headings = [p.text for p in word.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings[0] == f"Overview: codings by {by}"


def test_the_overview_speaks_danish_and_follows_the_cell(english_demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "overblik.docx"
    ok("--db", english_demo, "export", "docx", out, "--overview", "phase", "--lang", "da", "--cell", "municipality",
       "Tro på borgerens jobchance", "Søholm")
    word = Document(str(out))
    grid = word.tables[0]
    assert [c.text for c in grid.rows[0].cells] == [
        "Koder", "Fase 1 · 1. feb. 2025 – 31. jul. 2025", "Fase 2 · 1. aug. 2025 – 31. jan. 2026",
        "Fase 3 · 1. feb. 2026 – 31. jul. 2026", "Fase 4 · 1. aug. 2026 – 31. jan. 2027", "I alt"]
    assert [r.cells[0].text for r in grid.rows[1:]] == ["Tro på borgerens jobchance", "Generel tro", "Specifik tro",
                                                         "I alt"]
    headings = [p.text for p in word.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings[0] == "Overblik: kodninger pr. fase"
    assert any("Tro på borgerens jobchance × Søholm (pr. kommune, med underkoder)" in p.text
               for p in word.paragraphs)
    assert len(excerpt_texts(out)) == 21


def test_shades_run_from_white_to_the_dark_end() -> None:
    assert shade(0, 10) == ZERO_FILL and shade(10, 10) == "".join(f"{v:02X}" for v in DARK)
    lighter, darker = shade(2, 10), shade(8, 10)
    assert sum(int(lighter[i:i + 2], 16) for i in (0, 2, 4)) > sum(int(darker[i:i + 2], 16) for i in (0, 2, 4))
