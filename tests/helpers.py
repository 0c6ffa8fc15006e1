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
