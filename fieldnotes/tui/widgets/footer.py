"""The key footer every screen shows: in the interface language of the moment, and rebuilt only while its
screen is the one on top.

Key descriptions are written with `N_()` in `BINDINGS` (class bodies run at import, before a language is
chosen) and translated here each time the footer is drawn, so switching the language relabels the footer at
once (`App.refresh_bindings()` makes Textual recompose it).

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
from textual.widgets._footer import FooterKey, FooterLabel

from fieldnotes.translations import N_, _

#: Textual's own words in the footer (the command palette's key), for the catalog
N_("palette"), N_("Open the command palette")


class Footer(TextualFooter):
    def compose(self) -> ComposeResult:
        """Textual's keys, translated, each made in the footer's style before it is mounted: a key starts
        compact and is then bound to the footer's (not compact), which restyled every key twice each time the
        footer was rebuilt, a tenth of the app's start."""
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.description = _(widget.description) if widget.description else ""
                if widget.tooltip:
                    widget.tooltip = _(str(widget.tooltip))
                # the command palette's key is not bound to the footer's style: it keeps Textual's own
                if not widget.has_class("-command-palette"):
                    widget.set_reactive(FooterKey.compact, self.compact)
                    widget.set_class(self.compact, "-compact", update=False)
            elif isinstance(widget, FooterLabel) and isinstance(widget.content, str):
                widget.update(_(widget.content))
            yield widget

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen and screen is not self.app.screen:
            self._bindings_ready = True
            return
        super().bindings_changed(screen)
