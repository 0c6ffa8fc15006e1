"""Crashes and concurrency never lose acknowledged work or leave anything half-applied."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fieldnotes.db.models import Coding, Document, DocumentCase, SpeakerTurn
from fieldnotes.project.opening import open_project
from tests.helpers import ok
from tests.projectdata import INTERVIEW, make_project

ROOT = Path(__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _integrity(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _coders_in_parallel(target: str, processes: int, seconds: float) -> tuple[list[set[str]], list[str]]:
    """Codings each coder's process had acknowledged (committed), and any failures. How many a second the
    processes manage together is measured by the benchmarks ("parallel coders"), not asserted here."""
    runs = [subprocess.Popen([sys.executable, "-m", "tests.workers.code_loop", target, f"Koder {i}", str(seconds),
                              str(i)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
                             cwd=ROOT) for i in range(processes)]
    acknowledged: list[set[str]] = []
    problems: list[str] = []
    for run_ in runs:
        out, err = run_.communicate(timeout=seconds + 120)
        acknowledged.append({line[3:] for line in out.splitlines() if line.startswith("OK ")})
        problems += [line for line in out.splitlines() if line.startswith("FAILED")]
        if run_.returncode != 0 or "Traceback" in err:
            problems.append(err[-2000:])
    return acknowledged, problems


def _stored_codings(target: str) -> set[str]:
    with open_project(target, readonly=True) as project, project.read() as session:
        return {str(i) for i in session.scalars(select(Coding.id))}


def test_parallel_coders_on_sqlite_lose_nothing(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    acknowledged, problems = _coders_in_parallel(str(project), processes=3, seconds=4)
    assert problems == []
    assert len(acknowledged) == 3 and all(acknowledged)  # every coder got work in
    assert set().union(*acknowledged) <= _stored_codings(str(project))
    assert _integrity(project) == "ok"


@pytest.mark.postgres
def test_parallel_coders_on_postgresql_lose_nothing(tmp_path: Path, pg_url: str) -> None:
    material = tmp_path / "material"
    material.mkdir()
    (material / "interview.txt").write_text(INTERVIEW * 5, encoding="utf-8")
    ok("--db", pg_url, "init", "--codebook", ROOT / "tests" / "fixtures" / "small-codebook.yaml", "--coder", "Anna")
    ok("--db", pg_url, "import", material, "--kind", "interview")
    acknowledged, problems = _coders_in_parallel(pg_url, processes=4, seconds=4)
    assert problems == []
    assert len(acknowledged) == 4 and all(acknowledged)  # every coder got work in
    assert set().union(*acknowledged) <= _stored_codings(pg_url)


def test_killing_an_import_leaves_whole_files_and_a_rerun_completes(tmp_path: Path) -> None:
    project = tmp_path / "p.db"
    ok("--db", project, "init", "--empty")
    material = tmp_path / "material"
    material.mkdir()
    for index in range(150):
        (material / f"interview-{index:03d}.txt").write_text(
            INTERVIEW.replace("Søren", f"Søren {index}") * 3, encoding="utf-8")
    runner = subprocess.Popen([sys.executable, "-m", "fieldnotes", "--db", str(project), "import", str(material),
                               "--kind", "interview", "--municipality", "Lyngå"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(), cwd=ROOT)
    deadline = time.monotonic() + 60
    count = 0
    while time.monotonic() < deadline and runner.poll() is None:
        time.sleep(0.05)
        try:
            with closing(sqlite3.connect(f"file:{project}?mode=ro", uri=True, timeout=5)) as conn:
                count = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        except sqlite3.OperationalError:
            continue
        if count >= 20:
            break
    assert runner.poll() is None, "the import finished before it could be interrupted; make it bigger"
    runner.send_signal(signal.SIGKILL)
    runner.wait()
    assert _integrity(project) == "ok"
    with open_project(str(project)) as opened, opened.read() as session:
        documents = session.scalar(select(func.count()).select_from(Document)) or 0
        assert 20 <= documents < 150
        # nothing half-applied: every document has its turns and its municipality
        for doc_id in session.scalars(select(Document.id)):
            turns = select(func.count()).select_from(SpeakerTurn).where(SpeakerTurn.document_id == doc_id)
            assert session.scalar(turns)
            assert session.scalar(select(func.count()).select_from(DocumentCase).where(
                DocumentCase.document_id == doc_id))
    report = ok("--db", project, "import", material, "--kind", "interview", "--municipality", "Lyngå", "--json").json
    assert report["imported"] == 150 - documents and report["skipped"] == documents and report["failed"] == 0
    assert len(ok("--db", project, "docs", "--json").json) == 150


def test_a_full_disk_during_import_fails_cleanly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's max_page_count makes the database 'full' at the write boundary."""
    from fieldnotes.db import backends
    from tests.projectdata import snapshot

    project = make_project(tmp_path)
    before = snapshot(project)
    original = backends._sqlite_pragmas

    def full_disk(dbapi_conn: object, *args: object) -> None:
        original(dbapi_conn, *args)
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]  # type: ignore[attr-defined]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 1}")  # type: ignore[attr-defined]

    monkeypatch.setattr(backends, "_sqlite_pragmas", full_disk)
    big = tmp_path / "stor.txt"
    big.write_text(("Søren fortæller om praktikken på lageret. " * 40 + "\n") * 400, encoding="utf-8")
    from tests.helpers import run

    result = run("--db", project, "import", big)
    assert result.code == 1
    assert "full" in result.err and "Traceback" not in result.err
    monkeypatch.setattr(backends, "_sqlite_pragmas", original)
    assert snapshot(project) == before
    assert _integrity(project) == "ok"


def test_a_full_disk_during_an_export_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from fieldnotes.errors import FieldnotesError
    from fieldnotes.fileio import atomic_output

    target = tmp_path / "eksport.docx"

    with pytest.raises(FieldnotesError, match="nothing was written"), atomic_output(target) as handle:
        handle.write(b"x" * 100)
        raise OSError(errno.ENOSPC, "No space left on device")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


#: a migration step that does real work and then fails half-way: a table made, a column added by a batch
#: copy of `documents`, a row written, then an error (as a full disk or a bug would)
FAILING_STEP = '''"""A step that fails half-way (written by tests/test_hardening.py)."""
import sqlalchemy as sa
from alembic import op

revision = "ffff00000022"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("half_done", sa.Text(), nullable=True))
    op.execute("INSERT INTO half_done (id) VALUES (1)")
    op.execute("UPDATE documents SET half_done = 'halvt'")
    raise RuntimeError("this step failed half-way through")


def downgrade() -> None:
    pass
'''


def test_a_failed_migration_leaves_the_file_and_its_backup(tmp_path: Path) -> None:
    """A real upgrade from the oldest released schema through every real step and then one that changes the
    schema and the data and fails: everything is rolled back, the file is as it was, its backup holds it."""
    import logging
    import shutil

    import fieldnotes.db.migrate as migrate
    from fieldnotes.logs import logger
    from fieldnotes.project.backup import list_backups
    from tests.helpers import run, schema_fixtures

    oldest = schema_fixtures()[0]
    scripts = tmp_path / "migrations"
    shutil.copytree(ROOT / "migrations", scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9999_ffff00000022_fails_half_way.py").write_text(
        FAILING_STEP.format(head=migrate.head()), encoding="utf-8")
    target = tmp_path / "gammel.db"
    shutil.copy(oldest, target)
    logged: list[logging.LogRecord] = []
    catcher = logging.Handler()
    catcher.emit = logged.append  # type: ignore[method-assign]
    with pytest.MonkeyPatch.context() as patch:  # fieldnotes runs the migrations of this folder
        patch.setattr(migrate, "migrations_dir", lambda: scripts)
        migrate._graph.cache_clear()
        logger().addHandler(catcher)
        try:
            assert migrate.head() == "ffff00000022"
            result = run("--db", target, "docs")
        finally:
            logger().removeHandler(catcher)
            migrate._graph.cache_clear()
    assert result.code == 1, result.err
    assert ("upgrading gammel.db to this version's schema failed and was rolled back; the file is unchanged"
            in result.err)
    # the step ran to its `raise`, after its changes: the log names the line (the log holds no messages)
    raised_at = FAILING_STEP.splitlines().index('    raise RuntimeError("this step failed half-way through")') + 1
    assert any(record.getMessage().startswith(
        f"unexpected RuntimeError at 9999_ffff00000022_fails_half_way.py:{raised_at} upgrade") for record in logged)

    def dump(path: Path) -> list[str]:
        with closing(sqlite3.connect(path)) as conn:
            return list(conn.iterdump())

    # every table and row as it was (the file is now in WAL mode, as fieldnotes opens every project: its
    # header bytes say so, nothing else differs)
    assert dump(target) == dump(oldest)
    with closing(sqlite3.connect(target)) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        columns = {row[1] for row in conn.execute("PRAGMA table_info(documents)")}
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    assert "half_done" not in tables and "half_done" not in columns
    assert revision == oldest.stem  # not even the real steps before the failing one are kept
    backups = list_backups(target)
    assert len(backups) == 1
    assert dump(backups[0]) == dump(target)  # the backup holds exactly what the file holds
    # and with the real migrations the same file upgrades
    assert run("--db", target, "docs").code == 0
