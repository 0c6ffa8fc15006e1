"""Before search hits are coded: choose to code each hit as matched or widened to its sentence,
paragraph or speaker turn, seeing the span that gives (for the highlighted hit) before confirming.
The spans come from `search.coding.widening_choices` (which widens with `coding.spans`)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from fieldnotes.search.results import one_line
from fieldnotes.tui.i18n import N_, _

UNIT_LABELS = {None: N_("The match only"), "sentence": N_("The sentence"), "paragraph": N_("The paragraph"),
               "turn": N_("The speaker turn")}
#: the longest span shown whole; longer ones are shown by their start and end
SHOWN = 400

#: what a dismissal means: a unit, "" for the match as it is, None for cancelled
Chosen = str | None


class WidenScreen(ModalScreen[Chosen]):
    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, choices: list[Any], hits: int) -> None:
        super().__init__()
        self.choices = choices
        self.hits = hits

    def compose(self) -> ComposeResult:
        with Vertical(id="widen", classes="dialog"):
            yield Static("[b]" + _("Code what of each hit?") + "[/b]  " + _("({n} hits; shown: the highlighted one)")
                         .format(n=self.hits), id="widen-title")
            yield OptionList(*[Option(_label(choice), id=str(i)) for i, choice in enumerate(self.choices)],
                             id="widen-options")
            yield Static(_("Enter chooses, then the code · esc cancels"), classes="hint")

    def on_mount(self) -> None:
        options = self.query_one("#widen-options", OptionList)
        options.highlighted = 1 if len(self.choices) > 1 else 0  # the sentence, most often what is meant
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        choice = self.choices[int(event.option.id or 0)]
        self.dismiss(choice.unit or "")

    def action_cancel(self) -> None:
        self.dismiss(None)


def _label(choice: Any) -> Text:
    span = one_line(choice.text)
    if len(span) > SHOWN:
        span = span[: SHOWN // 2] + " … " + span[-SHOWN // 2:]
    return Text.assemble((_(UNIT_LABELS[choice.unit]), "bold"), f"  ({len(choice.text)} " + _("characters") + ")\n",
                         "  ", span, "\n")
