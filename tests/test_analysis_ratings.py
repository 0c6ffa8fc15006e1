"""Ratings per municipality and phase, and the pattern checks built on the analysis, against direct counts."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fieldnotes.analysis.patterns import check_pattern, load_patterns
from fieldnotes.errors import InvalidInput
from fieldnotes.project.opening import open_project
from tests.helpers import ok, run
from tests.test_analysis import build_analysis_project, phase

THEME = "Tro på borgerens jobchance"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FIELDNOTES_HOME", str(tmp_path_factory.mktemp("home")))
        patch.setenv("FIELDNOTES_LANG", "en")
        yield Path(build_analysis_project(tmp_path_factory.mktemp("ratings")))


@pytest.fixture(scope="module")
def excerpts(project: Path) -> list[dict[str, Any]]:
    return ok("--db", project, "excerpts", "--json").json  # type: ignore[no-any-return]


def expected_stats(values: list[int]) -> dict[str, Any]:
    return {"count": len(values), "mean": round(sum(values) / len(values), 3) if values else None,
            "median": float(statistics.median(values)) if values else None,
            "distribution": {str(p): Counter(values)[p] for p in range(1, 6)}}


@pytest.mark.parametrize("by", ["municipality", "phase", "coder"])
@pytest.mark.parametrize("descendants", [True, False])
def test_ratings_match_a_direct_count(project: Path, excerpts: list[dict[str, Any]], by: str,
                                      descendants: bool) -> None:
    args = ["ratings", THEME, "--by", by, "--json"] + ([] if descendants else ["--no-descendants"])
    out = ok("--db", project, *args).json
    rated = [e for e in excerpts if e["rating"] is not None
             and (e["code_path"] == THEME or (descendants and e["code_path"].startswith(THEME + "/")))]
    assert len(rated) == (5 if descendants else 3)
    per_column: dict[str, list[int]] = defaultdict(list)
    for e in rated:
        labels = {"municipality": (e["municipality"] or "(none)").split(", "), "phase": [phase(e["date"])],
                  "coder": [e["coder"]]}[by]
        for label in labels:
            per_column[label].append(e["rating"])
    shown = {c["label"]: {k: c[k] for k in ("count", "mean", "median", "distribution")} for c in out["columns"]}
    assert set(per_column) <= set(shown)
    for label, stats in shown.items():
        assert stats == expected_stats(per_column.get(label, [])), label
    assert {k: out["total"][k] for k in ("count", "mean", "median", "distribution")} == expected_stats(
        [e["rating"] for e in rated])
    assert out["scale"] == [1, 5] and out["code_path"] == THEME
    assert out["codes"] == ([THEME, f"{THEME}/Specifik tro"] if descendants else [THEME])


def test_ratings_text_and_filters(project: Path) -> None:
    lines = ok("--db", project, "ratings", "Specifik tro", "--by", "phase").out.splitlines()
    assert lines[0] == "ratings of Tro på borgerens jobchance/Specifik tro (scale 1–5) by phase"
    # each phase named with its months (#23); Babel's thin spaces around the dash split too
    assert lines[2].split() == ["Phase", "1", "(Feb", "–", "Jul", "2025)", "1", "4.00", "4", "1:0", "2:0", "3:0",
                                "4:1", "5:0"]
    assert lines[3].split() == ["Phase", "2", "(Aug", "2025", "–", "Jan", "2026)", "1", "2.00", "2", "1:0", "2:1",
                                "3:0", "4:0", "5:0"]
    assert lines[-1].split()[:4] == ["total", "2", "3.00", "3"]
    out = ok("--db", project, "ratings", THEME, "--rating", "4:5", "--municipality", "Lyngå", "--json").json
    assert out["total"]["count"] == 3 and out["total"]["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}


@pytest.mark.parametrize("args, message", [
    (["Ledelse"], "'Sparringskultur og ledelse/Ledelse' has no rating scale"),
    (["Sparringskultur og ledelse"], "codes with a scale: Tro på borgerens jobchance; Tro på borgerens "
                                     "jobchance/Specifik tro"),
    (["Findes ikke"], "no code 'Findes ikke'"),
    ([THEME, "--by", "attr:x"], "no document or case attribute 'x'"),
])
def test_bad_rating_requests_are_one_line(project: Path, args: list[str], message: str) -> None:
    result = run("--db", project, "ratings", *args)
    assert result.code == 1 and message in result.err and result.err.count("\n") == 1


# --- patterns ----------------------------------------------------------------------------------------


def area_counts(excerpts: list[dict[str, Any]], municipality: str) -> Counter[str]:
    return Counter(e["code_path"].split("/")[0] for e in excerpts
                   if municipality in (e["municipality"] or "").split(", "))


def test_dominant_area(project: Path, excerpts: list[dict[str, Any]]) -> None:
    counts = area_counts(excerpts, "Lyngå")
    assert counts == {"Sparringskultur og ledelse": 8, THEME: 4, "Viden om arbejdsmarkedet": 2}
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        held, observed = check_pattern(session, {"type": "dominant_area", "municipality": "lyngå",
                                                 "area": "Sparringskultur og ledelse", "margin": 1.3})
        assert held and observed["counts"] == dict(counts) and observed["ratio"] == pytest.approx(8 / 4)
        held, observed = check_pattern(session, {"type": "dominant_area", "municipality": "Lyngå",
                                                 "area": "Sparringskultur og ledelse", "margin": 2.5})
        assert not held and observed["ratio"] == pytest.approx(2.0)
        held, observed = check_pattern(session, {"type": "dominant_area", "municipality": "Lyngå", "margin": 2.5,
                                                 "area": "Sparringskultur og ledelse",
                                                 "areas": ["Sparringskultur og ledelse", "Viden om arbejdsmarkedet"]})
        assert held and observed["ratio"] == pytest.approx(8 / 2)
        held, _ = check_pattern(session, {"type": "dominant_area", "municipality": "Lyngå",
                                          "area": "Viden om arbejdsmarkedet", "margin": 1.0})
        assert not held


def test_present_everywhere(project: Path, excerpts: list[dict[str, Any]]) -> None:
    areas = ["Sparringskultur og ledelse", "Viden om arbejdsmarkedet"]
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        held, observed = check_pattern(session, {"type": "present_everywhere", "areas": areas, "min": 1})
        assert held
        for area in areas:
            assert observed["counts"][area] == {m: area_counts(excerpts, m)[area] for m in ("Fjordby", "Lyngå")}
        held, observed = check_pattern(session, {"type": "present_everywhere", "areas": areas, "min": 2})
        assert not held and observed["short"] == ["Viden om arbejdsmarkedet in Fjordby"]


def test_rating_trend(project: Path, excerpts: list[dict[str, Any]]) -> None:
    def mean(municipality: str, wanted: str) -> float:
        values = [e["rating"] for e in excerpts if e["rating"] is not None and phase(e["date"]) == wanted
                  and municipality in (e["municipality"] or "")]
        return sum(values) / len(values)

    lyngå = mean("Lyngå", "2") - mean("Lyngå", "1")
    assert lyngå == pytest.approx(3.0 - 4.5)
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        pattern = {"type": "rating_trend", "code": THEME, "municipality": "Lyngå", "from_phase": 1, "to_phase": 2}
        held, observed = check_pattern(session, {**pattern, "direction": "rising", "min_change": 0.2})
        assert not held and observed["change"] == pytest.approx(lyngå)
        held, _ = check_pattern(session, {**pattern, "direction": "flat", "max_change": 1.6})
        assert held
        fjordby = {**pattern, "municipality": "Fjordby", "to_phase": 4}
        held, observed = check_pattern(session, {**fjordby, "from_phase": 2, "direction": "flat", "max_change": 0.5})
        assert held and observed["change"] == pytest.approx(mean("Fjordby", "4") - mean("Fjordby", "2"))
        held, observed = check_pattern(session, {**fjordby, "direction": "rising", "min_change": 0.0})
        assert not held and observed["from"] is None  # no ratings in Fjordby in phase 1
        with pytest.raises(InvalidInput, match="rising or flat"):
            check_pattern(session, {**pattern, "direction": "sideways"})
        with pytest.raises(InvalidInput, match="unknown pattern type"):
            check_pattern(session, {"type": "most_words"})
        with pytest.raises(InvalidInput, match="lacks margin"):
            check_pattern(session, {"type": "dominant_area", "municipality": "Lyngå", "area": THEME})


def test_a_patterns_file_lends_its_areas_to_dominant_area(tmp_path: Path) -> None:
    path = tmp_path / "patterns.yaml"
    path.write_text("areas: [A, B]\npatterns:\n  - {type: dominant_area, municipality: Ø, area: A, margin: 2}\n"
                    "  - {type: present_everywhere, areas: [A], min: 1}\n", encoding="utf-8")
    assert load_patterns(path) == [
        {"type": "dominant_area", "municipality": "Ø", "area": "A", "margin": 2, "areas": ["A", "B"]},
        {"type": "present_everywhere", "areas": ["A"], "min": 1}]
