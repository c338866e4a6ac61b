"""Evidence around a change (methodology.md, "Evidence around a change"): frames in, numbers out.

For a linked indicator, a unit and the period an improvement project (or a practice)
started, compare the unit with its group's median before and after:

* the unit's **relative gap** to the group median in a period is
  `(value − median) / |median|`, multiplied by −1 when lower is better, so that a positive
  gap is always better than the median; not defined for a neutral indicator (as
  `engine.stats.relative_gap_to_median`, which the scorecard sorts by);
* **before** is the last period before the start with both a value and a median; **after**
  is the latest period (at or after the start) with both;
* the gap's **change** is after − before; the **median's own change** over the same
  periods (after − before, and relative to |median before|) is reported beside it, so a
  reader sees whether the unit moved or the whole group did.

It is evidence, never proof of cause: a group that improved as much as the unit says the
project may not be why.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

import polars as pl

from miara.engine.periods import Period

# The rows the evidence is read from: the unit's value and its group's median per period.
EVIDENCE_SCHEMA = {"period": pl.String, "value": pl.Float64, "median": pl.Float64}


def period_of(day: datetime.date, kind: str) -> Period:
    """The period of `kind` ("year", "quarter", "month") that contains `day`."""
    if kind == "quarter":
        return Period("quarter", day.year, (day.month - 1) // 3 + 1)
    if kind == "month":
        return Period("month", day.year, day.month)
    return Period("year", day.year, 0)


def relative_gap(value: float | None, median: float | None, direction: str) -> float | None:
    """`(value − median) / |median|`, positive when better than the median by `direction`;
    None when either is missing, the median is zero (the ratio is undefined) or the
    indicator is neutral (nothing is better)."""
    if value is None or median is None or median == 0 or direction not in ("higher", "lower"):
        return None
    if not (math.isfinite(value) and math.isfinite(median)):
        return None
    gap = (value - median) / abs(median)
    return -gap if direction == "lower" else gap


@dataclass(frozen=True)
class Evidence:
    """The unit against its group median before and after the start (None: no such period)."""

    start: str
    before_period: str | None = None
    before_value: float | None = None
    before_median: float | None = None
    before_gap: float | None = None
    after_period: str | None = None
    after_value: float | None = None
    after_median: float | None = None
    after_gap: float | None = None

    @property
    def gap_change(self) -> float | None:
        """How much the relative gap moved (positive: the unit gained on the median)."""
        if self.before_gap is None or self.after_gap is None:
            return None
        return self.after_gap - self.before_gap

    @property
    def median_change(self) -> float | None:
        """The group median's own change between the same two periods."""
        if self.before_median is None or self.after_median is None:
            return None
        return self.after_median - self.before_median

    @property
    def median_change_relative(self) -> float | None:
        """The median's change relative to |median before| (None when that is zero)."""
        change = self.median_change
        if change is None or self.before_median == 0:
            return None
        return change / abs(self.before_median)

    @property
    def complete(self) -> bool:
        return self.gap_change is not None


def evidence(frame: pl.DataFrame, *, start: str, direction: str) -> Evidence:
    """The evidence around `start` (a period code) from `frame` (EVIDENCE_SCHEMA: the
    unit's value and the group median per period, periods of one kind as `start`).

    Periods whose kind differs from `start`'s, or without both a value and a median, are
    left out."""
    begin = Period.parse(start)
    usable: list[tuple[Period, float, float]] = []
    for row in frame.iter_rows(named=True):
        value, median = row["value"], row["median"]
        if value is None or median is None:
            continue
        if not (math.isfinite(value) and math.isfinite(median)):
            continue
        period = Period.parse(row["period"])
        if period.kind == begin.kind:
            usable.append((period, value, median))
    usable.sort(key=lambda item: item[0])
    before = [item for item in usable if item[0] < begin]
    after = [item for item in usable if item[0] >= begin]
    found: dict = {"start": begin.code}
    if before:
        period, value, median = before[-1]
        found.update(
            before_period=period.code,
            before_value=value,
            before_median=median,
            before_gap=relative_gap(value, median, direction),
        )
    if after:
        period, value, median = after[-1]
        found.update(
            after_period=period.code,
            after_value=value,
            after_median=median,
            after_gap=relative_gap(value, median, direction),
        )
    return Evidence(**found)


def relative_change(before: float | None, after: float | None, direction: str) -> float | None:
    """How much an indicator moved from one period to the next, relative to |before|, and
    positive when it moved the better way (`after − before` negated when lower is better).
    None when either value is missing, `before` is zero, or the indicator is neutral (a
    neutral change is reported by `raw_change` alone)."""
    change = raw_change(before, after)
    if change is None or direction not in ("higher", "lower"):
        return None
    return -change if direction == "lower" else change


def raw_change(before: float | None, after: float | None) -> float | None:
    """`(after − before) / |before|`: None when either is missing or `before` is zero."""
    if before is None or after is None or before == 0:
        return None
    if not (math.isfinite(before) and math.isfinite(after)):
        return None
    return (after - before) / abs(before)
