"""Context-fair comparison and the uncertainty of a small group's median (methodology.md).

**Expected value.** A unit with many inhabitants or a large area may cost more per case
for reasons it cannot change. For one indicator, period and group, an ordinary
least-squares line (with an intercept) is fitted of the indicator on the chosen context
variables, over the units of the group that have the indicator and every variable. A
unit's *expected* value is the fit at its own context; its *result against expectation*
is `value - expected`, signed so that a positive number is better than expected: as is
for a `higher` indicator, negated for a `lower` one (`expected - value`); left as
`value - expected` for a `neutral` one. The fit's R² and n go with it. With fewer than
`len(variables) + 5` such units, or when the variables are collinear over them (the
design matrix has less than full rank), there is no fit and the reason says which.

**Bootstrap interval of a median.** A median of six values is a rough figure; the interval
shows how rough. 2,000 resamples of the group's values, drawn with replacement with a
fixed-seed generator (numpy's PCG64 via `default_rng(seed)`), each give a median; the
interval is the 5 % and 95 % quantiles (type 7) of those medians (Efron & Tibshirani
1993, ch. 13, the percentile interval). The same values always give the same interval.

Pure: numpy and Polars in, plain values out; no Django, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

MIN_EXTRA_UNITS = 5  # a fit needs at least len(variables) + 5 units
SMALL_GROUP = 10  # below this many units a median gets its bootstrap interval
RESAMPLES = 2000
LEVEL = 0.9
SEED = 20_240_901  # fixed, so the same values always give the same interval

NoFitReason = Literal["no_variables", "too_few_units", "collinear"]

EXPECTED_SCHEMA = {
    "unit": pl.String,
    "value": pl.Float64,
    "expected": pl.Float64,
    "against": pl.Float64,
}


@dataclass(frozen=True)
class ContextFit:
    """The result of `expected_values`.

    `units`: unit, value, expected, against (value − expected signed by direction) for
    every unit of the fit, sorted by unit; empty when there is no fit. `coefficients`:
    intercept first, then one per variable in the order given. `reason`: why there is no
    fit (`no_variables`, `too_few_units`, `collinear`), else None. `needed`: the least n
    a fit needs.
    """

    variables: tuple[str, ...]
    n: int
    needed: int
    r_squared: float | None
    coefficients: tuple[float, ...]
    units: pl.DataFrame
    reason: NoFitReason | None

    @property
    def fitted(self) -> bool:
        return self.reason is None


def expected_values(
    frame: pl.DataFrame,
    indicator: str,
    variables: list[str] | tuple[str, ...],
    direction: str,
) -> ContextFit:
    """Fit `indicator` on `variables` over the rows of `frame` that have all of them.

    `frame` has a `unit` column and one Float64 column per code (the indicator and the
    variables), one row per unit of the group; missing values are nulls (NaN and infinity
    count as missing). A variable named twice is used once.
    """
    variables = tuple(dict.fromkeys(variables))
    needed = len(variables) + MIN_EXTRA_UNITS
    empty = pl.DataFrame(schema=EXPECTED_SCHEMA)
    if not variables:
        return ContextFit(variables, 0, needed, None, (), empty, "no_variables")
    columns = [indicator, *variables]
    complete = (
        frame.select(
            pl.col("unit").cast(pl.String),
            *(pl.col(code).cast(pl.Float64) for code in columns),
        )
        .filter(pl.all_horizontal(pl.col(code).is_finite() for code in columns))
        .sort("unit")
    )
    n = complete.height
    if n < needed:
        return ContextFit(variables, n, needed, None, (), empty, "too_few_units")
    y = complete[indicator].to_numpy()
    design = np.column_stack([np.ones(n), complete.select(variables).to_numpy()])
    coefficients, _, rank, _ = np.linalg.lstsq(design, y, rcond=None)
    if rank < design.shape[1]:
        return ContextFit(variables, n, needed, None, (), empty, "collinear")
    expected = design @ coefficients
    residual = y - expected
    total = float(np.sum((y - y.mean()) ** 2))
    # All values equal: the fit is exact and explains everything there was to explain.
    r_squared = 1.0 - float(np.sum(residual**2)) / total if total > 0 else 1.0
    sign = -1.0 if direction == "lower" else 1.0
    units = pl.DataFrame(
        {
            "unit": complete["unit"],
            "value": y,
            "expected": expected,
            "against": sign * residual,
        },
        schema=EXPECTED_SCHEMA,
    )
    return ContextFit(
        variables,
        n,
        needed,
        r_squared,
        tuple(float(c) for c in coefficients),
        units,
        None,
    )


@dataclass(frozen=True)
class MedianInterval:
    """A median and its percentile-bootstrap interval at `level`."""

    median: float
    low: float
    high: float
    level: float
    resamples: int


def bootstrap_median_interval(
    values,
    resamples: int = RESAMPLES,
    level: float = LEVEL,
    seed: int = SEED,
) -> MedianInterval | None:
    """The median of `values` with its percentile-bootstrap interval; None without values.

    Vectorised: one (resamples × n) matrix of indices drawn by
    `np.random.default_rng(seed).integers(0, n, size=(resamples, n))`, one median per
    row, then the `(1 - level) / 2` and `(1 + level) / 2` quantiles of the medians
    (linear interpolation). Missing and non-finite values are left out first, and values
    are sorted, so the interval does not depend on the order they come in.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, not {level}")
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1, not {resamples}")
    data = np.asarray([v for v in values if v is not None], dtype=float)
    data = np.sort(data[np.isfinite(data)])
    if data.size == 0:
        return None
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, data.size, size=(resamples, data.size))
    medians = np.median(data[picks], axis=1)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(medians, [tail, 1.0 - tail], method="linear")
    return MedianInterval(
        median=float(np.median(data)),
        low=float(low),
        high=float(high),
        level=level,
        resamples=resamples,
    )


def bootstrap_median_intervals(
    values: pl.DataFrame,
    by: list[str],
    small: int = SMALL_GROUP,
    resamples: int = RESAMPLES,
    level: float = LEVEL,
    seed: int = SEED,
) -> pl.DataFrame:
    """`bootstrap_median_interval` for every group of `values` (columns `by` + `value`)
    with at least one and fewer than `small` finite values: `by`, n, median_low,
    median_high. Each group uses the same seed, so a group's interval does not depend on
    which other groups are in the frame."""
    schema = {
        **{key: values.schema[key] for key in by},
        "n": pl.Int64,
        "median_low": pl.Float64,
        "median_high": pl.Float64,
    }
    rows = []
    clean = values.filter(pl.col("value").is_finite())
    for key, part in clean.group_by(by, maintain_order=True):
        if part.height >= small:
            continue
        interval = bootstrap_median_interval(part["value"].to_list(), resamples, level, seed)
        rows.append((*key, part.height, interval.low, interval.high))
    return pl.DataFrame(rows, schema=schema, orient="row").sort(by)
