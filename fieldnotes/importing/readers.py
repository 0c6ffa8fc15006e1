"""One reader per file format, each producing text in the stored shape.

The shape (fixed, because offsets, search and exchange depend on it):
- one paragraph per line, `\\n` between paragraphs; empty paragraphs are kept as empty lines;
- a table row is one line, its cells separated by tabs;
- list items keep a `- ` or `1. ` marker (nested items are indented by two spaces per level);
- Markdown is kept as written, minus its YAML front matter;
- each subtitle cue is one line, `[hh:mm:ss] Speaker: text`, or `[hh:mm:ss] text` without a speaker.

Readers use maintained libraries (python-docx, lxml, striprtf, pypdf, webvtt-py). Containers are
checked before a library opens them: size, zip bombs, encryption.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fieldnotes.errors import InvalidInput
from fieldnotes.importing.encoding import decode

#: documented limits (README, "Importing")
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200
MAX_TEXT_CHARS = 20_000_000

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
SUPPORTED = TEXT_SUFFIXES | {".docx", ".odt", ".rtf", ".pdf", ".vtt", ".srt"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Extracted:
    """What a reader found in a file: text in the stored shape, plus any metadata the file carries."""

    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    meta_line: int | None = None
    encoding: str | None = None
    transcript: bool = False  # the format itself says this is a transcript (subtitles)


def read(path: Path) -> Extracted:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InvalidInput(
            f"{path.name}: the file type {suffix or '(none)'} is not supported",
            hint="import .txt, .md, .docx, .odt, .rtf, .pdf, .vtt or .srt (or .qdpx/.qdc exchange files)",
        )
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInput(
                f"{path.name}: the file is {size / 1_048_576:.0f} MB, above the import limit of "
                f"{MAX_FILE_BYTES // 1_048_576} MB",
                hint="split it into smaller files",
            )
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"{path.name}: cannot read the file ({error.strerror})") from None
    if not data.strip():
        raise InvalidInput(f"{path.name}: the file is empty")
    reader = _READERS.get(suffix, _read_plain)
    extracted = reader(data, path.name)
    if not extracted.text.strip():
        raise InvalidInput(f"{path.name}: the file holds no text")
    if len(extracted.text) > MAX_TEXT_CHARS:
        raise InvalidInput(f"{path.name}: the text is longer than {MAX_TEXT_CHARS:,} characters")
    return extracted


# --- plain text and Markdown ------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)


def _read_plain(data: bytes, name: str) -> Extracted:
    text, encoding = decode(data, name)
    return Extracted(text=text, encoding=encoding)


def split_front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    """YAML front matter (`---` ... `---` at the very top) and the text after it."""
    from fieldnotes.text import normalise

    text = normalise(text)
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f", line {mark.line + 2}" if mark else ""
        raise InvalidInput(f"{name}{line}: the front matter is not valid YAML") from None
    if not isinstance(meta, dict):
        raise InvalidInput(f"{name}: the front matter must be a YAML mapping of keys to values")
    return meta, text[match.end() :]


def _read_markdown(data: bytes, name: str) -> Extracted:
    text, encoding = decode(data, name)
    meta, body = split_front_matter(text, name)
    return Extracted(text=body, meta=meta, encoding=encoding)


# --- zip containers (docx, odt) ----------------------------------------------------------------


def _open_zip(data: bytes, name: str, what: str) -> zipfile.ZipFile:
    if data.startswith(OLE_MAGIC):
        raise InvalidInput(
            f"{name}: the {what} file is password-protected (or an old binary format)",
            hint="save an unprotected copy and import that",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InvalidInput(f"{name}: the {what} file is damaged (not a valid zip container)") from None
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > 1_000_000 and info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO:
            raise InvalidInput(f"{name}: refused: the {what} file unpacks to far more than its size (a zip bomb)")
        if total > MAX_UNZIPPED_BYTES:
            raise InvalidInput(
                f"{name}: refused: the {what} file unpacks to more than {MAX_UNZIPPED_BYTES // 1_048_576} MB"
            )
    return archive


def _read_docx(data: bytes, name: str) -> Extracted:
    archive = _open_zip(data, name, "Word")
    if "word/document.xml" not in archive.namelist():
        raise InvalidInput(f"{name}: the Word file is damaged (it has no document part)")
    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds on damaged parts
        raise InvalidInput(f"{name}: the Word file is damaged ({type(error).__name__})") from None
    lines: list[str] = []
    counters: dict[tuple[str, int], int] = {}
    numbering = _docx_numbering_formats(document)
    for block in document.iter_inner_content():
        if block.__class__.__name__ == "Table":
            for row in block.rows:
                cells = []
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # merged cells repeat
                        continue
                    seen.add(id(cell._tc))
                    cells.append(" ".join(p.text.replace("\n", " ") for p in cell.paragraphs).strip())
                lines.append("\t".join(cells))
            continue
        paragraph = block
        text = paragraph.text
        marker = ""
        p_pr = paragraph._p.pPr
        num_pr = p_pr.find(qn("w:numPr")) if p_pr is not None else None
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if num_pr is not None or style.startswith("List"):
            level, num_id = 0, style
            if num_pr is not None:
                ilvl = num_pr.find(qn("w:ilvl"))
                nid = num_pr.find(qn("w:numId"))
                level = int(ilvl.get(qn("w:val"))) if ilvl is not None else 0
                num_id = nid.get(qn("w:val")) if nid is not None else style
            numbered = numbering.get((num_id, level))
            if numbered is None:
                numbered = "Number" in style
            if numbered:
                key = (num_id, level)
                counters[key] = counters.get(key, 0) + 1
                for other in [k for k in counters if k[0] == num_id and k[1] > level]:
                    del counters[other]
                marker = f"{counters[key]}. "
            else:
                marker = "- "
            marker = "  " * level + marker
        lines.append(marker + text)
    return Extracted(text="\n".join(lines))


def _docx_numbering_formats(document: Any) -> dict[tuple[str, int], bool]:
    """(numId, level) -> True when that list level is numbered rather than bulleted."""
    from docx.oxml.ns import qn

    out: dict[tuple[str, int], bool] = {}
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return out
    abstract: dict[str, dict[int, bool]] = {}
    for node in numbering.findall(qn("w:abstractNum")):
        levels = {}
        for lvl in node.findall(qn("w:lvl")):
            fmt = lvl.find(qn("w:numFmt"))
            value = fmt.get(qn("w:val")) if fmt is not None else "bullet"
            levels[int(lvl.get(qn("w:ilvl"), "0"))] = value not in ("bullet", "none")
        abstract[node.get(qn("w:abstractNumId"))] = levels
    for num in numbering.findall(qn("w:num")):
        ref = num.find(qn("w:abstractNumId"))
        if ref is None:
            continue
        for level, numbered in abstract.get(ref.get(qn("w:val")), {}).items():
            out[(num.get(qn("w:numId")), level)] = numbered
    return out


_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODF_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def safe_xml_parser() -> Any:
    """An lxml parser that never resolves entities, never touches the network, refuses huge trees."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                           dtd_validation=False)


def _read_odt(data: bytes, name: str) -> Extracted:
    archive = _open_zip(data, name, "OpenDocument")
    if "content.xml" not in archive.namelist():
        raise InvalidInput(f"{name}: the OpenDocument file is damaged (it has no content.xml)")
    from lxml import etree

    raw = archive.read("content.xml")
    if b"<!DOCTYPE" in raw[:2048] or b"<!ENTITY" in raw:
        raise InvalidInput(f"{name}: refused: the document declares XML entities")
    try:
        root = etree.fromstring(raw, parser=safe_xml_parser())
    except etree.XMLSyntaxError:
        raise InvalidInput(f"{name}: the OpenDocument file is damaged (its XML is malformed)") from None
    numbered_styles = _odt_numbered_styles(root)
    body = root.find(f"{{{_ODF_OFFICE}}}body/{{{_ODF_OFFICE}}}text")
    lines: list[str] = []
    if body is not None:
        _odt_blocks(body, lines, numbered_styles, level=-1, numbered=False)
    return Extracted(text="\n".join(lines))


def _odt_numbered_styles(root: Any) -> set[str]:
    out = set()
    for style in root.iter(f"{{{_ODF_TEXT}}}list-style"):
        first = next(iter(style), None)
        if first is not None and first.tag == f"{{{_ODF_TEXT}}}list-level-style-number":
            out.add(style.get(f"{{{_ODF_STYLE_NS}}}name", ""))
    return out


_ODF_STYLE_NS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"


def _odt_inline(node: Any) -> str:
    parts: list[str] = [node.text or ""] if node.text else []
    for child in node:
        tag = child.tag.split("}")[-1] if isinstance(child.tag, str) else ""
        if tag == "s":
            parts.append(" " * int(child.get(f"{{{_ODF_TEXT}}}c", "1")))
        elif tag == "tab":
            parts.append("\t")
        elif tag == "line-break":
            parts.append("\n")
        elif tag in ("note", "annotation", "bookmark", "bookmark-start", "bookmark-end"):
            pass
        else:
            parts.append(_odt_inline(child))
        if child.tail:
            parts.append(child.tail)
    return "".join(parts)


def _odt_blocks(node: Any, lines: list[str], numbered_styles: set[str], level: int, numbered: bool) -> None:
    counter = 0
    for child in node:
        tag = child.tag.split("}")[-1] if isinstance(child.tag, str) else ""
        if tag in ("p", "h"):
            lines.append(_odt_inline(child))
        elif tag == "list":
            style = child.get(f"{{{_ODF_TEXT}}}style-name", "")
            _odt_blocks(child, lines, numbered_styles, level + 1, numbered or style in numbered_styles)
        elif tag in ("list-item", "list-header"):
            counter += 1
            marker = "  " * max(level, 0) + (f"{counter}. " if numbered else "- ")
            first = True
            for part in child:
                ptag = part.tag.split("}")[-1] if isinstance(part.tag, str) else ""
                if ptag in ("p", "h"):
                    lines.append((marker if first else "  " * (max(level, 0) + 1)) + _odt_inline(part))
                    first = False
                elif ptag == "list":
                    style = part.get(f"{{{_ODF_TEXT}}}style-name", "")
                    _odt_blocks(part, lines, numbered_styles, level + 1, numbered or style in numbered_styles)
        elif tag == "table":
            for row in child.iter(f"{{{_ODF_TABLE}}}table-row"):
                cells = []
                for cell in row:
                    if cell.tag.split("}")[-1] != "table-cell":
                        continue
                    repeat = min(int(cell.get(f"{{{_ODF_TABLE}}}number-columns-repeated", "1")), 50)
                    text = " ".join(_odt_inline(p) for p in cell.iter(f"{{{_ODF_TEXT}}}p"))
                    cells.extend([text] * repeat)
                while cells and not cells[-1]:
                    cells.pop()
                lines.append("\t".join(cells))
        elif tag == "section":
            _odt_blocks(child, lines, numbered_styles, level, numbered)


# --- RTF ---------------------------------------------------------------------------------------

_RTF_ROW_END = re.compile(r"\\cell\s*(\}\s*)*\\row(?![a-z])")
_RTF_CELL = re.compile(r"\\cell(?![a-z])")


def _read_rtf(data: bytes, name: str) -> Extracted:
    if not data.lstrip().startswith(b"{\\rtf"):
        raise InvalidInput(f"{name}: the RTF file is damaged (it does not start with {{\\rtf)")
    from striprtf.striprtf import rtf_to_text

    source = data.decode("latin-1")
    codepage = re.search(r"\\ansicpg(\d+)", source)
    encoding = f"cp{codepage.group(1)}" if codepage else "cp1252"
    source = _RTF_ROW_END.sub(lambda m: (m.group(1) or "") + r"\par ", source)
    source = _RTF_CELL.sub(r"\\tab ", source)
    try:
        text = rtf_to_text(source, encoding=encoding, errors="replace")
    except LookupError:
        text = rtf_to_text(source, encoding="cp1252", errors="replace")
    except Exception as error:
        raise InvalidInput(f"{name}: the RTF file is damaged ({type(error).__name__})") from None
    if text.endswith("\n"):
        text = text[:-1]
    return Extracted(text=text)


# --- PDF ---------------------------------------------------------------------------------------


def _read_pdf(data: bytes, name: str) -> Extracted:
    if not data.lstrip().startswith(b"%PDF"):
        raise InvalidInput(f"{name}: the PDF file is damaged (it does not start with %PDF)")
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:
                raise InvalidInput(f"{name}: the PDF is password-protected",
                                   hint="save an unprotected copy and import that") from None
        pages = [page.extract_text() or "" for page in reader.pages]
    except InvalidInput:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise InvalidInput(f"{name}: the PDF file is damaged ({type(error).__name__})") from None
    text = "\n".join(page.rstrip("\n") for page in pages)
    if not text.strip():
        raise InvalidInput(
            f"{name}: the PDF has no text layer (it is a scanned image)",
            hint="the text must be recognised first, e.g. with `ocrmypdf -l dan IN.pdf OUT.pdf`",
        )
    return Extracted(text=text)


# --- subtitles (vtt, srt) ----------------------------------------------------------------------

_NAME_PREFIX = re.compile(r"^(?P<name>[A-ZÆØÅ0-9][\wæøåÆØÅ.' -]{0,38}?)\s*:\s+(?P<text>.+)$", re.DOTALL)
_VOICE = re.compile(r"<v(?:\.[^ >]*)?\s+([^>]+)>")
_TAGS = re.compile(r"</?[^>]+>")


def _timestamp(seconds: float) -> str:
    whole = int(seconds)
    return f"[{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}]"


def _read_subtitles(data: bytes, name: str) -> Extracted:
    import webvtt

    text, encoding = decode(data, name)
    from fieldnotes.text import normalise

    text = normalise(text)
    srt = name.lower().endswith(".srt")
    try:
        if srt:
            captions = webvtt.from_srt(io.StringIO(text)).captions  # type: ignore[arg-type]
        else:
            captions = webvtt.from_buffer(io.StringIO(text)).captions  # type: ignore[arg-type]
    except Exception as error:
        kind = "SRT" if srt else "WebVTT"
        raise InvalidInput(f"{name}: the {kind} subtitles are damaged ({type(error).__name__})") from None
    lines = []
    for caption in captions:
        raw = caption.raw_text if hasattr(caption, "raw_text") else caption.text
        voice_match = _VOICE.search(raw or "")
        speaker = voice_match.group(1).strip() if voice_match else None
        body = " ".join(_TAGS.sub("", raw or "").split())
        if speaker is None:
            prefixed = _NAME_PREFIX.match(body)
            if prefixed:
                speaker, body = prefixed.group("name").strip(), prefixed.group("text").strip()
        if not body:
            continue
        stamp = _timestamp(caption.start_in_seconds)
        lines.append(f"{stamp} {speaker}: {body}" if speaker else f"{stamp} {body}")
    if not lines:
        raise InvalidInput(f"{name}: the subtitle file has no cues")
    return Extracted(text="\n".join(lines), encoding=encoding, transcript=True)


_READERS = {
    ".txt": _read_plain,
    ".text": _read_plain,
    ".md": _read_markdown,
    ".markdown": _read_markdown,
    ".docx": _read_docx,
    ".odt": _read_odt,
    ".rtf": _read_rtf,
    ".pdf": _read_pdf,
    ".vtt": _read_subtitles,
    ".srt": _read_subtitles,
}
