"""Characters per matrix cell counted with arrays, against sets of characters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from fieldnotes.analysis.matrix import _union_runs, cell_coding_ids, matrix
from fieldnotes.db.models import Coding
from fieldnotes.project.opening import open_project
from tests.test_analysis import build_analysis_project

ENTRY = st.tuples(st.integers(0, 4), st.integers(0, 2), st.integers(0, 90), st.integers(1, 40))


@given(st.lists(ENTRY, max_size=40))
def test_runs_cover_what_the_union_of_their_characters_covers(entries: list[tuple[int, int, int, int]]) -> None:
    # entries in the order the matrix gives them: by document, then start
    entries.sort(key=lambda item: (item[1], item[2]))
    key = np.array([k for k, _, _, _ in entries], dtype=np.int64)
    document = np.array([d for _, d, _, _ in entries], dtype=np.int64)
    start = np.array([s for _, _, s, _ in entries], dtype=np.int64)
    end = np.array([s + n for _, _, s, n in entries], dtype=np.int64)
    keys, docs, covered = _union_runs(key, np.arange(len(entries), dtype=np.int64), document, start, end)
    found = {(int(k), int(d)): int(c) for k, d, c in zip(keys, docs, covered, strict=True)}
    characters: dict[tuple[int, int], set[int]] = defaultdict(set)
    for k, d, s, n in entries:
        characters[(k, d)].update(range(s, s + n))
    assert found == {pair: len(chars) for pair, chars in characters.items()}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FIELDNOTES_HOME", str(tmp_path_factory.mktemp("home")))
        patch.setenv("FIELDNOTES_LANG", "en")
        yield Path(build_analysis_project(tmp_path_factory.mktemp("tegn")))


@pytest.mark.parametrize("by", ["municipality", "role", "coder", "kind"])
@pytest.mark.parametrize("rollup", [True, False])
@pytest.mark.parametrize("measure", ["chars", "codings"])
def test_every_cell_counts_the_characters_or_codings_of_its_codings(project: Path, by: str, rollup: bool,
                                                                    measure: str) -> None:
    """Characters once per document however many codings cover them; codings once each."""
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        table = matrix(session, None, by, measure, rollup)
        spans = {c.id: (c.document_id, c.start, c.end) for c in session.scalars(select(Coding))}
        assert table.total > 0
        for row, row_id in zip(table.rows, table.row_ids, strict=True):
            for column in [*table.columns, "total"]:
                characters: set[tuple[object, int]] = set()
                codings = cell_coding_ids(session, None, by, row_id, column, rollup)
                for coding in codings:
                    document, start, end = spans[coding]
                    characters.update((document, at) for at in range(start, end))
                value = table.row_totals[row] if column == "total" else table.cells[row][column]
                assert value == (len(characters) if measure == "chars" else len(codings)), (row, column)
