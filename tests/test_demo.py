"""The demo project: it builds without anchor errors, identically twice, and shows the study."""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest

from fieldnotes.errors import FieldnotesError
from fieldnotes.project.demo import build, read_anchors, rows_in_order
from fieldnotes.project.opening import open_project
from fieldnotes.resources import demo_dir
from tests.helpers import ok, run
from tests.projectdata import snapshot

AREAS = ("Kommunikation om borger", "Relation og samarbejde med borger", "Sparringskultur og ledelse",
         "Viden om arbejdsmarkedet")
MUNICIPALITIES = ("Fjordby", "Lyngå", "Søholm", "Bakkedal")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("demo") / "demo.db"
    build(target)
    return target


def test_every_anchor_matches_and_the_counts_are_right(demo: Path) -> None:
    anchors = read_anchors(demo_dir())
    info = ok("--db", demo, "project", "show", "--json").json
    assert info["codings"] == len(anchors) >= 200
    assert info["documents"] >= 20 and info["demo"] is True
    assert set(info["coders"]) >= {"Anna Krogh", "Jonas Bech"}
    docs = ok("--db", demo, "docs", "--json").json
    kinds = Counter(d["kind"] for d in docs)
    assert kinds["interview"] >= 8 and kinds["observation"] >= 6 and kinds["minutes"] >= 6
    for doc in docs:
        assert doc["municipality"] and doc["date"] and doc["activity"] and doc["participants"], doc["title"]
        if doc["kind"] == "interview":
            assert 4_000 <= doc["chars"] <= 12_000, doc["title"]
    assert {Path(d["source"]).suffix for d in docs} >= {".docx", ".txt", ".md", ".vtt"}


def test_two_builds_are_identical(demo: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.db"
    build(again)
    with open_project(str(demo), readonly=True) as first, open_project(str(again), readonly=True) as second:
        assert dict(rows_in_order(first)) == dict(rows_in_order(second))


def test_every_area_in_every_municipality_in_different_proportions(demo: Path) -> None:
    excerpts = ok("--db", demo, "excerpts", "--json").json
    counts: dict[str, Counter[str]] = {m: Counter() for m in MUNICIPALITIES}
    for excerpt in excerpts:
        area = excerpt["code_path"].split("/")[0]
        for municipality in (excerpt["municipality"] or "").split(", "):
            if municipality in counts:
                counts[municipality][area] += 1
    for municipality, by_area in counts.items():
        for area in AREAS:
            assert by_area[area] >= 2, (municipality, area, by_area)
    leaders = {m: max(AREAS, key=lambda a: counts[m][a]) for m in MUNICIPALITIES}
    assert len(set(leaders.values())) == 4, leaders  # each municipality has its own dominant area


def test_ratings_on_the_belief_code(demo: Path) -> None:
    rated = ok("--db", demo, "excerpts", "--code", "Tro på borgerens jobchance", "--json").json
    assert len(rated) >= 30 and all(r["rating"] in (1, 2, 3, 4, 5) for r in rated)


def test_no_machine_paths_in_the_project(demo: Path) -> None:
    raw = demo.read_bytes()
    for needle in (str(demo.parent).encode(), str(demo_dir()).encode(), b"/home/", b"/root/", b"/tmp/"):
        assert needle not in raw


@pytest.mark.parametrize("coder", [None, "Anna Krogh", "Jonas Bech", "Karen Ødegård"])
def test_the_first_undo_in_a_fresh_demo_has_nothing_to_undo(tmp_path: Path, coder: str | None) -> None:
    """Right after `fieldnotes demo`, `undo` took the demo apart (it undid loading the pseudonym
    register). Building the demo is nobody's change: every coder's first undo says so, and changes nothing."""
    demo = tmp_path / "demo æøå.db"
    ok("demo", demo, "--no-tui")
    before = snapshot(demo)
    register = len(ok("--db", demo, "pseudonyms", "list", "--json").json)
    assert register > 100
    as_coder = ["--coder", coder] if coder else []  # None: the project's default coder
    for command in ("undo", "redo"):
        result = run("--db", demo, command, *as_coder)
        assert result.code == 1 and f"nothing to {command}" in result.err, result.err
    assert snapshot(demo) == before
    # work done in the demo afterwards undoes as usual, and only that
    ok("--db", demo, "memo", "add", "project", "Husk mødet i Søholm", *as_coder)
    assert ok("--db", demo, "undo", *as_coder, "--json").json["action"] == "memo.add"
    after = snapshot(demo)  # a new coder stays known (undo never un-creates coders)
    assert {t: rows for t, rows in after.items() if t != "coders"} == {
        t: rows for t, rows in before.items() if t != "coders"}
    assert run("--db", demo, "undo", *as_coder).code == 1


def test_the_log_is_in_time_order(demo: Path) -> None:
    """The demo's events carry the dates of the fieldwork, written in another order than they happened
    (its memos of 2025 after its codings of 2026): the log lists them newest first by time."""
    rows = ok("--db", demo, "log", "--json").json
    assert len(rows) > 200
    moments = [r["at"] for r in rows]
    assert moments == sorted(moments, reverse=True)
    same_moment = [(a["seq"], b["seq"]) for a, b in itertools.pairwise(rows) if a["at"] == b["at"]]
    assert same_moment and all(first > second for first, second in same_moment)  # then the order written
    assert rows[0]["action"] == "baseline"
    newest = ok("--db", demo, "log", "--limit", "3", "--json").json
    assert [r["at"] for r in newest] == moments[:3]
    lines = ok("--db", demo, "log").out.splitlines()  # English here: 31/03/2025 09:27:00
    shown = [dt.datetime.strptime(line[:19], "%d/%m/%Y %H:%M:%S") for line in lines]
    assert shown == sorted(shown, reverse=True)


def test_refuses_to_overwrite_a_real_project(tmp_path: Path) -> None:
    real = tmp_path / "real.db"
    ok("--db", real, "init", "--empty")
    before = real.read_bytes()
    result = run("demo", real, "--no-tui")
    assert result.code == 1 and "not a demo project" in result.err
    assert real.read_bytes() == before
    other = tmp_path / "notes.txt"
    other.write_text("mine", encoding="utf-8")
    assert run("demo", other, "--no-tui").code == 1 and other.read_text(encoding="utf-8") == "mine"


def test_rebuilds_a_demo_in_place_and_ignores_fieldnotes_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             isolated_paths: Path) -> None:
    elsewhere = tmp_path / "mine.db"
    monkeypatch.setenv("FIELDNOTES_DB", str(elsewhere))
    out = ok("demo", "--no-tui", "--json").json
    default = Path(out["project"])
    assert str(default).startswith(str(isolated_paths)) and default.exists()
    assert not elsewhere.exists()
    with closing(sqlite3.connect(default)) as conn:
        conn.execute("UPDATE codings SET memo = 'ændret' WHERE rowid = 1")
        conn.commit()
    ok("demo", "--no-tui")
    with closing(sqlite3.connect(default)) as conn:
        assert conn.execute("SELECT count(*) FROM codings WHERE memo = 'ændret'").fetchone() == (0,)
    located = ok("locate", "--json").json
    assert located["demo_project"] == str(default)


def test_bad_anchors_are_reported_and_nothing_is_built(tmp_path: Path) -> None:
    """An ambiguous quote, a missing quote and an occurrence past the end: each named, no project left."""
    import shutil

    source = tmp_path / "demo-kilde"
    shutil.copytree(demo_dir(), source)
    document = "fjordby-2025-03-interview-teamleder"
    unique = "Og der har vi en fast model: først afklarende spørgsmål"
    (source / "codings" / "zz-fejl.yaml").write_text(
        "codings:\n"
        f"  - {{document: {document}, code: Sparringskultur og ledelse/Kollegial sparring, coder: Anna Krogh,\n"
        "     quote: 'sagsbehandler', date: 2025-03-27}\n"
        f"  - {{document: {document}, code: Sparringskultur og ledelse/Kollegial sparring, coder: Anna Krogh,\n"
        "     quote: 'Denne sætning står ingen steder i Fjordbys materiale', date: 2025-03-27}\n"
        f"  - {{document: {document}, code: Sparringskultur og ledelse/Kollegial sparring, coder: Jonas Bech,\n"
        f"     quote: '{unique}', occurrence: 3, date: 2025-03-27}}\n",
        encoding="utf-8")
    target = tmp_path / "ud" / "demo.db"
    with pytest.raises(FieldnotesError) as refused:
        build(target, source=source)
    message = str(refused.value)
    assert message.startswith("the demo's codings have 3 anchor error(s): ")
    assert (f"zz-fejl.yaml #1 in {document}: the quote occurs " in message
            and " times; add an occurrence number or quote more: 'sagsbehandler'" in message)
    assert (f"zz-fejl.yaml #2 in {document}: the quote does not occur in the document: "
            "'Denne sætning står ingen steder i Fjordbys materiale'") in message
    assert (f"zz-fejl.yaml #3 in {document}: occurrence 3 asked for, but the quote occurs 1 time(s): "
            f"{unique!r}") in message
    assert not target.exists()
    assert sorted(p.name for p in target.parent.iterdir()) == []  # no half-built file, no -wal, no .building


def test_a_misspelled_search_finds_the_caseworkers(demo: Path) -> None:
    """'sagsbehanler' is not in the text; fuzzy search finds every 'sagsbehandler…' and nothing else."""
    fuzzy = ok("--db", demo, "search", "sagsbehanler", "--fuzzy", "--json").json
    assert len(fuzzy) >= 20 and len({hit["document"] for hit in fuzzy}) >= 10
    assert all(hit["text"].lower().startswith("sagsbehandler") for hit in fuzzy), \
        sorted({hit["text"] for hit in fuzzy})
    assert {hit["text"] for hit in fuzzy} >= {"sagsbehandler", "sagsbehandlere", "sagsbehandleren"}
    exact = ok("--db", demo, "search", "sagsbehandler", "--json").json
    assert exact and {(h["document"], h["start"]) for h in exact} <= {(h["document"], h["start"]) for h in fuzzy}
    assert ok("--db", demo, "search", "sagsbehanler", "--json").json == []
