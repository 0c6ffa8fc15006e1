"""Keys that remove work, and keys that mean one thing everywhere.

The first tests walk the bindings of the app and of every screen and widget fieldnotes defines, and
check the rules of fieldnotes.tui.guards mechanically:

- a binding of an action that removes or overwrites work (each screen declares those in `GUARDED`)
  on a single printable key must ask first; Delete may act at once on the user's own work;
- no screen binds a key of the whole app to another action (today's Documents `o` hid the app's `o`,
  and the reader's `x` removed a coding where everywhere else it opens the matrix). Dialogs (modal
  screens) are outside this rule: while one is open, Textual gives the app's keys to nobody (a dialog's
  `n` says no, and `d` does nothing there), so a dialog hides nothing.

The others press those keys in the app on the demo project, so that what a screen declares is also
what it does: a key declared to ask opens a dialog, Esc there changes nothing, and another coder's
coding is never removed or changed without asking.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import key_to_character
from textual.screen import ModalScreen, Screen

import fieldnotes.tui.screens
import fieldnotes.tui.widgets
from fieldnotes.project.demo import build
from fieldnotes.project.opening import open_project
from fieldnotes.tui import guards
from fieldnotes.tui.app import FieldnotesApp
from fieldnotes.tui.widgets.coded_text import CodedText
from tests.helpers import ok, settle
from tests.projectdata import snapshot

#: screens whose purpose is settling, where a single key may act at once (it says how to undo): the
#: Disagreements screen (issue #20: settling is its purpose)
SETTLING_SCREENS = {"DisagreementsScreen"}
#: undo and redo (u, U) are the way back from every change and each other's inverse; they are not
#: work-removing keys
UNDO_ACTIONS = {"undo", "redo"}


def fieldnotes_classes() -> list[type[DOMNode]]:
    """Every screen and widget class that fieldnotes defines."""
    found: list[type[DOMNode]] = []
    for package in (fieldnotes.tui.screens, fieldnotes.tui.widgets):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            found += [cls for _name, cls in inspect.getmembers(module, inspect.isclass)
                      if issubclass(cls, DOMNode) and cls.__module__ == module.__name__]
    return found


def own_bindings(cls: type[DOMNode]) -> Iterator[Binding]:
    """The bindings fieldnotes declares on a class (and its fieldnotes base classes)."""
    for klass in cls.__mro__:
        if klass.__module__.startswith("fieldnotes."):
            for item in klass.__dict__.get("BINDINGS", []):
                yield item if isinstance(item, Binding) else Binding(*item)


def keys(binding: Binding) -> list[str]:
    return [key.strip() for key in binding.key.split(",")]


def action(binding: Binding) -> str:
    """The action as the app runs it: `app.help` on a screen is the app's `help`."""
    return binding.action.removeprefix("app.")


def single_printable(key: str) -> bool:
    """A key that is one printable character, pressed without ctrl or alt (a, A, ., [, /, space)."""
    if key == "slash":
        return True
    character = key_to_character(key)
    return bool(character) and len(character) == 1 and (character.isprintable())


def app_keys() -> dict[str, str]:
    """Every key the whole app binds, with its action (fieldnotes' own and Textual's, and the palette)."""
    found: dict[str, str] = {App.COMMAND_PALETTE_BINDING: "command_palette"}
    for klass in reversed(FieldnotesApp.__mro__):
        for item in klass.__dict__.get("BINDINGS", []):
            binding = item if isinstance(item, Binding) else Binding(*item)
            for key in keys(binding):
                found[key] = action(binding)
    return found


CLASSES = fieldnotes_classes()


def test_the_walk_sees_every_screen() -> None:
    names = {cls.__name__ for cls in CLASSES}
    assert {"ReaderScreen", "DocumentsScreen", "CodebookScreen", "DisagreementsScreen", "PseudonymsScreen",
            "MatrixScreen", "SearchScreen", "HelpScreen", "ConfirmScreen", "CodePicker", "CodedText"} <= names
    assert len([cls for cls in CLASSES if issubclass(cls, Screen)]) >= 20


def hidden_keys() -> list[str]:
    """Keys of the whole app that a screen (or a widget on one) binds to something else."""
    everywhere = app_keys()
    return [f"{cls.__name__}: {key!r} runs {action(binding)!r} there, {everywhere[key]!r} everywhere else"
            for cls in CLASSES if not issubclass(cls, ModalScreen)
            for binding in own_bindings(cls) for key in keys(binding)
            if key in everywhere and action(binding) != everywhere[key]]


def unguarded_keys() -> tuple[list[str], int]:
    """Keys that remove or overwrite work without the guard the rules ask for (and how many actions
    the screens declare)."""
    problems: list[str] = []
    declared = 0
    for cls in CLASSES:
        guarded: dict[str, str] = getattr(cls, "GUARDED", {})
        bound = {action(b).split("(")[0]: b for b in own_bindings(cls)}
        for name, guard in guarded.items():
            declared += 1
            if guard not in guards.GUARDS:
                problems.append(f"{cls.__name__}.{name}: unknown guard {guard!r}")
            if name not in bound or not callable(getattr(cls, f"action_{name}", None)):
                problems.append(f"{cls.__name__}.{name}: declared but not a bound action of the screen")
        for binding in own_bindings(cls):
            name = action(binding).split("(")[0]
            guard = guarded.get(name)
            if guard is None:
                continue
            for key in keys(binding):
                if guard == guards.DELETE_KEY and key != "delete":
                    problems.append(f"{cls.__name__}: {key!r} removes work at once ({name}); only Delete may")
                if guard == guards.SETTLES and (cls.__name__ not in SETTLING_SCREENS or key in app_keys()):
                    problems.append(f"{cls.__name__}: {key!r} settles at once ({name}) outside the settling screen")
                if guard not in (guards.ASKS, guards.ASKS_FOR_OTHERS) and single_printable(key) \
                        and guard != guards.SETTLES:
                    problems.append(f"{cls.__name__}: the single key {key!r} removes or overwrites work ({name}) "
                                    "without asking first")
    return problems, declared


def test_no_screen_hides_a_key_of_the_whole_app() -> None:
    assert {"d", "b", "x", "o", "slash", "u", "question_mark"} <= set(app_keys())
    assert len([cls for cls in CLASSES if issubclass(cls, Screen) and not issubclass(cls, ModalScreen)]) >= 12
    assert hidden_keys() == []


def test_keys_that_remove_or_overwrite_work_ask_first_or_are_delete() -> None:
    problems, declared = unguarded_keys()
    assert declared >= 10  # the reader, codebook, documents, pseudonyms and disagreements declare theirs
    assert problems == []


def test_the_rules_catch_what_they_are_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """Put today's keys back (x removes a coding at once, Documents' o sorts, Disagreements' b settles):
    both walks find each of them."""
    from fieldnotes.tui.screens.disagreements import DisagreementsScreen
    from fieldnotes.tui.screens.documents import DocumentsScreen
    from fieldnotes.tui.screens.reader import ReaderScreen

    monkeypatch.setattr(ReaderScreen, "BINDINGS", [*ReaderScreen.BINDINGS, Binding("x", "remove", "Remove")])
    monkeypatch.setattr(DocumentsScreen, "BINDINGS", [*DocumentsScreen.BINDINGS, Binding("o", "cycle_sort", "Sort")])
    monkeypatch.setattr(DisagreementsScreen, "BINDINGS", [*DisagreementsScreen.BINDINGS,
                                                          Binding("b", "settle('b')", "Accept B")])
    problems, _declared = unguarded_keys()
    assert "ReaderScreen: 'x' removes work at once (remove); only Delete may" in problems
    assert "ReaderScreen: the single key 'x' removes or overwrites work (remove) without asking first" in problems
    assert "DisagreementsScreen: 'b' settles at once (settle) outside the settling screen" in problems
    hidden = hidden_keys()
    assert "DocumentsScreen: 'o' runs 'cycle_sort' there, \"switch_mode('cooccurrence')\" everywhere else" in hidden
    assert "ReaderScreen: 'x' runs 'remove' there, \"switch_mode('matrix')\" everywhere else" in hidden
    assert "DisagreementsScreen: 'b' runs \"settle('b')\" there, \"switch_mode('codebook')\" everywhere else" in hidden


# --- the same rules, pressed in the app -------------------------------------------------------------

READER_DOC = "Interview med sagsbehandler, Jobcenter Søholm"
ANNA, JONAS = "Anna Krogh", "Jonas Bech"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("keys") / "demo.db"
    build(target)
    return target


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo æøå.db"
    ok("--db", demo_file, "backup", copy)
    return copy


def codings_of(db: Path, coder: str) -> list[dict[str, Any]]:
    return [e for e in ok("--db", db, "excerpts", "--json").json if e["coder"] == coder]


def status_messages(screen: Any) -> list[str]:
    """What the reader says on its status line, kept (a message there fades after a few seconds)."""
    said: list[str] = []
    say = screen.say

    def keep(message: str, *args: Any, **kwargs: Any) -> None:
        said.append(message)
        say(message, *args, **kwargs)

    screen.say = keep
    return said


async def open_reader_at(pilot: Any, db: Path, coder: str) -> Any:
    """Open the demo's Søholm interview with a coding of `coder` selected; returns that coding."""
    await settle(pilot)
    await pilot.press("d")
    await settle(pilot)
    table = pilot.app.screen.query_one("#documents")
    row = next(i for i in range(table.row_count) if READER_DOC in str(table.get_row_at(i)))
    table.move_cursor(row=row)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    mine = [m for m in screen.view.codings if m.coder == coder and m.memo is None]
    mark = min(mine, key=lambda m: m.end - m.start)
    screen.query_one(CodedText).select_span(mark.start, mark.end)
    await settle(pilot)
    return mark


async def test_delete_removes_your_own_coding_and_says_how_to_undo(demo: Path) -> None:
    app = FieldnotesApp(open_project(str(demo)), ANNA)
    async with app.run_test(size=(120, 36)) as pilot:
        mark = await open_reader_at(pilot, demo, ANNA)
        said = status_messages(app.screen)
        before = len(codings_of(demo, ANNA))
        await pilot.press("x")  # the matrix, as everywhere: it never removes anything
        await settle(pilot)
        assert app.screen.__class__.__name__ == "MatrixScreen" and len(codings_of(demo, ANNA)) == before
        await pilot.press("d")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ReaderScreen"
        app.screen.query_one(CodedText).select_span(mark.start, mark.end)
        await pilot.press("delete")  # your own coding: at once
        await settle(pilot)
        assert not isinstance(app.screen, ModalScreen)
        assert len(codings_of(demo, ANNA)) == before - 1
        assert said[-1] == f"Removed: {mark.code_path} (u undoes)"
        await pilot.press("u")
        await settle(pilot)
        assert len(codings_of(demo, ANNA)) == before
        assert app.errors == []


async def test_removing_or_changing_another_coders_coding_always_asks(demo: Path) -> None:
    app = FieldnotesApp(open_project(str(demo)), ANNA)
    async with app.run_test(size=(120, 36)) as pilot:
        mark = await open_reader_at(pilot, demo, JONAS)
        said = status_messages(app.screen)
        before = snapshot(demo)
        for key in ("delete", "left_square_bracket", "right_curly_bracket"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen.__class__.__name__ == "ConfirmScreen", key
            assert JONAS in str(app.screen.query_one("Static").render())
            await pilot.press("escape")  # Esc is no
            await settle(pilot)
            assert app.screen.__class__.__name__ == "ReaderScreen" and said[-1] == "Nothing changed"
            assert snapshot(demo) == before
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert mark.id not in {c.id for c in app.screen.view.codings}
        his = codings_of(demo, JONAS)
        assert his and all(e["id"] != str(mark.id) for e in his)
        assert said[-1] == f"Removed {JONAS}’s coding: {mark.code_path} (u undoes)"
        await pilot.press("u")  # Anna's own step, so her u brings Jonas's coding back
        await settle(pilot)
        assert snapshot(demo) == before
        assert app.errors == []


async def _on_screen(pilot: Any, name: str) -> None:
    """Go to the screen `name` of the demo, with something highlighted for its keys to act on."""
    app = pilot.app
    await settle(pilot)
    if name == "ReaderScreen":
        await open_reader_at(pilot, Path(app.project.path), ANNA)
        return
    mode = {"DocumentsScreen": "d", "CodebookScreen": "b", "PseudonymsScreen": "P"}[name]
    await pilot.press(mode)
    await settle(pilot)
    if name == "CodebookScreen":
        tree = app.screen.query_one("#code-tree")
        tree.move_cursor(tree.root.children[0].children[0])
        tree.focus()
    await settle(pilot)


def _asking_keys() -> list[tuple[str, str, str]]:
    """(screen, action, key) for every guarded action whose key is said to ask first."""
    out = []
    for cls in CLASSES:
        guarded: dict[str, str] = getattr(cls, "GUARDED", {})
        for binding in own_bindings(cls):
            name = action(binding).split("(")[0]
            if guarded.get(name) == guards.ASKS:
                out.append((cls.__name__, name, keys(binding)[0]))
    return out


@pytest.mark.parametrize("screen_name", sorted({s for s, _a, _k in _asking_keys()}))
async def test_every_key_said_to_ask_does_ask_and_esc_changes_nothing(demo: Path, screen_name: str) -> None:
    pressed = [(name, key) for s, name, key in _asking_keys() if s == screen_name]
    assert pressed
    app = FieldnotesApp(open_project(str(demo)), ANNA)
    async with app.run_test(size=(120, 36)) as pilot:
        await _on_screen(pilot, screen_name)
        under_test = app.screen
        before = snapshot(demo)
        for name, key in pressed:
            if name == "rate":  # rating needs a coding with a scale under the cursor
                marks = [m for m in under_test.view.codings if m.scale is not None]
                under_test.query_one(CodedText).select_span(marks[0].start, marks[0].end)
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, ModalScreen), f"{screen_name}: {key} ({name}) did not ask first"
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is under_test, f"{screen_name}: Esc after {key} ({name}) did not come back"
        assert snapshot(demo) == before
        assert app.errors == []


async def test_the_disagreements_screen_settles_with_capitals_and_leaves_b_to_the_codebook(demo: Path) -> None:
    app = FieldnotesApp(open_project(str(demo)), ANNA)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        screen: Any = app.screen
        assert screen.found.items
        before = snapshot(demo)
        await pilot.press("b")  # the codebook, as everywhere: nothing is settled
        await settle(pilot)
        assert app.screen.__class__.__name__ == "CodebookScreen" and snapshot(demo) == before
        assert "u undoes a settle" in str(screen.query_one("#dis-status").render())
        assert app.errors == []


async def test_esc_on_a_dialog_with_typed_text_asks_before_throwing_it_away(demo: Path) -> None:
    """Esc goes back, and typed text is never thrown away: a new note with text in it asks first."""
    app = FieldnotesApp(open_project(str(demo)), ANNA)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        documents = app.screen
        await pilot.press("n")
        await settle(pilot)
        note = app.screen
        assert note.__class__.__name__ == "NoteScreen"
        note.query_one("#note-text").text = "Kl. 9.00 i Søholm: borgeren fortæller om sin praktik."
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ConfirmScreen"
        await pilot.press("escape")  # no: back to the note, with its text
        await settle(pilot)
        assert app.screen is note and "praktik" in note.query_one("#note-text").text
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")  # yes, throw it away
        await settle(pilot)
        assert app.screen is documents
        await pilot.press("n")  # an empty note closes at once
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is documents
        assert app.errors == []
