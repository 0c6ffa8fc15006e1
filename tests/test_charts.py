"""The pictures' library (fieldnotes.analysis.charts, the rating grid, the timeline, the co-occurrence grid
and exporting exactly a list of passages), Textual-free, on the demo project and on small cases."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rich.color import Color as RichColor
from rich.color import ColorSystem

from fieldnotes.analysis import charts
from fieldnotes.analysis.cooccurrence import cooccurrence, pair_coding_ids, pair_grid
from fieldnotes.analysis.matrix import matrix
from fieldnotes.analysis.ratings import rating_grid, ratings
from fieldnotes.analysis.timeline import STUDY_MONTHS, timeline
from fieldnotes.coding.excerpts import excerpts
from fieldnotes.documents.store import listing
from fieldnotes.errors import InvalidInput
from fieldnotes.export.exporter import ExportRequest, NothingToExport, export
from fieldnotes.export.pseudonyms import pseudonymizer
from fieldnotes.project.demo import build
from fieldnotes.project.opening import open_project
from fieldnotes.queries.filters import Filters
from fieldnotes.translations import format_decimal, format_number

BELIEF = "Tro på borgerens jobchance"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("charts")
    build(folder / "demo.db")
    return folder / "demo.db"


def read(demo: Path, work):  # type: ignore[no-untyped-def]
    with open_project(str(demo), readonly=True) as project, project.read() as session:
        return work(session)


# --- the heat scale ----------------------------------------------------------------------------------


def test_a_scale_has_four_equal_steps_above_zero() -> None:
    scale = charts.Scale(32)
    assert [scale.step(v) for v in (0, 1, 8, 9, 16, 17, 24, 25, 32, 40)] == [0, 1, 1, 2, 2, 3, 3, 4, 4, 4]
    assert [scale.glyph(v) for v in (0, 1, 9, 17, 32)] == [" ", "░", "▒", "▓", "█"]
    assert [b.whole() for b in scale.bands()] == [(1, 8), (9, 16), (17, 24), (25, 32)]
    assert charts.Scale(0).step(5) == 0 and charts.Scale(0).bands() == []
    # a small top: steps that hold no whole number are empty in the legend, and values still rise
    small = charts.Scale(2)
    assert [b.whole() for b in small.bands()] == [None, (1, 1), None, (2, 2)]
    assert small.step(1) < small.step(2) == 4
    assert charts.Scale(33.3).step(33.3) == 4 and charts.Scale(33.3).step(8.3) == 1


def test_each_level_is_shaded_on_its_own_scale(demo: Path) -> None:
    grid = read(demo, lambda s: matrix(s, Filters(), by="municipality"))
    rows = [[grid.cells[row][c] for c in grid.columns] for row in grid.rows]
    scales = charts.level_scales(grid.depths, rows)
    assert set(scales) == {0, 1}
    areas = max(v for row, depth in zip(rows, grid.depths, strict=True) if depth == 0 for v in row)
    sub_codes = max(v for row, depth in zip(rows, grid.depths, strict=True) if depth == 1 for v in row)
    assert scales[0].top == areas == 32 and scales[1].top == sub_codes == 14
    # the busiest sub-code is as dark as the busiest area, though it counts less than half as much
    assert scales[1].step(sub_codes) == scales[0].step(areas) == charts.STEPS
    on_one_scale = charts.Scale(areas)
    assert on_one_scale.step(sub_codes) == 2  # what the old single scale made of it: pale
    assert charts.level_scales([], []) == {}


def test_every_step_stays_distinct_on_a_16_colour_terminal_and_in_grey() -> None:
    for dark in (True, False):
        colours = charts.palette(dark)
        assert len(colours) == charts.STEPS
        standard = [RichColor.parse(c).downgrade(ColorSystem.STANDARD).number for c in colours]
        assert len(set(standard)) == charts.STEPS, (dark, standard)
        eight_bit = [RichColor.parse(c).downgrade(ColorSystem.EIGHT_BIT).number for c in colours]
        assert len(set(eight_bit)) == charts.STEPS
        # without colour (NO_COLOR turns colours to grey): each step a different lightness, in order
        lightness = [charts._luminance(c) for c in colours]
        assert lightness == sorted(lightness, reverse=not dark)
        assert all(b - a > 0.04 for a, b in zip(sorted(lightness), sorted(lightness)[1:], strict=False))
        for colour in colours:
            assert charts.contrast(charts.text_on(colour), colour) >= 4.5, colour
    assert charts.colour(0, True) is None and charts.colour(4, True) == charts.DARK_PALETTE[3]


def test_bars_sparklines_and_columns() -> None:
    assert charts.bar(10, 0, 10, 4) == "████"
    assert charts.bar(5, 0, 10, 4) == "██  "
    assert charts.bar(1, 0, 10, 4) == "▍   "  # 3.2 eighths: three of them
    assert charts.bar(0, 0, 10, 4) == "    " and charts.bar(3, 0, 0, 2) == "  "
    assert charts.sparkline([1, 3, 5, None], 1, 5) == "▁▅█ "
    assert charts.column(5, 1, 5, 2) == ["█", "█"]
    assert charts.column(3, 1, 5, 2) == [" ", "█"]
    assert charts.column(1, 1, 5, 2) == [" ", "▁"]  # the lowest rating is still a bar
    assert charts.column(None, 1, 5, 3) == [" ", " ", " "]
    assert charts.direction(1.9, 4.0) == "↑" and charts.direction(3.5, 2.0) == "↓"
    assert charts.direction(3.0, 3.2) == "→" and charts.direction(None, 3.0) == " "
    assert charts.first_and_last([None, 2.5, None, 3.0, None]) == (2.5, 3.0)
    assert charts.first_and_last([None]) == (None, None)


def test_danish_numbers_have_a_decimal_comma_and_a_thousands_point() -> None:
    assert format_number(5111, lang="da") == "5.111" and format_decimal(2.94, 1, lang="da") == "2,9"
    assert format_number(5111, lang="en") == "5,111" and format_decimal(2.94, 1, lang="en") == "2.9"
    assert format_decimal(1234567.25, 2, lang="da") == "1.234.567,25"


# --- ratings per municipality × phase ------------------------------------------------------------------


def test_the_rating_grid_is_each_municipality_s_ratings_by_phase(demo: Path) -> None:
    grid = read(demo, lambda s: rating_grid(s, BELIEF))
    assert grid.rows == ["Bakkedal", "Fjordby", "Lyngå", "Søholm"] and grid.columns == ["1", "2", "3", "4"]
    for municipality in grid.rows:
        alone = read(demo, lambda s, m=municipality: ratings(s, BELIEF, Filters(municipalities=[m]), by="phase"))
        assert [(c.count, c.mean, c.distribution) for c in grid.cells[municipality].values()] == [
            (c.count, c.mean, c.distribution) for c in alone.columns]
        assert grid.row_totals[municipality].count == alone.total.count
    by_phase = read(demo, lambda s: ratings(s, BELIEF, by="phase"))
    assert [grid.column_totals[c].mean for c in grid.columns] == [c.mean for c in by_phase.columns]
    assert grid.total.count == by_phase.total.count == 66
    # the demo's story: belief rises in Søholm, from under 2 to 4
    first, last = charts.first_and_last(grid.means("Søholm"))
    assert first is not None and last is not None and first < 2 and last == 4
    assert charts.direction(first, last) == "↑"
    assert grid.as_dict()["cells"]["Søholm"]["1"]["count"] == 10


def test_the_rating_grid_refuses_the_same_dimension_twice(demo: Path) -> None:
    with pytest.raises(InvalidInput, match="both phase"):
        read(demo, lambda s: rating_grid(s, BELIEF, rows="phase", columns="phase"))
    with pytest.raises(InvalidInput, match="no rating scale"):
        read(demo, lambda s: rating_grid(s, "Sparringskultur og ledelse"))


# --- the timeline ------------------------------------------------------------------------------------------


def test_the_timeline_counts_every_document_in_its_month_by_kind(demo: Path) -> None:
    line = read(demo, timeline)
    docs = read(demo, listing)
    assert line.documents == len(docs) == 25
    assert line.start == "2025-02-01" and len(line.months) == STUDY_MONTHS
    assert line.months[0] == "2025-02" and line.months[-1] == "2027-01"
    assert line.phases[:7] == [1, 1, 1, 1, 1, 1, 2] and line.phases[-1] == 4
    expected: Counter[tuple[str, str, str]] = Counter()
    for doc in docs:
        for place in doc["municipalities"]:
            expected[place, doc["kind"], doc["date"][:7]] += 1
    found = Counter({(row, kind, month): n for row, kinds in line.counts.items() for kind, months in kinds.items()
                     for month, n in months.items()})
    assert found == expected
    assert line.rows == ["Bakkedal", "Fjordby", "Lyngå", "Søholm"]
    assert line.kinds == ["interview", "observation", "minutes"]
    assert line.row_total("Søholm") == sum(1 for d in docs if "Søholm" in d["municipalities"])


def test_the_timeline_widens_to_documents_outside_the_study_and_counts_the_undated(tmp_path: Path) -> None:
    from tests.helpers import ok

    material = tmp_path / "materiale"
    material.mkdir()
    for stem, meta in (("før-start", "kind: minutes\nmunicipality: Åby\ndate: 2024-12-02\n"),
                       ("uden-dato", "kind: observation\nmunicipality: Åby\n"),
                       ("uden-kommune", "kind: observation\ndate: 2025-03-20\n")):
        (material / f"{stem}.txt").write_text(f"Mødet ({stem}) handlede om borgernes jobchance.\n",
                                              encoding="utf-8")
        (material / f"{stem}.meta.yaml").write_text(f"title: {stem}\n{meta}", encoding="utf-8")
    target = tmp_path / "lille.db"
    ok("--db", target, "init", "--start", "2025-03-15", "--coder", "Anna Krogh")
    ok("--db", target, "import", material, "--coder", "Anna Krogh")
    with open_project(str(target)) as project, project.write() as session:  # an import always dates a file
        from sqlalchemy import update

        from fieldnotes.db.models import Document

        session.execute(update(Document).where(Document.title == "uden-dato").values(date=None))
    line = read(target, timeline)
    assert line.documents == 3
    assert line.months[0] == "2024-12" and line.months[-1] == "2027-02"
    assert line.phases[:3] == [None, None, None] and line.phases[3] == 1  # March 2025: the start's month
    assert line.rows == ["Åby", "(none)"]
    assert line.undated == {"Åby": 1} and line.row_total("Åby") == 2
    assert line.counts["(none)"]["observation"] == {"2025-03": 1}
    assert line.counts["Åby"]["minutes"] == {"2024-12": 1}


# --- co-occurrence as a grid ----------------------------------------------------------------------------


def test_the_pair_grid_holds_every_pair_both_ways_in_codebook_order(demo: Path) -> None:
    for within in ("overlap", "turn"):
        result = read(demo, lambda s, w=within: cooccurrence(s, Filters(), w))
        grid = pair_grid(result)
        assert {(p.code_a, p.code_b) for p in result.pairs} == set(grid.pairs)
        for pair in result.pairs:
            assert grid.count(pair.code_a, pair.code_b) == grid.count(pair.code_b, pair.code_a) == pair.count
        met = {c for p in result.pairs for c in (p.code_a, p.code_b)}
        assert set(grid.codes) == met and len(grid.codes) == len(met)
        order = list(result.codings)
        assert [order.index(p) for p in grid.paths] == sorted(order.index(p) for p in grid.paths)
        cells = grid.as_dict()["cells"]
        assert cells and all(cells[i][j] == cells[j][i] for i in range(len(cells)) for j in range(len(cells)))
        assert sum(map(sum, cells)) == 2 * sum(p.count for p in result.pairs)


# --- exporting exactly a list of passages ------------------------------------------------------------


def test_an_export_of_listed_codings_holds_exactly_those(demo: Path, tmp_path: Path) -> None:
    import docx

    result = read(demo, lambda s: cooccurrence(s, Filters(), "overlap"))
    pair = result.pairs[0]
    ids = read(demo, lambda s: pair_coding_ids(s, Filters(), "overlap", pair.code_a, pair.code_b))
    both = Filters(codes=[pair.code_a_path, pair.code_b_path], descendants=False)
    out = tmp_path / "møde om sparring.docx"
    with open_project(str(demo)) as project:
        done = export(project, ExportRequest("docx", out, both, exported_by="Anna Krogh", lang="da",
                                             codings=frozenset(str(i) for i in ids),
                                             selection="Kollegial sparring × Kultur og organisering"))
        every = export(project, ExportRequest("csv", tmp_path / "alle.csv", both))
        with pytest.raises(NothingToExport, match="listed"):
            export(project, ExportRequest("docx", tmp_path / "tom.docx", both, codings=frozenset()))
    assert done.excerpts == len(ids) == 4 < every.excerpts
    document = docx.Document(str(out))
    quoted = [p.text for p in document.paragraphs if p.style.name == "Excerpt"]
    assert len(quoted) == 4
    # the demo has a pseudonym register, so the default export replaces names in the passages it writes
    texts = read(demo, lambda s: [pseudonymizer(s, True)(e.text) for e in excerpts(s, both)
                                  if e.id in {str(i) for i in ids}])
    assert sorted(texts) == sorted(quoted) and done.pseudonymized
    facts = {p.text.split("\t")[0]: p.text.split("\t")[1] for p in document.paragraphs if "\t" in p.text}
    assert facts["Udvalg"] == "Kollegial sparring × Kultur og organisering"
    assert "uden underkoder" in facts["Koder"] and "without" not in facts["Koder"]
    assert not (tmp_path / "tom.docx").exists()


def test_the_command_line_gives_the_same_small_multiples(demo: Path) -> None:
    from tests.helpers import ok, run

    out = ok("--db", demo, "--json", "ratings", BELIEF, "--per", "municipality").json
    assert out == read(demo, lambda s: rating_grid(s, BELIEF)).as_dict()
    text = ok("--db", demo, "ratings", BELIEF, "--per", "municipality").out
    søholm = next(line for line in text.splitlines() if line.startswith("Søholm"))
    assert søholm.split()[1] == "1.90" and søholm.endswith("↑")
    same = run("--db", demo, "ratings", BELIEF, "--per", "phase")  # --by is phase with --per: refused
    assert same.code != 0 and "both phase" in same.err and "Traceback" not in same.err
