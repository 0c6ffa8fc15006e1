"""Who you are coding as: asked once for a new project, and switched from Home (c)."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from fieldnotes.tui.i18n import _
from fieldnotes.tui.screens.prompt import ConfirmScreen


class CoderScreen(ModalScreen[str | None]):
    """A name to code as. `first`: the question a new project asks once, where Esc keeps the suggested
    name (nothing is lost, and it is not asked again). Otherwise a switch: the project's coders to choose
    from, or a new name typed; Esc changes nothing."""

    BINDINGS = [Binding("escape", "cancel", _("Back"))]

    def __init__(self, current: str, coders: list[str] | None = None, *, first: bool = False) -> None:
        super().__init__()
        self.current = current
        self.coders = coders or []
        self.first = first

    def compose(self) -> ComposeResult:
        with Vertical(id="coder-dialog", classes="dialog"):
            if self.first:
                yield Static("[b]" + _("Who is coding?") + "[/b]")
                yield Static(_("Your codings are signed with your name, so that a team can tell them apart. "
                               "It is asked once for this project; c on Home switches later."))
                yield Input(self.current, id="coder-name")
                yield Static(_("Enter confirms · esc keeps {name}").format(name=escape(self.current)),
                             classes="hint")
                return
            yield Static("[b]" + _("Code as") + "[/b]")
            if self.coders:
                yield OptionList(*[Option(escape(name) + ("  " + _("(now)") if name == self.current else ""),
                                          id=f"coder-{index}") for index, name in enumerate(self.coders)],
                                 id="coder-list")
            yield Input(placeholder=_("or type a new name"), id="coder-name")
            yield Static(_("Enter chooses · esc changes nothing"), classes="hint")

    def on_mount(self) -> None:
        if self.coders and not self.first:
            options = self.query_one(OptionList)
            if self.current in self.coders:
                options.highlighted = self.coders.index(self.current)
            options.focus()
        else:
            self.query_one(Input).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.coders[event.option_index])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        if name:
            self.dismiss(name)
        elif self.first:
            self.dismiss(self.current)

    def _typed(self) -> str:
        return self.query_one("#coder-name", Input).value.strip()

    def action_cancel(self) -> None:
        typed = self._typed()
        keep = self.current if self.first else None  # the first question keeps its suggestion
        if not typed or (self.first and typed == self.current):
            self.dismiss(keep)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(keep)

        self.app.push_screen(ConfirmScreen(_("Throw away what you typed?")), answered)
