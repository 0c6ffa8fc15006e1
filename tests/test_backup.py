"""Backups: consistent, verified, private, rotated; restore keeps the current file aside."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from fieldnotes.project import backup
from tests.helpers import ok, run
from tests.projectdata import make_project, snapshot


def test_backup_and_restore_round_trip(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    before = snapshot(project)
    copy = tmp_path / "kopi æøå.db"
    out = ok("--db", project, "backup", copy, "--json").json
    assert out["verified"] and copy.stat().st_mode & 0o077 == 0
    assert snapshot(copy) == before
    ok("--db", project, "code", "Interview med sagsbehandler", "--code", "Ledelse", "--match", "Lederen er med")
    assert snapshot(project) != before
    result = ok("--db", project, "restore", copy, "--yes", "--json").json
    assert snapshot(project) == before
    assert Path(result["previous"]).exists()
    assert run("--db", project, "backup", copy).code == 1  # never overwrites


def test_daily_backup_on_first_open_and_listing(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    listed = ok("--db", project, "restore", "--json").json
    assert len(listed) == 1 and ".daily." in listed[0]["file"]
    ok("--db", project, "docs")
    assert len(ok("--db", project, "restore", "--json").json) == 1  # once a day


def test_rotation_keeps_the_newest(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    for _ in range(backup.KEEP + 3):
        backup.backup_sqlite(project, reason="test")
    assert len(backup.list_backups(project)) == backup.KEEP


def test_restore_refuses_a_file_that_is_not_a_project(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    before = project.read_bytes()
    result = run("--db", project, "restore", junk, "--yes")
    assert result.code == 1 and "not a fieldnotes project" in result.err
    assert project.read_bytes() == before


def _memos(project: Path) -> list[str]:
    return [m["text"] for m in ok("--db", project, "memo", "list", "--json").json]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_restore_refuses_while_a_reader_holds_the_project(tmp_path: Path) -> None:
    """The open app holds a read transaction; restoring then would lose the memo committed meanwhile
    (the checkpoint cannot fold it into the file while the reader reads, and its -wal was deleted)."""
    project = make_project(tmp_path)
    copy = tmp_path / "kopi æøå.db"
    ok("--db", project, "backup", copy)
    with closing(sqlite3.connect(project)) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM documents").fetchone()  # a read transaction, as the app holds
        ok("--db", project, "memo", "add", "project", "Mødet i Lyngå flyttes til torsdag")
        before = _files(tmp_path)
        result = run("--db", project, "restore", copy, "--yes")
        assert result.code == 1
        assert "close the app and other fieldnotes commands on this project first" in result.err
        assert len(result.err.strip().splitlines()) == 1
        assert _files(tmp_path) == before  # nothing moved, nothing deleted, nothing new
        reader.rollback()
    assert _memos(project) == ["Mødet i Lyngå flyttes til torsdag"]
    assert not list(tmp_path.glob("*before-restore*"))


def test_restore_refuses_while_another_connection_has_the_project_open(tmp_path: Path) -> None:
    """An idle connection (the app between two keys) counts as holding the project, too."""
    project = make_project(tmp_path)
    copy = tmp_path / "kopi.db"
    ok("--db", project, "backup", copy)
    with closing(sqlite3.connect(project)) as idle:
        idle.execute("SELECT count(*) FROM documents").fetchone()
        ok("--db", project, "memo", "add", "project", "Søren starter i praktik")
        result = run("--db", project, "restore", copy, "--yes")
        assert result.code == 1 and "close the app" in result.err
    assert _memos(project) == ["Søren starter i praktik"]


def test_restore_keeps_every_committed_change_in_the_file_it_puts_aside(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    copy = tmp_path / "kopi.db"
    ok("--db", project, "backup", copy)
    ok("--db", project, "memo", "add", "project", "Notat om sparring i Fjordby")
    result = ok("--db", project, "restore", copy, "--yes", "--json").json
    aside = Path(result["previous"])
    assert _memos(project) == []
    assert not Path(str(project) + "-wal").exists() or Path(str(project) + "-wal").stat().st_size == 0
    with closing(sqlite3.connect(aside.resolve().as_uri() + "?mode=ro", uri=True)) as conn:
        assert conn.execute("SELECT text FROM memos").fetchall() == [("Notat om sparring i Fjordby",)]
    assert _memos(aside) == ["Notat om sparring i Fjordby"]


def test_backup_while_another_connection_writes(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    with closing(sqlite3.connect(project)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE documents SET title = title || ' (ændret)'")
        copy = backup.copy_sqlite(project, tmp_path / "mens.db")  # the uncommitted change is not in it
        writer.rollback()
    titles = ok("--db", copy, "docs", "--json").json
    assert titles and all("(ændret)" not in d["title"] for d in titles)


@pytest.mark.postgres
def test_backup_of_a_server_project_is_a_sqlite_file(tmp_path: Path, pg_url: str) -> None:
    ok("--db", pg_url, "init", "--codebook", Path(__file__).parent / "fixtures" / "small-codebook.yaml",
       "--coder", "Anna Krogh")
    material = tmp_path / "m"
    material.mkdir()
    (material / "note.md").write_text("---\ntitle: Note\nmunicipality: Søholm\ndate: 2025-03-01\n---\nSøren går "
                                      "i praktik på lageret.\n", encoding="utf-8")
    ok("--db", pg_url, "import", material)
    ok("--db", pg_url, "code", "Note", "--code", "Ledelse", "--match", "praktik")
    out = tmp_path / "server.db"
    ok("--db", pg_url, "backup", out)
    excerpts = ok("--db", out, "excerpts", "--json").json
    assert [e["text"] for e in excerpts] == ["praktik"]
    assert ok("--db", out, "db", "check", "--json").json["ok"] is True
