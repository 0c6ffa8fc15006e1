"""Counts read right in the singular (#23): "1 dokument", "25 dokumenter", "1 overlap", through the catalog's
plural forms (ngettext), on Home and in the command line's summaries, in Danish and English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.widgets import Static

from fieldnotes.project.opening import open_project
from fieldnotes.tui.app import FieldnotesApp
from tests.helpers import ok, settle

TEXT = "Vi tager altid en runde om fredagen. Lederen er med, og det hjælper på troen på borgerne.\n"


@pytest.fixture
def one(tmp_path: Path) -> Path:
    """One document in Søholm with one coding."""
    target = tmp_path / "én.db"
    ok("--db", target, "init", "--coder", "Anna Krogh")
    source = tmp_path / "møde.md"
    source.write_text("---\ntitel: Møde i Søholm\nkommune: Søholm\ndato: 2025-03-04\n---\n" + TEXT, encoding="utf-8")
    ok("--db", target, "import", source)
    ok("--db", target, "code", "Møde i Søholm", "--code", "Ledelse", "--match", "Lederen er med")
    return target


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize(("lang", "words"), [
    ("da", ["1 dokument ", "1 kodning ", "Søholm: 1 dokument", "Anna Krogh: 1 kodning", "0 memoer"]),
    ("en", ["1 document ", "1 coding ", "Søholm: 1 document", "Anna Krogh: 1 coding", "0 memos"]),
])
async def test_home_counts_one_in_the_singular(one: Path, lang: str, words: list[str]) -> None:
    app = FieldnotesApp(open_project(str(one)), "Anna Krogh", lang=lang)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        shown = plain(str(app.screen.query_one("#home-counts", Static).render()) + " " +
                      str(app.screen.query_one("#home-people", Static).render()) + " ")
    for word in words:
        assert word in shown, (word, shown)
    assert "1 dokumenter" not in shown and "1 documents" not in shown and "1 kodninger" not in shown


async def test_home_counts_many_in_the_plural(one: Path, tmp_path: Path) -> None:
    second = tmp_path / "notat.md"
    second.write_text("---\ntitel: Notat fra Søholm\nkommune: Søholm\n---\nEt kort notat om praktik.\n",
                      encoding="utf-8")
    ok("--db", one, "import", second)
    app = FieldnotesApp(open_project(str(one)), "Anna Krogh", lang="da")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        shown = plain(str(app.screen.query_one("#home-counts", Static).render()))
    assert "2 dokumenter" in shown and "Søholm: 2 dokumenter" in shown and "1 kodning " in shown + " "


@pytest.mark.parametrize(("lang", "unit", "docs"), [("en", "overlap", "document"), ("da", "overlap", "dokument")])
def test_cooccurrence_says_1_overlap(one: Path, lang: str, unit: str, docs: str) -> None:
    ok("--db", one, "code", "Møde i Søholm", "--code", "Kollegial sparring", "--match", "Lederen er med, og det")
    lines = ok("--db", one, "cooccurrence", "--lang", lang).out.splitlines()
    pair = next(line for line in lines if "Ledelse" in line and "Kollegial sparring" in line)
    assert re.match(rf"\s+1 {unit}\s+1 {docs}\s", pair), pair
    assert "overlaps" not in pair and "(s)" not in pair


def test_export_says_1_excerpt_from_1_document(one: Path, tmp_path: Path) -> None:
    out = ok("--db", one, "export", "docx", tmp_path / "møde.docx", "--code", "Ledelse", "--lang", "en").out
    assert "1 excerpt from 1 document," in out
    dansk = ok("--db", one, "export", "docx", tmp_path / "møde2.docx", "--code", "Ledelse", "--lang", "da").out
    assert "1 uddrag fra 1 dokument," in dansk
