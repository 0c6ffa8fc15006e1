"""Small dialogs: a memo, a rating."""

from __future__ import annotations

from rich.markup import escape
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from fieldnotes.tui.i18n import N_, _


class MemoScreen(ModalScreen[str | None]):
    """Write or change a memo. ctrl+s saves, escape cancels."""

    BINDINGS = [Binding("ctrl+s", "save", N_("Save"), priority=True), Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, title: str, text: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="memo-dialog", classes="dialog"):
            yield Static(f"[b]{escape(self.title_text)}[/b]")
            yield TextArea(self.text, id="memo-text", soft_wrap=True)
            yield Static(_("ctrl+s saves · esc cancels"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#memo-text", TextArea).focus()

    def action_save(self) -> None:
        self.dismiss(self.query_one("#memo-text", TextArea).text.strip())

    def action_cancel(self) -> None:
        from fieldnotes.tui.screens.prompt import cancel_keeping_typed_text

        cancel_keeping_typed_text(self, self.query_one("#memo-text", TextArea).text != self.text)


class RatingScreen(ModalScreen[int | None]):
    """Press a number on the code's scale; escape cancels."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, code: str, scale: tuple[int, int], labels: dict[str, str], current: int | None) -> None:
        super().__init__()
        self.code = code
        self.scale = scale
        self.labels = labels
        self.current = current

    def compose(self) -> ComposeResult:
        lines = [f"[b]{_('Rate')}: {escape(self.code)}[/b]", ""]
        for value in range(self.scale[0], self.scale[1] + 1):
            mark = "▶ " if value == self.current else "  "
            lines.append(f"{mark}[b]{value}[/b]  {escape(self.labels.get(str(value), ''))}")
        lines += ["", _("Press a number · esc cancels")]
        with Vertical(id="rating-dialog", classes="dialog"):
            yield Static("\n".join(lines))

    def on_key(self, event: events.Key) -> None:
        character = event.character
        if character and character.isdigit():
            # the digit is the rating's, never also the reader's (where 1-9 apply a recent code)
            event.stop()
            event.prevent_default()
            value = int(character)
            if self.scale[0] <= value <= self.scale[1]:
                self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
