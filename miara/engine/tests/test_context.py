"""Context-fair comparison and the bootstrap interval of a median, checked against
statsmodels' OLS and against a plain numpy bootstrap written here independently."""

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from miara.engine.context import (
    RESAMPLES,
    SEED,
    bootstrap_median_interval,
    bootstrap_median_intervals,
    expected_values,
)


def group(n, seed=1, missing=()):
    rng = np.random.default_rng(seed)
    population = rng.uniform(1_000, 100_000, n)
    area = rng.uniform(10, 500, n)
    cost = 50 + 0.002 * population - 0.03 * area + rng.normal(0, 10, n)
    frame = pl.DataFrame(
        {"unit": [f"U{i:02d}" for i in range(n)], "COST": cost, "POP": population, "AREA": area}
    )
    for unit, column in missing:
        frame = frame.with_columns(
            pl.when(pl.col("unit") == unit).then(None).otherwise(pl.col(column)).alias(column)
        )
    return frame


def test_the_fit_matches_statsmodels_ols():
    frame = group(30)
    fit = expected_values(frame, "COST", ["POP", "AREA"], "higher")
    reference = sm.OLS(
        frame["COST"].to_numpy(), sm.add_constant(frame.select("POP", "AREA").to_numpy())
    ).fit()
    assert fit.fitted and fit.n == 30
    assert fit.r_squared == pytest.approx(reference.rsquared, rel=1e-10)
    assert fit.coefficients == pytest.approx(tuple(reference.params), rel=1e-8)
    assert fit.units["expected"].to_numpy() == pytest.approx(reference.fittedvalues, rel=1e-10)
    assert fit.units["against"].to_numpy() == pytest.approx(reference.resid, rel=1e-8, abs=1e-9)


def test_lower_is_better_turns_the_sign_round():
    frame = group(20)
    higher = expected_values(frame, "COST", ["POP"], "higher")
    lower = expected_values(frame, "COST", ["POP"], "lower")
    neutral = expected_values(frame, "COST", ["POP"], "neutral")
    assert lower.units["against"].to_list() == pytest.approx((-higher.units["against"]).to_list())
    assert neutral.units["against"].to_list() == higher.units["against"].to_list()
    row = lower.units.row(0, named=True)
    assert row["against"] == pytest.approx(row["expected"] - row["value"])


def test_only_units_with_every_variable_take_part():
    frame = group(12, missing=[("U03", "POP"), ("U05", "COST"), ("U07", "AREA")])
    fit = expected_values(frame, "COST", ["POP", "AREA"], "higher")
    assert fit.n == 9
    assert set(fit.units["unit"]) == {f"U{i:02d}" for i in range(12)} - {"U03", "U05", "U07"}
    kept = frame.filter(~pl.col("unit").is_in(["U03", "U05", "U07"]))
    x = np.column_stack([np.ones(9), kept.select("POP", "AREA").to_numpy()])
    beta = np.linalg.lstsq(x, kept["COST"].to_numpy(), rcond=None)[0]
    assert fit.units["expected"].to_numpy() == pytest.approx(x @ beta, rel=1e-10)


def test_non_finite_values_count_as_missing():
    frame = group(8).with_columns(
        pl.when(pl.col("unit") == "U00").then(float("nan")).otherwise(pl.col("POP")).alias("POP")
    )
    assert expected_values(frame, "COST", ["POP"], "higher").n == 7


def test_no_fit_below_number_of_variables_plus_five():
    frame = group(6)
    fit = expected_values(frame, "COST", ["POP", "AREA"], "higher")
    assert not fit.fitted and fit.reason == "too_few_units"
    assert (fit.n, fit.needed) == (6, 7)
    assert fit.units.is_empty() and fit.r_squared is None
    assert expected_values(group(7), "COST", ["POP", "AREA"], "higher").fitted


def test_no_fit_without_variables_or_with_collinear_ones():
    frame = group(10).with_columns(DOUBLE=pl.col("POP") * 2)
    assert expected_values(frame, "COST", [], "higher").reason == "no_variables"
    assert expected_values(frame, "COST", ["POP", "DOUBLE"], "higher").reason == "collinear"
    constant = frame.with_columns(ONE=pl.lit(3.0))
    assert expected_values(constant, "COST", ["ONE"], "higher").reason == "collinear"


def test_a_variable_named_twice_counts_once():
    fit = expected_values(group(10), "COST", ["POP", "POP"], "higher")
    assert fit.variables == ("POP",) and fit.needed == 6 and fit.fitted


def test_equal_values_fit_exactly():
    frame = group(8).with_columns(COST=pl.lit(5.0))
    fit = expected_values(frame, "COST", ["POP"], "higher")
    assert fit.r_squared == 1.0
    assert fit.units["against"].to_numpy() == pytest.approx(np.zeros(8), abs=1e-9)


def independent_bootstrap(values, resamples=RESAMPLES, level=0.9, seed=SEED):
    """The textbook loop: resample with replacement, take the median, repeat."""
    data = np.sort(np.asarray(values, dtype=float))
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, len(data), size=(resamples, len(data)))
    medians = [float(np.median([data[i] for i in row])) for row in indices]
    return np.percentile(medians, [100 * (1 - level) / 2, 100 * (1 + level) / 2])


def test_the_interval_matches_a_plain_bootstrap():
    values = [12.0, 15.5, 9.0, 22.0, 14.0, 18.5, 11.0]
    interval = bootstrap_median_interval(values)
    low, high = independent_bootstrap(values)
    assert (interval.low, interval.high) == (pytest.approx(low), pytest.approx(high))
    assert interval.median == 14.0
    assert interval.low <= interval.median <= interval.high
    assert (interval.level, interval.resamples) == (0.9, 2000)


def test_the_interval_is_reproducible_and_order_free():
    values = [3.0, 1.0, 4.0, 1.5, 5.0, 9.0]
    first = bootstrap_median_interval(values)
    assert bootstrap_median_interval(list(reversed(values))) == first
    # With few resamples the seed shows: the interval is not the same for another seed.
    few = bootstrap_median_interval(values, resamples=25)
    assert bootstrap_median_interval(values, resamples=25, seed=SEED + 1) != few


def test_missing_values_are_left_out_and_none_without_values():
    assert bootstrap_median_interval([None, float("nan")]) is None
    assert bootstrap_median_interval([2.0, None, 4.0]) == bootstrap_median_interval([2.0, 4.0])
    single = bootstrap_median_interval([7.0])
    assert (single.low, single.median, single.high) == (7.0, 7.0, 7.0)


@pytest.mark.parametrize(("keyword", "bad"), [("level", 1.0), ("level", 0.0), ("resamples", 0)])
def test_bad_parameters_are_named(keyword, bad):
    with pytest.raises(ValueError, match=keyword):
        bootstrap_median_interval([1.0, 2.0], **{keyword: bad})


def test_intervals_per_group_only_for_small_groups():
    rows = [("A", float(v)) for v in range(5)] + [("B", float(v)) for v in range(12)]
    frame = pl.DataFrame(rows, schema={"group": pl.String, "value": pl.Float64}, orient="row")
    out = bootstrap_median_intervals(frame, ["group"])
    assert out["group"].to_list() == ["A"]
    one = bootstrap_median_interval([0.0, 1.0, 2.0, 3.0, 4.0])
    assert out.row(0) == ("A", 5, one.low, one.high)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=9
    )
)
def test_the_interval_lies_within_the_values_and_holds_the_median_of_resamples(values):
    interval = bootstrap_median_interval(values, resamples=300)
    low, high = independent_bootstrap(values, resamples=300)
    assert min(values) <= interval.low <= interval.high <= max(values)
    assert interval.low == pytest.approx(low) and interval.high == pytest.approx(high)
