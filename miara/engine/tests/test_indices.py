"""Composite indices checked against published examples and an independent numpy
computation (methodology.md, "Composite indices").

Published examples:
- UNDP, Human Development Report 2020, Technical notes, technical note 1 (the HDI's
  worked example): goalposts 20–85 years, 0–18 and 0–15 years of schooling, ln 100 –
  ln 75,000 of GNI per capita; a GNI per capita of 3,829 (2017 PPP $) gives an income
  index of 0.5506, and dimension indices 0.6971, 0.3447 and 0.5506 give an HDI of 0.510
  (the geometric mean of the three; the education index the arithmetic mean of its two).
- COINr (Becker, R package for composite indicators), documentation of `a_amean`: the
  weighted arithmetic mean of x = 1:10 with w = 10:1 is 220 / 55 = 4.
- OECD/JRC Handbook on Constructing Composite Indicators (2008), section 5, table 3:
  min-max (x − min) / (max − min) and z-score (x − mean) / std, here on a small example
  worked by hand.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miara.engine.indices import (
    VALUES_SCHEMA,
    Component,
    CompositeIndexError,
    IndexSpec,
    Pillar,
    alternatives,
    breakdown,
    compute_index,
    problems_of,
    sensitivity,
)


def frame(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=VALUES_SCHEMA, orient="row")


def scores(outcome) -> dict[str, float]:
    return dict(outcome.scores.select("unit", "score").iter_rows())


HDI = IndexSpec(
    code="HDI",
    components=(
        Component("LIFE_EXP", goalposts=(20, 85)),
        Pillar(
            "EDUCATION",
            (
                Component("SCHOOL_EXPECTED", goalposts=(0, 18)),
                Component("SCHOOL_MEAN", goalposts=(0, 15)),
            ),
            aggregation="arithmetic",
        ),
        Component("LN_INCOME", goalposts=(4.60517, 11.22524)),
    ),
    normalisation="goalposts",
    aggregation="geometric",
)


# --------------------------------------------------------------- published examples


def test_hdi_income_index_of_the_undp_worked_example():
    values = frame(
        [
            ("2019", "C", "LIFE_EXP", 70.0),
            ("2019", "C", "SCHOOL_EXPECTED", 10.0),
            ("2019", "C", "SCHOOL_MEAN", 5.0),
            ("2019", "C", "LN_INCOME", math.log(3829)),
        ]
    )
    components = compute_index(values, HDI).components
    income = components.filter(pl.col("indicator") == "LN_INCOME").get_column("normalised")[0]
    assert income / 100 == pytest.approx(0.5506, abs=1e-4)


def test_hdi_of_the_undp_worked_example_from_its_dimension_indices():
    # Values that give exactly the published dimension indices through the goalposts.
    life, education, income = 0.6971, 0.3447, 0.5506
    values = frame(
        [
            ("2019", "C", "LIFE_EXP", 20 + life * 65),
            ("2019", "C", "SCHOOL_EXPECTED", education * 18),
            ("2019", "C", "SCHOOL_MEAN", education * 15),
            ("2019", "C", "LN_INCOME", 4.60517 + income * (11.22524 - 4.60517)),
        ]
    )
    outcome = compute_index(values, HDI)
    hdi = scores(outcome)["C"] / 100
    assert hdi == pytest.approx(0.510, abs=5e-4)  # as published, to three decimals
    assert hdi == pytest.approx((life * education * income) ** (1 / 3), abs=1e-6)
    pillar = outcome.pillars.get_column("score")[0]
    assert pillar / 100 == pytest.approx(education, abs=1e-6)


def test_hdi_clamps_values_beyond_a_goalpost():
    values = frame(
        [
            ("2019", "C", "LIFE_EXP", 90.0),  # beyond 85: counts as 85
            ("2019", "C", "SCHOOL_EXPECTED", 20.0),  # beyond 18
            ("2019", "C", "SCHOOL_MEAN", 15.0),
            ("2019", "C", "LN_INCOME", math.log(100_000)),
        ]
    )
    assert scores(compute_index(values, HDI))["C"] == pytest.approx(100)


def test_weighted_arithmetic_mean_of_the_coinr_a_amean_example():
    codes = [f"X{i}" for i in range(1, 11)]
    spec = IndexSpec(
        code="A",
        components=tuple(
            Component(code, goalposts=(0, 100), weight=float(11 - i))
            for i, code in enumerate(codes, start=1)
        ),
        normalisation="goalposts",
    )
    values = frame([("2024", "U", code, float(i)) for i, code in enumerate(codes, start=1)])
    assert scores(compute_index(values, spec))["U"] == pytest.approx(4.0, abs=1e-9)


def test_minmax_and_zscore_worked_by_hand():
    # x = 2, 4, 6, 8 (higher is better), y = 10, 20, 30, 40 (lower is better).
    rows = []
    for unit, x, y in (("A", 2, 10), ("B", 4, 20), ("C", 6, 30), ("D", 8, 40)):
        rows += [("2024", unit, "X", float(x)), ("2024", unit, "Y", float(y))]
    spec = IndexSpec(
        code="I",
        components=(Component("X"), Component("Y", direction="lower", weight=3)),
    )
    got = compute_index(frame(rows), spec)
    # min-max: X → 0, 33.33, 66.67, 100; Y flipped → 100, 66.67, 33.33, 0;
    # weighted (1, 3): A = (0 + 300) / 4 = 75, B = (33.33 + 200) / 4 = 58.33 ...
    assert scores(got) == pytest.approx({"A": 75.0, "B": 175 / 3, "C": 125 / 3, "D": 25.0})
    assert got.scores.get_column("unit").to_list() == ["A", "B", "C", "D"]
    z = compute_index(
        frame(rows), IndexSpec(code="I", components=spec.components, normalisation="zscore")
    )
    # z of X: (x − 5) / std, std = sqrt(20 / 3) = 2.5820; Y flipped: −(y − 25) / 12.910.
    std_x = math.sqrt(20 / 3)
    expected_a = (1 * (2 - 5) / std_x + 3 * -(10 - 25) / (5 * std_x)) / 4
    assert scores(z)["A"] == pytest.approx(expected_a, abs=1e-9)
    normalised_x = z.components.filter(pl.col("indicator") == "X").sort("unit")
    assert normalised_x.get_column("normalised").to_list() == pytest.approx(
        [-1.161895, -0.387298, 0.387298, 1.161895], abs=1e-6
    )


# ------------------------------------------------------ independent numpy computation


def reference(values: dict[str, dict[str, float]], spec: IndexSpec) -> dict[str, float]:
    """The index of one period by numpy, written apart from the engine: `values` maps
    indicator → unit → value; pillars of leaves only (one level), as in the tests."""
    leaves = spec.leaves()
    geometric = spec.uses_geometric()
    units = sorted({u for col in values.values() for u in col})
    norm: dict[str, dict[str, float]] = {}
    for leaf in leaves:
        col = values.get(leaf.indicator, {})
        xs = np.array(list(col.values()), dtype=float)
        if spec.normalisation == "minmax":
            low, high = xs.min(), xs.max()
            floor = 1.0 if geometric else 0.0
            share = {u: (v - low) / (high - low) for u, v in col.items()}
            if leaf.direction == "lower":
                share = {u: 1 - s for u, s in share.items()}
            norm[leaf.indicator] = {u: floor + (100 - floor) * s for u, s in share.items()}
        else:
            mean, std = xs.mean(), xs.std(ddof=1)
            sign = 1 if leaf.direction == "higher" else -1
            norm[leaf.indicator] = {u: sign * (v - mean) / std for u, v in col.items()}

    def mean_of(pairs, aggregation):
        w = np.array([p[1] for p in pairs])
        s = np.array([p[0] for p in pairs])
        if aggregation == "geometric":
            return float(np.exp(np.sum(w * np.log(s)) / w.sum()))
        return float(np.sum(w * s) / w.sum())

    out = {}
    for unit in units:
        present = sum(1 for leaf in leaves if unit in norm[leaf.indicator])
        if (len(leaves) - present) / len(leaves) > spec.max_missing:
            continue
        top = []
        for node in spec.components:
            if isinstance(node, Component):
                if unit in norm[node.indicator]:
                    top.append((norm[node.indicator][unit], node.weight))
            else:
                inner = [
                    (norm[c.indicator][unit], c.weight)
                    for c in node.components
                    if unit in norm[c.indicator]
                ]
                if inner:
                    top.append((mean_of(inner, node.aggregation or spec.aggregation), node.weight))
        out[unit] = mean_of(top, spec.aggregation)
    return out


def random_case(seed: int, n_units: int = 40, missing: float = 0.1):
    rng = np.random.default_rng(seed)
    codes = ["A", "B", "C", "D", "E"]
    values: dict[str, dict[str, float]] = {}
    rows = []
    for code in codes:
        col = {}
        for u in range(n_units):
            if rng.random() < missing:
                continue
            v = float(rng.lognormal(2, 1))
            col[f"U{u:03d}"] = v
            rows.append(("2024", f"U{u:03d}", code, v))
        values[code] = col
    return values, frame(rows)


SPECS = [
    IndexSpec(
        code="T",
        components=(
            Component("A"),
            Component("B", direction="lower", weight=2),
            Pillar(
                "P", (Component("C"), Component("D", direction="lower", weight=0.5)), weight=1.5
            ),
            Component("E", weight=0.7),
        ),
        normalisation=normalisation,
        aggregation=aggregation,
        max_missing=0.3,
    )
    for normalisation, aggregation in (
        ("minmax", "arithmetic"),
        ("minmax", "geometric"),
        ("zscore", "arithmetic"),
    )
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.normalisation}-{s.aggregation}")
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scores_match_an_independent_numpy_computation(spec, seed):
    values, rows = random_case(seed)
    got = scores(compute_index(rows, spec))
    expected = reference(values, spec)
    assert set(got) == set(expected)
    for unit, score in expected.items():
        assert got[unit] == pytest.approx(score, abs=1e-9), unit


def test_units_missing_too_many_components_are_listed_not_scored():
    values, rows = random_case(7, missing=0.35)
    outcome = compute_index(rows, SPECS[0])
    excluded = set(outcome.excluded.get_column("unit"))
    scored = set(outcome.scores.get_column("unit"))
    assert excluded and not excluded & scored
    for row in outcome.excluded.iter_rows(named=True):
        assert (row["expected"] - row["present"]) / row["expected"] > 0.3
    assert scored == set(reference(values, SPECS[0]))


def test_effective_weights_add_up_to_one_and_rescale_over_present_components():
    _, rows = random_case(4)
    outcome = compute_index(rows, SPECS[0])
    sums = outcome.components.group_by("unit").agg(pl.col("weight").sum())
    assert sums.get_column("weight").to_list() == pytest.approx([1.0] * sums.height)
    # With arithmetic aggregation the contributions add up to the score.
    total = outcome.components.group_by("unit").agg(
        (pl.col("weight") * pl.col("normalised")).sum().alias("sum")
    )
    joined = total.join(outcome.scores, on="unit")
    assert joined.get_column("sum").to_list() == pytest.approx(joined.get_column("score").to_list())


def test_ranks_are_1_for_the_highest_score_and_ties_share_the_better_rank():
    rows = frame(
        [
            ("2024", "A", "X", 1.0),
            ("2024", "B", "X", 3.0),
            ("2024", "C", "X", 3.0),
            ("2024", "D", "X", 2.0),
        ]
    )
    got = compute_index(rows, IndexSpec(code="I", components=(Component("X"),)))
    assert dict(got.scores.select("unit", "rank").iter_rows()) == {"B": 1, "C": 1, "D": 3, "A": 4}


def test_periods_are_normalised_separately():
    rows = frame(
        [
            ("2023", "A", "X", 1.0),
            ("2023", "B", "X", 2.0),
            ("2024", "A", "X", 100.0),
            ("2024", "B", "X", 50.0),
        ]
    )
    got = compute_index(rows, IndexSpec(code="I", components=(Component("X"),)))
    by = {(p, u): s for p, u, s, _ in got.scores.iter_rows()}
    assert by == {("2023", "A"): 0, ("2023", "B"): 100, ("2024", "A"): 100, ("2024", "B"): 0}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    # Whole numbers: a rescaled value is exact enough that only the method can move it
    # (tiny differences under a large shift would be lost to rounding, not to the method).
    xs=st.lists(st.integers(-10_000, 10_000).map(float), min_size=3, max_size=12),
    ys=st.lists(st.integers(-10_000, 10_000).map(float), min_size=3, max_size=12),
    scale=st.floats(0.1, 10),
    shift=st.floats(-1000, 1000),
    normalisation=st.sampled_from(["minmax", "zscore"]),
)
def test_ranks_do_not_change_when_an_indicator_is_rescaled(xs, ys, scale, shift, normalisation):
    n = min(len(xs), len(ys))
    if len(set(xs[:n])) < 2 or len(set(ys[:n])) < 2:
        return
    spec = IndexSpec(
        code="I",
        components=(Component("X"), Component("Y", direction="lower", weight=2)),
        normalisation=normalisation,
    )

    def rows(transform):
        out = []
        for i in range(n):
            out += [("2024", f"U{i}", "X", transform(xs[i])), ("2024", f"U{i}", "Y", ys[i])]
        return frame(out)

    before = compute_index(rows(lambda v: v), spec)
    after = compute_index(rows(lambda v: v * scale + shift), spec)
    a = dict(before.scores.select("unit", "score").iter_rows())
    b = dict(after.scores.select("unit", "score").iter_rows())
    assert set(a) == set(b)
    for unit in a:
        assert b[unit] == pytest.approx(a[unit], rel=1e-6, abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(values=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=2, max_size=10))
def test_minmax_scores_stay_within_0_and_100(values):
    if len(set(values)) < 2:
        return
    rows = frame([("2024", f"U{i}", "X", v) for i, v in enumerate(values)])
    got = compute_index(rows, IndexSpec(code="I", components=(Component("X"),)))
    assert got.scores.get_column("score").min() >= 0
    assert got.scores.get_column("score").max() <= 100


# --------------------------------------------------------------- breakdown, sensitivity


def test_breakdown_pulls_add_up_to_the_distance_from_the_mean_unit():
    _, rows = random_case(5, missing=0)
    outcome = compute_index(rows, SPECS[0])
    unit = outcome.scores.get_column("unit")[0]
    parts = breakdown(outcome.components, period="2024", unit=unit)
    mean_score = outcome.scores.get_column("score").mean()
    own = scores(outcome)[unit]
    assert parts.get_column("pull").sum() == pytest.approx(own - mean_score, abs=1e-9)
    assert parts.get_column("contribution").sum() == pytest.approx(own, abs=1e-9)
    pulls = parts.get_column("pull").to_list()
    assert pulls == sorted(pulls, reverse=True)


def test_sensitivity_ranges_hold_every_alternatives_rank():
    _, rows = random_case(6, missing=0)
    spec = SPECS[0]
    result = sensitivity(rows, spec, period="2024")
    ranges = {u: (lo, hi, r) for u, _, r, lo, hi in result.ranges.iter_rows()}
    names = [name for name, _, _ in alternatives(spec)]
    assert "normalisation zscore" in names and "aggregation geometric" in names
    assert "weight of B ×1.5" in names and "without A" in names
    assert "normalisation goalposts" not in names  # no goalposts defined
    assert result.alternatives.height == len(names)
    for name, _, alternative in alternatives(spec):
        other = compute_index(rows, alternative).scores.filter(pl.col("unit").is_in(list(ranges)))
        scores_ = dict(other.select("unit", "score").iter_rows())
        for unit, score in scores_.items():
            rank = 1 + sum(1 for s in scores_.values() if s > score)
            lo, hi, base = ranges[unit]
            assert lo <= rank <= hi, (name, unit)
            assert lo <= base <= hi
    assert any(lo < hi for lo, hi, _ in ranges.values())


def test_rank_ranges_compare_only_the_units_the_index_as_defined_scores():
    # U3 misses Y, so the index leaves it out (50 % > 30 %); "without Y" would score it
    # first, but it must not push the others down.
    rows = frame(
        [
            ("2024", "U1", "X", 2.0),
            ("2024", "U2", "X", 1.0),
            ("2024", "U3", "X", 9.0),
            ("2024", "U1", "Y", 1.0),
            ("2024", "U2", "Y", 2.0),
        ]
    )
    spec = IndexSpec(code="I", components=(Component("X", weight=2), Component("Y")))
    result = sensitivity(rows, spec, period="2024")
    ranges = {u: (lo, hi) for u, _, _, lo, hi in result.ranges.iter_rows()}
    assert set(ranges) == {"U1", "U2"}
    assert all(1 <= lo <= hi <= 2 for lo, hi in ranges.values())


# ------------------------------------------------------------------------- bad input


def test_definitions_that_cannot_be_computed_are_refused_in_plain_words():
    bad = IndexSpec(
        code="B",
        components=(Component("X", weight=0), Component("Y", direction="neutral")),
        normalisation="goalposts",
        aggregation="harmonic",
    )
    problems = " | ".join(problems_of(bad))
    assert "weight must be a positive number" in problems
    assert "neutral" in problems
    assert "needs goalposts" in problems
    assert "'harmonic'" in problems
    with pytest.raises(CompositeIndexError, match="index B"):
        compute_index(frame([]), bad)
    zgeo = IndexSpec(
        code="Z", components=(Component("X"),), normalisation="zscore", aggregation="geometric"
    )
    assert any("geometric mean needs positive scores" in p for p in problems_of(zgeo))


def test_an_indicator_missing_for_most_units_leaves_them_unscored_with_a_note():
    rows = frame(
        [("2024", f"U{i}", "X", float(i)) for i in range(10)]
        + [("2024", "U1", "Y", 5.0), ("2024", "U2", "Y", 7.0)]
    )
    spec = IndexSpec(code="I", components=(Component("X"), Component("Y")), max_missing=0.3)
    outcome = compute_index(rows, spec)
    assert set(outcome.scores.get_column("unit")) == {"U1", "U2"}
    assert outcome.excluded.height == 8


def test_no_unit_with_enough_components_says_so_instead_of_failing():
    rows = frame([("2024", f"U{i}", "X", float(i)) for i in range(5)])
    spec = IndexSpec(code="I", components=(Component("X"), Component("Y"), Component("Z")))
    outcome = compute_index(rows, spec)
    assert outcome.scores.is_empty()
    assert outcome.excluded.height == 5
    text = " ".join(str(n) for n in outcome.notes)
    assert {n.kind for n in outcome.notes} == {"no_values", "none_scored"}
    assert "Y has no values" in text and "no unit has enough components" in text


def test_an_indicator_without_spread_is_left_out_not_divided_by_zero():
    rows = frame(
        [("2024", f"U{i}", "X", float(i)) for i in range(4)]
        + [("2024", f"U{i}", "Y", 3.0) for i in range(4)]
    )
    for normalisation in ("minmax", "zscore"):
        spec = IndexSpec(
            code="I", components=(Component("X"), Component("Y")), normalisation=normalisation
        )
        outcome = compute_index(rows, spec)
        assert outcome.scores.height == 4
        assert outcome.scores.get_column("score").is_finite().all()
        assert [(n.kind, n.indicator) for n in outcome.notes] == [("flat", "Y")]


def test_empty_values_give_empty_results():
    outcome = compute_index(frame([]), SPECS[0])
    assert outcome.scores.is_empty() and outcome.excluded.is_empty()
