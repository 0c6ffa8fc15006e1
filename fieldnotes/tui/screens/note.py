"""Writing a new document in the app: an observation note typed straight in, in the field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static, TextArea

from fieldnotes.tui.i18n import N_, _

KINDS = (("observation", N_("Observation note")), ("interview", N_("Interview")), ("minutes", N_("Minutes")),
         ("document", N_("Document")))


@dataclass
class NewNote:
    title: str
    kind: str
    date: dt.date
    municipality: str
    activity: str
    text: str


class NoteScreen(ModalScreen[NewNote | None]):
    BINDINGS = [Binding("ctrl+s", "save", N_("Save"), priority=True), Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, municipalities: list[str]) -> None:
        super().__init__()
        self.municipalities = municipalities

    def compose(self) -> ComposeResult:
        today = dt.date.today().isoformat()
        with Vertical(id="note-dialog", classes="dialog"):
            yield Static(f"[b]{_('New note')}[/b]")
            with Horizontal(classes="note-row"):
                yield Input(placeholder=_("Title"), id="note-title")
                yield Select([(_(label), kind) for kind, label in KINDS], value="observation", allow_blank=False,
                             id="note-kind")
            with Horizontal(classes="note-row"):
                yield Input(today, id="note-date", max_length=10)
                yield Input(placeholder=_("Municipality"), id="note-municipality")
                yield Input(placeholder=_("Activity"), id="note-activity")
            yield Label(_("Text (one paragraph per line)"))
            yield TextArea(id="note-text", soft_wrap=True)
            yield Static(_("ctrl+s saves · esc cancels"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#note-title", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    def action_save(self) -> None:
        title = self.query_one("#note-title", Input).value.strip()
        text = self.query_one("#note-text", TextArea).text
        try:
            date = dt.date.fromisoformat(self.query_one("#note-date", Input).value.strip())
        except ValueError:
            self.notify(_("The date must be YYYY-MM-DD"), severity="error")
            return
        if not text.strip():
            self.notify(_("The note is empty"), severity="error")
            return
        kind = str(self.query_one("#note-kind", Select).value)
        self.dismiss(NewNote(title or f"{_('Note')} {date.isoformat()}", kind, date,
                             self.query_one("#note-municipality", Input).value.strip(),
                             self.query_one("#note-activity", Input).value.strip(), text))

    def action_cancel(self) -> None:
        from fieldnotes.tui.screens.prompt import cancel_keeping_typed_text

        typed = any(self.query_one(f"#note-{name}", Input).value.strip() for name in ("title", "municipality",
                                                                                         "activity"))
        cancel_keeping_typed_text(self, typed or bool(self.query_one("#note-text", TextArea).text.strip()))
