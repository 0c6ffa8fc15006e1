"""The app never writes a control character it did not mean to the terminal.

Textual strips a few control characters from what it shows (BEL, BS, VT, FF, CR) but writes the
others as they are, so a code name, a title or a line of a document holding an escape sequence would
recolour the screen, move the cursor or retitle the window, and a text-direction override would make
a line read backwards. New names are refused at input (fieldnotes.db.validation); this guards the
terminal against everything else: projects made before the rules, and documents' own text.

Every line Textual writes passes through `Strip.render`, which joins the line's text with the style
sequences Textual adds itself. `guard` makes it leave the control characters of the text out first
(a terminal gives them no width, so nothing on screen moves). It relies on Textual's `Strip` keeping
its segments in `_segments`: the version is pinned (pyproject.toml) and a test drives it.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from textual.strip import Strip

from fieldnotes.text import TERMINAL_CONTROL


def guard() -> None:
    """Make every strip Textual renders drop the control characters in its text (once per process)."""
    original = Strip.render
    if getattr(original, "guarded", False):
        return

    def render(self: Strip, console: Any) -> str:
        if self._render_cache is None and any(TERMINAL_CONTROL.search(text) and not control
                                              for text, _, control in self._segments):
            self._segments = [Segment(text if control else TERMINAL_CONTROL.sub("", text), style, control)
                              for text, style, control in self._segments]
        return original(self, console)

    render.guarded = True  # type: ignore[attr-defined]
    Strip.render = render  # type: ignore[method-assign]
