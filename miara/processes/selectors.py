"""Reads of the process-managed office, each scoped to the acting user.

The process map is read by whoever sees the unit (`accounts.scope`); the costing only by
the office's own users, and by the programme's coordinators and experts where the office
shares it (`services.may_read_costing`).
"""

from __future__ import annotations

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from miara.accounts.scope import can_see_unit
from miara.engine.costing import Costing
from miara.engine.periods import Period
from miara.processes.costing_data import costing_frames, costing_of, flows_of
from miara.processes.models import CostPool, Process
from miara.processes.services import (
    ProcessRequestError,
    is_operator,
    may_read_costing,
    period_code,
    unit_for,
)
from miara.units.models import Unit

EXPORT_COLUMNS = [
    "process",
    "department_cost",
    "support_cost",
    "direct_cost",
    "cost",
    "output",
    "unit_cost",
]


def process_map(*, unit: Unit, acting_user) -> QuerySet[Process]:
    """The office's processes with their group and owner, by code."""
    if not (is_operator(acting_user) or can_see_unit(acting_user, unit)):
        raise PermissionDenied
    return Process.objects.filter(unit=unit).select_related("group", "owner").order_by("code")


def costing_result(*, unit: Unit, period: str, acting_user) -> Costing:
    """The costing of an office in a period (methodology.md, "Process costing"): one row
    per process of its map, in code order, computed from the stored data."""
    if not may_read_costing(acting_user, unit):
        raise PermissionDenied(
            _("The costing of %(unit)s is not shared with the programme.") % {"unit": unit.code}
        )
    return costing_of(costing_frames(unit, period_code(period)))


def costing_export(*, unit_code: str, period: str, acting_user) -> pl.DataFrame:
    """The rows of `miara export costing` (contracts.md): one per process of the map,
    `unit_cost` empty when the output is 0 or missing."""
    unit = unit_for(unit_code=unit_code, acting_user=acting_user)
    costing = costing_result(unit=unit, period=period, acting_user=acting_user)
    # A period without data would export zeros that look like costs: say so instead.
    if not CostPool.objects.filter(unit=unit, period=period_code(period)).exists():
        raise ProcessRequestError(
            _("%(unit)s has no costing data for %(period)s; load a costing workbook first")
            % {"unit": unit.code, "period": period_code(period)}
        )
    return costing.processes.select(EXPORT_COLUMNS)


def costing_flows(*, unit: Unit, period: str, acting_user) -> pl.DataFrame:
    """Where the office's money goes in a period (engine.costing.cost_flows): per source
    (department, or the direct costs) and process, the amount; null process = unassigned."""
    if not may_read_costing(acting_user, unit):
        raise PermissionDenied
    return flows_of(costing_frames(unit, period_code(period)))


def costing_periods(*, unit: Unit, acting_user) -> list[str]:
    """The periods with costing data of the office (cost pools), latest first."""
    if not may_read_costing(acting_user, unit):
        raise PermissionDenied
    codes = CostPool.objects.filter(unit=unit).values_list("period", flat=True).distinct()
    # By year, then months and quarters of the year before the year as a whole.
    rank = {"month": 0, "quarter": 1, "year": 2}
    return sorted(
        set(codes),
        key=lambda code: (Period.parse(code).year, rank[Period.parse(code).kind], code),
        reverse=True,
    )
