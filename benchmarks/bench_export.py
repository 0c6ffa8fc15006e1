"""Word export at scale: 1k, 10k and 50k excerpts with citations, against a naive python-docx loop.

    python -m benchmarks.bench_export            a table of the figures
    python -m benchmarks.bench_export --json     the same as JSON (what `measure()` returns)

What is measured, in one process, wall clock:
- the report writer (`write_excerpts_docx`, to memory) on in-process data of 1k, 10k and 50k excerpts:
  medians of 5 runs for 1k and 10k, of 3 runs for 50k (a run takes several seconds);
- linearity: the cost of each further excerpt between 1k and 10k and between 10k and 50k (equal
  figures mean the time grows linearly), beside the plain time per excerpt at each size;
- the baseline, a naive python-docx loop (a heading per code, `add_paragraph` per excerpt and per
  citation) on the same 1k and 10k data in the same run: 5 runs at 1k, 3 at 10k (each takes tens of
  seconds), and the ratio baseline / ours;
- the whole export of 10k excerpts from a SQLite project (query, pseudonymisation hook, writing the
  file atomically, the audit record): `exporter.export`, median of 5 runs, against the 2 s target.
The data is Danish-like text of a sentence to a few paragraphs, with context, speakers, ratings, memos
and overlapping codes; the same seed gives the same data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.backends import current
from benchmarks.generate import sentence, transcript
from benchmarks.measure import Figure, table
from fieldnotes.coding.excerpts import Excerpt
from fieldnotes.export.docx_excerpts import citation, heading_level, write_excerpts_docx
from fieldnotes.export.gather import CodeEntry, ExportSet
from fieldnotes.export.labels import Labels

SIZES = (1_000, 10_000, 50_000)
MUNICIPALITIES = ("Fjordby", "Lyngå", "Søholm", "Bakkedal")
TARGET_10K_MS = 2_000


def synthetic_set(count: int, *, seed: int = 7, codes: int = 40) -> ExportSet:
    """`count` excerpts over a two-level code tree, as `gather` would return them (in tree order)."""
    rng = random.Random(seed)
    entries: list[CodeEntry] = []
    for top in range(codes // 8):
        entries.append(CodeEntry(id=f"t{top}", name=f"Område {top + 1}", path=f"Område {top + 1}", depth=0,
                                 codable=False, short=sentence(rng)))
        for child in range(7):
            name = f"Kode {top + 1}.{child + 1}"
            entries.append(CodeEntry(id=f"c{top}.{child}", name=name, path=f"Område {top + 1}/{name}", depth=1,
                                     color=f"#{rng.randrange(0x1000000):06x}", short=sentence(rng),
                                     scale=(1, 5) if child == 0 else None,
                                     scale_labels={"1": "Tror slet ikke", "5": "Tror i høj grad"} if not child else {}))
    codable = [c for c in entries if c.codable]
    excerpts: list[Excerpt] = []
    for index in range(count):
        code = codable[index * len(codable) // count]
        body = " ".join(sentence(rng) for _ in range(rng.choice((1, 1, 2, 3, 6))))
        if rng.random() < 0.1:
            body += "\n" + sentence(rng)
        excerpts.append(Excerpt(
            id=f"x{index}", code=code.id, code_path=code.path, document=f"d{index % 300}",
            document_title=f"Interview {index % 300 + 1:03d} med sagsbehandler",
            municipality=MUNICIPALITIES[index % 4], kind="interview", date=f"2025-{index % 12 + 1:02d}-15",
            phase=index % 4 + 1, coder=("Anna Krogh", "Jonas Bech", "Ida Holm")[index % 3], start=index,
            end=index + len(body), text=body, memo="Tydelig tro på borgeren." if index % 9 == 0 else None,
            rating=rng.randint(1, 5) if code.scale else None, needs_review=False, speaker="Mette Vinther",
            speaker_role="sagsbehandler", paragraph=index % 80 + 1, timestamp=f"00:{index % 60:02d}:{index % 59:02d}",
            overlapping=[codable[(index + 3) % len(codable)].path] if index % 4 == 0 else [],
            context_before=sentence(rng) + " ", context_after=" " + sentence(rng)))
    return ExportSet(project_name="Troen på borgernes jobchance", excerpts=excerpts, codes=entries,
                     exported_by="Anna Krogh", context="sentence")


def ours(data: ExportSet) -> Callable[[], None]:
    return lambda: write_excerpts_docx(data, io.BytesIO(), lang="da")


def naive(data: ExportSet) -> Callable[[], None]:
    """What most code does: python-docx's object layer, a paragraph per excerpt and per citation."""

    def run() -> None:
        import docx

        labels = Labels("da")
        document = docx.Document()
        by_code: dict[str, list[Excerpt]] = {}
        for excerpt in data.excerpts:
            by_code.setdefault(excerpt.code, []).append(excerpt)
        for code in data.codes:
            document.add_heading(code.name, level=heading_level(code.depth))
            for excerpt in by_code.get(code.id, []):
                document.add_paragraph(excerpt.text, style="Quote")
                document.add_paragraph(citation(excerpt, labels))
        document.save(io.BytesIO())

    return run


def _median(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), max(times) - min(times)


def timed_with_cpu(function: Callable[[], Any], *, runs: int, warmup: int = 1) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each run. On a shared, busy machine the CPU time shows what the
    work costs; the wall clock adds the time spent waiting for a core (and for the disk)."""
    import gc

    for _ in range(warmup):
        function()
    wall, cpu = [], []
    for _ in range(runs):
        gc.collect()
        began, began_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    return wall, cpu


def _export_project(folder: Path, count: int, seed: int = 3) -> str:
    """A project with the study's codebook, 40 transcripts in four municipalities and `count` codings."""
    from sqlalchemy import select

    from fieldnotes.coding.applying import NewCoding, apply_bulk
    from fieldnotes.db.coders import coder_id, ensure_coder
    from fieldnotes.db.models import Code
    from fieldnotes.documents.store import NewDocument, add_document
    from fieldnotes.project.actions import acting
    from fieldnotes.project.creation import create_project

    rng = random.Random(seed)
    path = current().new(folder / f"export-{count}.db")
    project = create_project(path, coder="Anna Krogh", start=dt.date(2025, 2, 1))
    with project.read() as session:
        codes = list(session.execute(select(Code.id, Code.scale_min).where(Code.codable.is_(True))).all())
    documents: list[tuple[Any, str]] = []
    with acting(project, "Anna Krogh", "import", "benchmark documents") as (session, cid):
        ensure_coder(session, "Jonas Bech")
        for index in range(40):
            text = transcript(rng, 40_000)
            added = add_document(session, NewDocument(
                text=text, title=f"Interview {index + 1:02d}", kind="interview",
                date=dt.date(2025, 2, 1) + dt.timedelta(days=17 * index), municipalities=[MUNICIPALITIES[index % 4]],
                speakers={"I": {"name": "Forsker", "role": "forsker"},
                          "R": {"name": "Medarbejder", "role": "sagsbehandler"}}), coder_id=cid)
            documents.append((added.document.id, text))
    coders = [coder_id("Anna Krogh"), coder_id("Jonas Bech")]
    items: list[NewCoding] = []
    seen: set[tuple[Any, Any, int, int]] = set()
    while len(items) < count:
        doc_id, text = documents[rng.randrange(len(documents))]
        start = rng.randrange(0, len(text) - 400)
        end = start + rng.randint(40, 390)
        code_id, scale = codes[rng.randrange(len(codes))]
        key = (doc_id, code_id, start, end)
        if key in seen:
            continue
        seen.add(key)
        items.append(NewCoding(doc_id, code_id, coders[len(items) % 2], start, end,
                               memo="Memo om uddraget" if len(items) % 11 == 0 else None,
                               rating=rng.randint(1, 5) if scale is not None else None))
    with acting(project, "Anna Krogh", "code", "benchmark codings") as (session, _cid):
        apply_bulk(session, items, texts={d: t for d, t in documents})
    project.close()
    return path


def whole_export(folder: Path, count: int = 10_000, runs: int = 5) -> Figure:
    from fieldnotes.export.exporter import ExportRequest, export
    from fieldnotes.project.opening import open_project

    path = _export_project(folder, count)
    project = open_project(path)
    state = {"n": 0}

    def once() -> None:
        state["n"] += 1
        result = export(project, ExportRequest("docx", folder / f"export-{state['n']}.docx", exported_by="Anna Krogh",
                                               lang="da", context="sentence"))
        assert result.excerpts == count

    try:
        times, cpu = timed_with_cpu(once, runs=runs)
    finally:
        project.close()
        current().remove(path)
    median, spread = _median(times)
    return Figure(f"export docx: {count:,} excerpts from a project, end to end", median, spread, len(times),
                  target_ms=TARGET_10K_MS if count == 10_000 else None,
                  note=f"query with sentence context + write + fsync + audit record; "
                       f"CPU time median {statistics.median(cpu):.0f} ms")


def measure(sizes: tuple[int, ...] = SIZES, *, runs: int = 5, large_runs: int = 3, naive_sizes: tuple[int, ...] = (
            1_000, 10_000), naive_runs: dict[int, int] | None = None, end_to_end: bool = True,
            whole_count: int = 10_000) -> dict[str, Any]:
    """Every figure, as plain data: {"ours": {size: {...}}, "naive": {...}, "linearity": {...}, "whole": {...}}."""
    naive_runs = naive_runs or {1_000: 5, 10_000: 3}
    out: dict[str, Any] = {"ours": {}, "naive": {}, "linearity": {}, "machine": {"cpus": os.cpu_count(),
                                                                                  "python": sys.version.split()[0]}}
    data_by_size = {size: synthetic_set(size) for size in sizes}
    for size, data in data_by_size.items():
        count = runs if size <= 10_000 else large_runs
        wall, cpu = timed_with_cpu(ours(data), runs=count)
        median, spread = _median(wall)
        out["ours"][size] = {"median_ms": median, "spread_ms": spread, "runs": count,
                             "cpu_median_ms": statistics.median(cpu), "us_per_excerpt": median * 1000 / size}
    first = out["ours"][sizes[0]]["us_per_excerpt"]
    out["linearity"] = {size: out["ours"][size]["us_per_excerpt"] / first for size in sizes}
    # the cost of each further excerpt between sizes: equal steps mean time grows linearly (a fixed
    # start-up cost, the frame and styles, makes the plain per-excerpt rate fall with size instead)
    out["marginal_us"] = {
        f"{a:,}–{b:,}": (out["ours"][b]["median_ms"] - out["ours"][a]["median_ms"]) * 1000 / (b - a)
        for a, b in itertools.pairwise(sizes)}
    for size in naive_sizes:
        if size not in data_by_size:
            continue
        count = naive_runs.get(size, 3)
        wall, cpu = timed_with_cpu(naive(data_by_size[size]), runs=count, warmup=0)
        median, spread = _median(wall)
        out["naive"][size] = {"median_ms": median, "spread_ms": spread, "runs": count,
                              "cpu_median_ms": statistics.median(cpu),
                              "ratio": median / out["ours"][size]["median_ms"],
                              "cpu_ratio": statistics.median(cpu) / out["ours"][size]["cpu_median_ms"]}
    if end_to_end:
        with tempfile.TemporaryDirectory(prefix="fieldnotes-bench-export-") as scratch:
            os.environ.setdefault("FIELDNOTES_HOME", str(Path(scratch) / "home"))
            whole = whole_export(Path(scratch), whole_count)
        out["whole"] = whole.as_dict()
    return out


def as_figures(result: dict[str, Any]) -> list[Figure]:
    figures = []
    for size, item in result["ours"].items():
        naive_item = result["naive"].get(size)
        figures.append(Figure(
            f"write docx report: {size:,} excerpts with citations", item["median_ms"], item["spread_ms"],
            item["runs"], target_ms=TARGET_10K_MS if size == 10_000 else None,
            baseline="naive python-docx" if naive_item else None,
            baseline_median_ms=naive_item["median_ms"] if naive_item else None,
            note=f"{item['us_per_excerpt']:.0f} µs per excerpt ({result['linearity'][size]:.2f}× the 1k rate), "
                 f"CPU time median {item['cpu_median_ms']:.0f} ms"
                 + (f"; baseline median of {naive_item['runs']} runs" if naive_item else "; no baseline run")))
    if "whole" in result:
        whole = result["whole"]
        figures.append(Figure(whole["operation"], whole["median_ms"], whole["spread_ms"], whole["runs"],
                              target_ms=whole["target_ms"], note=whole["note"]))
    return figures


def figures(project_path: str, tier: str, scratch: Path) -> list[Figure]:
    """For `python -m benchmarks`: the writer at 1k, 10k (and 50k, beyond the tiny tier) with the
    baseline, and the whole 10k export."""
    del project_path
    os.environ.setdefault("FIELDNOTES_HOME", str(scratch / "home"))
    if tier == "tiny":  # the smoke test, kept under a minute: 1,000 excerpts, with the baseline
        return as_figures(measure((1_000,), naive_sizes=(1_000,), naive_runs={1_000: 5}, whole_count=1_000))
    # at full tiers also 50k (is the cost linear?), and the 10k baseline as often as ours
    return as_figures(measure(SIZES, naive_runs={1_000: 5, 10_000: 5}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--quick", action="store_true", help="1k and 10k only, fewer baseline runs (a smoke run)")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    result = measure((1_000, 10_000), naive_runs={1_000: 3, 10_000: 1}) if args.quick else measure()
    if args.json:
        print(json.dumps(result, indent=2, default=str))
        return 0
    print(table(as_figures(result)))
    ratios = ", ".join(f"{size:,}: {item['ratio']:.1f}× (CPU time {item['cpu_ratio']:.1f}×)"
                       for size, item in result["naive"].items())
    linear = ", ".join(f"{size:,}: {value:.2f}" for size, value in result["linearity"].items())
    print(f"\nfaster than the naive python-docx loop: {ratios}")
    marginal = ", ".join(f"{span}: {value:.0f} µs" for span, value in result["marginal_us"].items())
    print(f"time per excerpt relative to 1k: {linear}")
    print(f"cost of each further excerpt (equal = linear growth): {marginal}")
    print(f"({result['machine']['cpus']} CPUs, Python {result['machine']['python']}; "
          f"{time.perf_counter() - began:.0f} s in all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
