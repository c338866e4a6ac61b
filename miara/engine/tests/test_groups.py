"""Peer groups: listed, rule (type, range, period-dependent context) and similar units,
the latter checked against a numpy computation of the distances."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from miara.engine.errors import EngineError, PeerGroupError, SimilarUnitsError
from miara.engine.groups import (
    MEMBERSHIP_SCHEMA,
    listed_members,
    rule_members,
    similar_members,
    similar_units,
)

UNITS = pl.DataFrame(
    {
        "unit": ["A", "B", "C", "D", "E"],
        "type": ["municipality", "municipality", "county", "municipality", "district"],
    }
)


def context(rows):
    return pl.DataFrame(
        rows,
        schema={"unit": pl.String, "variable": pl.String, "period": pl.String, "value": pl.Float64},
        orient="row",
    )


def members(frame: pl.DataFrame) -> dict[str, list[str]]:
    assert dict(frame.schema) == MEMBERSHIP_SCHEMA
    out: dict[str, list[str]] = {}
    for _group, period, unit in frame.rows():
        out.setdefault(period, []).append(unit)
    return out


def test_listed_members_every_period_deduplicated():
    frame = listed_members("capitals", ["B", "A", "B"], ["2023", "2024"])
    assert members(frame) == {"2023": ["A", "B"], "2024": ["A", "B"]}
    assert set(frame.get_column("group")) == {"capitals"}


def test_rule_by_type():
    frame = rule_members(
        UNITS, None, group="munis", periods=["2024"], unit_types=["municipality", "district"]
    )
    assert members(frame) == {"2024": ["A", "B", "D", "E"]}
    everyone = rule_members(UNITS, None, group="any", periods=["2024"])
    assert members(everyone) == {"2024": ["A", "B", "C", "D", "E"]}


POPULATION = context(
    [
        ("A", "POPULATION", "2024", 9_999.0),
        ("B", "POPULATION", "2024", 10_000.0),  # == low: member
        ("C", "POPULATION", "2024", 49_999.5),
        ("D", "POPULATION", "2024", 50_000.0),  # == high: not a member
        ("E", "POPULATION", "2024", None),  # no value: not a member
        ("A", "AREA", "2024", 20_000.0),  # another variable: ignored
    ]
)


def test_rule_by_range_low_inclusive_high_exclusive():
    frame = rule_members(
        UNITS, POPULATION, group="mid", periods=["2024"], variable="POPULATION",
        low=10_000, high=50_000,
    )  # fmt: skip
    assert members(frame) == {"2024": ["B", "C"]}


def test_rule_with_one_bound_or_none():
    only_low = rule_members(
        UNITS, POPULATION, group="big", periods=["2024"], variable="POPULATION", low=50_000
    )
    assert members(only_low) == {"2024": ["D"]}
    only_high = rule_members(
        UNITS, POPULATION, group="small", periods=["2024"], variable="POPULATION", high=10_000
    )
    assert members(only_high) == {"2024": ["A"]}
    # A variable without bounds: every unit having a value in the period.
    any_value = rule_members(UNITS, POPULATION, group="g", periods=["2024"], variable="POPULATION")
    assert members(any_value) == {"2024": ["A", "B", "C", "D"]}


def test_rule_combines_type_and_range():
    frame = rule_members(
        UNITS, POPULATION, group="g", periods=["2024"], unit_types=["municipality"],
        variable="POPULATION", low=0, high=20_000,
    )  # fmt: skip
    assert members(frame) == {"2024": ["A", "B"]}


def test_rule_depends_on_the_period():
    values = context(
        [
            ("A", "POPULATION", "2023", 12_000.0),
            ("A", "POPULATION", "2024", 9_000.0),  # dropped out of the class
            ("B", "POPULATION", "2023", 8_000.0),
            ("B", "POPULATION", "2024", 11_000.0),  # grew into it
            ("C", "POPULATION", "2023", 15_000.0),  # no 2024 value: not a member in 2024
        ]
    )
    frame = rule_members(
        UNITS, values, group="10k+", periods=["2023", "2024", "2025"], variable="POPULATION",
        low=10_000,
    )  # fmt: skip
    assert members(frame) == {"2023": ["A", "C"], "2024": ["B"]}


def test_rule_errors():
    with pytest.raises(PeerGroupError, match="context variable"):
        rule_members(UNITS, POPULATION, group="g", periods=["2024"], low=1)
    with pytest.raises(PeerGroupError, match="above"):
        rule_members(UNITS, POPULATION, group="g", periods=["2024"], variable="X", low=2, high=1)
    with pytest.raises(PeerGroupError, match="context values"):
        rule_members(UNITS, None, group="g", periods=["2024"], variable="POPULATION", low=1)
    assert issubclass(PeerGroupError, EngineError)


# ----------------------------------------------------------------------------- similar units


def structural_case(seed: int, n_units: int = 40, variables=("POP", "DENSITY", "INCOME")):
    rng = np.random.default_rng(seed)
    units = [f"U{i:03d}" for i in range(n_units)]
    raw = {v: rng.normal(rng.uniform(-10, 1000), rng.uniform(0.5, 300), n_units) for v in variables}
    rows = []
    for v in variables:
        for u, x in zip(units, raw[v], strict=True):
            if rng.random() < 0.1 and u != units[0]:
                continue  # missing: this unit is left out of the standardisation
            rows.append((u, v, "2024", float(x)))
            rows.append((u, v, "2023", float(x) * 2 + 1))  # another period: ignored
    return context(rows), units


def numpy_similar(structural: pl.DataFrame, unit, period, variables, k, weights=None):
    """Independent computation: wide numpy matrix, z-scores, distances, lexicographic sort."""
    df = structural.to_pandas()
    df = df[(df["period"] == period) & df["variable"].isin(variables)].dropna(subset=["value"])
    every = df.pivot(index="unit", columns="variable", values="value")[list(variables)]
    # Each variable standardised over every unit that has it (methodology.md), then only
    # the complete rows are candidates.
    full = every.to_numpy(dtype=float)
    mean = np.nanmean(full, axis=0)
    std = np.nanstd(full, axis=0, ddof=1)
    wide = every.dropna()
    x = wide.to_numpy(dtype=float)
    z = np.where(std > 0, (x - mean) / np.where(std > 0, std, 1), 0.0)
    w = np.array([(weights or {}).get(v, 1.0) for v in variables])
    names = wide.index.to_numpy()
    own = z[names == unit][0]
    d = np.sqrt(((z - own) ** 2 * w).sum(axis=1))
    keep = names != unit
    names, d, z, x = names[keep], d[keep], z[keep], x[keep]
    order = np.lexsort((names, d))[:k]
    return names[order].tolist(), d[order], z[order], x[order]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("k", [1, 5, 10, 100])
def test_similar_units_match_numpy(seed, k):
    structural, units = structural_case(seed)
    variables = ["POP", "DENSITY", "INCOME"]
    got = similar_units(structural, unit=units[0], period="2024", variables=variables, k=k)
    names, d, z, x = numpy_similar(structural, units[0], "2024", variables, k)
    assert got.columns == ["unit", "distance"] + [c for v in variables for c in (v, f"z_{v}")]
    assert got.get_column("unit").to_list() == names
    assert units[0] not in names
    assert got.height == min(k, len(names))
    np.testing.assert_allclose(got.get_column("distance").to_numpy(), d, rtol=1e-12, atol=1e-14)
    for i, v in enumerate(variables):
        np.testing.assert_array_equal(got.get_column(v).to_numpy(), x[:, i])
        np.testing.assert_allclose(
            got.get_column(f"z_{v}").to_numpy(), z[:, i], rtol=1e-12, atol=1e-14
        )


def test_similar_units_can_lead_with_the_unit_itself():
    structural, units = structural_case(3)
    variables = ["POP", "INCOME"]
    got = similar_units(
        structural, unit=units[0], period="2024", variables=variables, k=4, include_unit=True
    )
    assert got.get_column("unit").to_list()[0] == units[0]
    assert got.get_column("distance")[0] == 0.0
    names, _, _, _ = numpy_similar(structural, units[0], "2024", variables, 4)
    assert got.get_column("unit").to_list()[1:] == names
    every = numpy_similar(structural, units[0], "2024", variables, 1000)
    # The unit's own z-scores: standardised like everyone else's.
    df = structural.to_pandas()
    df = df[(df["period"] == "2024") & df["variable"].isin(variables)]
    for v in variables:
        x = df[df["variable"] == v]["value"].to_numpy()
        own = df[(df["variable"] == v) & (df["unit"] == units[0])]["value"].item()
        assert got.get_column(f"z_{v}")[0] == pytest.approx((own - x.mean()) / x.std(ddof=1))
    assert len(every[0]) > 4


def test_similar_units_weights_match_numpy():
    structural, units = structural_case(4)
    variables = ["POP", "DENSITY", "INCOME"]
    weights = {"POP": 3.0, "INCOME": 0.0}
    got = similar_units(
        structural, unit=units[0], period="2024", variables=variables, k=8, weights=weights
    )
    names, d, _, _ = numpy_similar(structural, units[0], "2024", variables, 8, weights)
    assert got.get_column("unit").to_list() == names
    np.testing.assert_allclose(got.get_column("distance").to_numpy(), d, rtol=1e-12, atol=1e-14)
    unweighted = similar_units(structural, unit=units[0], period="2024", variables=variables, k=8)
    assert unweighted.get_column("unit").to_list() != names


def test_similar_units_standardise_over_every_unit_having_the_variable():
    # Z lacks AREA, so it cannot be a candidate, but its population still shapes the
    # mean and spread of POP that every other unit's z-score is measured against.
    rows = [("M", "POP", "2024", 10.0), ("A", "POP", "2024", 12.0), ("B", "POP", "2024", 20.0)]
    rows += [("M", "AREA", "2024", 1.0), ("A", "AREA", "2024", 2.0), ("B", "AREA", "2024", 3.0)]
    with_z = context([*rows, ("Z", "POP", "2024", 1000.0)])
    got = similar_units(with_z, unit="M", period="2024", variables=["POP", "AREA"], k=5)
    assert got.get_column("unit").to_list() == ["A", "B"]
    pop = np.array([10.0, 12.0, 20.0, 1000.0])
    expected = (np.array([12.0, 20.0]) - pop.mean()) / pop.std(ddof=1)
    np.testing.assert_allclose(got.get_column("z_POP").to_numpy(), expected, rtol=1e-12)
    without_z = similar_units(context(rows), unit="M", period="2024", variables=["POP", "AREA"])
    assert not np.allclose(without_z.get_column("z_POP").to_numpy(), expected)


def test_similar_units_ties_by_code_and_constant_variable():
    structural = context(
        [(u, "POP", "2024", v) for u, v in [("M", 10.0), ("B", 12.0), ("A", 8.0), ("C", 20.0)]]
        + [(u, "FLAT", "2024", 0.1) for u in "MBAC"]  # std 0: contributes nothing
    )
    got = similar_units(structural, unit="M", period="2024", variables=["POP", "FLAT"], k=3)
    assert got.get_column("unit").to_list() == ["A", "B", "C"]  # A and B tie at distance 2
    assert got.get_column("distance")[0] == got.get_column("distance")[1]
    assert got.get_column("z_FLAT").to_list() == [0.0, 0.0, 0.0]
    only_flat = similar_units(structural, unit="M", period="2024", variables=["FLAT"], k=2)
    assert only_flat.rows() == [("A", 0.0, 0.1, 0.0), ("B", 0.0, 0.1, 0.0)]


def test_similar_members_include_the_unit():
    structural, units = structural_case(2)
    frame = similar_members(
        structural, group="similar_U000", unit=units[0], period="2024",
        variables=["POP", "INCOME"], k=4, periods=["2023", "2024"],
    )  # fmt: skip
    nearest = similar_units(
        structural, unit=units[0], period="2024", variables=["POP", "INCOME"], k=4
    ).get_column("unit")
    expected = sorted([units[0], *nearest])
    assert members(frame) == {"2023": expected, "2024": expected}
    assert set(frame.get_column("group")) == {"similar_U000"}


def test_similar_units_errors():
    structural, units = structural_case(0)
    lacking = context([("X", "POP", "2024", 1.0), ("Y", "POP", "2024", 2.0)])
    with pytest.raises(SimilarUnitsError, match="at least one") as caught:
        similar_units(structural, unit=units[0], period="2024", variables=[])
    assert caught.value.unit == units[0]
    with pytest.raises(SimilarUnitsError, match="DENSITY") as caught:
        similar_units(lacking, unit="X", period="2024", variables=["POP", "DENSITY"])
    assert caught.value.missing == ["DENSITY"]
    with pytest.raises(SimilarUnitsError, match="2022"):
        similar_units(structural, unit=units[0], period="2022", variables=["POP"])
    with pytest.raises(SimilarUnitsError, match="weight"):
        similar_units(
            structural, unit=units[0], period="2024", variables=["POP"], weights={"POP": -1}
        )
    with pytest.raises(SimilarUnitsError, match="not chosen"):
        similar_units(
            structural, unit=units[0], period="2024", variables=["POP"], weights={"AREA": 1}
        )
    with pytest.raises(SimilarUnitsError, match="twice"):
        similar_units(pl.concat([lacking, lacking]), unit="X", period="2024", variables=["POP"])
    with pytest.raises(SimilarUnitsError, match="k must"):
        similar_units(structural, unit=units[0], period="2024", variables=["POP"], k=-1)
    assert issubclass(SimilarUnitsError, EngineError)
