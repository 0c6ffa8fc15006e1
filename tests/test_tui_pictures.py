"""The app's pictures (#28) on the demo project, driven with Pilot: the heat grid, the co-occurrence grid,
rating trends, the fieldwork timeline and bars beside key words. Each is checked against the library,
and each drill-down against the command line (`--json`), down to the Word file ctrl+e writes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest

from fieldnotes.analysis import charts
from fieldnotes.analysis.cooccurrence import cooccurrence, pair_grid
from fieldnotes.analysis.matrix import matrix
from fieldnotes.analysis.ratings import rating_grid
from fieldnotes.analysis.timeline import timeline
from fieldnotes.project.demo import build
from fieldnotes.project.opening import open_project
from fieldnotes.queries.filters import Filters
from fieldnotes.tui.app import FieldnotesApp
from fieldnotes.tui.screens.matrix import MatrixCellScreen
from tests.helpers import ok, settle

BELIEF = "Tro på borgerens jobchance"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pictures")
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


async def press(pilot: Any, *keys: str) -> Any:
    await settle(pilot)
    await pilot.press(*keys)
    await settle(pilot)
    return pilot.app.screen


async def export_listed(pilot: Any, out: Path) -> None:
    """ctrl+e on a list of excerpts, then ctrl+s in the dialog, writing to `out`."""
    app = pilot.app
    await press(pilot, "ctrl+e")
    assert app.screen.__class__.__name__ == "ExportScreen"
    assert app.screen.query_one("#ex-filters").display is False  # no filter could say which passages these are
    app.screen.query_one("#ex-file").value = str(out)
    await press(pilot, "ctrl+s")
    assert out.exists(), app.errors


def quoted(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs if p.style.name == "Excerpt"]


def as_exported(demo: Path, texts: list[str]) -> list[str]:
    """The texts as a default export writes them: the demo has a pseudonym register, so names are replaced."""
    from fieldnotes.export.pseudonyms import default_enabled, pseudonymizer

    def replaced(session: Any) -> list[str]:
        assert default_enabled(session)
        names = pseudonymizer(session, True)
        return [names(text) for text in texts]

    return list(read(demo, replaced))


def holds_exactly(paragraphs: list[str], texts: list[str]) -> bool:
    """Whether each excerpt's text is in its own paragraph (with its sentence around it), and no more."""
    left = list(paragraphs)
    for text in sorted(texts, key=len, reverse=True):
        found = next((p for p in left if " ".join(text.split()) in " ".join(p.split())), None)
        if found is None:
            return False
        left.remove(found)
    return not left


def text_of(widget: Any) -> str:
    """What a Static shows, as plain text."""
    from rich.console import Console

    console = Console(width=200, record=True, file=__import__("io").StringIO())
    console.print(widget.content)
    return console.export_text()


def facts(path: Path) -> dict[str, str]:
    return dict(p.text.split("\t", 1) for p in docx.Document(str(path)).paragraphs
                if p.style.name == "Title Page Fact")


# --- the heat grid -------------------------------------------------------------------------------------


async def test_each_cell_is_shaded_on_its_level_s_scale_with_a_glyph(app: FieldnotesApp, demo: Path) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await press(pilot, "x")
        grid = screen.data.matrix
        table = screen.query_one("#matrix")
        shown = [[cell.plain for cell in table.get_row_at(i)[1:-1]] for i in range(table.row_count)]
        styles = [[str(cell.spans[-1].style) if cell.spans else str(cell.style) for cell in table.get_row_at(i)[1:-1]]
                  for i in range(table.row_count)]
        legend = text_of(screen.query_one("#matrix-legend"))
        assert app.errors == []
    direct = read(demo, lambda s: matrix(s, Filters(), by="municipality"))
    scales = charts.level_scales(direct.depths, [[direct.cells[r][c] for c in direct.columns] for r in direct.rows])
    steps: dict[int, set[int]] = {0: set(), 1: set()}
    for row, depth, cells, looks in zip(direct.rows, direct.depths, shown, styles, strict=True):
        for column, text, style in zip(direct.columns, cells, looks, strict=True):
            value = direct.cells[row][column]
            step = scales[depth].step(value)
            steps[depth].add(step)
            assert text == charts.GLYPHS[step] * 2 + f" {value}", (row, column, text)
            background = charts.colour(step, dark=True)
            assert (background in style) if background else "dim" in style
    # sub-codes use the whole scale too, not only its pale end (areas have no empty cells in the demo)
    assert steps[1] == {0, 1, 2, 3, 4} and steps[0] == {1, 2, 3, 4}
    assert grid.rows == direct.rows
    assert "Areas" in legend and "Sub-codes" in legend and "25–32" in legend and "11–14" in legend


async def test_the_heat_grid_follows_the_light_theme(app: FieldnotesApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = "textual-light"
        screen = await press(pilot, "x")
        table = screen.query_one("#matrix")
        backgrounds = {str(cell.style).split(" on ")[1].split()[0] for i in range(table.row_count)
                       for cell in table.get_row_at(i)[1:-1] if " on " in str(cell.style)}
    assert backgrounds == set(charts.LIGHT_PALETTE)


async def test_a_matrix_cell_lists_what_the_cli_lists_and_ctrl_e_exports_exactly_that(
        app: FieldnotesApp, demo: Path, tmp_path: Path) -> None:
    row, column = "Sparringskultur og ledelse", "Jonas Bech"
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await press(pilot, "x", "c")  # the columns: coders
        grid = screen.data.matrix
        table = screen.query_one("#matrix")
        table.move_cursor(row=grid.rows.index(row), column=grid.columns.index(column) + 1)
        cell = await press(pilot, "enter")
        assert isinstance(cell, MatrixCellScreen)
        listed = [e.id for e in cell.found]
        texts = [e.text for e in cell.found]
        out = tmp_path / "sparring hos Jonas Bech.docx"
        await export_listed(pilot, out)
        assert app.errors == []
    cli = ok("--db", demo, "--json", "matrix", "--by", "coder", "--cell", row, column).json
    assert listed == [e["id"] for e in cli] and len(listed) == grid.cells[row][column] > 0
    assert holds_exactly(quoted(out), as_exported(demo, texts))
    assert facts(out)["Matrix cell"].startswith(row)
    log = ok("--db", demo, "--json", "log", "--exports").json
    assert log[-1]["details"]["cell"] == {"by": "coder", "row": row, "column": column, "rollup": True}
    assert log[-1]["details"]["excerpts"] == len(listed)


# --- the co-occurrence grid -------------------------------------------------------------------------


async def test_the_grid_holds_every_pair_both_ways(app: FieldnotesApp, demo: Path) -> None:
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await press(pilot, "o", "w")  # the same speaker turn
        table = screen.query_one("#co-pairs")
        shown = [[cell.plain for cell in table.get_row_at(i)[1:]] for i in range(table.row_count)]
        names = [table.get_row_at(i)[0].plain for i in range(table.row_count)]
        assert app.errors == []
    grid = pair_grid(read(demo, lambda s: cooccurrence(s, Filters(), "turn")))
    assert len(shown) == len(grid.codes) > 10
    for a, cells in enumerate(shown):
        assert names[a].split()[0] == str(a + 1)
        assert grid.paths[a].rsplit("/", 1)[-1].startswith(names[a].split(maxsplit=1)[1].strip().rstrip("…"))
        for b, text in enumerate(cells):
            count = grid.count(grid.codes[a], grid.codes[b])
            if a == b:
                assert text == "╲"
            elif count == 0:
                assert text == "·"
            else:
                assert re.fullmatch(rf"[░▒▓█] {count}", text), text


async def test_a_pair_lists_what_the_cli_lists_and_ctrl_e_exports_exactly_that(
        app: FieldnotesApp, demo: Path, tmp_path: Path) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await press(pilot, "o")
        pair = screen.data.pairs[0]
        grid = screen.grid
        table = screen.query_one("#co-pairs")
        # the same pair from the other side of the diagonal
        table.move_cursor(row=grid.codes.index(pair.code_b), column=grid.codes.index(pair.code_a) + 1)
        await settle(pilot)
        assert screen._pair() == pair
        cell = await press(pilot, "enter")
        listed = [e.id for e in cell.found]
        texts = [e.text for e in cell.found]
        out = tmp_path / "hvor sparring møder kultur.docx"
        await export_listed(pilot, out)
        assert app.errors == []
    cli = ok("--db", demo, "--json", "cooccurrence", "--pair", pair.code_a_path, pair.code_b_path).json
    assert listed == [e["id"] for e in cli] and len(listed) == 4
    written = quoted(out)
    assert holds_exactly(written, as_exported(demo, texts)) and len(written) == 4
    # what the old export held: every excerpt of both codes in those documents
    every = ok("--db", demo, "--json", "excerpts", "--code", pair.code_a_path, "--code", pair.code_b_path,
               "--no-descendants").json
    assert len([e for e in every if e["document"] in {c["document"] for c in cli}]) > 4
    assert "Selection" in facts(out)


# --- rating trends ----------------------------------------------------------------------------------------


async def test_rating_trends_show_each_municipality_by_phase(app: FieldnotesApp, demo: Path) -> None:
    async with app.run_test(size=(160, 50)) as pilot:
        await press(pilot, "x")
        screen = await press(pilot, "g")
        assert screen.__class__.__name__ == "RatingsScreen"
        first = screen.data.grid
        panels = text_of(screen.query_one("#rt-panels"))
        codes = screen.data.codes
        await press(pilot, "n")
        second = screen.data.grid
        back = await press(pilot, "escape")
        assert back.__class__.__name__ == "MatrixScreen"
        assert app.errors == []
    direct = read(demo, lambda s: rating_grid(s, BELIEF))
    assert first.code_path == BELIEF and first.as_dict() == direct.as_dict()
    assert codes == [BELIEF, f"{BELIEF}/Generel tro", f"{BELIEF}/Specifik tro"]
    assert second.code_path == codes[1]
    # each municipality's trend in words: Søholm rises from 1.9 to 4.0, Bakkedal stays at 3.0
    assert "Søholm  1.9 → 4.0 ↑" in panels and "Bakkedal  3.0 → 3.0 →" in panels
    assert "All municipalities" in panels


async def test_the_matrix_panel_shows_a_sparkline_per_municipality(app: FieldnotesApp, demo: Path) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await press(pilot, "x")
        lines = text_of(screen.query_one("#trend")).splitlines()
    direct = read(demo, lambda s: rating_grid(s, BELIEF))
    low, high = direct.scale
    for municipality in direct.rows:
        line = next(text for text in lines if text.startswith(municipality))
        means = direct.means(municipality)
        cells = "".join(charts.spark(m, low, high) if m is not None else "·" for m in means)
        assert line.split()[1:1 + len(means)] == list(cells)


# --- the timeline ---------------------------------------------------------------------------------------------


async def test_the_timeline_counts_each_municipality_s_documents_by_month(app: FieldnotesApp, demo: Path) -> None:
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await press(pilot, "t")
        assert screen.__class__.__name__ == "TimelineScreen"
        lines = text_of(screen.query_one("#tl-chart")).rstrip("\n").splitlines()
        await press(pilot, "k")
        fewer = text_of(screen.query_one("#tl-chart")).rstrip("\n").splitlines()
        home = await press(pilot, "escape")
        assert home.__class__.__name__ == "HomeScreen"
        assert app.errors == []
    line = read(demo, timeline)
    assert screen.data.as_dict() == line.as_dict()
    assert len(lines) == 3 + len(line.rows) * (1 + len(line.kinds)) and len(fewer) == 3 + len(line.rows)
    for row in line.rows:
        shown = next(text for text in lines if text.startswith(row))
        assert shown.split()[-1] == str(line.row_total(row))
        numbers = [int(n) for n in re.findall(r"\d+", shown)[:-1]]
        assert numbers == [line.month_total(row, m) for m in line.months if line.month_total(row, m)]
    assert lines[0].split() == ["2025", "2026", "2027"]


# --- bars beside key words ----------------------------------------------------------------------------------


async def test_key_words_have_bars_as_long_as_their_score(app: FieldnotesApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await press(pilot, "l")
        table = screen.query_one("#words")
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert app.errors == []
    scores = [float(row[1].plain.replace(",", "")) for row in rows]
    bars = [row[2].plain for row in rows]
    width = len(bars[0])
    assert bars[0] == "█" * width and width >= 8
    eighths = [8 * b.count("█") + (" ▏▎▍▌▋▊▉".index(b.rstrip()[-1]) if b.rstrip() and b.rstrip()[-1] != "█" else 0)
               for b in bars]
    for score, length in zip(scores, eighths, strict=True):
        assert abs(length - score / scores[0] * width * 8) <= 1


# --- keys and the palette ---------------------------------------------------------------------------------------


async def test_new_views_have_keys_that_no_app_wide_key_shadows_and_palette_entries(app: FieldnotesApp) -> None:
    from fieldnotes.tui.screens.cooccurrence import CooccurrenceScreen
    from fieldnotes.tui.screens.home import HomeScreen
    from fieldnotes.tui.screens.matrix import MatrixScreen
    from fieldnotes.tui.screens.ratings import RatingsScreen
    from fieldnotes.tui.screens.timeline import TimelineScreen

    app_keys = {key.strip() for binding in FieldnotesApp.BINDINGS for key in binding.key.split(",")}  # type: ignore[union-attr]
    for screen in (CooccurrenceScreen, HomeScreen, MatrixScreen, RatingsScreen, TimelineScreen):
        keys = {key.strip() for binding in screen.BINDINGS for key in binding.key.split(",")}  # type: ignore[union-attr]
        assert not keys & app_keys, (screen.__name__, keys & app_keys)
    for screen in (RatingsScreen, TimelineScreen):
        assert any(binding.key == "escape" and binding.action == "back" for binding in screen.BINDINGS)  # type: ignore[union-attr]
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        assert "Rating trends" in commands and "Fieldwork timeline" in commands
        commands["Fieldwork timeline"].callback()
        await settle(pilot)
        assert app.screen.__class__.__name__ == "TimelineScreen"
        commands["Rating trends"].callback()
        await settle(pilot)
        assert app.screen.__class__.__name__ == "RatingsScreen"
        assert app.errors == []
