#!/usr/bin/env python3
"""Set up and run fieldnotes from a fresh clone, with nothing but Python 3.11+.

    python3 tasks.py demo [--no-tui]   set up, build the demo project and open the app on it
    python3 tasks.py test              set up and run the whole test suite (ruff, mypy, pytest)
    python3 tasks.py bench [--tier T]  set up and run the benchmarks (python -m benchmarks; tiny by default)

Set-up makes a virtual environment in .venv and installs fieldnotes and its test tools (the `test`
dependency group) into it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".fieldnotes-installed"

SYSTEM_PACKAGES = "postgresql libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils tmux chromium"


def say(message: str) -> None:
    print(f"[tasks] {message}", flush=True)


def setup() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py must explain itself on an old Python
        sys.exit(f"fieldnotes needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        say(f"creating a virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    pyproject = ROOT / "pyproject.toml"
    if not STAMP.exists() or STAMP.stat().st_mtime < pyproject.stat().st_mtime:
        say("installing fieldnotes and its test tools (first run only)")
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", str(ROOT),
                        "--group", f"{ROOT / 'pyproject.toml'}:test"], check=True)
        STAMP.write_text("ok\n")


def missing_system_tools() -> list[str]:
    missing = []
    sys.path.insert(0, str(ROOT))
    try:
        from tests.pgcluster import find_bindir
    finally:
        sys.path.pop(0)
    if find_bindir() is None:
        missing.append("the PostgreSQL server (Debian package postgresql)")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        missing.append("LibreOffice Writer (libreoffice-writer-nogui)")
    if not soffice or not (Path(soffice).resolve().parent / "libsclo.so").exists():
        missing.append("LibreOffice Calc (libreoffice-calc-nogui)")
    if not shutil.which("pdftotext"):
        missing.append("pdftotext (poppler-utils)")
    if not shutil.which("tmux"):
        missing.append("tmux")
    return missing


def test(extra: list[str]) -> int:
    setup()
    missing = missing_system_tools()
    if missing:
        say("missing system packages: " + "; ".join(missing))
        say(f"install them with: sudo apt-get install -y --no-install-recommends {SYSTEM_PACKAGES}")
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            say("CI=true: every test must run, so this is a failure")
            return 1
        say("the tests that need them will be skipped, each with its reason")
    env = dict(os.environ)
    env.setdefault("HYPOTHESIS_PROFILE", "ci")
    steps = [
        ("ruff", [str(PYTHON), "-m", "ruff", "check", "fieldnotes", "tests", "benchmarks", "tasks.py"]),
        ("mypy", [str(PYTHON), "-m", "mypy"]),
        ("pytest", [str(PYTHON), "-m", "pytest", "-n", os.environ.get("FIELDNOTES_TEST_WORKERS", "2"),
                    "--dist", "loadfile", *extra]),
    ]
    for name, command in steps:
        say(f"running {name}")
        result = subprocess.run(command, cwd=ROOT, env=env)
        if result.returncode != 0:
            say(f"{name} failed")
            return result.returncode
    say("all checks passed")
    return 0


def demo(extra: list[str]) -> int:
    setup()
    fieldnotes = BIN / ("fieldnotes.exe" if os.name == "nt" else "fieldnotes")
    return subprocess.run([str(fieldnotes), "demo", *extra]).returncode


def bench(extra: list[str]) -> int:
    setup()
    return subprocess.run([str(PYTHON), "-m", "benchmarks", *extra], cwd=ROOT).returncode


def main() -> int:
    commands = {"demo": demo, "test": test, "bench": bench}
    if len(sys.argv) < 2 or sys.argv[1] not in (*commands, "setup"):
        print(__doc__)
        return 2
    command, extra = sys.argv[1], sys.argv[2:]
    if command == "setup":
        setup()
        return 0
    return commands[command](extra)


if __name__ == "__main__":
    raise SystemExit(main())
