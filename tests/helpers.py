"""Running the command line in-process, the way a user would type it."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
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


def run(*args: str, stdin: str | None = None) -> Result:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exit_:  # argparse usage errors and --help
            code = int(exit_.code or 0)
    return Result(code, out.getvalue(), err.getvalue())


def ok(*args: str) -> Result:
    result = run(*args)
    assert result.code == 0, f"fieldnotes {' '.join(map(str, args))} failed: {result.err}"
    return result


async def settle(pilot: Any) -> None:
    """Let the app's workers finish and their results reach the screen, and the workers those start.

    On a loaded machine a worker can start after a plain wait (a reload asked for by a message still in
    the queue), so this waits until no worker has run for two checks in a row. Blinking cursors are
    stopped so that screenshots are stable.
    """
    for _ in range(4):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    quiet = 0
    for _ in range(200):
        busy = any(not worker.is_finished for worker in pilot.app.workers)
        quiet = 0 if busy else quiet + 1
        if quiet >= 2:
            break
        await pilot.app.workers.wait_for_complete()
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
