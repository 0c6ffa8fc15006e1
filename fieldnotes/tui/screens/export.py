"""The export dialog: it collects the choices and hands them to the headless exporter.

It starts from the filters of the screen it was opened from (a theme), lets the user narrow them
(codes, municipalities, kinds, dates, coders), choose the format, whether names are replaced, and the
file name, shows progress while the file is written, and says where it went. Opened from a list of
passages (a matrix cell's excerpts, where two codes meet) it exports exactly the listed passages: the
filters are not offered, since no filter could say which passages those are.

The choice about names is stated in words ("Names replaced: yes" / "…: no"), never by a colour or a
glyph alone, with a line saying what it means; the status after the export repeats it. It starts
from the project's default (`fieldnotes.export.pseudonyms.decide`): with a pseudonym register, yes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, ProgressBar, Select, Static

from fieldnotes.export.pseudonyms import NAMES_REPLACED_NO, NAMES_REPLACED_YES, Names
from fieldnotes.queries.filters import Filters
from fieldnotes.tui.i18n import N_, _


@dataclass(frozen=True)
class Listed:
    """Exactly these passages: the codings a list on screen shows, and what the list is, in words."""

    codings: frozenset[str]
    title: str
    cell: Any = None  # fieldnotes.export.cells.Cell, when the list is a matrix cell's


@dataclass
class ExportChoices:
    format: str
    out: Path
    filters: Filters
    pseudonymize: bool | None  # None: the project's default, left as it was
    context: str | None
    group_by: str | None


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def default_name(filters: Filters, fmt: str) -> str:
    parts = [p.split("/")[-1] for p in filters.codes] + filters.municipalities + [f"fase {p}" for p in filters.phases]
    stem = "-".join(parts) or "uddrag"
    safe = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in stem).strip().replace(" ", "-")
    return f"{safe[:60]}.{fmt}"


class ExportScreen(ModalScreen[None]):
    BINDINGS = [Binding("ctrl+s", "export", N_("Export"), priority=True), Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, filters: Filters, names: Names, listed: Listed | None = None) -> None:
        super().__init__()
        self.filters = filters
        self.names = names  # the project's default decision about names
        self.listed = listed
        self.running = False

    def compose(self) -> ComposeResult:
        f = self.filters
        with Vertical(id="export-dialog", classes="dialog"):
            yield Static(f"[b]{_('Export excerpts')}[/b]", id="ex-title")
            # the key hint is docked: it stays in sight however far the fields below are scrolled
            yield Static(_("ctrl+s exports · esc cancels"), id="ex-message", classes="hint")
            with VerticalScroll(id="ex-fields"):
                if self.listed is not None:
                    yield Static(_("Exactly the {n} excerpts listed: {what}").format(
                        n=len(self.listed.codings), what=escape(self.listed.title)), id="ex-listed")
                with Vertical(id="ex-filters"):
                    yield Label(_("Codes or themes (separate with ;)"))
                    yield Input("; ".join(f.codes), id="ex-codes")
                    yield from self._filter_rows(f)
                with Horizontal(classes="export-row"):
                    with Vertical(classes="export-field"):
                        yield Label(_("Format"))
                        yield Select([("Word (.docx)", "docx"), ("Excel (.xlsx)", "xlsx"), ("CSV", "csv")],
                                     value="docx", allow_blank=False, id="ex-format")
                    with Vertical(classes="export-field"):
                        yield Label(_("Context"))
                        yield Select([(_("no context"), ""), (_("the sentence"), "sentence"),
                                      (_("the speaker turn"), "turn")],
                                     value="sentence", allow_blank=False, id="ex-context")
                    with Vertical(classes="export-field"):
                        yield Label(_("Grouping"))
                        yield Select([(_("not grouped"), ""), (_("by municipality"), "municipality"),
                                      (_("by document"), "document"), (_("by phase"), "phase"),
                                      (_("by kind"), "kind"), (_("by coder"), "coder")],
                                     value="municipality" if not f.municipalities else "", allow_blank=False,
                                     id="ex-group")
                with Horizontal(classes="export-row"):
                    with Vertical(classes="export-field", id="ex-file-field"):
                        yield Label(_("File"))
                        yield Input(str(Path.cwd() / default_name(f, "docx")), id="ex-file")
                    with Vertical(classes="export-field", id="ex-names-field"):
                        yield Label(_("Names"))
                        yield Select([(_(NAMES_REPLACED_YES), "yes"), (_(NAMES_REPLACED_NO), "no")],
                                     value="yes" if self.names.replaced else "no", allow_blank=False,
                                     disabled=not self.names.register, id="ex-names")
                yield Static(self.names_state("yes" if self.names.replaced else "no"), id="ex-names-state")
            yield ProgressBar(id="ex-progress", show_eta=False)

    def _filter_rows(self, f: Filters) -> ComposeResult:
        with Horizontal(classes="export-row"):
            with Vertical(classes="export-field"):
                yield Label(_("Municipalities"))
                yield Input("; ".join(f.municipalities), id="ex-municipalities")
            with Vertical(classes="export-field"):
                yield Label(_("Kinds"))
                yield Input("; ".join(f.kinds), id="ex-kinds")
        with Horizontal(classes="export-row"):
            with Vertical(classes="export-field"):
                yield Label(_("From (YYYY-MM-DD)"))
                yield Input(f.date_from.isoformat() if f.date_from else "", id="ex-from")
            with Vertical(classes="export-field"):
                yield Label(_("To"))
                yield Input(f.date_to.isoformat() if f.date_to else "", id="ex-to")
            with Vertical(classes="export-field"):
                yield Label(_("Coders"))
                yield Input("; ".join(f.coders), id="ex-coders")

    def on_mount(self) -> None:
        self.query_one("#ex-progress", ProgressBar).display = False
        self.query_one("#ex-filters").display = self.listed is None
        self.query_one("#ex-file", Input).focus()

    def names_state(self, choice: str) -> str:
        """What the choice about names means, in a sentence."""
        if not self.names.register:
            return _("The project has no pseudonym register, so names are exported as written.")
        if choice == "no":
            return _("The file will hold the names as written. The audit trail records this choice.")
        if not self.names.text.active:
            return _("The project holds pseudonyms only; the key to them is kept apart.")
        return _("Names from the pseudonym register ({n} entries) are replaced with pseudonyms.").format(
            n=self.names.entries)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "ex-names":
            self.query_one("#ex-names-state", Static).update(self.names_state(str(event.value)))
        if event.select.id == "ex-format":
            field = self.query_one("#ex-file", Input)
            path = Path(field.value)
            field.value = str(path.with_suffix(f".{event.value}"))

    def _typed_filters(self, value: Any) -> Filters:
        from fieldnotes.dates import parse_date

        return dataclasses.replace(
            self.filters, codes=_split(value("codes")), municipalities=_split(value("municipalities")),
            kinds=_split(value("kinds")), coders=_split(value("coders")),
            date_from=parse_date(value("from"), "from date") if value("from") else None,
            date_to=parse_date(value("to"), "to date") if value("to") else None)

    def choices(self) -> ExportChoices:
        def value(name: str) -> str:
            return self.query_one(f"#ex-{name}", Input).value.strip()

        # exactly the listed passages: the filters are not offered
        filters = self.filters if self.listed is not None else self._typed_filters(value)
        fmt = str(self.query_one("#ex-format", Select).value)
        context = str(self.query_one("#ex-context", Select).value) or None
        group = str(self.query_one("#ex-group", Select).value) or None
        out = Path(value("file")).expanduser()
        chosen = self.query_one("#ex-names", Select).value == "yes"
        # left at the project's default, the audit says so; changed, it records the user's explicit choice
        pseudonymize = None if chosen == self.names.replaced or not self.names.register else chosen
        return ExportChoices(fmt, out, filters, pseudonymize, context, group)

    def action_export(self) -> None:
        if self.running:
            return
        try:
            choices = self.choices()
        except Exception as error:  # a bad date: say it here, keep the dialog open
            self.query_one("#ex-message", Static).update(f"[red]{escape(str(error))}[/red]")
            return
        app: Any = self.app
        bar = self.query_one("#ex-progress", ProgressBar)
        bar.display = True
        self.running = True

        def progress(done: int, total: int) -> None:
            app.call_from_thread(bar.update, total=max(total, 1), progress=done)

        def work() -> Any:
            from fieldnotes.export.exporter import ExportRequest, export

            listed = self.listed
            request = ExportRequest(format=choices.format, out=choices.out, filters=choices.filters,
                                    exported_by=app.coder, lang=app.lang, context=choices.context,
                                    group_by=choices.group_by if choices.format == "docx" else None,
                                    pseudonymize=choices.pseudonymize,
                                    codings=listed.codings if listed is not None else None,
                                    selection=listed.title if listed is not None and listed.cell is None else None,
                                    cell=listed.cell if listed is not None else None)
            return export(app.project, request, progress=progress)

        def done(result: Any) -> None:
            self.running = False
            app.notify(_("Wrote {n} excerpts to {file}. {names}").format(
                n=result.excerpts, file=result.path, names=result.names.words(_)), timeout=10)
            self.dismiss(None)

        def failed() -> None:
            self.running = False
            bar.display = False

        app.db(work, done, group="export", failed=failed)

    def action_cancel(self) -> None:
        if not self.running:
            self.dismiss(None)
