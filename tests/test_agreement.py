"""Inter-coder agreement: the coefficients against worked examples and hand calculations, the interval
arithmetic against brute force, and `fieldnotes agreement` on a small real project."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldnotes.team.agreement import (
    alpha_binary,
    cohen_kappa,
    coverage_histogram,
    difference,
    intersection_length,
    krippendorff_alpha,
    match_segments,
    merge_intervals,
    percent_agreement,
    total_length,
)
from tests.helpers import ok, run
from tests.projectdata import make_project

DOC = "Interview med sagsbehandler"
NOTE = "Teammøde i Fjordby"
ANNA, JONAS, METTE = "Anna Krogh", "Jonas Bech", "Mette Ærø 🙂"


# --- the coefficients ----------------------------------------------------------------------------


def test_nvivo_worked_example() -> None:
    # N = 1000, a = 50 (both), b = 100 (only A), c = 50 (only B), d = 800 (neither)
    # P_o = (50 + 800) / 1000 = 0.85
    # P_e = ((50+100)(50+50) + (50+800)(100+800)) / 1000² = (15,000 + 765,000) / 1,000,000 = 0.78
    # κ = (0.85 - 0.78) / (1 - 0.78) = 0.07 / 0.22 = 0.3181...
    assert percent_agreement(50, 100, 50, 800) == pytest.approx(85.0)
    assert cohen_kappa(50, 100, 50, 800) == pytest.approx(0.07 / 0.22)
    assert round(cohen_kappa(50, 100, 50, 800) or 0, 3) == 0.318
    # QualCoder's figure for the same table is 0.213: ours must not be that
    assert round(cohen_kappa(50, 100, 50, 800) or 0, 3) != 0.213


@pytest.mark.parametrize("a, b, c, d, kappa", [
    # P_o = 0.7; P_e = (50·60 + 50·40) / 100² = 0.5; κ = 0.2 / 0.5
    (40, 10, 20, 30, 0.4),
    # P_o = 0.5; P_e = (50·50 + 50·50) / 100² = 0.5; κ = 0: agreement exactly as chance predicts
    (25, 25, 25, 25, 0.0),
    # complete disagreement on a balanced table: P_o = 0, P_e = 0.5, κ = -1
    (0, 50, 50, 0, -1.0),
    # P_o = 0.9; P_e = (10·10 + 90·90) / 100² = 0.82; κ = 0.08 / 0.18
    (5, 5, 5, 85, 0.08 / 0.18),
])
def test_kappa_hand_computed(a: int, b: int, c: int, d: int, kappa: float) -> None:
    assert cohen_kappa(a, b, c, d) == pytest.approx(kappa)


def test_kappa_and_percent_are_undefined_where_they_should_be() -> None:
    assert cohen_kappa(0, 0, 0, 0) is None and percent_agreement(0, 0, 0, 0) is None
    assert cohen_kappa(0, 0, 0, 100) is None  # nobody coded anything: P_e = 1
    assert cohen_kappa(100, 0, 0, 0) is None
    assert alpha_binary([100, 0, 0]) is None


def test_krippendorff_two_observers_binary() -> None:
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", A: two observers, binary, 10 units.
    # Coincidences: o00 = 10, o01 = o10 = 4, o11 = 2; n0 = 14, n1 = 6, n = 20.
    # α = 1 - (n - 1) · o01·2 / (n0·n1·2) = 1 - 19 · 4 / 84 = 0.095
    first = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    second = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert krippendorff_alpha(zip(first, second, strict=True)) == pytest.approx(1 - 19 * 4 / 84)
    assert round(krippendorff_alpha(zip(first, second, strict=True)) or 0, 3) == 0.095


def test_krippendorff_four_observers_nominal_with_missing_data() -> None:
    # Krippendorff (2011), C: four observers, nominal values 1-5, twelve units, missing data; α = 0.743.
    # Unit 12 has one value and is not pairable; 40 pairable values remain. Per value:
    # n1 = 9, n2 = 13, n3 = 10, n4 = 5, n5 = 3. Only units 2 (2,2,3,2), 6 (1,2,3,4) and 8 (1,1,2,1) hold
    # different values; their disagreeing ordered pairs, each weighted 1/(m - 1) = 1/3, sum to
    # 6/3 + 12/3 + 6/3 = 8. Σ_{c≠k} n_c·n_k = 40² - (81 + 169 + 100 + 25 + 9) = 1216.
    # α = 1 - (n - 1) · 8 / 1216 = 1 - 39 · 8 / 1216 = 113/152 = 0.7434
    missing = None
    units = list(zip(
        [1, 2, 3, 3, 2, 1, 4, 1, 2, missing, missing, missing],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, missing, 3],
        [missing, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, missing],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, missing],
        strict=True))
    assert krippendorff_alpha(units) == pytest.approx(113 / 152)
    assert round(krippendorff_alpha(units) or 0, 3) == 0.743


def test_alpha_of_a_two_by_two_table_spelled_out() -> None:
    # NVivo's table as units: 50 × (1,1), 100 × (1,0), 50 × (0,1), 800 × (0,0).
    # α = 1 - (2N - 1)(b + c) / ((2a + b + c)(2d + b + c)) = 1 - 1999 · 150 / (250 · 1750)
    units = [(1, 1)] * 50 + [(1, 0)] * 100 + [(0, 1)] * 50 + [(0, 0)] * 800
    expected = 1 - 1999 * 150 / (250 * 1750)
    assert krippendorff_alpha(units) == pytest.approx(expected)
    assert alpha_binary([800, 150, 50]) == pytest.approx(expected)


counts = st.integers(min_value=0, max_value=10_000)


@given(a=st.integers(1, 10_000), d=st.integers(1, 10_000))
def test_identical_coding_gives_kappa_one(a: int, d: int) -> None:
    assert cohen_kappa(a, 0, 0, d) == pytest.approx(1.0)
    assert alpha_binary([d, 0, a]) == pytest.approx(1.0)
    assert percent_agreement(a, 0, 0, d) == 100.0


@given(a=counts, b=counts, c=counts, d=counts)
def test_kappa_is_symmetric_in_the_two_coders_and_percent_is_bounded(a: int, b: int, c: int, d: int) -> None:
    assert cohen_kappa(a, b, c, d) == cohen_kappa(a, c, b, d)  # swapping the coders swaps b and c
    percent = percent_agreement(a, b, c, d)
    if a + b + c + d:
        assert percent is not None and 0.0 <= percent <= 100.0
        kappa = cohen_kappa(a, b, c, d)
        assert kappa is None or -1.0 - 1e-9 <= kappa <= 1.0 + 1e-9


@given(st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), min_size=2, max_size=60))
def test_alpha_from_a_histogram_equals_alpha_from_the_units(units: list[tuple[bool, bool, bool]]) -> None:
    histogram = [0, 0, 0, 0]
    for unit in units:
        histogram[sum(unit)] += 1
    expected = krippendorff_alpha([tuple(int(v) for v in unit) for unit in units])
    got = alpha_binary(histogram)
    assert (got is None and expected is None) or got == pytest.approx(expected)


# --- interval arithmetic against brute force -----------------------------------------------------


spans = st.lists(st.tuples(st.integers(0, 200), st.integers(1, 60)).map(lambda t: (t[0], t[0] + t[1])),
                 max_size=12)


def chars(intervals: list[tuple[int, int]]) -> set[int]:
    return {i for start, end in intervals for i in range(start, end)}


@given(spans, spans, spans)
def test_interval_arithmetic_matches_character_sets(first: list[tuple[int, int]], second: list[tuple[int, int]],
                                                    third: list[tuple[int, int]]) -> None:
    m1, m2, m3 = merge_intervals(first), merge_intervals(second), merge_intervals(third)
    assert chars(m1) == chars(first) and total_length(m1) == len(chars(first))
    assert all(e1 < s2 for (_, e1), (s2, _) in itertools.pairwise(m1))  # disjoint, not touching
    assert intersection_length(m1, m2) == len(chars(first) & chars(second))
    assert chars(difference(m1, m2)) == chars(first) - chars(second)
    length = 300
    histogram = coverage_histogram([m1, m2, m3], length)
    sets = [chars(first), chars(second), chars(third)]
    assert histogram == [sum(1 for i in range(length) if sum(i in s for s in sets) == j) for j in range(4)]


def test_segments_match_by_overlap_of_the_two_together() -> None:
    # [0,40) and [10,60): 30 characters in common out of 60 covered together = 50 %
    assert match_segments([(0, 40)], [(10, 60)], 50) == 1
    assert match_segments([(0, 40)], [(10, 60)], 50.1) == 0
    # one-to-one: two segments of one coder cannot both pair with one of the other
    assert match_segments([(0, 10), (0, 10)], [(0, 10)], 90) == 1
    assert match_segments([(0, 10), (20, 30)], [(0, 10), (21, 30)], 90) == 2


# --- on a project, through the command line ------------------------------------------------------


@pytest.fixture
def coded(tmp_path: Path) -> tuple[Path, int, int]:
    """Anna and Jonas code the interview; Anna also codes the note, which Jonas never touched."""
    project = make_project(tmp_path)
    text = ok("--db", project, "show", DOC, "--json").json["text"]
    s = text.index("Vi tager altid")
    t = text.index("Vores virksomhedskonsulent")
    for args in (
        (DOC, "Kollegial sparring", f"{s}:{s + 40}", ANNA),
        (DOC, "Kollegial sparring", f"{s + 10}:{s + 60}", JONAS),
        (DOC, "Ledelse", f"{t}:{t + 20}", ANNA),
        (DOC, "Ledelse", f"{t + 10}:{t + 30}", ANNA),  # overlaps Anna's own: 30 characters, counted once
        (NOTE, "Ledelse", "0:5", ANNA),  # not compared: Jonas has not coded the note
    ):
        ok("--db", project, "code", args[0], "--code", args[1], "--span", args[2], "--coder", args[3])
    return project, len(text), s


def test_agreement_of_two_coders_by_hand(coded: tuple[Path, int, int]) -> None:
    project, length, _ = coded
    out = ok("--db", project, "agreement", "--coders", f"{ANNA},{JONAS}", "--json").json
    assert out["unit"] == "character" and out["coders"] == [ANNA, JONAS] and out["documents"] == 1
    rows = {row["code_path"]: row for row in out["codes"]}
    assert list(rows) == ["Sparringskultur og ledelse/Kollegial sparring", "Sparringskultur og ledelse/Ledelse"]
    sparring = rows["Sparringskultur og ledelse/Kollegial sparring"]
    # Anna [s, s+40), Jonas [s+10, s+60): both 30, only Anna 10, only Jonas 20, the rest of the interview neither
    n = length
    a, b, c, d = 30, 10, 20, n - 60
    assert (sparring["a"], sparring["b"], sparring["c"], sparring["d"], sparring["n"]) == (a, b, c, d, n)
    p_o = (a + d) / n
    p_e = ((a + b) * (a + c) + (c + d) * (b + d)) / n**2
    assert sparring["percent"] == pytest.approx(100 * p_o)
    assert sparring["kappa"] == pytest.approx((p_o - p_e) / (1 - p_e))
    assert sparring["alpha"] == pytest.approx(1 - (2 * n - 1) * (b + c) / ((2 * a + b + c) * (2 * d + b + c)))
    ledelse = rows["Sparringskultur og ledelse/Ledelse"]
    assert (ledelse["a"], ledelse["b"], ledelse["c"], ledelse["d"]) == (0, 30, 0, n - 30)
    pooled = out["pooled"]
    assert (pooled["a"], pooled["b"], pooled["c"], pooled["d"], pooled["n"]) == (30, 40, 20, 2 * n - 90, 2 * n)
    swapped = ok("--db", project, "agreement", "--coders", f"{JONAS},{ANNA}", "--json").json["codes"][0]
    assert (swapped["b"], swapped["c"], swapped["kappa"]) == (20, 10, pytest.approx(sparring["kappa"]))
    text = ok("--db", project, "agreement", "--coders", f"{ANNA},{JONAS}", "--code", "Kollegial sparring").out
    assert "characters" in text and f"{n - 60}" in text and "Ledelse" not in text


def test_agreement_of_three_coders_gives_pairs_and_one_alpha(coded: tuple[Path, int, int]) -> None:
    project, length, s = coded
    ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--span", f"{s}:{s + 40}", "--coder", METTE)
    out = ok("--db", project, "agreement", "--coders", f"{ANNA},{JONAS},{METTE}", "--code", "Kollegial sparring",
             "--json").json
    row = out["codes"][0]
    pairs = {tuple(p["coders"]): (p["a"], p["b"], p["c"], p["d"]) for p in row["pairs"]}
    assert pairs == {(ANNA, JONAS): (30, 10, 20, length - 60), (ANNA, METTE): (40, 0, 0, length - 40),
                     (JONAS, METTE): (30, 20, 10, length - 60)}
    assert row["kappa"] is None and row["n"] == length
    # per character: Anna+Mette [s, s+10), all three [s+10, s+40), Jonas alone [s+40, s+60), nobody elsewhere
    units = ([(1, 0, 1)] * 10 + [(1, 1, 1)] * 30 + [(0, 1, 0)] * 20 + [(0, 0, 0)] * (length - 60))
    assert row["alpha"] == pytest.approx(krippendorff_alpha(units))
    assert row["percent"] == pytest.approx(100 * (30 + length - 60) / length)


def test_document_and_segment_units(coded: tuple[Path, int, int]) -> None:
    project, _, _ = coded
    ok("--db", project, "code", NOTE, "--code", "Ledelse", "--span", "0:9", "--coder", JONAS)
    docs = ok("--db", project, "agreement", "--coders", f"{ANNA},{JONAS}", "--unit", "document", "--json").json
    rows = {row["code_path"].split("/")[-1]: row for row in docs["codes"]}
    assert docs["documents"] == 2  # now both coders have coded both documents
    # Kollegial sparring: both in the interview, neither in the note
    sparring = rows["Kollegial sparring"]
    assert (sparring["a"], sparring["b"], sparring["c"], sparring["d"], sparring["n"]) == (1, 0, 0, 1, 2)
    assert sparring["kappa"] == pytest.approx(1.0)
    # Ledelse: Anna in both documents, Jonas in the note only
    assert (rows["Ledelse"]["a"], rows["Ledelse"]["b"], rows["Ledelse"]["c"], rows["Ledelse"]["d"]) == (1, 1, 0, 0)
    segments = ok("--db", project, "agreement", "--coders", f"{ANNA},{JONAS}", "--unit", "segment",
                  "--overlap", "50", "--code", "Kollegial sparring", "--json").json
    row = segments["codes"][0]
    assert segments["overlap"] == 50 and (row["a"], row["b"], row["c"], row["d"]) == (1, 0, 0, None)
    assert row["percent"] == 100.0 and row["kappa"] is None and row["n"] == 1
    strict = ok("--db", project, "agreement", "--coders", f"{ANNA},{JONAS}", "--unit", "segment",
                "--code", "Kollegial sparring", "--json").json["codes"][0]
    assert (strict["a"], strict["b"], strict["c"], strict["percent"]) == (0, 1, 1, 0.0)


BAD_INPUT = [
    (["--coders", f"{ANNA},Ingen Sådan"], "no coder 'Ingen Sådan'"),
    (["--coders", ANNA], "fewer than two coders"),
    (["--coders", f"{ANNA},{ANNA.upper()}"], "named twice"),
    (["--coders", f"{ANNA},{JONAS}", "--overlap", "0", "--unit", "segment"], "not between 0 and 100"),
    (["--coders", f"{ANNA},{JONAS}", "--code", "Findes ikke"], "no code"),
]


def test_bad_agreement_input(coded: tuple[Path, int, int]) -> None:
    project, _, _ = coded
    for args, message in BAD_INPUT:
        result = run("--db", project, "agreement", *args)
        assert result.code == 1 and message in result.err and "Traceback" not in result.err, (args, result.err)
    assert run("--db", project, "agreement", "--coders", f"{ANNA},{JONAS}", "--unit", "words").code == 2


def test_coders_with_no_document_in_common(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--span", "0:5", "--coder", ANNA)
    ok("--db", project, "code", NOTE, "--code", "Ledelse", "--span", "0:5", "--coder", JONAS)
    out = ok("--db", project, "agreement", "--coders", f"{ANNA},{JONAS}", "--json").json
    assert out["documents"] == 0 and out["codes"] == [] and out["pooled"]["n"] == 0
    assert out["pooled"]["kappa"] is None
