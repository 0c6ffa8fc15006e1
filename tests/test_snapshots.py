"""Snapshots of each main screen on the demo project, at 80×24 and 160×50.

They pin what a person sees, including the paint of codings over Danish text (which rests on
TextArea's private highlight API: an upgrade of Textual that breaks it fails here at once).
Update them deliberately with `pytest tests/test_snapshots.py --snapshot-update`, after looking.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fieldnotes.project.demo import build
from fieldnotes.project.opening import open_project
from fieldnotes.tui.app import FieldnotesApp
from tests.helpers import import_screens_again, settle

SIZES = [(80, 24), (160, 50)]
READER_DOC = "Interview med sagsbehandler, Jobcenter Søholm"


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("snapshots")
    build(folder / "demo.db")
    return folder


@pytest.fixture
def app(demo_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FieldnotesApp]:
    monkeypatch.chdir(demo_folder)  # the app shows the project as "demo.db", the same on every machine
    # screens translate their key labels when first imported: after an English test in this process,
    # import them again so they come out in Danish, whatever ran before
    import_screens_again(monkeypatch)
    copy = demo_folder / "demo.db"
    application = FieldnotesApp(open_project(os.path.relpath(copy)), "Anna Krogh", lang="da")
    yield application
    application.project.close()


async def _open_reader(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("d")
    await settle(pilot)
    table = pilot.app.screen.query_one("#documents")
    row = next(i for i in range(table.row_count) if READER_DOC in str(table.get_row_at(i)) and ".03.2025" in
               str(table.get_row_at(i)))
    table.move_cursor(row=row)
    await pilot.press("enter")
    await settle(pilot)
    text = pilot.app.screen.query_one("#text")
    start = text.document.text.index("de her borgere") if "de her borgere" in text.document.text else 400
    text.select_span(start, start)
    await pilot.press("n")  # to the next coding, so the side panel shows it
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home(snap_compare: Any, app: FieldnotesApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_documents(snap_compare: Any, app: FieldnotesApp, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reader_paints_codings_over_danish_text(snap_compare: Any, app: FieldnotesApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=_open_reader)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reader_margin_with_overlapping_codings_of_two_coders(snap_compare: Any, app: FieldnotesApp,
                                                               size: tuple[int, int]) -> None:
    """The margin beside the text: Anna Krogh's and Jonas Bech's codings of the same passages side by
    side in lanes, hers solid and his dashed, labelled with shortcut letters at 80 columns and with
    code names at 160, and the legend in the side panel."""

    async def run_before(pilot: Any) -> None:
        await _open_reader(pilot)
        text = pilot.app.screen.query_one("#text")
        start = text.document.text.index("Jeg havde skrevet en hel side")
        text.select_span(start, start)
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_codings_list(snap_compare: Any, app: FieldnotesApp, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await _open_reader(pilot)
        await pilot.press("C")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_code_picker(snap_compare: Any, app: FieldnotesApp, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await _open_reader(pilot)
        await pilot.press("s", "c")
        await pilot.pause()
        await pilot.press(*"sparring")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_codebook(snap_compare: Any, app: FieldnotesApp, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("down", "down")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_excerpts_of_a_theme(snap_compare: Any, app: FieldnotesApp, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*"Sparringskultur og ledelse", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_disagreements_of_two_coders(snap_compare: Any, app: FieldnotesApp, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        await pilot.press("n")  # the second run: the one shown is the one the status line counts
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_export_dialog_shows_every_field(snap_compare: Any, app: FieldnotesApp, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*"Sparringskultur og ledelse", "enter")
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        # the default file lies in the working folder, a different temporary folder on every run
        pilot.app.screen.query_one("#ex-file").value = "sparringskultur-og-ledelse.docx"
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


# --- pictures (#28): the heat grid in colour and without, the co-occurrence grid, rating trends, timeline


@pytest.fixture
def app_without_colour(demo_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FieldnotesApp]:
    """The app as a terminal with NO_COLOR set shows it: every colour turned to grey."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(demo_folder)
    import_screens_again(monkeypatch)
    application = FieldnotesApp(open_project(os.path.relpath(demo_folder / "demo.db")), "Anna Krogh", lang="da")
    assert application.no_color
    yield application
    application.project.close()


async def _open_matrix(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("x")
    await settle(pilot)
    await pilot.press("t")  # the rating panel away: the grid and its legend fill the screen
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_heat_grid(snap_compare: Any, app: FieldnotesApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=_open_matrix)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_heat_grid_without_colour(snap_compare: Any, app_without_colour: FieldnotesApp,
                                  size: tuple[int, int]) -> None:
    assert snap_compare(app_without_colour, terminal_size=size, run_before=_open_matrix)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_cooccurrence_grid(snap_compare: Any, app: FieldnotesApp, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("w")  # the same speaker turn: more codes meet
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_rating_trends(snap_compare: Any, app: FieldnotesApp, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_fieldwork_timeline(snap_compare: Any, app: FieldnotesApp, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("choice", ["yes", "no"])
def test_export_dialog_states_the_choice_about_names_in_words(snap_compare: Any, app: FieldnotesApp,
                                                              choice: str) -> None:
    """"Navne erstattet: ja" or "…: nej", with a sentence saying what it means: never a glyph alone."""
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        pilot.app.screen.query_one("#ex-file").value = "uddrag.docx"
        if choice == "no":
            pilot.app.screen.query_one("#ex-names").value = "no"
        await settle(pilot)
        fields = pilot.app.screen.query_one("#ex-fields")
        fields.scroll_to_widget(pilot.app.screen.query_one("#ex-names-state"), animate=False, immediate=True)
        await settle(pilot)

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)
