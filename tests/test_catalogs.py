"""Every visible string of the app has a Danish translation, and the compiled catalog is current."""

from __future__ import annotations

from pathlib import Path

from fieldnotes.project.opening import open_project
from fieldnotes.tui.app import FieldnotesApp
from tests.catalogs import extracted, problems
from tests.projectdata import make_project


def test_catalog_is_complete_and_compiled() -> None:
    assert len(extracted()) > 100
    assert problems() == []


async def test_the_app_speaks_danish(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang="da")
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(3):
            await pilot.pause()
            await app.workers.wait_for_complete()
        shown = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "Seneste dokumenter" in shown and "Kommuner" in shown
        assert "Recent documents" not in shown
    english = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang="en")
    async with english.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await english.workers.wait_for_complete()
        await pilot.pause()
        assert "Recent documents" in " ".join(str(w.render()) for w in english.screen.query("Static"))
