"""Targets and their status (methodology.md, "Targets and their status"): frames in, frames out.

A target of an indicator for a unit is a list of **points** — (period, target value) —
all of one kind of period (years, quarters or months). One point is a target for one
period; two or more are a trajectory, linear between consecutive points, so the target
of every period from the first point to the last is defined. The last point is the
**final target** of its **final period**.

Status, for the latest period with a value of the unit for which a target is defined:

* `on_track`: the value meets the period's target (at least it for `higher`, at most it
  for `lower`);
* `at_risk`: not met, but the least-squares line through the unit's last three values up
  to that period (at least two) reaches the final target by the final period;
* `off_track`: neither;
* `no_data`: the unit has no value in any period for which a target is defined.

A target **derived from the benchmark** keeps its rule as data (`DerivationRule`): a
statistic of a peer group in a base period (`q1`, `median`, `q3`, `mean`, `best`), the
share of the unit's gap to it to close (1 = reach it, 0.5 = halve the gap) and the final
period; the trajectory runs from the unit's value in the base period to the derived final
value.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from miara.engine.errors import EngineError, PeriodError
from miara.engine.periods import Period

STATUSES = ("on_track", "at_risk", "off_track", "no_data")
DIRECTIONS = ("higher", "lower")
STATISTICS = ("q1", "median", "q3", "mean", "best")

POINTS_SCHEMA = {
    "indicator": pl.String,
    "unit": pl.String,
    "period": pl.String,
    "target": pl.Float64,
}
VALUES_SCHEMA = {
    "indicator": pl.String,
    "unit": pl.String,
    "period": pl.String,
    "value": pl.Float64,
}
STATUS_SCHEMA = {
    "indicator": pl.String,
    "unit": pl.String,
    "period": pl.String,
    "target": pl.Float64,
    "value": pl.Float64,
    "status": pl.String,
    "final_period": pl.String,
    "final_target": pl.Float64,
}

# The least-squares line is computed in floating point: a line that reaches the final
# target exactly may land a few units in the last place short of it. Only this check
# allows for that; `met` compares exactly, as the methodology says.
_LINE_TOLERANCE = 1e-9


class TargetError(EngineError, ValueError):
    """A target that cannot be: mixed kinds of period, a repeated period, a final period
    not after the start, a neutral indicator, a derivation without its figures."""


@dataclass(frozen=True)
class TargetStatus:
    period: str | None
    target: float | None
    value: float | None
    status: str
    final_period: str
    final_target: float


def _parsed(points: Iterable[tuple[str, float]]) -> list[tuple[Period, float]]:
    parsed = sorted((Period.parse(p), float(t)) for p, t in points)
    if not parsed:
        raise TargetError("a target needs at least one period and value")
    kinds = {p.kind for p, _t in parsed}
    if len(kinds) > 1:
        raise TargetError(
            "the periods of one target must be of one kind (years, quarters or months)"
        )
    seen = [p for p, _t in parsed]
    if len(set(seen)) != len(seen):
        repeated = next(p for p in seen if seen.count(p) > 1)
        raise TargetError(f"the period {repeated.code} is given twice")
    return parsed


def trajectory(points: Iterable[tuple[str, float]]) -> list[tuple[str, float]]:
    """The target of every period from the first point to the last, oldest first: the
    points themselves and, between consecutive points, the straight line joining them."""
    parsed = _parsed(points)
    out: list[tuple[str, float]] = []
    for (p0, t0), (p1, t1) in itertools.pairwise(parsed):
        steps = p1.ordinal - p0.ordinal
        for k in range(steps):
            out.append((p0.shifted(k).code, t0 + (t1 - t0) * k / steps))
    last_period, last_target = parsed[-1]
    out.append((last_period.code, last_target))
    return out


def target_for(points: Iterable[tuple[str, float]], period: str) -> float | None:
    """The target of `period` (None outside the trajectory or of another kind)."""
    code = Period.parse(period).code
    return dict(trajectory(points)).get(code)


def is_met(value: float, target: float, direction: str) -> bool:
    """Met: at least the target (`higher`), at most the target (`lower`)."""
    if direction == "higher":
        return value >= target
    if direction == "lower":
        return value <= target
    raise TargetError(f"an indicator of direction {direction!r} takes no targets")


def least_squares(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Slope and intercept of the ordinary least-squares line through (xs, ys); at least two
    distinct xs."""
    n = len(xs)
    mx = sum(xs) / n
    my = sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if n < 2 or sxx == 0:
        raise TargetError("a line needs at least two distinct periods")
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return slope, my - slope * mx


def _line_reaches(predicted: float, target: float, direction: str) -> bool:
    slack = _LINE_TOLERANCE * max(1.0, abs(target))
    if direction == "higher":
        return predicted >= target - slack
    return predicted <= target + slack


def status_of(
    points: Iterable[tuple[str, float]], values: dict[str, float | None], direction: str
) -> TargetStatus:
    """The status of one target (its points) given the unit's values by period code."""
    if direction not in DIRECTIONS:
        raise TargetError(f"an indicator of direction {direction!r} takes no targets")
    path = trajectory(points)
    final_code, final_target = path[-1]
    final = Period.parse(final_code)
    kind = final.kind
    own: dict[Period, float] = {}
    for code, value in values.items():
        if value is None:
            continue
        try:
            period = Period.parse(code)
        except PeriodError:
            continue
        if period.kind == kind:
            own[period] = float(value)
    measured = [(Period.parse(p), t) for p, t in path if Period.parse(p) in own]
    if not measured:
        return TargetStatus(None, None, None, "no_data", final_code, final_target)
    period, target = measured[-1]
    value = own[period]
    if is_met(value, target, direction):
        status = "on_track"
    else:
        history = sorted(p for p in own if p <= period)[-3:]
        status = "off_track"
        if len(history) >= 2:
            slope, intercept = least_squares(
                [float(p.ordinal) for p in history], [own[p] for p in history]
            )
            if _line_reaches(intercept + slope * final.ordinal, final_target, direction):
                status = "at_risk"
    return TargetStatus(period.code, target, value, status, final_code, final_target)


def targets_status(
    points: pl.DataFrame, values: pl.DataFrame, directions: dict[str, str]
) -> pl.DataFrame:
    """One row per indicator and unit of `points` (POINTS_SCHEMA) with its status
    (STATUS_SCHEMA), given the units' indicator values (VALUES_SCHEMA) and each
    indicator's direction. Sorted by indicator and unit."""
    by_key: dict[tuple[str, str], dict[str, float | None]] = {}
    for indicator, unit, period, value in values.select(
        "indicator", "unit", "period", "value"
    ).rows():
        by_key.setdefault((indicator, unit), {})[period] = value
    plans: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for indicator, unit, period, target in points.select(
        "indicator", "unit", "period", "target"
    ).rows():
        plans.setdefault((indicator, unit), []).append((period, target))
    rows = []
    for (indicator, unit), plan in sorted(plans.items()):
        found = status_of(plan, by_key.get((indicator, unit), {}), directions[indicator])
        rows.append(
            (
                indicator,
                unit,
                found.period,
                found.target,
                found.value,
                found.status,
                found.final_period,
                found.final_target,
            )
        )
    return pl.DataFrame(rows, schema=STATUS_SCHEMA, orient="row")


# --- derivation from the benchmark ------------------------------------------------------


@dataclass(frozen=True)
class DerivationRule:
    """A target derived from the benchmark, kept as data: close `fraction` of the unit's gap
    to the group's `statistic` of `base_period` by `final_period` (fraction 1: reach it)."""

    statistic: str
    base_period: str
    final_period: str
    group: str = "all"
    fraction: float = 1.0

    def __post_init__(self):
        if self.statistic not in STATISTICS:
            raise TargetError(
                f"unknown statistic {self.statistic!r}; use one of {', '.join(STATISTICS)}"
            )
        if not 0 < self.fraction <= 1:
            raise TargetError("the share of the gap to close must be above 0 and at most 1")
        base, final = Period.parse(self.base_period), Period.parse(self.final_period)
        if base.kind != final.kind:
            raise TargetError("the base and final periods must be of one kind")
        if final <= base:
            raise TargetError(
                f"the final period {final.code} must come after the base period {base.code}"
            )

    @classmethod
    def in_periods(
        cls, *, statistic: str, base_period: str, periods: int, group: str = "all", fraction=1.0
    ) -> DerivationRule:
        """The rule whose final period is `periods` periods after the base ("in two years")."""
        final = Period.parse(base_period).shifted(periods).code
        return cls(statistic, base_period, final, group, fraction)

    def params(self) -> dict:
        return {
            "statistic": self.statistic,
            "base_period": self.base_period,
            "final_period": self.final_period,
            "group": self.group,
            "fraction": self.fraction,
        }

    @classmethod
    def from_params(cls, params: dict) -> DerivationRule:
        return cls(
            params["statistic"],
            params["base_period"],
            params["final_period"],
            params.get("group", "all"),
            float(params.get("fraction", 1.0)),
        )


def derive(
    rule: DerivationRule, *, value: float | None, figures: dict[str, float | None], direction: str
) -> list[tuple[str, float]]:
    """The points of the target `rule` derives for a unit whose value in the base period is
    `value`, from its group's `figures` of that period (q1, median, q3, mean, best).

    Start: (base period, the unit's value); final: (final period, value + fraction ×
    (statistic − value)). A unit already at least as good as the statistic keeps its
    value as the final target: a target is never worse than where the unit stands.
    """
    if direction not in DIRECTIONS:
        raise TargetError(f"an indicator of direction {direction!r} takes no targets")
    if value is None:
        raise TargetError(f"the unit has no value in {rule.base_period} to start from")
    statistic = figures.get(rule.statistic)
    if statistic is None:
        raise TargetError(f"the group {rule.group} has no {rule.statistic} in {rule.base_period}")
    if is_met(value, statistic, direction):
        final = value
    elif rule.fraction == 1:
        final = statistic
    else:
        final = value + rule.fraction * (statistic - value)
    return [
        (Period.parse(rule.base_period).code, value),
        (Period.parse(rule.final_period).code, final),
    ]
