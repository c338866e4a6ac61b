"""Peer groups as membership frames `group, period, unit` (see methodology.md, "Peer groups").

* `listed_members`: an explicit list of unit codes.
* `rule_members`: unit type in a set and/or a context variable within [low, high).
* `similar_units` / `similar_members`: the k units nearest to a unit in the space of
  chosen structural variables, each standardised to z-scores over the period's units.

The group `all` is never produced here: `engine.stats` adds it.
"""

from __future__ import annotations

import math

import polars as pl

from miara.engine.errors import PeerGroupError, SimilarUnitsError

MEMBERSHIP_SCHEMA = {"group": pl.String, "period": pl.String, "unit": pl.String}


def _membership(group: str, periods: list[str], units: pl.Series) -> pl.DataFrame:
    """Every unit in every period, deduplicated and sorted by period then unit."""
    frame = pl.DataFrame({"unit": units.cast(pl.String)}).drop_nulls().unique()
    return (
        frame.join(
            pl.DataFrame({"period": [str(p) for p in periods]}, schema={"period": pl.String}),
            how="cross",
        )
        .select(pl.lit(group, dtype=pl.String).alias("group"), "period", "unit")
        .unique()
        .sort(["period", "unit"])
    )


def listed_members(group: str, unit_codes: list[str], periods: list[str]) -> pl.DataFrame:
    """Membership frame of a listed group: the given units in each of `periods`."""
    return _membership(group, periods, pl.Series(list(unit_codes), dtype=pl.String))


def rule_members(
    units: pl.DataFrame,
    context_values: pl.DataFrame | None,
    *,
    group: str,
    periods: list[str],
    unit_types: list[str] | None = None,
    variable: str | None = None,
    low: float | None = None,
    high: float | None = None,
) -> pl.DataFrame:
    """Membership frame of a rule group, for each period of `periods`.

    `units`: `unit, type`. A unit is a member in a period when its type is in
    `unit_types` (if given) and, if `variable` is given, its value of that context
    variable in that period (`context_values`: `unit, variable, period, value`) is
    within [low, high): `low` inclusive, `high` exclusive, either bound optional. A unit
    without a (finite) value of the variable in that period is then not a member.
    Raises `PeerGroupError` for a bound without a variable, `low > high`, or a variable
    without `context_values`.
    """
    if variable is None and (low is not None or high is not None):
        raise PeerGroupError(f"group {group}: a range (low/high) needs a context variable")
    if low is not None and high is not None and low > high:
        raise PeerGroupError(f"group {group}: low {low} is above high {high}")
    if variable is not None and context_values is None:
        raise PeerGroupError(f"group {group}: the rule uses {variable} but no context values")

    candidates = units.select(pl.col("unit").cast(pl.String), pl.col("type").cast(pl.String))
    if unit_types is not None:
        candidates = candidates.filter(pl.col("type").is_in([str(t) for t in unit_types]))
    members = _membership(group, periods, candidates.get_column("unit"))
    if variable is None:
        return members

    value = pl.col("value")
    inside = value.is_finite()
    if low is not None:
        inside &= value >= low
    if high is not None:
        inside &= value < high
    context = (
        _typed_long(context_values)
        .filter((pl.col("variable") == variable) & inside)
        .select("unit", "period")
        .unique()
    )
    return (
        members.lazy()
        .join(context, on=["unit", "period"], how="semi")
        .sort(["period", "unit"])
        .collect()
    )


def similar_units(
    structural: pl.DataFrame,
    *,
    unit: str,
    period: str,
    variables: list[str],
    k: int = 10,
    weights: dict[str, float] | None = None,
    include_unit: bool = False,
) -> pl.DataFrame:
    """The `k` units nearest to `unit` in `period` in the space of structural variables.

    `structural`: `unit, variable, period, value`. Each variable is standardised to
    z-scores over all units of the period that have a value of it (methodology.md: "over
    all units of the period"; mean, sample std with ddof = 1; a variable whose std is 0
    or undefined gives z = 0 and so contributes nothing). Only units having every chosen
    variable can be candidates, since a distance needs each coordinate. Distance:
    sqrt(sum_v w_v (z_v,u - z_v,unit)^2), weights default to 1. The unit itself is
    excluded; ties are broken by unit code.

    Returns `unit, distance` and, per variable V, the raw value `V` and `z_V`, sorted by
    distance then unit; with `include_unit` the unit's own row (distance 0) comes first,
    so that a page can show its z-scores beside its neighbours'. Raises `SimilarUnitsError` when no variables are given, the unit
    lacks one of them in the period, a weight is negative/not finite or names a variable
    not chosen, or a (unit, variable, period) appears twice.
    """
    if k < 0:
        raise SimilarUnitsError(f"k must be 0 or more, not {k}", unit=unit)
    z_scores, scales = _standardised(structural, unit=unit, period=period, variables=variables)
    weights = _weights(variables, weights)
    own = z_scores.filter(pl.col("unit") == unit).row(0, named=True)
    # z_u - z_o computed as (x_u - x_o) / std: the same number, without the rounding of
    # the mean, so units equally far in raw values tie exactly and order by code.
    squared = [
        weights[v] * ((pl.col(v) - own[v]) / scales[v]) ** 2
        for v in variables
        if weights[v] != 0 and scales[v] is not None
    ]
    distance = pl.sum_horizontal(squared).sqrt() if squared else pl.lit(0.0)
    columns = [c for v in variables for c in (v, f"z_{v}")]
    nearest = (
        z_scores.filter(pl.col("unit") != unit)
        .with_columns(distance.cast(pl.Float64).alias("distance"))
        .sort(["distance", "unit"])
        .head(k)
        .select("unit", "distance", *columns)
    )
    if not include_unit:
        return nearest
    itself = z_scores.filter(pl.col("unit") == unit).with_columns(
        pl.lit(0.0, dtype=pl.Float64).alias("distance")
    )
    return pl.concat([itself.select(nearest.columns), nearest])


def similar_members(
    structural: pl.DataFrame,
    *,
    group: str,
    unit: str,
    period: str,
    variables: list[str],
    k: int = 10,
    weights: dict[str, float] | None = None,
    periods: list[str] | None = None,
) -> pl.DataFrame:
    """Membership frame of `unit`'s similar-units group: the unit itself and its `k`
    nearest units (chosen in `period`), for each of `periods` (default: `[period]`)."""
    nearest = similar_units(
        structural, unit=unit, period=period, variables=variables, k=k, weights=weights
    )
    units = pl.concat([pl.Series([unit], dtype=pl.String), nearest.get_column("unit")])
    return _membership(group, periods if periods is not None else [period], units)


def _weights(variables: list[str], weights: dict[str, float] | None) -> dict[str, float]:
    given = dict(weights or {})
    unknown = sorted(set(given) - set(variables))
    if unknown:
        raise SimilarUnitsError(
            f"weights name variable(s) not chosen: {', '.join(unknown)}", missing=unknown
        )
    result = {}
    for v in variables:
        w = float(given.get(v, 1.0))
        if not math.isfinite(w) or w < 0:
            raise SimilarUnitsError(f"the weight of {v} must be a finite number >= 0, not {w}")
        result[v] = w
    return result


def _standardised(
    structural: pl.DataFrame, *, unit: str, period: str, variables: list[str]
) -> tuple[pl.DataFrame, dict[str, float | None]]:
    """Wide frame `unit, V..., z_V...` of the units having every variable in the period,
    standardised over all units having each variable, and each variable's std (None when
    0 or undefined: that variable then has z = 0)."""
    if not variables:
        raise SimilarUnitsError("choose at least one structural variable", unit=unit)
    if len(set(variables)) != len(variables):
        raise SimilarUnitsError(f"variables repeated in {variables}", unit=unit)
    long = (
        _typed_long(structural)
        .filter(
            (pl.col("period") == str(period))
            & pl.col("variable").is_in(list(variables))
            & pl.col("value").is_finite()
        )
        .collect()
    )
    if long.select(pl.struct("unit", "variable").is_duplicated().any()).item():
        raise SimilarUnitsError(
            f"structural values hold the same unit and variable twice in {period}", unit=unit
        )
    own = set(long.filter(pl.col("unit") == unit).get_column("variable").to_list())
    missing = [v for v in variables if v not in own]
    if missing:
        raise SimilarUnitsError(
            f"unit {unit} has no value of {', '.join(missing)} in {period}; similar units "
            "need every chosen variable",
            unit=unit,
            missing=missing,
        )
    # Mean and spread of each variable over every unit that has it, before keeping the
    # complete rows: a unit lacking AREA still belongs to the population of POPULATION.
    wide = long.pivot(on="variable", index="unit", values="value").select("unit", *variables)
    # Equal values have std 0 in exact arithmetic (a float std may leave 1e-17).
    spread = wide.select(
        pl.when(pl.col(v).max() > pl.col(v).min()).then(pl.col(v).std(ddof=1)).alias(v)
        for v in variables
    ).row(0, named=True)
    means = wide.select(pl.col(v).mean() for v in variables).row(0, named=True)
    scales = {v: std if std is not None and std > 0 else None for v, std in spread.items()}
    z_scores = wide.drop_nulls().with_columns(
        ((pl.col(v) - means[v]) / scales[v] if scales[v] is not None else pl.lit(0.0)).alias(
            f"z_{v}"
        )
        for v in variables
    )
    return z_scores, scales


def _typed_long(values: pl.DataFrame) -> pl.LazyFrame:
    """Long values `unit, variable, period, value` with their column types made sure of."""
    return values.lazy().select(
        pl.col("unit").cast(pl.String),
        pl.col("variable").cast(pl.String),
        pl.col("period").cast(pl.String),
        pl.col("value").cast(pl.Float64),
    )
