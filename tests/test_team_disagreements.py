"""Stepping through where two coders differ and settling it: a, b or both, each one recorded step."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from fieldnotes.coding import undo
from fieldnotes.coding.undo import NOT_UNDOABLE
from fieldnotes.db.coders import coder_id
from fieldnotes.db.models import Coding
from fieldnotes.errors import Refused
from fieldnotes.project.opening import open_project
from fieldnotes.team.disagreements import list_disagreements, settle
from tests.helpers import ok, run
from tests.projectdata import make_project

DOC = "Interview med sagsbehandler"
ANNA, JONAS = "Anna Krogh", "Jonas Bech"
PAIR = f"{ANNA},{JONAS}"


def spans(project: Path, coder: str) -> list[tuple[int, int, str | None]]:
    rows = ok("--db", project, "excerpts", "--coder", coder, "--json").json
    return sorted((r["start"], r["end"], r["memo"]) for r in rows)


@pytest.fixture
def differing(tmp_path: Path) -> tuple[Path, int]:
    """Anna codes [s, s+40), Jonas [s+10, s+60) with the same code: two runs where they differ."""
    project = make_project(tmp_path)
    text = ok("--db", project, "show", DOC, "--json").json["text"]
    s = text.index("Vi tager altid")
    ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--span", f"{s}:{s + 40}", "--coder", ANNA,
       "--memo", "Annas memo ✍️")
    ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--span", f"{s + 10}:{s + 60}", "--coder", JONAS)
    return project, s


def test_disagreements_are_listed_as_runs(differing: tuple[Path, int]) -> None:
    project, s = differing
    text = ok("--db", project, "show", DOC, "--json").json["text"]
    found = ok("--db", project, "disagreements", "--coders", PAIR, "--json").json
    assert [(d["start"], d["end"], d["holder"], d["holder_name"]) for d in found] == [
        (s, s + 10, "a", ANNA), (s + 40, s + 60, "b", JONAS)]
    assert found[0]["text"] == text[s : s + 10] and found[0]["code_path"].endswith("Kollegial sparring")
    assert found[0]["document_title"] == DOC and found[0]["coder_a"] == ANNA and found[0]["coder_b"] == JONAS
    assert ok("--db", project, "disagreements", "--coders", PAIR, "--code", "Ledelse", "--json").json == []
    listing = ok("--db", project, "disagreements", "--coders", PAIR).out  # not a terminal: a list
    assert "2 disagreement(s)" in listing and f"only {JONAS}" in listing


def test_accepting_a_makes_the_second_coder_agree(differing: tuple[Path, int]) -> None:
    project, s = differing
    out = ok("--db", project, "disagreements", "--coders", PAIR, "--accept", "a", "--all", "--json").json
    assert len(out["settled"]) == 2 and out["skipped"] == []
    assert spans(project, JONAS) == [(s, s + 40, None)]  # extended to the left, trimmed on the right
    assert spans(project, ANNA) == [(s, s + 40, "Annas memo ✍️")]
    assert ok("--db", project, "disagreements", "--coders", PAIR, "--json").json == []
    row = ok("--db", project, "agreement", "--coders", PAIR, "--json").json["codes"][0]
    assert (row["b"], row["c"], row["kappa"]) == (0, 0, pytest.approx(1.0))
    settles = [e for e in ok("--db", project, "log", "--json").json if e["action"] == "settle"]
    assert len(settles) == 2 and all(e["coder"] == ANNA for e in settles)  # the project's default coder settled


def test_accepting_b_makes_the_first_coder_agree(differing: tuple[Path, int]) -> None:
    project, s = differing
    ok("--db", project, "disagreements", "--coders", PAIR, "--accept", "b", "--all", "--coder", "Mette Lund")
    assert spans(project, ANNA) == [(s + 10, s + 60, "Annas memo ✍️")]  # trimmed, then extended; memo kept
    assert spans(project, JONAS) == [(s + 10, s + 60, None)]
    log = ok("--db", project, "log", "--json").json
    assert [e["coder"] for e in log[:2]] == ["Mette Lund", "Mette Lund"]


def test_accepting_both_changes_nothing_and_is_not_asked_again(differing: tuple[Path, int]) -> None:
    project, _ = differing
    before = (spans(project, ANNA), spans(project, JONAS))
    ok("--db", project, "disagreements", "--coders", PAIR, "--accept", "both", "--all")
    assert (spans(project, ANNA), spans(project, JONAS)) == before
    assert ok("--db", project, "disagreements", "--coders", f"{JONAS},{ANNA}", "--json").json == []
    settles = [e for e in ok("--db", project, "log", "--json").json if e["action"] == "settle.both"]
    assert len(settles) == 2 and settles[0]["details"]["choice"] == "both" and settles[0]["coder"] == ANNA
    assert "settle.both" in NOT_UNDOABLE  # a mark, not a step: undo passes over it


def test_the_headless_api_splits_a_coding_and_undo_takes_it_back(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    text = ok("--db", project, "show", DOC, "--json").json["text"]
    s = text.index("Vi tager altid")
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--span", f"{s}:{s + 60}", "--coder", ANNA,
       "--memo", "helt")
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--span", f"{s}:{s + 20}", "--coder", JONAS)
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--span", f"{s + 40}:{s + 60}", "--coder", JONAS)
    settler = coder_id(JONAS)
    with open_project(str(project)) as opened:
        with opened.read() as session:
            found = list_disagreements(session, ANNA, JONAS, code="Ledelse")
        assert [(d.start, d.end, d.holder) for d in found] == [(s + 20, s + 40, "a")]
        with opened.write() as session:
            done = settle(session, found[0], "b", settler)
        assert "removed from Anna Krogh" in done
        assert spans(project, ANNA) == [(s, s + 20, "helt"), (s + 40, s + 60, "helt")]
        with opened.write() as session, pytest.raises(Refused, match="no longer there"):
            settle(session, found[0], "b", settler)
        with opened.write() as session:
            undo.undo(session, settler)
        assert spans(project, ANNA) == [(s, s + 60, "helt")]
        with opened.read() as session:
            assert len(session.scalars(select(Coding)).all()) == 3


def test_stepping_through_on_a_terminal(differing: tuple[Path, int], monkeypatch: pytest.MonkeyPatch) -> None:
    project, s = differing

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("maybe\nboth\nb\n"))
    result = ok("--db", project, "disagreements", "--coders", PAIR, "--coder", JONAS)
    assert "[1/2]" in result.out and "[2/2]" in result.out and "settled 2 of 2" in result.out
    assert "«" in result.out  # the run is shown in its context
    assert spans(project, JONAS) == [(s + 10, s + 60, None)]  # both kept the first; b kept Jonas' own run
    assert spans(project, ANNA)[0][:2] == (s, s + 60)


def test_bad_disagreement_input(differing: tuple[Path, int]) -> None:
    project, _ = differing
    for args, message in (
        (["--coders", PAIR, "--accept", "a"], "--all"),
        (["--coders", PAIR, "--all"], "--accept"),
        (["--coders", f"{ANNA},{JONAS},Mette"], "exactly two coders"),
        (["--coders", f"{ANNA},Ingen"], "no coder 'Ingen'"),
    ):
        result = run("--db", project, "disagreements", *args)
        assert result.code == 1 and message in result.err, (args, result.err)
    assert len(ok("--db", project, "disagreements", "--coders", PAIR, "--json").json) == 2  # nothing settled
