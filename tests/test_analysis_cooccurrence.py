"""Co-occurrence of codes: overlaps, shared speaker turns and paragraphs, checked against a direct count."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ok, run
from tests.test_analysis import build_analysis_project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FIELDNOTES_HOME", str(tmp_path_factory.mktemp("home")))
        patch.setenv("FIELDNOTES_LANG", "en")
        yield Path(build_analysis_project(tmp_path_factory.mktemp("cooccurrence")))


@pytest.fixture(scope="module")
def listing(project: Path) -> dict[str, Any]:
    excerpts = ok("--db", project, "excerpts", "--json").json
    docs = {d["id"]: ok("--db", project, "show", d["id"], "--json").json for d in ok("--db", project, "docs",
                                                                                          "--json").json}
    return {"excerpts": excerpts, "docs": docs}


def key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def direct_overlaps(excerpts: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[int, set[str]]]:
    found: dict[tuple[str, str], tuple[int, set[str]]] = {}
    for x, y in combinations(excerpts, 2):
        same_place = x["document"] == y["document"] and x["start"] < y["end"] and y["start"] < x["end"]
        if same_place and x["code"] != y["code"]:
            count, docs = found.get(key(x["code_path"], y["code_path"]), (0, set()))
            found[key(x["code_path"], y["code_path"])] = (count + 1, docs | {x["document"]})
    return found


def units_of(doc: dict[str, Any], within: str) -> list[tuple[int, int]]:
    if within == "turn" and doc["turns"]:
        return [(t["start"], t["end"]) for t in doc["turns"]]
    out, position = [], 0
    for line in doc["text"].split("\n"):
        out.append((position, position + len(line)))
        position += len(line) + 1
    return out


def direct_units(listing: dict[str, Any], within: str) -> dict[tuple[str, str], tuple[int, set[str]]]:
    found: dict[tuple[str, str], tuple[int, set[str]]] = {}
    for doc_id, doc in listing["docs"].items():
        for start, end in units_of(doc, within):
            codes = {e["code_path"] for e in listing["excerpts"]
                     if e["document"] == doc_id and e["start"] < end and start < e["end"]}
            for a, b in combinations(sorted(codes), 2):
                count, docs = found.get((a, b), (0, set()))
                found[(a, b)] = (count + 1, docs | {doc_id})
    return found


@pytest.mark.parametrize("within", ["overlap", "turn", "paragraph"])
def test_pairs_and_counts_match_a_direct_count(project: Path, listing: dict[str, Any], within: str) -> None:
    out = ok("--db", project, "cooccurrence", "--within", within, "--json").json
    expected = direct_overlaps(listing["excerpts"]) if within == "overlap" else direct_units(listing, within)
    shown = {key(p["code_a_path"], p["code_b_path"]): (p["count"], p["documents"]) for p in out["pairs"]}
    assert shown == {pair: (count, len(docs)) for pair, (count, docs) in expected.items()}
    assert len(shown) >= 3
    counts = [p["count"] for p in out["pairs"]]
    assert counts == sorted(counts, reverse=True)
    per_code = defaultdict(int)
    for e in listing["excerpts"]:
        per_code[e["code_path"]] += 1
    assert {k: v for k, v in out["codings"].items() if v} == dict(per_code)


def test_documents_without_turns_count_by_paragraph(project: Path) -> None:
    """In the note (no turns) sparring and management are in different paragraphs, so they do not meet
    there; in the interview they share a speaker turn, in the minutes a paragraph."""
    turn = ok("--db", project, "cooccurrence", "--within", "turn", "--json").json
    pairs = {key(p["code_a_path"], p["code_b_path"]): p for p in turn["pairs"]}
    found = pairs[key("Sparringskultur og ledelse/Kollegial sparring", "Sparringskultur og ledelse/Ledelse")]
    assert (found["count"], found["documents"]) == (2, 2)
    excerpts = ok("--db", project, "cooccurrence", "--within", "turn", "--pair", "Kollegial sparring", "Ledelse",
                  "--json").json
    assert {e["document_title"] for e in excerpts} == {"Interview med sagsbehandler",
                                                        "Erfaringsmøde i Lyngå og Fjordby 🙂"}


def test_a_pair_drills_down_to_the_excerpts_where_the_codes_meet(project: Path, listing: dict[str, Any]) -> None:
    a, b = "Sparringskultur og ledelse/Ledelse", "Viden om arbejdsmarkedet/Virksomhedskontakt"
    out = ok("--db", project, "cooccurrence", "--pair", a, b, "--json").json
    meeting = [x for x in listing["excerpts"] if x["code_path"] in (a, b)]
    expected = {x["id"] for x in meeting for y in meeting if x["code_path"] != y["code_path"]
                and x["document"] == y["document"] and x["start"] < y["end"] and y["start"] < x["end"]}
    assert {e["id"] for e in out} == expected and len(expected) == 2
    assert {e["text"] for e in out} == {"Virksomhedskonsulenten fortæller om bageriet",
                                        "Virksomhedskonsulenten fortæller"}
    turn = ok("--db", project, "cooccurrence", "--within", "paragraph", "--pair", "Specifik tro",
              "Tro på borgerens jobchance", "--json").json
    assert {e["text"] for e in turn} == {"jeg tror på", "Det gør jeg virkelig.", "Vi tror på",
                                         "Vi tror på, at Ærø-projektet 🚀 giver borgerne flere praktikpladser."}


def test_filters_and_text_output(project: Path, listing: dict[str, Any]) -> None:
    out = ok("--db", project, "cooccurrence", "--coder", "Anna Krogh", "--json").json
    annas = [e for e in listing["excerpts"] if e["coder"] == "Anna Krogh"]
    expected = direct_overlaps(annas)
    assert {key(p["code_a_path"], p["code_b_path"]): p["count"] for p in out["pairs"]} == {
        pair: count for pair, (count, _) in expected.items()}
    text = ok("--db", project, "cooccurrence", "--limit", "1").out.splitlines()
    assert len(text) == 2 and "×" in text[0] and text[-1].endswith("pairs of codes meet (overlap)")


@pytest.mark.parametrize("args, message", [
    (["--pair", "Ledelse", "Ledelse"], "does not co-occur with itself"),
    (["--pair", "Ledelse", "Findes ikke"], "no code 'Findes ikke'"),
])
def test_bad_pairs_are_refused_in_one_line(project: Path, args: list[str], message: str) -> None:
    result = run("--db", project, "cooccurrence", *args)
    assert result.code == 1 and message in result.err and result.err.count("\n") == 1
    assert run("--db", project, "cooccurrence", "--within", "sentence").code == 2
