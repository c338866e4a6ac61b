"""Reads of targets, each scoped to the acting user (services.may_read_targets): a unit's
own users read its targets; coordinators and experts where the office shares them.

Statuses are the engine's (`engine.targets.targets_status`) on the units' indicator
values of the current result sets (group `all`, which holds every unit's value).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from miara.accounts.scope import is_operator, visible_unit_ids
from miara.analytics.hooks import TargetMark, UnitTargets
from miara.analytics.selectors import unit_indicator_values
from miara.engine.targets import POINTS_SCHEMA, VALUES_SCHEMA, targets_status, trajectory
from miara.targets.models import Target, TargetChange, TargetSettings
from miara.targets.services import may_plan, may_read_targets, unit_for
from miara.units.models import Unit

EXPORT_COLUMNS = ["indicator", "unit", "period", "target", "value", "status"]
STATUS_LABELS = {
    "on_track": gettext_lazy("on track"),
    "at_risk": gettext_lazy("at risk"),
    "off_track": gettext_lazy("off track"),
    "no_data": gettext_lazy("no data"),
}
# A mark beside the words (never colour alone): ✓ met, ! at risk, ✗ off, ? no data.
STATUS_MARKS = {"on_track": "✓", "at_risk": "!", "off_track": "✗", "no_data": "?"}


def readable_unit_ids(user) -> set[int] | None:
    """Ids of the units whose targets the user reads; None: every unit (the operator)."""
    if is_operator(user):
        return None
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    own = set(user.units.values_list("id", flat=True))
    if visible_unit_ids(user) is None:
        own |= set(
            TargetSettings.objects.filter(shares_targets=True).values_list("unit_id", flat=True)
        )
    return own


def _targets(user, unit_codes: list[str] | None = None):
    query = Target.objects.select_related("indicator", "unit", "owner").prefetch_related("points")
    readable = readable_unit_ids(user)
    if readable is not None:
        query = query.filter(unit_id__in=readable)
    if unit_codes:
        query = query.filter(unit__code__in=unit_codes)
    return query.order_by("unit__code", "indicator__code")


def _status_frame(targets: list[Target]) -> pl.DataFrame:
    points = pl.DataFrame(
        [
            (t.indicator.code, t.unit.code, p.period, p.value)
            for t in targets
            for p in t.points.all()
        ],
        schema=POINTS_SCHEMA,
        orient="row",
    )
    if points.is_empty():
        return targets_status(points, pl.DataFrame(schema=VALUES_SCHEMA), {})
    # The units' own values now (not a result set's): a target's status follows each
    # save, and monthly targets follow monthly running data, which no result set holds.
    values = unit_indicator_values(
        units=sorted({t.unit.code for t in targets}),
        indicators=sorted({t.indicator.code for t in targets}),
    ).select(*VALUES_SCHEMA)
    directions = {t.indicator.code: t.indicator.direction for t in targets}
    return targets_status(points, values, directions)


def targets_export(*, acting_user, unit_codes: list[str] | None = None) -> pl.DataFrame:
    """`miara export targets` (contracts.md): one row per indicator and unit with a target,
    `indicator,unit,period,target,value,status`; `period` the latest period with a value
    for which a target is set (empty when none, and so are `target` and `value`)."""
    for code in unit_codes or []:
        unit = unit_for(unit_code=code, acting_user=acting_user)
        if not may_read_targets(acting_user, unit):
            raise PermissionDenied(
                _("The targets of %(unit)s are not shared with the programme.")
                % {"unit": unit.code}
            )
    return _status_frame(list(_targets(acting_user, unit_codes))).select(EXPORT_COLUMNS)


@dataclass
class TargetRow:
    target: Target
    points: list[tuple[str, float]]
    status: str
    period: str | None
    period_target: float | None
    value: float | None
    final_period: str
    final_target: float
    rule_label: str = ""

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def status_mark(self) -> str:
        return STATUS_MARKS[self.status]

    @property
    def indicator(self):
        return self.target.indicator


def unit_targets(*, user, unit: Unit) -> list[TargetRow]:
    """The unit's targets with their status, by indicator code (PermissionDenied when the
    user may not read them)."""
    if not may_read_targets(user, unit):
        raise PermissionDenied(
            _("The targets of %(unit)s are not shared with the programme.") % {"unit": unit.code}
        )
    targets = list(_targets(user, [unit.code]))
    status = {(r["indicator"], r["unit"]): r for r in _status_frame(targets).to_dicts()}
    rows = []
    for t in targets:
        s = status[(t.indicator.code, t.unit.code)]
        rows.append(
            TargetRow(
                target=t,
                points=t.points_list(),
                status=s["status"],
                period=s["period"],
                period_target=s["target"],
                value=s["value"],
                final_period=s["final_period"],
                final_target=s["final_target"],
            )
        )
    return rows


def target_history(*, user, unit: Unit, limit: int = 100) -> list[TargetChange]:
    """The latest changes of the unit's targets, newest first."""
    if not may_read_targets(user, unit):
        raise PermissionDenied
    return list(
        TargetChange.objects.filter(unit=unit)
        .select_related("indicator", "changed_by")
        .order_by("-at", "-id")[:limit]
    )


def target_of(*, user, unit: Unit, indicator_code: str) -> Target | None:
    if not may_read_targets(user, unit):
        raise PermissionDenied
    return (
        Target.objects.filter(unit=unit, indicator__code=indicator_code)
        .prefetch_related("points")
        .first()
    )


# --- answers to analytics (analytics.hooks) ----------------------------------------------


def answer_unit_targets(sender=None, *, user, unit, period: str, **kwargs) -> UnitTargets | None:
    """The scorecard's target marks of the unit (only what the user may read)."""
    if not may_read_targets(user, unit):
        return None
    rows = unit_targets(user=user, unit=unit)
    page = reverse("targets:unit", args=[unit.code])
    marks = {
        r.indicator.code: TargetMark(
            status=r.status,
            label=r.status_label,
            target=r.period_target,
            url=f"{page}#target-{r.indicator.code}",
        )
        for r in rows
    }
    stamp = ";".join(f"{r.indicator.code}:{r.target.version}:{r.status}:{r.period}" for r in rows)
    set_url = f"{page}?indicator=" if may_plan(user, unit) else ""
    return UnitTargets(
        marks=marks, stamp=stamp + ("|plan" if set_url else ""), set_url=set_url, page_url=page
    )


def answer_indicator_target(
    sender=None, *, user, unit, indicator, **kwargs
) -> list[tuple[str, float]]:
    """The unit's target of the indicator in every period of its trajectory."""
    if unit is None or not may_read_targets(user, unit):
        return []
    target = target_of(user=user, unit=unit, indicator_code=indicator.code)
    if target is None:
        return []
    return trajectory(target.points_list())


def target_rows(
    *, user, unit_codes: list[str] | None = None, indicator_codes: list[str] | None = None
) -> list[dict]:
    """The targets the user reads (of these units and indicators, when given) as plain
    rows: points, owner, rule, version and status. PermissionDenied for a named unit whose
    targets the user may not read."""
    for code in unit_codes or []:
        unit = Unit.objects.get(code=code)
        if not may_read_targets(user, unit):
            raise PermissionDenied(
                _("The targets of %(unit)s are not shared with the programme.")
                % {"unit": unit.code}
            )
    targets = _targets(user, unit_codes)
    if indicator_codes:
        targets = targets.filter(indicator__code__in=indicator_codes)
    targets = list(targets)
    status = {(r["indicator"], r["unit"]): r for r in _status_frame(targets).to_dicts()}
    rows = []
    for t in targets:
        s = status[(t.indicator.code, t.unit.code)]
        rows.append(
            {
                "indicator": t.indicator.code,
                "unit": t.unit.code,
                "points": [{"period": p, "target": v} for p, v in t.points_list()],
                "owner": t.owner.username if t.owner else None,
                "rule": t.rule,
                "version": t.version,
                "period": s["period"],
                "target": s["target"],
                "value": s["value"],
                "status": s["status"],
            }
        )
    return rows


def year_targets(*, user, unit: Unit, year: int) -> tuple[list[TargetRow], list[TargetRow]]:
    """The unit's targets met and missed in `year`: each target's status (the engine's) as
    it stood with the unit's values up to the end of that year, for those whose latest
    judged period falls in the year (on track: met; at risk or off track: missed). Targets
    without a value for a targeted period of the year are in neither list."""
    if not may_read_targets(user, unit):
        raise PermissionDenied(
            _("The targets of %(unit)s are not shared with the programme.") % {"unit": unit.code}
        )
    targets = list(_targets(user, [unit.code]))
    if not targets:
        return [], []
    points = pl.DataFrame(
        [
            (t.indicator.code, t.unit.code, p.period, p.value)
            for t in targets
            for p in t.points.all()
        ],
        schema=POINTS_SCHEMA,
        orient="row",
    )
    values = unit_indicator_values(
        units=[unit.code], indicators=sorted({t.indicator.code for t in targets})
    ).select(*VALUES_SCHEMA)
    values = values.filter(pl.col("period").str.slice(0, 4).cast(pl.Int32) <= year)
    directions = {t.indicator.code: t.indicator.direction for t in targets}
    status = {r["indicator"]: r for r in targets_status(points, values, directions).to_dicts()}
    met, missed = [], []
    for t in targets:
        s = status[t.indicator.code]
        if s["period"] is None or not s["period"].startswith(str(year)):
            continue
        row = TargetRow(
            target=t,
            points=t.points_list(),
            status=s["status"],
            period=s["period"],
            period_target=s["target"],
            value=s["value"],
            final_period=s["final_period"],
            final_target=s["final_target"],
        )
        (met if s["status"] == "on_track" else missed).append(row)
    return met, missed
