"""What the command line writes to a terminal: never a control character it did not mean to write.

`guard` wraps stdout and stderr when they are a terminal, so every name, title and document text is
written with its control characters as escapes (fieldnotes.text.terminal_safe): a code named
with an escape sequence cannot recolour the screen, move the cursor or retitle the window, and a
text-direction override cannot make a line read backwards. Output to a file or a pipe is left exactly
as it is. fieldnotes' own sequences (the search highlight, progress lines) go to `raw(stream)`, with
whatever they quote escaped first.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from fieldnotes.text import terminal_safe


class SafeStream:
    """A terminal's stream writing control characters as escapes; everything else is the stream's own."""

    def __init__(self, stream: TextIO) -> None:
        self.raw = stream

    def write(self, text: str) -> int:
        self.raw.write(terminal_safe(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def guard() -> None:
    """Wrap stdout and stderr in a SafeStream where they are a terminal."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        isatty = getattr(stream, "isatty", None)
        if not isinstance(stream, SafeStream) and callable(isatty) and isatty():
            setattr(sys, name, SafeStream(stream))


def raw(stream: Any) -> Any:
    """The stream under the guard, for sequences fieldnotes means to write."""
    return stream.raw if isinstance(stream, SafeStream) else stream
