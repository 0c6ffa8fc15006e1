"""A process killed at any moment leaves the project as it was before the command or as it is after it,
never in between: bulk coding from a search, a merge, a Word export and a schema upgrade.

Each command is first run to the end on a copy, to learn how long it takes and what it leaves. Then
fresh copies run it again and are killed with SIGKILL: at points spread over that time, and, for the
big writes, in the middle of the transaction itself, spotted by SQLite's write-ahead log growing (the
transaction's pages spill into it before the commit) or by the export's temporary file filling.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from tests.helpers import ok, schema_fixtures
from tests.projectdata import INTERVIEW, make_project

ROOT = Path(__file__).resolve().parent.parent
#: where in the uninterrupted run's duration the kills land
KILL_AT = (0.35, 0.55, 0.7, 0.8, 0.9)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _fieldnotes(*args: object) -> list[str]:
    return [sys.executable, "-m", "fieldnotes", *map(str, args)]


def _integrity(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _counts(path: Path) -> dict[str, int]:
    """Rows per table: enough to tell "before" from "after" and from anything in between."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        names = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'search_index%'")]
        return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _copy(source: Path, target: Path) -> Path:
    with closing(sqlite3.connect(source)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(source, target)
    return target


def _timed(command: list[str]) -> float:
    started = time.monotonic()
    done = subprocess.run(command, env=_env(), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return time.monotonic() - started


def _killed(command: list[str], after: float) -> bool:
    """Run `command` and SIGKILL it `after` seconds in; True if it was still running then."""
    runner = subprocess.Popen(command, env=_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        runner.wait(timeout=after)
        return False
    except subprocess.TimeoutExpired:
        runner.kill()
        runner.wait()
        return True


def _size(pattern: Path) -> int:
    return sum(path.stat().st_size for path in pattern.parent.glob(pattern.name) if path.exists())


def _killed_mid_write(command: list[str], watch: Path, grow: int) -> bool:
    """Run `command` and SIGKILL it as soon as the files matching `watch` hold more than `grow` bytes;
    True if it did."""
    runner = subprocess.Popen(command, env=_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while runner.poll() is None and time.monotonic() < deadline:
        if _size(watch) > grow:
            runner.kill()
            runner.wait()
            return True
        time.sleep(0.003)
    runner.wait()
    return False


def _before_and_after(tmp_path: Path, base: Path, make_command: Callable[[Path], list[str]]) -> tuple[
        dict[str, int], dict[str, int]]:
    """Row counts of `base`, and of a copy after the command ran to the end."""
    probe = _copy(base, tmp_path / "whole.db")
    _timed(make_command(probe))
    return _counts(base), _counts(probe)


def _kill_repeatedly(tmp_path: Path, base: Path, make_command: Callable[[Path], list[str]],
                     check: Callable[[Path], None]) -> int:
    """Kill the command at each point of KILL_AT on a fresh copy of `base`; `check` each result."""
    # twice: the first open of a project each day also makes its daily backup, the copies don't
    duration = min(_timed(make_command(_copy(base, tmp_path / f"probe-{n}.db"))) for n in range(2))
    killed = 0
    for index, share in enumerate(KILL_AT):
        target = _copy(base, tmp_path / f"kill-{index}.db")
        killed += _killed(make_command(target), duration * share)
        assert _integrity(target) == "ok"
        check(target)
    return killed


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with enough text that bulk coding and merging take a while."""
    folder = tmp_path_factory.mktemp("big")
    project = make_project(folder)
    material = folder / "mere"
    material.mkdir()
    for index in range(40):
        (material / f"samtale-{index:02d}-æøå.txt").write_text(
            INTERVIEW.replace("Søren", f"Søren {index}") * 40, encoding="utf-8")
    ok("--db", project, "import", material, "--kind", "interview", "--municipality", "Lyngå")
    return project


def test_killed_bulk_coding_from_a_search_codes_all_hits_or_none(tmp_path: Path, big: Path) -> None:
    def command(target: Path) -> list[str]:
        return _fieldnotes("--db", target, "--coder", "Jonas Bech", "search", "sparring OR praktikpladser OR job*",
                           "--code", "Ledelse")

    before, after = _before_and_after(tmp_path, big, command)
    assert after["codings"] - before["codings"] > 1000

    def check(target: Path) -> None:
        assert _counts(target) in (before, after)

    assert _kill_repeatedly(tmp_path, big, command, check) >= 1
    for grow in (64 * 1024, 512 * 1024):
        target = _copy(big, tmp_path / f"mid-{grow}.db")
        assert _killed_mid_write(command(target), Path(f"{target}-wal"), grow)
        assert _integrity(target) == "ok"
        assert _counts(target) == before


def test_killed_merge_merges_everything_or_nothing(tmp_path: Path, big: Path) -> None:
    theirs = _copy(big, tmp_path / "theirs.db")
    ok("--db", theirs, "--coder", "Jonas Bech", "search", "sparring OR job*", "--code", "Ledelse")
    bundle = tmp_path / "jonas.fnbundle"
    ok("--db", theirs, "--coder", "Jonas Bech", "bundle", bundle)

    def command(target: Path) -> list[str]:
        return _fieldnotes("--db", target, "--coder", "Anna Krogh", "merge", bundle)

    before, after = _before_and_after(tmp_path, big, command)
    assert after["codings"] - before["codings"] > 500

    def check(target: Path) -> None:
        assert _counts(target) in (before, after)
        # a merge killed before it landed is simply done again
        ok("--db", target, "--coder", "Anna Krogh", "merge", bundle)
        assert _counts(target) == after

    assert _kill_repeatedly(tmp_path, big, command, check) >= 1
    target = _copy(big, tmp_path / "mid.db")
    assert _killed_mid_write(command(target), Path(f"{target}-wal"), 256 * 1024)
    assert _integrity(target) == "ok"
    check(target)


def test_killed_export_leaves_no_half_written_file(tmp_path: Path, big: Path) -> None:
    from docx import Document as WordDocument

    ok("--db", big, "--coder", "Jonas Bech", "search", "sparring OR praktikpladser", "--code", "Ledelse")
    whole = tmp_path / "hele.docx"
    ok("--db", big, "export", "docx", whole, "--code", "Ledelse", "--context", "sentence")
    paragraphs = len(WordDocument(str(whole)).paragraphs)
    outputs: list[Path] = []

    def command(target: Path) -> list[str]:
        out = tmp_path / f"uddrag-{target.stem}-ø.docx"
        outputs.append(out)
        return _fieldnotes("--db", target, "export", "docx", out, "--code", "Ledelse", "--context", "sentence")

    def check(_target: Path) -> None:
        out = outputs[-1]
        if out.exists():
            assert len(WordDocument(str(out)).paragraphs) == paragraphs

    assert _kill_repeatedly(tmp_path, big, command, check) >= 1
    # killed while the Word file is being written: the file itself never appears
    target = _copy(big, tmp_path / "mid.db")
    mid = command(target)
    assert _killed_mid_write(mid, tmp_path / f".{outputs[-1].name}.*.partial", 1024)
    assert not outputs[-1].exists()
    # only whole files under their own names: an interrupted export leaves at most a hidden .partial file
    assert {path.name for path in tmp_path.glob("*.docx")} <= {"hele.docx", *(out.name for out in outputs)}


def test_killed_schema_upgrade_leaves_the_old_or_the_new_schema(tmp_path: Path) -> None:
    oldest = schema_fixtures()[0]  # the oldest revision, so the upgrade runs every step
    (tmp_path / "ny").mkdir()
    head = ok("--db", make_project(tmp_path / "ny"), "db", "current", "--json").json
    with closing(sqlite3.connect(oldest)) as conn:
        old_revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]

    def command(target: Path) -> list[str]:
        return _fieldnotes("--db", target, "db", "upgrade")

    def revision(target: Path) -> str:
        with closing(sqlite3.connect(f"file:{target}?mode=ro", uri=True)) as conn:
            return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])

    def check(target: Path) -> None:
        assert revision(target) in (old_revision, head["head"])
        ok("--db", target, "db", "upgrade")
        assert revision(target) == head["head"]
        assert ok("--db", target, "docs", "--json").json

    assert _kill_repeatedly(tmp_path, oldest, command, check) >= 1  # at least one kill landed while it ran
