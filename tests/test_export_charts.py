"""`export docx --charts`: three figures with captions and alt text, at print resolution, readable in
grayscale, each whole on one page when LibreOffice prints the report; without --charts nothing changes."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn

from fieldnotes.analysis.charts import LIGHT_PALETTE
from fieldnotes.analysis.matrix import matrix
from fieldnotes.export import plotting
from fieldnotes.export.figures import MAX_FIGURE_HEIGHT_CM, TEXT_WIDTH_CM, gather_figures
from fieldnotes.export.gather import gather
from fieldnotes.export.pseudonyms import Pseudonymizer
from fieldnotes.project.opening import open_project
from fieldnotes.queries.filters import Filters
from tests.conftest import missing
from tests.helpers import ok, run
from tests.test_export_libreoffice import convert

EMU_PER_CM = 360000
WP_INLINE = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}inline"
WP_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
WP_EXTENT = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent"
A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"


@pytest.fixture(scope="module")
def report(english_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("charts") / "rapport med figurer æøå.docx"
    ok("--db", english_demo, "--lang", "da", "export", "docx", out, "--charts")
    return out


def pictures(document: Any) -> list[tuple[Any, Any]]:
    """(picture paragraph, inline drawing) for every picture in the body."""
    found = []
    for inline in document.element.body.iter(WP_INLINE):
        paragraph = inline
        while paragraph.tag != qn("w:p"):
            paragraph = paragraph.getparent()
        found.append((paragraph, inline))
    return found


def style_of(paragraph: Any) -> str | None:
    style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return None if style is None else style.get(qn("w:val"))


def test_a_charts_report_holds_three_figures_with_captions_and_alt_text(report: Path) -> None:
    document = docx.Document(str(report))
    found = pictures(document)
    assert len(found) == 3
    texts = []
    for number, (paragraph, inline) in enumerate(found, start=1):
        alt = inline.find(WP_DOCPR).get("descr")
        assert alt and len(alt) > 60, f"figure {number} has no real alt text: {alt!r}"
        texts.append(alt)
        # the picture keeps with its caption, the paragraph after it
        assert paragraph.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None
        caption = paragraph.getnext()
        assert style_of(caption) == "Caption"
        instructions = "".join(t.text for t in caption.iter(qn("w:instrText")))
        assert "SEQ Figure" in instructions
        words = "".join(t.text or "" for t in caption.iter(qn("w:t")))
        assert words.startswith(f"Figur {number}: ")
        # it fits the text area of an A4 page, with room for its caption
        extent = inline.find(WP_EXTENT)
        width_cm, height_cm = int(extent.get("cx")) / EMU_PER_CM, int(extent.get("cy")) / EMU_PER_CM
        assert width_cm <= TEXT_WIDTH_CM + 0.01 and height_cm <= MAX_FIGURE_HEIGHT_CM + 0.01
        # print resolution: at least 200 pixels per inch as placed on the page
        blip = inline.find(f".//{A_BLIP}")
        image = document.part.related_parts[blip.get(qn("r:embed"))].image
        assert image.px_width / (width_cm / 2.54) >= 200
        assert image.px_height / (height_cm / 2.54) >= 200
    # the alt texts say what each figure shows, in Danish, with the demo's municipalities
    assert texts[0].startswith("Varmekort") and "Søholm" in texts[0]
    assert texts[1].startswith("Kurvediagram") and "Tro på borgerens jobchance" in texts[1]
    assert re.search(r"\d,\d", texts[1]), "Danish numbers read 2,9"
    assert texts[2].startswith("Gitter")
    # the section has a heading in the contents, in Danish
    headings = [p.text for p in document.paragraphs if style_of(p._p) == "Heading1"]
    assert "Figurer" in headings


def test_the_figures_show_the_analysis_numbers(english_demo: Path) -> None:
    """The heat map is the code matrix by municipality, cell for cell (the library's numbers, not a copy)."""
    with open_project(str(english_demo), readonly=True) as project, project.read() as session:
        data = gather(session, Filters(), pseudonymize=Pseudonymizer())
        figures = gather_figures(session, Filters(), data.codes, Pseudonymizer())
        table = matrix(session, Filters(), "municipality")
    assert figures.heat is not None and figures.trends is not None and figures.pairs is not None
    paths = [c.path for c in data.codes]
    assert len(figures.heat.rows) == len(paths)
    for path, row in zip(paths, figures.heat.cells, strict=True):
        assert row == [table.cells[path][column] for column in figures.heat.columns]
    assert figures.heat.columns == [c for c in table.columns if c != "(none)"]
    assert [name for name, _means in figures.trends.series] == ["Bakkedal", "Fjordby", "Lyngå", "Søholm"]
    assert figures.trends.scale == (1, 5)
    assert any(value > 0 for row in figures.pairs.cells for value in row)


def test_the_colours_and_marks_survive_grayscale_printing() -> None:
    from fieldnotes.export.labels import Labels

    shades = [plotting.gray(plotting.step_colour(step)) for step in range(5)]
    assert shades == sorted(shades, reverse=True) and len(set(shades)) == 5, "each step darker in gray too"
    assert plotting.step_colour(4) == LIGHT_PALETTE[3]  # the analysis package's scale, not a second one
    assert len({plotting.HATCHES[step] for step in range(2, 5)}) == 3
    styles = [plotting.series_style(index, 4) for index in range(4)]
    assert len({marker for _colour, marker, _line in styles}) == 4
    assert len({line for _colour, _marker, line in styles}) == 4
    lightness = [plotting.gray(colour) for colour, _marker, _line in styles]
    assert lightness == sorted(lightness) and len(set(lightness)) == 4
    # a drawn figure is a 300 dpi picture with its resolution recorded in the file
    from PIL import Image

    from fieldnotes.export.figures import HeatFigure

    picture = plotting.heat_map(HeatFigure([("Sparring", 0), ("Ledelse", 1)], ["Lyngå", "Søholm"],
                                           [[3, 1], [0, 2]]), Labels("da"))
    image = Image.open(io.BytesIO(picture.png))
    assert round(image.info["dpi"][0]) == 300 and image.mode == "RGB"


def test_without_charts_a_report_has_no_figures(english_demo: Path, tmp_path: Path) -> None:
    plain = tmp_path / "uden figurer.docx"
    ok("--db", english_demo, "--lang", "da", "export", "docx", plain)
    with zipfile.ZipFile(plain) as package:
        assert not [name for name in package.namelist() if name.startswith("word/media/")]
        body = package.read("word/document.xml").decode("utf-8")
    assert "<w:drawing" not in body and "SEQ Figure" not in body and "Figurer" not in body


def test_a_report_without_ratings_says_which_figure_is_left_out(english_demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "sparring.docx"
    ok("--db", english_demo, "--lang", "da", "export", "docx", out, "--charts", "--code",
       "Sparringskultur og ledelse")
    document = docx.Document(str(out))
    assert len(pictures(document)) == 2
    assert any(p.text.startswith("Udviklingen i vurderinger er udeladt") for p in document.paragraphs)


def test_charts_belong_to_the_word_report_of_excerpts(english_demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "annoteret.docx"
    result = run("--db", english_demo, "export", "docx", out, "--charts", "--annotated", "Lyngå")
    assert result.code != 0 and "charts are a section of the Word report" in result.err
    assert "Traceback" not in result.err and not out.exists()
    assert run("--db", english_demo, "export", "csv", tmp_path / "x.csv", "--charts").code == 2


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_prints_each_figure_whole_on_one_page_with_its_caption(report: Path, tmp_path: Path) -> None:
    pdf = convert(report, "pdf", tmp_path)
    pdfimages, pdftotext = shutil.which("pdfimages"), shutil.which("pdftotext")
    if pdfimages is None or pdftotext is None:
        missing("pdfimages and pdftotext", "install them with `apt-get install poppler-utils`")
    assert pdfimages is not None and pdftotext is not None
    listing = subprocess.run([pdfimages, "-list", str(pdf)], check=True, capture_output=True, text=True).stdout
    images = [line.split() for line in listing.splitlines()[2:] if line.split()[2] == "image"]
    assert len(images) == 3
    objects = [row[10] for row in images]
    assert len(set(objects)) == 3, "a picture drawn on two pages would be listed on both"
    for number, row in enumerate(images, start=1):
        page = row[0]
        assert int(row[12]) >= 200 and int(row[13]) >= 200  # pixels per inch as printed
        text = subprocess.run([pdftotext, "-f", page, "-l", page, "-enc", "UTF-8", str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout
        assert f"Figur {number}:" in text, f"figure {number}'s caption is not on its page ({page})"
