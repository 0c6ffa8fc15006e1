"""Documents: a table of all material with filters and a sort; Enter opens the reader."""

from __future__ import annotations

import uuid
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Static

from fieldnotes.translations import said
from fieldnotes.tui import guards
from fieldnotes.tui.i18n import N_, _, format_date, kind_label
from fieldnotes.tui.screens.back import BackScreen, go_back
from fieldnotes.tui.widgets.footer import Footer

SORTS = ("date", "title", "kind", "municipality", "codings")
SORT_NAMES = {"date": N_("date"), "title": N_("title"), "kind": N_("kind"), "municipality": N_("municipality"),
              "codings": N_("codings")}


class DocumentsScreen(BackScreen):
    BINDINGS = [
        Binding("enter", "open", N_("Open"), tooltip=N_("Open the document in the reader")),
        Binding("f", "focus_filter", N_("Filter"),
                tooltip=N_("Filter: words in title, municipality, kind, activity, date or coder")),
        Binding("s", "cycle_sort", N_("Sort"), tooltip=N_("Sort by date, title, kind, municipality or codings")),
        Binding("m", "edit_metadata", N_("Metadata"), tooltip=N_("Edit the document's metadata")),
        Binding("n", "new_note", N_("New note"), tooltip=N_("Write a new observation note or memo")),
        Binding("escape", "clear_filter", N_("Back"), show=False,
                tooltip=N_("Clear the filter; with no filter, back to Home")),
    ]
    #: how each action that removes or overwrites work is guarded (fieldnotes.tui.guards)
    GUARDED = {"edit_metadata": guards.ASKS}

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.sort = "date"

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="doc-filters"):
            yield Input(placeholder=_("Filter: words in title, municipality, kind, activity, date or coder"),
                        id="doc-filter")
        yield DataTable(id="documents", cursor_type="row", zebra_stripes=True)
        yield Static(id="doc-status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#documents", DataTable)
        table.add_columns(_("Date"), _("Title"), _("Municipality"), _("Kind"), _("Codings"), _("Activity"))
        table.focus()
        self.reload()

    def reload(self) -> None:
        app: Any = self.app

        def work() -> list[dict[str, Any]]:
            from fieldnotes.queries.overview import documents_table

            with app.project.read() as session:
                return documents_table(session)

        app.db(work, self.show, group="documents", exclusive=True)

    def show(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self._fill()

    def _matches(self, row: dict[str, Any], words: list[str]) -> bool:
        haystack = " ".join(str(row.get(k) or "") for k in ("title", "municipality", "kind", "activity", "date"))
        haystack = (haystack + " " + " ".join(row.get("coders", []))).casefold()
        return all(word in haystack for word in words)

    def _fill(self) -> None:
        table = self.query_one("#documents", DataTable)
        words = self.query_one("#doc-filter", Input).value.casefold().split()
        rows = [r for r in self.rows if self._matches(r, words)]
        key = self.sort
        rows.sort(key=lambda r: (r.get(key) is None, r.get(key) if key != "title" else str(r["title"]).casefold()),
                  reverse=key == "codings")
        table.clear()
        for row in rows:
            table.add_row(format_date(row["date"], "short"), row["title"], row["municipality"] or "",
                          kind_label(row["kind"]),
                          str(row["codings"]), row["activity"] or "", key=row["id"])
        self.query_one("#doc-status", Static).update(
            _("{shown} of {total} documents · sorted by {sort} · f filter · s sort · Enter open").format(
                shown=len(rows), total=len(self.rows), sort=_(SORT_NAMES[self.sort])))

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#documents", DataTable).focus()

    def action_focus_filter(self) -> None:
        self.query_one("#doc-filter", Input).focus()

    def action_clear_filter(self) -> None:
        """Esc: clear the filter and go to the table; with nothing to clear, go back."""
        box = self.query_one("#doc-filter", Input)
        if not box.value and not box.has_focus:
            go_back(self)
            return
        box.value = ""
        self.query_one("#documents", DataTable).focus()

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._fill()

    def _selected(self) -> str | None:
        table = self.query_one("#documents", DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_open(self) -> None:
        selected = self._selected()
        if selected:
            app: Any = self.app
            app.open_document(uuid.UUID(selected))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            app: Any = self.app
            app.open_document(uuid.UUID(event.row_key.value))

    def action_edit_metadata(self) -> None:
        selected = self._selected()
        if not selected:
            return
        row = next(r for r in self.rows if r["id"] == selected)
        from fieldnotes.tui.screens.metadata import MetadataScreen

        def saved(changes: dict[str, str] | None) -> None:
            if not changes:
                return
            app: Any = self.app

            def work() -> int:
                from fieldnotes.documents.store import resolve, set_metadata
                from fieldnotes.project.actions import acting

                with acting(app.project, app.coder, "doc.set", said("changed {changes} of {title!r}",
                                                                    changes=', '.join(changes),
                                                                        title=row['title'])) as (
                        session, coder_id):
                    doc = resolve(session, selected)
                    for key, value in changes.items():
                        set_metadata(session, doc, key, value, coder_id=coder_id)
                return len(changes)

            app.db(work, lambda n: (app.notify(_("Saved {n} change(s)").format(n=n)), app.refresh_views()),
                   group="write")

        self.app.push_screen(MetadataScreen(row), saved)

    def action_new_note(self) -> None:
        from fieldnotes.tui.screens.note import NewNote, NoteScreen

        municipalities = sorted({m for row in self.rows for m in row.get("municipalities", [])})

        def saved(note: NewNote | None) -> None:
            if note is None:
                return
            app: Any = self.app

            def work() -> uuid.UUID:
                from fieldnotes.documents.store import NewDocument, add_document
                from fieldnotes.project.actions import acting

                with acting(app.project, app.coder, "new", said("wrote {title!r}", title=note.title)) as (session,
                        coder_id):
                    added = add_document(session, NewDocument(
                        text=note.text, title=note.title, kind=note.kind, date=note.date,
                        activity=note.activity or None,
                        municipalities=[m.strip() for m in note.municipality.split(";") if m.strip()]),
                        coder_id=coder_id)
                    return added.document.id

            def done(document_id: uuid.UUID) -> None:
                app.notify(_("Saved {title}").format(title=note.title))
                app.refresh_views()
                app.open_document(document_id)

            app.db(work, done, group="write")

        self.app.push_screen(NoteScreen(municipalities), saved)
