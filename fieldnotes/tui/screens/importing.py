"""Import, in the app: pick a file or folder (the tree, or type its path), give the kind, municipality, date
and participants that files do not set themselves, look at what would be imported, and import it.

The screen only collects choices and shows results: `importing.batch.plan` says what each file would get
and from where (front matter, a .meta.yaml, a manifest, or these fields), and `importing.batch.import_paths`
imports, one transaction per file, reporting refused files with their one-line reasons. Both run in workers.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import DataTable, DirectoryTree, Header, Input, Label, ProgressBar, Select, Static

from fieldnotes.tui.i18n import N_, _, kind_label
from fieldnotes.tui.screens.back import BackScreen
from fieldnotes.tui.widgets.footer import Footer

#: the kinds offered; blank means "as the files say, or guessed"
KINDS = ("interview", "observation", "minutes", "document")
#: the metadata the dialog asks for: (key in Planned.origin, field id)
FIELDS = (("kind", "imp-kind"), ("municipality", "imp-municipality"), ("date", "imp-date"),
          ("participants", "imp-participants"))


# the importer's names of metadata sources, as shown beside the fields
N_("front matter"), N_("manifest")


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


class ImportScreen(BackScreen):
    BINDINGS = [
        Binding("ctrl+s", "run_import", _("Import"), priority=True,
                tooltip=_("Import the files listed, as the preview shows them")),
    ]

    def __init__(self, start: Path | None = None) -> None:
        super().__init__()
        self.start = start or Path.cwd()
        self.planned: list[Any] = []
        self.running = False
        self.done = False
        self.refusals: list[str] = []  # after an import: each row's refusal reason ("" for the others)
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="imp-top"):
            with Vertical(id="imp-pick"):
                yield Label(_("File or folder"))
                yield Input(placeholder=_("e.g. interviews/ or notes/møde.docx"), id="imp-path")
                yield DirectoryTree(self.start, id="imp-tree")
            with Grid(id="imp-fields"):
                yield Label(_("Kind"))
                yield Select([(kind_label(k), k) for k in KINDS], prompt=_("from the files"), id="imp-kind")
                yield Static(id="imp-kind-from", classes="imp-from")
                yield Label(_("Municipality"))
                yield Input(placeholder=_("e.g. Søholm (separate with ;)"), id="imp-municipality")
                yield Static(id="imp-municipality-from", classes="imp-from")
                yield Label(_("Date"))
                yield Input(placeholder=_("YYYY-MM-DD"), id="imp-date")
                yield Static(id="imp-date-from", classes="imp-from")
                yield Label(_("Participants"))
                yield Input(placeholder=_("Name (role); Name (role)"), id="imp-participants")
                yield Static(id="imp-participants-from", classes="imp-from")
        yield DataTable(id="imp-preview", cursor_type="row", zebra_stripes=True)
        yield ProgressBar(id="imp-progress", show_eta=False)
        yield Static(id="imp-why", classes="status")
        yield Static(id="imp-status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        tree = self.query_one("#imp-tree", DirectoryTree)
        tree.root.set_label(self.start.name or str(self.start))
        table = self.query_one("#imp-preview", DataTable)
        table.add_columns(_("File"), _("Result"), _("Title"), _("Kind"), _("Date"), _("Municipality"),
                          _("Why / notes"))
        self.query_one("#imp-progress", ProgressBar).display = False
        self.query_one("#imp-why", Static).display = False
        self.query_one("#imp-path", Input).focus()
        self._say(_("Choose a file or a folder: type its path above, or pick it in the tree with Enter"))

    def _say(self, text: str) -> None:
        self.query_one("#imp-status", Static).update(text)

    # --- choosing -------------------------------------------------------------------------------------
    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#imp-path", Input).value = str(event.path)

    def on_directory_tree_directory_selected(self, event: DirectoryTree.DirectorySelected) -> None:
        self.query_one("#imp-path", Input).value = str(event.path)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._later()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._later()

    def _later(self) -> None:
        """Preview again shortly after the typing stops (every key would read every file again)."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(0.3, self.preview)

    def _path(self) -> Path | None:
        text = self.query_one("#imp-path", Input).value.strip()
        if not text:
            return None
        path = Path(text).expanduser()
        return path if path.is_absolute() else self.start / path

    def options(self) -> Any:
        """The dialog's choices as import options; a manifest.csv in the chosen folder is used, as it says."""
        from fieldnotes.dates import parse_date
        from fieldnotes.importing.batch import Options

        def value(name: str) -> str:
            return self.query_one(f"#imp-{name}", Input).value.strip()

        kind = self.query_one("#imp-kind", Select).value
        path = self._path()
        manifest = path / "manifest.csv" if path is not None and path.is_dir() else None
        return Options(kind=str(kind) if kind in KINDS else None, municipalities=_split(value("municipality")),
                       date=parse_date(value("date")) if value("date") else None,
                       participants=_split(value("participants")),
                       manifest=manifest if manifest is not None and manifest.is_file() else None)

    # --- the preview ----------------------------------------------------------------------------------
    def preview(self) -> None:
        if self.running:
            return
        path = self._path()
        if path is None:
            return
        if not path.exists():
            self._say(_("{path}: no such file or folder").format(path=escape(str(path))))
            return
        try:
            options = self.options()
        except Exception as error:  # a half-typed date: say so, keep the last preview
            self._say(f"[red]{escape(str(error))}[/red]")
            return
        app: Any = self.app

        def work() -> list[Any]:
            from fieldnotes.importing.batch import plan

            return plan(app.project, [path], options)

        self._say(_("Reading {path} …").format(path=escape(path.name or str(path))))
        app.db(work, self.show_plan, group="import-preview", exclusive=True)

    def show_plan(self, planned: list[Any]) -> None:
        if self.running:
            return
        self.done = False
        self.query_one("#imp-why", Static).display = False
        self.planned = planned
        table = self.query_one("#imp-preview", DataTable)
        table.clear()
        for item in planned:
            why = item.reason or "; ".join(item.notes)
            table.add_row(item.path, _result(item.status, planned=True), item.title, kind_label(item.kind) if
                          item.kind else "", item.date, "; ".join(item.municipalities), why)
        for key, field_id in FIELDS:
            self.query_one(f"#{field_id}-from", Static).update(_own_values(planned, key))
        counts = Counter(item.status for item in planned)
        manifest = self.options().manifest
        self._say(_("{n} to import · {s} skipped · {f} refused{manifest} · ctrl+s imports").format(
            n=counts["import"], s=counts["skipped"], f=counts["failed"],
            manifest=" · " + _("manifest: {name}").format(name=manifest.name) if manifest else ""))

    # --- importing ------------------------------------------------------------------------------------
    def action_run_import(self) -> None:
        if self.running:
            return
        path = self._path()
        if path is None or not path.exists():
            self._say(_("Choose a file or a folder first"))
            return
        try:
            options = self.options()
        except Exception as error:
            self._say(f"[red]{escape(str(error))}[/red]")
            return
        app: Any = self.app
        bar = self.query_one("#imp-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.running = True

        def progress(done: int, total: int, name: str) -> None:
            app.call_from_thread(self._progress, done, total, name)

        def work() -> Any:
            from fieldnotes.importing.batch import import_paths

            return import_paths(app.project, [path], options, coder_id=app.coder_id, coder_name=app.coder,
                                progress=progress)

        def failed() -> None:
            self.running = False
            bar.display = False

        app.db(work, self.show_report, group="import", failed=failed)

    def _progress(self, done: int, total: int, name: str) -> None:
        self.query_one("#imp-progress", ProgressBar).update(total=max(total, 1), progress=done)
        self._say(_("Importing {name} ({i} of {n})").format(name=escape(name), i=done + 1, n=total))

    def show_report(self, report: Any) -> None:
        self.running = False
        self.done = True
        bar = self.query_one("#imp-progress", ProgressBar)
        bar.update(total=1, progress=1)
        table = self.query_one("#imp-preview", DataTable)
        table.clear()
        self.refusals = []
        for result in report.results:
            why = result.reason or "; ".join(result.notes)
            table.add_row(result.path, _result(result.status, planned=False), result.title or "", "", "", "", why)
            self.refusals.append(why if result.status == "failed" else "")
        first = next((row for row, why in enumerate(self.refusals) if why), None)
        if first is not None:  # the table is wider than the screen: the first refusal's reason, in full, below it
            table.move_cursor(row=first)
            self._show_refusal(first)
        self._say(_("Imported {n} · skipped {s} · refused {f} · Esc goes back").format(
            n=report.count("imported"), s=report.count("skipped"), f=report.count("failed")))
        app: Any = self.app
        app.refresh_views()


    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.done:
            self._show_refusal(event.cursor_row)

    def _show_refusal(self, row: int) -> None:
        """A refused file's reason on its own line while its row is highlighted (after the import)."""
        why = self.refusals[row] if 0 <= row < len(self.refusals) else ""
        line = self.query_one("#imp-why", Static)
        line.update(escape(why))
        line.display = bool(why)


def _result(status: str, *, planned: bool) -> str:
    if status == "failed":
        return _("refused")
    if status == "skipped":
        return _("skipped")
    return _("will import") if planned else _("imported")


def _own_values(planned: list[Any], key: str) -> str:
    """What the files set themselves for one field, beside it: "Søholm ×2 (front matter)", and how many
    files take the field's value."""
    own: Counter[tuple[str, str]] = Counter()
    taking = 0
    for item in planned:
        if item.status == "failed":
            continue
        source = item.origin.get(key)
        if source is None or source == "flags":
            taking += 1
            continue
        value = {"kind": kind_label(item.kind), "date": item.date,
                 "municipality": "; ".join(item.municipalities),
                 "participants": "; ".join(item.participants)}[key]
        own[(value, source.split(" line ")[0] if source.startswith("manifest") else source)] += 1
    parts = [f"{escape(value)} ×{n} ({escape(_(source) if source in ('front matter', 'manifest') else source)})"
             for (value, source), n in own.most_common(3)]
    if len(own) > 3:
        parts.append("…")
    if taking and own:
        parts.append(_("this field: {n} files").format(n=taking))
    return "[dim]" + ("; ".join(parts) if parts else (_("this field: all files") if taking else "")) + "[/dim]"
