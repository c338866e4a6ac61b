"""`compute` end to end: stored results equal an independent pandas computation."""

import numpy as np
import pandas as pd
import pytest

from miara.analytics.models import DataQualityIssue, ResultSet, UnitResult
from miara.analytics.selectors import RESULT_COLUMNS, results_frame
from miara.analytics.services import ComputeError, compute
from miara.conftest import UNITS, values_csv

pytestmark = pytest.mark.django_db

FORMULAS = {
    "RECYCLING_RATE": (lambda v: v["RECYCLED_T"] / v["WASTE_T"] * 100, "higher"),
    "WASTE_PC": (lambda v: v["WASTE_T"] / v["POPULATION"] * 1000, "lower"),
    "PERMIT_COST": (
        lambda v: (
            v["PERMIT_STAFF_COST"] / v["PERMITS_ISSUED"] if v["PERMITS_ISSUED"] != 0 else np.nan
        ),
        "lower",
    ),
    "POP": (lambda v: v["POPULATION"], "neutral"),
}


def expected_results() -> pd.DataFrame:
    """The contract's figures for the fixture programme, computed with pandas/numpy only."""
    from io import StringIO

    values = pd.read_csv(StringIO(values_csv()), dtype={"period": str})
    units = pd.read_csv(StringIO(UNITS), dtype=str)
    wide = values.pivot_table(
        index=["unit", "period"], columns="variable", values="value"
    ).reset_index()
    rows = []
    for code, (formula, direction) in FORMULAS.items():
        for _, row in wide.iterrows():
            value = formula(row)
            if pd.notna(value):
                rows.append(
                    {
                        "indicator": code,
                        "unit": row["unit"],
                        "period": row["period"],
                        "value": float(value),
                        "direction": direction,
                    }
                )
    indicator_values = pd.DataFrame(rows)
    types = dict(zip(units["code"], units["type"], strict=True))
    population = {(r.unit, r.period): r.POPULATION for r in wide.itertuples()}
    out = []
    for (indicator, period), frame in indicator_values.groupby(["indicator", "period"]):
        groups = {
            "all": frame,
            "CITIES": frame[frame["unit"].map(types) == "city_county"],
            "LARGE": frame[[population[(u, period)] >= 100000 for u in frame["unit"]]],
        }
        for group, members in groups.items():
            if members.empty:
                continue
            x = members["value"].to_numpy()
            n = len(x)
            direction = members["direction"].iloc[0]
            std = float(np.std(x, ddof=1)) if n >= 2 else np.nan
            best = {"higher": x.max(), "lower": x.min()}.get(direction, np.nan)
            ranks = (
                pd.Series(x).rank(method="min", ascending=(direction == "lower")).to_numpy()
                if direction != "neutral"
                else np.full(n, np.nan)
            )
            for value, unit, rank in zip(x, members["unit"], ranks, strict=True):
                percentile = (
                    100 * (n - rank) / (n - 1) if n >= 2 and direction != "neutral" else np.nan
                )
                quartile = (
                    np.nan
                    if np.isnan(percentile)
                    else (
                        1
                        if percentile >= 75
                        else 2
                        if percentile >= 50
                        else 3
                        if percentile >= 25
                        else 4
                    )
                )
                out.append(
                    {
                        "indicator": indicator,
                        "period": period,
                        "group": group,
                        "unit": unit,
                        "value": value,
                        "rank": rank,
                        "percentile": percentile,
                        "quartile": quartile,
                        "zscore": (value - x.mean()) / std if n >= 2 and std > 0 else np.nan,
                        "n": n,
                        "mean": x.mean(),
                        "median": np.quantile(x, 0.5, method="linear"),
                        "q1": np.quantile(x, 0.25, method="linear"),
                        "q3": np.quantile(x, 0.75, method="linear"),
                        "min": x.min(),
                        "max": x.max(),
                        "best": best,
                        "std": std,
                    }
                )
    return (
        pd.DataFrame(out)
        .sort_values(["indicator", "period", "group", "unit"])
        .reset_index(drop=True)
    )


def test_it_stores_exactly_what_pandas_computes(programme):
    actual = results_frame().select(RESULT_COLUMNS).to_pandas()
    expected = expected_results()
    assert len(actual) == len(expected)
    for column in ("indicator", "period", "group", "unit"):
        assert actual[column].tolist() == expected[column].tolist()
    for column in RESULT_COLUMNS[4:]:
        np.testing.assert_allclose(
            actual[column].astype(float),
            expected[column].astype(float),
            rtol=1e-12,
            equal_nan=True,
            err_msg=column,
        )


def test_it_reports_division_by_zero_and_stores_no_value(programme):
    issue = DataQualityIssue.objects.get(
        unit__code="D4", indicator__code="PERMIT_COST", result_set__period="2024"
    )
    assert issue.kind == "division_by_zero"
    assert not UnitResult.objects.filter(unit__code="D4", indicator__code="PERMIT_COST").exists()


def test_it_computes_change_against_the_previous_period(programme):
    rows = results_frame(indicators=["WASTE_PC"], units=["A1"], groups=["all"]).sort("period")
    assert rows["change"][0] is None
    assert rows["change"][1] == pytest.approx(rows["value"][1] - rows["value"][0], rel=1e-12)


def test_it_replaces_the_provisional_result_set_of_a_period(programme):
    before = ResultSet.objects.get(period="2024", is_current=True)
    compute(periods=["2024"])
    current = ResultSet.objects.get(period="2024", is_current=True)
    assert current.pk != before.pk
    assert not ResultSet.objects.filter(pk=before.pk).exists()
    assert ResultSet.objects.filter(period="2023", is_current=True).count() == 1


def test_it_keeps_a_final_result_set_when_recomputing(programme):
    ResultSet.objects.filter(period="2024").update(status=ResultSet.Status.FINAL)
    compute(periods=["2024"])
    assert ResultSet.objects.filter(period="2024").count() == 2
    assert ResultSet.objects.get(period="2024", is_current=True).status == "provisional"


def test_it_explains_an_empty_programme(db):
    with pytest.raises(ComputeError, match="no indicators"):
        compute()
