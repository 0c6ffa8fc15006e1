"""The app's pseudonym register screen, driven with Pilot and checked against the database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fieldnotes.privacy.detect import candidates
from fieldnotes.privacy.inplace import pending
from fieldnotes.project.demo import build
from fieldnotes.project.opening import open_project
from fieldnotes.tui.app import FieldnotesApp
from tests.helpers import import_screens_again, ok, settle
from tests.projectdata import make_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = make_project(tmp_path)
    ok("--db", target, "pseudonyms", "add", "Mette Vinther", "Hanne Ås", "--category", "person")
    ok("--db", target, "pseudonyms", "add", "Lyngå", "Østerby", "--category", "place")
    return target


def register(db: Path) -> list[dict[str, Any]]:
    return ok("--db", db, "pseudonyms", "list", "--json").json  # type: ignore[no-any-return]


async def open_register(pilot: Any) -> Any:
    await settle(pilot)
    await pilot.press("P")
    await settle(pilot)
    return pilot.app.screen


async def test_the_register_lists_every_entry_with_its_occurrences(project: Path) -> None:
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_register(pilot)
        table = screen.query_one("#ps-table")
        rows = [(str(table.get_row_at(i)[2]), str(table.get_row_at(i)[3]), str(table.get_row_at(i)[1]))
                for i in range(table.row_count)]
        assert app.errors == []
    listed = register(project)
    assert rows == [(e["original"], e["pseudonym"], str(e["occurrences"]) if e["occurrences"] else "")
                    for e in listed]
    assert rows == [("Mette Vinther", "Hanne Ås", ""), ("Lyngå", "Østerby", "1")]  # Lyngå once in the text


async def test_add_an_entry_from_the_form(project: Path) -> None:
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_register(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"Bageriet Ørsted")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"Bageriet Åen")
        app.screen.query_one("#pf-category").value = "workplace"
        await pilot.press("enter")
        await settle(pilot)
        assert app.errors == []
        assert len(screen.entries) == 3
    added = [e for e in register(project) if e["original"] == "Bageriet Ørsted"]
    assert [(e["pseudonym"], e["category"]) for e in added] == [("Bageriet Åen", "workplace")]
    log = ok("--db", project, "log", "--json").json
    assert log[0]["action"] == "pseudonyms.add" and log[0]["coder"] == "Anna Krogh"


async def test_a_refused_entry_says_why_and_writes_nothing(project: Path) -> None:
    before = register(project)
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_register(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"Mette Vinther", "enter")
        await settle(pilot)
        await pilot.press(*"Karen Ås", "enter")
        await settle(pilot)
        assert len(app.errors) == 1 and "already in the register" in app.errors[0]
        assert "\n" not in app.errors[0]
    assert register(project) == before


async def test_candidates_are_the_detector_s_and_one_is_added_to_the_register(project: Path) -> None:
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        expected = [(c.kind, c.text, c.start) for c in candidates(session)]
    assert ("name", "Søren", 92) in expected
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_register(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert [(c.kind, c.text, c.start) for c in screen.candidates] == expected
        table = screen.query_one("#ps-table")
        assert table.row_count == len(expected)
        table.move_cursor(row=[c.text for c in screen.candidates].index("Søren"))
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert form.query_one("#pf-original").value == "Søren"
        assert form.query_one("#pf-category").value == "person"
        await pilot.press(*"Bo", "enter")
        await settle(pilot)
        assert "Søren" not in [c.text for c in screen.candidates]  # detected again: now covered
        assert app.errors == []
    assert [(e["pseudonym"], e["category"]) for e in register(project) if e["original"] == "Søren"] == [
        ("Bo", "person")]


async def test_remove_asks_first(project: Path) -> None:
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_register(pilot)
        table = screen.query_one("#ps-table")
        table.move_cursor(row=[e.original for e in screen.entries].index("Lyngå"))
        await pilot.press("delete")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ConfirmScreen"
        await pilot.press("n")
        await settle(pilot)
        assert "Lyngå" in [e["original"] for e in register(project)]
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert [e.original for e in screen.entries] == ["Mette Vinther"]
        assert app.errors == []
    assert [e["original"] for e in register(project)] == ["Mette Vinther"]


@pytest.fixture
def danish_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FieldnotesApp]:
    build(tmp_path / "demo.db")
    monkeypatch.chdir(tmp_path)  # the header shows "demo.db", the same on every machine
    import_screens_again(monkeypatch)  # key labels again, in Danish
    application = FieldnotesApp(open_project("demo.db"), "Anna Krogh", lang="da")
    yield application
    application.project.close()


def test_snapshot_pseudonym_register(snap_compare: Any, danish_demo: FieldnotesApp) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        await pilot.press("down", "down", "down")
        await settle(pilot)

    assert snap_compare(danish_demo, terminal_size=(100, 30), run_before=run_before)


async def test_apply_counts_first_asks_then_replaces_and_codings_keep_their_words(project: Path) -> None:
    ok("--db", project, "code", "Interview med sagsbehandler", "--code", "Virksomhedskontakt", "--match",
       "ringer til bageriet i Lyngå hver uge")
    with open_project(str(project), readonly=True) as opened:
        expected = len(pending(opened))
    assert expected >= 2  # the text, and the municipality's name
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_register(pilot)
        await pilot.press("A")
        await settle(pilot)
        confirm = app.screen
        assert confirm.__class__.__name__ == "ConfirmScreen"
        assert f"Replace {expected} occurrences" in confirm.question  # type: ignore[attr-defined]
        await pilot.press("n")
        await settle(pilot)
        assert "Lyngå" in ok("--db", project, "show", "Interview med sagsbehandler").out
        await pilot.press("A")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.errors == []
    shown = ok("--db", project, "show", "Interview med sagsbehandler", "--json").json
    assert "Lyngå" not in shown["text"] and "bageriet i Østerby" in shown["text"]
    assert [c["text"] for c in shown["codings"]] == ["ringer til bageriet i Østerby hver uge"]
    assert ok("--db", project, "pseudonyms", "apply", "--dry-run", "--json").json["replacements"] == []
    actions = [e["action"] for e in ok("--db", project, "log", "--json").json]
    assert "pseudonyms.apply" in actions


@pytest.mark.parametrize("choice", ["yes", "no"])
async def test_the_export_dialog_replaces_names_unless_told_not_to_and_says_so_after(project: Path, tmp_path: Path,
                                                                                      choice: str) -> None:
    """Names are replaced by default; "Navne erstattet: nej" is the explicit way out, and the status after
    the export repeats the choice, as the audit trail records it."""
    import docx

    ok("--db", project, "code", "Interview med sagsbehandler", "--code", "Virksomhedskontakt", "--match",
       "ringer til bageriet i Lyngå hver uge")
    target = tmp_path / f"bageriet-{choice}.docx"
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang="da")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        dialog = app.screen
        names = dialog.query_one("#ex-names")
        assert names.value == "yes" and not names.disabled
        assert "2 poster" in str(dialog.query_one("#ex-names-state").render())
        dialog.query_one("#ex-codes").value = "Virksomhedskontakt"
        dialog.query_one("#ex-file").value = str(target)
        if choice == "no":
            names.value = "no"
            await settle(pilot)
            assert "som de står" in str(dialog.query_one("#ex-names-state").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        said = [str(n.message) for n in app._notifications]
        assert app.errors == []
    replaced = choice == "yes"
    assert any(f"Navne erstattet: {'ja' if replaced else 'nej'}" in m for m in said), said
    text = "\n".join(p.text for p in docx.Document(str(target)).paragraphs)
    assert ("Lyngå" not in text and "bageriet i Østerby" in text) if replaced else "bageriet i Lyngå" in text
    details = ok("--db", project, "log", "--exports", "--json").json[0]["details"]
    assert details["pseudonymized"] is replaced
    assert details["names_choice"] == ("project setting" if replaced else "explicit")
