"""Kinds of variables, outliers per unit of size and consistency with a unit's own history
(methodology.md, "Checking the data"), each against an independent numpy computation."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from miara.engine import kinds
from miara.engine.quality import CONSISTENT_CHANGE, VariableRule, check_values


def values(*rows: tuple[str, str, str, float | None]) -> pl.DataFrame:
    return pl.DataFrame(
        list(rows),
        schema={"unit": pl.String, "variable": pl.String, "period": pl.String, "value": pl.Float64},
        orient="row",
    )


def outliers(findings: pl.DataFrame) -> pl.DataFrame:
    return findings.filter(pl.col("check") == "outlier")


# --------------------------------------------------------------------------------- kinds


@given(
    kind=st.sampled_from([*kinds.KINDS, None, "unknown"]),
    value=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-1000, 1000).map(float),
        st.sampled_from([0.0, -0.0, 1.0, 100.0, 100.5, 0.5, -0.5, 12.5]),
    ),
)
def test_the_frame_rule_agrees_with_the_scalar_rule(kind, value):
    frame = pl.DataFrame(
        {"kind": [kind], "value": [value]}, schema={"kind": pl.String, "value": pl.Float64}
    )
    vectorised = frame.select(kinds.violation_expr(pl.col("kind"), pl.col("value"))).item()
    assert vectorised == kinds.violation(kind, value)


@pytest.mark.parametrize(
    ("kind", "value", "reason"),
    [
        ("count", 12.5, kinds.FRACTION),
        ("count", -3.0, kinds.NEGATIVE),
        ("count", 12.0, None),
        ("amount", -12.5, None),
        ("percentage", 100.0, None),
        ("percentage", 100.01, kinds.ABOVE),
        ("share", 1.5, kinds.ABOVE),
        ("share", 0.25, None),
        ("duration", -0.5, kinds.NEGATIVE),
        ("duration", 2.5, None),
        (None, -1e9, None),
    ],
)
def test_each_kind_admits_its_numbers(kind, value, reason):
    assert kinds.violation(kind, value) == reason


def test_a_stored_fraction_of_a_count_is_an_error():
    variables = {"N": VariableRule("N", kind="count"), "P": VariableRule("P", kind="percentage")}
    frame = values(("A", "N", "2024", 12.5), ("A", "P", "2024", 101.0), ("B", "N", "2024", 12.0))
    found = check_values(frame, variables=variables).filter(pl.col("check") == "kind")
    assert found.select("unit", "variable", "severity", "detail", "expected_high").rows() == [
        ("A", "N", "error", "fraction value of a count", None),
        ("A", "P", "error", "above value of a percentage", 100.0),
    ]


# --------------------------------------------------------------------- outliers per size


def robust(x: np.ndarray) -> tuple[float, float]:
    med = float(np.median(x))
    return med, 1.4826 * float(np.median(np.abs(x - med)))


@pytest.mark.parametrize("seed", range(6))
def test_a_size_dependent_variable_is_compared_per_unit_of_size_as_numpy_computes_it(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 40))
    units = [f"U{i:02d}" for i in range(n)]
    population = rng.lognormal(10, 1.2, n)  # from villages to a large city
    rate = rng.normal(4.0, 0.4, n)  # decisions per 1,000 residents
    rate[0] = 12.0  # one unit really is unusual for its size
    decisions = np.round(population / 1000 * rate)
    # A few units have entered no population for this period yet: last year's counts.
    no_size_now = set(rng.choice(np.arange(1, n), size=2, replace=False).tolist())
    rows = [(f"U{i:02d}", "DECISIONS", "2025", float(decisions[i])) for i in range(n)]
    rows += [
        (f"U{i:02d}", "POPULATION", "2025", float(population[i]))
        for i in range(n)
        if i not in no_size_now
    ]
    history = [(f"U{i:02d}", "POPULATION", "2024", float(population[i])) for i in no_size_now]
    variables = {"DECISIONS": VariableRule("DECISIONS", kind="count", per="POPULATION")}
    found = outliers(
        check_values(
            values(*rows), variables=variables, history=values(*history), consistent_change=None
        )
    ).filter(pl.col("variable") == "DECISIONS")

    per_head = decisions / population
    med, mad = robust(per_head)
    z = (per_head - med) / mad
    expected = sorted(u for u, score in zip(units, z, strict=True) if abs(score) > 3.5)
    assert found["unit"].to_list() == expected
    assert "U00" in expected
    for row in found.iter_rows(named=True):
        i = units.index(row["unit"])
        assert row["scale"] == pytest.approx(population[i], rel=1e-12)
        assert row["median"] == pytest.approx(med * population[i], rel=1e-9)
        assert row["reference"] == pytest.approx(z[i], rel=1e-9)
        assert row["expected_high"] == pytest.approx((med + 3.5 * mad) * population[i], rel=1e-9)
        assert row["detail"].endswith("per size")
    # As reported, without sizes, the largest units are the "outliers" instead.
    raw = outliers(check_values(values(*rows), variables={}, consistent_change=None))
    raw_med, raw_mad = robust(decisions)
    raw_expected = sorted(
        u for u, v in zip(units, decisions, strict=True) if abs(v - raw_med) / raw_mad > 3.5
    )
    assert raw.filter(pl.col("variable") == "DECISIONS")["unit"].to_list() == raw_expected


def test_a_unit_without_a_positive_size_is_neither_checked_nor_a_peer():
    rows = [(f"U{i}", "X", "2025", float(10 * (i + 1))) for i in range(6)]
    rows += [(f"U{i}", "POP", "2025", float(1000 * (i + 1))) for i in range(5)]
    rows += [("U5", "POP", "2025", 0.0), ("BIG", "X", "2025", 1e9)]  # BIG: no size at all
    variables = {"X": VariableRule("X", per="POP")}
    found = outliers(check_values(values(*rows), variables=variables, consistent_change=None))
    assert found.filter(pl.col("variable") == "X").height == 0


# ------------------------------------------------------------------ consistency with history


def _peers_and_outlier(now: float, before: float | None):
    rows = [(f"P{i}", "X", "2025", float(v)) for i, v in enumerate([10, 11, 12, 13, 14, 15])]
    rows.append(("A", "X", "2025", now))
    history = [("A", "X", "2024", before)] if before is not None else []
    return values(*rows), values(*history)


@pytest.mark.parametrize(
    ("before", "reported"),
    [
        (None, True),  # no history: the peers decide
        (100.0 / 1.02, False),  # +2 % on last year
        (100.0 / (1 + CONSISTENT_CHANGE), False),  # exactly at the tolerance
        (100.0 / 1.11, True),  # beyond it
        (50.0, True),
    ],
)
def test_a_value_consistent_with_the_units_own_last_year_is_not_an_outlier(before, reported):
    frame, history = _peers_and_outlier(100.0, before)
    found = outliers(check_values(frame, variables={}, history=history))
    assert (found.height == 1) is reported
    if reported:
        x = np.array([10, 11, 12, 13, 14, 15, 100.0])
        med, mad = robust(x)
        assert found["median"].item() == med
        assert found["reference"].item() == pytest.approx((100.0 - med) / mad)
        assert found["scale"].item() is None


def test_consistency_can_be_switched_off():
    frame, history = _peers_and_outlier(100.0, 100.0)
    assert outliers(check_values(frame, variables={}, history=history)).height == 0
    found = check_values(frame, variables={}, history=history, consistent_change=None)
    assert outliers(found).height == 1
    assert not math.isnan(found["median"].item())
