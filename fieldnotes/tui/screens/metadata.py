"""Editing a document's metadata: title, kind, date, activity, municipality."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from fieldnotes.tui.i18n import N_, _

FIELDS = (("title", N_("Title")), ("kind", N_("Kind")), ("date", N_("Date")), ("activity", N_("Activity")),
          ("municipality", N_("Municipality")))


class MetadataScreen(ModalScreen[dict[str, str] | None]):
    BINDINGS = [Binding("ctrl+s", "save", N_("Save"), priority=True), Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, row: dict[str, Any]) -> None:
        super().__init__()
        self.row = row
        self.before = {key: str(row.get(key) or "") for key, _label in FIELDS}
        self.before["municipality"] = "; ".join(row.get("municipalities") or [])

    def compose(self) -> ComposeResult:
        with Vertical(id="metadata-dialog", classes="dialog"):
            yield Static(f"[b]{escape(self.row['title'])}[/b]")
            for key, label in FIELDS:
                yield Label(_(label))
                yield Input(self.before[key], id=f"meta-{key}")
            yield Static(_("Several municipalities: separate with ;  ·  ctrl+s saves · esc cancels"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#meta-title", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    def _changes(self) -> dict[str, str]:
        changes = {}
        for key, _label in FIELDS:
            value = self.query_one(f"#meta-{key}", Input).value.strip()
            if value != self.before[key]:
                changes[key] = value
        return changes

    def action_save(self) -> None:
        self.dismiss(self._changes())

    def action_cancel(self) -> None:
        from fieldnotes.tui.screens.prompt import cancel_keeping_typed_text

        cancel_keeping_typed_text(self, bool(self._changes()))
