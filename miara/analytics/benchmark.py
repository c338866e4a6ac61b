"""Selectors of the unit benchmark table: one unit, one period, one peer group.

Reads only what the current result set stores (`UnitResult`, `GroupStatistic`, through
`results_frame`), always through the acting user's scope; nothing is computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from miara.accounts.scope import require_unit_access
from miara.analytics.models import GroupStatistic, ResultSet, UnitResult
from miara.analytics.selectors import results_frame
from miara.catalogue.models import Indicator, ServiceArea
from miara.units.models import Unit

ALL_UNITS = "all"


@dataclass(frozen=True)
class BenchmarkRow:
    """One indicator of the benchmark table: the unit's stored figures and its group's.

    Every number is read from the current result set; `value is None` means the unit has
    no value for the indicator in the period.
    """

    indicator: Indicator
    value: float | None = None
    rank: int | None = None
    percentile: float | None = None
    quartile: int | None = None
    change: float | None = None
    n: int | None = None
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    best: float | None = None

    @property
    def has_value(self) -> bool:
        return self.value is not None


@dataclass
class BenchmarkSection:
    area: ServiceArea | None
    rows: list[BenchmarkRow] = field(default_factory=list)


def current_result_set(period: str) -> ResultSet | None:
    return ResultSet.objects.filter(period=period, is_current=True).order_by("-id").first()


def unit_peer_groups(*, user, unit: Unit, period: str) -> list[str]:
    """Codes of the groups the unit is compared within in the period: `all` first."""
    require_unit_access(user, unit)
    result_set = current_result_set(period)
    if result_set is None:
        return []
    codes = set(
        UnitResult.objects.filter(result_set=result_set, unit=unit)
        .values_list("group", flat=True)
        .distinct()
    )
    codes.discard(ALL_UNITS)
    return [ALL_UNITS, *sorted(codes)]


def benchmark_table(*, user, unit: Unit, period: str, group: str) -> list[BenchmarkSection]:
    """The unit's figures for every indicator of the catalogue, grouped by service area.

    Unit figures come from `results_frame` (scoped to the user); where the unit has no
    value the group's statistics still come from the stored `GroupStatistic`, but only
    when at least two units have a value: a "group" of one would show that unit's value.
    """
    require_unit_access(user, unit)
    result_set = current_result_set(period)
    frame = results_frame(user=user, periods=[period], groups=[group], units=[unit.code])
    unit_rows = {row["indicator"]: row for row in frame.iter_rows(named=True)}
    group_stats = (
        {
            s.indicator_id: s
            for s in GroupStatistic.objects.filter(result_set=result_set, group=group)
        }
        if result_set
        else {}
    )
    sections: dict[int | None, BenchmarkSection] = {}
    indicators = Indicator.objects.select_related("area").order_by(
        "area__position", "area__code", "code"
    )
    for indicator in indicators:
        section = sections.setdefault(indicator.area_id, BenchmarkSection(area=indicator.area))
        found = unit_rows.get(indicator.code)
        if found is not None:
            row = BenchmarkRow(
                indicator=indicator,
                **{name: found[name] for name in BENCHMARK_UNIT_FIELDS},
                **{name: found[name] for name in BENCHMARK_GROUP_FIELDS},
            )
        else:
            stats = group_stats.get(indicator.pk)
            if stats is not None and stats.n >= 2:
                row = BenchmarkRow(
                    indicator=indicator,
                    **{name: getattr(stats, name) for name in BENCHMARK_GROUP_FIELDS},
                )
            else:
                row = BenchmarkRow(indicator=indicator, n=stats.n if stats else None)
        section.rows.append(row)
    # Indicators without a service area come last.
    return sorted(sections.values(), key=lambda s: s.area is None)


BENCHMARK_UNIT_FIELDS = ("value", "rank", "percentile", "quartile", "change")
BENCHMARK_GROUP_FIELDS = ("n", "median", "q1", "q3", "best")
