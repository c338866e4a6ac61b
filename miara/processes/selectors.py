"""Reads of the process-managed office, each scoped to the acting user.

The process map and the costing are read by the office's own users, and by the
programme's coordinators and experts where the office shares them
(`services.may_read_process_map`, `services.may_read_costing`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from miara.analytics.selectors import results_frame, unit_indicator_values
from miara.catalogue.models import Indicator, Variable
from miara.collection.selectors import values_frame
from miara.engine import formula as formulas
from miara.engine.costing import Costing
from miara.engine.periods import Period
from miara.processes.costing_data import costing_frames, costing_of, flows_of
from miara.processes.models import (
    CostPool,
    ModelProcess,
    Process,
    ProcessCriterion,
    ProcessGroup,
)
from miara.processes.services import (
    ProcessRequestError,
    may_read_costing,
    may_read_process_map,
    period_code,
    unit_for,
)
from miara.units.models import Programme, Unit

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
    """The office's processes with their group (and its parent), owner, variables and
    criteria (in order), by code."""
    if not may_read_process_map(acting_user, unit):
        raise PermissionDenied
    return (
        Process.objects.filter(unit=unit)
        .select_related(
            "group__parent", "owner", "cost_variable", "output_variable", "model_process"
        )
        .prefetch_related(
            Prefetch(
                "criteria",
                queryset=ProcessCriterion.objects.select_related("indicator").order_by("order"),
            )
        )
        .order_by("code")
    )


@dataclass
class GroupNode:
    """A process group of the map with its processes and its subgroups."""

    name: str
    processes: list[Process] = field(default_factory=list)
    children: list[GroupNode] = field(default_factory=list)
    anchor: str = ""  # unique on the page: g1, g1-2, ...

    @property
    def count(self) -> int:
        return len(self.processes) + sum(child.count for child in self.children)


def process_tree(*, unit: Unit, processes: list[Process]) -> list[GroupNode]:
    """The map as a tree: top groups by name, each with its processes and subgroups;
    processes without a group last, under a node without a name. Groups that hold no
    process, directly or below, are left out."""
    groups = {g.pk: g for g in ProcessGroup.objects.filter(unit=unit)}
    nodes = {pk: GroupNode(name=g.name) for pk, g in groups.items()}
    loose = GroupNode(name="")
    for process in processes:
        nodes.get(process.group_id, loose).processes.append(process)
    top = []
    for pk, group in sorted(groups.items(), key=lambda item: item[1].name.casefold()):
        if group.parent_id in nodes:
            nodes[group.parent_id].children.append(nodes[pk])
        else:
            top.append(nodes[pk])
    tree = [node for node in top if node.count]
    for node in nodes.values():
        node.children = [child for child in node.children if child.count]
    if loose.processes:
        tree.append(loose)
    _anchor(tree, "g")
    return tree


def _anchor(nodes: list[GroupNode], prefix: str) -> None:
    for index, node in enumerate(nodes, 1):
        node.anchor = f"{prefix}{index}"
        _anchor(node.children, f"{node.anchor}-")


# --- quality and performance criteria ------------------------------------------------

BETTER, WORSE, SAME, CHANGED, NO_TREND = "better", "worse", "same", "changed", "none"
# Peers are the whole programme: the group every stored result set has.
PEERS = "all"


def period_order(code: str) -> tuple[int, int]:
    """Periods in time order across kinds: by the month they end in; of periods ending
    in the same month, the longer one last (a year says more than its December)."""
    period = Period.parse(code)
    end = {"year": 12, "quarter": 3 * period.sub, "month": period.sub}[period.kind]
    span = {"year": 12, "quarter": 3, "month": 1}[period.kind]
    return (period.year * 12 + end, span)


@dataclass
class CriterionStatus:
    """One criterion of a process: the office's current value and trend, its position
    among the programme's offices where a stored result exists, and its values over
    time (periods of the current value's kind, oldest first)."""

    indicator: Indicator
    period: str | None = None
    value: float | None = None
    previous_period: str | None = None
    previous: float | None = None
    change: float | None = None
    trend: str = NO_TREND
    rank: int | None = None
    n: int | None = None
    quartile: int | None = None
    percentile: float | None = None
    series: list[tuple[str, float]] = field(default_factory=list)

    @property
    def has_value(self) -> bool:
        return self.value is not None


def _trend(change: float | None, direction: str) -> str:
    if change is None:
        return NO_TREND
    if change == 0:
        return SAME
    if direction == "higher":
        return BETTER if change > 0 else WORSE
    if direction == "lower":
        return BETTER if change < 0 else WORSE
    return CHANGED


def indicator_series(*, unit: Unit, acting_user, codes: list[str]) -> pl.DataFrame:
    """The unit's values of these indicators in every period it has data for (years,
    quarters, months), computed by the engine from its stored values: monthly
    operational data need no result set. Columns indicator, period, value."""
    if not may_read_process_map(acting_user, unit):
        raise PermissionDenied
    found = unit_indicator_values(units=[unit.code], indicators=codes)
    return found.select("indicator", "period", "value")


def process_criteria(
    *, unit: Unit, acting_user, processes: list[Process]
) -> dict[int, list[CriterionStatus]]:
    """The status of each criterion of these processes of `unit` (process id -> its
    criteria in order): the latest period with a value (`period_order`), the change
    against the period before it (same kind) judged by the indicator's direction, and
    the rank and quartile among the programme's offices read from the stored result of
    that period (as the scorecard reads them, `analytics.selectors.results_frame`)."""
    if not may_read_process_map(acting_user, unit):
        raise PermissionDenied
    criteria = [c for p in processes for c in p.criteria.all()]
    codes = sorted({c.indicator.code for c in criteria})
    series = indicator_series(unit=unit, acting_user=acting_user, codes=codes)
    by_indicator: dict[str, dict[str, float]] = defaultdict(dict)
    for code, period, value in series.rows():
        by_indicator[code][period] = value
    statuses: dict[str, CriterionStatus] = {}
    for criterion in criteria:
        indicator = criterion.indicator
        if indicator.code in statuses:
            continue
        found = by_indicator.get(indicator.code, {})
        status = CriterionStatus(indicator=indicator)
        if found:
            status.period = max(found, key=period_order)
            status.value = found[status.period]
            kind = Period.parse(status.period).kind
            status.series = sorted(
                ((p, v) for p, v in found.items() if Period.parse(p).kind == kind),
                key=lambda item: period_order(item[0]),
            )
            previous = Period.parse(status.period).previous().code
            if previous in found:
                status.previous_period, status.previous = previous, found[previous]
                status.change = status.value - status.previous
            status.trend = _trend(status.change, indicator.direction)
        statuses[indicator.code] = status
    periods = sorted({s.period for s in statuses.values() if s.period})
    if periods:
        stored = results_frame(
            user=None,
            periods=periods,
            indicators=codes,
            groups=[PEERS],
            units=[unit.code],
            few=True,
        )
        for code, period, rank, n, quartile, percentile in stored.select(
            "indicator", "period", "rank", "n", "quartile", "percentile"
        ).rows():
            status = statuses.get(code)
            if status is not None and status.period == period:
                status.rank, status.n = rank, n
                status.quartile, status.percentile = quartile, percentile
    return {
        process.pk: [statuses[c.indicator.code] for c in process.criteria.all()]
        for process in processes
    }


def process_page(*, unit: Unit, code: str, acting_user) -> Process | None:
    """One process of the office's map, or None when the office has no such process."""
    return process_map(unit=unit, acting_user=acting_user).filter(code=code).first()


def operational_values(*, unit: Unit, acting_user, process: Process) -> tuple[list, list]:
    """The process's operational data: the unit's values of the variables its
    criteria's formulas read, as (variables, rows) where each row is
    (period, [value or None per variable]), periods in time order."""
    if not may_read_process_map(acting_user, unit):
        raise PermissionDenied
    codes: set[str] = set()
    indicators = {i.code for i in Indicator.objects.only("code")}
    pending = [c.indicator.formula for c in process.criteria.all()]
    seen: set[str] = set()
    formulas_of = dict(Indicator.objects.values_list("code", "formula"))
    while pending:
        for code in formulas.references(formulas.parse(pending.pop())):
            if code in indicators:
                if code not in seen:
                    seen.add(code)
                    pending.append(formulas_of[code])
            else:
                codes.add(code)
    variables = list(Variable.objects.filter(code__in=codes).order_by("code"))
    if not variables:
        return [], []
    values = values_frame(user=None, units=[unit.code], variables=[v.code for v in variables])
    table: dict[str, dict[str, float]] = defaultdict(dict)
    for variable, period, value in values.select("variable", "period", "value").rows():
        table[period][variable] = value
    rows = [
        (period, [table[period].get(v.code) for v in variables])
        for period in sorted(table, key=period_order)
    ]
    return variables, rows


def model_catalogue(programme: Programme | None = None) -> QuerySet[ModelProcess]:
    """The programme's model process catalogue (public to every signed-in user)."""
    programme = programme or Programme.current()
    return (
        ModelProcess.objects.filter(programme=programme)
        .select_related("group__parent")
        .order_by("code")
    )


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


def answer_office_variables(sender=None, *, unit_ids, **kwargs) -> set[tuple[int, int]]:
    """collection.hooks.office_variables_asked: (unit_id, variable_id) of the variables
    the units' process maps name as a process's cost or output (its costing writes
    them), which are the office's own figures in any period."""
    found: set[tuple[int, int]] = set()
    for unit_id, cost, output in Process.objects.filter(unit_id__in=unit_ids).values_list(
        "unit_id", "cost_variable_id", "output_variable_id"
    ):
        found |= {(unit_id, v) for v in (cost, output) if v is not None}
    return found
