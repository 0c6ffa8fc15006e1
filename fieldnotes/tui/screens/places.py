"""The shared part of screens that list places in documents (a matrix cell's excerpts, a word's uses):
the list starts highlighted, and Enter opens the document with the place selected."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from textual.screen import Screen
from textual.widgets import OptionList

from fieldnotes.tui.screens.back import go_back


class PlacesScreen(Screen[None]):
    """Subclasses compose an OptionList with the id LIST_ID, one option per item of `found`; each item
    has `document` (an id), `start` and `end`."""

    LIST_ID = "places"
    found: list[Any]

    def on_mount(self) -> None:
        options = self.query_one(f"#{self.LIST_ID}", OptionList)
        options.focus()
        if self.found:
            options.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_jump()

    def action_jump(self) -> None:
        open_highlighted(self, self.query_one(f"#{self.LIST_ID}", OptionList), self.found)

    def action_back(self) -> None:
        go_back(self)


def open_highlighted(screen: Screen[Any], options: OptionList, found: Sequence[Any]) -> None:
    """Open the document of the highlighted item of `found` (an excerpt, a word's use: anything with
    `document`, `start` and `end`) with that place selected; nothing when no item is highlighted."""
    if options.highlighted is None or options.highlighted >= len(found):
        return
    place = found[options.highlighted]
    app: Any = screen.app
    app.open_document(uuid.UUID(place.document), select=(place.start, place.end))
