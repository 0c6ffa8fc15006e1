"""Decoding plain-text files: UTF-8 (with or without BOM), UTF-16 with BOM, Windows-1252/Latin-1.

The candidates are few and known, so the decision is exact rather than statistical: a byte-order
mark decides; otherwise text that is valid UTF-8 is UTF-8 (8-bit Danish text almost never is); anything
else is Windows-1252, which is Latin-1 plus printable characters in 0x80-0x9F. A statistical detector
(chardet and friends) guesses wrong on short Danish notes, which is exactly what researchers type.
"""

from __future__ import annotations

import codecs

from fieldnotes.errors import InvalidInput

_CONTROL_OK = {"\t", "\n", "\r", "\f", "\v", "\x1a"}


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Return (text, encoding name). Refuses binary data with a reason naming the file."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", name), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF32_LE) or data.startswith(codecs.BOM_UTF32_BE):
        return _check_text(_strict(data, "utf-32", name), name), "utf-32"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return _check_text(_strict(data, "utf-16", name), name), "utf-16"
    if b"\x00" in data:
        raise InvalidInput(f"{name}: this looks like a binary file, not text (it contains NUL bytes)")
    try:
        return _check_text(data.decode("utf-8"), name), "utf-8"
    except UnicodeDecodeError:
        pass
    text = "".join(
        chr(byte) if byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([byte]).decode("cp1252")
        for byte in data
    ) if _has_cp1252_holes(data) else data.decode("cp1252")
    return _check_text(text, name), "cp1252"


def _has_cp1252_holes(data: bytes) -> bool:
    return any(b in data for b in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"))


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise InvalidInput(f"{name}: the text is marked as {encoding} but byte {error.start} is not valid") from None


def _check_text(text: str, name: str) -> str:
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch < " " and ch not in _CONTROL_OK)
    if sample and controls > max(2, len(sample) // 200):
        raise InvalidInput(f"{name}: this looks like a binary file, not text")
    return text
