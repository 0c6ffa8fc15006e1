"""The app in one language at a time: footers, palette, toasts and the codebook follow the language, and
switching it from the palette ("Sprog / Language") relabels the footer at once."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from fieldnotes import preferences
from fieldnotes.project.opening import open_project
from fieldnotes.tui.app import FieldnotesApp
from tests.helpers import ok, settle
from tests.projectdata import make_project

#: interface words a Danish screen must not show (document titles and text are Danish anyway)
ENGLISH_WORDS = ["Quit", "Help", "Search", "Documents", "Codebook", "Excerpts", "Undo", "Export",
                 "No matches", "Search for commands", "palette", "coded", "removed", "Open", "Back", "Filters",
                 "Codings", "Recent", "Disagreements", "Highlight", "excerpts", "codings", "documents"]
#: interface words an English screen must not show
DANISH_WORDS = ["Afslut", "Hjælp", "Søg", "Dokumenter", "Kodebog", "Uddrag", "Fortryd", "Eksportér", "Ingen match",
                "kommandoer", "kodede", "fjernede", "Åbn", "Tilbage", "Filtre", "Kodninger", "Seneste", "Uenigheder",
                "uddrag", "kodninger", "dokumenter", "Kommune", "Fase", "ikke oversat"]
SCREENS = ["home", "documents", "codebook", "excerpts", "matrix", "search", "cooccurrence", "words", "pseudonyms"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def footer_text(app: FieldnotesApp) -> str:
    from textual.widgets._footer import FooterKey

    return " ".join(str(key.description) for key in app.screen.query(FooterKey))


def screen_words(app: FieldnotesApp) -> str:
    """The interface text of the screen as drawn: every line of the screenshot."""
    from textual.widgets import DataTable, Tree

    svg = app.export_screenshot()
    text = " ".join(re.sub(r"<[^>]+>", "", line) for line in re.findall(r"<text[^>]*>.*?</text>", svg))
    text = text.replace("&#160;", " ").replace("&amp;", "&")
    # the project's own content (document titles, code names, excerpts) is not interface text
    for table in app.screen.query(DataTable):
        for row in range(table.row_count):
            for cell in table.get_row_at(row):
                text = text.replace(str(cell), " ")
    for tree in app.screen.query(Tree):
        for line in range(tree.last_line + 1):
            node = tree.get_node_at_line(line)
            if node is not None:
                text = text.replace(str(node.label.plain), " ")
    return text


def found(words: list[str], text: str) -> list[str]:
    return [w for w in words if re.search(r"(?<![\wæøåÆØÅ])" + re.escape(w) + r"(?![\wæøåÆØÅ])", text)]


async def test_every_screen_speaks_one_language(project: Path) -> None:
    for lang, wrong, right in (("da", ENGLISH_WORDS, "Afslut"), ("en", DANISH_WORDS, "Quit")):
        app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang=lang)
        async with app.run_test(size=(160, 50)) as pilot:
            for mode in SCREENS:
                app.switch_mode(mode)
                await settle(pilot)
                shown = screen_words(app)
                assert right in footer_text(app) or mode != "home"
                assert found(wrong, shown) == [], (lang, mode, found(wrong, shown))
            await pilot.press("ctrl+p")
            await settle(pilot)
            await pilot.press(*"zzqx")
            await pilot.pause(0.8)
            await settle(pilot)
            palette = screen_words(app)
            assert ("Ingen match fundet" if lang == "da" else "No matches found") in palette
            assert found(wrong, palette) == [], (lang, "palette", found(wrong, palette))
        app.project.close()


def test_the_danish_snapshots_hold_no_english_interface_word() -> None:
    """The snapshot pictures of every screen (Danish) show none of the English interface words."""
    folder = Path(__file__).parent / "__snapshots__" / "test_snapshots"
    pictures = sorted(folder.glob("*.svg"))
    assert len(pictures) >= 16
    for picture in pictures:
        lines = re.findall(r"<text[^>]*>(.*?)</text>", picture.read_text(encoding="utf-8"))
        text = " ".join(re.sub(r"<[^>]+>", "", line) for line in lines).replace("&#160;", " ")
        assert found(["Quit", "Help", "Search", "No matches", "coded", "removed", "palette", "Undo", "Documents",
                      "Codebook", "Excerpts"], text) == [], picture.name


async def test_switching_the_language_from_the_palette_relabels_the_footer(project: Path) -> None:
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang="da")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert "Afslut" in footer_text(app) and "Quit" not in footer_text(app)
        for mode in ("excerpts", "documents", "codebook", "home"):  # built in Danish, kept while another is shown
            app.switch_mode(mode)
            await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause(0.5)
        await settle(pilot)
        from textual.command import CommandPalette
        from textual.widgets import Input

        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(Input).placeholder == "Søg efter kommandoer…"
        await pilot.press(*"Sprog")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"English")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        footer = footer_text(app)
        assert "Quit" in footer and "Documents" in footer and "Afslut" not in footer
        assert json.loads(preferences.settings_file().read_text(encoding="utf-8")) == {"language": "en"}
        shown = screen_words(app)  # the screen itself too: its headings and column titles, not only the footer
        assert "Recent documents" in shown and "Recent codings" in shown and found(DANISH_WORDS, shown) == []
        for mode in ("documents", "excerpts", "codebook", "matrix"):  # built in Danish and not shown; one never built
            app.switch_mode(mode)
            await settle(pilot)
            assert "Quit" in footer_text(app) and "Afslut" not in footer_text(app)
            assert found(DANISH_WORDS, screen_words(app)) == [], (mode, found(DANISH_WORDS, screen_words(app)))
            if mode == "codebook":  # the tree's root is interface text too
                assert app.screen.query_one("Tree").root.label.plain == "Codebook"  # type: ignore[attr-defined]
        assert app.errors == []
    app.project.close()
    # only the person's setting changed, never the shared project's
    assert ok("--db", project, "--json", "project", "show").json["language"] == "da"


async def test_the_undo_toast_is_built_from_the_changes_data(project: Path) -> None:
    ok("--db", project, "--coder", "Anna Krogh", "code", "Interview med sagsbehandler", "--code", "Ledelse",
       "--match", "Vi tager altid")
    for lang, expected in (("da", "Fortrudt: kodede Ledelse i 'Interview med sagsbehandler'"),
                           ("en", "Undone: coded Ledelse in 'Interview med sagsbehandler'")):
        app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang=lang)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("u")
            await settle(pilot)
            messages = [str(n.message) for n in app._notifications]
            assert expected in messages, messages
            await pilot.press("U")
            await settle(pilot)
        app.project.close()


async def test_the_english_codebook_shows_the_en_definitions(tmp_path: Path) -> None:
    """The study's codebook has `en:` glosses; the English app shows them, the Danish one the Danish text."""
    project = tmp_path / "studie.db"
    ok("init", "--db", project, "--coder", "Anna Krogh")

    async def entry(lang: str) -> str:
        app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang=lang)
        async with app.run_test(size=(160, 50)) as pilot:
            app.switch_mode("codebook")
            await settle(pilot)
            tree: Any = app.screen.query_one("Tree")
            line = next(i for i in range(tree.last_line + 1)
                        if "Kollegial sparring" in tree.get_node_at_line(i).label.plain)
            tree.move_cursor_to_line(line)
            await settle(pilot)
            shown = str(app.screen.query_one("#code-entry").render())
        app.project.close()
        return shown

    english = await entry("en")
    assert "Sparring between colleagues about citizens and cases." in english
    assert "(Peer sparring)" in english and "Short definition" in english
    danish = await entry("da")
    assert "Sparring mellem kolleger om borgere og sager." in danish and "Peer sparring" not in danish


async def test_an_entry_without_english_is_shown_in_danish_with_a_quiet_marker(project: Path) -> None:
    ok("--db", project, "codebook", "add", "Egen kode", "--short", "Kun på dansk.")
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang="en")
    async with app.run_test(size=(160, 50)) as pilot:
        app.switch_mode("codebook")
        await settle(pilot)
        tree: Any = app.screen.query_one("Tree")
        line = next(i for i in range(tree.last_line + 1) if "Egen kode" in tree.get_node_at_line(i).label.plain)
        tree.move_cursor_to_line(line)
        await settle(pilot)
        shown = str(app.screen.query_one("#code-entry").render())
        assert "Kun på dansk." in shown and "(untranslated)" in shown
    app.project.close()


async def test_the_readers_keys_follow_a_switch_both_ways(project: Path) -> None:
    """The reader's "c Code" is the verb ("Kod", not the noun "Kode"), and its keys follow the language whichever
    language the app module was first imported in."""
    import uuid

    documents = ok("--db", project, "--json", "docs").json
    document = next(d for d in documents if d["title"] == "Interview med sagsbehandler")
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang="da", open_document=uuid.UUID(document["id"]))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ReaderScreen"
        keys = footer_text(app).split()
        assert "Kod" in keys and "Sætning" in keys and "Code" not in keys and "Kode" not in keys
        app.set_language("en")
        await settle(pilot)
        keys = footer_text(app).split()
        assert "Code" in keys and "Sentence" in keys and "Kod" not in keys and "Sætning" not in keys
        app.set_language("da")
        await settle(pilot)
        assert "Kod" in footer_text(app).split() and "Sentence" not in footer_text(app)
    app.project.close()
