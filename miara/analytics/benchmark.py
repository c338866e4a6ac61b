"""Selectors of the unit benchmark table: one unit, one period, one peer group.

Reads what the current result set stores (`UnitResult`, `GroupStatistic`, through
`results_frame`), always through the acting user's scope. The one group that is not
stored, `similar` (the unit and its k similar units, analytics.similar), has its
figures computed by the engine on the stored values; nothing is computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from miara.accounts.scope import require_unit_access
from miara.analytics.models import GroupStatistic, ResultSet, UnitResult
from miara.analytics.selectors import current_result_sets, results_frame
from miara.analytics.similar import (
    SIMILAR,
    SimilarChoice,
    similar_group_statistics,
    similarity_defaults,
)
from miara.catalogue.models import Indicator, ServiceArea
from miara.collection.models import Value
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
    found = current_result_sets([period])
    return max(found, key=lambda r: r.pk) if found else None


def unit_peer_groups(
    *, user, unit: Unit, period: str, similar: SimilarChoice | None = None
) -> list[str]:
    """Codes of the groups the unit is compared within in the period: `all` first, the
    stored groups, then `similar` when the unit's similar units can be found (by
    `similar`, else the defaults: the unit needs a value of each chosen variable)."""
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
    codes.discard(SIMILAR)
    groups = [ALL_UNITS, *sorted(codes)]
    choice = similar or similarity_defaults()
    if choice is not None and _has_structural_values(unit, period, choice):
        groups.append(SIMILAR)
    return groups


def _has_structural_values(unit: Unit, period: str, choice: SimilarChoice) -> bool:
    found = Value.objects.filter(
        unit=unit, period=period, variable__code__in=choice.variables, value__isnull=False
    ).count()
    return found == len(choice.variables)


def benchmark_table(
    *, user, unit: Unit, period: str, group: str, similar: SimilarChoice | None = None
) -> list[BenchmarkSection]:
    """The unit's figures for every indicator of the catalogue, grouped by service area.

    Unit figures come from `results_frame` (scoped to the user); where the unit has no
    value the group's statistics still come from the stored `GroupStatistic`, but only
    when at least two units have a value: a "group" of one would show that unit's value.
    For `group="similar"` both come from the engine on the unit and its similar units
    (`similar` chooses them; default: `similarity_defaults()`); the engine's
    `SimilarUnitsError` says when they cannot be found.
    """
    require_unit_access(user, unit)
    if group == SIMILAR:
        unit_rows, group_stats = _similar_figures(unit, period, similar)
    else:
        unit_rows, group_stats = _stored_figures(user, unit, period, group)
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
            stats = group_stats.get(indicator.code)
            if stats is not None and stats["n"] >= 2:
                row = BenchmarkRow(
                    indicator=indicator,
                    **{name: stats[name] for name in BENCHMARK_GROUP_FIELDS},
                )
            else:
                row = BenchmarkRow(indicator=indicator, n=stats["n"] if stats else None)
        section.rows.append(row)
    # Indicators without a service area come last.
    return sorted(sections.values(), key=lambda s: s.area is None)


def _stored_figures(user, unit: Unit, period: str, group: str):
    """The unit's stored rows and the group's stored statistics, by indicator code."""
    result_set = current_result_set(period)
    frame = results_frame(user=user, periods=[period], groups=[group], units=[unit.code], few=True)
    fields = (*BENCHMARK_UNIT_FIELDS, *BENCHMARK_GROUP_FIELDS)
    unit_rows = {
        code: dict(zip(fields, figures, strict=True))
        for code, *figures in frame.select("indicator", *fields).rows()
    }
    group_stats = {}
    if result_set:
        rows = GroupStatistic.objects.filter(result_set=result_set, group=group).values_list(
            "indicator__code", *BENCHMARK_GROUP_FIELDS
        )
        for code, *figures in rows:
            group_stats[code] = dict(zip(BENCHMARK_GROUP_FIELDS, figures, strict=True))
    return unit_rows, group_stats


def _similar_figures(unit: Unit, period: str, similar: SimilarChoice | None):
    """The same, for the group of the unit and its similar units, from the engine."""
    choice = similar or similarity_defaults()
    if choice is None:
        return {}, {}
    result = similar_group_statistics(unit=unit, period=period, choice=choice)
    groups = {row["indicator"]: row for row in result.groups.iter_rows(named=True)}
    unit_rows = {}
    for row in result.units.filter(pl.col("unit") == unit.code).iter_rows(named=True):
        unit_rows[row["indicator"]] = row | {
            name: groups[row["indicator"]][name] for name in BENCHMARK_GROUP_FIELDS
        }
    return unit_rows, groups


BENCHMARK_UNIT_FIELDS = ("value", "rank", "percentile", "quartile", "change")
BENCHMARK_GROUP_FIELDS = ("n", "median", "q1", "q3", "best")
# The figures of one benchmark row in the column order of every export of the table (the
# page's CSV, the report's workbook): the unit's value, the group's, the unit's place.
ROW_FIGURES = (
    "value",
    "n",
    "median",
    "q1",
    "q3",
    "best",
    "rank",
    "percentile",
    "quartile",
    "change",
)
