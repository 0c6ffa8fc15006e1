"""The pseudonym register: every entry (original, pseudonym, category), adding and removing entries,
and the candidates that detection finds in the text (CPR numbers, phone numbers, e-mail and street
addresses, names) for a person to review. Nothing in the documents is replaced from here.

Keys: a adds an entry (on a candidate: that candidate) · Delete removes the highlighted entry, after a
question · c shows the candidates or the register · A puts the register into the documents, after a
dry run's count and a question (as `fieldnotes pseudonyms apply`; it cannot be undone).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Header, Input, Label, Select, Static

from fieldnotes.tui import guards
from fieldnotes.tui.i18n import N_, _
from fieldnotes.tui.screens.back import BackScreen
from fieldnotes.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from fieldnotes.privacy.register import Listed as Entry

CATEGORIES = ("person", "place", "workplace", "organisation", "other")
CATEGORY_NAMES = {"person": N_("person"), "place": N_("place"), "workplace": N_("workplace"),
                  "organisation": N_("organisation"), "other": N_("other")}
KIND_NAMES = {"cpr": N_("CPR number"), "phone": N_("phone"), "email": N_("e-mail"), "address": N_("address"),
              "name": N_("name")}
#: the category a candidate of each kind is added with
KIND_CATEGORY = {"name": "person", "address": "place"}


@dataclass
class NewEntry:
    original: str
    pseudonym: str
    category: str


class EntryForm(ModalScreen[NewEntry | None]):
    """Original, pseudonym and category of a new register entry."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel")), Binding("ctrl+s", "save", N_("Save"), priority=True)]

    def __init__(self, original: str = "", category: str = "person") -> None:
        super().__init__()
        self.original = original
        self.category = category

    def compose(self) -> ComposeResult:
        with Vertical(id="pseudonym-form", classes="dialog"):
            yield Static(f"[b]{_('Add to the pseudonym register')}[/b]")
            yield Label(_("Original (as it is written in the material)"))
            yield Input(self.original, id="pf-original")
            yield Label(_("Pseudonym"))
            yield Input(id="pf-pseudonym")
            yield Label(_("Category"))
            yield Select([(_(CATEGORY_NAMES[c]), c) for c in CATEGORIES], value=self.category, allow_blank=False,
                         id="pf-category")
            yield Static(_("Enter in the last field or ctrl+s saves · esc cancels"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#pf-pseudonym" if self.original else "#pf-original", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "pf-original":
            self.query_one("#pf-pseudonym", Input).focus()
        else:
            self.action_save()

    def action_save(self) -> None:
        original = self.query_one("#pf-original", Input).value.strip()
        pseudonym = self.query_one("#pf-pseudonym", Input).value.strip()
        if not original or not pseudonym:
            self.notify(_("Give both the original and its pseudonym"), severity="warning")
            self.query_one("#pf-original" if not original else "#pf-pseudonym", Input).focus()
            return
        self.dismiss(NewEntry(original, pseudonym, str(self.query_one("#pf-category", Select).value)))

    def action_cancel(self) -> None:
        self.dismiss(None)


class PseudonymsScreen(BackScreen):
    BINDINGS = [
        Binding("a", "add", N_("Add"), tooltip=N_("Add an entry; on a candidate, add that candidate")),
        Binding("delete", "remove", N_("Remove"), tooltip=N_("Remove the highlighted entry (asks first)")),
        Binding("c", "switch_view", N_("Candidates / register"),
                tooltip=N_("Candidates found in the text (CPR, phone, e-mail, address, names), or the register")),
        Binding("enter", "open", N_("Go to text"), show=False, tooltip=N_("Open the document at the candidate")),
        Binding("A", "apply", N_("Apply"), show=False,
                tooltip=N_("Put the pseudonyms into the documents (counts first, asks, cannot be undone)")),
    ]
    #: how each action that removes or overwrites work is guarded (fieldnotes.tui.guards)
    GUARDED = {"remove": guards.ASKS, "apply": guards.ASKS}

    def __init__(self) -> None:
        super().__init__()
        self.view = "register"
        self.entries: list[Entry] = []
        self.candidates: list[Any] | None = None  # fieldnotes.privacy.detect.Candidate, read when first shown

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="pseudonym-view"):
            yield Static(id="ps-title")
            yield DataTable(id="ps-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="ps-detail")
        yield Static(id="ps-status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#ps-table", DataTable).focus()
        self.reload()

    def reload(self) -> None:
        app: Any = self.app
        project = app.project
        from fieldnotes.privacy.register import listing

        app.db(lambda: listing(project), self._loaded, group="pseudonyms", exclusive=True)
        if self.view == "candidates":
            self._detect()

    def _loaded(self, entries: list[Entry]) -> None:
        self.entries = entries
        if self.view == "register":
            self.show()

    def _detect(self) -> None:
        app: Any = self.app

        def work() -> list[Any]:
            from fieldnotes.privacy.detect import candidates_in

            return candidates_in(app.project)

        def done(found: list[Any]) -> None:
            self.candidates = found
            if self.view == "candidates":
                self.show()

        self.query_one("#ps-status", Static).update(_("Looking for candidates in every document …"))
        app.db(work, done, group="pseudonym-candidates", exclusive=True)

    def show(self) -> None:
        table = self.query_one("#ps-table", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        title = self.query_one("#ps-title", Static)
        status = self.query_one("#ps-status", Static)
        if self.view == "register":
            table.add_column(_("Category"), key="category")
            table.add_column(_("In text"), key="occurrences")
            table.add_column(_("Original"), key="original")
            table.add_column(_("Pseudonym"), key="pseudonym")
            for entry in self.entries:
                table.add_row(_(CATEGORY_NAMES.get(entry.category, entry.category)),
                              Text(str(entry.occurrences) if entry.occurrences else "", justify="right"),
                              Text(entry.original) if entry.original
                              else Text(_("(in the key file)"), style="italic dim"),
                              Text(entry.pseudonym, style="bold"), key=entry.id)
            title.update(_("[b]Pseudonym register[/b] · {n} entries").format(n=len(self.entries)))
            status.update(_("a add · Delete remove · c candidates · A apply to the documents (asks first)"))
        else:
            found = self.candidates or []
            table.add_column(_("Kind"), key="kind")
            table.add_column(_("Found"), key="text")
            table.add_column(_("Document"), key="document")
            for index, candidate in enumerate(found):
                table.add_row(_(KIND_NAMES.get(candidate.kind, candidate.kind)), Text(candidate.text, style="bold"),
                              Text(candidate.document_title[:40]), key=str(index))
            title.update(_("[b]Candidates[/b] · {n} not covered by the register").format(n=len(found)))
            status.update(_("a add to the register · Enter go to the text · c the register"))
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self._detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        detail = self.query_one("#ps-detail", Static)
        index = self.query_one("#ps-table", DataTable).cursor_row
        if self.view == "candidates" and self.candidates and index < len(self.candidates):
            candidate = self.candidates[index]
            note = f"  [i]{escape(candidate.note)}[/i]" if candidate.note else ""
            detail.update(f"{escape(candidate.context)}{note}\n[dim]{escape(candidate.document_title)} "
                          f"@{candidate.start}[/dim]")
        elif self.view == "register" and index < len(self.entries):
            entry = self.entries[index]
            attributes = ", ".join(f"{k}={v}" for k, v in entry.attributes.items())
            detail.update(f"[dim]{entry.id[:8]}[/dim]  {escape(attributes)}")
        elif self.view == "candidates" and self.candidates is not None and not self.candidates:
            detail.update(_("Nothing found: every CPR number, phone number, address and name the detector knows "
                            "is covered by the register"))
        else:
            detail.update("")

    # --- actions ----------------------------------------------------------------------------------
    def action_switch_view(self) -> None:
        self.view = "candidates" if self.view == "register" else "register"
        if self.view == "candidates" and self.candidates is None:
            self.show()
            self._detect()
        else:
            self.show()

    def _candidate(self) -> Any | None:
        index = self.query_one("#ps-table", DataTable).cursor_row
        if self.view != "candidates" or not self.candidates or index >= len(self.candidates):
            return None
        return self.candidates[index]

    def action_add(self) -> None:
        candidate = self._candidate()
        if candidate is not None:
            form = EntryForm(candidate.text, KIND_CATEGORY.get(candidate.kind, "other"))
        else:
            form = EntryForm()
        self.app.push_screen(form, self._add)

    def _add(self, new: NewEntry | None) -> None:
        if new is None:
            return
        app: Any = self.app

        def work() -> str:
            from fieldnotes.privacy import register

            entry = register.add_entry(app.project, app.coder, new.original, new.pseudonym, category=new.category)
            return f"{entry.original} → {entry.pseudonym}"

        def done(what: str) -> None:
            self.notify(_("Added to the register: {what}").format(what=what))
            self.candidates = None if self.view == "register" else self.candidates
            app.refresh_views()

        app.db(work, done, group="write")

    def action_remove(self) -> None:
        from fieldnotes.tui.screens.prompt import ConfirmScreen

        index = self.query_one("#ps-table", DataTable).cursor_row
        if self.view != "register" or index >= len(self.entries):
            self.notify(_("Highlight an entry of the register first (c shows the register)"), severity="warning")
            return
        entry = self.entries[index]
        question = _("Remove {original} → {pseudonym} from the register?").format(
            original=entry.original or _("(in the key file)"), pseudonym=entry.pseudonym)

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove(entry)

        self.app.push_screen(ConfirmScreen(question), answered)

    def _remove(self, entry: Entry) -> None:
        app: Any = self.app

        def work() -> None:
            import uuid

            from fieldnotes.privacy.register import remove_entry

            remove_entry(app.project, app.coder, uuid.UUID(entry.id))

        def done(_result: None) -> None:
            self.notify(_("Removed {pseudonym} from the register").format(pseudonym=entry.pseudonym))
            app.refresh_views()

        app.db(work, done, group="write")

    def action_open(self) -> None:
        candidate = self._candidate()
        if candidate is None:
            return
        app: Any = self.app
        app.open_document(candidate.document, select=(candidate.start, candidate.end))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    # --- applying in place --------------------------------------------------------------------------
    def action_apply(self) -> None:
        from fieldnotes.privacy.inplace import pending

        app: Any = self.app
        project = app.project
        app.db(lambda: pending(project), self._confirm_apply, group="pseudonym-apply")

    def _confirm_apply(self, found: list[Any]) -> None:
        from fieldnotes.tui.screens.prompt import ConfirmScreen

        if not found:
            self.notify(_("Nothing to replace: no original of the register occurs in the project"))
            return
        documents = len({o.document for o in found if o.table == "documents"})
        question = _("Replace {n} occurrences in {documents} documents (and other fields) with their pseudonyms and "
                     "redact the history? This cannot be undone.").format(n=len(found), documents=documents)

        def answered(yes: bool | None) -> None:
            if yes:
                self._apply()

        self.app.push_screen(ConfirmScreen(question), answered)

    def _apply(self) -> None:
        from fieldnotes.privacy.inplace import InPlace, apply_and_redact

        app: Any = self.app
        project, coder = app.project, app.coder

        def done(result: InPlace) -> None:
            applied = result.applied
            self.notify(_("Replaced {n} names in {documents} documents and {fields} other fields; {moved} codings "
                          "moved with their words; the history is redacted and undo stops here").format(
                n=applied.replacements, documents=applied.documents, fields=applied.fields,
                moved=applied.codings_moved), timeout=10)
            if applied.flagged:
                self.notify(_("{n} codings covered part of a name and are marked for review").format(
                    n=len(applied.flagged)), severity="warning", timeout=10)
            if result.backups:
                self.notify(_("{n} backups made before still hold the originals: {paths}").format(
                    n=len(result.backups), paths=", ".join(p.name for p in result.backups[:3])
                    + (" …" if len(result.backups) > 3 else "")),
                    severity="warning", timeout=15)
            for notice in result.notices:
                self.notify(notice, severity="warning", timeout=10)
            app.refresh_views()

        self.notify(_("Putting the pseudonyms into the project …"), timeout=3)
        app.db(lambda: apply_and_redact(project, coder), done, group="write")
