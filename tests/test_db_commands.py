"""`fieldnotes db current|upgrade|check` on a SQLite file at an older schema and on a PostgreSQL server."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from fieldnotes.db import migrate
from fieldnotes.db.backends import engine_for
from tests.helpers import ok, run
from tests.projectdata import make_project

FIXTURES = Path(__file__).parent / "fixtures" / "schemas"
DOC = "Interview med sagsbehandler"


def oldest() -> str:
    revisions = [rev.revision for rev in migrate.script().walk_revisions()]
    return revisions[-1]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sqlite_current_upgrade_check(tmp_path: Path) -> None:
    old = oldest()
    assert old != migrate.head()
    target = tmp_path / "gammel.db"
    shutil.copy(FIXTURES / f"{old}.db", target)
    before = digest(target)

    state = ok("--db", target, "db", "current", "--json").json
    assert state["current"] == old and state["head"] == migrate.head()
    assert state["up_to_date"] is False and state["known"] is True
    text = ok("--db", target, "db", "current").out
    assert f"{old} (head {migrate.head()}): needs `fieldnotes db upgrade`" in text
    assert digest(target) == before  # looking changes nothing

    upgraded = ok("--db", target, "db", "upgrade", "--json").json
    assert upgraded["current"] == migrate.head() and upgraded["up_to_date"] is True
    [backup] = upgraded["backups"]
    assert f"before-upgrade-{old}" in backup
    assert digest(Path(backup)) != ""
    listed = ok("--db", target, "restore", "--json").json
    assert [row["file"] for row in listed] == [backup]
    assert ok("--db", Path(backup), "db", "current", "--json").json["current"] == old  # the copy is the old file

    again = ok("--db", target, "db", "upgrade")
    assert "nothing to do" in again.out
    report = ok("--db", target, "db", "check", "--json").json
    assert report["ok"] is True and report["integrity"] == "ok" and report["schema_matches"] is True
    assert ok("--db", target, "db", "current", "--json").json["up_to_date"] is True


def server_rows(url: str) -> dict[str, list[str]]:
    """Every row of every table on the server, as text, for 'nothing changed' comparisons."""
    engine = engine_for(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            return {name: sorted(map(str, conn.execute(select(table)).all()))
                    for name, table in sorted(meta.tables.items())}
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_server_out_of_date_is_refused_then_backed_up_and_upgraded(tmp_path: Path, pg_url: str) -> None:
    source = make_project(tmp_path)
    ok("--db", source, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med", "--coder", "Anna Krogh")
    ok("--db", pg_url, "init", "--empty", "--coder", "Server")
    ok("--db", pg_url, "merge", source, "--coder", "Server")
    documents = sorted(d["title"] for d in ok("--db", pg_url, "docs", "--json").json)
    excerpts = sorted(e["text"] for e in ok("--db", pg_url, "excerpts", "--json").json)
    assert documents and excerpts == ["Lederen er med"]

    old = oldest()
    engine = engine_for(pg_url)
    try:
        migrate.downgrade(engine, old)
    finally:
        engine.dispose()
    assert ok("--db", pg_url, "db", "current", "--json").json["current"] == old
    before = server_rows(pg_url)

    for command in (["docs"], ["project", "show"], ["excerpts"], ["db", "check"],
                    ["code", DOC, "--code", "Ledelse", "--match", "sparring"]):
        result = run("--db", pg_url, *command)
        assert result.code == 1, command
        assert f"has an older schema ({old})" in result.err
        assert "run `fieldnotes db upgrade --db postgresql+psycopg://" in result.err
        assert "nothing was changed" in result.err and "file" not in result.err
        assert len(result.err.strip().splitlines()) == 1
    assert server_rows(pg_url) == before

    manual = tmp_path / "server-før.db"
    ok("--db", pg_url, "backup", manual)  # an out-of-date server can still be backed up
    assert ok("--db", manual, "docs", "--json").json  # opening the copy upgrades the copy, not the server
    assert server_rows(pg_url) == before

    upgraded = ok("--db", pg_url, "db", "upgrade", "--json").json
    assert upgraded["current"] == migrate.head() and upgraded["up_to_date"] is True
    [backup] = map(Path, upgraded["backups"])
    assert f"before-upgrade-{old}" in backup.name and backup.stat().st_mode & 0o077 == 0
    assert ok("--db", backup, "db", "current", "--json").json["current"] == old  # taken before the upgrade
    assert sorted(d["title"] for d in ok("--db", backup, "docs", "--json").json) == documents
    assert sorted(e["text"] for e in ok("--db", backup, "excerpts", "--json").json) == excerpts

    assert sorted(d["title"] for d in ok("--db", pg_url, "docs", "--json").json) == documents
    assert sorted(e["text"] for e in ok("--db", pg_url, "excerpts", "--json").json) == excerpts
    assert ok("--db", pg_url, "db", "check", "--json").json["ok"] is True


@pytest.mark.postgres
def test_server_from_a_newer_version_says_database_not_file(tmp_path: Path, pg_url: str) -> None:
    ok("--db", pg_url, "init", "--empty")
    engine = engine_for(pg_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    finally:
        engine.dispose()
    before = server_rows(pg_url)
    result = run("--db", pg_url, "docs")
    assert result.code == 1
    assert "was written by a newer fieldnotes" in result.err
    assert "the database was left untouched" in result.err and "file" not in result.err
    upgrade = run("--db", pg_url, "db", "upgrade")
    assert upgrade.code == 1 and "the database was left untouched" in upgrade.err
    refused = run("--db", pg_url, "backup", tmp_path / "aldrig.db")
    assert refused.code == 1 and "not a fieldnotes project this version can read" in refused.err
    assert not (tmp_path / "aldrig.db").exists()
    assert server_rows(pg_url) == before
