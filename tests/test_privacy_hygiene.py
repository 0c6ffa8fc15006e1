"""Privacy hygiene: private files, logs without document text, no network, an audit of every export."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fieldnotes import logs, paths
from fieldnotes.project import backup
from tests.helpers import ok, run
from tests.projectdata import make_project

DOC = "Interview med sagsbehandler"


def private(path: Path) -> bool:
    return path.stat().st_mode & 0o077 == 0


def test_project_files_backups_and_key_files_are_owner_only(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    ok("--db", project, "pseudonyms", "add", "Søren", "Bo")
    ok("--db", project, "pseudonyms", "export", tmp_path / "key.yaml")
    ok("--db", project, "backup", tmp_path / "copy.db")
    files = [project, tmp_path / "key.yaml", tmp_path / "copy.db", *backup.list_backups(project)]
    files += [p for p in (Path(f"{project}-wal"), Path(f"{project}-shm")) if p.exists()]
    assert len(files) >= 4 and all(private(p) for p in files), [oct(p.stat().st_mode) for p in files]
    assert private(paths.backup_dir())


def test_a_logged_error_while_handling_a_document_holds_no_document_text(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path)
    ok("--db", project, "pseudonyms", "add", "Søren", "Bo")
    text = ok("--db", project, "show", DOC, "--json").json["text"]
    secret = "jeg tror på, at Søren får et job på lageret"
    assert secret in text

    def broken(session, document, new_text, *, coder_id):  # type: ignore[no-untyped-def]
        raise ValueError(f"cannot edit {document.title}: {new_text}")  # a message quoting the material

    monkeypatch.setattr("fieldnotes.coding.edit.edit_text", broken)
    logger = logging.getLogger("fieldnotes")  # the log is set up once per process: point it at this test's home
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setattr(logs, "_configured", False)
    try:
        result = run("--db", project, "pseudonyms", "apply", "--yes", unexpected=True)
    finally:
        for handler in logger.handlers:
            handler.close()
    assert result.code == 1 and "unexpected error (ValueError)" in result.err and secret not in result.err
    log = paths.log_file().read_text(encoding="utf-8")
    assert "ValueError" in log and "apply.py" in log
    for fragment in (secret, "lageret", "Søren", "Bo får", DOC):
        assert fragment not in log
    assert ok("--db", project, "show", DOC, "--json").json["text"] == text  # nothing half-done was kept


NO_NETWORK = textwrap.dedent("""
    import json, sys

    attempts = []

    def guard(event, args):
        if event in ("socket.__new__", "socket.connect", "socket.getaddrinfo", "socket.gethostbyname"):
            attempts.append(event)
            raise RuntimeError("network use: " + event)

    sys.addaudithook(guard)
    from fieldnotes.cli.main import main

    codes = [main(command) for command in json.loads(sys.argv[1])]
    during = list(attempts)
    import socket

    try:  # the guard itself works
        socket.socket()
        guarded = False
    except RuntimeError:
        guarded = True
    print(json.dumps({"codes": codes, "attempts": during, "guarded": guarded}))
""")


def test_sqlite_commands_open_no_network_connection(tmp_path: Path) -> None:
    material = tmp_path / "m"
    material.mkdir()
    (material / "note.txt").write_text("Søren ringede til Mette 🙂 om praktikken på lageret.\n", encoding="utf-8")
    db = str(tmp_path / "p.db")
    commands = [
        ["--db", db, "init", "--coder", "Anna Krogh"],
        ["--db", db, "import", str(material)],
        ["--db", db, "code", "note", "--code", "Specifik tro", "--match", "praktikken"],
        ["--db", db, "excerpts", "--json"],
        ["--db", db, "pseudonyms", "add", "--from-participants"],
        ["--db", db, "pseudonyms", "add", "Søren", "Bo"],
        ["--db", db, "pseudonyms", "detect"],
        ["--db", db, "pseudonyms", "apply", "--yes"],
        ["--db", db, "pseudonyms", "export", str(tmp_path / "key.json"), "--remove", "--yes"],
        ["--db", db, "export", "csv", str(tmp_path / "x.csv"), "--pseudonymize"],
        ["--db", db, "backup", str(tmp_path / "copy.db")],
        ["--db", db, "log", "--exports"],
    ]
    result = subprocess.run([sys.executable, "-c", NO_NETWORK, json.dumps(commands)], capture_output=True,
                            text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"codes": [0] * len(commands), "attempts": [], "guarded": True}, result.stderr


def test_the_export_audit_marks_each_export_pseudonymised_or_not(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    ok("--db", project, "pseudonyms", "add", "Søren", "Bo")
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "jeg tror på, at Søren får et job")
    ok("--db", project, "export", "csv", tmp_path / "med-navne.csv", "--no-pseudonymize")
    ok("--db", project, "export", "csv", tmp_path / "uden-navne.csv", "--pseudonymize")
    ok("--db", project, "bundle", tmp_path / "anna.fnbundle", "--pseudonymize")
    ok("--db", project, "pseudonyms", "export", tmp_path / "nøgle.yaml")
    ok("--db", project, "matrix", "--by", "municipality", "--csv", tmp_path / "matrix.csv")
    lines = ok("--db", project, "log", "--exports", "--lang", "en").out.splitlines()
    assert len(lines) == 5
    by_file = {name: next(line for line in lines if name in line)
               for name in ("med-navne.csv", "uden-navne.csv", "anna.fnbundle", "nøgle.yaml", "matrix.csv")}
    assert by_file["med-navne.csv"].endswith("[not pseudonymised]")
    assert by_file["uden-navne.csv"].endswith("[pseudonymised]")
    assert by_file["anna.fnbundle"].endswith("[pseudonymised]")
    assert by_file["nøgle.yaml"].endswith("[not pseudonymised]")  # the key holds the originals
    assert by_file["matrix.csv"].endswith("[pseudonymised]")  # a matrix is an export like any other
    danish = ok("--db", project, "log", "--exports", "--lang", "da").out
    assert danish.count("[ikke pseudonymiseret]") == 2 and danish.count("[pseudonymiseret]") == 3
    # the whole log marks the exports among the other changes, and leaves the rest alone
    whole = ok("--db", project, "log", "--lang", "en").out.splitlines()
    assert sum("pseudonymised]" in line for line in whole) == 5 and len(whole) > 5
    assert not any("pseudonymised]" in line for line in whole if " pseudonyms.add " in line)
