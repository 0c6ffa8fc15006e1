"""Team work in the app: settling disagreements, noticing changes made elsewhere, showing one coder's work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fieldnotes.project.opening import open_project
from fieldnotes.tui.app import FieldnotesApp
from fieldnotes.tui.widgets.coded_text import CodedText
from tests.helpers import ok, settle
from tests.projectdata import make_project

DOC = "Interview med sagsbehandler"
ANNA, JONAS = "Anna Krogh", "Jonas Bech"
PAIR = f"{ANNA},{JONAS}"
ELSEWHERE = "The project was changed elsewhere; the view is up to date again"


def spans(project: Path, coder: str) -> list[tuple[str, int, int]]:
    rows = ok("--db", project, "excerpts", "--coder", coder, "--json").json
    return sorted((r["code_path"].rsplit("/", 1)[-1], r["start"], r["end"]) for r in rows)


def listening(app: FieldnotesApp) -> list[str]:
    """Every notification the app shows, from now on."""
    said: list[str] = []
    original = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        said.append(str(message))
        original(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return said


def body(app: FieldnotesApp) -> str:
    return str(app.screen.query_one("#dis-body").render())


@pytest.fixture
def differing(tmp_path: Path) -> tuple[Path, int, int]:
    """Anna codes [s, s+40) and Jonas [s+10, s+60) with Kollegial sparring; only Jonas codes Ledelse at [l, l+14)."""
    project = make_project(tmp_path)
    text = ok("--db", project, "show", DOC, "--json").json["text"]
    s, lead = text.index("Vi tager altid"), text.index("Lederen er med")
    ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--span", f"{s}:{s + 40}", "--coder", ANNA)
    ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--span", f"{s + 10}:{s + 60}", "--coder", JONAS)
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med", "--coder", JONAS)
    return project, s, lead


async def test_settle_each_choice_in_the_app_and_undo(differing: tuple[Path, int, int]) -> None:
    project, s, lead = differing
    app = FieldnotesApp(open_project(str(project)), ANNA)
    async with app.run_test(size=(120, 36)) as pilot:
        said = listening(app)
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        screen: Any = app.screen
        assert screen.__class__.__name__ == "DisagreementsScreen"
        assert (screen.found.coder_a, screen.found.coder_b) == (ANNA, JONAS)
        assert [(d.code_path.rsplit("/", 1)[-1], d.start, d.end, d.holder) for d in screen.found.items] == [
            ("Kollegial sparring", s, s + 10, "a"), ("Kollegial sparring", s + 40, s + 60, "b"),
            ("Ledelse", lead, lead + 14, "b")]
        assert DOC in body(app) and f"{ANNA} coded this, {JONAS} did not" in body(app)
        await pilot.press("enter")  # read the run in its document, then come back
        await settle(pilot)
        assert app.screen.query_one(CodedText).selected_text == screen.current().text
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen

        await pilot.press("A")  # Anna's version of [s, s+10): Jonas gets it, his coding extended
        await settle(pilot)
        assert spans(project, JONAS) == [("Kollegial sparring", s, s + 60), ("Ledelse", lead, lead + 14)]
        assert said[-1].startswith(f"Accepted {ANNA}’s version: {JONAS} now has")
        assert [d.start for d in screen.found.items] == [s + 40, lead] and screen.current().start == s + 40

        await pilot.press("u")  # undo takes the settle back, and the run is listed again
        await settle(pilot)
        assert spans(project, JONAS) == [("Kollegial sparring", s + 10, s + 60), ("Ledelse", lead, lead + 14)]
        assert [d.start for d in screen.found.items] == [s, s + 40, lead]
        assert screen.current().start == s + 40  # still on the run we were looking at

        await pilot.press("A")  # Anna's version of [s+40, s+60) is "not coded": taken out of Jonas's coding
        await settle(pilot)
        assert spans(project, JONAS) == [("Kollegial sparring", s + 10, s + 40), ("Ledelse", lead, lead + 14)]
        assert screen.current().code_path.endswith("Ledelse")

        await pilot.press("B")  # Jonas's version of Ledelse: Anna gets it too
        await settle(pilot)
        assert spans(project, ANNA) == [("Kollegial sparring", s, s + 40), ("Ledelse", lead, lead + 14)]
        assert [d.start for d in screen.found.items] == [s]

        await pilot.press("K")  # keep both: nothing changes, and nothing is left to settle
        await settle(pilot)
        assert spans(project, ANNA) == [("Kollegial sparring", s, s + 40), ("Ledelse", lead, lead + 14)]
        assert spans(project, JONAS) == [("Kollegial sparring", s + 10, s + 40), ("Ledelse", lead, lead + 14)]
        assert screen.found.items == []
        assert "do not disagree anywhere" in body(app)
        assert ok("--db", project, "disagreements", "--coders", PAIR, "--json").json == []

        await pilot.press("u")  # keeping both is not a step: undo takes back the Ledelse settle before it
        await settle(pilot)
        assert spans(project, ANNA) == [("Kollegial sparring", s, s + 40)]
        assert [d.code_path.rsplit("/", 1)[-1] for d in screen.found.items] == ["Ledelse"]
        assert not any(ELSEWHERE in message for message in said)  # the app's own changes are not "elsewhere"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "HomeScreen"
        assert app.errors == []
    log = ok("--db", project, "log", "--json").json
    settles = [e["action"] for e in log if e["action"].startswith("settle") and e["coder"] == ANNA]
    assert sorted(settles) == ["settle", "settle", "settle", "settle.both"]


async def test_no_disagreements_is_said_plainly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FieldnotesApp, "POLL_SECONDS", 0.2)
    project = make_project(tmp_path)
    app = FieldnotesApp(open_project(str(project)), ANNA)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        screen: Any = app.screen
        assert "need two coders" in body(app)  # nobody has coded anything yet
        for coder in (ANNA, JONAS):  # elsewhere, both code the same words
            ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med", "--coder", coder)
        await pilot.pause(0.5)
        await settle(pilot)
        assert screen.found is not None and screen.found.items == []
        assert f"{ANNA} and {JONAS} do not disagree anywhere: nothing to settle." in body(app)
        await pilot.press("A")  # nothing to settle: nothing happens
        await settle(pilot)
        ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "ringer til bageriet", "--coder", "Mette Lund")
        await pilot.pause(0.5)
        await settle(pilot)
        assert screen.coders == [ANNA, JONAS, "Mette Lund"]  # a new coder is offered at once
        screen.query_one("#dis-b").value = "Mette Lund"
        await settle(pilot)
        assert [(d.coder_b, d.text, d.holder) for d in screen.found.items] == [
            ("Mette Lund", "Lederen er med", "a"), ("Mette Lund", "ringer til bageriet", "b")]
        assert app.errors == []
    assert len(spans(project, ANNA)) == 1 and len(spans(project, JONAS)) == 1


async def test_a_change_elsewhere_refreshes_the_screen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FieldnotesApp, "POLL_SECONDS", 0.2)
    project = make_project(tmp_path)
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med", "--coder", ANNA)
    app = FieldnotesApp(open_project(str(project)), ANNA)
    async with app.run_test(size=(120, 36)) as pilot:
        said = listening(app)
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        screen: Any = app.screen
        assert [e.text for e in screen.found] == ["Lederen er med"]
        await pilot.pause(0.5)
        await settle(pilot)
        assert ELSEWHERE not in said  # nothing changed yet
        ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--match", "Vi tager altid",
           "--coder", JONAS)
        await pilot.pause(0.5)
        await settle(pilot)
        assert [e.text for e in screen.found] == ["Vi tager altid", "Lederen er med"]
        assert said.count(ELSEWHERE) == 1
        options = screen.query_one("#excerpt-list")
        assert screen.found[options.highlighted].text == "Lederen er med"  # the reader's place is kept
        screen.query_one("#excerpt-list").focus()
        await pilot.press("h")  # home was shown before the change: it is reloaded on return
        await settle(pilot)
        counts = str(app.screen.query_one("#home-counts").render())
        assert "2 codings" in counts
        assert app.errors == []


def test_the_watcher_tells_own_changes_from_others(tmp_path: Path) -> None:
    from fieldnotes.codebook import operations
    from fieldnotes.project.actions import acting
    from fieldnotes.tui.changes import ChangeWatcher

    project = make_project(tmp_path)
    opened = open_project(str(project))
    watcher = ChangeWatcher(opened)
    try:
        assert watcher.poll() is False  # the first look only remembers where the log is
        with acting(opened, ANNA, "code.add", "added a code") as (session, coder_id):
            operations.add(session, "Egen kode", parent=None, coder_id=coder_id)
        assert watcher.poll() is False  # written through this app's own project
        ok("--db", project, "codebook", "add", "Andres kode", "--coder", JONAS)
        assert watcher.poll() is True  # written elsewhere (the command line)
        assert watcher.poll() is False  # and told once
    finally:
        watcher.close()
        opened.close()


async def test_excerpts_show_every_coder_only_me_or_another(differing: tuple[Path, int, int]) -> None:
    project, _s, _lead = differing
    app = FieldnotesApp(open_project(str(project)), ANNA)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        screen: Any = app.screen

        def coders() -> list[str]:
            return sorted({e.coder for e in screen.found})

        assert coders() == [ANNA, JONAS] and len(screen.found) == 3
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert coders() == [ANNA] and len(screen.found) == 1
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert coders() == [JONAS] and len(screen.found) == 2
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert coders() == [ANNA, JONAS]
        assert app.errors == []


async def test_help_and_palette_list_the_disagreements(tmp_path: Path) -> None:
    from fieldnotes.tui.screens.help import help_text

    assert any(line.split()[:2] == ["D", "Disagreements:"] and "where two coders differ" in line
               for line in help_text().splitlines())
    app = FieldnotesApp(open_project(str(make_project(tmp_path))), ANNA)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Disagreements" in titles


@pytest.mark.postgres
async def test_on_a_shared_server_another_coders_work_appears(tmp_path: Path, pg_url: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.projectdata import SMALL_CODEBOOK

    monkeypatch.setattr(FieldnotesApp, "POLL_SECONDS", 0.2)
    make_project(tmp_path)  # writes the material folder
    ok("--db", pg_url, "init", "--codebook", SMALL_CODEBOOK, "--coder", ANNA)
    ok("--db", pg_url, "import", tmp_path / "material", "--coder", ANNA)
    ok("--db", pg_url, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med", "--coder", ANNA)
    ok("--db", pg_url, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med, og", "--coder", JONAS)
    app = FieldnotesApp(open_project(pg_url), ANNA)
    async with app.run_test(size=(120, 36)) as pilot:
        said = listening(app)
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        screen: Any = app.screen
        assert [d.text for d in screen.found.items] == [", og"]
        await pilot.press("B")  # Anna's own settle on the server: not a change "elsewhere"
        await pilot.pause(0.5)
        await settle(pilot)
        assert screen.found.items == [] and ELSEWHERE not in said
        # Jonas, on another machine, codes a new passage that Anna has not
        ok("--db", pg_url, "code", DOC, "--code", "Ledelse", "--match", "ringer til bageriet", "--coder", JONAS)
        await pilot.pause(0.5)
        await settle(pilot)
        assert [d.text for d in screen.found.items] == ["ringer til bageriet"]
        assert said.count(ELSEWHERE) == 1
        assert app.errors == []
    app.project.close()
