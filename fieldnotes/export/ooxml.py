"""WordprocessingML written as text: the fast path for the bulk of an exported document.

python-docx builds every paragraph through its object layer (about a millisecond each), which makes
a report of ten thousand excerpts take tens of seconds. The markup itself is small, so the exporters
write the bulk as strings with these helpers and let lxml parse it in one go (`parse_body`). Every
helper returns a fragment that is well-formed on its own; text always goes through `escape`.
"""

from __future__ import annotations

import re
from typing import Any

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# XML 1.0 forbids most control characters; they can come in with PDF or RTF imports
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def escape(text: str) -> str:
    """Text safe inside an element or a double-quoted attribute."""
    if _FORBIDDEN.search(text):
        text = _FORBIDDEN.sub("", text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    return text


def run_properties(*, style: str | None = None, bold: bool = False, italic: bool = False,
                   color: str | None = None, size: float | None = None, small_caps: bool = False) -> str:
    parts = []
    if style:
        parts.append(f'<w:rStyle w:val="{style}"/>')
    if bold:
        parts.append("<w:b/>")
    if italic:
        parts.append("<w:i/>")
    if small_caps:
        parts.append("<w:smallCaps/>")
    if color:
        parts.append(f'<w:color w:val="{color.lstrip("#").upper()}"/>')
    if size:
        parts.append(f'<w:sz w:val="{round(size * 2)}"/>')
    return f"<w:rPr>{''.join(parts)}</w:rPr>" if parts else ""


def _text_content(text: str) -> str:
    """The inside of a run: text, with line breaks and tabs as Word's own elements."""
    if "\n" not in text and "\t" not in text:
        return f'<w:t xml:space="preserve">{escape(text)}</w:t>'
    pieces = []
    for index, line in enumerate(escape(text).split("\n")):
        if index:
            pieces.append("<w:br/>")
        for part_index, part in enumerate(line.split("\t")):
            if part_index:
                pieces.append("<w:tab/>")
            if part:
                pieces.append(f'<w:t xml:space="preserve">{part}</w:t>')
    return "".join(pieces)


def run(text: str, rpr: str = "") -> str:
    """One run; newlines in `text` become line breaks (not new paragraphs)."""
    if not text:
        return ""
    return f"<w:r>{rpr}{_text_content(text)}</w:r>"


def paragraph(content: str, style: str | None = None, extra_ppr: str = "") -> str:
    ppr = (f'<w:pStyle w:val="{style}"/>' if style else "") + extra_ppr
    return f"<w:p><w:pPr>{ppr}</w:pPr>{content}</w:p>" if ppr else f"<w:p>{content}</w:p>"


def left_bar(color: str, *, size_eighths: int = 24, space: int = 8) -> str:
    """A paragraph border on the left in a code's colour (inside <w:pPr>)."""
    return (f'<w:pBdr><w:left w:val="single" w:sz="{size_eighths}" w:space="{space}" '
            f'w:color="{hex_color(color)}"/></w:pBdr>')


def hex_color(color: str | None, default: str = "808080") -> str:
    value = (color or "").lstrip("#").upper()
    return value if re.fullmatch(r"[0-9A-F]{6}", value) else default


def field(instruction: str, cached: str = "", rpr: str = "") -> str:
    """A complex field (PAGE, NUMPAGES, PAGEREF ...) with the result shown until it is updated."""
    return (f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r>{rpr}<w:instrText xml:space="preserve"> {escape(instruction)} </w:instrText></w:r>'
            f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r>{rpr}<w:t xml:space="preserve">{escape(cached)}</w:t></w:r>'
            f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>')


def field_start(instruction: str, rpr: str = "") -> str:
    """The start of a complex field whose result spans more than one paragraph (close it with `field_end`)."""
    return (f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r>{rpr}<w:instrText xml:space="preserve"> {escape(instruction)} </w:instrText></w:r>'
            f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>')


def field_end(rpr: str = "") -> str:
    return f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>'


def bookmark(bookmark_id: int, name: str, content: str) -> str:
    return (f'<w:bookmarkStart w:id="{bookmark_id}" w:name="{escape(name)}"/>{content}'
            f'<w:bookmarkEnd w:id="{bookmark_id}"/>')


def internal_link(anchor: str, content: str) -> str:
    return f'<w:hyperlink w:anchor="{escape(anchor)}" w:history="1">{content}</w:hyperlink>'


def page_break() -> str:
    return '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def parse_body(fragments: str) -> list[Any]:
    """Parse body content (paragraphs, tables) into python-docx elements, ready to insert."""
    from docx.oxml.parser import parse_xml

    wrapper = parse_xml(f'<w:body xmlns:w="{W_NS}" xmlns:r="{R_NS}">{fragments}</w:body>')
    return list(wrapper)


def check_well_formed(fragments: bytes) -> None:
    """Raise if body content is not well-formed XML (a bug here, never the user's text)."""
    from lxml import etree

    etree.fromstring(b'<w:body xmlns:w="' + W_NS.encode() + b'" xmlns:r="' + R_NS.encode() + b'">' + fragments
                     + b"</w:body>", etree.XMLParser(huge_tree=True, resolve_entities=False))
