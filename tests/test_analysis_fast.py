"""The fast paths of the analysis: codings read one row per document, roles by one bisect per document,
paragraphs without a loop. Each is checked against the plain way of getting the same answer."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from fieldnotes.analysis.columns import NONE, RoleFinder
from fieldnotes.analysis.cooccurrence import _paragraphs, cooccurrence
from fieldnotes.analysis.matrix import MEASURES, matrix
from fieldnotes.analysis.scope import load, load_grouped
from fieldnotes.project.opening import open_project
from fieldnotes.queries.filters import Filters
from fieldnotes.text import line_starts
from tests.test_analysis import build_analysis_project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FIELDNOTES_HOME", str(tmp_path_factory.mktemp("home")))
        patch.setenv("FIELDNOTES_LANG", "en")
        yield Path(build_analysis_project(tmp_path_factory.mktemp("fast")))


def test_roles_from_turn_bounds_are_the_roles_of_the_turns() -> None:
    finder = RoleFinder.__new__(RoleFinder)
    chance = random.Random(7)
    for _ in range(2000):
        turns, position = [], 0
        for _ in range(chance.randint(0, 6)):  # gaps, touching turns, overlapping turns, empty turns
            start = position + chance.randint(0, 3)
            end = start + chance.randint(0, 5)
            turns.append((start, end, chance.choice("abc")))
            position = max(start, end + chance.choice([-3, -1, 0, 1, 2]))
        turns.sort()
        finder.turns = {"doc": ([s for s, _, _ in turns], [e for _, e, _ in turns], [r for _, _, r in turns])}
        positions = [chance.randint(0, position + 5) for _ in range(15)]
        assert finder.roles_at("doc", positions) == [finder.role("doc", p) for p in positions]
    assert finder.roles_at("elsewhere", [1, 2]) == [NONE, NONE]


@pytest.mark.parametrize("text", ["", "a", "a\n", "\n\nab\ncd\n\n", "én linje\nto 🙂\r\ntre"])
def test_paragraphs_are_the_lines(text: str) -> None:
    starts = line_starts(text)
    assert _paragraphs(text) == (starts, [s - 1 for s in starts[1:]] + [len(text)])


@pytest.mark.parametrize("filters", [Filters(), Filters(contains="tro"), Filters(coders=["Jonas Bech"]),
                                     Filters(municipalities=["Lyngå"]), Filters(rating=(3, 5))])
def test_codings_grouped_by_document_are_the_codings(project: Path, filters: Filters) -> None:
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        rows = load(session, filters, ("document", "code", "coder", "start", "end")).rows
        grouped = load_grouped(session, filters, ("code", "coder", "start", "end"))
        again = sorted((doc, *values) for doc, lists in grouped.groups.items() for values in zip(*lists, strict=True))
        assert again == sorted(rows) and grouped.size == len(rows)
        assert set(grouped.code_of) == {row[1] for row in rows}


def test_a_speaker_label_with_the_separator_in_it_changes_nothing(project: Path, tmp_path: Path) -> None:
    def numbers(path: Path) -> list[dict[str, Any]]:
        with open_project(str(path), readonly=True) as opened, opened.read() as session:
            return [matrix(session, None, "role", measure).as_dict() for measure in MEASURES] + [
                cooccurrence(session, None, "turn").as_dict()]

    copy = tmp_path / "copy.db"
    with closing(sqlite3.connect(project)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    before = numbers(copy)
    assert "sagsbehandler" in before[0]["columns"]
    renamed = 0
    with closing(sqlite3.connect(copy)) as db, db:
        for doc_id, speakers in db.execute("SELECT id, speakers FROM documents").fetchall():
            mapping = json.loads(speakers)
            if "R" in mapping:
                mapping["R\x1fx"] = mapping.pop("R")
                db.execute("UPDATE documents SET speakers = ? WHERE id = ?", (json.dumps(mapping), doc_id))
                renamed += db.execute("UPDATE speaker_turns SET speaker = 'R\x1fx' WHERE document_id = ? "
                                      "AND speaker = 'R'", (doc_id,)).rowcount
    assert renamed and numbers(copy) == before
