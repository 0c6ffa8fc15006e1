"""Real files of every importable format, written by hand or with python-docx, with the text each must become.

Every generator writes one file into a folder and returns a `Sample`: the path and the exact text
that `fieldnotes show DOC --json` must give after import (normalised: no BOM, LF only, NFC).
"""

from __future__ import annotations

import codecs
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DANISH = "Søren får én kop kaffe på Ærø."
SHORT = "Øl på"  # five characters, two of them Danish
LONG = (
    "Sagsbehandleren tror på, at borgeren får et job inden for et år.\n"
    "Hun siger: »Det handler om tillid – og om at se ressourcerne.«\n"
    "\n"
    "Næste møde er i Ærøskøbing; kaffen koster 5 €."
)


@dataclass
class Sample:
    path: Path
    text: str  # the stored text, exactly
    title: str = ""
    turns: list[tuple[str, int, int, float | None]] = field(default_factory=list)  # expected (speaker, start, end, ts)


def line_span(text: str, first: int, last: int) -> tuple[int, int]:
    """Offsets [start, end) covering lines first..last (0-based) of text, without the final newline."""
    lines = text.split("\n")
    start = sum(len(line) + 1 for line in lines[:first])
    end = sum(len(line) + 1 for line in lines[: last + 1]) - 1
    return start, end


TurnSpec = list[tuple[str, int, int, float | None]]


def turns_by_lines(text: str, spec: TurnSpec) -> TurnSpec:
    out = []
    for speaker, first, last, stamp in spec:
        start, end = line_span(text, first, last)
        out.append((speaker, start, end, stamp))
    return out


# --- plain text in every encoding ----------------------------------------------------------------

#: encoding label -> (codec, byte-order mark written before the text)
ENCODINGS: dict[str, tuple[str, bytes]] = {
    "utf-8": ("utf-8", b""),
    "utf-8-bom": ("utf-8", codecs.BOM_UTF8),
    "utf-16-le-bom": ("utf-16-le", codecs.BOM_UTF16_LE),
    "utf-16-be-bom": ("utf-16-be", codecs.BOM_UTF16_BE),
    "cp1252": ("cp1252", b""),
    "latin-1": ("latin-1", b""),
}


def write_text(folder: Path, name: str, text: str, encoding: str, *, newline: str = "\n") -> Path:
    """Write text with the given line ends in one of ENCODINGS (BOM included where the label says so)."""
    codec, bom = ENCODINGS[encoding]
    path = folder / name
    path.write_bytes(bom + text.replace("\n", newline).encode(codec))
    return path


def encoded_text(folder: Path, encoding: str, text: str = LONG, name: str | None = None) -> Sample:
    if encoding == "latin-1":
        text = text.replace("–", "-").replace("€", "EUR")  # not in Latin-1
    path = write_text(folder, name or f"tekst-{encoding}.txt", text, encoding)
    return Sample(path, text, path.stem)


def line_ends(folder: Path, newline: str, name: str) -> Sample:
    text = "Første linje\nAnden linje med æøå\n\nFjerde linje efter en tom\n"
    path = write_text(folder, name, text, "utf-8", newline=newline)
    return Sample(path, text, path.stem)


def mixed_line_ends(folder: Path) -> Sample:
    path = folder / "blandede-linjeskift.txt"
    path.write_bytes("én\r\nto\rtre\nfire\r\n\r\nslut".encode())
    return Sample(path, "én\nto\ntre\nfire\n\nslut", path.stem)


def decomposed(folder: Path) -> Sample:
    """NFD input: 'a' + combining ring above must be stored as the one code point 'å'."""
    path = folder / "nfd.txt"
    path.write_bytes("Bla\u030abær og A\u030ase fra A\u030arhus\n".encode())
    return Sample(path, "Blåbær og Åse fra Århus\n", path.stem)


def emoji(folder: Path, encoding: str = "utf-8") -> Sample:
    text = "Tak for kaffen ☕ – det gik godt 👍🏽 på Ærø.\n"
    path = write_text(folder, f"emoji-{encoding}.txt", text, encoding)
    return Sample(path, text, path.stem)


def mixed_utf8_cp1252(folder: Path) -> Sample:
    """Mostly UTF-8 with one paragraph pasted in as Windows-1252: each part must come through right."""
    path = folder / "blandet-kodning.txt"
    path.write_bytes("Første del i UTF-8: æøå.\n".encode() + "Anden del i Windows-1252: æøå.\n".encode("cp1252"))
    return Sample(path, "Første del i UTF-8: æøå.\nAnden del i Windows-1252: æøå.\n", path.stem)


def utf16_without_bom(folder: Path) -> Sample:
    text = "Referat fra mødet på Ærø\nDeltagere: Åse og Søren\n"
    path = folder / "utf16-uden-bom.txt"
    path.write_bytes(text.encode("utf-16-le"))
    return Sample(path, text, path.stem)


# --- Markdown ----------------------------------------------------------------------------------

MD_BODY = (
    "# Referat af lokalt møde\n"
    "\n"
    "- Første punkt om **tro** på jobchancen\n"
    "- Andet punkt\n"
    "\n"
    "| Navn | Rolle |\n"
    "|------|-------|\n"
    "| Åse  | leder |\n"
)


def markdown(folder: Path, name: str = "møde-referat.md", front: str | None = None) -> Sample:
    if front is None:
        front = (
            "title: Lokalt møde i Ærø\n"
            "kind: minutes\n"
            "municipality: Ærø\n"
            "date: 2025-04-02\n"
            "activity: lokalt møde\n"
            "participants:\n"
            "  - Åse Nørgaard (leder)\n"
            "  - {name: Søren Kjær, role: sagsbehandler}\n"
            "attributes:\n"
            "  halvår: 2\n"
            "referent: Mette\n"
        )
    path = folder / name
    path.write_bytes(("---\n" + front + "---\n" + MD_BODY).encode())
    return Sample(path, MD_BODY, "Lokalt møde i Ærø")


# --- Word (python-docx) ------------------------------------------------------------------------

DOCX_TEXT = (
    "Referat af opstartsmøde\n"
    "Første afsnit med æ, ø og å.\n"
    "\n"
    "Afsnit efter et tomt afsnit.\n"
    "Navn\tRolle\tKommune\n"
    "Søren\tsagsbehandler\tÆrø\n"
    "Åse\tleder\t\n"
    "- Tro på borgeren\n"
    "- Sparring i teamet\n"
    "1. Første trin\n"
    "2. Andet trin\n"
    "3. Tredje trin\n"
    "Afsluttende bemærkning."
)


def docx_file(folder: Path, name: str = "opstartsmøde.docx") -> Sample:
    import docx

    document = docx.Document()
    document.add_heading("Referat af opstartsmøde", level=1)
    document.add_paragraph("Første afsnit med æ, ø og å.")
    document.add_paragraph("")
    document.add_paragraph("Afsnit efter et tomt afsnit.")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["Navn", "Rolle", "Kommune"], ["Søren", "sagsbehandler", "Ærø"], ["Åse", "leder", ""]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("Tro på borgeren", style="List Bullet")
    document.add_paragraph("Sparring i teamet", style="List Bullet")
    for item in ("Første trin", "Andet trin", "Tredje trin"):
        document.add_paragraph(item, style="List Number")
    document.add_paragraph("Afsluttende bemærkning.")
    path = folder / name
    document.save(str(path))
    return Sample(path, DOCX_TEXT, path.stem)


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_tricky(folder: Path) -> Sample:
    """Word parts python-docx's paragraph text skips: tracked changes, fields, content controls, line breaks,
    a 'List Paragraph' that is not a list item, numbering set on the paragraph with nested levels."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    body = document.element.body
    sect = body[-1]

    def add(xml: str) -> None:
        sect.addprevious(parse_xml(f'<w:root xmlns:w="{W_NS}">{xml}</w:root>')[0])

    # a bullet list (numId 1 in the default template is bulleted) and a numbered one (numId 3), on the paragraph
    numbering = document.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="o"/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num xmlns:w="{W_NS}" w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    add('<w:p><w:r><w:t xml:space="preserve">Sagen er </w:t></w:r>'
        '<w:del w:id="1" w:author="A"><w:r><w:delText>ikke </w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="A"><w:r><w:t>helt </w:t></w:r></w:ins>'
        '<w:r><w:t>afklaret.</w:t></w:r></w:p>')
    add('<w:p><w:r><w:t>Side </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')
    add('<w:sdt><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>I en indholdskontrol: ø</w:t></w:r></w:p>'
        '</w:sdtContent></w:sdt>')
    add('<w:p><w:r><w:t>Linje et</w:t><w:br/><w:t>linje to</w:t><w:tab/><w:t>efter tab</w:t></w:r></w:p>')
    add('<w:p><w:pPr><w:pStyle w:val="ListParagraph"/></w:pPr><w:r><w:t>Indrykket, men ikke et punkt</w:t>'
        '</w:r></w:p>')
    for level, text in ((0, "Punkt et"), (1, "Underpunkt"), (1, "Underpunkt to"), (0, "Punkt to")):
        add(f'<w:p><w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="{level}"/>'
            f'<w:numId w:val="90"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>')
    add('<w:p><w:pPr><w:pStyle w:val="ListNumber"/><w:numPr><w:numId w:val="0"/></w:numPr></w:pPr>'
        '<w:r><w:t>Nummerering slået fra</w:t></w:r></w:p>')
    path = folder / "sporede-ændringer.docx"
    document.save(str(path))
    text = (
        "Sagen er helt afklaret.\n"
        "Side 3\n"
        "I en indholdskontrol: ø\n"
        "Linje et\nlinje to\tefter tab\n"
        "Indrykket, men ikke et punkt\n"
        "1. Punkt et\n"
        "  - Underpunkt\n"
        "  - Underpunkt to\n"
        "2. Punkt to\n"
        "Nummerering slået fra"
    )
    return Sample(path, text, path.stem)


# --- OpenDocument, by hand ---------------------------------------------------------------------

ODT_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2">
 <office:automatic-styles>
  <text:list-style style:name="L1">
   <text:list-level-style-bullet text:level="1" text:bullet-char="•"/>
   <text:list-level-style-bullet text:level="2" text:bullet-char="◦"/>
  </text:list-style>
  <text:list-style style:name="L2">
   <text:list-level-style-number text:level="1" style:num-format="1"/>
   <text:list-level-style-bullet text:level="2" text:bullet-char="•"/>
  </text:list-style>
 </office:automatic-styles>
 <office:body>
  <office:text>
   <text:h text:outline-level="1">Observation i jobcentret på Ærø</text:h>
   <text:p>Kl. 9.15 begynder mødet.<text:s text:c="3"/>Tre mellemrum før, <text:s/>og ét her.</text:p>
   <text:p/>
   <text:p>Før<text:tab/>efter tabulator og<text:line-break/>ny linje i samme afsnit.</text:p>
   <text:p>Mellemrum   i   kilden
     samles til ét.</text:p>
   <text:list text:style-name="L1">
    <text:list-item><text:p>Første punkt</text:p></text:list-item>
    <text:list-item><text:p>Andet punkt</text:p>
     <text:list>
      <text:list-item><text:p>Underpunkt</text:p></text:list-item>
     </text:list>
    </text:list-item>
   </text:list>
   <text:list text:style-name="L2">
    <text:list-item><text:p>Trin ét</text:p></text:list-item>
    <text:list-item><text:p>Trin to</text:p>
     <text:list>
      <text:list-item><text:p>detalje</text:p></text:list-item>
     </text:list>
    </text:list-item>
    <text:list-item><text:p>Trin tre</text:p></text:list-item>
   </text:list>
   <table:table table:name="T1">
    <table:table-column table:number-columns-repeated="3"/>
    <table:table-header-rows>
     <table:table-row>
      <table:table-cell><text:p>Navn</text:p></table:table-cell>
      <table:table-cell><text:p>Rolle</text:p></table:table-cell>
      <table:table-cell><text:p>Note</text:p></table:table-cell>
     </table:table-row>
    </table:table-header-rows>
    <table:table-row>
     <table:table-cell><text:p>Søren</text:p></table:table-cell>
     <table:table-cell><text:p>sagsbehandler</text:p></table:table-cell>
     <table:table-cell><text:p>to<text:line-break/>linjer</text:p></table:table-cell>
    </table:table-row>
    <table:table-row>
     <table:table-cell><text:p>Åse</text:p></table:table-cell>
     <table:table-cell><text:p>leder</text:p></table:table-cell>
     <table:table-cell/>
    </table:table-row>
   </table:table>
   <text:p>Slut på noten.</text:p>
  </office:text>
 </office:body>
</office:document-content>
"""

ODT_TEXT = (
    "Observation i jobcentret på Ærø\n"
    "Kl. 9.15 begynder mødet.   Tre mellemrum før,  og ét her.\n"
    "\n"
    "Før\tefter tabulator og\nny linje i samme afsnit.\n"
    "Mellemrum i kilden samles til ét.\n"
    "- Første punkt\n"
    "- Andet punkt\n"
    "  - Underpunkt\n"
    "1. Trin ét\n"
    "2. Trin to\n"
    "  - detalje\n"
    "3. Trin tre\n"
    "Navn\tRolle\tNote\n"
    "Søren\tsagsbehandler\tto linjer\n"
    "Åse\tleder\t\n"
    "Slut på noten."
)

ODT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""


def zip_parts(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buffer.getvalue()


def odt_file(folder: Path, name: str = "blåbær-observation.odt") -> Sample:
    path = folder / name
    path.write_bytes(zip_parts({
        "mimetype": b"application/vnd.oasis.opendocument.text",
        "content.xml": ODT_CONTENT.encode(),
        "META-INF/manifest.xml": ODT_MANIFEST.encode(),
    }))
    return Sample(path, ODT_TEXT, path.stem)


# --- RTF, by hand ------------------------------------------------------------------------------

RTF_SOURCE = (
    r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Calibri;}}" "\r\n"
    r"{\*\generator Hand 1.0;}\viewkind4\uc1" "\r\n"
    r"\pard\f0\fs22 Bl\'e5b\'e6r og r\'f8dgr\'f8d med fl\'f8de p\'e5 \'c6r\'f8.\par" "\r\n"
    r"\pard \ldblquote Tro\rdblquote  med unicode: \u230?\u248?\u229?\u198?\u216?\u197? og \u8364? "
    r"\u-10179?\u-8703?.\par" "\r\n"
    r"\par" "\r\n"
    r"\trowd\trgaph70\cellx2000\cellx4000\cellx6000" "\r\n"
    r"\pard\intbl Navn\cell Rolle\cell Kommune\cell\row" "\r\n"
    r"\trowd\trgaph70\cellx2000\cellx4000\cellx6000" "\r\n"
    r"\pard\intbl S\'f8ren\cell sagsbehandler\cell \'c6r\'f8\cell\row" "\r\n"
    # the shape Word writes: row properties repeated between the last \cell and \row
    r"{\pard\intbl {\'c5se}\cell {leder}\cell {}\cell }\pard\intbl {\trowd\trgaph70\cellx2000\cellx4000\cellx6000\row }"
    "\r\n"
    r"\pard Linje et\line linje to\tab efter tab\par" "\r\n"
    r"\pard Slut.\par" "\r\n"
    "}"
)

RTF_TEXT = (
    "Blåbær og rødgrød med fløde på Ærø.\n"
    "“Tro” med unicode: æøåÆØÅ og € \U0001F601.\n"
    "\n"
    "Navn\tRolle\tKommune\n"
    "Søren\tsagsbehandler\tÆrø\n"
    "Åse\tleder\t\n"
    "Linje et\nlinje to\tefter tab\n"
    "Slut."
)


def rtf_file(folder: Path, name: str = "referat-ærø.rtf") -> Sample:
    path = folder / name
    path.write_bytes(RTF_SOURCE.encode("ascii"))
    return Sample(path, RTF_TEXT, path.stem)


# --- PDF, by hand ------------------------------------------------------------------------------


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def build_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF: one Helvetica (WinAnsiEncoding) text line per entry; a page with no lines has
    no text at all (a filled rectangle, like a scan). Cross-reference offsets are computed."""
    objects: list[bytes] = []
    page_ids = []
    font_id = 3
    next_id = 4
    page_objects: list[tuple[int, int, bytes]] = []
    for lines in pages:
        if lines:
            body = b"BT /F1 12 Tf 14 TL 72 760 Td\n"
            body += b"\n".join(_pdf_string(line) + b" Tj T*" for line in lines) + b"\nET\n"
        else:
            body = b"0.5 g 72 72 400 600 re f\n"
        page_id, content_id = next_id, next_id + 1
        next_id += 2
        page_ids.append(page_id)
        page_objects.append((page_id, content_id, body))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = b" ".join(f"{pid} 0 R".encode() for pid in page_ids)
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(len(page_ids)).encode() + b" >>")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for page_id, content_id, body in page_objects:
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 "
            + str(font_id).encode() + b" 0 R >> >> /Contents " + str(content_id).encode() + b" 0 R >>"
        )
        objects.append(b"<< /Length " + str(len(body)).encode() + b" >>\nstream\n" + body + b"endstream")
        assert page_id and content_id
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


PDF_PAGES = [
    ["Referat fra tværkommunalt erfaringsmøde", "Deltagere: Åse, Søren og Ærø Kommune", "Tro på borgerens jobchance."],
    ["Side to: blåbær (og) rødgrød"],
]
PDF_TEXT = "\n".join("\n".join(lines) for lines in PDF_PAGES)


def pdf_file(folder: Path, name: str = "erfaringsmøde.pdf") -> Sample:
    path = folder / name
    path.write_bytes(build_pdf(PDF_PAGES))
    return Sample(path, PDF_TEXT, path.stem)


def pdf_scan(folder: Path, name: str = "skannet.pdf") -> Path:
    path = folder / name
    path.write_bytes(build_pdf([[], []]))
    return path


# --- subtitles ---------------------------------------------------------------------------------

VTT_SOURCE = """WEBVTT
Kind: captions
Language: da

NOTE lavet af en transskriptionstjeneste

1
00:00:01.000 --> 00:00:04.000
<v Mette Vinther>Hvordan tror du på borgerens jobchance?</v>

2
00:00:05.500 --> 00:00:09.000 align:start
<v Søren>Jeg tror på det,
men det tager <i>tid</i>.</v>

00:01:10.000 --> 00:01:12.000
(latter)

01:02:03.900 --> 01:02:05.000
<v.loud Mette Vinther>Tak for nu &amp; farvel.
"""

VTT_TEXT = (
    "[00:00:01] Mette Vinther: Hvordan tror du på borgerens jobchance?\n"
    "[00:00:05] Søren: Jeg tror på det, men det tager tid.\n"
    "[00:01:10] (latter)\n"
    "[01:02:03] Mette Vinther: Tak for nu & farvel."
)


def vtt_file(folder: Path, name: str = "interview-søren.vtt") -> Sample:
    path = folder / name
    path.write_bytes(VTT_SOURCE.encode())
    sample = Sample(path, VTT_TEXT, path.stem)
    sample.turns = turns_by_lines(VTT_TEXT, [("Mette Vinther", 0, 0, 1.0), ("Søren", 1, 2, 5.0),
                                             ("Mette Vinther", 3, 3, 3723.0)])
    return sample


SRT_SOURCE = """1
00:00:01,000 --> 00:00:03,500
Interviewer: Hvad laver du i jobcentret?

2
00:00:04,000 --> 00:00:08,000
Åse Nørgaard: Jeg er sagsbehandler
og har 40 sager.

3
00:00:09,000 --> 00:00:10,000
Ja.

4
00:00:12,250 --> 00:00:15,000
Interviewer: Tak.
"""

SRT_TEXT = (
    "[00:00:01] Interviewer: Hvad laver du i jobcentret?\n"
    "[00:00:04] Åse Nørgaard: Jeg er sagsbehandler og har 40 sager.\n"
    "[00:00:09] Ja.\n"
    "[00:00:12] Interviewer: Tak."
)


def srt_file(folder: Path, name: str = "samtale-åse.srt", encoding: str = "utf-8", newline: str = "\r\n") -> Sample:
    path = write_text(folder, name, SRT_SOURCE, encoding, newline=newline)
    sample = Sample(path, SRT_TEXT, path.stem)
    sample.turns = turns_by_lines(SRT_TEXT, [("Interviewer", 0, 0, 1.0), ("Åse Nørgaard", 1, 2, 4.0),
                                             ("Interviewer", 3, 3, 12.0)])
    return sample


# --- transcripts in each speaker shape ---------------------------------------------------------

TRANSCRIPT_IR = (
    "Interview med sagsbehandler, Ærø\n"
    "\n"
    "I: Hvordan oplever du borgernes jobchancer?\n"
    "IP: Altså, jeg tror på, at Søren får et job.\n"
    "Det gør jeg virkelig.\n"
    "\n"
    "I: Hvad gør I i teamet?\n"
    "IP: Vi tager en runde om fredagen.\n"
    "R: Og jeg er også med.\n"
    "R: Det er godt.\n"
    "I: Tak."
)
TRANSCRIPT_IR_TURNS = [("I", 2, 2, None), ("IP", 3, 4, None), ("I", 6, 6, None), ("IP", 7, 7, None),
                       ("R", 8, 9, None), ("I", 10, 10, None)]

TRANSCRIPT_NAMES = (
    "Mette Vinther: Hvad tænker du om Peters chancer?\n"
    "Søren: Han har gode kompetencer.\n"
    "Beslutning: det sagde han på mødet.\n"
    "Anne-Marie Holm Jensen: Må jeg supplere?\n"
    "Mette Vinther: Ja.\n"
    "Søren: Jeg er enig.\n"
    "Anne-Marie Holm Jensen: Godt."
)
TRANSCRIPT_NAMES_TURNS = [("Mette Vinther", 0, 0, None), ("Søren", 1, 2, None), ("Anne-Marie Holm Jensen", 3, 3, None),
                          ("Mette Vinther", 4, 4, None), ("Søren", 5, 5, None), ("Anne-Marie Holm Jensen", 6, 6, None)]


def _stamped(open_: str, close: str) -> tuple[str, list[tuple[str, int, int, float | None]]]:
    text = (
        f"{open_}00:12:31{close} I: Hvordan går det med Peter?\n"
        f"{open_}00:12:45{close} R: Han er i praktik.\n"
        "Det går godt.\n"
        f"{open_}01:02:03{close} I: Og så?\n"
        f"{open_}01:02:10.5{close} R: Så får han job."
    )
    return text, [("I", 0, 0, 751.0), ("R", 1, 2, 765.0), ("I", 3, 3, 3723.0), ("R", 4, 4, 3730.5)]


TRANSCRIPT_DIARISED = (
    "[00:00:05] SPEAKER_00: Velkommen til interviewet.\n"
    "[00:00:09] SPEAKER_01: Tak, det er godt at være her.\n"
    "[00:00:15] SPEAKER_01: Jeg arbejder på Ærø.\n"
    "[00:01:02] SPEAKER_00: Fortæl om din sidste sag."
)
TRANSCRIPT_DIARISED_TURNS = [("SPEAKER_00", 0, 0, 5.0), ("SPEAKER_01", 1, 2, 9.0), ("SPEAKER_00", 3, 3, 62.0)]

TRANSCRIPT_SERVICE = (
    "Speaker 1  00:01:02\n"
    "Hvordan vurderer du Peters jobchance?\n"
    "\n"
    "Speaker 2  00:01:09\n"
    "Jeg tror på ham.\n"
    "Han er stabil og møder op.\n"
    "\n"
    "\n"
    "Speaker 1  00:02:30\n"
    "Tak."
)
TRANSCRIPT_SERVICE_TURNS = [("Speaker 1", 0, 1, 62.0), ("Speaker 2", 3, 5, 69.0), ("Speaker 1", 8, 9, 150.0)]

TRANSCRIPT_SERVICE_NAMES = (
    "Mette Vinther  00:00:04\n"
    "Velkommen.\n"
    "\n"
    "Søren Kjær  00:00:10\n"
    "Tak.\n"
    "\n"
    "Mette Vinther  1:02:03\n"
    "Farvel."
)
TRANSCRIPT_SERVICE_NAMES_TURNS = [("Mette Vinther", 0, 1, 4.0), ("Søren Kjær", 3, 4, 10.0),
                                  ("Mette Vinther", 6, 7, 3723.0)]


def transcripts() -> dict[str, tuple[str, list[tuple[str, int, int, float | None]]]]:
    """Name -> (text, turns as (speaker, first line, last line, seconds)) for each speaker shape."""
    out = {
        "ir": (TRANSCRIPT_IR, TRANSCRIPT_IR_TURNS),
        "names": (TRANSCRIPT_NAMES, TRANSCRIPT_NAMES_TURNS),
        "square": _stamped("[", "]"),
        "round": _stamped("(", ")"),
        "bare": _stamped("", ""),
        "diarised": (TRANSCRIPT_DIARISED, TRANSCRIPT_DIARISED_TURNS),
        "service": (TRANSCRIPT_SERVICE, TRANSCRIPT_SERVICE_TURNS),
        "service-names": (TRANSCRIPT_SERVICE_NAMES, TRANSCRIPT_SERVICE_NAMES_TURNS),
    }
    return out


def transcript_file(folder: Path, shape: str) -> Sample:
    text, spec = transcripts()[shape]
    path = folder / f"transskription-{shape}.txt"
    path.write_bytes(text.encode())
    return Sample(path, text, path.stem, turns_by_lines(text, spec))


# --- bad input ---------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def zip_bomb(inner: str, size: int = 4 * 1024 * 1024) -> bytes:
    """A small zip whose one part unpacks to `size` bytes of zeros (ratio about 1000:1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(inner)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as part:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                part.write(chunk)
    return buffer.getvalue()


def bad_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """Name -> (path, a phrase the failure message must contain). Each is refused on its own."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, tuple[Path, str]] = {}

    def put(key: str, name: str, data: bytes, phrase: str) -> None:
        path = folder / name
        path.write_bytes(data)
        out[key] = (path, phrase)

    put("empty", "tom.txt", b"", "is empty")
    put("blank", "kun-mellemrum.md", b"  \r\n\n\t\n", "is empty")
    put("binary", "billede.txt", PNG + bytes(range(256)) * 4, "binary")
    put("binary-md", "program.md", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4, "binary")
    put("unsupported", "regneark.xlsx", b"PK\x03\x04 not really", "not supported")
    put("protected", "beskyttet.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024, "password-protected")
    put("corrupt", "ødelagt.docx", b"this is not a zip file at all, just text pretending" * 10, "damaged")
    put("no-document-part", "uden-indhold.docx", zip_parts({"[Content_Types].xml": b"<Types/>"}), "damaged")
    put("bomb-docx", "bombe.docx", zip_bomb("word/document.xml"), "zip bomb")
    put("bomb-odt", "bombe.odt", zip_bomb("content.xml"), "zip bomb")
    put("corrupt-odt", "ødelagt.odt", zip_parts({"mimetype": b"application/vnd.oasis.opendocument.text",
                                                "content.xml": b"<office:document-content><unclosed>"}), "damaged")
    put("scan", "skannet.pdf", build_pdf([[], []]), "recognised first")
    put("corrupt-pdf", "ødelagt.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage", "damaged")
    put("bad-rtf", "ikke-rtf.rtf", b"Dette er ikke RTF.", "damaged")
    return out


# --- every good sample at once ------------------------------------------------------------------

TEXT_VARIANTS = {"": LONG, "-sætning": DANISH, "-fem": SHORT}
OTHER_KEYS = [
    "crlf", "cr", "mixed-line-ends", "nfd", "emoji-utf-8", "emoji-utf-16-le-bom", "emoji-utf-16-be-bom",
    "utf-8-with-cp1252", "utf-16-no-bom", "md", "docx", "docx-tricky", "odt", "rtf", "pdf", "vtt", "srt",
    "srt-cp1252-lf", *[f"transcript-{shape}" for shape in transcripts()],
]
SAMPLE_KEYS = [f"txt-{enc}{variant}" for enc in ENCODINGS for variant in TEXT_VARIANTS] + OTHER_KEYS


def good_samples(folder: Path) -> dict[str, Sample]:
    """One file of every kind the importer must read, keyed by SAMPLE_KEYS."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Sample] = {}
    for enc in ENCODINGS:
        for variant, text in TEXT_VARIANTS.items():
            out[f"txt-{enc}{variant}"] = encoded_text(folder, enc, text, f"tekst-{enc}{variant}.txt")
    out["crlf"] = line_ends(folder, "\r\n", "crlf.txt")
    out["cr"] = line_ends(folder, "\r", "cr.txt")
    out["mixed-line-ends"] = mixed_line_ends(folder)
    out["nfd"] = decomposed(folder)
    for enc in ("utf-8", "utf-16-le-bom", "utf-16-be-bom"):
        out[f"emoji-{enc}"] = emoji(folder, enc)
    out["utf-8-with-cp1252"] = mixed_utf8_cp1252(folder)
    out["utf-16-no-bom"] = utf16_without_bom(folder)
    out["md"] = markdown(folder)
    out["docx"] = docx_file(folder)
    out["docx-tricky"] = docx_tricky(folder)
    out["odt"] = odt_file(folder)
    out["rtf"] = rtf_file(folder)
    out["pdf"] = pdf_file(folder)
    out["vtt"] = vtt_file(folder)
    out["srt"] = srt_file(folder)
    out["srt-cp1252-lf"] = srt_file(folder, "samtale-cp1252.srt", encoding="cp1252", newline="\n")
    for shape in transcripts():
        out[f"transcript-{shape}"] = transcript_file(folder, shape)
    assert list(out) == SAMPLE_KEYS or sorted(out) == sorted(SAMPLE_KEYS)
    return out


# --- running the command line against a project ------------------------------------------------


def new_project(folder: Path, name: str = "project.db") -> Path:
    from tests.helpers import ok

    target = folder / name
    ok("--db", target, "init", "--empty")
    return target


def import_report(db: Path | str, *args: object, code: int | None = 0) -> dict[str, Any]:
    """Run `fieldnotes import ... --json` and return its report, checking the exit code."""
    from tests.helpers import run

    result = run("--db", db, "import", *[str(a) for a in args], "--json")
    assert "Traceback" not in result.err
    if code is not None:
        assert result.code == code, f"exit {result.code}: {result.err}{result.out}"
    report: dict[str, Any] = result.json
    return report


def show(db: Path | str, doc: str) -> dict[str, Any]:
    from tests.helpers import ok

    shown: dict[str, Any] = ok("--db", db, "show", doc, "--json").json
    return shown


def docs(db: Path | str) -> list[dict[str, Any]]:
    from tests.helpers import ok

    rows: list[dict[str, Any]] = ok("--db", db, "docs", "--json").json
    return rows


def state(db: Path) -> tuple[Any, ...]:
    """Everything that must not change when an import writes nothing: the file's bytes, every tracked
    row, the document listing, and which files sit beside the database."""
    import hashlib

    from tests.projectdata import snapshot

    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    siblings = sorted(p.name for p in db.parent.iterdir() if p.name.startswith(db.name))
    return digest, siblings, snapshot(db), docs(db)
