"""The app's fields with hostile names (issue 22): each refused in one line with nothing stored, and the
screen never gets a control character from a name or a text, whatever the project holds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from fieldnotes.project.opening import open_project
from fieldnotes.text import TERMINAL_CONTROL
from fieldnotes.tui.app import FieldnotesApp
from tests import hostiledata as hostile
from tests.helpers import settle
from tests.projectdata import make_project, snapshot

RULE = "names and metadata may not hold control characters, terminal escape sequences or text-direction controls"
#: per field: a control character, a text-direction override, NUL, and far too many characters
VALUES = [hostile.HOSTILE_NAMES["escape sequence"], hostile.HOSTILE_NAMES["bidi override"],
          hostile.HOSTILE_NAMES["NUL"], "Æ" * 600]


async def _documents_metadata(pilot: Any, field: str, value: str) -> None:
    await pilot.press("d")
    await settle(pilot)
    await pilot.press("m")
    await settle(pilot)
    pilot.app.screen.query_one(f"#meta-{field}").value = value
    await pilot.press("ctrl+s")


async def _new_note(pilot: Any, field: str, value: str) -> None:
    await pilot.press("d")
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    pilot.app.screen.query_one(f"#note-{field}").value = value
    pilot.app.screen.query_one("#note-text").text = "Kl. 10.00 borgeren fortæller om praktikken."
    await pilot.press("ctrl+s")


async def _codebook(pilot: Any, action: str, value: str) -> None:
    await pilot.press("b")
    await settle(pilot)
    if action == "r":  # highlight a code to rename
        pilot.app.screen.query_one("Tree").focus()
        await pilot.press("down")
        await settle(pilot)
    await pilot.press(action)
    await settle(pilot)
    pilot.app.screen.query_one("#prompt-input").value = value
    await pilot.press("enter")


async def _pseudonym(pilot: Any, field: str, value: str) -> None:
    await pilot.press("P")
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    screen = pilot.app.screen
    screen.query_one("#pf-original").value = value if field == "original" else "Søren"
    screen.query_one("#pf-pseudonym").value = value if field == "pseudonym" else "Bo"
    await pilot.press("ctrl+s")


FIELDS: dict[str, Callable[[Any, str], Awaitable[None]]] = {
    "document title": lambda pilot, value: _documents_metadata(pilot, "title", value),
    "document municipality": lambda pilot, value: _documents_metadata(pilot, "municipality", value),
    "document activity": lambda pilot, value: _documents_metadata(pilot, "activity", value),
    "new note title": lambda pilot, value: _new_note(pilot, "title", value),
    "new note municipality": lambda pilot, value: _new_note(pilot, "municipality", value),
    "new note activity": lambda pilot, value: _new_note(pilot, "activity", value),
    "new code": lambda pilot, value: _codebook(pilot, "a", value),
    "rename code": lambda pilot, value: _codebook(pilot, "r", value),
    "pseudonym original": lambda pilot, value: _pseudonym(pilot, "original", value),
    "pseudonym": lambda pilot, value: _pseudonym(pilot, "pseudonym", value),
}


@pytest.mark.parametrize("field", sorted(FIELDS))
async def test_every_app_field_refuses_hostile_names_in_one_line_and_stores_nothing(tmp_path: Path, field: str) -> None:
    project = make_project(tmp_path)
    before = snapshot(project)
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for value in VALUES:
            errors = len(app.errors)
            await FIELDS[field](pilot, value)
            await settle(pilot)
            assert len(app.errors) == errors + 1, (field, value, app.errors)
            message = app.errors[-1]
            assert "\n" not in message and not TERMINAL_CONTROL.search(message), message
            assert RULE in message or "characters long; it may have at most" in message, message
            assert "Unexpected error" not in message
            while len(app.screen_stack) > 1:  # back from the form, typed text and all, to try the next value
                await pilot.press("escape")
                await settle(pilot)
    assert snapshot(project) == before


def _poison(project: Path) -> None:
    """Names and text stored before the rules, or by another program."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(project)) as conn, conn:
        conn.execute("UPDATE codes SET name = ? WHERE name = 'Ledelse'", ("Ledelse\x1b[31mRØD\x1b]0;hacked\x07",))
        conn.execute("UPDATE documents SET title = ?, text = replace(text, 'Lederen', ?) "
                     "WHERE title = 'Interview med sagsbehandler'",
                     ("Interview \u202eredael\u202c\x1b[2J", "Lederen\x1b[5m"))


def _painted(app: Any) -> str:
    """What the app writes to the terminal for its whole screen, escape sequences and all."""
    update = app.screen._compositor.render_update(full=True)
    return str(update.render_segments(app.console))


@pytest.mark.parametrize("mode", ["codebook", "documents", "reader"])
async def test_the_app_never_paints_a_control_character_from_the_project(tmp_path: Path, mode: str) -> None:
    project = make_project(tmp_path)
    _poison(project)
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("b" if mode == "codebook" else "d")
        await settle(pilot)
        if mode == "reader":
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen.__class__.__name__ == "ReaderScreen"
        painted = _painted(app)
    # the name is there, its control characters left out (what followed them shows as plain text)
    expected = {"codebook": "Ledelse[31mRØD]0;hacked", "documents": "Interview redael[2J", "reader": "Lederen[5m"}[mode]
    assert expected in painted, painted[-3000:]
    for injected in ("\x1b[31mRØD", "\x1b]0;hacked", "\x07", "\u202e", "\x1b[2J", "\x1b[5m"):
        assert injected not in painted, (mode, injected)
