"""Annotated documents: the full text with every coding as a Word comment anchored on exactly its text."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import docx
import pytest

from fieldnotes.coding.excerpts import Excerpt
from fieldnotes.export.docx_annotated import write_annotated_docx
from fieldnotes.export.exporter import ExportRequest, export
from fieldnotes.export.gather import AnnotatedDocument, AnnotatedSet, CodeEntry
from fieldnotes.project.opening import open_project
from tests.helpers import ok, run
from tests.test_export_data import (
    ACROSS,
    BELIEF,
    DOC,
    LEADER,
    NOTE,
    SPARRING,
    coded_copy,
)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def project(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    return coded_copy(tmp_path_factory, tmp_path)


MARKS = ("CodingMark", "ParagraphNumber")  # the run styles of what the export adds to the text


def is_mark(element: Any) -> bool:
    """Whether an element sits in a run the export added (a coding's number, a paragraph number or its tab)."""
    run = next((a for a in element.iterancestors(f"{W}r")), None)
    if run is None:
        return False
    if run.style in MARKS:
        return True
    earlier = run.getprevious()
    return element.tag == f"{W}tab" and earlier is not None and getattr(earlier, "style", None) == "ParagraphNumber"


def anchored_texts(document: Any) -> dict[int, str]:
    """The text each comment covers: everything between its range start and end, paragraphs joined by "\\n"
    (the coding numbers and paragraph numbers the export adds are not the document's text)."""
    open_ranges: dict[int, list[str]] = {}
    done: dict[int, str] = {}
    paragraphs = [p for p in document.element.body.iter(f"{W}p")]
    for index, paragraph in enumerate(paragraphs):
        if index:
            for parts in open_ranges.values():
                parts.append("\n")
        for element in paragraph.iter():
            if element.tag == f"{W}commentRangeStart":
                open_ranges[int(element.get(f"{W}id"))] = []
            elif element.tag == f"{W}commentRangeEnd":
                comment_id = int(element.get(f"{W}id"))
                done[comment_id] = "".join(open_ranges.pop(comment_id))
            elif element.tag == f"{W}t" and not is_mark(element):
                for parts in open_ranges.values():
                    parts.append(element.text or "")
            elif element.tag == f"{W}br":
                for parts in open_ranges.values():
                    parts.append("\n")
    assert not open_ranges, "a comment range was never closed"
    return done


def own_text(paragraph: Any) -> str:
    """A paragraph's text without the marks the export adds."""
    parts = []
    for element in paragraph._p.iter(f"{W}t", f"{W}br", f"{W}tab"):
        if is_mark(element) or element.getparent().tag != f"{W}r":
            continue
        parts.append(element.text or "" if element.tag == f"{W}t" else "\n" if element.tag == f"{W}br" else "\t")
    return "".join(parts)


def document_paragraphs(document: Any, title: str) -> list[Any]:
    """The text paragraphs under a document's heading."""
    out = []
    inside = False
    for paragraph in document.paragraphs:
        style = paragraph._p.style
        if style == "Heading1":
            inside = paragraph.text == title
        elif inside and style == "DocumentText":
            out.append(paragraph)
    return out


def document_text(document: Any, title: str) -> str:
    """The text paragraphs under a document's heading, joined as lines."""
    return "\n".join(own_text(p) for p in document_paragraphs(document, title))


def test_every_coding_is_a_comment_on_exactly_its_text(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "kommenteret.docx"
    result = ok("--db", project, "--lang", "da", "export", "docx", out, "--annotated", DOC, NOTE)
    assert "5 kodninger som kommentarer fra 2 dokumenter" in result.out  # plural forms (#23)
    document = docx.Document(str(out))
    shown = {c["id"]: c for d in (DOC, NOTE) for c in ok("--db", project, "show", d, "--json").json["codings"]}
    comments = list(document.comments)
    assert len(comments) == len(shown) == 5
    anchors = anchored_texts(document)
    by_text = {c.comment_id: (c.author, c.text) for c in comments}
    got = sorted((anchors[i], by_text[i][0], by_text[i][1].split("\n")[0]) for i in anchors)
    want = sorted((c["text"], c["coder"], "■ " + c["code_path"]) for c in shown.values())
    assert got == want
    assert {anchors[i] for i in anchors} >= {BELIEF, SPARRING, LEADER, ACROSS}  # overlaps and a paragraph break
    belief = next(text for i, (_a, text) in by_text.items() if anchors[i] == BELIEF)
    assert "Vurdering: 4/5" in belief and "Memo: Tydelig tro på én borger 👍" in belief
    assert "kodet af Anna Krogh" in belief
    for title in (DOC, NOTE):
        assert document_text(document, title) == ok("--db", project, "show", title, "--json").json["text"]
    assert [p.text for p in document.paragraphs if p._p.style == "Heading1"] == ["Signaturforklaring", DOC, NOTE]


def test_coding_filters_choose_the_comments(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "ledelse.docx"
    ok("--db", project, "export", "docx", out, "--annotated", DOC, "--code", "Ledelse")
    document = docx.Document(str(out))
    assert [c.text.split("\n")[0] for c in document.comments] == ["■ Sparringskultur og ledelse/Ledelse"]
    assert list(anchored_texts(document).values()) == [LEADER]
    log = ok("--db", project, "log", "--exports", "--json").json
    assert log[0]["details"]["annotated"] is True and log[0]["details"]["file"] == "ledelse.docx"


def test_an_unknown_document_is_refused(project: Path, tmp_path: Path) -> None:
    result = run("--db", project, "export", "docx", tmp_path / "x.docx", "--annotated", "Findes ikke")
    assert result.code == 1 and "no document" in result.err and not (tmp_path / "x.docx").exists()


def test_pseudonyms_keep_comments_on_the_right_words(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "pseudo.docx"
    with open_project(str(project)) as opened:
        export(opened, ExportRequest("docx", out, annotated=[DOC], exported_by="Anna Krogh", pseudonymize=True,
                                     replacements={"Søren": "Peter Alexander", "Lyngå": "Byen"}))
    document = docx.Document(str(out))
    text = document_text(document, DOC)
    assert "Søren" not in text and "Peter Alexander får et job" in text and "bageriet i Byen" in text
    anchors = sorted(anchored_texts(document).values())
    assert BELIEF.replace("Søren", "Peter Alexander") in anchors
    assert "Vores virksomhedskonsulent ringer til bageriet i Byen hver uge." in anchors


def test_comment_ranges_survive_awkward_boundaries() -> None:
    text = "Æble 😀 og pære\n\nøl på Ærø\nslut"
    spans = [(0, 4), (0, len(text)), (5, 6), (14, 16), (15, 18), (len(text) - 4, len(text))]
    codings = [Excerpt(id=str(i), code="k", code_path="Tema/Kode", document="d", document_title="Dok",
                       municipality=None, kind="observation", date=None, phase=None, coder="Åse Ølund",
                       start=s, end=e, text=text[s:e], memo="<&>" if i == 0 else None, rating=None,
                       needs_review=i == 1) for i, (s, e) in enumerate(spans)]
    data = AnnotatedSet(project_name="P", codes=[CodeEntry(id="k", name="Kode", path="Tema/Kode", depth=1)],
                        documents=[AnnotatedDocument(id="d", title="Dok", kind="observation", date=None,
                                                     municipality=None, activity=None, text=text,
                                                     codings=codings)])
    buffer = io.BytesIO()
    write_annotated_docx(data, buffer, lang="en")
    document = docx.Document(io.BytesIO(buffer.getvalue()))
    anchors = anchored_texts(document)
    assert [anchors[i] for i in range(len(spans))] == [text[s:e] for s, e in spans]
    assert document_text(document, "Dok") == text
    comments = {c.comment_id: c for c in document.comments}
    assert comments[0].author == "Åse Ølund" and comments[0].initials == "ÅØ" and "Memo: <&>" in comments[0].text
    assert "Needs review" in comments[1].text
