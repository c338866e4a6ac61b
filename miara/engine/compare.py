"""What changed between two computations of the same period (a result set and its previous).

Frames in, a small summary out: which units appeared or disappeared, how many indicator
values changed, and the largest changes. The input is one row per indicator and unit
(`indicator: str, unit: str, value: f64`), e.g. the group `all` of a result set, where
every unit with a value appears once per indicator.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

VALUES_SCHEMA = {"indicator": pl.String, "unit": pl.String, "value": pl.Float64}
CHANGES_SCHEMA = {
    "indicator": pl.String,
    "unit": pl.String,
    "before": pl.Float64,
    "after": pl.Float64,
    "change": pl.Float64,
    "relative": pl.Float64,
}


@dataclass(frozen=True)
class ResultsDiff:
    """The difference between two computations.

    `units_added`/`units_removed`: units with at least one value in only one of them.
    `values_changed`: (indicator, unit) pairs present in both whose value differs by more
    than `tolerance` (relative); `values_added`/`values_removed`: pairs in only one.
    `largest`: the changed pairs with the largest relative change (`relative` =
    |after − before| / |before|, null when before is 0, sorted after every finite one),
    as a frame of `CHANGES_SCHEMA`.
    """

    units_added: list[str]
    units_removed: list[str]
    values_changed: int
    values_added: int
    values_removed: int
    largest: pl.DataFrame

    @property
    def is_empty(self) -> bool:
        return not (
            self.units_added
            or self.units_removed
            or self.values_changed
            or self.values_added
            or self.values_removed
        )


def compare_results(
    before: pl.DataFrame, after: pl.DataFrame, *, largest: int = 5, tolerance: float = 1e-9
) -> ResultsDiff:
    """Compare two sets of indicator values (`indicator, unit, value`), one row per pair.

    A value counts as changed when |after − before| > tolerance × max(1, |before|), so the
    last bits of floating-point noise between two identical computations are not changes.
    """
    old = before.select(VALUES_SCHEMA.keys()).cast(VALUES_SCHEMA)
    new = after.select(VALUES_SCHEMA.keys()).cast(VALUES_SCHEMA)
    old_units = set(old.get_column("unit").unique().to_list())
    new_units = set(new.get_column("unit").unique().to_list())
    joined = old.join(new, on=["indicator", "unit"], how="full", coalesce=True, suffix="_after")
    joined = joined.rename({"value": "before", "value_after": "after"})
    both = joined.filter(pl.col("before").is_not_null() & pl.col("after").is_not_null())
    changed = both.with_columns((pl.col("after") - pl.col("before")).alias("change")).filter(
        pl.col("change").abs() > tolerance * pl.max_horizontal(pl.lit(1.0), pl.col("before").abs())
    )
    changed = changed.with_columns(
        pl.when(pl.col("before") != 0)
        .then(pl.col("change").abs() / pl.col("before").abs())
        .otherwise(None)
        .alias("relative")
    )
    top = (
        changed.sort(
            [pl.col("relative").is_null(), "relative", pl.col("change").abs(), "indicator", "unit"],
            descending=[False, True, True, False, False],
        )
        .head(largest)
        .select(CHANGES_SCHEMA.keys())
    )
    return ResultsDiff(
        units_added=sorted(new_units - old_units),
        units_removed=sorted(old_units - new_units),
        values_changed=changed.height,
        values_added=joined.filter(pl.col("before").is_null()).height,
        values_removed=joined.filter(pl.col("after").is_null()).height,
        largest=top,
    )
