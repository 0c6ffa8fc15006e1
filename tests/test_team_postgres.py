"""Team work on a shared PostgreSQL server: moving a SQLite project onto it, merging laptops' bundles,
merges and coding at the same moment, noticing others' changes, and passwords never shown."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fieldnotes import paths
from fieldnotes.project.opening import open_project
from fieldnotes.team.activity import last_change_seq
from fieldnotes.team.images import MERGED_TABLES
from tests.helpers import ok, run
from tests.pgcluster import Cluster
from tests.projectdata import make_project, snapshot

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent
DOC = "Interview med sagsbehandler"
ANNA, JONAS = "Anna Krogh", "Jonas Bech"
#: what a project holds (every merged table but the coders, whom a merge adds as it meets them)
CONTENT = tuple(table for table in MERGED_TABLES if table != "coders")


def same_content(first: str | Path, second: str | Path) -> None:
    one, two = snapshot(first), snapshot(second)  # type: ignore[arg-type]
    for table in CONTENT:
        assert one[table] == two[table], table


def laptop(tmp_path: Path) -> Path:
    project = make_project(tmp_path)
    ok("--db", project, "code", DOC, "--code", "Specifik tro", "--match", "jeg tror på, at Søren får et job",
       "--rating", "5", "--memo", "Stærk tro 💪", "--coder", ANNA)
    ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--match", "Vi tager altid en runde i teamet",
       "--coder", JONAS)
    ok("--db", project, "memo", "add", "project", "Projektets første memo — æøå", "--coder", ANNA)
    return project


def test_a_team_moves_its_sqlite_project_onto_the_server(tmp_path: Path, pg_url: str) -> None:
    project = laptop(tmp_path)
    ok("--db", pg_url, "init", "--empty", "--coder", "Server")
    report = ok("--db", pg_url, "merge", project, "--coder", "Server", "--json").json
    assert report["project_identity_adopted"] is True
    # the server project was empty: nothing to back up (fieldnotes.team.server_move)
    assert report["backup"] is None and report["backup_skipped"] is True
    same_content(pg_url, project)
    assert ok("--db", pg_url, "merge", project, "--json").json["nothing_to_merge"] is True
    # the laptop keeps working offline; its bundle merges into the server
    offline = tmp_path / "offline.db"
    shutil.copy(project, offline)
    ok("--db", offline, "code", DOC, "--code", "Specifik tro", "--match", "Det gør jeg virkelig", "--coder", JONAS)
    ok("--db", offline, "codebook", "rename", "Ledelse", "Ledelse og styring", "--coder", JONAS)
    ok("--db", offline, "bundle", tmp_path / "jonas.fnbundle", "--coder", JONAS)
    merged = ok("--db", pg_url, "merge", tmp_path / "jonas.fnbundle", "--coder", JONAS, "--json").json
    assert merged["added"] == {"codings": 1} and merged["changed"] == {"codes": 1}
    assert merged["backup"].endswith(".before-merge.db") and "/" not in merged["backup"]
    same_content(paths.backup_dir() / merged["backup"], project)  # the server as it was before this merge
    same_content(pg_url, offline)
    agreement = ok("--db", pg_url, "agreement", "--coders", f"{ANNA},{JONAS}", "--json").json
    assert agreement["documents"] == 1 and agreement["codes"]
    # a merge on the server is one step that undo takes back
    ok("--db", pg_url, "undo", "--coder", JONAS)
    same_content(pg_url, project)
    # and the server can be copied back to a SQLite file
    copy = tmp_path / "server-copy.db"
    ok("--db", pg_url, "backup", copy)
    same_content(copy, pg_url)


def test_passwords_never_show(tmp_path: Path, pg_cluster: Cluster) -> None:
    project = laptop(tmp_path)
    ok("--db", project, "bundle", tmp_path / "anna.fnbundle", "--coder", ANNA)
    secret = "hemmeligt-kodeord-42"
    unreachable = f"postgresql+psycopg://anna:{secret}@127.0.0.1:1/fieldnotes"
    wrong = f"postgresql+psycopg://nobody:{secret}@127.0.0.1:{pg_cluster.port}/findes_ikke"
    for args in (("--db", unreachable, "merge", tmp_path / "anna.fnbundle"),
                 ("--db", wrong, "merge", tmp_path / "anna.fnbundle"),
                 ("--db", wrong, "bundle", tmp_path / "x.fnbundle"),
                 ("--db", unreachable, "agreement", "--coders", f"{ANNA},{JONAS}"),
                 ("--db", project, "merge", unreachable)):
        result = run(*args)
        assert result.code == 1, args
        assert secret not in result.err + result.out, result.err
        assert "Traceback" not in result.err and result.err.count("\n") == 1, result.err
    assert "***" in run("--db", unreachable, "merge", tmp_path / "anna.fnbundle").err


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.mark.slow
def test_merges_and_coding_at_the_same_moment_lose_nothing(tmp_path: Path, pg_url: str) -> None:
    project = laptop(tmp_path)
    ok("--db", pg_url, "init", "--empty", "--coder", "Server")
    ok("--db", pg_url, "merge", project, "--coder", "Server")
    bundles = []
    for index, coder in enumerate(("Mette Lund", "Søren Holm", "Karen Bø")):
        copy = tmp_path / f"laptop-{index}.db"
        shutil.copy(project, copy)
        for word in ("Lederen er med", "sparring på de svære sager", "praktikpladser"):
            ok("--db", copy, "code", DOC, "--code", "Ledelse", "--match", word, "--coder", coder)
        ok("--db", copy, "memo", "add", f"doc:{DOC}", f"{coder} var her", "--coder", coder)
        bundles.append(tmp_path / f"laptop-{index}.fnbundle")
        ok("--db", copy, "bundle", bundles[-1], "--coder", coder)
    # new coders start coding on the server while the merges run: a merge must never see their codings
    # without their coder record (it once did, reading table by table) nor overwrite anything of theirs
    coders = [subprocess.Popen([sys.executable, "-m", "tests.workers.code_loop", pg_url, name, "3", str(seed)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), cwd=ROOT)
              for seed, name in enumerate(("Koder i netværket", "Kollega på kontoret"))]
    merges = [subprocess.Popen([sys.executable, "-m", "fieldnotes", "--db", pg_url, "merge", str(bundle), "--coder",
                                f"Fletter {i}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=_env(), cwd=ROOT) for i, bundle in enumerate(bundles)]
    for merge in merges:
        out, err = merge.communicate(timeout=180)
        assert merge.returncode == 0, err
    acknowledged: set[str] = set()
    for coder in coders:
        out, err = coder.communicate(timeout=180)
        assert coder.returncode == 0 and "Traceback" not in err, err
        acknowledged |= {line[3:] for line in out.splitlines() if line.startswith("OK ")}
    stored = {row["id"] for row in ok("--db", pg_url, "excerpts", "--json").json}
    assert acknowledged and acknowledged <= stored
    by_coder = [row["coder"] for row in ok("--db", pg_url, "excerpts", "--json").json]
    assert all(by_coder.count(name) == 3 for name in ("Mette Lund", "Søren Holm", "Karen Bø"))
    memos = {row["text"] for row in ok("--db", pg_url, "memo", "list", "--json").json}
    assert {"Mette Lund var her", "Søren Holm var her", "Karen Bø var her"} <= memos
    for bundle in bundles:
        assert ok("--db", pg_url, "merge", bundle, "--json").json["nothing_to_merge"] is True


def test_last_change_seq_tells_the_app_that_someone_changed_something(tmp_path: Path, pg_url: str) -> None:
    ok("--db", pg_url, "init", "--codebook", ROOT / "tests" / "fixtures" / "small-codebook.yaml", "--coder", ANNA)
    with open_project(pg_url) as watcher:  # the app on one machine; the command line stands for another
        with watcher.read() as session:
            seen = last_change_seq(session)
        assert seen > 0
        with watcher.read() as session:
            assert last_change_seq(session) == seen  # nothing happened
        ok("--db", pg_url, "codebook", "add", "Ny kode fra en kollega", "--coder", JONAS)
        with watcher.read() as session:
            assert last_change_seq(session) > seen
