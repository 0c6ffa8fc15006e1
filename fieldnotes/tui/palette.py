"""Textual's command palette, speaking the interface language.

Textual writes its palette's own words in English ("Search for commands…", "No matches found", the key
descriptions); this subclass supplies them from the catalog. Textual is pinned (pyproject), so the one
private method overridden here cannot change under us unnoticed.
"""

from __future__ import annotations

from typing import ClassVar

from rich.align import Align
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.command import CommandList
from textual.command import CommandPalette as TextualPalette
from textual.widgets.option_list import Option

from fieldnotes.translations import N_, _


class CommandPalette(TextualPalette):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+end, shift+end", "command_list('last')", N_("Go to bottom"), show=False),
        Binding("ctrl+home, shift+home", "command_list('first')", N_("Go to top"), show=False),
        Binding("down", "cursor_down", N_("Next command"), show=False),
        Binding("escape", "escape", N_("Close the command palette")),
        Binding("pagedown", "command_list('page_down')", N_("Next page"), show=False),
        Binding("pageup", "command_list('page_up')", N_("Previous page"), show=False),
        Binding("up", "command_list('cursor_up')", N_("Previous command"), show=False),
    ]

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """As Textual's, with "No matches found" in the interface language."""
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(_("No matches found"), style="not bold")), disabled=True,
                           id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
