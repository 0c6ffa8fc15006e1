"""The code picker: fuzzy filter over code paths, the definition of the highlighted code, and memo and
rating in the same step. Typing a path that does not exist offers to create that code."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from fieldnotes.overview import CodeChoice
from fieldnotes.tui.i18n import N_, _

NEW = "__new__"


@dataclass
class PickerResult:
    code_id: uuid.UUID | None
    memo: str | None = None
    rating: int | None = None
    new_path: str | None = None


def rank(codes: list[CodeChoice], query: str, recent: list[uuid.UUID], limit: int = 40) -> list[CodeChoice]:
    """Codable codes best matching the query (recent ones first when the query is empty)."""
    usable = [c for c in codes if c.codable]
    if not query.strip():
        order = {code_id: index for index, code_id in enumerate(recent)}
        return sorted(usable, key=lambda c: order.get(c.id, len(order) + usable.index(c)))[:limit]
    choices = {index: f"{c.path} {c.shortcut or ''}" for index, c in enumerate(usable)}
    found = process.extract(query, choices, scorer=fuzz.WRatio, limit=limit, score_cutoff=45,
                            processor=lambda s: s.casefold())
    return [usable[index] for _text, _score, index in found]


class CodePicker(ModalScreen[PickerResult | None]):
    #: keys that are not bindings of this screen, for the help screen: (keys, English text)
    HELP_KEYS = [("Enter", N_("Apply the highlighted code (or create the new one) with the memo and rating")),
                 ("Tab", N_("On to the memo, then the rating (codes with a scale), then back to the code"))]
    BINDINGS = [
        Binding("escape", "cancel", _("Cancel")),
        Binding("down", "move(1)", _("Next code"), show=False, priority=True,
                tooltip=_("Move through the codes found")),
        Binding("up", "move(-1)", _("Previous code"), show=False, priority=True,
                tooltip=_("Move through the codes found")),
    ]

    def __init__(self, codes: list[CodeChoice], recent: list[uuid.UUID], excerpt: str) -> None:
        super().__init__()
        self.codes = codes
        self.recent = recent
        self.excerpt = excerpt
        self.shown: list[CodeChoice] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(f"[b]{_('Code the selection')}[/b]  [dim]{escape(_short(self.excerpt))}[/dim]",
                         id="picker-title")
            yield Input(placeholder=_("Type to find a code (or a new Parent/Name)"), id="picker-query")
            with Horizontal(id="picker-body"):
                yield OptionList(id="picker-options")
                yield Static(id="picker-definition")
            with Horizontal(id="picker-extra"):
                yield Input(placeholder=_("Memo (optional)"), id="picker-memo")
                yield Input(placeholder=_("Rating"), id="picker-rating", restrict=r"[0-9]*", max_length=2)
            yield Static(_("Enter applies · tab moves to memo and rating · esc cancels"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#picker-options", OptionList).can_focus = False  # arrows move it; tab goes to memo
        self._refresh_options("")
        self.query_one("#picker-query", Input).focus()

    def _refresh_options(self, query: str) -> None:
        options = self.query_one("#picker-options", OptionList)
        options.clear_options()
        self.shown = rank(self.codes, query, self.recent)
        for code in self.shown:
            key = f" [dim]k {code.shortcut}[/dim]" if code.shortcut else ""
            options.add_option(Option(f"[{code.color}]■[/] {escape(code.path)}{key}", id=str(code.id)))
        if query.strip() and not any(c.path.casefold() == query.strip().casefold() for c in self.codes):
            options.add_option(Option(_("+ new code: {path}").format(path=escape(query.strip())), id=NEW))
        if options.option_count:
            options.highlighted = 0
        self._show_definition()

    def _current(self) -> CodeChoice | None:
        options = self.query_one("#picker-options", OptionList)
        if options.highlighted is None or options.highlighted >= len(self.shown):
            return None
        return self.shown[options.highlighted]

    def _show_definition(self) -> None:
        code = self._current()
        panel = self.query_one("#picker-definition", Static)
        rating = self.query_one("#picker-rating", Input)
        if code is None:
            panel.update(_("Creates a new code at this path."))
            rating.display = False
            return
        parts = [f"[b]{escape(code.name)}[/b]"]
        if code.short:
            parts.append(escape(code.short))
        if code.when_to_use:
            parts.append(f"[b]{_('Use when')}:[/b] {escape(code.when_to_use)}")
        if code.when_not_to_use:
            parts.append(f"[b]{_('Not when')}:[/b] {escape(code.when_not_to_use)}")
        if code.scale:
            labels = ", ".join(f"{k}: {v}" for k, v in sorted(code.scale_labels.items()))
            parts.append(f"[b]{_('Scale')}[/b] {code.scale[0]}–{code.scale[1]} {escape(labels)}")
        panel.update("\n\n".join(parts))
        rating.display = code.scale is not None
        rating.placeholder = f"{_('Rating')} {code.scale[0]}–{code.scale[1]}" if code.scale else _("Rating")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "picker-query":
            self._refresh_options(event.value)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_definition()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def action_move(self, step: int) -> None:
        options = self.query_one("#picker-options", OptionList)
        if not options.option_count:
            return
        current = options.highlighted or 0
        options.highlighted = max(0, min(options.option_count - 1, current + step))

    def _submit(self) -> None:
        options = self.query_one("#picker-options", OptionList)
        if options.highlighted is None:
            return
        option = options.get_option_at_index(options.highlighted)
        memo = self.query_one("#picker-memo", Input).value.strip() or None
        rating_text = self.query_one("#picker-rating", Input).value.strip()
        rating = int(rating_text) if rating_text and self.query_one("#picker-rating", Input).display else None
        if option.id == NEW:
            self.dismiss(PickerResult(None, memo, None, new_path=self.query_one("#picker-query", Input).value.strip()))
            return
        code = self._current()
        if code is None:
            return
        if rating is not None and code.scale and not code.scale[0] <= rating <= code.scale[1]:
            self.notify(_("The rating must lie within {low}–{high}").format(low=code.scale[0], high=code.scale[1]),
                        severity="error")
            return
        self.dismiss(PickerResult(code.id, memo, rating))

    def action_cancel(self) -> None:
        self.dismiss(None)


def _short(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
