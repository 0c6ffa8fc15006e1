"""Text typed in $EDITOR is never thrown away (`fieldnotes new`, `fieldnotes edit`).

The editor here is a real program: a small Python script that $EDITOR names. It notes that it was
opened, writes the text a person would have typed into the file it was given, can run another
fieldnotes command meanwhile (a colleague's change), and exits with the status it is told to.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path

import pytest

from fieldnotes import paths
from fieldnotes.privacy import encryption
from tests.conftest import missing
from tests.helpers import ok, run
from tests.projectdata import SMALL_CODEBOOK, make_project

DOC = "Interview med sagsbehandler"
TYPED = "Kl. 10.30 i Lyngå. Borgeren fortæller om praktikken på lageret, og sagsbehandleren tror på det.\n"

EDITOR = """\
import json, os, subprocess, sys
from pathlib import Path

Path(os.environ["EDITOR_MARK"]).write_text("opened", encoding="utf-8")
Path(sys.argv[1]).write_text(os.environ["EDITOR_TEXT"], encoding="utf-8")
then = os.environ.get("EDITOR_THEN")
if then:  # someone else changes the project while the editor is open
    subprocess.run([sys.executable, "-m", "fieldnotes", *json.loads(then)], check=True, capture_output=True)
sys.exit(int(os.environ.get("EDITOR_EXIT", "0")))
"""


class Editor:
    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.script = folder / "editor.py"
        self.script.write_text(EDITOR, encoding="utf-8")
        self.mark = folder / "editor-was-opened"
        self.monkeypatch = monkeypatch
        monkeypatch.delenv("VISUAL", raising=False)
        monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} {shlex.quote(str(self.script))}")
        monkeypatch.setenv("EDITOR_MARK", str(self.mark))
        self.types(TYPED)

    def types(self, text: str, *, then: list[str] | None = None, status: int = 0) -> None:
        self.monkeypatch.setenv("EDITOR_TEXT", text)
        self.monkeypatch.setenv("EDITOR_EXIT", str(status))
        if then:
            self.monkeypatch.setenv("EDITOR_THEN", json.dumps([str(a) for a in then]))
        else:
            self.monkeypatch.delenv("EDITOR_THEN", raising=False)

    @property
    def opened(self) -> bool:
        return self.mark.exists()


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Editor:
    return Editor(tmp_path, monkeypatch)


def recovered() -> list[Path]:
    folder = paths.recovery_dir()
    return sorted(folder.iterdir()) if folder.exists() else []


def kept_path(message: str) -> Path:
    """The recovery file a message names (`… is kept in PATH` up to the next `;` or the end)."""
    where = message.split("is kept in ", 1)[1]
    return Path(where.split(";")[0].strip())


@pytest.mark.parametrize("args, message", [
    (["--date", "2025-13-45"], "is not a date"),
    (["--kind", "roman"], "the kind 'roman' is unknown"),
    (["--municipality", "   "], "needs a name"),
])
def test_new_with_a_bad_argument_never_opens_the_editor(tmp_path: Path, editor: Editor, args: list[str],
                                                       message: str) -> None:
    project = make_project(tmp_path)
    before = ok("--db", project, "docs", "--json").json
    result = run("--db", project, "new", "--title", "Feltnote fra Lyngå", *args)
    assert result.code == 1 and message in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not editor.opened  # nothing was typed, so nothing was thrown away
    assert ok("--db", project, "docs", "--json").json == before


def test_new_on_a_missing_project_never_opens_the_editor(tmp_path: Path, editor: Editor) -> None:
    result = run("--db", tmp_path / "ingen æøå.db", "new")
    assert result.code == 1 and "no project at" in result.err
    assert not editor.opened


def test_new_with_good_arguments_saves_what_was_typed(tmp_path: Path, editor: Editor) -> None:
    project = make_project(tmp_path)
    saved = ok("--db", project, "new", "--title", "Feltnote fra Lyngå", "--kind", "feltnote", "--municipality",
               "Lyngå", "--date", "2026-01-12", "--json").json
    assert editor.opened
    assert ok("--db", project, "show", saved["id"], "--json").json["text"] == TYPED
    assert recovered() == []


def test_edit_keeps_the_refused_text_in_a_recovery_file(tmp_path: Path, editor: Editor) -> None:
    """A colleague changes the document while it is open in the editor: the edit is refused (it would
    overwrite their change), and what was typed is kept in a recovery file whose path is printed."""
    project = make_project(tmp_path)
    colleague = tmp_path / "kollegas rettelse.txt"
    theirs = ok("--db", project, "show", DOC, "--json").json["text"].replace("bageriet", "bageriet i havnen")
    colleague.write_text(theirs, encoding="utf-8")
    mine = ok("--db", project, "show", DOC, "--json").json["text"].replace("Søren", "Søren (navn ændret)")
    editor.types(mine, then=["--db", project, "edit", DOC, "--from-file", colleague, "--coder", "Jonas Bech"])
    result = run("--db", project, "edit", DOC, "--coder", "Anna Krogh")
    assert editor.opened
    assert result.code == 1 and "changed while you were editing; nothing was saved" in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1
    kept = kept_path(result.err)
    assert kept.read_text(encoding="utf-8") == mine
    assert kept.parent == paths.recovery_dir() and recovered() == [kept]
    assert kept.stat().st_mode & 0o777 == 0o600 and kept.parent.stat().st_mode & 0o077 == 0
    assert ok("--db", project, "show", DOC, "--json").json["text"] == theirs  # the colleague's change stands


def test_new_keeps_the_text_when_the_editor_fails_after_writing(tmp_path: Path, editor: Editor) -> None:
    project = make_project(tmp_path)
    before = ok("--db", project, "docs", "--json").json
    editor.types(TYPED, status=3)
    result = run("--db", project, "new", "--title", "Feltnote fra Lyngå")
    assert result.code == 1 and "the editor exited with status 3" in result.err
    assert kept_path(result.err).read_text(encoding="utf-8") == TYPED
    assert ok("--db", project, "docs", "--json").json == before


def test_an_editor_that_changes_nothing_leaves_no_recovery_file(tmp_path: Path, editor: Editor) -> None:
    project = make_project(tmp_path)
    editor.types(ok("--db", project, "show", DOC, "--json").json["text"], status=1)  # quit without saving
    result = run("--db", project, "edit", DOC)
    assert result.code == 1 and "nothing was changed" in result.err
    assert recovered() == []


def test_an_encrypted_project_never_hands_its_text_to_an_outside_editor(tmp_path: Path, editor: Editor,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/privacy.md: nothing of an encrypted project is readable on disk. An editor would write the
    text in clear to a temporary file (and its swap files), so $EDITOR is refused there."""
    if not encryption.available():
        missing("SQLCipher (sqlcipher3)", "install the encryption extra: pip install -e '.[encryption]'")
    monkeypatch.setenv(encryption.ENV_PASSPHRASE, "kaffe på Ærø")
    encryption._remembered.clear()
    project = tmp_path / "hemmelig.db"
    ok("--db", project, "init", "--encrypt", "--codebook", SMALL_CODEBOOK, "--coder", "Anna Krogh")
    note = tmp_path / "note.txt"
    note.write_text(TYPED, encoding="utf-8")
    ok("--db", project, "new", "--from-file", note, "--title", "Feltnote")  # a file the user keeps: fine
    note.unlink()
    for args in (["new", "--title", "Endnu en"], ["edit", "Feltnote"]):
        result = run("--db", project, *args)
        assert result.code == 1 and "is encrypted" in result.err and "write a new note in the app" in result.err
        assert not editor.opened
    assert [d["title"] for d in ok("--db", project, "docs", "--json").json] == ["Feltnote"]
    assert os.environ["EDITOR_TEXT"] == TYPED and recovered() == []
