"""Word (.docx) and OpenDocument (.odt) text in the stored shape.

Both are zip containers, checked before anything unpacks them (encryption, damage, zip bombs).
Text is read from the XML itself rather than through a library's paragraph text, because that skips
runs inside tracked insertions, content controls and fields, and a qualitative researcher's
transcript is full of those. What Word or Writer would not show is left out: deleted text, field
codes, comments, footnote bodies.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldnotes import archives
from fieldnotes.errors import InvalidInput
from fieldnotes.refi import safexml
from fieldnotes.translations import N_, _

RESAVE = N_("open it in Word or LibreOffice and save it again")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _limits() -> archives.Limits:
    from fieldnotes.importing import readers  # the documented limits live there (and tests lower them)

    return archives.Limits(member=readers.MAX_UNZIPPED_BYTES, total=readers.MAX_UNZIPPED_BYTES,
                           ratio=readers.MAX_ZIP_RATIO)


def size_text(size: int) -> str:
    return archives.size_text(size)


def open_zip(data: bytes, name: str, what: str) -> archives.Checked:
    """The container, after checking it is not protected, damaged or a zip bomb (fieldnotes.archives)."""
    if data.startswith(OLE_MAGIC):
        raise InvalidInput(
            _("{name}: the {what} file is password-protected (or in an old binary format such as "
              ".doc)").format(name=name, what=what),
            hint=_("remove the password, or save it as .docx/.odt, and import that copy"),
        )
    archive = archives.Checked(data, name, _limits(), what=_("{what} file").format(what=what), hint=_(RESAVE),
                               refusal_hint=_("import only files from a source you trust") + "; " + _(RESAVE))
    if any(info.flag_bits & 0x1 for info in archive.infos):
        archive.close()
        raise InvalidInput(_("{name}: the {what} file is password-protected").format(name=name, what=what),
                           hint=_("remove the password and import that copy"))
    return archive


def log_refusal(what: str, error: BaseException) -> None:
    """Note in the diagnostic log which library error made a reader refuse a file.

    The user's message says what is wrong in words; the exception's type and where it was raised
    are kept here for whoever debugs a reader (never its message, which may quote the file).
    """
    import traceback

    from fieldnotes.logs import logger

    frames = traceback.extract_tb(error.__traceback__)
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    logger().info("refused a damaged %s file: %s at %s", what, type(error).__name__, where)


def read_member(archive: archives.Checked, member: str, name: str, what: str) -> bytes:
    try:
        return archive.read(member)
    except KeyError:
        raise InvalidInput(_("{name}: the {what} file is damaged (it has no {member})")
                           .format(name=name, what=what, member=member), hint=_(RESAVE)) from None


def refuse_declarations(archive: archives.Checked, name: str, what: str) -> None:
    """Refuse a container any of whose XML parts declares a DTD or entities.

    Word and Writer never write one. The XML libraries are told never to resolve entities, so a
    reference to a declared one would silently drop text; an .odt is refused for it (`parse_xml`),
    and a .docx, whose parts python-docx parses, is checked here before it does.
    """
    for info in archive.infos:
        if info.is_dir() or not info.filename.lower().endswith((".xml", ".rels")):
            continue
        if safexml.declares_dtd(archive.read(info)):
            raise InvalidInput(_("{name}: refused: the {what} file declares XML entities (in {filename}), which it "
                                 "never needs")
                               .format(name=name, what=what, filename=info.filename), hint=_(RESAVE))


def safe_xml_parser() -> Any:
    """An lxml parser that never resolves entities, never touches the network, refuses huge trees."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                           dtd_validation=False)


def parse_xml(raw: bytes, name: str, what: str) -> Any:
    from lxml import etree

    if safexml.declares_dtd(raw) or b"<!ENTITY" in raw:
        raise InvalidInput(_("{name}: refused: the {what} file declares XML entities")
                           .format(name=name, what=what), hint=_(RESAVE))
    try:
        return etree.fromstring(raw, parser=safe_xml_parser())
    except etree.XMLSyntaxError:
        raise InvalidInput(_("{name}: the {what} file is damaged (its XML is malformed)")
                           .format(name=name, what=what), hint=_(RESAVE)) from None


def _cell_text(parts: list[str]) -> str:
    """A table cell on one line: its paragraphs joined by spaces, no tabs or line breaks inside."""
    return " ".join(" ".join(part.split()) for part in parts if part.strip())


# --- Word ---------------------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_DOCX_SKIP = {W + "del", W + "moveFrom", W + "pPr", W + "rPr", W + "instrText", W + "delText", W + "delInstrText",
              MC + "Fallback", W + "footnoteReference", W + "endnoteReference", W + "commentReference",
              W + "sectPr", W + "tblPr", W + "trPr", W + "tcPr", W + "sdtPr", W + "sdtEndPr"}
_LIST_STYLE_NAME = re.compile(r"^List (Bullet|Number)(?: (\d))?$")


@dataclass
class _Style:
    name: str
    based_on: str | None
    num_id: str | None
    level: int | None


@dataclass
class _DocxReader:
    styles: dict[str, _Style]
    default_style: str | None
    formats: dict[tuple[str, int], tuple[str, int]]  # (numId, level) -> (number | bullet | none, start)
    lines: list[str] = field(default_factory=list)
    counters: dict[tuple[str, int], int] = field(default_factory=dict)

    def blocks(self, node: Any) -> None:
        for child in node:
            tag = child.tag
            if tag == W + "p":
                self.lines.append(self.marker(child) + self.inline(child))
            elif tag == W + "tbl":
                self.table(child)
            elif tag in (W + "sdt", W + "customXml", W + "sdtContent", W + "ins", W + "moveTo"):
                self.blocks(child)

    def table(self, table: Any) -> None:
        for row in self._children(table, W + "tr"):
            cells = []
            for cell in self._children(row, W + "tc"):
                cells.append(_cell_text([self.inline(p) for p in cell.iter(W + "p")]))
            self.lines.append("\t".join(cells))

    def _children(self, node: Any, tag: str) -> Iterator[Any]:
        """Children with this tag, looking through content controls and custom XML wrappers."""
        for child in node:
            if child.tag == tag:
                yield child
            elif child.tag in (W + "sdt", W + "customXml", W + "sdtContent"):
                yield from self._children(child, tag)

    def inline(self, node: Any) -> str:
        parts: list[str] = []
        self._inline(node, parts)
        return "".join(parts)

    def _inline(self, node: Any, parts: list[str]) -> None:
        for child in node:
            tag = child.tag
            if not isinstance(tag, str) or tag in _DOCX_SKIP:
                continue
            if tag == W + "t":
                parts.append(child.text or "")
            elif tag in (W + "tab", W + "ptab"):
                parts.append("\t")
            elif tag == W + "br":
                if child.get(W + "type") not in ("page", "column"):
                    parts.append("\n")
            elif tag == W + "cr":
                parts.append("\n")
            elif tag == W + "noBreakHyphen":
                parts.append("-")
            elif tag == W + "p":  # a paragraph inside a text box
                if parts and not parts[-1].endswith((" ", "\n")):
                    parts.append(" ")
                self._inline(child, parts)
            else:
                self._inline(child, parts)

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, int | None, str]:
        """(numId, level, name) from a paragraph style and the styles it is based on."""
        num_id: str | None = None
        level: int | None = None
        name = ""
        seen: set[str] = set()
        current = style_id or self.default_style
        while current and current not in seen and current in self.styles:
            seen.add(current)
            style = self.styles[current]
            name = name or style.name
            if num_id is None and style.num_id is not None:
                num_id = style.num_id
            if level is None and style.level is not None:
                level = style.level
            current = style.based_on
        return num_id, level, name

    def marker(self, paragraph: Any) -> str:
        p_pr = paragraph.find(W + "pPr")
        num_id: str | None = None
        level: int | None = None
        style_id: str | None = None
        if p_pr is not None:
            style = p_pr.find(W + "pStyle")
            style_id = style.get(W + "val") if style is not None else None
            num_pr = p_pr.find(W + "numPr")
            if num_pr is not None:
                nid, ilvl = num_pr.find(W + "numId"), num_pr.find(W + "ilvl")
                num_id = nid.get(W + "val") if nid is not None else None
                level = _int(ilvl.get(W + "val")) if ilvl is not None else None
        style_num, style_level, style_name = self._style_numbering(style_id)
        by_name = _LIST_STYLE_NAME.match(style_name)
        if num_id is None:
            num_id = style_num
        if num_id == "0":  # numbering explicitly switched off
            return ""
        if level is None:
            level = style_level
        if level is None:
            level = int(by_name.group(2)) - 1 if by_name and by_name.group(2) else 0
        level = max(0, min(level, 8))
        if num_id is None:
            if not by_name:
                return ""
            num_id = "style:" + style_name
            kind, start = ("number" if by_name.group(1) == "Number" else "bullet"), 1
        else:
            guess = "number" if by_name and by_name.group(1) == "Number" else "bullet"
            kind, start = self.formats.get((num_id, level), (guess, 1))
        for key in [k for k in self.counters if k[0] == num_id and k[1] > level]:
            del self.counters[key]
        indent = "  " * level
        if kind == "none":
            return indent
        if kind == "bullet":
            return indent + "- "
        key = (num_id, level)
        self.counters[key] = self.counters.get(key, start - 1) + 1
        return f"{indent}{self.counters[key]}. "


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _docx_styles(document: Any) -> tuple[dict[str, _Style], str | None]:
    styles: dict[str, _Style] = {}
    default: str | None = None
    try:
        root = document.styles.element
    except Exception:  # a document without a styles part
        return styles, None
    for node in root.findall(W + "style"):
        if node.get(W + "type") != "paragraph":
            continue
        style_id = node.get(W + "styleId") or ""
        name_node, based = node.find(W + "name"), node.find(W + "basedOn")
        name = name_node.get(W + "val") if name_node is not None else style_id
        num_id, level = None, None
        num_pr = node.find(f"{W}pPr/{W}numPr")
        if num_pr is not None:
            nid, ilvl = num_pr.find(W + "numId"), num_pr.find(W + "ilvl")
            num_id = nid.get(W + "val") if nid is not None else None
            level = _int(ilvl.get(W + "val")) if ilvl is not None else None
        # python-docx names built-in styles in lower case ("heading 1"); Word shows them capitalised
        pretty = {"list bullet": "List Bullet", "list number": "List Number"}
        for low, proper in pretty.items():
            if name.lower().startswith(low):
                name = proper + name[len(low):]
        styles[style_id] = _Style(name, based.get(W + "val") if based is not None else None, num_id, level)
        if node.get(W + "default") in ("1", "true", "on"):
            default = style_id
    return styles, default


def _docx_numbering(document: Any) -> dict[tuple[str, int], tuple[str, int]]:
    """(numId, level) -> ('number', 'bullet' or 'none', start value)."""
    out: dict[tuple[str, int], tuple[str, int]] = {}
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return out
    abstract: dict[str, dict[int, tuple[str, int]]] = {}
    for node in numbering.findall(W + "abstractNum"):
        levels: dict[int, tuple[str, int]] = {}
        for lvl in node.findall(W + "lvl"):
            fmt, start = lvl.find(W + "numFmt"), lvl.find(W + "start")
            value = fmt.get(W + "val") if fmt is not None else "decimal"
            kind = value if value in ("bullet", "none") else "number"
            levels[_int(lvl.get(W + "ilvl"))] = (kind,
                                                 _int(start.get(W + "val"), 1) if start is not None else 1)
        abstract[node.get(W + "abstractNumId") or ""] = levels
    for num in numbering.findall(W + "num"):
        ref = num.find(W + "abstractNumId")
        if ref is None:
            continue
        num_id = num.get(W + "numId") or ""
        for level, (kind, start) in abstract.get(ref.get(W + "val") or "", {}).items():
            out[(num_id, level)] = (kind, start)
        for override in num.findall(W + "lvlOverride"):
            level = _int(override.get(W + "ilvl"))
            start_override = override.find(W + "startOverride")
            if start_override is not None and (num_id, level) in out:
                out[(num_id, level)] = (out[(num_id, level)][0], _int(start_override.get(W + "val"), 1))
    return out


def read_docx(data: bytes, name: str) -> str:
    with open_zip(data, name, "Word") as archive:
        refuse_declarations(archive, name, "Word")
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except Exception as error:  # python-docx raises many kinds on damaged parts
        log_refusal("Word", error)
        raise InvalidInput(_("{name}: the Word file is damaged (its parts cannot be read)")
                           .format(name=name), hint=_(RESAVE)) from None
    styles, default = _docx_styles(document)
    reader = _DocxReader(styles, default, _docx_numbering(document))
    reader.blocks(body)
    return "\n".join(reader.lines)


# --- OpenDocument -------------------------------------------------------------------------------

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_ODF_WHITESPACE = re.compile(r"[ \t\r\n]+")
_ODF_SKIP = {TEXT + "note", OFFICE + "annotation", OFFICE + "annotation-end", TEXT + "bookmark",
             TEXT + "bookmark-start", TEXT + "bookmark-end", TEXT + "tracked-changes", TEXT + "change",
             TEXT + "change-start", TEXT + "change-end", TEXT + "ruby-text"}
_ODF_CONTAINERS = {TEXT + "section", TEXT + "index-body", TEXT + "table-of-content", TEXT + "illustration-index",
                   TEXT + "alphabetical-index", TEXT + "bibliography", TEXT + "user-index", TEXT + "object-index",
                   TEXT + "table-index", TEXT + "index-title"}


class _OdfLine:
    """Paragraph text with ODF's white-space rule: runs of spaces, tabs and newlines in the XML are one space,
    leading ones dropped; <text:s/>, <text:tab/> and <text:line-break/> are kept as written."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.after_space = True  # at the start, white space is dropped

    def chars(self, text: str | None) -> None:
        if not text:
            return
        text = _ODF_WHITESPACE.sub(" ", text)
        if self.after_space and text.startswith(" "):
            text = text[1:]
        if text:
            self.parts.append(text)
            self.after_space = text.endswith(" ")

    def literal(self, text: str, then_drop_space: bool) -> None:
        self.parts.append(text)
        self.after_space = then_drop_space

    def text(self) -> str:
        return "".join(self.parts)


def _odt_inline(node: Any, line: _OdfLine) -> None:
    line.chars(node.text)
    for child in node:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _ODF_SKIP or not tag:
            pass
        elif tag == TEXT + "s":
            line.literal(" " * min(_int(child.get(TEXT + "c"), 1), 1000), then_drop_space=False)
        elif tag == TEXT + "tab":
            line.literal("\t", then_drop_space=True)
        elif tag == TEXT + "line-break":
            line.literal("\n", then_drop_space=True)
        elif tag in (TEXT + "p", TEXT + "h"):  # a paragraph inside a frame or text box
            if line.parts and not line.after_space:
                line.literal(" ", then_drop_space=True)
            _odt_inline(child, line)
        else:
            _odt_inline(child, line)
        line.chars(child.tail)


def odt_paragraph(node: Any) -> str:
    line = _OdfLine()
    _odt_inline(node, line)
    return line.text()


def _odt_list_styles(*roots: Any) -> dict[str, dict[int, bool]]:
    """List style name -> {level (1-based): numbered}."""
    out: dict[str, dict[int, bool]] = {}
    for root in roots:
        if root is None:
            continue
        for style in root.iter(TEXT + "list-style"):
            levels: dict[int, bool] = {}
            for level in style:
                if not isinstance(level.tag, str):
                    continue
                levels[_int(level.get(TEXT + "level"), 1)] = level.tag == TEXT + "list-level-style-number"
            out[style.get(STYLE + "name", "")] = levels
    return out


@dataclass
class _OdtReader:
    list_styles: dict[str, dict[int, bool]]
    lines: list[str] = field(default_factory=list)
    continued: dict[str, int] = field(default_factory=dict)  # list style -> last number, for continue-numbering

    def blocks(self, node: Any) -> None:
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in (TEXT + "p", TEXT + "h"):
                self.lines.append(odt_paragraph(child))
            elif tag == TEXT + "list":
                self.list(child, level=0, style=child.get(TEXT + "style-name", ""))
            elif tag == TEXT + "numbered-paragraph":
                for part in child:
                    if part.tag in (TEXT + "p", TEXT + "h"):
                        self.lines.append(odt_paragraph(part))
            elif tag == TABLE + "table":
                self.table(child)
            elif tag in _ODF_CONTAINERS:
                self.blocks(child)

    def list(self, node: Any, level: int, style: str) -> None:
        style = node.get(TEXT + "style-name") or style
        numbered = self.list_styles.get(style, {}).get(level + 1, False)
        counter = 0
        if level == 0 and node.get(TEXT + "continue-numbering") == "true":
            counter = self.continued.get(style, 0)
        indent = "  " * level
        for item in node:
            tag = item.tag if isinstance(item.tag, str) else ""
            if tag not in (TEXT + "list-item", TEXT + "list-header"):
                continue
            header = tag == TEXT + "list-header"
            if not header:
                start = item.get(TEXT + "start-value")
                counter = _int(start, counter + 1) if start is not None else counter + 1
            marker = indent if header else indent + (f"{counter}. " if numbered else "- ")
            first = True
            for part in item:
                ptag = part.tag if isinstance(part.tag, str) else ""
                if ptag in (TEXT + "p", TEXT + "h"):
                    self.lines.append((marker if first else indent + "  ") + odt_paragraph(part))
                    first = False
                elif ptag == TEXT + "list":
                    self.list(part, level + 1, style)
                elif ptag == TABLE + "table":
                    self.table(part)
        if level == 0:
            self.continued[style] = counter

    def table(self, node: Any) -> None:
        for row in self._rows(node):
            cells: list[str] = []
            padding = 0  # trailing empty cells that came from a repeat, dropped at the end
            for cell in row:
                if cell.tag != TABLE + "table-cell":
                    continue
                repeat = max(1, min(_int(cell.get(TABLE + "number-columns-repeated"), 1), 64))
                text = _cell_text([odt_paragraph(p) for p in cell.iter(TEXT + "p", TEXT + "h")])
                cells.extend([text] * repeat)
                padding = repeat if repeat > 1 and not text else 0
            if padding:
                del cells[-padding:]
            self.lines.append("\t".join(cells))

    def _rows(self, node: Any) -> Iterator[Any]:
        for child in node:
            if child.tag == TABLE + "table-row":
                yield child
            elif child.tag in (TABLE + "table-header-rows", TABLE + "table-rows", TABLE + "table-row-group"):
                yield from self._rows(child)


def read_odt(data: bytes, name: str) -> str:
    what = "OpenDocument"
    archive = open_zip(data, name, what)
    names = {info.filename for info in archive.infos}
    if "META-INF/manifest.xml" in names and b"encryption-data" in read_member(
            archive, "META-INF/manifest.xml", name, what):
        raise InvalidInput(_("{name}: the OpenDocument file is password-protected").format(name=name),
                           hint=_("remove the password in LibreOffice (File > Properties) and import that copy"))
    if "content.xml" not in names:
        raise InvalidInput(_("{name}: the OpenDocument file is damaged (it has no content.xml)")
                           .format(name=name), hint=_(RESAVE))
    root = parse_xml(read_member(archive, "content.xml", name, what), name, what)
    styles_root = None
    if "styles.xml" in names:
        try:
            styles_root = parse_xml(read_member(archive, "styles.xml", name, what), name, what)
        except InvalidInput:
            styles_root = None  # list styles then default to bullets; the text is still all there
    reader = _OdtReader(_odt_list_styles(styles_root, root))
    body = root.find(f"{OFFICE}body/{OFFICE}text")
    if body is None:
        raise InvalidInput(_("{name}: the file is not an OpenDocument text (it has no text body)").format(name=name),
                           hint=_("import text documents (.odt); save spreadsheets and slides as .odt or .pdf first"))
    reader.blocks(body)
    return "\n".join(reader.lines)
