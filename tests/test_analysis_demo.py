"""The demo project shows every pattern examples/demo/patterns.yaml promises, through the analysis functions,
and the numbers behind each verdict agree with a direct count of `fieldnotes excerpts --json`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fieldnotes.analysis.patterns import check_pattern, load_patterns
from fieldnotes.demo import build
from fieldnotes.project import open_project
from fieldnotes.resources import demo_dir
from tests.helpers import ok
from tests.test_analysis import phase

PATTERNS = load_patterns(demo_dir() / "patterns.yaml")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FIELDNOTES_HOME", str(tmp_path_factory.mktemp("home")))
        patch.setenv("FIELDNOTES_LANG", "en")
        target = tmp_path_factory.mktemp("demo") / "demo.db"
        build(target)
        yield target


@pytest.fixture(scope="module")
def excerpts(demo: Path) -> list[dict[str, Any]]:
    return ok("--db", demo, "excerpts", "--json").json  # type: ignore[no-any-return]


def areas_in(excerpts: list[dict[str, Any]], municipality: str) -> Counter[str]:
    return Counter(e["code_path"].split("/")[0] for e in excerpts
                   if municipality in (e["municipality"] or "").split(", "))


def test_the_file_declares_every_kind_of_pattern() -> None:
    assert {p["type"] for p in PATTERNS} == {"dominant_area", "present_everywhere", "rating_trend"}
    assert all(p["areas"] for p in PATTERNS if p["type"] == "dominant_area")


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: f"{p['type']}-{p.get('municipality', 'all')}")
def test_the_demo_shows_the_pattern(demo: Path, excerpts: list[dict[str, Any]], pattern: dict[str, Any]) -> None:
    with open_project(str(demo), readonly=True) as project, project.read() as session:
        held, observed = check_pattern(session, pattern)
    assert held, observed
    if pattern["type"] == "present_everywhere":
        municipalities = {m for e in excerpts for m in (e["municipality"] or "").split(", ") if m}
        for area in pattern["areas"]:
            counts = {m: areas_in(excerpts, m)[area] for m in municipalities}
            assert observed["counts"][area] == counts and min(counts.values()) >= pattern["min"]
    elif pattern["type"] == "dominant_area":
        counts = areas_in(excerpts, pattern["municipality"])
        assert observed["counts"] == {area: counts[area] for area in pattern["areas"]}
        runner_up = max(n for area, n in counts.items() if area in pattern["areas"] and area != pattern["area"])
        assert counts[pattern["area"]] >= pattern["margin"] * runner_up
    else:
        ratings: dict[str, list[int]] = {}
        for e in excerpts:
            if (e["rating"] is not None and pattern["municipality"] in (e["municipality"] or "").split(", ")
                    and (e["code_path"] == pattern["code"] or e["code_path"].startswith(pattern["code"] + "/"))):
                ratings.setdefault(phase(e["date"]), []).append(e["rating"])
        before, after = (sum(ratings[str(p)]) / len(ratings[str(p)]) for p in (pattern["from_phase"],
                                                                                  pattern["to_phase"]))
        assert observed["change"] == pytest.approx(after - before)
