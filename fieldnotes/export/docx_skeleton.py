r"""The frame every exported Word file shares: styles, A4 pages, header, footer, contents and properties.

python-docx builds the frame (it knows the package, parts and relationships); the content is
appended as markup (`add`), checked once and spliced in at `save`, which is what keeps large exports
fast. The look is set here only, so every exporter's output reads the same.

Headings go through `heading`, which gives each one a hidden bookmark and records it for the
contents; `contents` marks where the contents go, and `save` writes them there once every heading is
known. The contents are two things, because no single one works in both word processors:

- a `TOC` field (switches `\o "1-N" \h \z \u`), with `w:updateFields` in the settings, so Word
  offers to build it when the file is opened and "Update table" rebuilds it;
- the entries written out, each linking to its heading with a `PAGEREF` field for its page number,
  inside a `QUOTE ""` field. LibreOffice (checked with 7.4) neither builds a `TOC` field on opening
  nor on converting to PDF (`updateFields`, `w:dirty` and an empty result all leave it as written),
  and it turns any field inside a `TOC` result into plain text, so only entries outside it get page
  numbers there. It keeps the result of a field it does not know, such as `QUOTE`, with its fields
  live. Word, when it updates the fields, empties the `QUOTE` (its result is the empty text) as it
  fills the `TOC`, so each reader sees one list.

Word, unlike LibreOffice, refuses a file whose property elements are out of the schema's order
(`<w:pPr>`: pStyle, keepNext, keepLines, pageBreakBefore, widowControl, pBdr, shd, tabs, spacing, ind,
jc, outlineLvl; `<w:rPr>`: rStyle, rFonts, b, i, smallCaps, color, sz, szCs, u, shd, vertAlign, lang).
The tests check every property element of an export against the schema's sequences.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, TYPE_CHECKING, Any

from fieldnotes.export import ooxml

if TYPE_CHECKING:
    from fieldnotes.export.anchors import AnchorMap

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
MAX_LEVEL = 5  # heading levels with a style (codes use 1-4, a group sits one below its code)
NUMBER_WIDTH = 567  # twips: the annotated document's paragraph numbers, 1 cm
LANG_TAGS = {"da": "da-DK", "en": "en-GB"}
_BODY_MARKER = "\u2063fieldnotes-body\u2063"
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
#: what follows w:updateFields in the settings' schema sequence (CT_Settings)
_AFTER_UPDATE_FIELDS = frozenset((
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr", "attachedSchema",
    "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
    "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults",
    "doNotEmbedSmartTags", "decimalSymbol", "listSeparator"))


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


def _group_heading_text() -> str:
    """The character style of a group's heading text (a municipality, phase ... under a code): a quieter
    colour than a code's heading, so a group does not read as a sub-code of the same level."""
    return _style("character", "GroupHeadingText", "Group Heading Text", based_on=None,
                  rpr=f'<w:color w:val="{MUTED}"/>')


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
        _heading(5, 10.5, MUTED, 200, 60, bold=True),
        _group_heading_text(),
        _style("paragraph", "TOCHeading", "TOC Heading", next_style="Normal",
               ppr='<w:keepNext/><w:spacing w:before="0" w:after="240"/>',
               rpr=f'{_fonts(HEADING_FONT)}<w:color w:val="{ACCENT}"/><w:sz w:val="36"/><w:szCs w:val="36"/>')
        .replace(' w:customStyle="1"', ""),
        *(_toc(level) for level in range(1, MAX_LEVEL + 1)),
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
        # a heading's definition and summary stay with what follows them, as the heading does
        _style("paragraph", "CodeDefinition", "Code Definition", ppr='<w:keepNext/><w:spacing w:after="60"/>',
               rpr=f'<w:i/><w:color w:val="{MUTED}"/>'),
        _style("paragraph", "CodeSummary", "Code Summary", ppr='<w:keepNext/><w:spacing w:after="120"/>',
               rpr=f'<w:color w:val="{FAINT}"/>{small}'),
        _style("paragraph", "Excerpt", "Excerpt", next_style="ExcerptCitation",
               ppr=f'<w:keepNext/><w:spacing w:before="200" w:after="40"/><w:ind w:left="{INDENT}"/>'),
        _style("character", "ExcerptContext", "Excerpt Context", based_on=None,
               rpr=f'<w:color w:val="{FAINT}"/><w:sz w:val="20"/><w:szCs w:val="20"/>'),
        # an excerpt's lines after the quote never split; the writer chains them with keepNext
        _style("paragraph", "ExcerptCitation", "Excerpt Citation", next_style="Excerpt",
               ppr=f'<w:keepLines/><w:spacing w:after="0"/><w:ind w:left="{INDENT + 160}"/>',
               rpr=f'<w:color w:val="{MUTED}"/>{small}'),
        _style("paragraph", "ExcerptNote", "Excerpt Note",
               ppr=f'<w:keepLines/><w:spacing w:after="0"/><w:ind w:left="{INDENT + 160}"/>',
               rpr=f'<w:color w:val="404040"/>{small}'),
        _style("character", "NoteLabel", "Note Label", based_on=None, rpr=f'<w:i/><w:color w:val="{MUTED}"/>'),
        _style("paragraph", "Memo", "Memo",
               ppr=f'<w:pBdr><w:left w:val="single" w:sz="12" w:space="6" w:color="{FAINT}"/></w:pBdr>'
                   '<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>'
                   f'<w:spacing w:before="60" w:after="120"/><w:ind w:left="{INDENT}" w:right="{INDENT}"/>',
               rpr='<w:sz w:val="20"/><w:szCs w:val="20"/>'),
        _style("paragraph", "DocumentMeta", "Document Meta", ppr='<w:spacing w:after="240"/>',
               rpr=f'<w:color w:val="{FAINT}"/>{small}'),
        # the annotated document: each paragraph's number (its "para. N") in the margin before it
        _style("paragraph", "DocumentText", "Document Text",
               ppr=f'<w:tabs><w:tab w:val="left" w:pos="{NUMBER_WIDTH}"/></w:tabs><w:spacing w:after="80"/>'
                   f'<w:ind w:left="{NUMBER_WIDTH}" w:hanging="{NUMBER_WIDTH}"/>'),
        _style("character", "ParagraphNumber", "Paragraph Number", based_on=None,
               rpr=f'<w:color w:val="{FAINT}"/>{small}'),
        _style("character", "CodingMark", "Coding Mark", based_on=None,
               rpr=f'<w:b/><w:color w:val="{INK}"/><w:sz w:val="16"/><w:szCs w:val="16"/>'
                   '<w:vertAlign w:val="superscript"/>'),
        # a chart (export docx --charts): the picture keeps with its caption below it
        _style("paragraph", "Figure", "Figure", next_style="Caption",
               ppr='<w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="60"/><w:jc w:val="center"/>'),
        _style("paragraph", "Caption", "caption", next_style="Normal",
               ppr='<w:keepLines/><w:spacing w:after="360"/>',
               rpr=f'<w:i/><w:color w:val="{MUTED}"/>{small}').replace(' w:customStyle="1"', ""),
        _style("paragraph", "LegendCell", "Legend Cell", ppr='<w:spacing w:before="40" w:after="40"/>',
               rpr='<w:sz w:val="20"/><w:szCs w:val="20"/>'),
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
        self._open_anchors: dict[str, int] = {}
        self._headings: list[tuple[int, str, str]] = []  # (level, text, bookmark) for the contents
        self._contents: tuple[int, str] | None = None  # (index in _chunks, title)
        self.anchors: AnchorMap | None = None  # set by a report whose comments can come back (anchors.py)
        self._install_styles()
        self._install_settings()
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

    def heading(self, level: int, text: str, *, rpr: str = "", anchor: str = "") -> str:
        """A Heading paragraph (markup, to `add`) with a hidden bookmark, listed in the contents. With
        `anchor`, the paragraph also opens that bookmark (`anchor_end` closes it, here or further on)."""
        level = max(1, min(level, MAX_LEVEL))
        bookmark_id, name = self.bookmark_name()
        self._headings.append((level, text, name))
        opened = self.anchor_start(anchor) if anchor else ""
        return ooxml.paragraph(opened + ooxml.bookmark(bookmark_id, name, ooxml.run(text, rpr)), f"Heading{level}")

    def anchor_start(self, name: str) -> str:
        """Open a named bookmark (an anchor for comments, see anchors.py); its end is `anchor_end(name)`."""
        self._bookmark += 1
        self._open_anchors[name] = self._bookmark
        return f'<w:bookmarkStart w:id="{self._bookmark}" w:name="{name}"/>'

    def anchor_end(self, name: str) -> str:
        return f'<w:bookmarkEnd w:id="{self._open_anchors.pop(name)}"/>'

    def contents(self, title: str) -> None:
        """The contents go here, on a page of their own; they are written at `save`, when every heading is known."""
        self._contents = (len(self._chunks), title)
        self._chunks.append("")

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

        if self._contents is not None:
            index, title = self._contents
            self._chunks[index] = self._contents_markup(title)
        body = "".join(self._chunks).encode("utf-8")
        self._chunks = []
        ooxml.check_well_formed(body)
        marker = ooxml.parse_body(ooxml.paragraph(ooxml.run(_BODY_MARKER)))[0]
        self.document.element.body.sectPr.addprevious(marker)
        if self.anchors is not None:
            from fieldnotes.export.anchors import install

            install(self.document, self.anchors)
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

    def _contents_markup(self, title: str) -> str:
        """The TOC field for Word (empty until Word builds it) and the entries written out, with their
        page numbers as PAGEREF fields, inside a QUOTE field Word empties when it updates fields (see the
        module's docstring for why both)."""
        depth = max((level for level, _text, _name in self._headings), default=1)
        parts = [ooxml.paragraph(ooxml.run(title), "TOCHeading", "<w:pageBreakBefore/>"),
                 ooxml.paragraph(ooxml.field_start(f'TOC \\o "1-{depth}" \\h \\z \\u') + ooxml.field_end())]
        entries = []
        for level, text, name in self._headings:
            link = ooxml.run(text) + "<w:r><w:tab/></w:r>" + ooxml.field(f"PAGEREF {name} \\h")
            entries.append((ooxml.internal_link(name, link), f"TOC{level}"))
        for index, (content, style) in enumerate(entries):
            if index == 0:
                content = ooxml.field_start('QUOTE ""') + content
            if index == len(entries) - 1:
                content += ooxml.field_end()
            parts.append(ooxml.paragraph(content, style))
        return "".join(parts)

    # --- frame -----------------------------------------------------------------------------------
    def _install_settings(self) -> None:
        """Ask Word to update the fields (the contents, page numbers) when the file is opened."""
        from docx.oxml.parser import parse_xml

        settings = self.document.settings.element
        update = parse_xml(f'<w:updateFields xmlns:w="{ooxml.W_NS}" w:val="true"/>')
        for child in settings:
            if child.tag.rpartition("}")[2] in _AFTER_UPDATE_FIELDS:
                child.addprevious(update)
                return
        settings.append(update)

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
            # widow and orphan control: a paragraph that breaks leaves at least two lines on each page
            '</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:widowControl/><w:spacing w:after="120" '
            'w:line="276" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>'))

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
