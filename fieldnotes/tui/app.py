"""The fieldnotes terminal app.

Screens collect input and show results; every piece of database work runs through `App.db`, which
runs a library function in a thread worker (so the interface never freezes) and hands the result
back to the screen on the UI thread. Errors become notices; unexpected ones are logged, too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from fieldnotes.errors import FieldnotesError
from fieldnotes.project.opening import Project
from fieldnotes.tui.i18n import N_, _, use

T = TypeVar("T")


class FieldnotesApp(App[None]):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "fieldnotes"
    ENABLE_COMMAND_PALETTE = True

    #: the app's modes, each a screen with its own stack, imported when first shown
    MODE_SCREENS: ClassVar[dict[str, str]] = {
        "home": "fieldnotes.tui.screens.home:HomeScreen",
        "documents": "fieldnotes.tui.screens.documents:DocumentsScreen",
        "codebook": "fieldnotes.tui.screens.codebook:CodebookScreen",
        "excerpts": "fieldnotes.tui.screens.excerpts:ExcerptsScreen",
        "matrix": "fieldnotes.tui.screens.matrix:MatrixScreen",
        "search": "fieldnotes.tui.screens.search:SearchScreen",
        "cooccurrence": "fieldnotes.tui.screens.cooccurrence:CooccurrenceScreen",
        "words": "fieldnotes.tui.screens.words:WordsScreen",
        "pseudonyms": "fieldnotes.tui.screens.pseudonyms:PseudonymsScreen",
    }
    DEFAULT_MODE = "home"
    #: how often the app looks whether someone else changed the project (seconds)
    POLL_SECONDS = 2.5

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", N_("Quit"), priority=True),
        Binding("question_mark,f1", "help", N_("Help")),
        Binding("h", "switch_mode('home')", N_("Home"), show=False),
        Binding("d", "switch_mode('documents')", N_("Documents")),
        Binding("b", "switch_mode('codebook')", N_("Codebook")),
        Binding("e", "switch_mode('excerpts')", N_("Excerpts")),
        Binding("x", "switch_mode('matrix')", N_("Matrix")),
        Binding("slash", "search", N_("Search")),
        Binding("o", "switch_mode('cooccurrence')", N_("Pairs"), show=False,
                tooltip=N_("Co-occurrence: which codes meet in the text")),
        Binding("l", "switch_mode('words')", N_("Words"), show=False,
                tooltip=N_("Language: word frequencies and key words per municipality or kind")),
        Binding("P", "switch_mode('pseudonyms')", N_("Pseudonyms"), show=False,
                tooltip=N_("The pseudonym register and candidates for it")),
        Binding("D", "disagreements", N_("Disagreements")),
        Binding("ctrl+e", "export", N_("Export"), show=False),
        Binding("u", "undo", N_("Undo"), show=False),
        Binding("U", "redo", N_("Redo"), show=False),
    ]

    def __init__(self, project: Project, coder: str, *, lang: str = "en", open_document: uuid.UUID | None = None,
                 ask_name: bool = False):
        from fieldnotes import collector

        collector.tune()
        from fieldnotes.tui.safeoutput import guard

        guard()
        self.lang = use(lang)
        self.project = project
        self.coder = coder
        from fieldnotes.db.coders import coder_id

        self.coder_id = coder_id(coder)
        self.errors: list[str] = []
        self._open_document = open_document
        self._ask_name = ask_name  # no --coder, no FIELDNOTES_CODER: ask if the project needs a name
        self._visited_modes = {self.DEFAULT_MODE}
        self._stale_modes: set[str] = set()
        self._polling = False
        self.MODES = {name: _load(target) for name, target in self.MODE_SCREENS.items()}  # type: ignore[misc]
        super().__init__()

    def on_mount(self) -> None:
        self.title = "fieldnotes"
        self.sub_title = self.project.display
        from fieldnotes.export.pseudonyms import DEFAULT_NOTICE

        for notice in self.project.notices:  # a notice the catalog knows is shown in the app's language
            self.notify(_(notice), severity="warning", timeout=30 if notice == DEFAULT_NOTICE else 8)
        if self._open_document is not None:
            self.open_document(self._open_document)
        if self._ask_name:
            self.ask_name()
        from fieldnotes.tui.changes import ChangeWatcher

        self.watcher = ChangeWatcher(self.project)
        self.poll_changes()
        self.set_interval(self.POLL_SECONDS, self.poll_changes)
        from fieldnotes import collector

        # the app and its first screen are up: out of the collector's way
        self.call_after_refresh(collector.settle, "app")

    def on_unmount(self) -> None:
        watcher = getattr(self, "watcher", None)
        if watcher is not None:
            watcher.close()

    # --- noticing changes made elsewhere -------------------------------------------------------------
    def poll_changes(self) -> None:
        """Look (in a worker) whether someone else changed the project; if so, reload what is shown."""
        if self._polling:
            return
        self._polling = True
        watcher = self.watcher

        def job() -> None:
            try:
                changed = watcher.poll()
            except Exception:  # the server is away for a moment: look again at the next tick
                changed = False
            self.call_from_thread(self._polled, changed)

        self.run_worker(job, thread=True, group="watch", exit_on_error=False)

    def _polled(self, changed: bool) -> None:
        self._polling = False
        if not changed:
            return
        self.notify(_("The project was changed elsewhere; the view is up to date again"), timeout=3)
        self._stale_modes |= self._visited_modes - {self.current_mode}
        self.refresh_views()

    def switch_mode(self, mode: str) -> Any:
        result = super().switch_mode(mode)
        self._visited_modes.add(mode)
        if mode in self._stale_modes:  # changed elsewhere while another mode was shown
            self._stale_modes.discard(mode)
            self.refresh_views()
        return result

    # --- running library work off the UI thread ---------------------------------------------------
    def db(self, work: Callable[[], T], then: Callable[[T], Any] | None = None, *, group: str = "db",
           exclusive: bool = False, failed: Callable[[], Any] | None = None) -> None:
        """Run `work` in a thread; call `then(result)` on the UI thread; turn failures into notices
        (and call `failed()`, if given, so a screen can stop waiting)."""

        def job() -> None:
            try:
                result = work()
            except FieldnotesError as error:
                self.call_from_thread(self.report, str(error))
                if failed is not None:
                    self.call_from_thread(failed)
                return
            except Exception as error:  # unexpected: log it, keep the app alive
                from fieldnotes.logs import log_exception

                where = log_exception(error)
                self.call_from_thread(self.report, _("Unexpected error ({name}); logged to {where}").format(
                    name=type(error).__name__, where=where))
                if failed is not None:
                    self.call_from_thread(failed)
                return
            if then is not None:
                self.call_from_thread(then, result)

        self.run_worker(job, thread=True, group=group, exclusive=exclusive, exit_on_error=False)

    def report(self, message: str) -> None:
        self.errors.append(message)
        self.notify(message, severity="error", timeout=8)

    def _handle_exception(self, error: Exception) -> None:
        """An unexpected error in the interface: log it and say so, rather than crash and lose the view."""
        if isinstance(error, FieldnotesError):
            self.report(str(error))
            return
        if not self.is_running or not self.screen_stack:
            super()._handle_exception(error)
            return
        import time

        now = time.monotonic()
        self._recent_failures = [t for t in getattr(self, "_recent_failures", []) if now - t < 2] + [now]
        if len(self._recent_failures) > 5:  # failing on every frame: a notice would not help; stop cleanly
            super()._handle_exception(error)
            return
        from fieldnotes.logs import log_exception

        where = log_exception(error)
        self.report(_("Unexpected error ({name}); logged to {where}").format(name=type(error).__name__, where=where))

    # --- who is coding -------------------------------------------------------------------------------
    def ask_name(self) -> None:
        """Once per project: when its coder is only the account's login name, ask for the person's name."""
        from fieldnotes.db import coders

        def work() -> str | None:
            with self.project.read() as session:
                if not coders.needs_name(session):
                    return None
            return coders.suggested_name()

        def asked(suggestion: str | None) -> None:
            if suggestion is None:
                return
            from fieldnotes.tui.screens.coder import CoderScreen

            self.push_screen(CoderScreen(suggestion, first=True),
                             lambda name: self.code_as(name or suggestion))

        self.db(work, asked, group="coder")

    def switch_coder(self) -> None:
        """Choose among the project's coders, or type a new name; what you code from now on is signed so."""
        from sqlalchemy import select

        from fieldnotes.db.models import Coder

        def work() -> list[str]:
            with self.project.read() as session:
                return sorted(session.scalars(select(Coder.name)), key=str.casefold)

        def chosen(names: list[str]) -> None:
            from fieldnotes.tui.screens.coder import CoderScreen

            self.push_screen(CoderScreen(self.coder, names),
                             lambda name: self.code_as(name) if name and name != self.coder else None)

        self.db(work, chosen, group="coder")

    def code_as(self, name: str) -> None:
        """Code as NAME from now on, and make it the project's default coder (coders.set_default)."""
        from fieldnotes.db import coders

        def work() -> str:
            with self.project.write() as session:
                return coders.set_default(session, name).name

        def done(cleaned: str) -> None:
            self.coder, self.coder_id = cleaned, coders.coder_id(cleaned)
            self.notify(_("You are coding as {coder}.").format(coder=cleaned))
            self.refresh_views()

        self.db(work, done, group="write")

    # --- actions ------------------------------------------------------------------------------------
    def open_document(self, document_id: uuid.UUID, select: tuple[int, int] | None = None) -> None:
        """Load the document first, then show the reader with it: the first frame is the painted text."""
        from fieldnotes.tui.screens.reader import ReaderScreen, load_reader_data

        def load() -> Any:
            from fieldnotes.documents.opened import record_open

            data = load_reader_data(self.project, document_id, self.coder_id)
            with self.project.read() as session:
                key = self.project.settings(session).id
            record_open(key, document_id)  # Home's recent documents are the ones you opened or coded
            return data

        self.db(load,
                lambda data: self.push_screen(ReaderScreen(document_id, select=select, preloaded=data)),
                group="open-document")

    def open_export(self, filters: Any = None, listed: Any = None) -> None:
        """The export dialog, starting from the filters of the screen it is opened from; with `listed`
        (screens.export.Listed) it exports exactly the passages a list shows."""
        from fieldnotes.queries.filters import Filters
        from fieldnotes.tui.screens.export import ExportScreen

        def load() -> Any:
            from fieldnotes.export.pseudonyms import decide

            with self.project.read() as session:
                return decide(session)  # the project's default about names, which the dialog starts from

        self.db(load, lambda default: self.push_screen(ExportScreen(filters or Filters(), default, listed)),
                group="export")

    def action_export(self) -> None:
        self.open_export()

    def action_import_comments(self) -> None:
        from fieldnotes.tui.screens.meeting import MeetingScreen

        self.push_screen(MeetingScreen())

    def action_import(self) -> None:
        from fieldnotes.tui.screens.importing import ImportScreen

        if not isinstance(self.screen, ImportScreen):
            self.push_screen(ImportScreen())

    def action_help(self) -> None:
        from fieldnotes.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_search(self) -> None:
        """/ goes to Search, ready to type the query: from any screen, from a document opened from a hit,
        and from the Search screen's own list of hits."""
        from textual.screen import ModalScreen

        if self.current_mode != "search":
            self.switch_mode("search")
            return
        while len(self.screen_stack) > 1 and not isinstance(self.screen, ModalScreen) \
                and not hasattr(self.screen, "action_focus_query"):
            self.pop_screen()  # a document opened from a hit: back to the hits
        self.call_after_refresh(lambda: getattr(self.screen, "action_focus_query", lambda: None)())

    def action_disagreements(self) -> None:
        from fieldnotes.tui.screens.disagreements import DisagreementsScreen

        if not isinstance(self.screen, DisagreementsScreen):
            self.push_screen(DisagreementsScreen())

    def action_rating_trends(self) -> None:
        from fieldnotes.tui.screens.ratings import RatingsScreen

        if not isinstance(self.screen, RatingsScreen):
            self.push_screen(RatingsScreen())

    def action_timeline(self) -> None:
        from fieldnotes.tui.screens.timeline import TimelineScreen

        if not isinstance(self.screen, TimelineScreen):
            self.push_screen(TimelineScreen())

    def action_undo(self) -> None:
        self._undo_redo("undo")

    def action_redo(self) -> None:
        self._undo_redo("redo")

    def _undo_redo(self, which: str) -> None:
        from fieldnotes.coding import undo as undo_module
        from fieldnotes.db.history import describe

        def work() -> str:
            with self.project.write() as session:
                change = getattr(undo_module, which)(session, self.coder_id)
                return describe(change.summary, change.details, change.action)

        def done(summary: str) -> None:
            said_now = (_("Undone: {change}") if which == "undo" else _("Redone: {change}")).format(change=summary)
            say = getattr(self.screen, "say", None)
            if callable(say):  # the reader's status line says what was undone (a notice would cover it)
                say(said_now, seconds=8)
            else:
                self.notify(said_now)
            self.refresh_views()

        self.db(work, done, group="write")

    def refresh_views(self) -> None:
        """Ask every screen on the stack to reload what it shows (after undo, redo or a write)."""
        for screen in self.screen_stack:
            reload = getattr(screen, "reload", None)
            if callable(reload):
                reload()

    # --- the language ----------------------------------------------------------------------------------
    def action_language(self) -> None:
        """Choose the interface language from the palette ("Sprog / Language")."""
        self.search_commands([("Dansk", lambda: self.set_language("da"), _("Show fieldnotes in Danish")),
                              ("English", lambda: self.set_language("en"), _("Show fieldnotes in English"))],
                             placeholder=_("Search for commands…"))

    def set_language(self, lang: str) -> None:
        """Switch the interface language now, and keep it as the person's own setting (never the project's)."""
        from fieldnotes import preferences

        try:
            preferences.save("language", lang)
        except FieldnotesError as error:  # the choice still holds for this session
            self.report(str(error))
        from fieldnotes.tui.i18n import relabel

        before, self.lang = self.lang, use(lang)
        for stack in self._screen_stacks.values():  # every screen, also those not shown now
            for screen in stack:
                relabel(screen, before)
                screen.refresh_bindings()
        self._stale_modes |= self._visited_modes - {self.current_mode}  # their content reloads when shown
        self.refresh_views()
        self.notify(_("The interface is now in English") if self.lang == "en" else _("The interface is now in Danish"))

    # --- the command palette, in the interface language ------------------------------------------------
    def action_command_palette(self) -> None:
        from fieldnotes.tui.palette import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(CommandPalette(id="--command-palette", placeholder=_("Search for commands…")))

    def search_commands(self, commands: Any, placeholder: str = "") -> Any:
        from textual.command import SimpleProvider

        from fieldnotes.tui.palette import CommandPalette

        return self.push_screen(CommandPalette(providers=[SimpleProvider(self.screen, commands)],  # type: ignore[list-item]
                                               placeholder=placeholder or _("Search for commands…")))

    def search_themes(self) -> None:
        from textual.theme import ThemeProvider

        from fieldnotes.tui.palette import CommandPalette

        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder=_("Search for themes…")))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own commands (theme, quit, screenshot) in the interface language, then fieldnotes's."""
        yield SystemCommand(_("Theme"), _("Change the colour theme"), self.action_change_theme)
        yield SystemCommand(_("Quit"), _("Close fieldnotes (everything is saved as you work)"), self.action_quit)
        if screen.maximized is not None:
            yield SystemCommand(_("Minimise"), _("Return the widget to its normal size"), screen.action_minimize)
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(_("Maximise"), _("Let the focused widget fill the screen"), screen.action_maximize)
        yield SystemCommand(_("Screenshot"), _("Save an SVG picture of the screen"),
                            lambda: self.set_timer(0.1, self.deliver_screenshot))
        yield SystemCommand("Sprog / Language", _("Switch the interface language (Dansk / English)"),
                            self.action_language)
        yield SystemCommand(_("Home"), _("Project overview"), lambda: self.switch_mode("home"))
        yield SystemCommand(_("Documents"), _("All documents, with filters"), lambda: self.switch_mode("documents"))
        yield SystemCommand(_("Codebook"), _("The code tree with definitions"), lambda: self.switch_mode("codebook"))
        yield SystemCommand(_("Excerpts"), _("Coded excerpts by theme"), lambda: self.switch_mode("excerpts"))
        yield SystemCommand(_("Search"), _("Full-text and fuzzy search, and coding the hits"),
                            lambda: self.switch_mode("search"))
        yield SystemCommand(_("Themes per municipality"), _("The code matrix by municipality, phase, kind or coder"),
                            lambda: self.switch_mode("matrix"))
        yield SystemCommand(_("Co-occurrence"), _("A code × code grid of the codes that overlap or share a turn or "
                                                  "paragraph"), lambda: self.switch_mode("cooccurrence"))
        yield SystemCommand(_("Rating trends"), _("Ratings of a scaled code as small multiples: municipality × phase"),
                            self.action_rating_trends)
        yield SystemCommand(_("Fieldwork timeline"), _("Documents per municipality and month, by kind"),
                            self.action_timeline)
        yield SystemCommand(_("Words"), _("Word frequencies, key words per municipality or kind, in context"),
                            lambda: self.switch_mode("words"))
        yield SystemCommand(_("Pseudonyms"), _("The pseudonym register: add, remove, find candidates"),
                            lambda: self.switch_mode("pseudonyms"))
        yield SystemCommand(_("Disagreements"), _("Where two coders differ, settled one by one"),
                            self.action_disagreements)
        yield SystemCommand(_("Import"), _("Import files or a folder: interviews, notes, minutes"),
                            self.action_import)
        yield SystemCommand(_("Export to Word"), _("Export coded excerpts to Word, Excel or CSV"), self.action_export)
        yield SystemCommand(_("Import comments from a report"),
                            _("Comments a meeting wrote on a Word report come back as memos"),
                            self.action_import_comments)
        yield SystemCommand(_("Undo"), _("Undo your last change"), self.action_undo)
        yield SystemCommand(_("Redo"), _("Redo your last undone change"), self.action_redo)
        yield SystemCommand(_("Help"), _("Keys and how to work"), self.action_help)
        for provider in _EXTRA_COMMANDS:
            yield from provider(self)


#: other modules add palette commands here (search, matrix, export screens)
_EXTRA_COMMANDS: list[Callable[[FieldnotesApp], Iterable[SystemCommand]]] = []
#: keys of further modes, listed on the help screen: (key, English text)
EXTRA_KEYS: list[tuple[str, str]] = [
    ("o", N_("Co-occurrence: a code × code grid of the codes that meet (g: as a list); w switches overlap / turn / "
             "paragraph, Enter lists where")),
    ("l", N_("Words: frequencies and key words per municipality or kind; Enter shows the word in context")),
    ("P", N_("Pseudonyms: the register (a adds, Delete removes) and candidates found in the text (c)")),
]


def _load(target: str) -> Callable[[], Screen[Any]]:
    module_name, _sep, name = target.partition(":")

    def make() -> Screen[Any]:
        import importlib

        return getattr(importlib.import_module(module_name), name)()  # type: ignore[no-any-return]

    return make
