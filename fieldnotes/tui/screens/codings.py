"""The codings list: every coding shown in the reader, with its code, coder, place, first words and a
memo mark, sorted by position or by code. Enter takes the reader to the coding and chooses it; the key
that opened it (C) or Esc closes it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static
from textual.widgets.data_table import RowDoesNotExist

from fieldnotes.queries.overview import CodingMark, DocumentView
from fieldnotes.tui.i18n import N_, _

BY_POSITION, BY_CODE = "position", "code"


def cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def first_words(text: str, width: int) -> str:
    """The start of a coded passage on one line, cut at a word to `width` characters."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    cut = flat[: max(1, width - 1)]
    if " " in cut[width // 2:]:
        cut = cut[: cut.rfind(" ")]
    return cut + "…"


class CodingsScreen(ModalScreen[uuid.UUID | None]):
    BINDINGS = [
        Binding("enter", "open", N_("Go to coding"), tooltip=N_("Go to the highlighted coding and choose it")),
        Binding("s", "sort", N_("Sort"), tooltip=N_("Sort by position in the text, or by code (codebook order)")),
        Binding("C,escape", "close", N_("Close"), tooltip=N_("Close the list (C or Esc)")),
    ]

    def __init__(self, view: DocumentView, marks: Sequence[CodingMark], current: uuid.UUID | None,
                 code_order: dict[uuid.UUID, int] | None = None) -> None:
        super().__init__()
        self.view = view
        self.marks = list(marks)
        self.current = current
        self.code_order = code_order or {}
        self.order = BY_POSITION

    def compose(self) -> ComposeResult:
        with Vertical(id="codings", classes="dialog"):
            yield Static(id="codings-title")
            yield DataTable(id="codings-table", cursor_type="row", zebra_stripes=True)
            yield Static(_("Enter: go to the coding · s: sort · C or Esc: close"),
                         id="codings-keys", classes="status")

    def on_mount(self) -> None:
        table: DataTable[Text | str] = self.query_one(DataTable)
        table.add_column(_("Code"), key="code")
        table.add_column(_("Coder"), key="coder")
        table.add_column(_("Where"), key="where")
        table.add_column(_("First words"), key="words")
        table.add_column("✎", key="memo")
        self._fill()
        table.focus()

    def sorted_marks(self) -> list[CodingMark]:
        if self.order == BY_CODE:
            last = len(self.code_order)
            return sorted(self.marks, key=lambda m: (self.code_order.get(m.code_id, last), m.code_path, m.start,
                                                     m.end))
        return sorted(self.marks, key=lambda m: (m.start, m.end))

    def _fill(self) -> None:
        from fieldnotes.tui.screens.reader import describe_place

        table: DataTable[Text | str] = self.query_one(DataTable)
        keep = self.current
        if table.row_count:
            keep = uuid.UUID(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))
        table.clear()
        # the columns fit the dialog (95% of the screen, at most 170 wide): no sideways scrolling
        inner = min(170, int(self.app.size.width * 0.95)) - 4
        narrow = inner < 100
        code_width = 20 if narrow else 40
        coder_width = min(16, max((len(m.coder) for m in self.marks), default=5))
        where_width = 10 if narrow else min(46, max(10, inner // 3 - 4))
        words = max(12, inner - code_width - coder_width - where_width - 1 - 2 * 5)
        for mark in self.sorted_marks():
            # the code's own name first, in full where it fits, then (dim) the branch of the codebook it is in
            parent = mark.code_path.rpartition("/")[0]
            code = Text.assemble(("■ ", mark.color), mark.code_name, (f" · {parent}" if parent and not narrow else "",
                                                                      "dim"))
            code.truncate(code_width, overflow="ellipsis")
            place = self.view.place(mark.start, mark.end)
            where = _("para. {n}").format(n=place.paragraph) if narrow else describe_place(place)
            table.add_row(code, cut(mark.coder, coder_width), cut(where, where_width),
                          first_words(self.view.text[mark.start:mark.end], words), "✎" if mark.memo else "",
                          key=str(mark.id))
        if keep is not None:
            try:
                table.move_cursor(row=table.get_row_index(str(keep)))
            except RowDoesNotExist:  # not listed (the coder filter hides it): the list starts at the top
                pass
        order = _("by position") if self.order == BY_POSITION else _("by code")
        self.query_one("#codings-title", Static).update(
            _("[b]Codings[/b] in {title} · {n} · sorted {order}").format(
                title=escape(self.view.title), n=len(self.marks), order=order))

    def action_sort(self) -> None:
        self.order = BY_CODE if self.order == BY_POSITION else BY_POSITION
        self._fill()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        wanted = {"code": BY_CODE, "where": BY_POSITION}.get(str(event.column_key.value))
        if wanted is not None and wanted != self.order:
            self.action_sort()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(uuid.UUID(str(event.row_key.value)))

    def action_open(self) -> None:
        table: DataTable[Text | str] = self.query_one(DataTable)
        if table.row_count:
            self.dismiss(uuid.UUID(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)))

    def action_close(self) -> None:
        self.dismiss(None)
