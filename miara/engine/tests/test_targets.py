"""Targets and their status (methodology.md): hand-worked cases of both directions, and
properties checked against an independent computation (numpy's interpolation and
least-squares fit)."""

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from miara.engine.periods import Period
from miara.engine.targets import (
    POINTS_SCHEMA,
    VALUES_SCHEMA,
    DerivationRule,
    TargetError,
    derive,
    is_met,
    status_of,
    target_for,
    targets_status,
    trajectory,
)

PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- trajectories -------------------------------------------------------------------------


def test_a_trajectory_is_linear_between_its_points():
    # 40 in 2024, 50 in 2026: 45 in 2025, by hand.
    assert trajectory([("2026", 50), ("2024", 40)]) == [("2024", 40), ("2025", 45), ("2026", 50)]


def test_a_trajectory_of_quarters_crosses_the_year():
    assert trajectory([("2024-Q3", 10), ("2025-Q2", 40)]) == [
        ("2024-Q3", 10),
        ("2024-Q4", 20),
        ("2025-Q1", 30),
        ("2025-Q2", 40),
    ]


def test_a_trajectory_of_months_with_three_points():
    path = dict(trajectory([("2024-11", 0), ("2025-01", 10), ("2025-03", 30)]))
    assert path == {"2024-11": 0, "2024-12": 5, "2025-01": 10, "2025-02": 20, "2025-03": 30}


def test_one_point_is_a_target_for_one_period():
    assert trajectory([("2025", 7)]) == [("2025", 7)]
    assert target_for([("2025", 7)], "2024") is None
    assert target_for([("2024", 40), ("2026", 50)], "2025") == 45


def test_mixed_kinds_and_repeated_periods_are_refused():
    with pytest.raises(TargetError, match="one kind"):
        trajectory([("2024", 1), ("2025-Q1", 2)])
    with pytest.raises(TargetError, match="twice"):
        trajectory([("2024", 1), ("2024", 2)])


def test_met_by_direction():
    assert is_met(50, 50, "higher") and is_met(51, 50, "higher") and not is_met(49, 50, "higher")
    assert is_met(50, 50, "lower") and is_met(49, 50, "lower") and not is_met(51, 50, "lower")
    with pytest.raises(TargetError):
        is_met(1, 1, "neutral")


# --- status, higher is better: 40 in 2024 to 50 in 2026 (45 in 2025) ------------------------

HIGHER = [("2024", 40), ("2026", 50)]


def test_higher_on_track():
    found = status_of(HIGHER, {"2024": 41, "2025": 46}, "higher")
    assert (found.period, found.target, found.value, found.status) == ("2025", 45, 46, "on_track")


def test_higher_at_risk():
    # 44 < 45 in 2025; the line through 30, 35, 44 (2023-2025): slope 7, mean 36.33 at 2024,
    # so 36.33 + 2 × 7 = 50.33 in 2026, at least 50.
    found = status_of(HIGHER, {"2023": 30, "2024": 35, "2025": 44}, "higher")
    assert (found.period, found.target, found.status) == ("2025", 45, "at_risk")


def test_higher_off_track():
    # 39 < 45; the line through 38, 39 reaches 40 in 2026, below 50.
    assert status_of(HIGHER, {"2024": 38, "2025": 39}, "higher").status == "off_track"


def test_higher_one_value_below_target_is_off_track():
    assert status_of(HIGHER, {"2025": 44}, "higher").status == "off_track"


def test_no_value_in_any_target_period_is_no_data():
    found = status_of(HIGHER, {"2022": 10, "2023": 30, "2027": 99}, "higher")
    assert (found.period, found.target, found.value, found.status) == (None, None, None, "no_data")
    assert (found.final_period, found.final_target) == ("2026", 50)


def test_values_of_other_kinds_do_not_count():
    assert status_of(HIGHER, {"2025-Q1": 99, "2025-03": 99}, "higher").status == "no_data"


# --- status, lower is better: 100 in 2024 to 70 in 2027 (90, 80 between) --------------------

LOWER = [("2024", 100), ("2027", 70)]


def test_lower_on_track():
    found = status_of(LOWER, {"2025": 88}, "lower")
    assert (found.period, found.target, found.status) == ("2025", 90, "on_track")


def test_lower_off_track():
    # 85 > 80 in 2026; line through 100, 95, 85: slope -7.5, mean 93.33 at 2025,
    # 93.33 - 2 × 7.5 = 78.33 in 2027, above 70.
    assert status_of(LOWER, {"2024": 100, "2025": 95, "2026": 85}, "lower").status == "off_track"


def test_lower_at_risk_exactly_reaching_the_final_target():
    # 82 > 80 in 2026; the line through 94, 82 falls 12 a year: 70 in 2027, the target.
    found = status_of(LOWER, {"2025": 94, "2026": 82}, "lower")
    assert (found.period, found.target, found.value, found.status) == ("2026", 80, 82, "at_risk")


def test_lower_uses_only_the_last_three_values():
    # The early 200 would pull the line; only 90, 85, 82 (2024-2026) count: slope -4,
    # mean 85.67 at 2025, 85.67 - 8 = 77.67 in 2027 > 70: off track.
    values = {"2020": 200, "2024": 90, "2025": 85, "2026": 82}
    assert status_of(LOWER, values, "lower").status == "off_track"


def test_neutral_indicator_takes_no_target():
    with pytest.raises(TargetError):
        status_of(LOWER, {}, "neutral")


def test_targets_status_frame():
    points = pl.DataFrame(
        [("A", "u1", "2024", 40.0), ("A", "u1", "2026", 50.0), ("B", "u1", "2025", 90.0)],
        schema=POINTS_SCHEMA,
        orient="row",
    )
    values = pl.DataFrame(
        [("A", "u1", "2024", 35.0), ("A", "u1", "2025", 46.0), ("B", "u2", "2025", 1.0)],
        schema=VALUES_SCHEMA,
        orient="row",
    )
    out = targets_status(points, values, {"A": "higher", "B": "lower"})
    assert out.select("indicator", "unit", "period", "target", "value", "status").rows() == [
        ("A", "u1", "2025", 45.0, 46.0, "on_track"),
        ("B", "u1", None, None, None, "no_data"),
    ]


# --- derivation ------------------------------------------------------------------------------

FIGURES = {"q1": 20.0, "median": 30.0, "q3": 40.0, "mean": 31.0, "best": 55.0}


def test_derive_reach_a_statistic():
    rule = DerivationRule("q3", "2024", "2028")
    assert derive(rule, value=25.0, figures=FIGURES, direction="higher") == [
        ("2024", 25.0),
        ("2028", 40.0),
    ]


def test_derive_halve_the_gap_to_the_median_in_two_years():
    rule = DerivationRule.in_periods(
        statistic="median", base_period="2024", periods=2, fraction=0.5
    )
    assert rule.final_period == "2026"
    # lower is better: 50 now, median 30: half the gap of 20 is 10, so 40.
    assert derive(rule, value=50.0, figures=FIGURES, direction="lower") == [
        ("2024", 50.0),
        ("2026", 40.0),
    ]


def test_derive_keeps_a_unit_already_better():
    rule = DerivationRule("q1", "2024", "2026")
    # lower is better: 15 is below q1 (20): the target stays 15.
    assert derive(rule, value=15.0, figures=FIGURES, direction="lower")[-1] == ("2026", 15.0)


def test_derive_quarters():
    rule = DerivationRule.in_periods(statistic="median", base_period="2024-Q4", periods=3)
    assert rule.final_period == "2025-Q3"


def test_derive_refusals():
    with pytest.raises(TargetError, match="after"):
        DerivationRule("q1", "2026", "2024")
    with pytest.raises(TargetError, match="unknown statistic"):
        DerivationRule("p90", "2024", "2026")
    with pytest.raises(TargetError, match="one kind"):
        DerivationRule("q1", "2024", "2026-Q1")
    rule = DerivationRule("q1", "2024", "2026")
    with pytest.raises(TargetError, match="no value"):
        derive(rule, value=None, figures=FIGURES, direction="higher")
    with pytest.raises(TargetError, match="no q1"):
        derive(rule, value=1.0, figures={}, direction="higher")
    with pytest.raises(TargetError):
        derive(rule, value=1.0, figures=FIGURES, direction="neutral")


def test_rule_round_trips_as_data():
    rule = DerivationRule("median", "2024-03", "2024-09", "CITIES", 0.5)
    assert DerivationRule.from_params(rule.params()) == rule


# --- properties against an independent computation --------------------------------------------

KINDS = {"year": (2015, 0), "quarter": (2015 * 4, 1), "month": (2015 * 12, 2)}


def code(kind: str, ordinal: int) -> str:
    if kind == "year":
        return str(ordinal)
    if kind == "quarter":
        return f"{ordinal // 4}-Q{ordinal % 4 + 1}"
    return f"{ordinal // 12}-{ordinal % 12 + 1:02d}"


finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)


@st.composite
def cases(draw):
    kind = draw(st.sampled_from(sorted(KINDS)))
    base = KINDS[kind][0]
    offsets = sorted(draw(st.sets(st.integers(0, 14), min_size=1, max_size=4)))
    points = [(base + o, draw(finite)) for o in offsets]
    value_offsets = draw(st.sets(st.integers(-3, 18), max_size=8))
    values = {base + o: draw(st.one_of(st.none(), finite)) for o in value_offsets}
    direction = draw(st.sampled_from(["higher", "lower"]))
    return kind, points, values, direction


def reference(points, values, direction):
    """The status written out with numpy: interp for the trajectory, polyfit for the line."""
    xs = [o for o, _t in points]
    ts = [t for _o, t in points]
    span = range(xs[0], xs[-1] + 1)
    measured = [o for o in span if values.get(o) is not None]
    if not measured:
        return None, None, "no_data", None, None
    period = measured[-1]
    target = float(np.interp(period, xs, ts))
    value = values[period]
    better = (lambda v, t: v >= t) if direction == "higher" else (lambda v, t: v <= t)
    if better(value, target):
        return period, target, "on_track", None, None
    history = sorted(o for o, v in values.items() if v is not None and o <= period)[-3:]
    if len(history) < 2:
        return period, target, "off_track", None, None
    x = np.array(history, dtype=float) - xs[-1]  # centred on the final period: well conditioned
    _slope, intercept = np.polyfit(x, [values[o] for o in history], 1)
    predicted = float(intercept)
    status = "at_risk" if better(predicted, ts[-1]) else "off_track"
    return period, target, status, predicted, ts[-1]


@PROPS
@given(cases())
def test_status_agrees_with_numpy(case):
    kind, points, values, direction = case
    found = status_of(
        [(code(kind, o), t) for o, t in points],
        {code(kind, o): v for o, v in values.items()},
        direction,
    )
    period, target, status, predicted, final = reference(points, values, direction)
    if predicted is not None:
        # Away from the boundary the two fits agree on which side of the target the line ends.
        assume(abs(predicted - final) > 1e-6 * max(1.0, abs(final)))
    if target is not None:
        assume(abs(values[period] - target) > 1e-9 * max(1.0, abs(target)))
    assert found.status == status
    assert found.period == (None if period is None else code(kind, period))
    if target is not None:
        assert math.isclose(found.target, target, rel_tol=1e-12, abs_tol=1e-9)
    assert found.final_period == code(kind, points[-1][0])


@PROPS
@given(cases())
def test_trajectory_agrees_with_numpy_interp(case):
    kind, points, _values, _direction = case
    path = trajectory([(code(kind, o), t) for o, t in points])
    xs = [o for o, _t in points]
    assert [Period.parse(p).ordinal for p, _t in path] == list(range(xs[0], xs[-1] + 1))
    expected = np.interp(range(xs[0], xs[-1] + 1), xs, [t for _o, t in points])
    for (_p, got), want in zip(path, expected, strict=True):
        assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-8)
    # The points themselves are kept exactly.
    assert {p: t for p, t in path if Period.parse(p).ordinal in xs} == {
        code(kind, o): t for o, t in points
    }


@PROPS
@given(
    value=finite,
    figures=st.fixed_dictionaries({"median": finite}),
    fraction=st.sampled_from([0.25, 0.5, 1.0]),
    direction=st.sampled_from(["higher", "lower"]),
)
def test_derived_target_is_never_worse_and_closes_the_share_of_the_gap(
    value, figures, fraction, direction
):
    rule = DerivationRule("median", "2024", "2027", fraction=fraction)
    start, final = derive(rule, value=value, figures=figures, direction=direction)
    assert start == ("2024", value)
    assert is_met(final[1], value, direction)  # never worse than now
    median = figures["median"]
    if not is_met(value, median, direction):
        assert math.isclose(
            final[1] - value, fraction * (median - value), rel_tol=1e-9, abs_tol=1e-9
        )
