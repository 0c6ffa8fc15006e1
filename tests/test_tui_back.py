"""Esc always goes back: from any screen, with the focus in its text box if it has one, at most two Escs
leave it. Every screen class of the app is listed here; a new screen fails the completeness test until it is."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, TextArea

import fieldnotes.tui.screens as screens_package
from fieldnotes.project.opening import open_project
from fieldnotes.queries.filters import Filters
from fieldnotes.tui.app import FieldnotesApp
from tests.helpers import ok, settle
from tests.projectdata import make_project

DOC = "Interview med sagsbehandler"

Opener = Callable[[Any], Awaitable[None]]


def _mode(name: str) -> Opener:
    async def open_(pilot: Any) -> None:
        pilot.app.switch_mode(name)

    return open_


def _push(make: Callable[[Any], Screen[Any]]) -> Opener:
    async def open_(pilot: Any) -> None:
        pilot.app.push_screen(make(pilot.app))

    return open_


async def _reader(pilot: Any) -> None:
    from fieldnotes.db.models import Document

    with pilot.app.project.read() as session:
        document_id = session.query(Document.id).filter(Document.title == DOC).scalar()
    pilot.app.open_document(document_id)
    await settle(pilot)


async def _codings(pilot: Any) -> None:
    await _reader(pilot)
    await pilot.press("C")


async def _picker(pilot: Any) -> None:
    from fieldnotes.queries.overview import code_choices
    from fieldnotes.tui.screens.picker import CodePicker

    with pilot.app.project.read() as session:
        codes = code_choices(session)
    pilot.app.push_screen(CodePicker(codes, [], "Vi tager altid en runde i teamet om fredagen."))


async def _export(pilot: Any) -> None:
    pilot.app.open_export()


def _widen(app: Any) -> Screen[Any]:
    from fieldnotes.search.coding import WideningChoice
    from fieldnotes.tui.screens.widen import WidenScreen

    return WidenScreen([WideningChoice(None, 0, 7, "praktik"),
                        WideningChoice("sentence", 0, 30, "praktik på lageret i Ærøby.")], 1)


def _kwic(app: Any) -> Screen[Any]:
    from fieldnotes.tui.screens.words import KwicScreen

    return KwicScreen("sparring", "Lyngå", [])


def _cell(app: Any) -> Screen[Any]:
    from fieldnotes.tui.screens.excerpts import CellExcerptsScreen

    return CellExcerptsScreen("Kollegial sparring · Lyngå", [], Filters())


def _matrix_cell(app: Any) -> Screen[Any]:
    from fieldnotes.tui.screens.matrix import MatrixCellScreen

    return MatrixCellScreen("Kollegial sparring · Lyngå", [], Filters())


def _screen(module: str, name: str, *args: Any) -> Callable[[Any], Screen[Any]]:
    def make(app: Any) -> Screen[Any]:
        return getattr(importlib.import_module(f"fieldnotes.tui.screens.{module}"), name)(*args)  # type: ignore[no-any-return]

    return make


#: every screen of the app: how to show it. Modes go Home; pushed screens close.
SCREENS: dict[str, Opener] = {
    "DocumentsScreen": _mode("documents"),
    "CodebookScreen": _mode("codebook"),
    "ExcerptsScreen": _mode("excerpts"),
    "MatrixScreen": _mode("matrix"),
    "SearchScreen": _mode("search"),
    "CooccurrenceScreen": _mode("cooccurrence"),
    "WordsScreen": _mode("words"),
    "PseudonymsScreen": _mode("pseudonyms"),
    "ReaderScreen": _reader,
    "CodingsScreen": _codings,
    "CodePicker": _picker,
    "CellExcerptsScreen": _push(_cell),
    "MatrixCellScreen": _push(_matrix_cell),
    "KwicScreen": _push(_kwic),
    "RatingsScreen": _push(_screen("ratings", "RatingsScreen")),
    "TimelineScreen": _push(_screen("timeline", "TimelineScreen")),
    "DisagreementsScreen": _push(_screen("disagreements", "DisagreementsScreen")),
    "ExportScreen": _export,
    "HelpScreen": _push(_screen("help", "HelpScreen")),
    "MemoScreen": _push(_screen("memo", "MemoScreen", "Memo om sparring", "Første tanke om fredagsmødet")),
    "RatingScreen": _push(_screen("memo", "RatingScreen", "Specifik tro", (1, 5), {"1": "lav", "5": "høj"}, None)),
    "MetadataScreen": _push(_screen("metadata", "MetadataScreen", {
        "title": DOC, "kind": "interview", "date": "2025-03-10", "activity": "", "municipality": "Lyngå",
        "municipalities": ["Lyngå"]})),
    "NoteScreen": _push(_screen("note", "NoteScreen", ["Lyngå", "Fjordby"])),
    "PromptScreen": _push(_screen("prompt", "PromptScreen", "Nyt navn på koden", "Kollegial sparring")),
    "ConfirmScreen": _push(_screen("prompt", "ConfirmScreen", "Slet koden Ærø?")),
    "EntryForm": _push(_screen("pseudonyms", "EntryForm", "Søren Ørsted")),
    "MeetingScreen": _push(_screen("meeting", "MeetingScreen")),
    "ImportScreen": _push(_screen("importing", "ImportScreen")),
    "WidenScreen": _push(_widen),
    "CoderScreen": _push(_screen("coder", "CoderScreen", "Anna Krogh", ["Anna Krogh", "Søren Ørsted"])),
}


def test_every_screen_is_listed() -> None:
    """A screen class added to the app without a line in SCREENS fails here, so it gets an Esc test too."""
    found = set()
    for info in pkgutil.iter_modules(screens_package.__path__):
        module = importlib.import_module(f"{screens_package.__name__}.{info.name}")
        for name, value in vars(module).items():
            if (inspect.isclass(value) and issubclass(value, Screen) and value.__module__ == module.__name__
                    and name not in ("PlacesScreen", "BackScreen", "HomeScreen")):
                found.add(name)
    assert found == set(SCREENS)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("back")
    target = make_project(folder)
    ok("--db", target, "code", DOC, "--code", "Kollegial sparring", "--match", "Vi tager altid en runde")
    return target


@pytest.mark.parametrize("name", sorted(SCREENS))
async def test_two_escapes_leave_the_screen(project: Path, name: str) -> None:
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang="da")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await SCREENS[name](pilot)
        await settle(pilot)
        screen = app.screen
        assert type(screen).__name__ == name
        boxes = [w for w in screen.query("Input, TextArea") if w.display and w.focusable]
        if boxes:  # the worst case: the focus in a text box (on a screen, with letters typed into it)
            boxes[0].focus()
            await pilot.pause()
            if not isinstance(screen, ModalScreen):
                # a dialog with typed text asks before throwing it away (Esc there keeps it): see
                # test_dialog_with_typed_text_asks_first
                await pilot.press("æ", "ø")
            assert isinstance(app.focused, (Input, TextArea))
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert screen not in app.screen_stack, f"{name} is still shown after two Escs"
        assert app.errors == []
        if name.endswith("Screen") and name in {"DocumentsScreen", "CodebookScreen", "ExcerptsScreen", "MatrixScreen",
                                                "SearchScreen", "CooccurrenceScreen", "WordsScreen",
                                                "PseudonymsScreen"}:
            assert app.current_mode == "home"


async def test_first_escape_leaves_the_search_box_and_keeps_the_query(project: Path) -> None:
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang="da")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        box = app.screen.query_one("#search-query", Input)
        assert box.has_focus
        await pilot.press(*"fredagen")
        await pilot.press("escape")
        await pilot.pause()
        assert not box.has_focus and box.value == "fredagen"  # out of the box, the words kept
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "home"
        await pilot.press("slash")  # back in Search: the query is still there
        await settle(pilot)
        assert app.screen.query_one("#search-query", Input).value == "fredagen"


def _own_shown(screen: Screen[Any]) -> set[str]:
    """The actions of the keys a screen means to show in its footer (its own, and Esc's)."""
    from textual.binding import Binding

    actions = set()
    for item in screen._merged_bindings.key_to_bindings.values() if screen._merged_bindings else []:
        for binding in item:
            if isinstance(binding, Binding) and binding.show and screen.check_action(binding.action, ()) is not False:
                actions.add(binding.action)
    return actions


@pytest.mark.parametrize("name", sorted(SCREENS))
async def test_footer_at_80x24_shows_the_screens_own_keys(project: Path, name: str) -> None:
    """At 80 columns the footer cuts off what does not fit; a screen's own keys come first and all fit."""
    from textual.widgets._footer import FooterKey

    app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang="da")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await SCREENS[name](pilot)
        await settle(pilot)
        screen = app.screen
        if not screen.query("Footer"):
            return  # a dialog: its keys are written in it
        keys = list(screen.query(FooterKey))
        wanted = _own_shown(screen) & {key.action for key in keys}  # less what the focused widget's keys shadow
        shown = {key.action for key in keys if key.region.right <= 80 and key.region.width}
        assert wanted <= shown, f"{name}: {sorted(wanted - shown)} are cut off the footer at 80 columns"


def test_help_lists_each_key_once_per_section() -> None:
    """The code picker's Tab was listed twice (its own line and its binding's); Esc is listed once, for all."""
    from fieldnotes.tui.screens.help import sections

    for section in sections():
        keys = [key for row in section.rows for key in row.keys]
        assert len(keys) == len(set(keys)), (section.title, sorted(k for k in keys if keys.count(k) > 1))
    everywhere = sections()[0]
    assert any("Esc" in row.keys for row in everywhere.rows)


async def test_dialog_with_typed_text_asks_first(project: Path) -> None:
    """Esc in a dialog holding typed text asks before throwing it away; y leaves, so three keys at most."""
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang="da")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await SCREENS["NoteScreen"](pilot)
        await settle(pilot)
        dialog = app.screen
        await pilot.press("æ", "ø")
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("j")
        await settle(pilot)
        assert dialog not in app.screen_stack
