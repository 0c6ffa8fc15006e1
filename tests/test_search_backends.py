"""Search on both backends gives the same hits; the headless API the app calls codes chosen hits in one step."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from fieldnotes.codebook.tree import CodeTree
from fieldnotes.db.models import Change, Code, Coding
from fieldnotes.project.actions import acting
from fieldnotes.project.opening import open_project
from fieldnotes.queries.filters import Filters
from fieldnotes.search import index
from fieldnotes.search.coding import code_spans, spans_of
from fieldnotes.search.counts import counts
from fieldnotes.search.fulltext import Options, search
from fieldnotes.search.similar import similar
from tests.helpers import ok
from tests.projectdata import SMALL_CODEBOOK
from tests.test_search import LEADER, MINUTES, search_project

QUERIES: list[tuple[str, ...]] = [
    ("praktik",), ("praktik*",), ("borger*",), ('"tror på"',), ("NEAR(borgeren praktik, 6)",),
    ("praktik OR virksomhedskonsulent",), ("praktik NOT lageret",), ("på",), ("pa",), ("søholm",), ("SØHOLM",),
    ("job",), ("sagsbehanler", "--fuzzy"), ('"virksomheds konsulent"', "--fuzzy"), ("borgerne", "--stem"),
    ("fjordby",), ("praktik", "--sort", "document"), ("praktik", "--limit", "5"), ("angst OR lageret",),
    ("praktik", "--inside", "Sparringskultur og ledelse"), ("praktik NOT angst", "--inside", "Kollegial sparring"),
]


def comparable(hits: list[dict]) -> list[tuple]:  # type: ignore[type-arg]
    return [(h["document_title"], h["start"], h["end"], h["text"], h["score"], h["context"], h["speaker"],
             h["municipality"], h["phase"]) for h in hits]


def code_the_same(db: str | Path) -> None:
    ok("--db", db, "code", LEADER, "--code", "Kollegial sparring", "--match", "Jeg tror på, at praktik virker")
    ok("--db", db, "code", MINUTES, "--code", "Ledelse", "--match", "Beslutning: praktik følges op")


@pytest.mark.postgres
def test_postgresql_finds_the_same_hits(tmp_path: Path, pg_url: str) -> None:
    here = search_project(tmp_path)
    ok("--db", pg_url, "init", "--codebook", SMALL_CODEBOOK, "--start", "2025-02-01", "--coder", "Anna Krogh")
    ok("--db", pg_url, "import", tmp_path / "material", tmp_path / "extra", "--coder", "Anna Krogh")
    for db in (here, pg_url):
        code_the_same(db)
    for query in QUERIES:
        mine = ok("--db", here, "search", *query, "--json").json
        theirs = ok("--db", pg_url, "search", *query, "--json").json
        assert comparable(mine) == comparable(theirs), query
        assert mine or query[0] in ("praktik NOT angst",), query
    for by in ("municipality", "kind", "phase"):
        args = ["search", "praktik", "--counts", "--by", by, "--json"]
        assert ok("--db", here, *args).json == ok("--db", pg_url, *args).json
    coding = ok("--db", here, "excerpts", "--code", "Kollegial sparring", "--json").json[0]["id"]
    pg_coding = ok("--db", pg_url, "excerpts", "--code", "Kollegial sparring", "--json").json[0]["id"]
    assert comparable(ok("--db", here, "similar", coding, "--json").json) == \
        comparable(ok("--db", pg_url, "similar", pg_coding, "--json").json)


@pytest.mark.postgres
def test_postgresql_index_is_used_and_stays_in_step(tmp_path: Path, pg_url: str) -> None:
    search_project(tmp_path)
    ok("--db", pg_url, "init", "--codebook", SMALL_CODEBOOK, "--coder", "Anna Krogh")
    ok("--db", pg_url, "import", tmp_path / "extra", "--coder", "Anna Krogh")
    with open_project(pg_url) as project, project.read() as session:
        assert index.state(session).kind == "tsvector"
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(session.execute(text(
            "EXPLAIN SELECT id FROM documents WHERE to_tsvector('simple'::regconfig, text) @@ "
            "to_tsquery('simple'::regconfig, 'praktik')")).scalars())
        assert index.PG_INDEX in plan
    edited = tmp_path / "rettet.txt"
    leader = ok("--db", pg_url, "show", LEADER, "--json").json["text"]
    edited.write_text(leader.replace("virksomhedskonsulent", "jobkonsulent"), encoding="utf-8")
    ok("--db", pg_url, "edit", LEADER, "--from-file", edited, "--coder", "Anna Krogh")
    assert [h["text"] for h in ok("--db", pg_url, "search", "jobkonsulent", "--json").json] == ["jobkonsulent"]
    assert {h["document_title"] for h in ok("--db", pg_url, "search", "virksomhedskonsulent", "--json").json} \
        == {MINUTES}
    ok("--db", pg_url, "undo", "--coder", "Anna Krogh")
    assert ok("--db", pg_url, "search", "jobkonsulent", "--json").json == []
    assert ok("--db", pg_url, "search", "jobkonsulent", "--fuzzy", "--json").json == []
    with open_project(pg_url) as project:
        with project.write() as session:
            session.execute(text(f"DROP INDEX {index.PG_INDEX}"))
        with project.read() as session:
            state = index.state(session)
            assert state.kind == "scan" and state.problem and "--reindex" in state.problem
            assert len(search(session, "praktik").hits) == 25  # 23 in the minutes, 2 in the leader interview
    assert ok("--db", pg_url, "search", "--reindex", "--json").json == {"index": "tsvector"}


def test_the_app_codes_chosen_hits_as_one_undoable_step(tmp_path: Path) -> None:
    db = search_project(tmp_path)
    project = open_project(str(db))
    try:
        with project.read() as session:
            result = search(session, "praktik", Filters(municipalities=["Bakkedal"]), Options(sort="date"),
                            context=40)
            chosen = result.hits[0:20:2]  # the person picked ten of the hits
            assert len(result.hits) == 23 and len(chosen) == 10
            assert all(len(h.context_before) <= 40 and h.context.endswith(h.context_after) for h in chosen)
        with acting(project, "Jonas Bech", "search.code", "coded ten search hits") as (session, coder_id):
            code = session.get(Code, CodeTree.load(session).resolve("Virksomhedskontakt").id)
            assert code is not None
            coded = code_spans(session, spans_of(chosen), code, coder_id=coder_id, snap="sentence")
        assert len(coded) == 10 and all(c.created and "praktik" in c.text for c in coded)
        with project.read() as session:
            changes = session.scalars(select(Change).order_by(Change.seq.desc())).all()
            assert changes[0].action == "search.code"
            assert session.scalar(select(Coding.id).where(Coding.coder_id == coder_id).limit(1)) is not None
    finally:
        project.close()
    ok("--db", db, "undo", "--coder", "Jonas Bech")
    assert ok("--db", db, "excerpts", "--json").json == []


def test_library_counts_and_similar_without_the_command_line(tmp_path: Path) -> None:
    db = search_project(tmp_path)
    code_the_same(db)
    with open_project(str(db), readonly=True) as project, project.read() as session:
        table = counts(session, "praktik", by="activity")
        assert {r.label: r.hits for r in table.rows} == {"lokalt møde": 23, "løbende aktiviteter": 0, None: 3}
        coding = session.scalars(select(Coding).order_by(Coding.start)).first()
        assert coding is not None
        result = similar(session, coding, limit=3, unit="paragraph")
        assert result.code_path == "Sparringskultur og ledelse/Kollegial sparring" and len(result.hits) <= 3
        assert result.hits and all(h.document_title != LEADER or h.end <= coding.start or h.start >= coding.end
                                   for h in result.hits)
    with open_project(str(db)) as project, project.write() as session:
        assert index.check(session) == []
