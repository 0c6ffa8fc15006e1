"""One reader per file format, each producing text in the stored shape.

The shape (fixed, because offsets, search and exchange depend on it):
- one paragraph per line, `\\n` between paragraphs; empty paragraphs are kept as empty lines;
- a table row is one line, its cells separated by tabs;
- list items keep a `- ` or `1. ` marker (nested items are indented by two spaces per level);
- Markdown is kept as written, minus its YAML front matter;
- each subtitle cue is one line, `[hh:mm:ss] Speaker: text`, or `[hh:mm:ss] text` without a speaker.

Readers use maintained libraries (python-docx, lxml, striprtf, pypdf, webvtt-py). Containers are
checked before a library opens them: size, zip bombs, encryption. Every refusal is an `InvalidInput`
whose one-line message names the file, says what is wrong and how to fix it.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldnotes import safeyaml
from fieldnotes.errors import InvalidInput
from fieldnotes.importing import office
from fieldnotes.importing.encoding import decode
from fieldnotes.translations import _, format_decimal

#: documented limits (README, "Importing")
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200
MAX_TEXT_CHARS = 20_000_000

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
SUPPORTED = TEXT_SUFFIXES | {".docx", ".odt", ".rtf", ".pdf", ".vtt", ".srt"}
OLE_MAGIC = office.OLE_MAGIC


@dataclass
class Extracted:
    """What a reader found in a file: text in the stored shape, plus any metadata the file carries."""

    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    encoding: str | None = None
    transcript: bool = False  # the format itself says this is a transcript (subtitles)


def size_text(size: int) -> str:
    if size >= 1_048_576:
        return f"{format_decimal(size / 1_048_576, 1)} MB"
    if size >= 1024:
        return f"{format_decimal(size / 1024, 1)} KB"
    return f"{size} bytes"


#: document formats that are not read, but that their program can save as one that is
CONVERTIBLE = {
    ".doc": "save it as .docx in Word",
    ".docm": "save it as .docx in Word",
    ".dot": "save it as .docx in Word",
    ".dotx": "save it as .docx in Word",
    ".wps": "save it as .docx",
    ".wpd": "save it as .docx",
    ".pages": "export it as .docx from Pages",
    ".ott": "save it as .odt in LibreOffice",
    ".fodt": "save it as .odt in LibreOffice",
    ".sxw": "save it as .odt in LibreOffice",
}


def unsupported(path: Path) -> InvalidInput:
    suffix = path.suffix.lower()
    how = CONVERTIBLE.get(suffix)
    if how:
        return InvalidInput(_("{name}: the file type {suffix} is not supported")
                            .format(name=path.name, suffix=suffix), hint=_("{how} and import that").format(how=how))
    return InvalidInput(
        _("{name}: the file type {value} is not supported").format(name=path.name, value=suffix or '(none)'),
        hint=_("import .txt, .md, .docx, .odt, .rtf, .pdf, .vtt or .srt (or .qdpx/.qdc exchange files)"),
    )


def read(path: Path) -> Extracted:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise unsupported(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInput(
                _("{name}: the file is {size}, above the import limit of {limit}").format(name=path.name,
                        size=size_text(size), limit=size_text(MAX_FILE_BYTES)),
                hint=_("split it into smaller files and import those"),
            )
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(_("{name}: cannot read the file ({strerror})")
                           .format(name=path.name, strerror=error.strerror),
                           hint=_("check that it exists and that you may read it")) from None
    if not data.strip():
        raise InvalidInput(_("{name}: the file is empty")
                           .format(name=path.name), hint=_("check that it is the right file, or leave it out"))
    reader = _READERS.get(suffix, _read_plain)
    try:
        extracted = reader(data, path.name)
    except InvalidInput:
        raise
    except Exception as error:  # a library failing on input it did not expect: a reason, never a traceback
        from fieldnotes.logs import log_exception

        log_exception(error)
        raise InvalidInput(_("{name}: the file cannot be read; it may be damaged").format(name=path.name),
                           hint=_("open it in the program that made it, save it again and import that copy")) from None
    # NUL is never text (PostgreSQL cannot even store it); an RTF \u0 or a stray byte in UTF-16 makes one
    extracted.text = extracted.text.replace("\x00", "")
    if not extracted.text.strip():
        raise InvalidInput(_("{name}: the file holds no text")
                           .format(name=path.name), hint=_("check that it is the right file"))
    if len(extracted.text) > MAX_TEXT_CHARS:
        raise InvalidInput(_("{name}: the text is longer than {MAX_TEXT_CHARS:,} characters")
                           .format(name=path.name, MAX_TEXT_CHARS=MAX_TEXT_CHARS),
                           hint=_("split it into smaller files and import those"))
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
    meta = safeyaml.load(match.group(1) or "", name, what=_("the front matter"), first_line=2,
                         hint=_("fix the lines between the two --- lines at the top")) or {}
    if not isinstance(meta, dict):
        raise InvalidInput(_("{name}: the front matter must be a YAML mapping of keys to values").format(name=name),
                           hint=_("write one 'key: value' per line between the two --- lines"))
    return meta, text[match.end() :]


def _read_markdown(data: bytes, name: str) -> Extracted:
    text, encoding = decode(data, name)
    meta, body = split_front_matter(text, name)
    return Extracted(text=body, meta=meta, encoding=encoding)


# --- zip containers (docx, odt) ----------------------------------------------------------------


def _read_docx(data: bytes, name: str) -> Extracted:
    return Extracted(text=office.read_docx(data, name))


def _read_odt(data: bytes, name: str) -> Extracted:
    return Extracted(text=office.read_odt(data, name))


safe_xml_parser = office.safe_xml_parser


# --- RTF ---------------------------------------------------------------------------------------

# Cells and rows become two Unicode noncharacters (never in real text) so that a row's last cell,
# however much row formatting Word puts between it and \row, ends the line without a trailing tab.
_CELL, _ROW = "\ufdd0", "\ufdd1"
_RTF_CELL = re.compile(r"\\(?:nest)?cell(?![a-z])(?:-?\d+)? ?")
_RTF_ROW = re.compile(r"\\(?:nest)?row(?![a-z])(?:-?\d+)? ?")
_RTF_CHARSETS = {"mac": "mac_roman", "pc": "cp437", "pca": "cp850"}


def _read_rtf(data: bytes, name: str) -> Extracted:
    if not data.lstrip().startswith(b"{\\rtf"):
        raise InvalidInput(_("{name}: the RTF file is damaged (it does not start with {{\\rtf)").format(name=name),
                           hint=_("open it in a word processor and save it again as .rtf or .docx"))
    from striprtf import striprtf

    rtf_to_text: Any = striprtf.rtf_to_text

    source = data.decode("latin-1")
    codepage = re.search(r"\\ansicpg(\d+)", source)
    charset = re.match(r"\s*\{\\rtf1?\\(mac|pca|pc)(?![a-z])", source)
    encoding = "cp1252"
    if codepage:
        encoding = f"cp{codepage.group(1)}"
    elif charset:
        encoding = _RTF_CHARSETS.get(charset.group(1), "cp1252")
    source = _RTF_CELL.sub(f"{{\\\\u{ord(_CELL)}?}}", source)
    source = _RTF_ROW.sub(f"{{\\\\u{ord(_ROW)}?}}", source)
    try:
        text = rtf_to_text(source, encoding=encoding, errors="replace")
    except LookupError:
        text = rtf_to_text(source, encoding="cp1252", errors="replace")
    # \uN escapes of characters beyond the BMP arrive as surrogate pairs
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = re.sub(f"{_CELL}[ \t]*{_ROW}", _ROW, text)
    text = text.replace(_CELL, "\t").replace(_ROW, "\n")
    if text.endswith("\n"):
        text = text[:-1]
    return Extracted(text=text)


# --- PDF ---------------------------------------------------------------------------------------


def _read_pdf(data: bytes, name: str) -> Extracted:
    if not data.lstrip().startswith(b"%PDF"):
        raise InvalidInput(_("{name}: the PDF file is damaged (it does not start with %PDF)").format(name=name),
                           hint=_("open it in a PDF reader and save or print it to a new PDF"))
    import logging

    from pypdf import PdfReader

    quiet = logging.getLogger("pypdf")  # it logs what it repaired; a damaged file gets our one-line reason instead
    if not quiet.handlers:
        quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            opened: Any = 0
            try:
                opened = reader.decrypt("")
            except Exception:
                pass
            if not opened:
                raise InvalidInput(_("{name}: the PDF is password-protected").format(name=name),
                                   hint=_("save an unprotected copy and import that"))
        pages = [page.extract_text() or "" for page in reader.pages]
    except InvalidInput:
        raise
    except Exception as error:  # pypdf raises many kinds on damaged files
        office.log_refusal("PDF", error)
        raise InvalidInput(_("{name}: the PDF file is damaged (its structure cannot be read)").format(name=name),
                           hint=_("open it in a PDF reader and save or print it to a new PDF")) from None
    text = "\n".join(page.rstrip("\n") for page in pages)
    if not text.strip():
        raise InvalidInput(
            _("{name}: the PDF has no text layer (it is a scanned image), so the text must be recognised "
              "first").format(name=name),
            hint=_("run OCR on it, e.g. `ocrmypdf -l dan IN.pdf OUT.pdf`, and import OUT.pdf"),
        )
    return Extracted(text=text)


# --- subtitles (vtt, srt) ----------------------------------------------------------------------

_NAME_PREFIX = re.compile(r"^(?P<name>[A-ZÆØÅ0-9][\wæøåÆØÅ.' -]{0,38}?)\s*:\s+(?P<text>.+)$", re.DOTALL)
_VOICE = re.compile(r"<v(?:\.[^\s>]*)*\s+([^>]+)>")
_TAGS = re.compile(r"</?[^>]+>")


def _timestamp(seconds: float) -> str:
    whole = int(seconds)
    return f"[{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}]"


def _read_subtitles(data: bytes, name: str) -> Extracted:
    import webvtt

    from fieldnotes.text import normalise

    text, encoding = decode(data, name)
    text = normalise(text)
    srt = name.lower().endswith(".srt")
    kind = "SRT" if srt else "WebVTT"
    try:
        captions = webvtt.from_buffer(io.StringIO(text), format="srt" if srt else "vtt").captions
    except Exception as error:
        office.log_refusal(kind, error)
        raise InvalidInput(_("{name}: the {kind} subtitles are damaged (a cue cannot be read)")
                           .format(name=name, kind=kind),
                           hint=_("check the file in a subtitle editor; each cue needs a line '00:00:01{value}000 --> "
                                  "00:00:04{value}000'").format(value=',' if srt else '.')) from None
    lines = []
    for caption in captions:
        raw = caption.raw_text or ""
        voice_match = _VOICE.search(raw)
        speaker = " ".join(voice_match.group(1).split()) if voice_match else None
        body = " ".join(html.unescape(_TAGS.sub("", raw)).split())
        if speaker is None:
            prefixed = _NAME_PREFIX.match(body)
            if prefixed:
                speaker, body = prefixed.group("name").strip(), prefixed.group("text").strip()
        if not body:
            continue
        stamp = _timestamp(caption.start_in_seconds)
        lines.append(f"{stamp} {speaker}: {body}" if speaker else f"{stamp} {body}")
    if not lines:
        raise InvalidInput(_("{name}: the {kind} file has no cues with text").format(name=name, kind=kind),
                           hint=_("check that it is the right file"))
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
