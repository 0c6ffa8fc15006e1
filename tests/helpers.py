"""Running the command line in-process, the way a user would type it."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldnotes.cli.main import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)


#: how the command line's line begins when it meets a bug (cli/main.py catches every exception, so in this
#: process a bug never shows as a traceback: this line is how a test sees one)
UNEXPECTED = "fieldnotes: unexpected error ("


def run(*args: object, unexpected: bool = False) -> Result:
    """`fieldnotes ARGS` in this process. Unless the test expects one (`unexpected`), a bug fails the test:
    the command line reports every exception it did not expect as an "unexpected error" with exit code 1."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exit_:  # argparse usage errors and --help
            code = int(exit_.code or 0)
    result = Result(code, out.getvalue(), err.getvalue())
    if not unexpected:
        assert UNEXPECTED not in result.err, f"fieldnotes {' '.join(map(str, args))} hit a bug: {result.err}"
    return result


def ok(*args: object) -> Result:
    result = run(*args)
    assert result.code == 0, f"fieldnotes {' '.join(map(str, args))} failed: {result.err}"
    return result


def schema_fixtures() -> list[Path]:
    """The saved databases of every released schema (tests/fixtures/schemas), oldest revision first: in the
    order of the migration chain, not of their names or sizes."""
    from fieldnotes.db import migrate

    chain = [script.revision for script in reversed(list(migrate.script().walk_revisions()))]
    fixtures = {path.stem: path for path in (Path(__file__).parent / "fixtures" / "schemas").glob("*.db")}
    assert fixtures and set(fixtures) <= set(chain), f"fixtures of unknown revisions: {set(fixtures) - set(chain)}"
    return [fixtures[revision] for revision in chain if revision in fixtures]


def _finite(app: Any) -> list[Any]:
    """The app's workers that end: a DirectoryTree's loader waits for folders to read as long as it lives."""
    from textual.widgets import DirectoryTree

    return [worker for worker in app.workers if not isinstance(worker.node, DirectoryTree)]


async def _wait_for_workers(app: Any) -> None:
    workers = _finite(app)
    if workers:  # an empty list would wait for every worker, the loader too
        await app.workers.wait_for_complete(workers)


async def settle(pilot: Any) -> None:
    """Let the app's workers finish and their results reach the screen, and the workers those start.

    On a loaded machine a worker can start after a plain wait (a reload asked for by a message still in
    the queue), so this waits until no worker has run for two checks in a row. Blinking cursors are
    stopped so that screenshots are stable.
    """
    for _ in range(4):
        await pilot.pause()
        await _wait_for_workers(pilot.app)
    quiet = 0
    for _ in range(200):
        busy = any(not worker.is_finished for worker in _finite(pilot.app))
        quiet = 0 if busy else quiet + 1
        if quiet >= 2:
            break
        await _wait_for_workers(pilot.app)
        await pilot.pause(0.02)
    for widget in pilot.app.screen.query("TextArea, Input"):
        widget.cursor_blink = False
    # a table filled by the last result sizes its columns when the app is next idle: wait for that (a
    # loaded machine photographed the home screen's table before its columns were sized)
    for _ in range(100):
        if not any(table._require_update_dimensions for table in pilot.app.screen.query("DataTable")):
            break
        await pilot.pause(0.02)
    await pilot.pause()


def import_screens_again(monkeypatch: Any) -> None:
    """Make the app import its screens afresh (they translate their key labels when first imported),
    and put everything back after the test: the modules in sys.modules and the screens package's
    attributes alike. Restoring only sys.modules left the package pointing at the fresh modules, so a
    later test that patched `fieldnotes.tui.screens.excerpts` patched a module the app no longer used."""
    import sys

    import fieldnotes.tui.screens as package

    prefix = package.__name__ + "."
    for name in [m for m in sys.modules if m.startswith(prefix)]:
        monkeypatch.delitem(sys.modules, name)
        leaf = name[len(prefix):]
        if "." not in leaf and hasattr(package, leaf):
            monkeypatch.setattr(package, leaf, getattr(package, leaf))
