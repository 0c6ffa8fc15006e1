"""Search snippets keep the text's own spaces and punctuation, in the app and on the command line, and
every hit shows its source line; switching to fuzzy matching searches again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from fieldnotes.project.opening import open_project
from fieldnotes.search.results import one_line, snippet
from fieldnotes.tui.app import FieldnotesApp
from tests.helpers import ok, settle

#: punctuation right after the word, a double space, a line break and a tab near the hits
TEXT = ("I: Hvordan går det?\nR: Han er kommet i praktik på lageret, og det går godt.  Praktik, ja!\n"
        "I: Og så?\nR: Så fik han en praktikplads\tpå Ærø. «praktik» , skrev han.\n")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("snippets")
    target = folder / "p.db"
    ok("--db", target, "init", "--coder", "Anna Krogh")
    (folder / "interview-ærø.md").write_text(
        "---\ntitel: Interview på Ærø\nkommune: Ærø\ndato: 2025-04-01\ntype: interview\n---\n" + TEXT,
        encoding="utf-8")
    ok("--db", target, "import", folder / "interview-ærø.md")
    return target


def stored(project: Path) -> str:
    return one_line(ok("--db", project, "show", "Interview på Ærø", "--json").json["text"])


def test_snippet_is_a_piece_of_the_text() -> None:
    before, middle, after = snippet("kommet i ", "praktik", " på\nlageret", 60)
    assert (before, middle, after) == ("kommet i ", "praktik", " på lageret")
    assert snippet("abcdef", "x", "ghijk", 3) == ("def", "x", "ghi")


@pytest.mark.parametrize("fuzzy", [False, True])
def test_command_line_snippets_keep_the_texts_whitespace(project: Path, fuzzy: bool) -> None:
    text = stored(project)
    out = ok("--db", project, "search", "praktik", *(["--fuzzy"] if fuzzy else [])).out
    lines = [line for line in out.splitlines() if "«" in line]
    assert len(lines) >= 3
    for line in lines:
        line = re.sub(r"^\s*\d+  ", "", line)  # the hit's number
        opening = line.index("«")
        closing = line.index("»", opening + 1)
        # before: 40 columns, right-aligned (padding spaces only at its left); after: 40 columns
        core = line[:opening].lstrip() + line[opening + 1:closing] + line[closing + 1:closing + 41].rstrip()
        assert core in text, line
        assert "Interview på Ærø" in line[closing + 41:], line  # the source, on the same line
    assert not any(re.search(r"» ,", line) for line in lines if "«praktik» ," not in text)


async def test_app_snippets_keep_the_texts_whitespace_and_show_their_source(project: Path) -> None:
    text = stored(project)
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang="da")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        await pilot.press(*"praktik", "enter")
        await settle(pilot)
        screen = app.screen
        exact = len(screen.hits)
        assert exact >= 3

        def check() -> None:
            options = screen.query_one("#search-hits", OptionList)
            assert options.option_count == len(screen.hits)
            for index in range(options.option_count):
                lines = str(options.get_option_at_index(index).prompt).split("\n")
                assert len(lines) == 2, lines
                core = lines[0].removeprefix("✔ ").removeprefix("…").removesuffix("…")
                assert core in text, core  # "kommet ipraktikpå lageret" was not
                assert "Interview på Ærø" in lines[1]  # every hit shows its source line

        check()
        assert "kommet i praktik på lageret" in str(screen.query_one("#search-hits", OptionList)
                                                    .get_option_at_index(0).prompt) or any(
            "i praktik på" in str(screen.query_one("#search-hits", OptionList).get_option_at_index(i).prompt)
            for i in range(exact))
        # ctrl+f in the query box switches to fuzzy matching and searches again, the query kept
        before = screen.hits
        box = screen.query_one("#search-query", Input)
        box.focus()
        await pilot.pause()
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert screen.fuzzy and box.value == "praktik"
        assert "fuzzy" in str(screen.query_one("#search-status").render())
        assert screen.hits is not before and screen.hits  # searched again
        check()
        assert app.errors == []
