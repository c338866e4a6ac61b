"""Evidence around a change (methodology.md): a hand-worked case of each direction, the
edge cases, and a property checked against an independent plain-Python computation."""

import datetime
import math

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miara.engine.evidence import EVIDENCE_SCHEMA, evidence, period_of, relative_gap

PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def frame(rows):
    return pl.DataFrame(rows, schema=EVIDENCE_SCHEMA, orient="row")


def test_a_lower_is_better_indicator_worked_by_hand():
    # Cost of a decision (lower is better); the project started in 2023.
    # Before: 2022, 110 against a median of 100: 10 % worse, gap −0.10.
    # After: 2024, 84 against 96: (84 − 96) / 96 = −0.125, better by 12.5 %, gap +0.125.
    # The gap moved by +0.225; the median itself moved by −4 (−4 %).
    rows = [
        ("2021", 120.0, 100.0),
        ("2022", 110.0, 100.0),
        ("2023", 100.0, 98.0),
        ("2024", 84.0, 96.0),
    ]
    found = evidence(frame(rows), start="2023", direction="lower")
    assert (found.before_period, found.after_period) == ("2022", "2024")
    assert found.before_gap == pytest.approx(-0.10)
    assert found.after_gap == pytest.approx(0.125)
    assert found.gap_change == pytest.approx(0.225)
    assert found.median_change == pytest.approx(-4.0)
    assert found.median_change_relative == pytest.approx(-0.04)
    assert found.complete


def test_a_higher_is_better_indicator_worked_by_hand():
    # Recycling rate (higher is better), quarters, started in 2024-Q2; the unit has no value
    # in 2024-Q1, so "before" is 2023-Q4: 30 against 40, gap −0.25; after: 2024-Q4, 45
    # against 50, gap −0.10: moved by +0.15 while the median rose by 10 (25 %).
    rows = [
        ("2023-Q4", 30.0, 40.0),
        ("2024-Q1", None, 42.0),
        ("2024-Q3", 41.0, 48.0),
        ("2024-Q4", 45.0, 50.0),
    ]
    found = evidence(frame(rows), start="2024-Q2", direction="higher")
    assert (found.before_period, found.after_period) == ("2023-Q4", "2024-Q4")
    assert found.before_gap == pytest.approx(-0.25)
    assert found.after_gap == pytest.approx(-0.10)
    assert found.gap_change == pytest.approx(0.15)
    assert found.median_change == pytest.approx(10.0)
    assert found.median_change_relative == pytest.approx(0.25)


def test_a_negative_median_divides_by_its_absolute_value():
    assert relative_gap(-5.0, -10.0, "higher") == pytest.approx(0.5)
    assert relative_gap(-5.0, -10.0, "lower") == pytest.approx(-0.5)


def test_it_agrees_with_the_scorecards_relative_gap():
    from miara.engine.stats import relative_gap_to_median

    cases = [
        (84.0, 96.0, "lower"),
        (30.0, 40.0, "higher"),
        (5.0, 0.0, "higher"),
        (5.0, 4.0, "neutral"),
    ]
    frame = pl.DataFrame(cases, schema=["value", "median", "direction"], orient="row")
    expected = relative_gap_to_median(frame)["relative_gap"].to_list()
    got = [relative_gap(v, m, d) for v, m, d in cases]
    assert got[:2] == pytest.approx(expected[:2]) and got[:2] == pytest.approx([0.125, -0.25])
    assert got[2:] == expected[2:] == [None, None]


def test_nothing_is_invented_where_data_is_missing():
    found = evidence(frame([("2024", 10.0, 0.0)]), start="2023", direction="higher")
    assert found.before_period is None and found.after_gap is None  # zero median
    assert found.gap_change is None and found.median_change is None
    assert not found.complete
    before_only = evidence(frame([("2022", 10.0, 8.0)]), start="2023", direction="higher")
    assert before_only.before_gap == pytest.approx(0.25) and before_only.after_period is None
    other_kind = evidence(frame([("2022-Q1", 10.0, 8.0)]), start="2023", direction="higher")
    assert other_kind.before_period is None


def test_the_period_of_a_start_date():
    day = datetime.date(2025, 5, 14)
    assert period_of(day, "year").code == "2025"
    assert period_of(day, "quarter").code == "2025-Q2"
    assert period_of(day, "month").code == "2025-05"


def _plain(rows, start, direction):
    """The same definition written again without the engine: a plain loop over years."""
    sign = -1 if direction == "lower" else 1
    good = [(int(p), v, m) for p, v, m in rows if v is not None and m is not None]
    before = max((r for r in good if r[0] < start), default=None)
    after = max((r for r in good if r[0] >= start), default=None)

    def gap(r):
        if r is None or r[2] == 0 or direction == "neutral":
            return None
        return sign * (r[1] - r[2]) / abs(r[2])

    g0, g1 = gap(before), gap(after)
    change = None if g0 is None or g1 is None else g1 - g0
    median = None if before is None or after is None else after[2] - before[2]
    return g0, g1, change, median


numbers = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3)))


@PROPS
@given(
    values=st.lists(st.tuples(numbers, numbers), min_size=1, max_size=8),
    start=st.integers(2018, 2028),
    direction=st.sampled_from(["higher", "lower", "neutral"]),
)
def test_it_agrees_with_a_plain_computation(values, start, direction):
    rows = [(str(2018 + i), v, m) for i, (v, m) in enumerate(values)]
    found = evidence(frame(rows), start=str(start), direction=direction)
    expected = _plain(rows, start, direction)
    got = (found.before_gap, found.after_gap, found.gap_change, found.median_change)
    for a, b in zip(got, expected, strict=True):
        if b is None:
            assert a is None
        else:
            assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def test_relative_change_is_judged_by_direction():
    from miara.engine.evidence import raw_change, relative_change

    # 30 → 31.5 is +5 %; better when higher is better, worse when lower is.
    assert raw_change(30.0, 31.5) == pytest.approx(0.05)
    assert relative_change(30.0, 31.5, "higher") == pytest.approx(0.05)
    assert relative_change(30.0, 31.5, "lower") == pytest.approx(-0.05)
    # A negative base: the change is still relative to its size (−4 → −2 is +50 %).
    assert raw_change(-4.0, -2.0) == pytest.approx(0.5)
    assert relative_change(30.0, 31.5, "neutral") is None
    assert relative_change(0.0, 1.0, "higher") is None
    assert relative_change(None, 1.0, "higher") is None
    assert raw_change(1.0, float("nan")) is None
