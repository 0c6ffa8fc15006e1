"""Words: how often words are used per municipality or document kind, and each column's key words
against the rest of the material (Dunning's log-likelihood G2), with key words in context on Enter.

Keys: m / k split by municipality or kind · n / p the next or previous column · v frequencies or key
words · a lists names too, or leaves them out again (they are left out at first) · / a word or a
beginning (borger*) in context · Enter the highlighted word in context.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from fieldnotes.analysis.charts import bar
from fieldnotes.queries.filters import Filters
from fieldnotes.tui.i18n import N_, _, number
from fieldnotes.tui.screens.back import BackScreen
from fieldnotes.tui.screens.places import PlacesScreen
from fieldnotes.tui.widgets.footer import Footer

BY_NAMES = {"municipality": N_("municipality"), "kind": N_("kind")}
LIMIT = 60


def _supports_no_names() -> bool:
    from fieldnotes.analysis.words import words

    return "no_names" in inspect.signature(words).parameters


def column_filters(by: str, label: str) -> Filters | None:
    """The filters that read one column's text again (for key words in context); None for the column of
    documents without a municipality or kind, which no filter picks out."""
    from fieldnotes.analysis.columns import NONE

    if label == NONE or label.startswith("("):
        return None
    return Filters(municipalities=[label]) if by == "municipality" else Filters(kinds=[label])


def _number(value: float) -> str:
    return number(value, 1)


def _bar_width(width: int, keyness: bool = True) -> int:
    """Cells for the bars beside the scores: what the words and numbers leave over, 6 to 30."""
    return max(8, min(24, (width - 66) // 2)) if keyness else max(8, min(30, width - 52))


@dataclass
class WordsData:
    by: str
    table: Any  # fieldnotes.analysis.words.WordTable, with key words
    no_names: bool


class WordsScreen(BackScreen):
    BINDINGS = [
        Binding("enter", "kwic", N_("In context"), tooltip=N_("Every use of the highlighted word, with its context")),
        Binding("m", "by('municipality')", N_("Municipality"), tooltip=N_("Columns: municipalities")),
        Binding("k", "by('kind')", N_("Kind"), tooltip=N_("Columns: document kinds")),
        Binding("n", "step(1)", N_("Next column")),
        Binding("p", "step(-1)", N_("Previous column"), show=False),
        Binding("v", "view", N_("Frequencies / key words"),
                tooltip=N_("Most frequent words, or key words against the rest (log-likelihood)")),
        Binding("a", "names", N_("Names"), show=False, tooltip=N_("List people's names too, or leave them out")),
        Binding("f", "focus_word", N_("Find a word"), show=False,
                tooltip=N_("Type a word or a beginning such as borger* to see it in context")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.by = "municipality"
        self.keyness = True
        self.column = 0
        self.no_names = _supports_no_names()  # names tell who was there, not how staff talk: left out at first
        self.data: WordsData | None = None
        self._bars = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="words-view"):
            yield Static(id="words-title")
            yield Input(placeholder=_("A word in context, e.g. borger* (Enter)"), id="words-find")
            yield DataTable(id="words", cursor_type="row", zebra_stripes=True)
        yield Static(id="words-status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#words", DataTable).focus()
        self.reload()

    def on_resize(self, event: events.Resize) -> None:
        if self.data is not None and _bar_width(event.size.width, self.keyness) != self._bars:
            self.show()

    def reload(self) -> None:
        app: Any = self.app
        by, no_names = self.by, self.no_names

        def work() -> WordsData:
            from fieldnotes.analysis.words import words_in

            extra: dict[str, Any] = {"no_names": True} if no_names and _supports_no_names() else {}
            table = words_in(app.project, Filters(), by, keyness=True, limit=LIMIT, **extra)
            return WordsData(by, table, bool(extra))

        app.db(work, self.show, group="words", exclusive=True)

    def _current(self) -> Any | None:
        if self.data is None or not self.data.table.columns:
            return None
        self.column %= len(self.data.table.columns)
        return self.data.table.columns[self.column]

    def show(self, data: WordsData | None = None) -> None:
        if data is not None:
            self.data = data
        column = self._current()
        table = self.query_one("#words", DataTable)
        table.clear(columns=True)
        if column is None or self.data is None:
            self.query_one("#words-title", Static).update(_("No text to count"))
            return
        width = self._bars = _bar_width(self.size.width, self.keyness)
        colour = self.app.current_theme.primary
        if self.keyness:
            table.add_column(_("Key word"), key="word")
            table.add_column("G²", key="g2")
            table.add_column("", key="bar")
            table.add_column(_("Here"), key="count")
            table.add_column(_("Rest"), key="rest")
            table.add_column(_("per 10,000"), key="per")
            table.add_column(_("rest per 10,000"), key="rest_per")
            found = column.key_words or []
            top = max((item.log_likelihood for item in found), default=0.0)
            for item in found:
                table.add_row(item.word, Text(_number(item.log_likelihood), justify="right", style="bold"),
                              Text(bar(item.log_likelihood, 0, top, width), style=colour),
                              Text(number(item.count), justify="right"),
                              Text(number(item.other_count), justify="right"),
                              Text(_number(item.per_10k), justify="right"),
                              Text(_number(item.other_per_10k), justify="right"), key=item.word)
        else:
            table.add_column(_("Word"), key="word")
            table.add_column(_("Count"), key="count")
            table.add_column(_("per 10,000"), key="per")
            table.add_column("", key="bar")
            top = max((word.count for word in column.words), default=0)
            for word in column.words:
                table.add_row(word.word, Text(number(word.count), justify="right", style="bold"),
                              Text(_number(word.per_10k), justify="right"),
                              Text(bar(word.count, 0, top, width), style=colour), key=word.word)
        labels = [c.label for c in self.data.table.columns]
        tabs = Text()
        for index, label in enumerate(labels):
            tabs.append(f" {label} ", style="reverse bold" if index == self.column else "dim")
        what = _("Key words against the rest (log-likelihood G², p < 0.05)") if self.keyness else _(
            "Most frequent words (stop words left out)")
        names = " · " + _("names left out") if self.data.no_names else ""
        title = Text.from_markup(_("[b]Words by {by}[/b] · {what}{names}").format(
            by=_(BY_NAMES[self.data.by]), what=what, names=names))
        title.append("\n")
        title.append_text(tabs)
        title.append("  " + _("{n} words").format(n=number(column.tokens)), style="dim")
        self.query_one("#words-title", Static).update(title)
        self.query_one("#words-status", Static).update(
            _("Enter in context · n p column · m k by · v frequencies / key words · f find"))

    # --- actions ----------------------------------------------------------------------------------
    def action_by(self, by: str) -> None:
        self.by, self.column = by, 0
        self.reload()

    def action_step(self, step: int) -> None:
        self.column += step
        self.show()

    def action_view(self) -> None:
        self.keyness = not self.keyness
        self.show()

    def action_names(self) -> None:
        if not _supports_no_names():
            self.notify(_("The word counts cannot leave names out yet"), severity="warning")
            return
        self.no_names = not self.no_names
        self.reload()

    def action_focus_word(self) -> None:
        self.query_one("#words-find", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        word = event.value.strip()
        if word:
            self.open_kwic(word, Filters(), _("all documents"))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_kwic()

    def action_kwic(self) -> None:
        if isinstance(self.focused, Input):
            return
        column = self._current()
        table = self.query_one("#words", DataTable)
        if column is None or self.data is None or table.row_count == 0:
            self.notify(_("No word is highlighted"), severity="warning")
            return
        word = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        filters = column_filters(self.data.by, column.label)
        if filters is None:
            self.notify(_("Words in context can't be shown for {column}; pick another column").format(
                column=column.label), severity="warning")
            return
        self.open_kwic(word, filters, column.label)

    def open_kwic(self, word: str, filters: Filters, where: str) -> None:
        app: Any = self.app

        def work() -> list[Any]:
            from fieldnotes.analysis.words import kwic_in

            return kwic_in(app.project, filters, word)

        app.db(work, lambda found: self.app.push_screen(KwicScreen(word, where, found)), group="words-kwic")


class KwicScreen(PlacesScreen):
    """Every use of a word with its context; Enter opens the document at it."""

    LIST_ID = "kwic"

    BINDINGS = [
        Binding("enter", "jump", N_("Go to text")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, word: str, where: str, found: list[Any]) -> None:
        super().__init__()
        self.word, self.where, self.found = word, where, found

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("[b]{word}[/b] in context · {where} · {n} uses").format(
            word=escape(self.word), where=escape(self.where), n=len(self.found)), id="kwic-title", markup=True)
        yield OptionList(*[Option(self._line(c), id=str(i)) for i, c in enumerate(self.found)], id="kwic")
        yield Static(_("Enter goes to the text · esc back"), classes="status")
        yield Footer()

    def _line(self, found: Any) -> Text:
        width = max(20, (self.app.size.width - 8 - len(found.word)) // 2)
        left = " ".join(found.left.split())[-width:].rjust(width)
        right = " ".join(found.right.split())[:width]
        line = Text(left, style="dim")
        line.append(f" {found.word} ", style="bold reverse")
        line.append(right)
        line.append(f"\n  {found.document_title}" + (f" · {found.municipality}" if found.municipality else ""),
                    style="italic dim")
        return line

