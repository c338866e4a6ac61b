"""Context-fair comparison and the bootstrap interval of a small group's median: the reads
around `engine.context` (methodology.md, "Context-fair comparison").

The fit runs over every unit of the group (the system's read: a participant's own units
alone could not carry it); what leaves this module follows the reader's scope
(`analytics.peers`): coordinators and experts get every unit's value, context, expected
value and result against expectation; a participant gets those of their own units only,
and of the fit its n and R² — never another unit's expected value, which with the fit's
line would give away that unit's context figures.

Caching: the median intervals depend on the stored result set only and are kept under
its key (`lib.memo`); the fit also reads stored variable values, which may be edited
after a computation, so it is computed afresh on every request (one read and one least
squares; milliseconds even for a national group).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
from django.db import connection
from django.utils.translation import gettext as _

from miara.accounts.scope import visible_unit_ids
from miara.analytics.benchmark import current_result_set
from miara.analytics.indicator_detail import UnitLabel, group_rows, unit_labeller
from miara.analytics.models import GroupStatistic, UnitResult
from miara.analytics.selectors import result_set_key
from miara.analytics.similar import structural_variables
from miara.catalogue.models import Indicator, Variable
from miara.collection.selectors import values_frame
from miara.engine.context import (
    LEVEL,
    SMALL_GROUP,
    ContextFit,
    bootstrap_median_intervals,
    expected_values,
)
from miara.lib import memo
from miara.units.models import Unit

DEFAULT_VARIABLE = "POPULATION"
MAX_VARIABLES = 4  # each variable needs one more unit; four already asks for nine


class ContextChoiceError(ValueError):
    """A choice of context variables a page cannot use; the message is for people."""


def context_variables() -> list[Variable]:
    """The variables a fit may use: the catalogue's context variables (no service area)."""
    return structural_variables()


def context_choice(variables: str | Iterable[str] | None) -> tuple[str, ...]:
    """The chosen variable codes (comma-separated text or a list), in order, repeats
    dropped; by default POPULATION when the catalogue has it, else its first context
    variable. Raises `ContextChoiceError` naming an unknown variable or too many."""
    available = [v.code for v in context_variables()]
    if isinstance(variables, str):
        variables = variables.split(",")
    codes = list(dict.fromkeys(c.strip() for c in variables or [] if c and c.strip()))
    if not codes:
        if not available:
            raise ContextChoiceError(
                _("The catalogue has no context variable to compare with (population, area…).")
            )
        return (DEFAULT_VARIABLE if DEFAULT_VARIABLE in available else available[0],)
    unknown = [c for c in codes if c not in available]
    if unknown:
        raise ContextChoiceError(
            _("%(codes)s: not a context variable. Choose from: %(available)s.")
            % {"codes": ", ".join(unknown), "available": ", ".join(available)}
        )
    if len(codes) > MAX_VARIABLES:
        raise ContextChoiceError(
            _("Choose at most %(max)s context variables, not %(n)s.")
            % {"max": MAX_VARIABLES, "n": len(codes)}
        )
    return tuple(codes)


@dataclass(frozen=True)
class ContextRow:
    """One unit of the fit as the reader may see it; `context` holds its value of each
    chosen variable, in the order chosen."""

    label: UnitLabel
    value: float
    expected: float
    against: float
    context: tuple[float, ...]
    highlight: bool

    @property
    def gap(self) -> float:
        """How far from the expectation, whichever side."""
        return abs(self.against)

    @property
    def side(self) -> str:
        """ "above" (better than expected; for a neutral indicator: more), "below" or "equal"."""
        if self.against > 0:
            return "above"
        return "below" if self.against < 0 else "equal"


@dataclass(frozen=True)
class ContextComparison:
    indicator: Indicator
    period: str
    group: str
    variables: tuple[Variable, ...]
    fit: ContextFit
    rows: tuple[ContextRow, ...]  # what the reader may see: every unit, or their own
    mine: ContextRow | None  # the unit looked from, when it takes part in the fit
    sees_all: bool
    in_group: bool  # the unit looked from has a value of the indicator in the group

    @property
    def coefficients(self) -> tuple[tuple[str, float], ...]:
        """(label, coefficient) of the intercept and each variable, for all-seeing readers."""
        if not self.fit.fitted or not self.sees_all:
            return ()
        names = (_("Intercept"), *(v.label for v in self.variables))
        return tuple(zip(names, self.fit.coefficients, strict=True))


def _fit_frame(result_set, indicator: Indicator, group: str, variables: tuple[str, ...]):
    """unit, the indicator and each variable, one row per unit of the group with a value."""
    rows = group_rows(result_set, indicator, group)
    codes = [r[1] for r in rows]
    frame = pl.DataFrame(
        {"unit": codes, indicator.code: [r[3] for r in rows]},
        schema={"unit": pl.String, indicator.code: pl.Float64},
    )
    if not codes:
        return frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(v) for v in variables)
    # The system's read: the fit needs every unit of the group (see the module's docstring).
    stored = values_frame(periods=[result_set.period], variables=list(variables))
    stored = stored.filter(pl.col("unit").is_in(codes))
    if stored.is_empty():
        wide = pl.DataFrame({"unit": []}, schema={"unit": pl.String})
    else:
        wide = stored.pivot(on="variable", index="unit", values="value", aggregate_function="first")
    for v in variables:
        if v not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.Float64).alias(v))
    wide = wide.select("unit", *(pl.col(v).cast(pl.Float64) for v in variables))
    return frame.join(wide, on="unit", how="left")


def context_comparison(
    *,
    user,
    indicator: Indicator,
    period: str,
    group: str,
    unit: Unit | None,
    variables: tuple[str, ...],
) -> ContextComparison:
    """The fit of `indicator` on `variables` over `group` in `period`, as `user` may see it.

    Callers have authorised `unit` and `group` (the indicator page's request checks)."""
    result_set = current_result_set(period)
    by_code = {v.code: v for v in Variable.objects.filter(code__in=variables)}
    chosen = tuple(by_code[c] for c in variables)
    frame = _fit_frame(result_set, indicator, group, variables) if result_set else None
    if frame is None:
        frame = pl.DataFrame(
            schema={"unit": pl.String, indicator.code: pl.Float64}
            | dict.fromkeys(variables, pl.Float64)
        )
    fit = expected_values(frame, indicator.code, variables, indicator.direction)
    labeller = unit_labeller(user, indicator, period)
    sees_all = labeller.visible is None
    ids = (
        {r[1]: (r[0], r[2]) for r in group_rows(result_set, indicator, group)} if result_set else {}
    )
    fitted = set(fit.units["unit"].to_list())
    contexts = {
        r[0]: tuple(r[1:]) for r in frame.select("unit", *variables).rows() if r[0] in fitted
    }
    rows = []
    for code, value, expected, against in fit.units.rows():
        unit_id, name = ids[code]
        if not sees_all and unit_id not in labeller.visible:
            continue
        rows.append(
            ContextRow(
                label=labeller(unit_id, code, name),
                value=value,
                expected=expected,
                against=against,
                context=contexts[code],
                highlight=unit is not None and unit_id == unit.pk,
            )
        )
    # Largest result against expectation first: the order the chart's table reads in.
    rows.sort(key=lambda r: (-r.against, r.label.label))
    return ContextComparison(
        indicator=indicator,
        period=period,
        group=group,
        variables=chosen,
        fit=fit,
        rows=tuple(rows),
        mine=next((r for r in rows if r.highlight), None),
        sees_all=sees_all,
        in_group=unit is not None and any(r[0] == unit.pk for r in ids.values()),
    )


def reader_in_group(user, indicator: Indicator, period: str, group: str) -> bool:
    """Whether `user` may see the fit of `group`: every group for all-seeing roles; for a
    participant only a group one of their units has a value in (as the indicator page's
    choice of groups), so that the size of other groups is not told either."""
    visible = visible_unit_ids(user)
    if visible is None:
        return True
    result_set = current_result_set(period)
    return (
        result_set is not None
        and UnitResult.objects.filter(
            result_set=result_set, indicator=indicator, group=group, unit_id__in=visible
        ).exists()
    )


# -- the bootstrap interval of a small group's median ------------------------------------


def median_intervals(result_set, group: str) -> dict[int, tuple[float, float]]:
    """Indicator id -> (low, high) of the 90 % bootstrap interval of the median, for every
    indicator whose `group` has fewer than SMALL_GROUP units with a value in `result_set`.

    Computed from the group's stored unit values (only the bounds leave here) and kept
    under the result set's key: read-only for callers."""
    if result_set is None:
        return {}
    key = f"median-intervals:{SMALL_GROUP}:{LEVEL}:{result_set_key(result_set)}:{group}"
    return memo.get_or_build(key, lambda: _median_intervals(result_set, group))


def _median_intervals(result_set, group: str) -> dict[int, tuple[float, float]]:
    small = list(
        GroupStatistic.objects.filter(
            result_set=result_set, group=group, n__lt=SMALL_GROUP, n__gt=0
        ).values_list("indicator_id", flat=True)
    )
    if not small:
        return {}
    marks = ", ".join(["%s"] * len(small))
    sql = (
        "SELECT indicator_id, value FROM analytics_unitresult "
        f'WHERE result_set_id = %s AND "group" = %s AND indicator_id IN ({marks})'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [result_set.pk, group, *small])
        found = cursor.fetchall()
    values = pl.DataFrame(found, schema={"indicator": pl.Int64, "value": pl.Float64}, orient="row")
    out = bootstrap_median_intervals(values, ["indicator"])
    return {ind: (low, high) for ind, _n, low, high in out.rows()}


def median_interval(period: str, group: str, indicator: Indicator) -> tuple[float, float] | None:
    """The interval of one indicator's group median in `period`, when the group is small."""
    return median_intervals(current_result_set(period), group).get(indicator.pk)
