"""Asking one thing: a line of text, or yes/no."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from fieldnotes.tui.i18n import N_, _


class PromptScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, title: str, initial: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.initial = initial

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-dialog", classes="dialog"):
            yield Static(f"[b]{escape(self.title_text)}[/b]")
            yield Input(self.initial, id="prompt-input")
            yield Static(_("Enter confirms · esc cancels"), classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [Binding("y,j", "answer(True)", N_("Yes")), Binding("n,escape", "answer(False)", N_("No"))]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="dialog"):
            yield Static(f"[b]{escape(self.question)}[/b]")
            yield Static(_("y yes · n or esc no"), classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def cancel_keeping_typed_text(dialog: ModalScreen[Any], typed: bool) -> None:
    """Esc on a dialog: closes it at once when nothing was typed, else asks before throwing the typed
    text away (and Esc there is no: back to the text)."""
    if not typed:
        dialog.dismiss(None)
        return

    def answered(yes: bool | None) -> None:
        if yes:
            dialog.dismiss(None)

    dialog.app.push_screen(ConfirmScreen(_("Throw away what you typed?")), answered)
