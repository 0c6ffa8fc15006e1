"""Home: the project at a glance — counts, municipalities, coders, recent documents and codings."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.widgets import DataTable, Header, Static

from fieldnotes.queries.overview import HomeData, home_of
from fieldnotes.tui.i18n import N_, _, format_date, format_number, kind_label, ngettext
from fieldnotes.tui.screens.back import BackScreen
from fieldnotes.tui.widgets.footer import Footer


def _count(n: int, phrase: str, bold: bool) -> str:
    """A translated count phrase ("{count} dokument" / "{count} dokumenter") with its number as the language
    writes it."""
    shown = format_number(n)
    return phrase.format(count=f"[b]{shown}[/b]" if bold else shown)


def documents_count(n: int, *, bold: bool = False) -> str:
    """'1 dokument', '25 dokumenter': the catalog's plural forms, not one word for every count."""
    return _count(n, ngettext("{count} document", "{count} documents", n), bold)


def codings_count(n: int, *, bold: bool = False) -> str:
    return _count(n, ngettext("{count} coding", "{count} codings", n), bold)


class HomeScreen(BackScreen):
    BINDINGS = [
        Binding("i", "import", N_("Import"), tooltip=N_("Import files or a folder: interviews, notes, minutes")),
        Binding("enter", "open_selected", N_("Open"), tooltip=N_("Open the highlighted document")),
        Binding("t", "timeline", N_("Timeline"),
                tooltip=N_("The fieldwork timeline: documents per municipality and month, by kind")),
        Binding("c", "coder", N_("Coder"), tooltip=N_("Switch who you are coding as: a coder of the project or a "
                                                       "new name")),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Home is where Esc leads: nothing to go back to, so no Esc in the footer
        return action != "back"

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="home"):
            yield Static(id="home-title")
            yield Static(id="welcome", classes="panel")
            with Grid(id="home-grid"):
                yield Static(id="home-counts", classes="panel")
                yield Static(id="home-people", classes="panel")
            yield Static(_("Recent documents"), classes="section-title")
            yield DataTable(id="recent-documents", cursor_type="row", zebra_stripes=True)
            yield Static(_("Recent codings"), classes="section-title")
            yield DataTable(id="recent-codings", cursor_type="row", zebra_stripes=True)
            yield Static(id="home-hint", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#welcome").display = False
        docs = self.query_one("#recent-documents", DataTable)
        docs.add_columns(_("Date"), _("Title"), _("Kind"))
        codings = self.query_one("#recent-codings", DataTable)
        codings.add_columns(_("Code"), _("Coder"), _("Document"), _("Excerpt"))
        self.reload()
        self._shown_once = False

    def on_screen_resume(self) -> None:
        """Back on Home (from a document, say): what you opened or coded there is now recent."""
        if self._shown_once:
            self.reload()
        self._shown_once = True

    def reload(self) -> None:
        app: Any = self.app

        app.db(lambda: home_of(app.project), self.show, group="home", exclusive=True)

    def show(self, data: HomeData) -> None:
        self.query_one("#home-title", Static).update(f"[b]{escape(data.name)}[/b]\n[dim]{escape(data.location)}[/dim]")
        counts = data.counts
        self._welcome(counts["documents"] == 0)
        codes = ngettext("{count} code", "{count} codes", counts["codes"])
        memos = ngettext("{count} memo", "{count} memos", counts["memos"])
        lines = [
            documents_count(counts["documents"], bold=True) + "   " + codings_count(counts["codings"], bold=True),
            _count(counts["codes"], codes, True) + "   " + _count(counts["memos"], memos, True),
            f"{_('Fieldwork start')}: {format_date(data.start) or _('not set')}",
        ]
        if data.municipalities:
            lines.append("")
            lines.append(f"[b]{_('Municipalities')}[/b]")
            lines += [f"  {escape(name)}: {documents_count(n)}" for name, n in data.municipalities]
        self.query_one("#home-counts", Static).update("\n".join(lines))
        app: Any = self.app
        you = _("You are coding as {coder}.").format(coder=f"[b]{escape(app.coder)}[/b]")
        people = [you, "", f"[b]{_('Coders')}[/b]"] + [f"  {escape(name)}: {codings_count(n)}"
                                                     for name, n in data.coders]
        self.query_one("#home-people", Static).update("\n".join(people))
        docs = self.query_one("#recent-documents", DataTable)
        docs.clear()
        for row in data.recent_documents:
            docs.add_row(format_date(row["date"], "short"), row["title"], kind_label(row["kind"]), key=str(row["id"]))
        codings = self.query_one("#recent-codings", DataTable)
        codings.clear()
        for row in data.recent_codings:
            codings.add_row(row["code"], row["coder"], row["document"], row["text"],
                            key=f"{row['document_id']}:{row['id']}")
        hint = _("Press d for documents, b for the codebook, e for excerpts, ? for help, ctrl+p for every command.")
        self.query_one("#home-hint", Static).update(hint)

    def _welcome(self, empty: bool) -> None:
        """An empty project opens on what to do first; the counts and lists come with the first document."""
        welcome = self.query_one("#welcome", Static)
        welcome.display = empty
        for widget in self.query("#home-grid, #recent-documents, #recent-codings, .section-title, #home-hint"):
            widget.display = not empty
        if not empty:
            return
        app: Any = self.app
        first = _("Press [b]i[/b] to import interviews, observation notes and minutes: one file or a whole "
                  "folder (.txt, .md, .docx, .odt, .rtf, .pdf, .vtt, .srt).")
        second = _("Open a document from Documents ([b]d[/b]) and code it: [b]s[/b] selects a sentence, "
                   "[b]c[/b] codes it.")
        third = _("Search with [b]/[/b], and export excerpts to Word with [b]ctrl+e[/b].")
        steps = [
            "[b]" + _("Welcome. This project has no documents yet.") + "[/b]",
            "",
            f"[b]1[/b]  {first}",
            f"[b]2[/b]  {second}",
            f"[b]3[/b]  {third}",
            "",
            _("You are coding as {coder}.").format(coder=f"[b]{escape(app.coder)}[/b]") + "  " +
            _("[b]?[/b] lists every key, [b]ctrl+p[/b] every command."),
        ]
        welcome.update("\n".join(steps))

    def action_import(self) -> None:
        app: Any = self.app
        app.action_import()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a focused list: the table takes the key, so its selection opens the document."""
        event.stop()
        self._open(event.data_table)

    def action_open_selected(self) -> None:
        self._open(self.focused if isinstance(self.focused, DataTable)
                   else self.query_one("#recent-documents", DataTable))

    def _open(self, table: DataTable[Any]) -> None:
        import uuid

        if table.row_count == 0:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        document = key.split(":")[0]
        app: Any = self.app
        app.open_document(uuid.UUID(document))

    def action_coder(self) -> None:
        app: Any = self.app
        app.switch_coder()

    def action_timeline(self) -> None:
        app: Any = self.app
        app.action_timeline()
