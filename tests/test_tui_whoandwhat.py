"""Who and what, at a glance (#23): Home's recent documents are the ones you opened or coded lately; a new
project asks once who is coding, and Home shows who you code as and switches it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, OptionList, Static

from fieldnotes import paths
from fieldnotes.project.opening import open_project
from fieldnotes.queries.overview import home
from fieldnotes.tui.app import FieldnotesApp
from fieldnotes.tui.widgets.coded_text import CodedText
from tests.helpers import ok, settle


@pytest.fixture
def three(tmp_path: Path) -> Path:
    """A project with three documents, imported one after the other: the last imported is the newest."""
    target = tmp_path / "møder.db"
    ok("--db", target, "init", "--coder", "Anna Krogh")
    for number, (title, town) in enumerate((("Første interview i Søholm", "Søholm"),
                                            ("Observation på lageret i Ærøby", "Ærøby"),
                                            ("Referat fra Lyngå", "Lyngå")), start=1):
        source = tmp_path / f"dokument-{number}.md"
        source.write_text(f"---\ntitel: {title}\nkommune: {town}\ndato: 2025-0{number}-10\n---\n"
                          f"Vi tager altid en runde om fredagen, sagde lederen i {town}.\n", encoding="utf-8")
        ok("--db", target, "import", source)
    return target


def titles(table: DataTable[Any]) -> list[str]:
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


async def test_an_older_document_opened_in_the_app_comes_first_on_home(three: Path) -> None:
    app = FieldnotesApp(open_project(str(three)), "Anna Krogh", lang="da")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#recent-documents", DataTable)
        before = titles(table)
        assert before[0] == "Referat fra Lyngå" and before[-1] == "Første interview i Søholm"
        table.focus()
        table.move_cursor(row=before.index("Første interview i Søholm"))
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ReaderScreen"
        await pilot.press("escape")  # back Home
        await settle(pilot)
        assert type(app.screen).__name__ == "HomeScreen"
        after = titles(app.screen.query_one("#recent-documents", DataTable))
        assert after[0] == "Første interview i Søholm"
        assert after[1:] == [t for t in before if t != "Første interview i Søholm"]
    # what is kept on this computer: ids and times, never a title or the text
    kept = (paths.data_dir() / "recent.json").read_text(encoding="utf-8")
    assert "Første" not in kept and "runde" not in kept and len(json.loads(kept)) == 1


def test_a_document_coded_lately_comes_first_then_the_one_opened_after_it(three: Path) -> None:
    from fieldnotes.documents.opened import record_open

    ok("--db", three, "code", "Observation på lageret i Ærøby", "--code", "Tro på borgerens jobchance",
       "--match", "en runde", "--coder", "Bo Hansen")
    project = open_project(str(three))
    with project, project.read() as session:
        data = home(project, session)
        assert data.recent_documents[0]["title"] == "Observation på lageret i Ærøby"
        record_open(project.settings(session).id, next(row["id"] for row in data.recent_documents
                                                        if row["title"] == "Første interview i Søholm"))
        again = [row["title"] for row in home(project, session).recent_documents]
    assert again == ["Første interview i Søholm", "Observation på lageret i Ærøby", "Referat fra Lyngå"]


# --- who you are coding as ------------------------------------------------------------------------------

def default_coder(db: Path) -> str:
    return ok("--db", db, "project", "show", "--json").json["default_coder"]  # type: ignore[no-any-return]


@pytest.fixture
def unnamed(tmp_path: Path) -> Path:
    """A project made without a name for its coder (no --coder, not in a terminal): signed with the account's."""
    target = tmp_path / "uden navn.db"
    result = ok("--db", target, "init")
    assert f"coding as {login_name()}" in result.out  # said, not silent
    return target


def login_name() -> str:
    from fieldnotes.db.coders import suggested_name

    return suggested_name()


async def test_a_new_project_asks_once_for_the_persons_name(unnamed: Path) -> None:
    app = FieldnotesApp(open_project(str(unnamed)), default_coder(unnamed), lang="da", ask_name=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "CoderScreen"
        text = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert "Hvem koder?" in text and login_name() in text
        box = app.screen.query_one("#coder-name", Input)
        assert box.value == login_name()  # the suggestion, to keep or replace
        box.value = ""
        await pilot.press(*"Mette Vinther", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "HomeScreen"
        assert app.coder == "Mette Vinther"
        assert "Du koder som Mette Vinther" in str(app.screen.query_one("#welcome", Static).render())
        assert app.errors == []
    assert default_coder(unnamed) == "Mette Vinther"
    again = FieldnotesApp(open_project(str(unnamed)), default_coder(unnamed), lang="da", ask_name=True)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(again.screen).__name__ == "HomeScreen"  # asked once


async def test_esc_on_the_question_keeps_the_suggested_name_and_asks_no_more(unnamed: Path) -> None:
    app = FieldnotesApp(open_project(str(unnamed)), default_coder(unnamed), lang="da", ask_name=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "CoderScreen"
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "HomeScreen" and app.coder == login_name()
    assert default_coder(unnamed) == login_name()
    log = ok("--db", unnamed, "log", "--json").json
    assert log[0]["action"] == "coder.default"  # said once, in the log: not asked again
    again = FieldnotesApp(open_project(str(unnamed)), login_name(), lang="da", ask_name=True)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(again.screen).__name__ == "HomeScreen"


async def test_a_named_project_is_not_asked(three: Path) -> None:
    app = FieldnotesApp(open_project(str(three)), "Anna Krogh", lang="da", ask_name=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "HomeScreen"


async def test_home_says_who_you_code_as_and_c_switches_to_another_coder(three: Path) -> None:
    ok("--db", three, "code", "Referat fra Lyngå", "--code", "Ledelse", "--match", "en runde", "--coder", "Bo Hansen")
    app = FieldnotesApp(open_project(str(three)), "Anna Krogh", lang="da")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Du koder som Anna Krogh" in str(app.screen.query_one("#home-people", Static).render())
        await pilot.press("c")
        await settle(pilot)
        assert type(app.screen).__name__ == "CoderScreen"
        listed = app.screen.query_one("#coder-list", OptionList)
        assert [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)] == [
            "Anna Krogh  (nu)", "Bo Hansen"]
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.coder == "Bo Hansen"
        assert "Du koder som Bo Hansen" in str(app.screen.query_one("#home-people", Static).render())
        # what is coded from now on is Bo's
        table = app.screen.query_one("#recent-documents", DataTable)
        table.focus()
        table.move_cursor(row=titles(table).index("Første interview i Søholm"))
        await pilot.press("enter")
        await settle(pilot)
        text = app.screen.query_one(CodedText)
        start = text.document.text.index("Vi tager")
        text.select_span(start, start + 3)
        await pilot.press("s", "c")
        await pilot.pause()
        await pilot.press(*"kollegial", "enter")
        await settle(pilot)
        assert app.errors == []
    shown = ok("--db", three, "show", "Første interview i Søholm", "--json").json["codings"]
    assert [(c["code_path"].split("/")[-1], c["coder"]) for c in shown] == [("Kollegial sparring", "Bo Hansen")]
    assert default_coder(three) == "Bo Hansen"


async def test_c_on_home_takes_a_new_name_and_esc_changes_nothing(three: Path) -> None:
    app = FieldnotesApp(open_project(str(three)), "Anna Krogh", lang="da")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("escape")  # nothing typed: back, nothing changed
        await settle(pilot)
        assert type(app.screen).__name__ == "HomeScreen" and app.coder == "Anna Krogh"
        await pilot.press("c")
        await settle(pilot)
        app.screen.query_one("#coder-name", Input).focus()
        await pilot.press(*"Lise Østergaard")
        await pilot.press("escape")  # typed text is never thrown away without asking
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.query_one("#coder-name", Input).value == "Lise Østergaard"
        await pilot.press("enter")
        await settle(pilot)
        assert app.coder == "Lise Østergaard"
        assert app.errors == []
    assert default_coder(three) == "Lise Østergaard"
    assert "Lise Østergaard" in ok("--db", three, "project", "show", "--json").json["coders"]


def test_init_in_a_terminal_asks_for_the_name(tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    entry = Path(sys.executable).with_name("fieldnotes")
    target = tmp_path / "spørg.db"
    env = {k: v for k, v in os.environ.items() if k not in ("FIELDNOTES_CODER", "FIELDNOTES_DB")}
    master, slave = pty.openpty()
    process = subprocess.Popen([str(entry), "--db", str(target), "init", "--lang", "en"], stdin=slave, stdout=slave,
                               stderr=slave, env=env, close_fds=True)
    os.close(slave)
    seen = b""
    try:
        while b"[" not in seen or b"]: " not in seen:
            chunk = os.read(master, 1024)
            assert chunk, seen
            seen += chunk
        assert b"Your name" in seen and login_name().encode() in seen  # the account's name is the default
        os.write(master, "Mette Østergaard\n".encode())
        while True:
            try:
                chunk = os.read(master, 1024)
            except OSError:  # the terminal closed: the command ended
                break
            if not chunk:
                break
            seen += chunk
    finally:
        assert process.wait(timeout=300) == 0, seen.decode(errors="replace")
        os.close(master)
    assert default_coder(target) == "Mette Østergaard"
    assert b"coding as" not in seen  # nothing to warn about: the person said who they are


def test_init_without_a_terminal_takes_fieldnotes_coder_or_says_whose_name_it_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDNOTES_CODER", "Jonas Bech")
    named = tmp_path / "navngivet.db"
    assert "coding as" not in ok("--db", named, "init").out
    assert default_coder(named) == "Jonas Bech"  # before, init signed the project with the login name
    monkeypatch.delenv("FIELDNOTES_CODER")
    unsaid = tmp_path / "usagt.db"
    out = ok("--db", unsaid, "init").out
    assert f"coding as {login_name()}" in out and "project set default_coder" in out
    assert default_coder(unsaid) == login_name()
