"""Reads for reports, always through the acting user's scope.

The figures of a report come from `analytics.benchmark.benchmark_table`; what the charts
need beyond it (the group's stored values, the unit's earlier periods) is read here from
the current result sets, so a report shows exactly what the result set holds.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from miara.accounts.scope import (
    can_see_unit,
    reads_all_units,
    require_unit_access,
    visible_unit_ids,
)
from miara.analytics.benchmark import ALL_UNITS, current_result_set
from miara.analytics.models import GroupStatistic, UnitResult
from miara.analytics.peers import unit_presenter
from miara.analytics.selectors import current_result_sets
from miara.engine.periods import Period
from miara.reports.models import ReportJob
from miara.units.models import Programme, Unit


def names_are_shown() -> bool:
    """Whether other units may appear by name (a named programme) or only as unnamed points."""
    return Programme.current().visibility == Programme.Visibility.NAMED


def group_distribution(*, user, unit: Unit, period: str, group: str) -> dict[str, list[dict]]:
    """Every stored value of the unit's peer group in the period, by indicator code.

    Each point is `{"label", "value", "highlight"}`. In an anonymised programme the other
    units' points carry no label (and no code), so a chart or its data never name them,
    and a participant gets no other unit's point of a context (neutral) indicator.
    Only a group the unit itself is compared within in that period may be read: a
    unit-scoped user must not browse groups their unit does not belong to.
    """
    require_unit_access(user, unit)
    result_set = current_result_set(period)
    if result_set is None:
        return {}
    rows = UnitResult.objects.filter(result_set=result_set, group=group)
    if (
        group != ALL_UNITS
        and not rows.filter(unit=unit).exists()
        and visible_unit_ids(user) is not None
    ):
        raise PermissionDenied
    named = names_are_shown()
    # A participant of an anonymised programme sees no other unit's context figure, not
    # even as an unnamed point (`analytics.peers`): those strips keep the unit's own point.
    context_hidden = not unit_presenter(user).shows_unit_values(Unit(pk=None), "neutral")
    points: dict[str, list[dict]] = defaultdict(list)
    for code, unit_id, name, value, direction in rows.values_list(
        "indicator__code", "unit_id", "unit__name", "value", "indicator__direction"
    ):
        own = unit_id == unit.pk
        if context_hidden and not own and direction == "neutral":
            continue
        label = name if (own or named) else ""
        points[code].append({"label": label, "value": value, "highlight": own})
    # Sorted by value, so that the order of points says nothing about which unit is which.
    for values in points.values():
        values.sort(key=lambda p: (p["value"], not p["highlight"]))
    return dict(points)


def unit_trend(*, user, unit: Unit, group: str, up_to: str) -> dict[str, list[dict]]:
    """The unit's stored value and its group's median and Q1–Q3, per period, by indicator.

    Periods are those with a current result set of the same kind as `up_to` and not later
    than it, oldest first. As in the benchmark table, group figures of a "group" of fewer
    than two units are left out: they would be that one unit's value.
    """
    require_unit_access(user, unit)
    last = Period.parse(up_to)
    result_sets = [
        r
        for r in current_result_sets()
        if Period.parse(r.period).kind == last.kind
        and Period.parse(r.period).ordinal <= last.ordinal
    ]
    if not result_sets:
        return {}
    period_of = {r.pk: r.period for r in result_sets}
    trend: dict[str, dict[str, dict]] = defaultdict(dict)
    for result_set_id, code, median, q1, q3 in GroupStatistic.objects.filter(
        result_set_id__in=period_of, group=group, n__gte=2
    ).values_list("result_set_id", "indicator__code", "median", "q1", "q3"):
        trend[code][period_of[result_set_id]] = {
            "period": period_of[result_set_id],
            "value": None,
            "median": median,
            "q1": q1,
            "q3": q3,
        }
    for result_set_id, code, value in UnitResult.objects.filter(
        result_set_id__in=period_of, group=group, unit=unit
    ).values_list("result_set_id", "indicator__code", "value"):
        period = period_of[result_set_id]
        trend[code].setdefault(
            period, {"period": period, "value": None, "median": None, "q1": None, "q3": None}
        )["value"] = value
    return {
        code: sorted(by_period.values(), key=lambda row: Period.parse(row["period"]).ordinal)
        for code, by_period in trend.items()
    }


def report_jobs(*, user) -> QuerySet[ReportJob]:
    """The jobs the user may follow: their own; coordinators and experts every job."""
    jobs = ReportJob.objects.select_related("requested_by").prefetch_related("units")
    if reads_all_units(user):
        return jobs
    return jobs.filter(requested_by=user) if user.is_authenticated else jobs.none()


def report_job_for(*, user, job_id: int) -> ReportJob:
    """A job the user may see and download, or 404.

    Someone else's job answers exactly as a missing one: job ids are consecutive, so a
    403 would tell a stranger which jobs exist. A unit-scoped user must still see every
    unit of the job: losing a unit also takes away its reports.
    """
    job = report_jobs(user=user).filter(pk=job_id).first()
    if job is None or not all(can_see_unit(user, u) for u in job.units.all()):
        raise Http404
    return job
