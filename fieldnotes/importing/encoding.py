"""Decoding plain-text files: UTF-8 (with or without BOM), UTF-16 with BOM, Windows-1252/Latin-1.

The candidates are few and known, so the decision is exact rather than statistical: a byte-order
mark decides; otherwise text that is valid UTF-8 is UTF-8 (8-bit Danish text almost never is); anything
else is Windows-1252, which is Latin-1 plus printable characters in 0x80-0x9F. A statistical detector
(chardet and friends) guesses wrong on short Danish notes, which is exactly what researchers type.

Two shapes seen in real material are handled too: UTF-16 without a byte-order mark (every other
byte is zero, which no 8-bit text has), and UTF-8 with a paragraph pasted in as Windows-1252 (valid
UTF-8 sequences and stray 8-bit bytes side by side): each byte that is not part of a valid UTF-8
sequence is read as Windows-1252, so both parts come through right.
"""

from __future__ import annotations

import codecs
import re

from fieldnotes.errors import InvalidInput
from fieldnotes.translations import N_, _

_CONTROL_OK = {"\t", "\n", "\r", "\f", "\v", "\x1a"}
_BINARY_HINT = N_("save it as plain text (UTF-8), or give it the file extension of its real format")
#: bytes Windows-1252 leaves undefined; Latin-1 reads them as C1 controls
_CP1252_HOLES = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")

#: names shown to people for the encodings `decode` returns
LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with byte-order mark",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 (little-endian, no byte-order mark)",
    "utf-16-be": "UTF-16 (big-endian, no byte-order mark)",
    "utf-32": "UTF-32",
    "cp1252": "Windows-1252",
    "utf-8+cp1252": "UTF-8 with some Windows-1252 characters",
}


def _cp1252_byte(byte: int) -> str:
    return chr(byte) if byte in _CP1252_HOLES else bytes([byte]).decode("cp1252")


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return _cp1252_byte(error.object[error.start]), error.start + 1


codecs.register_error("fieldnotes-cp1252", _cp1252_fallback)


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Return (text, encoding name). Refuses binary data with a reason naming the file."""
    if data.startswith(codecs.BOM_UTF8):
        return _check_text(_strict(data[3:], "utf-8", name), name), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF32_LE) or data.startswith(codecs.BOM_UTF32_BE):
        return _check_text(_strict(data, "utf-32", name), name), "utf-32"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return _check_text(_strict(data, "utf-16", name), name), "utf-16"
    if b"\x00" in data:
        bomless = _bomless_utf16(data)
        if bomless is not None:
            return _check_text(_strict(data, bomless, name), name), bomless
        raise InvalidInput(_("{name}: this looks like a binary file, not text (it contains NUL bytes)")
                           .format(name=name),
                           hint=_(_BINARY_HINT))
    try:
        return _check_text(data.decode("utf-8"), name), "utf-8"
    except UnicodeDecodeError:
        pass
    if len(_UTF8_MULTIBYTE.findall(data)) >= 2:
        return _check_text(data.decode("utf-8", errors="fieldnotes-cp1252"), name), "utf-8+cp1252"
    if any(byte in _CP1252_HOLES for byte in data):
        text = "".join(_cp1252_byte(byte) if byte >= 0x80 else chr(byte) for byte in data)
    else:
        text = data.decode("cp1252")
    return _check_text(text, name), "cp1252"


def _bomless_utf16(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the bytes are clearly UTF-16 text without a byte-order mark."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    pairs = len(data) // 2
    if odd.count(0) >= 0.9 * pairs and even.count(0) <= 0.01 * pairs:
        return "utf-16-le"
    if even.count(0) >= 0.9 * pairs and odd.count(0) <= 0.01 * pairs:
        return "utf-16-be"
    return None


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise InvalidInput(_("{name}: the text is marked as {upper} but byte {start} is not valid {upper}")
                           .format(name=name, upper=encoding.upper(), start=error.start),
                               hint=_("open it in a text editor and save it again as UTF-8")) from None


def _check_text(text: str, name: str) -> str:
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch < " " and ch not in _CONTROL_OK)
    if sample and controls > max(2, len(sample) // 200):
        raise InvalidInput(_("{name}: this looks like a binary file, not text (it is full of control characters)")
                           .format(name=name),
                           hint=_(_BINARY_HINT))
    return text
