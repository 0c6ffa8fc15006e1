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


def _vocabulary_agrees_with_the_texts(url: str) -> dict[str, int]:
    """The server's vocabulary table, read as fuzzy search reads it, against every text read in Python."""
    index._cache.clear()
    with open_project(url) as project, project.read() as session:
        assert index.server_vocabulary(session)
        kept = index.vocabulary(session)
        scanned = index._scanned(session)
    assert kept.documents == scanned.documents and kept.frequencies == scanned.frequencies
    return kept.frequencies


@pytest.mark.postgres
def test_postgresql_keeps_the_vocabulary_in_step_with_the_texts(tmp_path: Path, pg_url: str) -> None:
    """Fuzzy search and similar passages read the server's vocabulary table (the texts are not read, 17 s at
    the target tier); the triggers keep it in step through import, edit, undo, delete and a whole move."""
    project_file = search_project(tmp_path)
    ok("--db", pg_url, "init", "--codebook", SMALL_CODEBOOK, "--coder", "Anna Krogh")
    ok("--db", pg_url, "import", tmp_path / "material", tmp_path / "extra", "--coder", "Anna Krogh")
    words = _vocabulary_agrees_with_the_texts(pg_url)
    assert words["søholm"] >= 1 and "Søholm" not in words and "jobkonsulent" not in words
    edited = tmp_path / "rettet.txt"
    leader = ok("--db", pg_url, "show", LEADER, "--json").json["text"]
    edited.write_text(leader.replace("virksomhedskonsulent", "Østjysk_jobkonsulent"), encoding="utf-8")
    ok("--db", pg_url, "edit", LEADER, "--from-file", edited, "--coder", "Anna Krogh")
    words = _vocabulary_agrees_with_the_texts(pg_url)
    assert words["østjysk"] == 1 and words["jobkonsulent"] == 1  # "_" parts words, as in the search
    assert [h["text"] for h in ok("--db", pg_url, "search", "jobkonsulnt", "--fuzzy", "--json").json] \
        == ["jobkonsulent"]
    ok("--db", pg_url, "undo", "--coder", "Anna Krogh")
    assert "jobkonsulent" not in _vocabulary_agrees_with_the_texts(pg_url)
    before = _vocabulary_agrees_with_the_texts(pg_url)
    ok("--db", pg_url, "doc", "delete", MINUTES, "--yes", "--coder", "Anna Krogh")
    after = _vocabulary_agrees_with_the_texts(pg_url)
    assert sum(after.values()) < sum(before.values())  # the minutes' words lost a document each
    # a project moved onto an empty server database: one statement's worth of documents, counted at once
    moved = pg_url.rsplit("/", 1)[0] + "/" + pg_url.rsplit("/", 1)[1] + "_flyttet"
    from sqlalchemy import create_engine

    admin = create_engine(pg_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{moved.rsplit("/", 1)[1]}"'))
    admin.dispose()
    ok("--db", moved, "init", "--empty", "--coder", "Server")
    ok("--db", moved, "merge", project_file, "--coder", "Server")
    _vocabulary_agrees_with_the_texts(moved)


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


def test_two_read_only_projects_in_one_process_never_share_a_vocabulary(tmp_path: Path) -> None:
    """A read-only SQLite engine's URL is the same for every file, and two projects with one imported
    document each have the same index structure record: the cached vocabulary must still be per file."""
    found = {}
    for word in ("praktikplads", "sagsbehandler"):
        folder = tmp_path / word
        folder.mkdir()
        (folder / f"nøgle-{word}.md").write_text(f"---\ntitel: Om {word}\n---\nHun talte om {word} på Ærø.\n",
                                                  encoding="utf-8")
        db = folder / "p.db"
        ok("--db", db, "init", "--coder", "Anna Krogh")
        ok("--db", db, "import", folder / f"nøgle-{word}.md")
        hits = ok("--db", db, "search", word[:-1], "--fuzzy", "--json").json
        found[word] = {hit["text"] for hit in hits}
    assert found == {"praktikplads": {"praktikplads"}, "sagsbehandler": {"sagsbehandler"}}
