"""Who and what, at a glance (#23): Home's recent documents are the ones you opened or coded lately."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from fieldnotes import paths
from fieldnotes.project.opening import open_project
from fieldnotes.queries.overview import home
from fieldnotes.tui.app import FieldnotesApp
from tests.helpers import ok, settle


@pytest.fixture
def three(tmp_path: Path) -> Path:
    """A project with three documents, imported one after the other: the last imported is the newest."""
    target = tmp_path / "møder.db"
    ok("--db", target, "init", "--coder", "Anna Krogh")
    for number, (title, town) in enumerate((("Første interview i Søholm", "Søholm"),
                                            ("Observation på lageret i Ærøby", "Ærøby"),
                                            ("Referat fra Lyngå", "Lyngå")), start=1):
        source = tmp_path / f"dokument-{number}.md"
        source.write_text(f"---\ntitel: {title}\nkommune: {town}\ndato: 2025-0{number}-10\n---\n"
                          f"Vi tager altid en runde om fredagen, sagde lederen i {town}.\n", encoding="utf-8")
        ok("--db", target, "import", source)
    return target


def titles(table: DataTable[Any]) -> list[str]:
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


async def test_an_older_document_opened_in_the_app_comes_first_on_home(three: Path) -> None:
    app = FieldnotesApp(open_project(str(three)), "Anna Krogh", lang="da")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#recent-documents", DataTable)
        before = titles(table)
        assert before[0] == "Referat fra Lyngå" and before[-1] == "Første interview i Søholm"
        table.focus()
        table.move_cursor(row=before.index("Første interview i Søholm"))
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ReaderScreen"
        await pilot.press("escape")  # back Home
        await settle(pilot)
        assert type(app.screen).__name__ == "HomeScreen"
        after = titles(app.screen.query_one("#recent-documents", DataTable))
        assert after[0] == "Første interview i Søholm"
        assert after[1:] == [t for t in before if t != "Første interview i Søholm"]
    # what is kept on this computer: ids and times, never a title or the text
    kept = (paths.data_dir() / "recent.json").read_text(encoding="utf-8")
    assert "Første" not in kept and "runde" not in kept and len(json.loads(kept)) == 1


def test_a_document_coded_lately_comes_first_then_the_one_opened_after_it(three: Path) -> None:
    from fieldnotes.documents.opened import record_open

    ok("--db", three, "code", "Observation på lageret i Ærøby", "--code", "Tro på borgerens jobchance",
       "--match", "en runde", "--coder", "Bo Hansen")
    project = open_project(str(three))
    with project, project.read() as session:
        data = home(project, session)
        assert data.recent_documents[0]["title"] == "Observation på lageret i Ærøby"
        record_open(project.settings(session).id, next(row["id"] for row in data.recent_documents
                                                        if row["title"] == "Første interview i Søholm"))
        again = [row["title"] for row in home(project, session).recent_documents]
    assert again == ["Første interview i Søholm", "Observation på lageret i Ærøby", "Referat fra Lyngå"]
