"""Selectors of the unit scorecard: the benchmark table with, per indicator, the position
in the group's distribution, the gap to the median and the unit's recent trend.

Built on `benchmark.benchmark_table()` (one unit, one period, one peer group) and reading
the rest in a fixed number of queries whatever the number of indicators: the unit's
results over the last periods (one query), the group's range (one), and the group's
values for the dot strips (one, only for indicators whose group is small enough to draw
as dots). Every figure comes from the stored result set; the relative gap by which the
rows can be sorted comes from the engine (`engine.stats.relative_gap_to_median`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import polars as pl
from django.db import connection
from django.utils.safestring import SafeString

from miara.accounts.scope import require_unit_access
from miara.analytics import minicharts
from miara.analytics.benchmark import BenchmarkRow, benchmark_table, current_result_set
from miara.analytics.context import median_intervals
from miara.analytics.models import GroupStatistic
from miara.analytics.peers import unit_presenter
from miara.analytics.selectors import current_result_sets_up_to, results_frame
from miara.catalogue.models import Indicator, ServiceArea
from miara.engine.stats import relative_gap_to_median
from miara.units.models import Unit

TREND_PERIODS = 5
# Above this many units a strip of dots is a smear, and reading the values of a national
# group (6,300 units × 200 indicators) would cost more than the page may take: the strip
# then shows the range, the middle half and the median only.
DOTS_UP_TO = 80
SORTS = ("area", "gap")


@dataclass
class ScorecardRow:
    row: BenchmarkRow
    area: ServiceArea | None
    gap_to_median: float | None = None
    relative_gap: float | None = None
    strip: SafeString | str = ""
    sparkline: SafeString | str = ""
    trend: list[tuple[str, float | None]] = field(default_factory=list)
    # (low, high) of the 90 % bootstrap interval of a small group's median (stored groups).
    median_interval: tuple[float, float] | None = None

    @property
    def indicator(self):
        return self.row.indicator

    def __getattr__(self, name):
        # The benchmark row's figures (value, rank, median, ...) read as the row's own.
        if name == "row":
            raise AttributeError(name)
        return getattr(self.row, name)


@dataclass
class ScorecardSection:
    area: ServiceArea | None
    rows: list[ScorecardRow]


@dataclass
class Scorecard:
    sections: list[ScorecardSection]
    areas: list[ServiceArea]
    trend_periods: list[str]
    sort: str

    @property
    def has_any_value(self) -> bool:
        return any(r.has_value for s in self.sections for r in s.rows)

    @property
    def rows(self) -> list[ScorecardRow]:
        return [r for s in self.sections for r in s.rows]


def trend_periods(period: str) -> list[str]:
    """The computed periods of the same kind up to `period`, oldest first (at most 5)."""
    return [r.period for r in current_result_sets_up_to(period)][-TREND_PERIODS:]


def unit_scorecard(
    *,
    user,
    unit: Unit,
    period: str,
    group: str,
    similar=None,
    area: str | None = None,
    sort: str = "area",
) -> Scorecard:
    """The scorecard of `unit` in `period` against `group`, optionally one service area,
    sorted by area (catalogue order) or by gap to the median (largest shortfall first).

    The group `similar` is not stored (benchmark_table has the engine compute it): its
    rows get the strip of the figures the table holds (middle half, median, the unit),
    but no range, dots, stored gap or trend, which only stored groups have.
    """
    require_unit_access(user, unit)
    sections = benchmark_table(user=user, unit=unit, period=period, group=group, similar=similar)
    areas = [s.area for s in sections if s.area is not None]
    if area:
        sections = [s for s in sections if s.area is not None and s.area.code == area]
    periods = trend_periods(period)
    history = results_frame(user=user, periods=periods, groups=[group], units=[unit.code], few=True)
    by_indicator: dict[str, dict[str, dict]] = defaultdict(dict)
    # .rows() gives tuples natively; iter_rows(named=True) cost 15 ms for 1,000 rows.
    for code, found_period, value, gap in history.select(
        "indicator", "period", "value", "gap_to_median"
    ).rows():
        by_indicator[code][found_period] = {"value": value, "gap_to_median": gap}
    ranges = _group_ranges(period, group)
    small = [ind for ind, (n, _low, _high) in ranges.items() if n <= DOTS_UP_TO]
    # The group `similar` is not stored: its median goes without an interval.
    intervals = median_intervals(current_result_set(period), group) if ranges else {}
    if context_dots_hidden(user):
        # Anonymised: a participant sees no other unit's context figure, not even as an
        # unnamed dot; the strip keeps the group's range, middle half and median. Nor the
        # median's interval: in a small group its bounds are often single values.
        neutral = set(Indicator.objects.filter(direction="neutral").values_list("id", flat=True))
        small = [ind for ind in small if ind not in neutral]
        intervals = {ind: pair for ind, pair in intervals.items() if ind not in neutral}
    peers = _group_values(period, group, small, exclude_unit=unit.pk)

    rows: list[ScorecardRow] = []
    result: list[ScorecardSection] = []
    for section in sections:
        section_rows = []
        for row in section.rows:
            indicator = row.indicator
            mine = by_indicator.get(indicator.code, {})
            current = mine.get(period)
            n, low, high = ranges.get(indicator.pk, (row.n or 0, None, None))
            trend = [(p, mine[p]["value"] if p in mine else None) for p in periods]
            card = ScorecardRow(
                row=row,
                area=section.area,
                gap_to_median=current["gap_to_median"] if current else None,
                trend=trend,
                sparkline=minicharts.sparkline([v for _p, v in trend]),
                median_interval=intervals.get(indicator.pk),
            )
            # With fewer than two units the "distribution" would be the unit itself.
            if n >= 2:
                card.strip = minicharts.strip(
                    value=row.value,
                    low=low,
                    high=high,
                    q1=row.q1,
                    median=row.median,
                    q3=row.q3,
                    peers=peers.get(indicator.pk, ()),
                    direction=indicator.direction,
                )
            section_rows.append(card)
            rows.append(card)
        result.append(ScorecardSection(area=section.area, rows=section_rows))

    gaps = relative_gap_to_median(
        pl.DataFrame(
            {
                "value": [r.row.value for r in rows],
                "median": [r.row.median for r in rows],
                "direction": [r.indicator.direction for r in rows],
            },
            schema={"value": pl.Float64, "median": pl.Float64, "direction": pl.String},
        )
    )["relative_gap"].to_list()
    for card, gap in zip(rows, gaps, strict=True):
        card.relative_gap = gap
    if sort == "gap":
        ordered = sorted(
            rows, key=lambda r: (r.relative_gap is None, r.relative_gap or 0, r.indicator.code)
        )
        result = [ScorecardSection(area=None, rows=ordered)]
    return Scorecard(sections=result, areas=areas, trend_periods=periods, sort=sort)


def context_dots_hidden(user) -> bool:
    """Whether the strips of context (neutral) indicators go without the other units' dots
    for `user` (`analytics.peers`: participants of an anonymised programme)."""
    return not unit_presenter(user).shows_unit_values(Unit(pk=None), "neutral")


def _group_ranges(period: str, group: str) -> dict[int, tuple[int, float | None, float | None]]:
    result_set = current_result_set(period)
    if result_set is None:
        return {}
    rows = GroupStatistic.objects.filter(result_set=result_set, group=group).values_list(
        "indicator_id", "n", "min", "max"
    )
    return {ind: (n, low, high) for ind, n, low, high in rows}


def _group_values(
    period: str, group: str, indicator_ids: list[int], *, exclude_unit: int
) -> dict[int, list[float]]:
    """The other units' values per indicator, without saying whose: the strips' dots."""
    result_set = current_result_set(period)
    if result_set is None or not indicator_ids:
        return {}
    marks = ", ".join(["%s"] * len(indicator_ids))
    sql = (
        "SELECT indicator_id, value FROM analytics_unitresult "
        f'WHERE result_set_id = %s AND "group" = %s AND unit_id <> %s AND indicator_id IN ({marks})'
    )
    found: dict[int, list[float]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, [result_set.pk, group, exclude_unit, *indicator_ids])
        for indicator_id, value in cursor.fetchall():
            found[indicator_id].append(value)
    return found
