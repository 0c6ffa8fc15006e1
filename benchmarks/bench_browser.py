"""The theme browser (`export html`): export time, file size and Chromium's first paint.

    python -m benchmarks.bench_browser TIER      a table of the figures (the tier's project is generated once)

What is measured, wall clock:
- the export of one theme (the top-level code whose excerpts come nearest 10,000, the issue's target:
  at the target tier about 10,000; at smaller tiers the largest theme) from the SQLite project to an
  HTML file (`exporter.export`: query, pseudonymisation, the heat maps' cells, writing, the audit
  record), median of 5 runs;
- the file's size, against the 15 MB target;
- first paint: the file opened from disk in Debian's headless chromium (driven by Playwright, a fresh
  profile, every background service off), `performance.getEntriesByType('paint')`'s first-contentful-
  paint, median of 5 page loads in one browser, against the 1 s target.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import Figure, table

THEME_TARGET = 10_000
TARGET_SIZE_MB = 15
TARGET_PAINT_MS = 1_000
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def theme(project_path: str) -> tuple[str, int]:
    """The top-level code whose codings (with its sub-codes') come nearest THEME_TARGET."""
    from fieldnotes.analysis.matrix import matrix
    from fieldnotes.project.opening import open_project

    with open_project(project_path, readonly=True) as project, project.read() as session:
        table_ = matrix(session, None, "municipality")
    areas = [(path, int(table_.row_totals[path])) for path, depth in zip(table_.rows, table_.depths, strict=True)
             if depth == 0]
    return min(areas, key=lambda item: (abs(item[1] - THEME_TARGET), -item[1]))


def export_once(project_path: str, code: str, out: Path) -> int:
    from fieldnotes.export.exporter import ExportRequest, export
    from fieldnotes.project.opening import open_project
    from fieldnotes.queries.filters import Filters

    with open_project(project_path) as project:
        result = export(project, ExportRequest(format="html", out=out, filters=Filters(codes=[code]), lang="da",
                                               exported_by="Bench Koder 1", overwrite=True))
    return result.excerpts


#: the first-contentful-paint entry's start time, waiting for it if the page has not painted yet (null after 10 s)
FIRST_CONTENTFUL_PAINT = """() => new Promise(resolve => {
  const entry = () => performance.getEntriesByName('first-contentful-paint')[0];
  if (entry()) { resolve(entry().startTime); return; }
  new PerformanceObserver((list, observer) => {
    const found = list.getEntriesByName('first-contentful-paint')[0];
    if (found) { observer.disconnect(); resolve(found.startTime); }
  }).observe({type: 'paint', buffered: true});
  setTimeout(() => resolve(entry() ? entry().startTime : null), 10000);
})"""


def first_paints(file: Path, runs: int = 5) -> list[float] | str:
    """First-contentful-paint of each load in ms, or why it could not be measured."""
    chromium = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if chromium is None:
        return "chromium is not installed (apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "playwright is not installed (pip install -e . --group test)"
    paints: list[float] = []
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(profile, executable_path=chromium,
                                                                args=CHROMIUM_ARGS, headless=True)
        try:
            for load in range(2 * runs + 1):  # the first load warms the browser's own caches
                if len(paints) == runs:
                    break
                page = context.new_page()
                page.goto(file.resolve().as_uri())
                painted = page.evaluate(FIRST_CONTENTFUL_PAINT)
                page.close()
                if load and painted is not None:
                    paints.append(float(painted))
        finally:
            context.close()
    return paints or "Chromium reported no first-contentful-paint"


def figures(project_path: str, tier: str, scratch: Path) -> list[Figure]:
    """For `python -m benchmarks`: a theme's HTML export, its size and its first paint in Chromium."""
    os.environ.setdefault("FIELDNOTES_HOME", str(scratch / "home"))
    code, _count = theme(project_path)
    out = scratch / "temaoversigt.html"
    times = []
    excerpts = 0
    export_once(project_path, code, out)  # warm-up
    for _ in range(5):
        began = time.perf_counter()
        excerpts = export_once(project_path, code, out)
        times.append((time.perf_counter() - began) * 1000)
    size_mb = out.stat().st_size / 1_000_000
    verdict = "met" if size_mb < TARGET_SIZE_MB else "MISSED"
    size_note = f"file {size_mb:.2f} MB (target < {TARGET_SIZE_MB} MB: {verdict})"
    out_figures = [Figure(f"export html: a theme of {excerpts:,} excerpts", statistics.median(times),
                          max(times) - min(times), len(times), note=size_note)]
    paints = first_paints(out)
    if isinstance(paints, str):
        out_figures.append(Figure("first paint of the theme browser in chromium (not measured)", float("nan"), 0.0, 0,
                                  target_ms=TARGET_PAINT_MS, note=paints))
    else:
        out_figures.append(Figure(f"first paint of the theme browser in chromium ({excerpts:,} excerpts)",
                                  statistics.median(paints), max(paints) - min(paints), len(paints),
                                  target_ms=TARGET_PAINT_MS, note=size_note))
    return out_figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_browser", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tier", nargs="?", default="tiny")
    args = parser.parse_args(argv)
    from benchmarks.__main__ import project_for

    with tempfile.TemporaryDirectory() as scratch:
        print(table(figures(project_for(args.tier), args.tier, Path(scratch))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
