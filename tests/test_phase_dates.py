"""Phase columns are labelled with their dates (#23), wherever a phase is shown to a person: the app's
rating trends, its timeline and excerpt filter, the Word report's trend chart, the theme browser's trend
charts, the XLSX table and the command line's counts and words. All from the shared helpers
(`analysis.columns.phase_title`): "Fase 1 (feb.–jul. 2025)" where space is short, "Fase 1" over
"feb.–jul. 2025" on a chart's axis; just "Fase 1" without a fieldwork start. Machine formats (CSV,
JSON) keep the phase's number."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import shutil
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fieldnotes.analysis.columns import phase_label, phase_title
from fieldnotes.export import plotting
from fieldnotes.export.figures import TrendFigure, gather_figures
from fieldnotes.export.html_browser import trend_charts
from fieldnotes.export.labels import Labels
from fieldnotes.export.pseudonyms import Pseudonymizer
from fieldnotes.project.demo import build
from fieldnotes.project.opening import open_project
from fieldnotes.queries.filters import Filters
from fieldnotes.translations import speaking
from fieldnotes.tui.app import FieldnotesApp
from tests.helpers import ok
from tests.test_tui_pictures import press, text_of

START = dt.date(2025, 2, 1)  # the demo's fieldwork start
FIRST_DA, SECOND_DA = "Fase 1 (feb.–jul. 2025)", "Fase 2 (aug. 2025–jan. 2026)"
FIRST_EN = "Phase 1 (Feb\u2009–\u2009Jul 2025)"  # Babel's English interval: thin spaces around the dash
MUNICIPALITIES = ["Bakkedal", "Fjordby", "Lyngå", "Søholm"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FIELDNOTES_HOME", str(tmp_path_factory.mktemp("hjem")))
        target = tmp_path_factory.mktemp("fasér") / "demo æøå.db"
        build(target)
        yield target


@pytest.fixture
def undated(demo: Path, tmp_path: Path) -> Path:
    """The demo without a fieldwork start: it has no phases' dates."""
    copy = tmp_path / "uden startdato.db"
    shutil.copy(demo, copy)
    ok("--db", copy, "project", "set", "start", "none")
    return copy


def test_the_shared_helpers_give_a_phase_its_months() -> None:
    with speaking("da"):
        assert phase_title(1, START) == FIRST_DA and phase_label("2", START) == SECOND_DA
        assert phase_title(2, START, two_lines=True) == "Fase 2\naug. 2025–jan. 2026"
        assert phase_title(3, None) == "Fase 3" and phase_label("3", None) == "Fase 3"
        assert phase_label("(none)", START) == "(ingen)"
        assert phase_title(1, START, lang="en") == FIRST_EN  # an export's language, not the interface's
    assert Labels("da").phase(4, START) == "Fase 4 (aug. 2026–jan. 2027)"
    assert Labels("en").phase("1", START, two_lines=True) == "Phase 1\nFeb\u2009–\u2009Jul 2025"
    assert Labels("da").phase(1, None) == "Fase 1"


# --- the Word report's trend chart ------------------------------------------------------------------------


def figure(phases: int, start: dt.date | None) -> TrendFigure:
    series = [(name, [1 + ((i * 7 + k * 3) % 5) * 0.9 if (i + k) % 5 else None for i in range(phases)])
              for k, name in enumerate(["Fjordby", "Ærøby", "Skovlund", "Østerå"])]
    return TrendFigure("Tro på jobchance", (1, 5), [str(i + 1) for i in range(phases)], series, start=start)


def ticks(data: TrendFigure, lang: str) -> tuple[list[str], Any]:
    with plotting._style():
        drawn, _width, _height = plotting.trend_figure(data, Labels(lang))
        axes = drawn.axes[0]
        return [tick.get_text() for tick in axes.get_xticklabels()], drawn


def test_the_word_chart_names_each_phase_with_its_months() -> None:
    labels, _drawn = ticks(figure(4, START), "da")
    assert labels[:2] == ["Fase 1\nfeb.–jul. 2025", "Fase 2\naug. 2025–jan. 2026"]
    labels, _drawn = ticks(figure(4, START), "en")
    assert labels[0] == "Phase 1\nFeb\u2009–\u2009Jul 2025"
    labels, _drawn = ticks(figure(4, None), "da")
    assert labels == ["Fase 1", "Fase 2", "Fase 3", "Fase 4"]


@pytest.mark.parametrize("phases", [4, 8])
def test_the_word_chart_s_phase_labels_never_overlap_and_stay_on_the_picture(phases: int) -> None:
    with plotting._style():
        drawn, width_cm, height_cm = plotting.trend_figure(figure(phases, START), Labels("da"))
        renderer = drawn.canvas.get_renderer()
        axes = drawn.axes[0]
        boxes = [tick.get_window_extent(renderer) for tick in axes.get_xticklabels()]
        legend = axes.get_legend().get_window_extent(renderer)
    labels = axes.get_xticklabels()
    if phases == 4:
        assert all(a.x1 < b.x0 for a, b in pairwise(boxes)), "labels side by side, apart"
    else:  # slanted by 30°, parallel: neighbours lie half their ticks' distance apart, more than a label is high
        tall = labels[0].get_fontsize() * 1.2 * 2 * drawn.dpi / 72
        anchors = [axes.transData.transform((x, 0))[0] for x in axes.get_xticks()]
        assert all((b - a) / 2 > tall for a, b in pairwise(anchors))
    picture = drawn.bbox
    assert all(box.x0 >= 0 and box.x1 <= picture.width and box.y0 >= 0 for box in boxes)
    assert all(legend.y1 < box.y0 for box in boxes), "the legend below the labels"
    assert (axes.get_xticklabels()[0].get_rotation() != 0) == (phases == 8), "slanted only when crowded"
    assert width_cm == 16.0 and 7 < height_cm < 11


def test_the_report_s_trends_know_the_fieldwork_start(demo: Path) -> None:
    from fieldnotes.export.gather import gather

    with open_project(str(demo), readonly=True) as project, project.read() as session:
        data = gather(session, Filters(), pseudonymize=Pseudonymizer())
        figures = gather_figures(session, Filters(), data.codes, Pseudonymizer())
    assert figures.trends is not None and figures.trends.start == START
    labels, _drawn = ticks(figures.trends, "da")
    assert labels[0] == "Fase 1\nfeb.–jul. 2025"


# --- the theme browser's trend charts -----------------------------------------------------------------------


def trend_section(page: str) -> str:
    page = html.unescape(page)
    return page[page.index('<section id="trends"'):page.index('<section id="codebook"')]


def axis_labels(section: str) -> list[list[str]]:
    """Each phase label under a trend chart, as its lines (the SVG's tspans)."""
    found = re.findall(r'<text class="tick"[^>]*>((?:<tspan[^>]*>[^<]*</tspan>)+)</text>', section)
    return [re.findall(r"<tspan[^>]*>([^<]*)</tspan>", label) for label in found]


def test_the_theme_browser_s_trends_name_each_phase_with_its_months(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "temaer æøå.html"
    ok("--db", demo, "--lang", "da", "export", "html", out)
    section = trend_section(out.read_text(encoding="utf-8"))
    assert axis_labels(section)[:2] == [["Fase 1", "feb.–jul. 2025"], ["Fase 2", "aug. 2025–jan. 2026"]]
    assert f'<th scope="col">{FIRST_DA}</th>' in section and f'<th scope="col">{SECOND_DA}</th>' in section
    ok("--db", demo, "--lang", "en", "export", "html", out, "--force")
    section = trend_section(out.read_text(encoding="utf-8"))
    assert axis_labels(section)[0] == ["Phase 1", "Feb\u2009–\u2009Jul 2025"]
    assert f'<th scope="col">{FIRST_EN}</th>' in section


def test_the_theme_browser_s_trend_labels_fit_at_4_and_8_phases() -> None:
    four, eight, undated = trend_charts([figure(4, START), figure(8, START), figure(3, None)], Labels("da"))
    assert not four.tilt and four.phase_x[0][1] == ["Fase 1", "feb.–jul. 2025"]
    # level labels: each half of the widest line fits between two ticks and inside the picture
    halves = [(x, max(len(line) for line in lines) * 7.6 / 2) for x, lines in four.phase_x]
    assert all(x1 + half1 < x2 - half2 for (x1, half1), (x2, half2) in pairwise(halves))
    assert halves[0][0] - halves[0][1] >= 0 and halves[-1][0] + halves[-1][1] <= four.width
    assert eight.tilt and eight.height > four.height and eight.phase_x[7][1] == ["Fase 8", "aug. 2028–jan. 2029"]
    assert eight.left >= max(len(line) for line in eight.phase_x[0][1]) * 7.6 * 0.8  # room for the slant
    assert [lines for _x, lines in undated.phase_x] == [["Fase 1"], ["Fase 2"], ["Fase 3"]]
    assert undated.phases == ["Fase 1", "Fase 2", "Fase 3"]


# --- the XLSX table (CSV keeps the number) ------------------------------------------------------------------


def test_the_xlsx_names_each_excerpt_s_phase_with_its_months_and_csv_keeps_the_number(demo: Path,
                                                                                       tmp_path: Path) -> None:
    book_file, table = tmp_path / "uddrag æøå.xlsx", tmp_path / "uddrag.csv"
    ok("--db", demo, "--lang", "da", "export", "xlsx", book_file, "--municipality", "Søholm")
    ok("--db", demo, "--lang", "da", "export", "csv", table, "--municipality", "Søholm")
    sheet = openpyxl.load_workbook(book_file).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    phases = {row["Fase"] for row in rows}
    assert FIRST_DA in phases and phases <= {phase_title(n, START, lang="da") for n in range(1, 5)}
    machine = list(csv.DictReader(io.StringIO(table.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert {row["phase"] for row in machine} <= {"1", "2", "3", "4"} and "1" in {row["phase"] for row in machine}
    english = tmp_path / "excerpts.xlsx"
    ok("--db", demo, "--lang", "en", "export", "xlsx", english, "--municipality", "Søholm")
    sheet = openpyxl.load_workbook(english).worksheets[0]
    at = [cell.value for cell in sheet[1]].index("Phase")
    assert FIRST_EN in {row[at] for row in sheet.iter_rows(min_row=2, values_only=True)}


# --- the command line: counts and words by phase --------------------------------------------------------------


def test_counts_and_words_by_phase_name_each_phase_with_its_months(demo: Path, undated: Path) -> None:
    counts = ok("--db", demo, "--lang", "da", "search", "borger", "--counts", "--by", "phase").out
    assert FIRST_DA in counts and SECOND_DA in counts
    english = ok("--db", demo, "--lang", "en", "search", "borger", "--counts", "--by", "phase").out
    assert FIRST_EN in english.splitlines()[3], "not cut: the column is as wide as its longest label"
    assert ok("--db", demo, "--lang", "da", "search", "borger", "--counts", "--by", "phase", "--json").json
    words = ok("--db", demo, "--lang", "da", "words", "--by", "phase").out
    assert f"{FIRST_DA}: " in words
    json_rows = ok("--db", demo, "--lang", "da", "search", "borger", "--counts", "--by", "phase", "--json").json
    assert "Fase" not in str(json_rows), "JSON keeps the phase numbers"


# --- the app ------------------------------------------------------------------------------------------------


@pytest.fixture
def app(demo: Path) -> Iterator[FieldnotesApp]:
    application = FieldnotesApp(open_project(str(demo)), "Anna Krogh", lang="da")
    yield application
    application.project.close()


async def test_rating_trends_name_each_phase_with_its_months(app: FieldnotesApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "x")
        panel = text_of(pilot.app.screen.query_one("#trend"))
        screen = await press(pilot, "g")
        assert screen.__class__.__name__ == "RatingsScreen"
        title = text_of(screen.query_one("#rt-title"))
        assert app.errors == []
    legend = [line.strip() for line in title.splitlines()[-2:]]
    assert legend == [f"{FIRST_DA} · {SECOND_DA} · Fase 3 (feb.–jul. 2026)", "Fase 4 (aug. 2026–jan. 2027)"], \
        "every phase with its months, lines broken only between phases"
    assert f"{FIRST_DA} · {SECOND_DA}" in panel, "the matrix's rating panel too"


async def test_the_excerpt_filter_offers_each_phase_with_its_months(app: FieldnotesApp) -> None:
    from textual.widgets import Select

    async with app.run_test(size=(100, 30)) as pilot:
        screen = await press(pilot, "e")
        select: Select[str] = screen.query_one("#ex-phase", Select)
        options = [(str(prompt), value) for prompt, value in select._options if value is not Select.NULL]
        select.value = "2"
        await press(pilot)
        assert screen.filters.phases == [2], "the filter's value stays the number"
        assert select.region.height == 3, "the chosen phase keeps to one line (cut with an ellipsis)"
        assert app.errors == []
    assert options[:2] == [(FIRST_DA, "1"), (SECOND_DA, "2")]


async def test_the_timeline_names_a_phase_with_its_months_where_they_fit(app: FieldnotesApp, demo: Path) -> None:
    from fieldnotes.tui.screens.timeline import phase_mark

    async with app.run_test(size=(160, 50)) as pilot:
        screen = await press(pilot, "t")
        axis = text_of(screen.query_one("#tl-chart")).splitlines()[2]
        assert app.errors == []
    # at 160 columns a month is five cells wide: a phase's six months hold its dates
    assert f"{FIRST_DA}  ──── {SECOND_DA}  Fase 3 (feb.–jul. 2026)" in axis
    english = FieldnotesApp(open_project(str(demo)), "Anna Krogh", lang="en")
    try:
        async with english.run_test(size=(160, 50)) as pilot:
            screen = await press(pilot, "t")
            axis = text_of(screen.query_one("#tl-chart")).splitlines()[2]
    finally:
        english.project.close()
    assert f"{FIRST_EN} ──── Phase 2 (Aug 2025\u2009–\u2009Jan 2026) Phase 3" in axis, "no line drawn over a mark"
    with speaking("da"):
        assert phase_mark(1, START, 23) == FIRST_DA and phase_mark(1, START, 22) == "Fase 1"
        assert phase_mark(2, None, 40) == "Fase 2"


async def test_without_a_fieldwork_start_the_app_says_so(undated: Path) -> None:
    application = FieldnotesApp(open_project(str(undated)), "Anna Krogh", lang="da")
    try:
        async with application.run_test(size=(100, 30)) as pilot:
            await press(pilot, "x")
            screen = await press(pilot, "g")
            title = text_of(screen.query_one("#rt-title"))
            assert application.errors == []
    finally:
        application.project.close()
    assert "startdato" in title and "Fase" not in title


# --- the filters an export says it was made with ------------------------------------------------------------


def test_an_export_s_phase_filter_is_named_with_the_phase_s_months(demo: Path, tmp_path: Path) -> None:
    import docx

    book_file, report = tmp_path / "fase 2 æøå.xlsx", tmp_path / "fase 2 æøå.docx"
    ok("--db", demo, "--lang", "da", "export", "xlsx", book_file, "--phase", "2")
    about = openpyxl.load_workbook(book_file).worksheets[1]
    facts = {row[0]: row[1] for row in about.iter_rows(values_only=True)}
    assert facts["Faser"] == SECOND_DA
    ok("--db", demo, "--lang", "en", "export", "docx", report, "--phase", "1", "--phase", "2")
    text = "\n".join(paragraph.text for paragraph in docx.Document(str(report)).paragraphs[:12])
    assert f"{FIRST_EN}, Phase 2 (Aug 2025\u2009–\u2009Jan 2026)" in text
    machine = ok("--db", demo, "log", "--exports", "--json").json
    assert any(entry["details"].get("filters", {}).get("phases") == "1, 2" for entry in machine), \
        "the audit record keeps the numbers"


def test_the_word_chart_s_alt_text_names_the_first_and_last_phase_with_their_months() -> None:
    from fieldnotes.export.figures import trend_alt

    danish = trend_alt(figure(4, START), Labels("da"))
    assert "pr. kommune fra Fase 1 (feb.–jul. 2025) til Fase 4 (aug. 2026–jan. 2027)." in danish
    english = trend_alt(figure(4, START), Labels("en"))
    assert f"per municipality from {FIRST_EN} to Phase 4 (Aug 2026\u2009–\u2009Jan 2027)." in english
    assert "pr. kommune fra Fase 1 til Fase 3." in trend_alt(figure(3, None), Labels("da"))


def test_the_matrix_workbook_names_its_filters_in_its_language_a_phase_with_its_months(demo: Path,
                                                                                      tmp_path: Path) -> None:
    out = tmp_path / "matrix æøå.xlsx"
    ok("--db", demo, "--lang", "da", "matrix", "--phase", "2", "--municipality", "Søholm", "--xlsx", out)
    about = openpyxl.load_workbook(out).worksheets[1]
    facts = {row[0]: row[1] for row in about.iter_rows(values_only=True)}
    assert facts["Faser"] == SECOND_DA and facts["Kommuner"] == "Søholm"
    assert "phases" not in facts and "municipalities" not in facts, "no English key on a Danish sheet"
