"""Ten coders and a lead at once on a shared PostgreSQL project (only with `--backend postgres`).

    python -m benchmarks --backend postgres --tier target --only server

Ten coders, each a process of its own (benchmarks/parallel_coder.py), code the tier's project on the
server as the app does, one transaction per coding, each at a person's pace: a coding every 2 to 5
seconds (random, seeded). Meanwhile a lead, a process of its own, opens the matrix of codings by
municipality and the excerpt list again and again. After 60 s (5 s at the tiny tier, the smoke test;
`--coders-seconds` changes it) every coding a coder was told was committed is looked up on the server:
the run fails unless each one is there and no one met an error.

The figures: keystroke-to-commit time of the codings (p50, p95, max over every coding of every coder),
the lead's matrix and excerpt-list times while they code, and the counts. On a machine shared with
other work they are pessimistic: eleven processes and the server share its cores.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.backends import current
from benchmarks.measure import Figure

ROOT = Path(__file__).resolve().parent.parent
CODERS = 10
#: what made a run fail; `python -m benchmarks` prints its figures, then these, and exits with 1
FAILURES: list[str] = []


def _percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p95 of 200 values is the 190th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def team_run(target: str, seconds: float, *, coders: int = CODERS, seed: int = 7) -> dict[str, Any]:
    """Run the coders and the lead for `seconds`; what they reported, and the acknowledged codings found."""
    from sqlalchemy import func, select

    from fieldnotes.db.models import Coding
    from fieldnotes.project.opening import open_project

    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def start(*args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "benchmarks.parallel_coder", *args], cwd=ROOT, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    members = [start("--paced", target, f"Bench Koder {index + 1:02d}", str(seed * 100 + index), str(seconds))
               for index in range(coders)]
    members.append(start("--lead", target, str(seconds)))
    try:
        for member in members:  # each has opened the project (Python's start-up is not part of the run)
            assert member.stdout is not None
            line = member.stdout.readline().strip()
            if line != "ready":
                _out, err = member.communicate(timeout=60)
                raise RuntimeError(f"a team member did not start: {err[-2000:]}")
        began = time.time() + 0.5
        for member in members:
            assert member.stdin is not None
            member.stdin.write(f"{began}\n")
            member.stdin.flush()
        results = []
        for member in members:
            out, err = member.communicate(timeout=seconds + 600)
            if member.returncode != 0:
                raise RuntimeError(f"a team member failed: {err[-2000:]}")
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for member in members:
            if member.poll() is None:
                member.kill()
    coding, lead = results[:-1], results[-1]
    acknowledged = [uuid.UUID(made) for result in coding for made in result["acknowledged"]]
    with open_project(target, readonly=True) as project, project.read() as session:
        found = 0
        for index in range(0, len(acknowledged), 500):
            chunk = acknowledged[index:index + 500]
            found += int(session.scalar(select(func.count()).select_from(Coding).where(Coding.id.in_(chunk))) or 0)
    return {"latencies_ms": [ms for result in coding for ms in result["latencies_ms"]],
            "matrix_ms": lead["matrix_ms"], "excerpts_ms": lead["excerpts_ms"],
            "acknowledged": len(set(acknowledged)), "found": found,
            "errors": [e for result in results for e in result["errors"]], "seconds": seconds, "coders": coders}


def figures(project_path: str, tier: str, scratch: Path) -> list[Figure]:
    if current().name != "postgres":
        return []  # a SQLite file is one person's; the team shares a server
    seconds = float(os.environ.get("FIELDNOTES_BENCH_CODERS_SECONDS") or (5 if tier == "tiny" else 60))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    run = team_run(project_path, seconds)
    counts = {"acknowledged": run["acknowledged"], "found": run["found"], "errors": len(run["errors"]),
              "coders": run["coders"], "seconds": seconds, "load_average": load}
    latencies, matrices, lists = run["latencies_ms"], run["matrix_ms"], run["excerpts_ms"]
    if run["errors"] or run["found"] != run["acknowledged"] or not latencies or not matrices:
        # the run fails, after every figure measured so far is printed (python -m benchmarks exits with 1)
        FAILURES.append(f"the ten coders' run lost work, showed errors or measured nothing: {counts}; "
                        f"{run['errors'][:5]}")
        if not latencies or not matrices:
            return []
    who = f"{run['coders']} coders (a coding every 2-5 s each) and a lead for {seconds:.0f} s"
    spread = max(latencies) - min(latencies)
    said = (f"{run['acknowledged']} codings acknowledged, {run['found']} found afterwards, "
            f"{len(run['errors'])} errors; load average {load:.2f} at the start" if load is not None else "")
    return [
        Figure("ten coders: a coding, keystroke to commit (p50)", _percentile(latencies, 0.5), spread,
               len(latencies), target_ms=50, note=f"{who}; {said}", details=counts),
        Figure("ten coders: a coding, keystroke to commit (p95)", _percentile(latencies, 0.95), spread,
               len(latencies), target_ms=150),
        Figure("ten coders: a coding, keystroke to commit (max)", max(latencies), spread, len(latencies)),
        Figure("ten coders: the lead's matrix meanwhile (median)", statistics.median(matrices),
               max(matrices) - min(matrices), len(matrices), target_ms=300,
               note=f"codings by municipality, rolled up; max {max(matrices):.0f} ms"),
        Figure("ten coders: the lead's excerpt list meanwhile (median)", statistics.median(lists),
               max(lists) - min(lists), len(lists),
               note=f"the first 2,000 excerpts with sentence context, as the app's list; max {max(lists):.0f} ms"),
    ]
