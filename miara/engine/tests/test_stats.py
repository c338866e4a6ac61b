"""Group statistics checked against an independent numpy/pandas computation.

The reference below recomputes every figure of methodology.md ("Statistics of a group")
one group at a time with numpy/pandas, sharing no code with `miara.engine.stats`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miara.engine.errors import EngineError, PeriodError, StatisticsError
from miara.engine.stats import (
    GROUP_SCHEMA,
    UNIT_SCHEMA,
    Statistics,
    compute_statistics,
    iter_statistics,
)

KEY = ["indicator", "period", "group"]
GROUP_FLOATS = ["mean", "median", "q1", "q3", "min", "max", "best", "std"]
UNIT_FLOATS = ["value", "percentile", "zscore", "gap_to_median", "gap_to_best", "change"]


# ----------------------------------------------------------------------------- reference


def ref_previous(period: str) -> str:
    """Previous period code, written independently of miara.engine.periods."""
    if "-Q" in period:
        year, quarter = int(period[:4]), int(period[-1])
        return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"
    if len(period) == 7:
        year, month = int(period[:4]), int(period[5:])
        return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
    return str(int(period) - 1)


def reference(
    values: pd.DataFrame,
    memberships: pd.DataFrame | None,
    directions: dict[str, str],
    previous: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every figure with numpy/pandas, one group at a time."""
    values = values[np.isfinite(values["value"].astype(float))]
    lookup = {}
    if previous is not None:
        prev = previous[np.isfinite(previous["value"].astype(float))]
        lookup.update({(r.indicator, r.unit, r.period): r.value for r in prev.itertuples()})
    lookup.update({(r.indicator, r.unit, r.period): r.value for r in values.itertuples()})

    members: dict[tuple[str, str], set[str]] = {}
    if memberships is not None:
        for r in memberships.itertuples():
            if r.group != "all":
                members.setdefault((r.group, r.period), set()).add(r.unit)

    group_rows, unit_rows = [], []
    for (indicator, period), frame in values.groupby(["indicator", "period"], sort=True):
        groups = {"all": frame}
        for (group, gperiod), units in members.items():
            if gperiod == period and frame["unit"].isin(units).any():
                groups[group] = frame[frame["unit"].isin(units)]
        direction = directions[indicator]
        for group, g in groups.items():
            x = g["value"].to_numpy(dtype=float)
            n = len(x)
            mean = float(np.mean(x))
            median, q1, q3 = (float(np.quantile(x, q, method="linear")) for q in (0.5, 0.25, 0.75))
            std = float(np.std(x, ddof=1)) if n >= 2 else None
            if std is not None and np.ptp(x) == 0:
                std = 0.0  # equal values: std is 0 exactly (np.std may leave 1e-17)
            best = {"higher": x.max(), "lower": x.min()}.get(direction)
            group_rows.append(
                dict(indicator=indicator, period=period, group=group, n=n, mean=mean,
                     median=median, q1=q1, q3=q3, min=x.min(), max=x.max(), best=best, std=std)
            )  # fmt: skip
            if direction == "neutral":
                ranks = [None] * n
            else:
                ranks = (
                    g["value"].rank(method="min", ascending=direction == "lower").astype(int)
                ).tolist()
            for (unit, value), rank in zip(
                g[["unit", "value"]].itertuples(index=False), ranks, strict=True
            ):
                pct = 100 * (n - rank) / (n - 1) if rank is not None and n >= 2 else None
                quartile = None
                if pct is not None:
                    quartile = 1 if pct >= 75 else 2 if pct >= 50 else 3 if pct >= 25 else 4
                prev_value = lookup.get((indicator, unit, ref_previous(period)))
                unit_rows.append(
                    dict(indicator=indicator, period=period, group=group, unit=unit,
                         value=value, rank=rank, percentile=pct, quartile=quartile,
                         zscore=(value - mean) / std if std else None,
                         gap_to_median=value - median,
                         gap_to_best=value - best if best is not None else None,
                         change=value - prev_value if prev_value is not None else None,
                         # (value - mean) loses the digits value and mean share: a z-score
                         # is only as exact as eps * (|value| + |mean|) / std, in any
                         # implementation (hypothesis found values agreeing to 11 digits).
                         zscore_atol=64 * np.finfo(float).eps * (abs(value) + abs(mean)) / std
                         if std else 0.0)
                )  # fmt: skip
    return pd.DataFrame(group_rows), pd.DataFrame(unit_rows)


def assert_frame_matches(actual: pl.DataFrame, expected: pd.DataFrame, floats: list[str]) -> None:
    """Same rows (sorted by key), equal codes/ints and null positions, floats to 1e-12."""
    key = [c for c in [*KEY, "unit"] if c in actual.columns]
    actual = actual.sort(key)
    assert actual.height == len(expected)
    if len(expected) == 0:
        return
    expected = expected.sort_values(key, kind="stable").reset_index(drop=True)
    for column in actual.columns:
        got = actual.get_column(column).to_list()
        want = [None if (v is None or (isinstance(v, float) and math.isnan(v))) else v
                for v in expected[column].tolist()]  # fmt: skip
        assert [g is None for g in got] == [w is None for w in want], column
        if column in floats:
            g = np.array([v for v in got if v is not None], dtype=float)
            w = np.array([v for v in want if v is not None], dtype=float)
            # Relative 1e-12; the absolute floor only matters for results near 0 that
            # come from a difference (zscore when value ~ mean), at 1e-12 of the scale.
            scale = float(np.max(np.abs(w), initial=1.0))
            atol = 1e-12 * scale
            if column == "zscore" and "zscore_atol" in expected.columns:
                bound = expected["zscore_atol"].to_numpy(dtype=float)
                atol = np.maximum(atol, bound[[v is not None for v in want]])
                np.testing.assert_array_less(np.abs(g - w), atol * (1 + 1e-9) + 1e-12 * np.abs(w))
                continue
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=atol, err_msg=column)
        else:
            assert got == [int(w) if isinstance(w, (np.integer, float)) else w for w in want], (
                column
            )


def assert_clean(stats: Statistics) -> None:
    """Contract dtypes, and never a NaN or an infinity."""
    assert dict(stats.groups.schema) == GROUP_SCHEMA
    assert dict(stats.units.schema) == UNIT_SCHEMA
    for frame in (stats.groups, stats.units):
        floats = frame.select(pl.col(pl.Float64))
        assert not floats.select(pl.any_horizontal(pl.all().is_nan()).any()).item()
        assert not floats.select(pl.any_horizontal(pl.all().is_infinite()).any()).item()


def check(values: pl.DataFrame, memberships, directions, previous=None) -> Statistics:
    stats = compute_statistics(values, memberships, directions, previous=previous)
    assert_clean(stats)
    groups, units = reference(
        values.to_pandas(),
        memberships.to_pandas() if memberships is not None else None,
        directions,
        previous.to_pandas() if previous is not None else None,
    )
    assert_frame_matches(stats.groups, groups, GROUP_FLOATS)
    assert_frame_matches(stats.units, units, UNIT_FLOATS)
    if groups.empty:
        return stats
    # Quantiles are numpy's to the last bit, not just within 1e-12.
    got = stats.groups.sort(KEY).select("median", "q1", "q3").to_numpy()
    want = groups.sort_values(KEY)[["median", "q1", "q3"]].to_numpy(dtype=float)
    np.testing.assert_array_equal(got, want)
    return stats


# ----------------------------------------------------------------------------- data


def random_case(seed: int, *, n_units: int = 60, quarters: bool = False):
    """Indicators of each direction, several periods, overlapping groups, missing values,
    ties, tiny groups (n = 1, 2), values over many orders of magnitude."""
    rng = np.random.default_rng(seed)
    units = [f"U{i:03d}" for i in range(n_units)]
    periods = ["2023-Q3", "2023-Q4", "2024-Q1"] if quarters else ["2021", "2022", "2024"]
    directions = {}
    rows = []
    for i, direction in enumerate(["higher", "lower", "neutral"] * 3):
        code = f"IND_{i}"
        directions[code] = direction
        scale = 10.0 ** rng.uniform(-3, 6)
        for period in periods:
            if i % 3 == 2 and i > 5:  # few distinct values: many ties
                x = rng.integers(0, 5, n_units) * scale
            else:
                x = rng.normal(rng.uniform(-2, 5), 1, n_units) * scale
            x = np.where(rng.random(n_units) < 0.15, np.nan, x)
            rows += [
                (code, u, period, None if np.isnan(v) else float(v))
                for u, v in zip(units, x, strict=True)
            ]
    values = pl.DataFrame(
        rows,
        schema={
            "indicator": pl.String,
            "unit": pl.String,
            "period": pl.String,
            "value": pl.Float64,
        },
        orient="row",
    )
    members = []
    for period in periods:
        for group in ("g1", "g2", "g3"):  # overlapping random groups
            members += [(group, period, u) for u in units if rng.random() < 0.4]
        members += [("solo", period, units[rng.integers(n_units)])]
        members += [("pair", period, u) for u in rng.choice(units, 2, replace=False)]
        members += [("ghost", period, "NOT_A_UNIT")]  # member without any value
    memberships = pl.DataFrame(members, schema=["group", "period", "unit"], orient="row")
    return values, memberships, directions


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_random_data_matches_numpy_pandas(seed):
    values, memberships, directions = random_case(seed)
    stats = check(values, memberships, directions)
    assert set(stats.groups.get_column("group")) >= {"all", "g1", "g2", "g3", "solo", "pair"}
    assert "ghost" not in set(stats.groups.get_column("group"))


def test_random_quarters_match_numpy_pandas():
    values, memberships, directions = random_case(7, quarters=True)
    stats = check(values, memberships, directions)
    # 2024-Q1 follows 2023-Q4: changes are found across the year boundary.
    q1 = stats.units.filter(pl.col("period") == "2024-Q1")
    assert q1.get_column("change").null_count() < q1.height


def test_random_with_previous_frame_matches():
    values, memberships, directions = random_case(11)
    current = values.filter(pl.col("period") == "2022")
    earlier = values.filter(pl.col("period") != "2022")
    stats = check(current, memberships, directions, previous=earlier)
    assert set(stats.units.get_column("period")) == {"2022"}
    assert stats.units.get_column("change").null_count() < stats.units.height


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C"]),
            st.sampled_from(["u1", "u2", "u3", "u4", "u5"]),
            st.sampled_from(["2023", "2024"]),
            st.one_of(
                st.none(),
                st.sampled_from([0.0, -0.0, 1.0, 2.5]),
                # Magnitudes below 1e-100 are left out: their squares (in the variance)
                # are subnormal and keep only a few digits in any implementation, so
                # two correct computations differ at 1e-7 (hypothesis found 6.6e-159).
                st.floats(-1e6, 1e6, allow_nan=False).filter(lambda x: x == 0 or abs(x) > 1e-100),
            ),
        ),
        max_size=30,
        unique_by=lambda r: r[:3],
    ),
    grouped=st.sets(st.sampled_from(["u1", "u2", "u3", "u4", "u5"])),
)
def test_property_matches_reference(data, grouped):
    values = pl.DataFrame(
        data,
        schema={
            "indicator": pl.String,
            "unit": pl.String,
            "period": pl.String,
            "value": pl.Float64,
        },
        orient="row",
    )
    memberships = pl.DataFrame(
        [("g", p, u) for u in sorted(grouped) for p in ("2023", "2024")],
        schema={"group": pl.String, "period": pl.String, "unit": pl.String},
        orient="row",
    )
    check(values, memberships, {"A": "higher", "B": "lower", "C": "neutral"})


# ----------------------------------------------------------------------------- small cases


def frame(rows, period="2024", indicator="X"):
    return pl.DataFrame(
        [(indicator, unit, period, value) for unit, value in rows],
        schema={
            "indicator": pl.String,
            "unit": pl.String,
            "period": pl.String,
            "value": pl.Float64,
        },
        orient="row",
    )


def unit_rows(stats: Statistics, group: str = "all") -> dict[str, dict]:
    return {
        r["unit"]: r for r in stats.units.filter(pl.col("group") == group).iter_rows(named=True)
    }


def group_row(stats: Statistics, group: str = "all") -> dict:
    return stats.groups.filter(pl.col("group") == group).row(0, named=True)


@pytest.mark.parametrize(
    ("direction", "values"),
    [("higher", [10.0, 8.0, 8.0, 5.0]), ("lower", [1.0, 2.0, 2.0, 4.0])],
)
def test_ties_share_the_better_rank(direction, values):
    stats = check(frame(zip("abcd", values, strict=True)), None, {"X": direction})
    rows = unit_rows(stats)
    assert [rows[u]["rank"] for u in "abcd"] == [1, 2, 2, 4]
    assert [rows[u]["percentile"] for u in "abcd"] == [100.0, 200 / 3, 200 / 3, 0.0]
    assert [rows[u]["quartile"] for u in "abcd"] == [1, 2, 2, 4]
    assert group_row(stats)["best"] == values[0]
    assert rows["a"]["gap_to_best"] == 0.0


def test_zero_and_negative_zero_tie():
    stats = check(frame([("a", 0.0), ("b", -0.0), ("c", 1.0)]), None, {"X": "higher"})
    rows = unit_rows(stats)
    assert (rows["c"]["rank"], rows["a"]["rank"], rows["b"]["rank"]) == (1, 2, 2)


def test_single_unit():
    stats = check(frame([("a", 3.5)]), None, {"X": "higher"})
    g = group_row(stats)
    assert (g["n"], g["mean"], g["median"], g["q1"], g["q3"], g["std"]) == (
        1,
        3.5,
        3.5,
        3.5,
        3.5,
        None,
    )
    row = unit_rows(stats)["a"]
    assert row["rank"] == 1
    assert row["percentile"] is None and row["quartile"] is None and row["zscore"] is None
    assert row["gap_to_median"] == 0.0 and row["gap_to_best"] == 0.0


def test_two_units():
    stats = check(frame([("a", 1.0), ("b", 3.0)]), None, {"X": "lower"})
    g = group_row(stats)
    assert (g["q1"], g["median"], g["q3"], g["best"]) == (1.5, 2.0, 2.5, 1.0)
    assert g["std"] == pytest.approx(math.sqrt(2), rel=1e-15)
    rows = unit_rows(stats)
    assert (rows["a"]["rank"], rows["a"]["percentile"], rows["a"]["quartile"]) == (1, 100.0, 1)
    assert (rows["b"]["rank"], rows["b"]["percentile"], rows["b"]["quartile"]) == (2, 0.0, 4)
    assert rows["b"]["zscore"] == pytest.approx(1 / math.sqrt(2), rel=1e-15)


def test_equal_values_have_std_zero_and_no_zscore():
    stats = check(frame([("a", 0.1), ("b", 0.1), ("c", 0.1)]), None, {"X": "higher"})
    assert group_row(stats)["std"] == 0.0
    for row in unit_rows(stats).values():
        assert row["zscore"] is None
        assert (row["rank"], row["percentile"], row["quartile"]) == (1, 100.0, 1)


def test_neutral_has_no_rank_or_best():
    stats = check(frame([("a", 1.0), ("b", 2.0), ("c", 4.0)]), None, {"X": "neutral"})
    assert group_row(stats)["best"] is None
    for row in unit_rows(stats).values():
        assert row["rank"] is None and row["percentile"] is None and row["quartile"] is None
        assert row["gap_to_best"] is None
        assert row["zscore"] is not None and row["gap_to_median"] is not None


def test_missing_values_are_not_in_any_group():
    values = frame([("a", 1.0), ("b", None), ("c", float("nan")), ("d", float("inf")), ("e", 5.0)])
    memberships = pl.DataFrame(
        {"group": ["g"] * 4, "period": ["2024"] * 4, "unit": ["a", "b", "c", "zz"]}
    )
    stats = check(values, memberships, {"X": "higher"})
    assert group_row(stats)["n"] == 2
    assert group_row(stats, "g")["n"] == 1
    assert set(unit_rows(stats, "g")) == {"a"}
    assert set(stats.units.get_column("unit")) == {"a", "e"}


def test_all_is_implicit_and_an_explicit_all_is_ignored():
    values = frame([("a", 1.0), ("b", 2.0)])
    explicit = pl.DataFrame({"group": ["all"], "period": ["2024"], "unit": ["a"]})
    for memberships in (None, explicit, explicit.clear()):
        stats = check(values, memberships, {"X": "higher"})
        assert stats.groups.select("group", "n").rows() == [("all", 2)]
        assert stats.units.height == 2


def test_change_years_quarters_months_and_gaps():
    values = pl.concat(
        [
            frame([("a", 1.0), ("b", 2.0)], period="2022"),
            frame([("a", 4.0), ("b", 2.5)], period="2024"),  # 2023 absent: no change
            frame([("a", 1.0)], period="2023-Q4"),
            frame([("a", 3.0), ("b", 1.0)], period="2024-Q1"),
            frame([("a", 2.0)], period="2024-01"),
            frame([("a", 7.0)], period="2024-02"),
            frame([("a", 100.0)], period="2024", indicator="Y"),  # another indicator
        ]
    )
    stats = check(values, None, {"X": "lower", "Y": "lower"})
    change = {
        (r[0], r[1], r[2]): r[3]
        for r in stats.units.select("indicator", "period", "unit", "change").rows()
    }
    assert change[("X", "2022", "a")] is None
    assert change[("X", "2024", "a")] is None
    assert change[("X", "2024-Q1", "a")] == 2.0
    assert change[("X", "2024-Q1", "b")] is None
    assert change[("X", "2024-02", "a")] == 5.0
    assert change[("Y", "2024", "a")] is None


def test_change_from_previous_frame_and_values_win():
    current = frame([("a", 10.0), ("b", 4.0)], period="2024")
    previous = frame([("a", 7.0), ("b", 1.0)], period="2023")
    stats = check(current, None, {"X": "higher"}, previous=previous)
    assert {u: r["change"] for u, r in unit_rows(stats).items()} == {"a": 3.0, "b": 3.0}
    both = pl.concat([current, frame([("a", 9.0)], period="2023")])
    stats = check(both, None, {"X": "higher"}, previous=previous)
    change = stats.units.filter(pl.col("period") == "2024").select("unit", "change").rows()
    assert dict(change) == {"a": 1.0, "b": 3.0}  # a: 10 - 9 (values win over previous)


def test_overflow_never_gives_nan_or_infinity():
    values = frame([("a", 1e308), ("b", 1.7e308), ("c", -1e308)])
    stats = compute_statistics(values, None, {"X": "higher"})
    assert_clean(stats)
    assert group_row(stats)["max"] == 1.7e308


def test_empty_input_gives_empty_frames_with_contract_schema():
    empty = frame([]).clear()
    stats = compute_statistics(empty, None, {})
    assert_clean(stats)
    assert stats.groups.height == 0 and stats.units.height == 0
    assert list(iter_statistics(empty, None, {})) == []


def test_output_is_sorted():
    values, memberships, directions = random_case(5)
    stats = compute_statistics(values, memberships, directions)
    assert stats.groups.equals(stats.groups.sort(KEY))
    assert stats.units.equals(stats.units.sort([*KEY, "unit"]))


@pytest.mark.parametrize("batch_size", [1, 2, 4, 100])
def test_batches_concatenated_equal_the_whole(batch_size):
    values, memberships, directions = random_case(3)
    whole = compute_statistics(values, memberships, directions)
    batches = list(iter_statistics(values, memberships, directions, batch_size=batch_size))
    assert len(batches) == math.ceil(9 / batch_size)
    joined = Statistics.concat(batches)
    assert joined.groups.equals(whole.groups)
    assert joined.units.equals(whole.units)


def test_errors():
    values = frame([("a", 1.0)])
    with pytest.raises(StatisticsError, match="direction"):
        compute_statistics(values, None, {})
    with pytest.raises(StatisticsError, match="direction"):
        compute_statistics(values, None, {"X": "up"})
    with pytest.raises(StatisticsError, match="more than once"):
        compute_statistics(pl.concat([values, values]), None, {"X": "higher"})
    with pytest.raises(StatisticsError, match="previous holds"):
        compute_statistics(values, None, {"X": "higher"}, previous=pl.concat([values, values]))
    with pytest.raises(StatisticsError, match="value"):
        compute_statistics(values.drop("value"), None, {"X": "higher"})
    with pytest.raises(StatisticsError, match="unit"):
        compute_statistics(
            values, pl.DataFrame({"group": ["g"], "period": ["2024"]}), {"X": "higher"}
        )
    with pytest.raises(PeriodError):
        compute_statistics(frame([("a", 1.0)], period="2024/1"), None, {"X": "higher"})
    # iter_statistics validates when called, not at the first batch.
    with pytest.raises(StatisticsError):
        iter_statistics(values, None, {})
    with pytest.raises(StatisticsError):
        iter_statistics(values, None, {"X": "higher"}, batch_size=0)
    assert issubclass(StatisticsError, EngineError)


class TestRelativeGapToMedian:
    def test_it_matches_numpy_with_the_direction_applied(self):
        from miara.engine.stats import relative_gap_to_median

        rng = np.random.default_rng(7)
        values = rng.normal(50, 20, 200)
        medians = rng.normal(40, 30, 200)
        directions = rng.choice(["higher", "lower", "neutral"], 200)
        frame = pl.DataFrame({"value": values, "median": medians, "direction": directions})
        got = relative_gap_to_median(frame)["relative_gap"].to_list()
        sign = np.where(directions == "lower", -1.0, 1.0)
        expected = sign * (values - medians) / np.abs(medians)
        for g, e, d in zip(got, expected, directions, strict=True):
            if d == "neutral":
                assert g is None
            else:
                assert g == pytest.approx(e, rel=1e-12)

    def test_it_is_undefined_without_a_value_or_a_median_or_for_a_zero_median(self):
        from miara.engine.stats import relative_gap_to_median

        frame = pl.DataFrame(
            {
                "value": [None, 1.0, 1.0, 12.0, 8.0],
                "median": [1.0, None, 0.0, 10.0, 10.0],
                "direction": ["higher", "higher", "lower", "lower", "higher"],
            },
            schema={"value": pl.Float64, "median": pl.Float64, "direction": pl.String},
        )
        got = relative_gap_to_median(frame)["relative_gap"].to_list()
        assert got[:3] == [None, None, None]
        assert got[3] == pytest.approx(-0.2) and got[4] == pytest.approx(-0.2)


class TestHistogram:
    """The distribution chart's bins, checked against numpy.histogram on the same values."""

    def test_counts_and_edges_match_numpy(self):
        import numpy as np

        from miara.engine.stats import histogram

        rng = np.random.default_rng(20261202)
        for bins in (1, 7, 30):
            data = np.concatenate([rng.lognormal(3, 1, 6300), [0.0, 0.0, 5.5]])
            got = histogram(pl.Series("v", data), bins)
            counts, edges = np.histogram(data, bins=bins)
            assert got["count"].to_list() == counts.tolist()
            assert np.allclose(got["start"].to_numpy(), edges[:-1])
            assert np.allclose(got["end"].to_numpy(), edges[1:])
            assert got["count"].sum() == len(data)

    def test_leaves_out_nulls_and_non_finite_values(self):
        from miara.engine.stats import histogram

        got = histogram(pl.Series("v", [1.0, None, float("nan"), float("inf"), 3.0]), 2)
        assert got["count"].to_list() == [1, 1]

    def test_equal_values_and_no_values(self):
        from miara.engine.stats import histogram

        one = histogram(pl.Series("v", [2.0, 2.0, 2.0]), 10)
        assert one.rows() == [(2.0, 2.0, 3)]
        assert histogram(pl.Series("v", [], dtype=pl.Float64), 10).is_empty()
        with pytest.raises(ValueError):
            histogram(pl.Series("v", [1.0]), 0)
