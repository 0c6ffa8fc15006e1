"""Moving a whole project onto an empty server project with COPY (fieldnotes.team.server_move): the
same rows, event log and answers as the normal merge, no backup of the empty project, the normal merge
for a project that is not empty, and nothing written when the move fails halfway."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import make_url

from fieldnotes import paths
from fieldnotes.db.models import Base
from fieldnotes.project.opening import open_project
from fieldnotes.team import server_move
from fieldnotes.team.merge import merge
from tests.helpers import ok, run
from tests.pgcluster import Cluster
from tests.projectdata import make_project

pytestmark = pytest.mark.postgres

DOC = "Interview med sagsbehandler"
NOTE = "Teammøde i Fjordby"
ANNA, JONAS = "Anna Krogh", "Jonas Bech"


def danish_project(folder: Path) -> Path:
    """A project with æøå in titles, texts and code names; codings (a rating, a memo), memos on the
    project, a document, a code and a coding, cases and attribute values (from the import), a pseudonym
    register, and an event log with an undone and a deleted row."""
    project = make_project(folder, "feltnoter-æøå.db")
    ok("--db", project, "code", DOC, "--code", "Tro på borgerens jobchance", "--match",
       "jeg tror på, at Søren får et job", "--rating", "4", "--memo", "Stærk tro på Søren — æøå", "--coder", ANNA)
    ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--match", "Vi tager altid en runde i teamet",
       "--coder", JONAS)
    ok("--db", project, "code", NOTE, "--code", "Ledelse", "--match", "Lederen spørger til sagerne", "--coder", JONAS)
    ok("--db", project, "code", NOTE, "--code", "Virksomhedskontakt", "--match", "kollegerne foreslår en praktik",
       "--coder", ANNA)
    ok("--db", project, "uncode", ok("--db", project, "excerpts", "--code", "Virksomhedskontakt", "--json")
       .json[0]["id"], "--coder", ANNA)
    ok("--db", project, "memo", "add", "project", "Projektets første memo — æøå", "--coder", ANNA)
    ok("--db", project, "memo", "add", f"doc:{NOTE}", "Godt møde i Fjordby; Lyngå næste gang", "--coder", JONAS)
    ok("--db", project, "memo", "add", "code:Ledelse", "Ledelsen nævnes ofte ✅", "--coder", JONAS)
    ok("--db", project, "pseudonyms", "add", "Søren", "Bo")
    ok("--db", project, "pseudonyms", "add", "Mette Vinther", "Ulla Østergård")
    ok("--db", project, "doc", "set", NOTE, "activity", "Teammøde på jobcentret", "--coder", ANNA)
    ok("--db", project, "doc", "set", NOTE, "attr:Mødeform", "fysisk fremmøde på jobcentret", "--coder", ANNA)
    return project


def template_of(cluster: Cluster, url: str) -> str:
    """A copy of a server database, made by the server (it waits for the last connection to close)."""
    for attempt in range(100):
        try:
            return cluster.create_database(template=make_url(url).database)
        except psycopg.errors.ObjectInUse:
            if attempt == 99:
                raise
            time.sleep(0.1)
    raise AssertionError("unreachable")


def _connect(url: str) -> psycopg.Connection[Any]:
    parts = make_url(url)
    return psycopg.connect(host=parts.host, port=parts.port, user=parts.username, password=parts.password,
                           dbname=parts.database)


def server_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows as the server holds them (values as text, JSON as the text stored), in a fixed
    order, with what must differ between two merges replaced: the merge's change id and time (a new id
    and the clock at each merge) and each event's own id (a new random id per event). Events and changes
    keep their seq (their order); an event names its change by that seq instead of the change's id."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    tables = [*Base.metadata.tables, "search_index_vocabulary"]
    with _connect(url) as conn:
        merges = {row[0]: row[1] for row in conn.execute("SELECT id, seq FROM changes WHERE action = 'merge'")}
        for table in tables:
            columns = [row[0] for row in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                "AND table_name = %s ORDER BY ordinal_position", (table,))]
            assert columns, table
            selected = ", ".join(f'"{c}"::text' for c in columns)
            rows = conn.execute(f'SELECT {selected} FROM "{table}" ORDER BY 1, 2').fetchall()  # type: ignore[arg-type]
            kept = []
            for row in rows:
                values = dict(zip(columns, row, strict=True))
                if table == "changes" and values["action"] == "merge":
                    values["id"] = values["at"] = "the merge"
                if table == "events":
                    values["id"] = "an event"
                    values["change_id"] = merges.get(_uuid(values["change_id"]), values["change_id"])
                if table == "merge_conflicts":
                    values["merge_id"] = "the merge"
                kept.append(tuple(values.values()))
            out[table] = sorted(kept, key=repr)
        out["indexes"] = conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                                      "ORDER BY indexname").fetchall()
    return out


def _uuid(text: str) -> Any:
    import uuid

    return uuid.UUID(text)


def answers(url: str, *, moved: bool = True, named: str = "") -> list[str]:
    """What the command line says about a project: its settings, documents, a search, excerpts, a matrix."""
    if not moved:
        commands = [("project", "show"), ("docs",), ("search", "Søren"), ("log",)]
    else:
        commands = [("project", "show"), ("docs",), ("search", "Søren"), ("search", "lageret", "--fuzzy"),
                    ("excerpts",), ("excerpts", "--code", "Tro på borgerens jobchance", "--context", "sentence"),
                    ("matrix",), ("log",), ("pseudonyms", "list"), ("memo", "list")]
    # what must differ: which database it is, and when the merge ran (`named`: the database the project
    # was made in and took its name from, before the copy)
    names = [str(make_url(url).database), str(make_url(named).database) if named else "DATABASE"]
    said = [re.sub(r"\d\d\.\d\d\.\d{4} \d\d\.\d\d\.\d\d", "TID", ok("--lang", "da", "--db", url, *command).out)
            for command in commands]
    return [text.replace(names[0], "DATABASE").replace(names[1], "DATABASE") for text in said]


@pytest.mark.parametrize("server_coder", ["Server", ANNA])
def test_a_move_onto_an_empty_server_gives_what_the_normal_merge_gives(
        tmp_path: Path, pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch, server_coder: str) -> None:
    """Anna as the server's coder: her record is in both, and the move writes it as the merge does (an
    update, the earlier record winning), beside the rows it copies."""
    project = danish_project(tmp_path)
    fast = pg_cluster.create_database()
    ok("--db", fast, "init", "--empty", "--coder", server_coder)
    normal = template_of(pg_cluster, fast)  # the same empty project, rows and ids alike

    out = ok("--lang", "da", "--db", fast, "merge", project, "--coder", server_coder).out
    assert "der blev ikke taget nogen sikkerhedskopi først: projektet på serveren var tomt" in out
    monkeypatch.setattr(server_move, "ENABLED", False)
    report = ok("--db", normal, "merge", project, "--coder", server_coder, "--json").json
    assert report["backup"].endswith(".before-merge.db")  # the normal path, as before
    assert report["changed"] == ({"coders": 1} if server_coder == ANNA else {})
    monkeypatch.setattr(server_move, "ENABLED", True)

    moved, merged = server_rows(fast), server_rows(normal)
    for table in ("cases", "attributes", "documents", "document_cases", "speaker_turns", "attribute_values",
                  "codes", "codings", "memos", "pseudonyms", "events", "document_boundaries",
                  "search_index_vocabulary"):
        assert moved[table], f"the project has no {table}: the comparison would prove nothing"
    assert any("æ" in repr(row) for row in moved["documents"]) and any("å" in repr(row) for row in moved["codes"])
    assert any("'null'" in repr(row) or "null" in row for row in moved["events"])  # a deletion's after-image
    assert moved.keys() == merged.keys()
    for table in moved:
        assert moved[table] == merged[table], table
    assert answers(fast) == answers(normal)
    # undo takes the whole move back, as it takes back a merge
    ok("--db", fast, "undo", "--coder", server_coder)
    ok("--db", normal, "undo", "--coder", server_coder)
    assert not ok("--db", fast, "docs", "--json").json
    assert answers(fast, moved=False) == answers(normal, moved=False, named=fast)


def test_the_move_makes_no_backup_of_the_empty_server_project_and_says_so(tmp_path: Path, pg_url: str) -> None:
    project = danish_project(tmp_path)
    ok("--db", pg_url, "init", "--empty", "--coder", "Server")
    before = set(paths.backup_dir().glob("*")) if paths.backup_dir().exists() else set()
    report = ok("--db", pg_url, "merge", project, "--coder", "Server", "--json").json
    assert report["backup"] is None and report["backup_skipped"] is True
    assert report["project_identity_adopted"] is True
    after = set(paths.backup_dir().glob("*")) if paths.backup_dir().exists() else set()
    assert after == before
    said = run("--lang", "en", "--db", pg_url, "merge", project, "--coder", "Server").out
    assert "nothing to merge" in said  # the same file again: nothing to do, and no second move


def test_a_server_project_that_is_not_empty_takes_the_normal_merge(tmp_path: Path, pg_url: str) -> None:
    project = danish_project(tmp_path)
    ok("--db", pg_url, "init", "--empty", "--coder", "Server")
    assert ok("--db", pg_url, "merge", project, "--coder", "Server", "--json").json["backup_skipped"] is True
    # more work on the laptop, merged into the server that now holds the project: backed up first, as ever
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med", "--coder", ANNA)
    report = ok("--db", pg_url, "merge", project, "--coder", "Server", "--json").json
    assert report["added"] == {"codings": 1}
    assert report["backup"].endswith(".before-merge.db") and "backup_skipped" not in report


def test_what_empty_means(tmp_path: Path, pg_url: str) -> None:
    """Only what `init --empty` makes, and changes to settings and coders; a project that once held
    content (its event log says so) is not empty even when everything was deleted."""
    ok("--db", pg_url, "init", "--empty", "--coder", "Server")

    def empty() -> bool:
        with open_project(pg_url) as project, project.read() as session:
            return server_move.is_empty(session)

    assert empty()
    ok("--db", pg_url, "project", "set", "name", "Troen på borgernes jobchance — æøå")
    assert empty()
    material = tmp_path / "materiale"
    material.mkdir()
    (material / "notat-æøå.txt").write_text("Et kort notat om Søren på jobcentret.\n", encoding="utf-8")
    ok("--db", pg_url, "import", material, "--coder", "Server")
    assert not empty()
    ok("--db", pg_url, "doc", "delete", "notat-æøå", "--yes", "--coder", "Server")
    assert not ok("--db", pg_url, "docs", "--json").json
    assert not empty()  # the log recorded a document: there is history a backup keeps


def test_a_move_that_fails_halfway_leaves_the_server_project_empty(
        tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    project = danish_project(tmp_path)
    ok("--db", pg_url, "init", "--empty", "--coder", "Server")
    indexes = server_rows(pg_url)["indexes"]
    before = server_rows(pg_url)

    def fail() -> None:
        raise OSError("forbindelsen til serveren blev afbrudt")

    monkeypatch.setattr(server_move, "AFTER_COPY", fail)
    with open_project(pg_url) as target, pytest.raises(OSError):
        merge(target, project, coder_name="Server")
    after = server_rows(pg_url)
    assert after == before and after["indexes"] == indexes  # no row, no event, the text index still there
    monkeypatch.setattr(server_move, "AFTER_COPY", None)
    assert ok("--db", pg_url, "merge", project, "--coder", "Server", "--json").json["backup_skipped"] is True
    assert len(ok("--db", pg_url, "docs", "--json").json) == 2
