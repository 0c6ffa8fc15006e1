"""The key footer every screen shows, rebuilt only while its screen is the one on top.

Textual's footer rebuilds itself (a widget per key, each restyled) whenever its screen's bindings change, and
a screen's bindings change when another screen is pushed over it: opening a document rebuilt the footer of
the screen it was opened from, out of sight, and that was a sixth of the time to the reader's first frame. A
footer under another screen now waits: the screen's bindings change again when it is back on top, and the
footer is rebuilt then.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


class Footer(TextualFooter):
    def compose(self) -> ComposeResult:
        """Textual's keys, each made in the footer's style before it is mounted: a key starts compact and is
        then bound to the footer's (not compact), which restyled every key twice each time the footer was
        rebuilt, a tenth of the app's start."""
        for widget in super().compose():
            # the command palette's key is not bound to the footer's style: it keeps Textual's own
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen and screen is not self.app.screen:
            self._bindings_ready = True
            return
        super().bindings_changed(screen)
