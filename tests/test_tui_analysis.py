"""The app's analysis screens (matrix, co-occurrence, words) on the demo project, driven with Pilot;
every number on screen is checked against the headless functions that the command line calls."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.color import Color

from fieldnotes.analysis.cooccurrence import cooccurrence, pair_coding_ids
from fieldnotes.analysis.matrix import matrix
from fieldnotes.analysis.ratings import ratings
from fieldnotes.analysis.words import kwic, words
from fieldnotes.coding.excerpts import count_excerpts, excerpts
from fieldnotes.project.demo import build
from fieldnotes.project.opening import open_project
from fieldnotes.queries.filters import Filters
from fieldnotes.tui.app import FieldnotesApp
from fieldnotes.tui.screens.matrix import MatrixCellScreen, cell_filters
from tests.helpers import import_screens_again, settle

BELIEF = "Tro på borgerens jobchance"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    build(folder / "demo.db")
    return folder / "demo.db"


@pytest.fixture
def app(demo: Path) -> Iterator[FieldnotesApp]:
    application = FieldnotesApp(open_project(str(demo)), "Anna Krogh")
    yield application
    application.project.close()


def read(demo: Path, work: Any) -> Any:
    with open_project(str(demo), readonly=True) as project, project.read() as session:
        return work(session)


def contrast(a: Color, b: Color) -> float:
    """The WCAG contrast ratio of two colours."""
    def luminance(colour: Color) -> float:
        def channel(value: int) -> float:
            c = value / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# --- the matrix ------------------------------------------------------------------------------------


async def open_matrix(pilot: Any) -> Any:
    await settle(pilot)
    await pilot.press("x")
    await settle(pilot)
    return pilot.app.screen


async def test_rating_trend_follows_the_highlighted_scaled_code(app: FieldnotesApp, demo: Path) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        grid = screen.data.matrix
        table = screen.query_one("#matrix")
        table.move_cursor(row=0, column=1)  # a code without a scale: the first scaled code is shown
        await settle(pilot)
        assert screen.trend.code == BELIEF
        specific = f"{BELIEF}/Specifik tro"
        table.move_cursor(row=grid.rows.index(specific), column=1)
        await settle(pilot)
        assert screen.trend.code == specific
        trend = screen.trend
        assert app.errors == []
    by_phase = read(demo, lambda s: ratings(s, specific, by="phase"))
    by_municipality = read(demo, lambda s: ratings(s, specific, by="municipality"))
    # the panel's small multiples: each municipality's ratings per phase, and their totals both ways
    shown = trend.grid
    assert [(shown.column_totals[c].count, shown.column_totals[c].mean) for c in shown.columns] == [
        (c.count, c.mean) for c in by_phase.columns]
    assert [(shown.row_totals[r].count, shown.row_totals[r].mean) for r in shown.rows] == [
        (c.count, c.mean) for c in by_municipality.columns]
    for municipality in shown.rows:
        alone = read(demo, lambda s, m=municipality: ratings(s, specific, Filters(municipalities=[m]), by="phase"))
        assert [(c.label, c.count, c.mean) for c in shown.cells[municipality].values()] == [
            (c.label, c.count, c.mean) for c in alone.columns]
    assert shown.total.count == by_phase.total.count > 0


@pytest.mark.parametrize("theme", ["textual-light", "textual-dark"])
async def test_heatmap_text_contrasts_with_its_cell_in_light_and_dark(app: FieldnotesApp, theme: str) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = theme
        screen = await open_matrix(pilot)
        await settle(pilot)
        table = screen.query_one("#matrix")
        shaded = 0
        for row in range(table.row_count):
            for cell in table.get_row_at(row)[1:-1]:
                # the number's style (the glyph before it is softened on purpose: a texture, not text)
                number = cell.spans[-1].style if cell.spans else cell.style
                style = number if isinstance(number, str) else str(number)
                if " on " not in style:
                    continue
                fore, back = style.split(" on ")
                back = back.split()[0]
                assert contrast(Color.parse(fore), Color.parse(back)) >= 4.5, (theme, cell.plain, style)
                shaded += 1
        assert shaded > 20


async def test_without_rollup_the_cell_and_its_export_hold_only_the_code_itself(app: FieldnotesApp,
                                                                                 demo: Path) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        await pilot.press("r")
        await settle(pilot)
        grid = screen.data.matrix
        assert grid.rollup is False
        table = screen.query_one("#matrix")
        column = grid.columns.index("Søholm") + 1
        table.move_cursor(row=grid.rows.index(BELIEF), column=column)
        await pilot.press("enter")
        await settle(pilot)
        cell = app.screen
        assert isinstance(cell, MatrixCellScreen)
        assert len(cell.found) == grid.cells[BELIEF]["Søholm"]
        assert {e.code_path for e in cell.found} == {BELIEF}
        filters = cell.filters
        assert filters is not None and filters.descendants is False
        assert cell.cell is not None and cell.cell.rollup is False
        assert app.errors == []
    rolled = read(demo, lambda s: matrix(s, Filters(), by="municipality", rollup=True))
    assert rolled.cells[BELIEF]["Søholm"] > grid.cells[BELIEF]["Søholm"]  # the sub-codes were left out
    assert read(demo, lambda s: count_excerpts(s, filters)) == grid.cells[BELIEF]["Søholm"]
    with_rollup = cell_filters("municipality", BELIEF, "Søholm", rollup=True)
    assert with_rollup is not None
    assert read(demo, lambda s: count_excerpts(s, with_rollup)) == rolled.cells[BELIEF]["Søholm"]


async def test_an_empty_list_says_there_is_nothing_to_export(app: FieldnotesApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.push_screen(MatrixCellScreen("x · (none)", [], Filters(codes=[BELIEF])))
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert isinstance(app.screen, MatrixCellScreen)  # no export dialog
        assert any("no excerpts to export" in str(n.message) for n in app._notifications)


async def test_at_80_columns_the_total_column_and_the_footnote_fit(app: FieldnotesApp, demo: Path) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_matrix(pilot)
        table = screen.query_one("#matrix")
        assert table.ordered_columns[-1].key.value == "total"
        widths = sum(column.get_render_width(table) for column in table.ordered_columns)
        assert widths <= table.scrollable_content_region.width
        grid = screen.data.matrix
        shown = [table.get_row_at(i)[-1].plain for i in range(table.row_count)]
        assert shown == [str(grid.row_totals[row]) for row in grid.rows]
        note = str(screen.query_one("#matrix-note").render())
        assert "counts in both" in note
        assert screen.query_one("#matrix-note").region.right <= 80
        assert app.errors == []
    direct = read(demo, lambda s: matrix(s, Filters(), by="municipality"))
    assert grid.row_totals == direct.row_totals


# --- co-occurrence -----------------------------------------------------------------------------------


async def test_cooccurrence_pairs_match_the_library_for_every_unit(app: FieldnotesApp, demo: Path) -> None:
    shown: dict[str, list[tuple[str, str, int, int]]] = {}
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("o", "g")  # the pairs as a list
        await settle(pilot)
        for _ in range(3):
            screen = app.screen
            table = screen.query_one("#co-pairs")
            shown[screen.within] = [
                (p.code_a_path, p.code_b_path, int(table.get_row_at(i)[2].plain), int(table.get_row_at(i)[3].plain))
                for i, p in enumerate(screen.data.pairs)]
            await pilot.press("w")
            await settle(pilot)
        assert app.errors == []
    assert set(shown) == {"overlap", "turn", "paragraph"}
    for within, rows in shown.items():
        direct = read(demo, lambda s, w=within: cooccurrence(s, Filters(), w))
        assert rows == [(p.code_a_path, p.code_b_path, p.count, p.documents) for p in direct.pairs]
        assert rows, within
    assert len(shown["turn"]) > len(shown["overlap"])


async def test_cooccurrence_drills_to_where_the_pair_meets_and_on_to_export(app: FieldnotesApp, demo: Path) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        pair = app.screen.data.pairs[0]
        assert app.screen._pair() == pair  # the grid starts on the most frequent pair
        await pilot.press("enter")
        await settle(pilot)
        cell = app.screen
        assert isinstance(cell, MatrixCellScreen)
        found = {e.id for e in cell.found}
        filters = cell.filters
        assert f"{pair.count}" in cell.title_text
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ExportScreen"
        assert app.screen.listed.codings == found  # exactly the listed passages, not every excerpt of both codes
        assert app.errors == []
    ids = read(demo, lambda s: pair_coding_ids(s, Filters(), "overlap", pair.code_a, pair.code_b))
    assert found == {str(i) for i in ids}
    # overlaps are counted as pairs of codings: two meetings of the first pair hold four excerpts
    assert pair.count == 2 and len(found) == 4
    assert filters is not None and filters.descendants is False
    everything = read(demo, lambda s: {e.id for e in excerpts(s, filters) if e.document in {f.document for f in
                                                                                          cell.found}})
    assert found < everything  # what the old export held: more than the pair's passages


# --- words -------------------------------------------------------------------------------------------


async def test_words_show_the_library_s_key_words_and_frequencies(app: FieldnotesApp, demo: Path) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#words")
        first = [(str(table.get_row_at(i)[0]), int(table.get_row_at(i)[3].plain)) for i in range(table.row_count)]
        await pilot.press("n", "v")
        await settle(pilot)
        second = [(str(table.get_row_at(i)[0]), int(table.get_row_at(i)[1].plain)) for i in range(table.row_count)]
        await pilot.press("k")
        await settle(pilot)
        kinds = [c.label for c in screen.data.table.columns]
        await pilot.press("m", "a", "v")  # names listed too, key words again
        await settle(pilot)
        assert screen.data.no_names is False
        with_names = [(str(table.get_row_at(i)[0]), int(table.get_row_at(i)[3].plain)) for i in range(table.row_count)]
        assert app.errors == []
    direct = read(demo, lambda s: words(s, Filters(), "municipality", keyness=True, limit=60, no_names=True))
    assert first == [(k.word, k.count) for k in direct.columns[0].key_words or []]
    assert first and direct.columns[0].label == "Bakkedal"
    assert second == [(w.word, w.count) for w in direct.columns[1].words]
    assert kinds == [c.label for c in read(demo, lambda s: words(s, Filters(), "kind", keyness=True)).columns]
    everything = read(demo, lambda s: words(s, Filters(), "municipality", keyness=True, limit=60))
    assert with_names == [(k.word, k.count) for k in everything.columns[0].key_words or []]
    assert "maja" in dict(with_names) and "maja" not in dict(first)  # a participant's name


async def test_a_word_in_context_lists_every_use_in_its_column(app: FieldnotesApp, demo: Path) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("v")  # frequencies
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#words")
        word, count = str(table.get_row_at(0)[0]), int(table.get_row_at(0)[1].plain)
        label = screen.data.table.columns[0].label
        await pilot.press("enter")
        await settle(pilot)
        kwic_screen = app.screen
        assert kwic_screen.__class__.__name__ == "KwicScreen"
        assert count > 0 and len(kwic_screen.found) == count
        assert all(c.word.lower() == word for c in kwic_screen.found)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ReaderScreen"
        first = kwic_screen.found[0]
        assert app.screen.query_one("#text").selected_text == first.word
        assert app.errors == []
    direct = read(demo, lambda s: kwic(s, Filters(municipalities=[label]), word))
    assert [(c.document, c.start) for c in kwic_screen.found] == [(c.document, c.start) for c in direct]


# --- snapshots (Danish, 100×30) ----------------------------------------------------------------------


@pytest.fixture
def danish_app(demo: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FieldnotesApp]:
    monkeypatch.chdir(demo.parent)  # the header shows "demo.db", the same on every machine
    # screens translate their key labels when first imported: import them again, in Danish
    import_screens_again(monkeypatch)
    application = FieldnotesApp(open_project(os.path.relpath(demo)), "Anna Krogh", lang="da")
    yield application
    application.project.close()


def test_snapshot_cooccurrence(snap_compare: Any, danish_app: FieldnotesApp) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("w")  # same speaker turn: more pairs
        await settle(pilot)

    assert snap_compare(danish_app, terminal_size=(100, 30), run_before=run_before)


def test_snapshot_words(snap_compare: Any, danish_app: FieldnotesApp) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("n")  # Fjordby's key words
        await settle(pilot)

    assert snap_compare(danish_app, terminal_size=(100, 30), run_before=run_before)


def test_snapshot_matrix_with_rating_trend(snap_compare: Any, danish_app: FieldnotesApp) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)

    assert snap_compare(danish_app, terminal_size=(100, 30), run_before=run_before)
