"""Measure everything at a tier: `python -m benchmarks --tier tiny|typical|target|stress|long [--json]
[--backend sqlite|postgres]`.

With `--backend postgres` a local PostgreSQL server is started (default durability: fsync on), the tier's
project is moved onto it with `merge`, and every figure is measured there; ten coders and a lead then
work on it at once (benchmarks/bench_server.py).

The tier's project is generated once (deterministic seed) into benchmarks/out/ and reused. Each
figure is the median of at least five runs (single long runs are marked), with the spread and the
peak memory; where a side-by-side baseline exists (a naive python-docx loop for Word export, a plain
Python scan for search) it is run in the same process and the ratio is printed.

Library operations are measured with the garbage-collector settings the command line and the app
run with (fieldnotes.collector), set before anything is measured.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.generate import TIERS, build
from benchmarks.measure import Figure, table

#: where tier projects are generated and cached; FIELDNOTES_BENCH_OUT moves it (the smoke test uses a temporary one)
OUT = Path(os.environ.get("FIELDNOTES_BENCH_OUT") or Path(__file__).resolve().parent / "out")
#: modules with `figures(project, tier, scratch) -> list[Figure]` (`project` is a file path or a server URL,
#: see benchmarks/backends.py), measured after the core ones
AREAS = ["benchmarks.bench_search", "benchmarks.bench_analysis", "benchmarks.bench_export",
         "benchmarks.bench_team", "benchmarks.bench_exchange", "benchmarks.bench_meeting",
         "benchmarks.bench_browser", "benchmarks.bench_server"]


def project_for(tier: str, seed: int = 7) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{tier}-seed{seed}.db"
    if not path.exists():
        began = time.perf_counter()
        partial = path.with_suffix(".building")
        for leftover in OUT.glob(partial.name + "*"):
            leftover.unlink()
        build(partial, tier, seed=seed)
        partial.rename(path)
        print(f"generated the {tier} project in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    return path


def compile_sources() -> None:
    """Byte-compile fieldnotes as an installed copy is (pip writes .pyc files). From a source checkout
    under PYTHONDONTWRITEBYTECODE every app the benchmark starts would compile the sources again, and
    cold start and opening a document would measure Python's compiler."""
    import compileall

    package = Path(__file__).resolve().parent.parent / "fieldnotes"
    compileall.compile_dir(str(package), quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", choices=sorted(TIERS), default="tiny")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--only", action="append", default=[], help="only areas whose module name contains this")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite",
                        help="where the project lives: a SQLite file, or a local PostgreSQL server this run starts")
    parser.add_argument("--move", type=int, metavar="RUNS", default=None,
                        help="with --backend postgres: only move the tier's project onto an empty server project, "
                             "RUNS times by COPY and RUNS times by the normal merge (interleaved), and print both")
    parser.add_argument("--move-by", choices=["both", "copy", "merge"], default="both",
                        help="with --move: only by COPY, or only by the normal merge (a target-tier merge takes "
                             "a quarter of an hour)")
    parser.add_argument("--coders-seconds", type=float, default=None,
                        help="how long the ten coders work at once on the server (default: 60 s; tiny tier: 5 s)")
    args = parser.parse_args(argv)
    home = None
    if not os.environ.get("FIELDNOTES_HOME"):  # backups made while measuring go here, and are removed after
        home = os.environ["FIELDNOTES_HOME"] = tempfile.mkdtemp(prefix="fieldnotes-bench-home-")
    try:
        return _measure(args)
    finally:
        if home is not None:
            shutil.rmtree(home, ignore_errors=True)


def _done(area: str, began: float) -> None:
    """Progress on standard error (a target run takes about 25 minutes)."""
    print(f"measured {area} in {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)


def _measure(args: argparse.Namespace) -> int:
    compile_sources()
    from fieldnotes import collector

    collector.tune()
    from benchmarks import backends

    tier_file = project_for(args.tier)
    import signal

    # stopped with a signal, the run still stops the server it started and removes its scratch folder
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    backend = backends.start(args.backend)
    if args.move is not None:
        try:
            return _moves(args, backend, tier_file)
        finally:
            backend.close()
    try:
        project = backend.project(tier_file)
        if args.coders_seconds is not None:
            os.environ["FIELDNOTES_BENCH_CODERS_SECONDS"] = str(args.coders_seconds)
        figures = _areas(args, project)
    finally:
        backend.close()
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    if args.json:
        print(json.dumps({"tier": args.tier, "backend": args.backend, "load_average": load,
                          "figures": [f.as_dict() for f in figures]}, indent=2, ensure_ascii=False))
    else:
        print(f"tier {args.tier}: {TIERS[args.tier]}; {backends.describe(backend)}"
              + (f"; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}" if load else ""))
        print(table(figures))
    from benchmarks.bench_server import FAILURES

    for failure in FAILURES:
        print(failure, file=sys.stderr)
    return 1 if FAILURES else 0


def _moves(args: argparse.Namespace, backend: Any, tier_file: Path) -> int:
    """Moving the tier's project onto an empty server project, by COPY (fieldnotes.team.server_move) and
    by the normal merge (what every move did before), each `args.move` times, alternately."""
    import statistics

    from fieldnotes.team import server_move

    if backend.name != "postgres":
        raise SystemExit("--move measures moving a project onto a server: add --backend postgres")
    times: dict[str, list[float]] = {"copy": [], "normal merge": []}
    for _run in range(args.move):
        for way, enabled in (("copy", True), ("normal merge", False)):
            if args.move_by != "both" and (args.move_by == "copy") != enabled:
                continue
            server_move.ENABLED = enabled
            url = backend.project(tier_file)
            times[way].append(backend.move_ms)
            backend.remove(url)
    server_move.ENABLED = True
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    figures = [Figure(f"move the whole {args.tier} project onto an empty server project ({way})",
                      statistics.median(ms), max(ms) - min(ms), len(ms),
                      note="runs: " + ", ".join(f"{m / 1000:.1f} s" for m in ms))
               for way, ms in times.items() if ms]
    if args.json:
        print(json.dumps({"tier": args.tier, "backend": args.backend, "load_average": load,
                          "figures": [f.as_dict() for f in figures]}, indent=2, ensure_ascii=False))
    else:
        print(f"tier {args.tier}: {TIERS[args.tier]}" + (f"; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
                                                         if load else ""))
        print(table(figures))
    return 0


def _areas(args: argparse.Namespace, project: str) -> list[Figure]:
    gc.collect()
    from fieldnotes import collector

    collector.settle()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="fieldnotes-bench-") as scratch:
        from benchmarks import core

        if not args.only or any("core" in o for o in args.only):
            began = time.perf_counter()
            figures += core.run(project, args.tier, Path(scratch))
            _done("core", began)
        for name in AREAS:
            if args.only and not any(o in name for o in args.only):
                continue
            began = time.perf_counter()
            module = importlib.import_module(name)
            area_scratch = Path(scratch) / name.rsplit(".", 1)[-1]
            area_scratch.mkdir()
            figures += module.figures(project, args.tier, area_scratch)
            _done(name.rsplit("_", 1)[-1], began)
    return figures


if __name__ == "__main__":
    raise SystemExit(main())
