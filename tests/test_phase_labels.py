"""Phase columns are labelled with their dates (#23): "Fase 1 (feb.–jul. 2025)" wherever phases are columns
(the matrix and ratings on the command line, the app's heat grid, the Word overview, the theme browser)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from docx import Document as WordDocument
from textual.widgets import DataTable

from fieldnotes.project.opening import open_project
from fieldnotes.tui.app import FieldnotesApp
from tests.helpers import ok, settle
from tests.projectdata import make_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = make_project(tmp_path)
    ok("--db", target, "code", "Interview med sagsbehandler", "--code", "Specifik tro", "--match", "Vi tager altid",
       "--rating", "4", "--coder", "Anna Krogh")
    return target


def test_the_matrix_by_phase_names_each_phase_with_its_months(project: Path) -> None:
    dansk = ok("--db", project, "matrix", "--by", "phase", "--lang", "da").out.splitlines()
    assert "Fase 1 (feb.–jul. 2025)" in dansk[1]
    english = ok("--db", project, "matrix", "--by", "phase", "--lang", "en").out.splitlines()
    assert "Phase 1 (Feb\u2009–\u2009Jul 2025)" in english[1]  # Babel puts thin spaces around the dash
    assert ok("--db", project, "matrix", "--by", "phase", "--json").json["columns"][0] == "1"  # scripts keep keys


def test_ratings_by_phase_name_each_phase_with_its_months(project: Path) -> None:
    lines = ok("--db", project, "ratings", "Tro på borgerens jobchance", "--by", "phase", "--lang", "da").out
    assert re.search(r"^Fase 1 \(feb\.–jul\. 2025\)\s+1\s+4,00", lines, re.M), lines
    grid = ok("--db", project, "ratings", "Tro på borgerens jobchance", "--per", "municipality",
              "--lang", "da").out.splitlines()
    assert "Fase 1 (feb.–jul. 2025)" in grid[1]


async def test_the_apps_heat_grid_by_phase_shows_each_phases_months(project: Path) -> None:
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang="da")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        table = app.screen.query_one("#matrix", DataTable)
        headings = [str(column.label) for column in table.columns.values()]
        assert "Fase 1\nfeb.–jul. 2025" in headings, headings
        assert app.errors == []


def test_the_word_overview_and_the_theme_browser_date_their_phases(project: Path, tmp_path: Path) -> None:
    report = tmp_path / "oversigt.docx"
    ok("--db", project, "export", "docx", report, "--overview", "phase", "--lang", "da")
    cells = {cell.text for table in WordDocument(str(report)).tables for row in table.rows for cell in row.cells}
    assert any(text.startswith("Fase 1 · 1. feb. 2025") and "31. jul. 2025" in text for text in cells), cells
    browser = tmp_path / "temaer.html"
    ok("--db", project, "export", "html", browser, "--lang", "da")
    page = browser.read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert any(c.startswith("Fase 1 · 1. feb. 2025") for c in data["views"]["phase"]["columns"])
