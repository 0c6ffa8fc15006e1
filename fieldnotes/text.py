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


# --- text for a terminal ------------------------------------------------------------------------

#: the characters that reverse or embed text direction (Unicode's bidi controls)
BIDI_CONTROLS = frozenset([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_TERMINAL_CONTROLS = [*range(0x20), 0x7F, *range(0x80, 0xA0), *sorted(BIDI_CONTROLS)]
#: what may never reach a terminal as it is: C0 and C1 control characters, DEL, text-direction controls
TERMINAL_CONTROL = re.compile("[" + "".join(re.escape(chr(code)) for code in _TERMINAL_CONTROLS) + "]")
_ONE_LINE = {code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" for code in _TERMINAL_CONTROLS}
_KEEP_LINES = {code: text for code, text in _ONE_LINE.items() if code not in (0x0A, 0x09)}


def terminal_safe(text: str, *, one_line: bool = False) -> str:
    """Text fit for a terminal: control characters and text-direction controls written as escapes
    (`\\x1b`, `\\u202e`), lone surrogates as `\\udcxx`; line breaks and tabs kept unless `one_line`.

    Names are refused with these at input (fieldnotes.db.validation); this keeps a terminal safe from
    everything else: names stored before the rules, and documents' own text."""
    text = text.translate(_ONE_LINE if one_line else _KEEP_LINES)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def fit(text: str, width: int) -> str:
    """Text cut to `width` characters for a column, with an ellipsis where it was cut (never silently)."""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"
