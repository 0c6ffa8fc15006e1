"""Opening projects: only init and demo create; bad, damaged and newer files are refused untouched."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from fieldnotes.db import migrate
from fieldnotes.project.opening import open_project
from tests.helpers import ok, run

FIXTURES = Path(__file__).parent / "fixtures" / "schemas"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_missing_project_is_refused_and_not_created(tmp_path: Path) -> None:
    target = tmp_path / "nope.db"
    result = run("--db", target, "project", "show")
    assert result.code == 1
    assert f"no project at {target}" in result.err
    assert "fieldnotes init" in result.err
    assert not target.exists()
    assert "Traceback" not in result.err


def test_default_project_comes_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "env.db"
    monkeypatch.setenv("FIELDNOTES_DB", str(target))
    ok("init", "--empty", "--name", "Fra miljøet")
    assert target.exists()
    assert ok("project", "show", "--json").json["name"] == "Fra miljøet"


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"hello, this is not a database\n" * 10, "not a SQLite database"),
        (b"", "not a SQLite database"),
        (b"SQLite format 3\x00" + b"\xff" * 2000, "cannot be read"),
    ],
    ids=["text", "empty", "corrupt"],
)
def test_non_project_files_are_refused_untouched(tmp_path: Path, content: bytes, expected: str) -> None:
    target = tmp_path / "thing.db"
    target.write_bytes(content)
    before = digest(target)
    result = run("--db", target, "codebook", "list")
    assert result.code == 1
    assert expected in result.err
    assert digest(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thing.db"]


def test_other_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    target = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(target)) as conn:
        conn.execute("CREATE TABLE notes (x TEXT)")
        conn.commit()
    before = digest(target)
    result = run("--db", target, "project", "show")
    assert result.code == 1 and "not a fieldnotes project" in result.err
    assert digest(target) == before


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    target = tmp_path / "future.db"
    ok("--db", target, "init", "--empty")
    with closing(sqlite3.connect(target)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
        conn.commit()
    before = digest(target)
    result = run("--db", target, "project", "show")
    assert result.code == 1
    assert "newer fieldnotes" in result.err
    assert digest(target) == before


def test_older_schema_is_backed_up_then_upgraded(tmp_path: Path, isolated_paths: Path) -> None:
    fixtures = sorted(FIXTURES.glob("*.db"))
    older = [f for f in fixtures if f.stem != migrate.head()]
    if not older:
        # only one released revision so far: make an "older" file by stepping the head back one revision
        revisions = [rev.revision for rev in migrate.script().walk_revisions()]
        if len(revisions) < 2:
            target = tmp_path / "only.db"
            shutil.copy(fixtures[0], target)
            with open_project(str(target)) as project:
                assert not [b for b in project.backups if "before-upgrade" in b.name]  # at head already
            return
    target = tmp_path / "old.db"
    shutil.copy(older[0], target)
    with open_project(str(target)) as project:
        assert len(project.backups) == 1
        backup = project.backups[0]
        assert backup.exists() and backup.stat().st_mode & 0o077 == 0
        with project.engine.connect() as conn:
            assert migrate.current(conn) == migrate.head()
    assert digest(backup) != ""  # the untouched copy is there to restore


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "p.db"
    ok("--db", target, "init", "--empty")
    before = digest(target)
    result = run("--db", target, "init")
    assert result.code == 1 and "already exists" in result.err
    assert digest(target) == before


def test_project_files_are_private(tmp_path: Path) -> None:
    target = tmp_path / "private.db"
    ok("--db", target, "init", "--empty")
    assert target.stat().st_mode & 0o077 == 0


def test_project_set_and_show(tmp_path: Path) -> None:
    target = tmp_path / "p.db"
    ok("--db", target, "init", "--empty", "--name", "Troen på jobchancen", "--start", "2025-02-01")
    ok("--db", target, "project", "set", "pseudonymize_exports", "yes")
    ok("--db", target, "project", "set", "default_coder", "Jonas Bech")
    ok("--db", target, "project", "set", "start", "2025-03-01")
    info = ok("--db", target, "project", "show", "--json").json
    assert info["name"] == "Troen på jobchancen"
    assert info["pseudonymize_exports"] is True
    assert info["default_coder"] == "Jonas Bech"
    assert info["start"] == "2025-03-01"
    bad = run("--db", target, "project", "set", "start", "first of march")
    assert bad.code == 1 and "YYYY-MM-DD" in bad.err
    assert ok("--db", target, "project", "show", "--json").json["start"] == "2025-03-01"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("no-such-command").code == 2
    assert run("project", "set", "colour", "red").code == 2
    assert run("codebook").code == 2


def test_locate_reports_isolated_paths(isolated_paths: Path) -> None:
    info = ok("locate", "--json").json
    for key in ("data", "settings", "backups", "logs", "demo_project"):
        assert info[key].startswith(str(isolated_paths)), key


def test_readonly_file_opens_readonly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file the user cannot write opens read-only with a notice (root writes anything, so fake it)."""
    import fieldnotes.project.opening as project_module

    target = tmp_path / "ro.db"
    ok("--db", target, "init", "--empty")
    monkeypatch.setattr(project_module, "_writable", lambda path: False)
    with open_project(str(target)) as project:
        assert project.readonly
        assert any("read-only" in n for n in project.notices)
        with project.read() as session:
            assert project.settings(session).name == "ro"
        with pytest.raises(Exception, match="read-only"), project.write():
            pass


def _beside(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def test_damaged_project_gets_one_clear_line_and_stays_byte_identical(tmp_path: Path) -> None:
    """Page 4 of a real project overwritten: every command names the damage and the way back."""
    target = tmp_path / "skadet.db"
    ok("--db", target, "init", "--name", "Skadet projekt")
    with closing(sqlite3.connect(target)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, as a copied project is
    assert target.stat().st_size > 4 * 4096
    with target.open("r+b") as handle:
        handle.seek(3 * 4096)
        handle.write(bytes(range(256)) * 16)
    before = digest(target)
    for command in (["project", "show"], ["db", "check"]):
        result = run("--db", target, *command)
        assert result.code == 1, command
        assert "the project file is damaged" in result.err, (command, result.err)
        assert "`fieldnotes restore`" in result.err and "fieldnotes restore N" in result.err
        assert "unexpected error" not in result.err and "DatabaseError" not in result.err
        assert len(result.err.strip().splitlines()) == 1
        assert digest(target) == before
    report = run("--db", target, "db", "check", "--json")
    assert report.code == 1
    assert report.json["ok"] is False and report.json["integrity"].startswith("damaged (")


@pytest.mark.parametrize("size", [20_000, 4096 * 3 + 100], ids=["truncated", "torn-page"])
def test_refused_truncated_file_leaves_nothing_beside_it(tmp_path: Path, size: int) -> None:
    """A WAL-mode project cut short is refused without a -wal or -shm appearing next to it."""
    whole = tmp_path / "hel" / "p.db"
    whole.parent.mkdir()
    ok("--db", whole, "init", "--name", "Afkortet")
    cut = tmp_path / "cut" / "p.db"
    cut.parent.mkdir()
    cut.write_bytes(whole.read_bytes()[:size])
    assert cut.read_bytes()[18:20] == b"\x02\x02"  # the header says WAL mode
    before = digest(cut)
    result = run("--db", cut, "project", "show")
    assert result.code == 1
    assert "cannot be read as a fieldnotes project (database disk image is malformed)" in result.err
    assert "fieldnotes restore" in result.err
    assert digest(cut) == before
    assert _beside(cut) == ["p.db"]
    assert run("--db", cut, "db", "current").code == 1
    assert _beside(cut) == ["p.db"] and digest(cut) == before


def test_a_damaged_encrypted_project_gets_the_same_clear_line(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDNOTES_PASSPHRASE", "hemmeligt-kodeord-æøå")
    target = tmp_path / "krypteret.db"
    ok("--db", target, "init", "--encrypt", "--name", "Krypteret")
    with target.open("r+b") as handle:
        handle.seek(3 * 4096)
        handle.write(bytes(range(256)) * 16)
    before = digest(target)
    result = run("--db", target, "project", "show")
    assert result.code == 1
    assert result.err.startswith("fieldnotes: error: the project file is damaged (")
    assert "fieldnotes restore N" in result.err and "unexpected error" not in result.err
    assert digest(target) == before
