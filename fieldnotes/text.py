"""The one normal form of document text that every offset refers to.

Stored text has no byte-order mark, only LF line ends, and is Unicode NFC. Offsets everywhere are
code points (Python string indices) over this text; nothing else is ever counted.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_LINE_ENDS = re.compile(r"\r\n?|\u2028|\u2029")


def normalise(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    text = _LINE_ENDS.sub("\n", text)
    return unicodedata.normalize("NFC", text)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def line_starts(text: str) -> list[int]:
    """Offsets where each line begins (line i spans line_starts[i] up to the next "\\n")."""
    starts = [0]
    find = text.find
    position = find("\n")
    while position != -1:
        starts.append(position + 1)
        position = find("\n", position + 1)
    return starts
