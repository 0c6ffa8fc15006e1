"""Co-occurrence: which pairs of codes meet in the text (overlapping, in the same speaker turn or in
the same paragraph), most frequent first; Enter lists the excerpts where the highlighted pair meets,
and from there ctrl+e exports them to Word.

Keys: w cycles where codes meet · Enter lists the pair's excerpts.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from fieldnotes.queries.filters import Filters
from fieldnotes.tui.i18n import N_, _

WITHIN = ("overlap", "turn", "paragraph")
WITHIN_NAMES = {"overlap": N_("overlapping in the text"), "turn": N_("in the same speaker turn"),
                "paragraph": N_("in the same paragraph")}
COUNT_NAMES = {"overlap": N_("Overlaps"), "turn": N_("Turns"), "paragraph": N_("Paragraphs")}
MIN_NAME = 12


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


class CooccurrenceScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "drill", _("Excerpts"), tooltip=_("List the excerpts where the highlighted pair meets")),
        Binding("w", "within", _("Where"), tooltip=_("Count pairs that overlap, share a speaker turn or a paragraph")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.within = "overlap"
        self.data: Any = None  # fieldnotes.analysis.cooccurrence.Cooccurrence
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="co-view"):
            yield Static(id="co-title")
            yield DataTable(id="co-pairs", cursor_type="row", zebra_stripes=True)
            yield Static(id="co-detail")
        yield Static(id="co-status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#co-pairs", DataTable).focus()
        self.reload()

    def on_resize(self, event: events.Resize) -> None:
        if self.data is not None and event.size.width != self._width:
            self.show(self.data)

    def reload(self) -> None:
        app: Any = self.app
        within = self.within

        def work() -> Any:
            from fieldnotes.analysis.cooccurrence import cooccurrence

            with app.project.read() as session:
                return cooccurrence(session, Filters(), within)

        app.db(work, self.show, group="cooccurrence", exclusive=True)

    def show(self, data: Any) -> None:
        self.data = data
        self._width = self.size.width
        table = self.query_one("#co-pairs", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        count_label, docs_label = _(COUNT_NAMES[data.within]), _("Documents")
        numbers = max([len(count_label), *(len(str(p.count)) for p in data.pairs)]) + max(
            len(docs_label), 3) + 4
        name_width = max(MIN_NAME, (self.size.width - numbers - 4 - 4) // 2)
        table.add_column(_("Code"), key="a")
        table.add_column(_("meets"), key="b")
        table.add_column(count_label, key="count")
        table.add_column(docs_label, key="documents")
        for index, pair in enumerate(data.pairs):
            table.add_row(Text(_cut(pair.code_a_path.rsplit("/", 1)[-1], name_width)),
                          Text(_cut(pair.code_b_path.rsplit("/", 1)[-1], name_width)),
                          Text(str(pair.count), justify="right", style="bold"),
                          Text(str(pair.documents), justify="right"), key=str(index))
        if data.pairs:
            table.move_cursor(row=min(row, len(data.pairs) - 1))
        self.query_one("#co-title", Static).update(
            _("[b]Codes that meet[/b] · {within} · {n} pairs").format(
                within=_(WITHIN_NAMES[data.within]), n=len(data.pairs)))
        self.query_one("#co-status", Static).update(_("Enter: where they meet · w: overlap / turn / paragraph"))
        self._detail()

    def _pair(self) -> Any | None:
        table = self.query_one("#co-pairs", DataTable)
        if self.data is None or not self.data.pairs or table.cursor_row >= len(self.data.pairs):
            return None
        return self.data.pairs[table.cursor_row]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        pair = self._pair()
        detail = self.query_one("#co-detail", Static)
        if pair is None:
            detail.update(_("No two codes meet here") if self.data is not None else "")
            return
        codings = self.data.codings
        detail.update(Text.assemble(
            (pair.code_a_path, "bold"), f" ({codings.get(pair.code_a_path, 0)})  ×  ",
            (pair.code_b_path, "bold"), f" ({codings.get(pair.code_b_path, 0)})\n",
            (_("{count} times in {documents} documents; in brackets each code's codings").format(
                count=pair.count, documents=pair.documents), "dim")))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_drill()

    def action_within(self) -> None:
        self.within = WITHIN[(WITHIN.index(self.within) + 1) % len(WITHIN)]
        self.reload()

    def action_drill(self) -> None:
        pair = self._pair()
        if pair is None:
            self.notify(_("No pair is highlighted"), severity="warning")
            return
        app: Any = self.app
        # what the table shows (a `w` not yet reloaded must not change the drill-down under its title)
        within = self.data.within if self.data is not None else self.within

        def work() -> list[Any]:
            from fieldnotes.analysis.cooccurrence import pair_excerpts

            with app.project.read() as session:
                return pair_excerpts(session, Filters(), within, pair.code_a, pair.code_b, context="sentence")

        def done(found: list[Any]) -> None:
            from fieldnotes.tui.screens.matrix import MatrixCellScreen

            documents = sorted({e.document for e in found})
            filters = Filters(codes=[pair.code_a_path, pair.code_b_path], descendants=False, documents=documents)
            note = _("The export holds every excerpt of the two codes in the {n} documents where they meet "
                     "(an export filter cannot name single excerpts)").format(n=len(documents))
            title = _("{a} × {b} · {within} · {count} times").format(
                a=pair.code_a_path, b=pair.code_b_path, within=_(WITHIN_NAMES[within]), count=pair.count)
            self.app.push_screen(MatrixCellScreen(title, found, filters if found else None, note=note))

        app.db(work, done, group="cooccurrence-pair")
