"""Exports opened by a real word processor: LibreOffice converts them, and the result holds everything."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

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
