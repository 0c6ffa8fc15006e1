"""The code picker: fuzzy filter over code paths, the definition of the highlighted code, and memo and
rating in the same step. Typing a path that does not exist offers to create that code."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from rapidfuzz import fuzz
from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from fieldnotes.queries.overview import CodeChoice
from fieldnotes.tui.i18n import N_, _

NEW = "__new__"


@dataclass
class PickerResult:
    code_id: uuid.UUID | None
    memo: str | None = None
    rating: int | None = None
    new_path: str | None = None


def score(code: CodeChoice, query: str) -> float:
    """How well a code matches what was typed (0–120). The code's own name counts most: a parent's name
    in the path only helps a little (else every child of "Sparringskultur og ledelse" matches "ledelse"
    as well as the code Ledelse itself), and a word-by-word prefix match ("kultur org") lifts a code above
    fuzzy look-alikes. Typing a code's shortcut letter alone puts that code first."""
    q = " ".join(query.casefold().split())
    name = code.name.casefold()
    leaf = fuzz.WRatio(q, name)
    words = name.split()
    if all(any(word.startswith(token) for word in words) for token in q.split()):
        leaf += 10
    if name.startswith(q):
        leaf += 5
    if name == q or code.path.casefold() == q:
        leaf = 120
    whole = 0.7 * fuzz.WRatio(q, code.path.casefold())
    shortcut = 105.0 if code.shortcut and q == code.shortcut else 0.0
    return max(leaf, whole, shortcut)


def rank(codes: list[CodeChoice], query: str, recent: list[uuid.UUID], limit: int = 40) -> list[CodeChoice]:
    """Codable codes best matching the query (recent ones first when the query is empty)."""
    usable = [c for c in codes if c.codable]
    if not query.strip():
        order = {code_id: index for index, code_id in enumerate(recent)}
        return sorted(usable, key=lambda c: order.get(c.id, len(order) + usable.index(c)))[:limit]
    scored = [(score(c, query), index) for index, c in enumerate(usable)]
    found = sorted((item for item in scored if item[0] >= 45), key=lambda item: (-item[0], item[1]))
    return [usable[index] for _score, index in found[:limit]]


class CodePicker(ModalScreen[PickerResult | None]):
    #: keys that are not bindings of this screen, for the help screen: (keys, English text)
    HELP_KEYS = [("Enter", N_("Apply the highlighted code (or create the new one) with the memo and rating")),
                 ("Tab", N_("On to the memo, then the rating (codes with a scale); shift+tab goes back"))]
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel")),
        # tab walks query → memo → rating and stops at the last field shown: wrapping round to the query
        # would put the next words typed (a memo, a rating) into the search and so change the code
        Binding("tab", "step(1)", N_("Next field"), show=False, priority=True),
        Binding("shift+tab", "step(-1)", N_("Previous field"), show=False, priority=True),
        Binding("down", "move(1)", N_("Next code"), show=False, priority=True,
                tooltip=N_("Move through the codes found")),
        Binding("up", "move(-1)", N_("Previous code"), show=False, priority=True,
                tooltip=N_("Move through the codes found")),
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
            yield Static(_("Enter applies · tab moves to memo and rating · esc cancels"), id="picker-hint",
                         classes="hint")

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
        typed = " ".join(query.split()).casefold()
        # "+ new code" only when no code has that name (or path): typing "ledelse" offers Ledelse, not a twin
        if typed and not any(typed in (c.path.casefold(), c.name.casefold()) for c in self.codes):
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
            if rating.has_focus:
                self.query_one("#picker-memo", Input).focus()
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
        if code.scale is None and rating.has_focus:  # the field is about to vanish: keep typing in the memo
            self.query_one("#picker-memo", Input).focus()
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

    def _fields(self) -> list[Input]:
        return [field for field in self.query(Input) if field.display]

    def action_step(self, step: int) -> None:
        fields = self._fields()
        here = fields.index(self.focused) if self.focused in fields else 0
        target = here + step
        if target >= len(fields):
            code = self._current()
            hint = (_("{code} has no rating scale: Enter applies it").format(code=escape(code.name))
                    if code is not None and code.scale is None else _("Enter applies · esc cancels"))
            self.query_one("#picker-hint", Static).update(hint)
            return
        # at once, not after a refresh: keys typed right behind the tab must land in the new field
        self.set_focus(fields[max(0, target)])

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
