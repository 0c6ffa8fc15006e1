"""The frame every exported Word file shares: styles, A4 pages, header, footer and properties.

python-docx builds the frame (it knows the package, parts and relationships); the content is
appended as markup (`add`), checked once and spliced in at `save`, which is what keeps large exports
fast. The look is set here only, so every exporter's output reads the same.

Word, unlike LibreOffice, refuses a file whose property elements are out of the schema's order
(`<w:pPr>`: pStyle, keepNext, keepLines, pageBreakBefore, pBdr, shd, tabs, spacing, ind, jc,
outlineLvl; `<w:rPr>`: rStyle, rFonts, b, i, smallCaps, color, sz, szCs, lang). The tests check it.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from fieldnotes.export import ooxml

BODY_FONT = "Calibri"
HEADING_FONT = "Calibri Light"
INK = "262626"
ACCENT = "1F3864"
ACCENT_2 = "2F5496"
MUTED = "595959"
FAINT = "808080"
RULE = "D9D9D9"
TEXT_WIDTH = 9072  # twips: A4 (11906) less 2.5 cm margins on both sides
INDENT = 340  # twips: the quotation's indent, about 0.6 cm
LANG_TAGS = {"da": "da-DK", "en": "en-GB"}
_BODY_MARKER = "\u2063fieldnotes-body\u2063"
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def _splice(document_xml: bytes, body: bytes) -> bytes:
    """Put the content where the marker paragraph stands in the serialised document."""
    at = document_xml.index(_BODY_MARKER.encode("utf-8"))
    start = document_xml.rindex(b"<w:p>", 0, at)
    end = document_xml.index(b"</w:p>", at) + len(b"</w:p>")
    return document_xml[:start] + body + document_xml[end:]


def _fonts(name: str) -> str:
    return f'<w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}" w:cs="{name}"/>'


def _style(kind: str, style_id: str, name: str, *, based_on: str | None = "Normal", ppr: str = "",
           rpr: str = "", next_style: str | None = None, extra: str = "") -> str:
    parts = [f'<w:style w:type="{kind}" w:customStyle="1" w:styleId="{style_id}"><w:name w:val="{name}"/>']
    if based_on:
        parts.append(f'<w:basedOn w:val="{based_on}"/>')
    if next_style:
        parts.append(f'<w:next w:val="{next_style}"/>')
    parts.append(f"<w:qFormat/>{extra}")
    if ppr:
        parts.append(f"<w:pPr>{ppr}</w:pPr>")
    if rpr:
        parts.append(f"<w:rPr>{rpr}</w:rPr>")
    parts.append("</w:style>")
    return "".join(parts)


def _heading(level: int, size: float, color: str, before: int, after: int, *, page_break: bool = False,
             bold: bool = False, italic: bool = False, rule: bool = False) -> str:
    ppr = ("<w:keepNext/><w:keepLines/>" + ("<w:pageBreakBefore/>" if page_break else "")
           + (f'<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="4" w:color="{RULE}"/></w:pBdr>' if rule else "")
           + f'<w:spacing w:before="{before}" w:after="{after}"/><w:outlineLvl w:val="{level - 1}"/>')
    rpr = (_fonts(HEADING_FONT if not bold else BODY_FONT) + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
           + f'<w:color w:val="{color}"/><w:sz w:val="{round(size * 2)}"/>')
    return (_style("paragraph", f"Heading{level}", f"heading {level}", next_style="Normal", ppr=ppr, rpr=rpr)
            .replace(' w:customStyle="1"', ""))


def _toc(level: int) -> str:
    ppr = (f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_WIDTH}"/></w:tabs>'
           f'<w:spacing w:before="{120 if level == 1 else 0}" w:after="{40}"/>'
           f'<w:ind w:left="{(level - 1) * 340}" w:right="567"/>')
    rpr = "<w:b/>" if level == 1 else (f'<w:color w:val="{INK}"/>' if level == 2 else f'<w:color w:val="{MUTED}"/>')
    return _style("paragraph", f"TOC{level}", f"toc {level}", next_style="Normal", ppr=ppr,
                  rpr=rpr).replace(' w:customStyle="1"', "")


def stylesheet() -> list[str]:
    """Every style the exporters use, as <w:style> elements."""
    small = '<w:sz w:val="18"/><w:szCs w:val="18"/>'
    return [
        _style("paragraph", "Normal", "Normal", based_on=None,
               ppr='<w:spacing w:after="120" w:line="276" w:lineRule="auto"/>',
               rpr=f'{_fonts(BODY_FONT)}<w:color w:val="{INK}"/><w:sz w:val="22"/><w:szCs w:val="22"/>')
        .replace(' w:customStyle="1"', ' w:default="1"'),
        _style("paragraph", "Title", "Title", next_style="Subtitle",
               ppr='<w:spacing w:before="2400" w:after="160"/>',
               rpr=f'{_fonts(HEADING_FONT)}<w:color w:val="{ACCENT}"/><w:sz w:val="64"/><w:szCs w:val="64"/>')
        .replace(' w:customStyle="1"', ""),
        _style("paragraph", "Subtitle", "Subtitle", next_style="Normal",
               ppr=f'<w:pBdr><w:bottom w:val="single" w:sz="8" w:space="12" w:color="{ACCENT_2}"/></w:pBdr>'
                   '<w:spacing w:after="600"/>',
               rpr=f'{_fonts(HEADING_FONT)}<w:color w:val="{MUTED}"/><w:sz w:val="32"/><w:szCs w:val="32"/>')
        .replace(' w:customStyle="1"', ""),
        _heading(1, 18, ACCENT, 0, 160, page_break=True, rule=True),
        _heading(2, 14, ACCENT_2, 360, 100),
        _heading(3, 12, ACCENT_2, 300, 80, bold=True),
        _heading(4, 11, "404040", 240, 60, bold=True, italic=True),
        _style("paragraph", "TOCHeading", "TOC Heading", next_style="Normal",
               ppr='<w:keepNext/><w:spacing w:before="0" w:after="240"/>',
               rpr=f'{_fonts(HEADING_FONT)}<w:color w:val="{ACCENT}"/><w:sz w:val="36"/><w:szCs w:val="36"/>')
        .replace(' w:customStyle="1"', ""),
        *(_toc(level) for level in (1, 2, 3, 4)),
        _style("paragraph", "Header", "header",
               ppr=f'<w:pBdr><w:bottom w:val="single" w:sz="4" w:space="4" w:color="{RULE}"/></w:pBdr>'
               f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>'
               '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>',
               rpr=f'<w:color w:val="{FAINT}"/>{small}').replace(' w:customStyle="1"', ""),
        _style("paragraph", "Footer", "footer",
               ppr='<w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>',
               rpr=f'<w:color w:val="{FAINT}"/>{small}').replace(' w:customStyle="1"', ""),
        _style("paragraph", "TitleFact", "Title Page Fact",
               ppr='<w:tabs><w:tab w:val="left" w:pos="2268"/></w:tabs><w:spacing w:after="80"/>'
                   '<w:ind w:left="2268" w:hanging="2268"/>'),
        _style("character", "FactLabel", "Fact Label", based_on=None, rpr=f'<w:color w:val="{MUTED}"/>'),
        _style("paragraph", "CodeDefinition", "Code Definition", ppr='<w:spacing w:after="60"/>',
               rpr=f'<w:i/><w:color w:val="{MUTED}"/>'),
        _style("paragraph", "CodeSummary", "Code Summary", ppr='<w:spacing w:after="120"/>',
               rpr=f'<w:color w:val="{FAINT}"/>{small}'),
        _style("paragraph", "ExcerptGroup", "Excerpt Group", next_style="Excerpt",
               ppr=f'<w:keepNext/><w:pBdr><w:bottom w:val="single" w:sz="4" w:space="2" w:color="{RULE}"/>'
                   '</w:pBdr><w:spacing w:before="280" w:after="60"/>',
               rpr=f'<w:b/><w:smallCaps/><w:color w:val="{ACCENT_2}"/>'),
        _style("paragraph", "Excerpt", "Excerpt", next_style="ExcerptCitation",
               ppr=f'<w:keepNext/><w:spacing w:before="200" w:after="40"/><w:ind w:left="{INDENT}"/>'),
        _style("character", "ExcerptContext", "Excerpt Context", based_on=None,
               rpr=f'<w:color w:val="{FAINT}"/><w:sz w:val="20"/><w:szCs w:val="20"/>'),
        _style("paragraph", "ExcerptCitation", "Excerpt Citation", next_style="Excerpt",
               ppr=f'<w:spacing w:after="0"/><w:ind w:left="{INDENT + 160}"/>',
               rpr=f'<w:color w:val="{MUTED}"/>{small}'),
        _style("paragraph", "ExcerptNote", "Excerpt Note",
               ppr=f'<w:spacing w:after="0"/><w:ind w:left="{INDENT + 160}"/>',
               rpr=f'<w:color w:val="404040"/>{small}'),
        _style("character", "NoteLabel", "Note Label", based_on=None, rpr=f'<w:i/><w:color w:val="{MUTED}"/>'),
        _style("paragraph", "Memo", "Memo",
               ppr=f'<w:pBdr><w:left w:val="single" w:sz="12" w:space="6" w:color="{FAINT}"/></w:pBdr>'
                   '<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>'
                   f'<w:spacing w:before="60" w:after="120"/><w:ind w:left="{INDENT}" w:right="{INDENT}"/>',
               rpr='<w:sz w:val="20"/><w:szCs w:val="20"/>'),
        _style("paragraph", "DocumentMeta", "Document Meta", ppr='<w:spacing w:after="240"/>',
               rpr=f'<w:color w:val="{FAINT}"/>{small}'),
        _style("paragraph", "DocumentText", "Document Text", ppr='<w:spacing w:after="80"/>'),
        _style("paragraph", "CodebookTerm", "Codebook Term", next_style="Normal",
               ppr='<w:keepNext/><w:spacing w:before="280" w:after="80"/>',
               rpr=f'<w:b/><w:color w:val="{ACCENT}"/>'),
        _style("paragraph", "CodebookCell", "Codebook Cell", ppr='<w:spacing w:before="40" w:after="40"/>',
               rpr='<w:sz w:val="20"/><w:szCs w:val="20"/>'),
        _style("character", "CodebookLabel", "Codebook Label", based_on=None,
               rpr=f'<w:color w:val="{MUTED}"/><w:sz w:val="18"/><w:szCs w:val="18"/>'),
        _style("paragraph", "CommentText", "annotation text", ppr='<w:spacing w:after="40"/>',
               rpr='<w:sz w:val="20"/><w:szCs w:val="20"/>').replace(' w:customStyle="1"', ""),
        _style("character", "CommentReference", "annotation reference", based_on=None,
               rpr='<w:sz w:val="16"/><w:szCs w:val="16"/>').replace(' w:customStyle="1"', ""),
    ]


class WordDocument:
    """A Word document being written: the frame from python-docx, the content as markup."""

    def __init__(self, *, lang: str, title: str, author: str, subject: str = "", header: str = "",
                 keywords: str = "", created: dt.datetime | None = None) -> None:
        from docx import Document

        self.document: Any = Document()
        self.lang = lang
        self._chunks: list[str] = []
        self._bookmark = 0
        self._install_styles()
        self._page_setup(header)
        self._properties(title=title, author=author, subject=subject, keywords=keywords, created=created)

    # --- content ---------------------------------------------------------------------------------
    def add(self, markup: str) -> None:
        """Append body content (paragraphs or tables as WordprocessingML)."""
        self._chunks.append(markup)

    def bookmark_name(self) -> tuple[int, str]:
        """A fresh hidden bookmark (Word hides names starting with '_'), for headings the contents link to."""
        self._bookmark += 1
        return self._bookmark, f"_Toc{self._bookmark:08d}"

    def add_comments(self, markup: str) -> None:
        """Add <w:comment> elements to the comments part (created on first use)."""
        if not markup:
            return
        from docx.oxml.parser import parse_xml

        part = self.document.comments._comments_elm
        for comment in parse_xml(f'<w:comments xmlns:w="{ooxml.W_NS}">{markup}</w:comments>'):
            part.append(comment)

    def save(self, handle: IO[bytes]) -> None:
        """Write the file. The content is spliced into the frame's document.xml as text (parsing and
        re-serialising tens of megabytes of markup would double the time), after lxml has checked it is
        well-formed, so a mistake can never produce a file Word refuses to open."""
        import io
        import zipfile

        body = "".join(self._chunks).encode("utf-8")
        self._chunks = []
        ooxml.check_well_formed(body)
        marker = ooxml.parse_body(ooxml.paragraph(ooxml.run(_BODY_MARKER)))[0]
        self.document.element.body.sectPr.addprevious(marker)
        frame = io.BytesIO()
        self.document.save(frame)
        marker.getparent().remove(marker)
        with zipfile.ZipFile(frame) as source, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                data = source.read(info)
                level = 6
                if info.filename == "word/document.xml":
                    data = _splice(data, body)
                    level = 1  # a third of the time of level 6 on the bulk, for a file about a quarter larger
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=level)

    # --- frame -----------------------------------------------------------------------------------
    def _install_styles(self) -> None:
        from docx.oxml.parser import parse_xml

        styles = self.document.styles.element
        fresh = parse_xml(f'<w:styles xmlns:w="{ooxml.W_NS}">{"".join(stylesheet())}</w:styles>')
        wanted = {s.get(f"{{{ooxml.W_NS}}}styleId") for s in fresh}
        for old in list(styles):
            if old.get(f"{{{ooxml.W_NS}}}styleId") in wanted:
                styles.remove(old)
        for style in list(fresh):
            styles.append(style)
        defaults = styles.find(f"{{{ooxml.W_NS}}}docDefaults")
        if defaults is not None:
            styles.remove(defaults)
        lang = LANG_TAGS.get(self.lang, "en-GB")
        styles.insert(0, parse_xml(
            f'<w:docDefaults xmlns:w="{ooxml.W_NS}"><w:rPrDefault><w:rPr>{_fonts(BODY_FONT)}'
            f'<w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="{lang}" w:eastAsia="{lang}" w:bidi="ar-SA"/>'
            '</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="276" '
            'w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>'))

    def _page_setup(self, header: str) -> None:
        from docx.shared import Twips

        section = self.document.sections[0]
        section.page_width, section.page_height = Twips(11906), Twips(16838)
        section.left_margin = section.right_margin = Twips(1417)
        section.top_margin, section.bottom_margin = Twips(1417), Twips(1417)
        section.header_distance = section.footer_distance = Twips(709)
        section.different_first_page_header_footer = True  # the title page stays clean
        self._replace_paragraphs(section.header, ooxml.paragraph(ooxml.run(header), "Header"))
        page = "Side {page} af {pages}" if self.lang == "da" else "Page {page} of {pages}"
        before, _, rest = page.partition("{page}")
        middle, _, after = rest.partition("{pages}")
        self._replace_paragraphs(section.footer, ooxml.paragraph(
            ooxml.run(before) + ooxml.field("PAGE", "1") + ooxml.run(middle) + ooxml.field("NUMPAGES", "1")
            + ooxml.run(after), "Footer"))
        for empty in (section.first_page_header, section.first_page_footer):
            self._replace_paragraphs(empty, ooxml.paragraph("", "Normal"))

    @staticmethod
    def _replace_paragraphs(part: Any, markup: str) -> None:
        part.is_linked_to_previous = False
        container = part._element
        for old in list(container):
            container.remove(old)
        for element in ooxml.parse_body(markup):
            container.append(element)

    def _properties(self, *, title: str, author: str, subject: str, keywords: str,
                    created: dt.datetime | None) -> None:
        """Core properties, with python-docx's own defaults cleared (they name the library, not the user)."""
        props = self.document.core_properties
        when = (created or dt.datetime.now(dt.UTC)).replace(microsecond=0)
        props.title, props.author, props.last_modified_by = title, author, author
        props.subject, props.keywords = subject, keywords
        props.comments, props.category, props.content_status, props.identifier = "", "", "", ""
        props.language = LANG_TAGS.get(self.lang, "en-GB")
        props.created = props.modified = when.replace(tzinfo=None)
        props.revision = 1
        self._application_properties()
        self._drop_template_leftovers()

    def _application_properties(self) -> None:
        """Replace the template's app.xml (it names a Mac Word template) with a neutral one."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        package = self.document.part.package
        for rel in package.rels.values():
            if rel.reltype == RT.EXTENDED_PROPERTIES:
                rel.target_part._blob = (
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
                    b"<Application>fieldnotes</Application><DocSecurity>0</DocSecurity></Properties>")

    def _drop_template_leftovers(self) -> None:
        """Leave out what python-docx's template carries but nothing here uses: its thumbnail (a picture of
        an empty page, shown by file browsers), the customXml bibliography store, and stylesWithEffects
        (Word 2010's copy of the template's styles, not ours). A part nothing refers to is not written."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        unused = {RT.THUMBNAIL, RT.CUSTOM_XML, _STYLES_WITH_EFFECTS}
        for rels in (self.document.part.package.rels, self.document.part.rels):
            for r_id in [r_id for r_id, rel in rels.items() if rel.reltype in unused]:
                rels.pop(r_id)
