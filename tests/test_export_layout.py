"""The Word report as printed matter, read back from its markup: valid property order, blocks that keep
together, one block for a passage several coders coded alike, everything a memo says, and a title page
that says what the report includes. (LibreOffice's rendering of the same is in test_export_libreoffice.)"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from lxml import etree

from fieldnotes.coding.excerpts import Excerpt
from fieldnotes.export.docx_excerpts import KEEP_WHOLE_LINES, estimated_lines, write_excerpts_docx
from fieldnotes.export.gather import CodeEntry, ExportSet
from fieldnotes.project.opening import phase_dates, phase_of
from tests.helpers import ok
from tests.test_export_data import BELIEF, DOC, NOTE, coded_copy

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{" + W_NS + "}"

# The schema's sequences (ECMA-376 wml.xsd: CT_PPrBase + CT_PPr, EG_RPrBase, CT_TcPrBase, CT_TblPrBase,
# CT_PBdr, CT_TblBorders, CT_Style, CT_Settings), written out here from the schema, not from the code.
PPR = ("pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
       "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
       "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
       "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange").split()
RPR = ("rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
       "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs "
       "em lang eastAsianLayout specVanish oMath rPrChange").split()
TCPR = ("cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark "
        "headers cellIns cellDel cellMerge tcPrChange").split()
TBLPR = ("tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing "
         "tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription tblPrChange").split()
PBDR = "top left bottom right between bar".split()
TBLBORDERS = "top left start bottom right end insideH insideV".split()
STYLE = ("name aliases basedOn next link autoRedefine hidden uiPriority semiHidden unhideWhenUsed qFormat locked "
         "personal personalCompose personalReply rsid pPr rPr tblPr trPr tcPr tblStylePr").split()
SETTINGS = ("writeProtection view zoom removePersonalInformation removeDateAndTime doNotDisplayPageBoundaries "
            "displayBackgroundShape printPostScriptOverText printFractionalCharacterWidth printFormsData "
            "embedTrueTypeFonts embedSystemFonts saveSubsetFonts saveFormsData mirrorMargins alignBordersAndEdges "
            "bordersDoNotSurroundHeader bordersDoNotSurroundFooter gutterAtTop hideSpellingErrors "
            "hideGrammaticalErrors activeWritingStyle proofState formsDesign attachedTemplate linkStyles "
            "stylePaneFormatFilter stylePaneSortMethod documentType mailMerge revisionView trackRevisions "
            "doNotTrackMoves doNotTrackFormatting documentProtection autoFormatOverride styleLockTheme "
            "styleLockQFSet defaultTabStop autoHyphenation consecutiveHyphenLimit hyphenationZone "
            "doNotHyphenateCaps showEnvelope summaryLength clickAndTypeStyle defaultTableStyle evenAndOddHeaders "
            "bookFoldRevPrinting bookFoldPrinting bookFoldPrintingSheets drawingGridHorizontalSpacing "
            "drawingGridVerticalSpacing displayHorizontalDrawingGridEvery displayVerticalDrawingGridEvery "
            "doNotUseMarginsForDrawingGridOrigin drawingGridHorizontalOrigin drawingGridVerticalOrigin "
            "doNotShadeFormData noPunctuationKerning characterSpacingControl printTwoOnOne "
            "strictFirstAndLastChars noLineBreaksAfter noLineBreaksBefore savePreviewPicture "
            "doNotValidateAgainstSchema saveInvalidXml ignoreMixedContent alwaysShowPlaceholderText "
            "doNotDemarcateInvalidXml saveXmlDataOnly useXSLTWhenSaving saveThroughXslt showXMLTags "
            "alwaysMergeEmptyNamespace updateFields hdrShapeDefaults footnotePr endnotePr compat docVars rsids "
            "mathPr attachedSchema themeFontLang clrSchemeMapping doNotIncludeSubdocsInStats "
            "doNotAutoCompressPictures forceUpgrade captions readModeInkLockDown smartTagType schemaLibrary "
            "shapeDefaults doNotEmbedSmartTags decimalSymbol listSeparator").split()
SEQUENCES = {"pPr": PPR, "rPr": RPR, "tcPr": TCPR, "tblPr": TBLPR, "pBdr": PBDR, "tblBorders": TBLBORDERS,
             "style": STYLE, "settings": SETTINGS}


@pytest.fixture
def project(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    return coded_copy(tmp_path_factory, tmp_path)


def out_of_order(package: Path) -> list[str]:
    """Every property element of the schema's sequences whose children are out of order (or unknown)."""
    problems = []
    with zipfile.ZipFile(package) as archive:
        for name in archive.namelist():
            if not (name.startswith("word/") and name.endswith(".xml")):
                continue
            root = etree.fromstring(archive.read(name))
            for element in root.iter():
                if not isinstance(element.tag, str) or not element.tag.startswith(W):
                    continue
                sequence = SEQUENCES.get(element.tag[len(W):])
                if sequence is None:
                    continue
                children = [c.tag[len(W):] for c in element if isinstance(c.tag, str) and c.tag.startswith(W)]
                unknown = [c for c in children if c not in sequence]
                positions = [sequence.index(c) for c in children if c in sequence]
                if unknown or positions != sorted(positions):
                    problems.append(f"{name}: <w:{element.tag[len(W):]}> has {children}")
    return problems


def test_every_property_element_follows_the_schema_order(project: Path, tmp_path: Path) -> None:
    report = tmp_path / "rapport.docx"
    ok("--db", project, "--lang", "da", "export", "docx", report, "--overview", "municipality", "--memos",
       "--context", "sentence", "--group-by", "phase")
    annotated = tmp_path / "kommenteret.docx"
    ok("--db", project, "--lang", "da", "export", "docx", annotated, "--annotated", DOC, NOTE)
    for package in (report, annotated):
        assert out_of_order(package) == []
    # the check itself sees a wrong order (the overview's cells once had keepNext after spacing and jc)
    broken = tmp_path / "forkert.docx"
    with zipfile.ZipFile(report) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = re.sub(rb"<w:keepNext/>(<w:spacing [^>]*/>)", rb"\1<w:keepNext/>", data, count=1)
            target.writestr(info, data)
    assert len(out_of_order(broken)) == 1


def blocks(document: Any) -> list[list[Any]]:
    """Each excerpt block's paragraphs: the quote and the citation, rating, memo ... lines after it."""
    out: list[list[Any]] = []
    for p in document.paragraphs:
        style = p._p.style
        if style == "Excerpt":
            out.append([p])
        elif style in ("ExcerptCitation", "ExcerptNote") and out:
            out[-1].append(p)
    return out


def flag(paragraph: Any, name: str) -> bool:
    """A paragraph property, set on the paragraph or by its style."""
    own = paragraph._p.find(f"{W}pPr/{W}{name}")
    if own is not None:
        return own.get(f"{W}val") not in ("0", "false")
    style = paragraph.style
    while style is not None:
        found = style.element.find(f"{W}pPr/{W}{name}")
        if found is not None:
            return found.get(f"{W}val") not in ("0", "false")
        style = style.base_style
    return False


def test_each_excerpt_block_keeps_together(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "blokke.docx"
    ok("--db", project, "--lang", "da", "export", "docx", out, "--memos", "--context", "sentence")
    found = blocks(docx.Document(str(out)))
    assert len(found) == 5 and max(len(b) for b in found) >= 3  # a quote with a citation, rating and memo
    for block in found:
        quote, *lines = block
        assert flag(quote, "keepNext") and flag(quote, "keepLines")  # short quotes never split
        assert all(flag(line, "keepLines") for line in lines)
        assert [flag(line, "keepNext") for line in lines] == [True] * (len(lines) - 1) + [False]
    # a heading, its definition and its summary stay with the first excerpt
    document = docx.Document(str(out))
    styles = {p._p.style: p for p in document.paragraphs}
    assert flag(styles["CodeDefinition"], "keepNext") and flag(styles["CodeSummary"], "keepNext")
    # and a paragraph that does break leaves two lines on each page
    defaults = document.styles.element.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr/{W}widowControl")
    assert defaults is not None


def test_a_quote_longer_than_a_page_may_break_but_keeps_its_lines_after_it() -> None:
    long_text = " ".join(["Borgeren fortæller om sin hverdag og om jobbet på lageret, som hun gerne vil have."] * 60)
    assert estimated_lines(long_text) > KEEP_WHOLE_LINES >= estimated_lines(BELIEF)
    data = ExportSet(project_name="Lang", codes=[CodeEntry(id="k", name="Kode", path="Kode", depth=0)],
                     excerpts=[excerpt("1", long_text, rating=3, memo="Lang fortælling")])
    buffer = io.BytesIO()
    write_excerpts_docx(data, buffer, lang="da")
    ((quote, citation, rating, memo),) = blocks(docx.Document(io.BytesIO(buffer.getvalue())))
    assert flag(quote, "keepNext") and not flag(quote, "keepLines")
    assert flag(citation, "keepNext") and flag(rating, "keepNext") and not flag(memo, "keepNext")


def excerpt(identity: str, text: str, *, coder: str = "Anna Krogh", rating: int | None = None,
            memo: str | None = None, start: int = 0, overlapping: list[str] | None = None) -> Excerpt:
    return Excerpt(id=identity, code="k", code_path="Kode", document="d", document_title="Interview med Åse",
                   municipality="Ærøby", kind="interview", date="2025-03-10", phase=1, coder=coder, start=start,
                   end=start + len(text), text=text, memo=memo, rating=rating, needs_review=False, paragraph=4,
                   overlapping=overlapping or [])


def test_a_passage_coded_alike_by_two_coders_is_one_excerpt_naming_both(project: Path, tmp_path: Path) -> None:
    ok("--db", project, "code", DOC, "--code", "Specifik tro", "--match", BELIEF, "--rating", "3",
       "--memo", "Mere forbeholden end Anna", "--coder", "Jonas Bech")
    merged, apart = tmp_path / "samlet.docx", tmp_path / "hver-for-sig.docx"
    ok("--db", project, "--lang", "da", "export", "docx", merged, "--code", "Specifik tro")
    ok("--db", project, "--lang", "da", "export", "docx", apart, "--code", "Specifik tro", "--no-merge-coders")
    (block,) = blocks(docx.Document(str(merged)))
    texts = [p.text for p in block]
    assert texts[0] == BELIEF
    assert texts[1].endswith("kodet af Anna Krogh og Jonas Bech")
    assert texts[2] == "Vurdering: 4/5 (Anna Krogh); 3/5 (Jonas Bech)"  # each coder's own rating
    assert "Memo (Anna Krogh): Tydelig tro på én borger 👍" in texts
    assert "Memo (Jonas Bech): Mere forbeholden end Anna" in texts
    facts = [p.text for p in docx.Document(str(merged)).paragraphs if p._p.style == "TitleFact"]
    assert "Uddrag\t1 uddrag (2 kodninger) fra 1 dokument" in facts
    assert any(f.startswith("Flere kodere\tet sted, flere kodere har kodet ens, vises én gang") for f in facts)
    separate = blocks(docx.Document(str(apart)))
    assert [b[1].text.rsplit("kodet af ", 1)[1] for b in separate] == ["Anna Krogh", "Jonas Bech"]


def test_memos_of_the_project_and_the_municipalities_are_in_the_report(project: Path, tmp_path: Path) -> None:
    ok("--db", project, "memo", "add", "project", "Analysestrategi: vi sammenligner kommunerne over tid.")
    ok("--db", project, "memo", "add", "case:Lyngå", "I Lyngå fylder virksomhedskontakten meget.")
    ok("--db", project, "memo", "add", "case:Fjordby", "Fjordby har et nyt team.")
    with_memos, without = tmp_path / "med.docx", tmp_path / "uden.docx"
    ok("--db", project, "--lang", "da", "export", "docx", with_memos, "--memos", "--context", "sentence",
       "--code", "Specifik tro")
    ok("--db", project, "--lang", "da", "export", "docx", without, "--code", "Specifik tro")
    document = docx.Document(str(with_memos))
    items = [(p._p.style, p.text) for p in document.paragraphs]
    headings = [t for s, t in items if (s or "").startswith("Heading")]
    assert headings == ["Projektmemoer", "Tro på borgerens jobchance", "Specifik tro", "Kommunememoer", "Lyngå",
                        "Bilag: Kodebog"]  # only the municipality of the exported excerpt
    memos = [t for s, t in items if s == "Memo"]
    assert memos[0].startswith("Analysestrategi: vi sammenligner kommunerne over tid.\n— Anna Krogh, ")
    assert memos[-1].startswith("I Lyngå fylder virksomhedskontakten meget.")
    assert not any("Fjordby har et nyt team" in m for m in memos)
    facts = [t for s, t in items if s == "TitleFact"]
    assert "Kontekst\tden omgivende sætning" in facts and "Pseudonymiseret\tnej" in facts
    assert "Memoer\tja: projekt-, kode-, uddrags-, dokument- og kommunememoer" in facts
    plain = [(p._p.style, p.text) for p in docx.Document(str(without)).paragraphs]
    assert not any(s == "Memo" for s, _t in plain)
    assert "Memoer\tnej" in [t for _s, t in plain] and "Kontekst\tingen" in [t for _s, t in plain]


def test_phase_dates_are_the_first_and_last_day_of_each_half_year() -> None:
    start = dt.date(2025, 2, 1)
    assert phase_dates(1, start) == (dt.date(2025, 2, 1), dt.date(2025, 7, 31))
    assert phase_dates(2, start) == (dt.date(2025, 8, 1), dt.date(2026, 1, 31))
    for start in (dt.date(2025, 2, 1), dt.date(2025, 8, 31), dt.date(2024, 2, 29), dt.date(2023, 12, 30)):
        for phase in range(1, 6):
            first, last = phase_dates(phase, start)
            assert phase_of(first, start) == phase_of(last, start) == phase
            assert phase_of(first - dt.timedelta(days=1), start) in (None, phase - 1)
            assert phase_of(last + dt.timedelta(days=1), start) == phase + 1
