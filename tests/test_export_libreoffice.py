"""Exports opened by a real word processor: LibreOffice converts them, and the result holds everything."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn

from fieldnotes.coding.excerpts import excerpts
from fieldnotes.export.docx_excerpts import citation
from fieldnotes.export.labels import Labels
from fieldnotes.project.opening import open_project
from fieldnotes.queries.filters import Filters
from tests.conftest import missing
from tests.helpers import ok
from tests.test_export_data import DOC, NOTE, coded_copy

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]
FIELD_ERRORS = ("Error! Reference source not found", "Fejl! Referencekilde ikke fundet", "Fejl!", "Error!")
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]")


@pytest.fixture
def project(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    return coded_copy(tmp_path_factory, tmp_path)


def convert(document: Path, target: str, tmp_path: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        missing("LibreOffice", "install it with `apt-get install libreoffice-writer-nogui`")
    assert soffice is not None
    outdir = tmp_path / f"converted-{target}"
    outdir.mkdir(exist_ok=True)
    profile = (tmp_path / "lo-profile").as_uri()  # private, so parallel tests do not share a profile
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target, "--outdir",
                    str(outdir), str(document)], check=True, capture_output=True, timeout=180)
    converted = outdir / f"{document.stem}.{target}"
    assert converted.exists(), f"LibreOffice did not convert {document.name}"
    return converted


def pdf_text(pdf: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        missing("pdftotext", "install it with `apt-get install poppler-utils`")
    assert pdftotext is not None
    out = subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, timeout=60)
    return out.stdout.decode("utf-8")


def words(text: str) -> str:
    """Text as comparable words: layout (line breaks, hyphen-free wrapping, spacing) and emoji glyphs aside."""
    return " ".join(EMOJI.sub("", text).split())


def test_a_theme_in_one_municipality_converts_with_every_excerpt_and_citation(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "sparring-lyngå.docx"
    ok("--db", project, "--lang", "da", "export", "docx", out, "--code", "Sparringskultur og ledelse",
       "--municipality", "Lyngå", "--memos", "--context", "sentence", "--group-by", "document")
    text = pdf_text(convert(out, "pdf", tmp_path))
    flat = words(text)
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        expected = excerpts(session, Filters(codes=["Sparringskultur og ledelse"], municipalities=["Lyngå"]),
                            context="sentence")
    assert len(expected) == 2
    labels = Labels("da")
    for excerpt in expected:
        assert words(excerpt.text) in flat
        assert words(citation(excerpt, labels)) in flat
    for heading in ("Indhold", "Sparringskultur og ledelse", "Kollegial sparring", "Ledelse", "Bilag: Kodebog",
                    "Kodede uddrag", "Testkodebog"):
        assert heading in text
    for error in FIELD_ERRORS:
        assert error not in text
    # the contents carry page numbers that LibreOffice worked out itself
    assert re.search(r"Kollegial sparring\.{3,}\s*\d+", text) and re.search(r"Side \d+ af \d+", text)


def test_the_whole_report_converts_in_english(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.docx"
    ok("--db", project, "--lang", "en", "export", "docx", out, "--group-by", "municipality", "--memos")
    flat = words(pdf_text(convert(out, "pdf", tmp_path)))
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        expected = excerpts(session, Filters())
    labels = Labels("en")
    for excerpt in expected:
        assert words(excerpt.text) in flat and words(citation(excerpt, labels)) in flat
    assert "Appendix: Codebook" in flat and "Page 3 of" in flat and "Document memos" in flat
    assert not any(error in flat for error in FIELD_ERRORS)


def test_annotated_documents_keep_their_comments_in_libreoffice(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "kommentarer.docx"
    ok("--db", project, "export", "docx", out, "--annotated", DOC, NOTE)
    odt = convert(out, "odt", tmp_path)
    with zipfile.ZipFile(odt) as package:
        content = package.read("content.xml").decode("utf-8")
    assert content.count("<office:annotation ") + content.count("<office:annotation>") == 5
    assert content.count("<office:annotation-end ") == 5
    assert "Sparringskultur og ledelse/Kollegial sparring" in content and "Jonas Bech" in content
    assert "jeg tror på, at Søren får et job på lageret" in content


# --- the report on paper ---------------------------------------------------------------------------------
NOTE_LINES = ("Vurdering:", "Memo:", "Memo (", "Også kodet:", "Skal gennemses:")


def pages_of(pdf: Path) -> list[str]:
    """Each page's text as laid out (pdftotext -layout; pages end with a form feed)."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        missing("pdftotext", "install it with `apt-get install poppler-utils`")
    assert pdftotext is not None
    out = subprocess.run([pdftotext, "-layout", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                         timeout=60).stdout.decode("utf-8")
    return out.split("\f")[:-1]


def first_line(page: str, header: str) -> str:
    """The first line of a page's body: below the running header."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    if lines and header in lines[0]:
        lines = lines[1:]
    return lines[0] if lines else ""


def demo_citations(db: Path, labels: Labels) -> list[str]:
    """The citation line of every block of the demo's report (coders merged, as the report does)."""
    from fieldnotes.export.docx_excerpts import passages

    with open_project(str(db), readonly=True) as opened, opened.read() as session:
        found = excerpts(session, Filters(), context="sentence")
    by_code: dict[str, list[Any]] = {}
    for excerpt in found:
        by_code.setdefault(excerpt.code, []).append(excerpt)
    return [citation(block.first, labels, block.coders) for items in by_code.values()
            for block in passages(items, merge_coders=True)]


def test_no_page_of_the_demo_report_begins_with_a_line_cut_from_its_quote(english_demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "hele-rapporten.docx"
    # the layout against the project's own text: the citations below are rebuilt from it, names included
    ok("--db", english_demo, "--lang", "da", "export", "docx", out, "--context", "sentence", "--memos",
       "--no-pseudonymize")
    pages = pages_of(convert(out, "pdf", tmp_path))
    assert len(pages) > 30
    citations = [words(c) for c in demo_citations(english_demo, Labels("da"))]
    assert len(citations) > 150
    tops = {number: first_line(page, "Kodede uddrag") for number, page in enumerate(pages, 1) if number > 1}
    cut = {number: top for number, top in tops.items()
           if top.startswith(NOTE_LINES) or any(c.startswith(words(top)) for c in citations)}
    assert cut == {}, "pages beginning with the citation, rating, memo or 'also coded' of a quote on the page before"
    # every citation is on a page, whole or wrapped, so the check above saw them all
    flat = words(" ".join(pages))
    assert all(c in flat for c in citations)


def test_a_quote_longer_than_a_page_keeps_its_last_lines_with_its_citation(tmp_path: Path) -> None:
    from fieldnotes.export.docx_excerpts import write_excerpts_docx
    from fieldnotes.export.gather import CodeEntry, ExportSet
    from tests.test_export_layout import excerpt

    short = [excerpt(str(i), f"Kort udsagn nummer {i} om troen på borgerens jobchance.", start=i * 100)
             for i in range(1, 9)]
    sentences = [f"Sætning {n} i en lang fortælling om borgeren, praktikken og lederens tro på hende."
                 for n in range(1, 121)]
    long_one = excerpt("lang", " ".join(sentences), rating=4, memo="Lang, men vigtig fortælling 👍", start=5000,
                       overlapping=["Sparringskultur og ledelse/Ledelse"])
    data = ExportSet(project_name="Lange uddrag", codes=[CodeEntry(id="k", name="Kode", path="Kode", depth=0,
                                                                   scale=(1, 5))],
                     excerpts=[*short, long_one])
    out = tmp_path / "lang.docx"
    with out.open("wb") as handle:
        write_excerpts_docx(data, handle, lang="da")
    pages = pages_of(convert(out, "pdf", tmp_path))
    (where,) = [n for n, page in enumerate(pages) if "Sætning 120 i" in page]
    page = [line.strip() for line in pages[where].splitlines() if line.strip()][1:]
    at = next(i for i, line in enumerate(page) if line.startswith("Interview med Åse"))
    assert at >= 2 and all(words(line) in words(long_one.text) for line in page[:at])  # the quote's last lines
    after = " ".join(page[at:])
    assert "Vurdering: 4/5" in after and "Memo: Lang, men vigtig fortælling" in after and "Også kodet:" in after
    assert "Sætning 1 i" not in pages[where]  # it did break: it is longer than a page


def test_the_contents_are_a_toc_field_and_the_pdf_shows_their_page_numbers(english_demo: Path,
                                                                           tmp_path: Path) -> None:
    out = tmp_path / "indhold.docx"
    ok("--db", english_demo, "--lang", "da", "export", "docx", out, "--group-by", "phase", "--memos",
       "--code", "Sparringskultur og ledelse")
    word = docx.Document(str(out))
    fields = [t.text for t in word.element.body.iter(qn("w:instrText"))]
    assert fields[0] == ' TOC \\o "1-3" \\h \\z \\u '  # Word builds the contents from the headings
    assert word.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"  # ... on opening
    pages = pages_of(convert(out, "pdf", tmp_path))
    entries = []
    for page in pages[1:]:
        found = re.findall(r"^\s*(\S.*?)\s*\.{4,}\s*(\d+)\s*$", page, re.MULTILINE)
        if not found:
            break
        entries += [(title, int(number)) for title, number in found]
    headings = ["Projektmemoer", "Sparringskultur og ledelse", "Kollegial sparring", "Ledelse",
                "Kultur og organisering", "Udviklingspotentiale og arbejdsevne", "Kommunememoer", "Bakkedal", "Søholm",
                "Bilag: Kodebog"]
    assert [t for t, _n in entries if not t.startswith("Fase ")] == headings
    phases = [t for t, _n in entries if t.startswith("Fase ")]
    assert phases and all(re.fullmatch(r"Fase \d · \d+\. \w+\. 20\d\d – \d+\. \w+\. 20\d\d", t) for t in phases)
    for title, number in entries:  # each page number is the page its heading is on
        assert number > 2 and words(title).casefold() in words(pages[number - 1]).casefold(), (title, number)


# --- the annotated document on paper ----------------------------------------------------------------------
def gray_page(pdf: Path, page: int, dpi: int, tmp_path: Path) -> tuple[int, bytes]:
    """A page rendered in grayscale (pdftoppm -gray, a binary PGM): its width and its pixels, row by row."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        missing("pdftoppm", "install it with `apt-get install poppler-utils`")
    assert pdftoppm is not None
    stem = tmp_path / f"grå-{page}"
    subprocess.run([pdftoppm, "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(stem)], check=True, capture_output=True, timeout=60)
    magic, width, height, _top, pixels = stem.with_suffix(".pgm").read_bytes().split(maxsplit=4)
    assert magic == b"P5" and len(pixels) == int(width) * int(height)
    return int(width), pixels


def word_boxes(pdf: Path) -> list[tuple[int, float, float, float, float, str]]:
    """Every word of the PDF with its page and box in points (pdftotext -bbox)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, timeout=60)
    boxes = []
    for number, page in enumerate(out.stdout.decode("utf-8").split("<page ")[1:], 1):
        for x0, y0, x1, y1, text in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                                               r'yMax="([\d.]+)">(.*?)</word>', page):
            boxes.append((number, float(x0), float(y0), float(x1), float(y1), html.unescape(text)))
    return boxes


def marked(width: int, pixels: bytes, box: tuple[float, float, float, float], dpi: int) -> tuple[float, float]:
    """How much of a word's box is not white (shading), and how many of its pixel columns are dark below
    the letters' baseline, in the lowest quarter of the box (an underline, whatever its pattern: a line,
    dashes, dots or a wave; only descenders reach there otherwise)."""
    scale = dpi / 72
    x0, y0, x1, y1 = (round(v * scale) for v in box)
    inside = [pixels[y * width + x] for y in range(y0 + 1, y1) for x in range(x0 + 1, x1)]
    below = range(y1 - int(0.25 * (y1 - y0)), y1 + 3)
    columns = [any(pixels[y * width + x] < 170 for y in below) for x in range(x0, x1)]
    shaded = sum(1 for v in inside if v < 245) / max(1, len(inside))
    return shaded, sum(columns) / max(1, len(columns))


MARK = re.compile(r"\[\d+|\d+\]")  # the numbers that open and close a coding in the text


def tokens(text: str) -> list[str]:
    """Words to compare, without the coding marks and the punctuation a mark can sit beside ("[4Hun)."""
    return [t for t in (w.strip("\"'“”.,:;!?()") for w in MARK.sub("", text).split()) if t]


def test_the_annotated_document_shows_every_coding_in_grayscale_and_numbers_its_paragraphs(
        english_demo: Path, tmp_path: Path) -> None:
    documents = ["Interview med teamleder, Jobcenter Fjordby", "Observation af visitationsmøde, Jobcenter Søholm"]
    out = tmp_path / "kommenteret.docx"
    # names as written: the codings are found by their words, read from the project itself
    ok("--db", english_demo, "--lang", "da", "export", "docx", out, "--annotated", *documents, "--no-pseudonymize")
    codings = [(d, c) for d in documents for c in ok("--db", english_demo, "show", d, "--json").json["codings"]]
    listed = {e["id"]: e for e in ok("--db", english_demo, "excerpts", "--json").json}
    assert len(codings) > 25
    pdf = convert(out, "pdf", tmp_path)
    # every paragraph number in the margin is the "afsnit N" the report cites for the text beside it
    lines = [line for page in pages_of(pdf) for line in page.splitlines()]
    flat: list[tuple[str, int]] = []  # (word, index of its line), marks taken out
    for index, line in enumerate(lines):
        flat += [(w, index) for w in tokens(line)]
    numbered = {index: int(m.group(1)) for index, line in enumerate(lines)
                if (m := re.match(r"\s{0,4}(\d+)\s{2,}\S", line))}
    texts = [w for w, _i in flat]

    def find(words_of: list[str], document: str, sequence: list[str]) -> int:
        """Where a run of words first appears in a document's text (after its heading, which the contents,
        the legend and the other document come before)."""
        title = tokens(document)
        starts = [i for i in range(len(words_of)) if words_of[i:i + len(title)] == title]
        return next(i for i in range(starts[-1], len(words_of)) if words_of[i:i + len(sequence)] == sequence)

    for document, coding in codings:
        first = tokens(coding["text"].split("\n")[0])  # (a paragraph's number starts the next)
        at = find(texts, document, first[:8])
        line = flat[at][1]
        number = numbered[max(i for i in numbered if i <= line)]
        assert number == listed[coding["id"]]["paragraph"], coding["text"][:40]
    # every coding is shaded and underlined, in grey as in colour; plain text is neither
    dpi = 150
    boxes = [b for b in word_boxes(pdf) if tokens(b[5])]  # a coding's number alone is no word
    words_only = [" ".join(tokens(b[5])) for b in boxes]
    pages: dict[int, tuple[int, bytes]] = {}

    def measure(found: list[tuple[int, float, float, float, float, str]]) -> tuple[float, float]:
        values = []
        for page, *box, _text in found:
            if page not in pages:
                pages[page] = gray_page(pdf, page, dpi, tmp_path)
            values.append(marked(*pages[page], (box[0], box[1], box[2], box[3]), dpi))
        return (sum(v[0] for v in values) / len(values), sum(v[1] for v in values) / len(values))

    for document, coding in codings:
        every = tokens(coding["text"].split("\n")[0])
        at = find(words_only, document, every[:8]) + (1 if len(every) > 2 else 0)
        run = every[1:-1][:4] if len(every) > 2 else every
        shaded, underline = measure(boxes[at:at + len(run)])
        assert shaded > 0.7 and underline > 0.35, (coding["text"][:40], shaded, underline)
    plain = [b for b in boxes if b[5] in ("Dato:", "Interviewer:", "Varighed:")]
    shaded, underline = measure(plain)
    assert len(plain) >= 3 and shaded < 0.5 and underline < 0.2
