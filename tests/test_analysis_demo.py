"""The demo project shows every pattern examples/demo/patterns.yaml promises, through the analysis functions,
and the numbers behind each verdict agree with a direct count: of `fieldnotes excerpts --json` for the
municipality matrix and the ratings, of straight SQL over the codings table for the phase matrix and
co-occurrence."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from contextlib import closing
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from fieldnotes.analysis.patterns import TYPES, check_pattern, load_patterns
from fieldnotes.project.opening import open_project
from fieldnotes.resources import demo_dir
from tests.helpers import ok
from tests.test_analysis import phase

PATTERNS = load_patterns(demo_dir() / "patterns.yaml")


@pytest.fixture(scope="module")
def excerpts(english_demo: Path) -> list[dict[str, Any]]:
    return ok("--db", english_demo, "excerpts", "--json").json  # type: ignore[no-any-return]


def areas_in(excerpts: list[dict[str, Any]], municipality: str) -> Counter[str]:
    return Counter(e["code_path"].split("/")[0] for e in excerpts
                   if municipality in (e["municipality"] or "").split(", "))


def test_the_file_declares_every_kind_of_pattern() -> None:
    assert {p["type"] for p in PATTERNS} == set(TYPES) == {"dominant_area", "present_everywhere", "rating_trend",
                                                           "phase_shift", "cooccurs"}
    assert all(p["areas"] for p in PATTERNS if p["type"] == "dominant_area")


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: f"{p['type']}-{p.get('municipality', 'all')}")
def test_the_demo_shows_the_pattern(english_demo: Path, excerpts: list[dict[str, Any]],
                                    pattern: dict[str, Any]) -> None:
    with open_project(str(english_demo), readonly=True) as project, project.read() as session:
        held, observed = check_pattern(session, pattern)
    assert held, observed
    if pattern["type"] == "present_everywhere":
        municipalities = {m for e in excerpts for m in (e["municipality"] or "").split(", ") if m}
        for area in pattern["areas"]:
            counts = {m: areas_in(excerpts, m)[area] for m in municipalities}
            assert observed["counts"][area] == counts and min(counts.values()) >= pattern["min"]
    elif pattern["type"] == "phase_shift":
        assert_phase_shift(english_demo, pattern, observed)
    elif pattern["type"] == "cooccurs":
        assert_cooccurs(english_demo, pattern, observed)
    elif pattern["type"] == "dominant_area":
        counts = areas_in(excerpts, pattern["municipality"])
        assert observed["counts"] == {area: counts[area] for area in pattern["areas"]}
        runner_up = max(n for area, n in counts.items() if area in pattern["areas"] and area != pattern["area"])
        assert counts[pattern["area"]] >= pattern["margin"] * runner_up
    else:
        assert pattern["type"] == "rating_trend"
        ratings: dict[str, list[int]] = {}
        for e in excerpts:
            if (e["rating"] is not None and pattern["municipality"] in (e["municipality"] or "").split(", ")
                    and (e["code_path"] == pattern["code"] or e["code_path"].startswith(pattern["code"] + "/"))):
                ratings.setdefault(phase(e["date"]), []).append(e["rating"])
        before, after = (sum(ratings[str(p)]) / len(ratings[str(p)]) for p in (pattern["from_phase"],
                                                                                  pattern["to_phase"]))
        assert observed["change"] == pytest.approx(after - before)


# --- direct counts in SQL (phase matrix, co-occurrence) ---------------------------------------------


def code_paths(db: sqlite3.Connection) -> dict[str, str]:
    rows = {i: (parent, name) for i, parent, name in db.execute("SELECT id, parent_id, name FROM codes")}

    def path(code: str) -> str:
        parent, name = rows[code]
        return f"{path(parent)}/{name}" if parent else name

    return {code: path(code) for code in rows}


def assert_phase_shift(english_demo: Path, pattern: dict[str, Any], observed: dict[str, Any]) -> None:
    """Codings per phase counted from the codings, documents and municipality cases, by hand."""
    with closing(sqlite3.connect(english_demo)) as db:
        paths = code_paths(db)
        rows = db.execute("SELECT c.code_id, d.date FROM codings c JOIN documents d ON d.id = c.document_id "
                          "WHERE ? IS NULL OR EXISTS (SELECT 1 FROM document_cases dc JOIN cases k "
                          "ON k.id = dc.case_id WHERE dc.document_id = d.id AND k.type = 'municipality' "
                          "AND k.name = ?)", (pattern.get("municipality"),) * 2).fetchall()
    code = pattern["code"]
    shares = {}
    for side in ("early", "late"):
        phases = {str(p) for p in pattern[side]}
        in_phases = [paths[c] for c, date in rows if phase(date) in phases]
        theirs = sum(1 for p in in_phases if p == code or p.startswith(code + "/"))
        assert observed[side]["codings"] == theirs and observed[side]["of"] == len(in_phases)
        assert theirs and len(in_phases)  # a pattern about nothing would hold by accident
        shares[side] = theirs / len(in_phases)
    high, low = ((shares["early"], shares["late"]) if pattern["direction"] == "falling"
                 else (shares["late"], shares["early"]))
    assert high >= pattern["factor"] * low


def units(db: sqlite3.Connection, within: str) -> dict[str, list[tuple[int, int]]]:
    """Each document's units: its speaker turns (for `turn`, when it has any), else its lines."""
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    if within == "turn":
        for doc, start, end in db.execute("SELECT document_id, start, \"end\" FROM speaker_turns"):
            out[doc].append((start, end))
    for doc, text in db.execute("SELECT id, text FROM documents"):
        if doc not in out:
            at = 0
            for line in text.split("\n"):
                out[doc].append((at, at + len(line)))
                at += len(line) + 1
    return out


def pair_counts(db: sqlite3.Connection, within: str) -> dict[frozenset[str], tuple[int, int]]:
    """How often each pair of codes meets, and in how many documents, counted without the library."""
    met: dict[frozenset[str], list[str]] = defaultdict(list)  # a document per meeting
    if within == "overlap":
        for doc, a, b in db.execute(
                "SELECT x.document_id, x.code_id, y.code_id FROM codings x JOIN codings y "
                "ON x.document_id = y.document_id AND x.code_id < y.code_id "
                "AND x.start < y.\"end\" AND y.start < x.\"end\""):
            met[frozenset((a, b))].append(doc)
    else:
        codings = db.execute("SELECT document_id, code_id, start, \"end\" FROM codings").fetchall()
        for doc, spans in units(db, within).items():
            mine = [(code, start, end) for d, code, start, end in codings if d == doc]
            for unit_start, unit_end in spans:
                present = {code for code, start, end in mine if start < unit_end and end > unit_start}
                for a, b in combinations(sorted(present), 2):
                    met[frozenset((a, b))].append(doc)
    return {pair: (len(docs), len(set(docs))) for pair, docs in met.items()}


def assert_cooccurs(english_demo: Path, pattern: dict[str, Any], observed: dict[str, Any]) -> None:
    with closing(sqlite3.connect(english_demo)) as db:
        ids = {path: code for code, path in code_paths(db).items()}
        counts = pair_counts(db, pattern["within"])
    count, documents = counts.get(frozenset((ids[pattern["a"]], ids[pattern["b"]])), (0, 0))
    assert (observed["count"], observed["documents"]) == (count, documents)
    assert count >= pattern["min"] and documents >= pattern.get("min_documents", 1)
    if "top" in pattern:
        as_often = [pair for pair, (n, _) in counts.items() if n >= count]
        assert len(as_often) <= pattern["top"] and observed["rank"] == len(as_often)


def test_each_excerpt_lists_exactly_the_codes_overlapping_it(excerpts: list[dict[str, Any]]) -> None:
    by_document: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for excerpt in excerpts:
        by_document[excerpt["document"]].append(excerpt)
    with_overlaps = 0
    for excerpt in excerpts:
        expected = sorted({other["code_path"] for other in by_document[excerpt["document"]]
                           if other["code"] != excerpt["code"] and other["start"] < excerpt["end"]
                           and other["end"] > excerpt["start"]})
        assert excerpt["overlapping"] == expected, excerpt["id"]
        with_overlaps += bool(expected)
    assert with_overlaps >= 10
