"""The README's tour runs as written (#23): its shell block, unchanged, line by line, with the installed
`fieldnotes` command, in a fresh folder holding what the tour reads from the repository (examples/)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document as WordDocument

ROOT = Path(__file__).resolve().parent.parent


def tour_block() -> list[str]:
    """The command lines of the first fenced shell block under '## A short tour'."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## A short tour"):]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match, "the tour has no ```sh block"
    return [line for line in match.group(1).splitlines() if line.strip()]


def test_every_line_of_the_tour_is_a_fieldnotes_command_that_does_not_open_the_app() -> None:
    lines = tour_block()
    assert len(lines) >= 10
    for line in lines:
        words = shlex.split(line, comments=True)
        # nothing skipped: every line is a command of the installed entry point, and none is bare
        # `fieldnotes` (that opens the app, which a script cannot drive; the README names it after the block)
        assert words[0] == "fieldnotes" and len(words) > 1, line


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A fresh folder with a copy of the repository's examples/ in it, as the tour's folder has."""
    work = tmp_path / "rundtur"
    work.mkdir()
    shutil.copytree(ROOT / "examples", work / "examples")
    return work


def test_the_readme_tour_runs_as_written(folder: Path) -> None:
    entry = Path(sys.executable).with_name("fieldnotes")  # the venv's installed entry point
    assert entry.exists(), entry
    env = {**os.environ, "PATH": f"{entry.parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "FIELDNOTES_LANG": "en"}
    env.pop("FIELDNOTES_DB", None)
    out: dict[str, str] = {}
    for line in tour_block():
        words = shlex.split(line, comments=True)
        done = subprocess.run([str(entry), *words[1:]], cwd=folder, env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=600)
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, line
        out[" ".join(words[1:3])] = done.stdout
    # what the tour says each step does
    assert (folder / "fieldnotes.db").exists()
    assert "25 imported" in out["import examples/demo/material/"]
    assert "Interview med teamleder, Jobcenter Fjordby" in out["docs --municipality"]
    assert "Min opgave er at holde rammen, ikke at tro på borgerne for medarbejderne." in \
        out["excerpts --code"] and "lederen holder rammen" in out["excerpts --code"]
    assert "«praktik»" in out["search praktik*"]
    assert "Virksomhedskontakt" in out["search virksomhedskonsulent"] and "undo" in \
        out["search virksomhedskonsulent"]
    report = WordDocument(str(folder / "møde.docx"))
    assert any("Min opgave er at holde rammen" in p.text for p in report.paragraphs)
    assert (folder / "uddrag.csv").read_text(encoding="utf-8-sig").count("langt de fleste af vores borgere") == 1
    assert "virksomhedskonsulent" in out["undo"]
    assert "Anna Krogh" in out["log"] and "undo" in out["log"]
    assert not (ROOT / "examples" / "fieldnotes.db").exists()
