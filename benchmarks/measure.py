"""Timing helpers: medians of repeated runs, spread, peak memory, and ratios against a baseline.

Figures are wall-clock medians of at least five runs; the machines are noisy, so the spread is
shown beside each median. Peak memory is measured in a separate run with tracemalloc, so that its
overhead never lands in a timing.
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Figure:
    operation: str
    median_ms: float
    spread_ms: float  # max - min
    runs: int
    peak_mb: float | None = None
    target_ms: float | None = None
    baseline: str | None = None
    baseline_median_ms: float | None = None
    note: str = ""
    #: counts beside the timing (the ten-coder run: codings acknowledged and found afterwards, errors)
    details: dict[str, Any] | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline_median_ms is None or self.median_ms == 0:
            return None
        return self.baseline_median_ms / self.median_ms

    @property
    def meets_target(self) -> bool | None:
        return None if self.target_ms is None else self.median_ms <= self.target_ms

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["ratio"] = self.ratio
        out["meets_target"] = self.meets_target
        return out


def timed(function: Callable[[], Any], *, runs: int = 5, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        function()
    times = []
    for _ in range(runs):
        gc.collect()
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    return times


def peak_mb(function: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        function()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1_048_576


def figure(operation: str, function: Callable[[], Any], *, runs: int = 5, target_ms: float | None = None,
           baseline: tuple[str, Callable[[], Any]] | None = None, memory: bool = True, note: str = "") -> Figure:
    times = timed(function, runs=runs)
    result = Figure(operation, statistics.median(times), max(times) - min(times), len(times), target_ms=target_ms,
                    note=note)
    if memory:
        result.peak_mb = peak_mb(function)
    if baseline is not None:
        label, base = baseline
        base_times = timed(base, runs=runs)
        result.baseline = label
        result.baseline_median_ms = statistics.median(base_times)
    return result


def table(figures: list[Figure]) -> str:
    header = f"{'operation':<52} {'median':>10} {'spread':>9} {'peak MB':>8} {'target':>9} {'baseline ratio':>16}"
    lines = [header, "-" * len(header)]
    for f in figures:
        target = "" if f.target_ms is None else f"{f.target_ms:.0f} ms {'ok' if f.meets_target else 'MISS'}"
        ratio = "" if f.ratio is None else f"{f.ratio:.1f}x vs {f.baseline}"
        peak = "" if f.peak_mb is None else f"{f.peak_mb:.1f}"
        lines.append(f"{f.operation:<52} {f.median_ms:>8.1f}ms {f.spread_ms:>7.1f}ms {peak:>8} {target:>9} {ratio:>16}")
        if f.note:
            lines.append(f"    {f.note}")
    return "\n".join(lines)
