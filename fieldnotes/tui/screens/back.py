"""Esc goes back, from anywhere: the first Esc leaves a text box (what was typed stays in it), the next
leaves the screen — a pushed screen is closed, a mode (Search, Excerpts, ...) gives way to Home. So at
most two Escs get a person out of any screen, whatever has the focus.

Screens of the app's modes derive from `BackScreen`; screens with their own Esc (the reader's turn
mode, the documents filter) call `go_back` when they have nothing of their own left to undo.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Input, TextArea

from fieldnotes.translations import N_


def typing(widget: Widget | None) -> bool:
    """Whether letters typed go into the widget (a text box; not the reader's read-only text)."""
    return isinstance(widget, Input) or (isinstance(widget, TextArea) and not widget.read_only)


def leave_box(screen: Screen[Any]) -> bool:
    """Move the focus out of a text box to the screen's next widget that takes no typing (or to none);
    False when no text box had the focus."""
    if not typing(screen.focused):
        return False
    target: Widget | None = next((w for w in screen.focus_chain if not typing(w)), None)
    screen.set_focus(target)
    return True


def leave_screen(screen: Screen[Any]) -> None:
    """Close a pushed screen; on the bottom screen of a mode other than Home, go Home."""
    app: Any = screen.app
    if len(app.screen_stack) > 1:
        if isinstance(screen, ModalScreen):
            screen.dismiss(None)
        else:
            app.pop_screen()
    elif app.current_mode != "home":
        app.switch_mode("home")


def go_back(screen: Screen[Any]) -> None:
    if not leave_box(screen):
        leave_screen(screen)


class BackScreen(Screen[None]):
    """A screen on which Esc goes back (see the module's docstring)."""

    BINDINGS = [Binding("escape", "back", N_("Back"), tooltip=N_("Back: out of a text box, then out of the screen"))]

    def action_back(self) -> None:
        go_back(self)
