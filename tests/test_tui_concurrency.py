"""The app and the command line on one project at the same moment: no acknowledged coding is lost on
either side, and the app never shows "database is locked"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from fieldnotes.db.models import Coder, Coding
from fieldnotes.project.opening import open_project
from fieldnotes.tui.app import FieldnotesApp
from tests.helpers import ok
from tests.projectdata import make_project
from tests.test_tui import DOC, open_reader, settle

ROOT = Path(__file__).resolve().parent.parent
#: what the app codes, by keyboard, while the other processes write
SPANS = ("Hvordan oplever du borgernes jobchancer?", "Det gør jeg virkelig.", "Hvad gør I i teamet?",
         "Lederen er med", "Og virksomhederne?", "Det giver praktikpladser.")
#: what the command line codes meanwhile, one `fieldnotes code` process each
CLI_MATCHES = ("Søren får et job", "sparring på de svære sager", "ringer til bageriet")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


async def test_app_and_command_line_coding_at_once_lose_nothing(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    loop = subprocess.Popen([sys.executable, "-m", "tests.workers.code_loop", str(project), "Carla Holm", "6", "3"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), cwd=ROOT)
    commands = [subprocess.Popen([sys.executable, "-m", "fieldnotes", "--db", str(project), "--coder", "Jonas Bech",
                                  "code", DOC, "--code", "Virksomhedskontakt", "--match", words],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), cwd=ROOT)
                for words in CLI_MATCHES]
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 36)) as pilot:
        text = await open_reader(pilot)
        for words in SPANS:
            start = text.document.text.index(words)
            text.select_span(start, start + len(words))
            await pilot.press("c")
            await pilot.pause()
            await pilot.press(*"Ledelse", "enter")
            await settle(pilot)
        notices: list[Any] = list(app._notifications)
        assert app.errors == []
    assert not [n for n in notices if "locked" in str(n.message).lower()]
    out, err = loop.communicate(timeout=120)
    assert loop.returncode == 0, err[-2000:]
    acknowledged = {line[3:] for line in out.splitlines() if line.startswith("OK ")}
    assert acknowledged
    for command in commands:
        _out, command_err = command.communicate(timeout=120)
        assert command.returncode == 0, command_err
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        stored = {str(i) for i in session.scalars(select(Coding.id))}
        by_coder = {name: sorted(text for (text,) in session.execute(
            select(Coding.text).join(Coder, Coder.id == Coding.coder_id).where(Coder.name == name)))
            for name in ("Anna Krogh", "Jonas Bech")}
    assert acknowledged <= stored
    assert by_coder["Anna Krogh"] == sorted(SPANS)
    assert by_coder["Jonas Bech"] == sorted(CLI_MATCHES)
    # and the command line sees the app's work
    seen = ok("--db", project, "excerpts", "--code", "Ledelse", "--coder", "Anna Krogh", "--json").json
    assert sorted(c["text"] for c in seen) == sorted(SPANS)
