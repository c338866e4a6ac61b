"""What a unit's report says: the figures, strengths and weaknesses, chart data.

Assembled once from the selectors (benchmark table, group distribution, trend) and then
typeset by `pdf.py` or written by `excel.py`, so both show the same figures. Nothing is
computed here: strengths and weaknesses are the stored quartiles, ordered by the stored
percentiles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from miara.analytics.benchmark import (
    ALL_UNITS,
    BenchmarkRow,
    BenchmarkSection,
    benchmark_table,
    current_result_set,
)
from miara.analytics.models import ResultSet
from miara.analytics.similar import SIMILAR
from miara.catalogue.models import PeerGroup
from miara.reports.selectors import group_distribution, names_are_shown, unit_trend
from miara.units.models import Programme, Unit

BEST_QUARTILE = 1
WORST_QUARTILE = 4


@dataclass
class UnitReport:
    unit: Unit
    period: str
    group: str
    language: str
    programme: str
    result_set: ResultSet | None
    sections: list[BenchmarkSection]
    distributions: dict[str, list[dict]]
    trends: dict[str, list[dict]]
    names_shown: bool
    generated_at: datetime = field(default_factory=timezone.now)

    @property
    def rows(self) -> list[BenchmarkRow]:
        return [row for section in self.sections for row in section.rows]

    @property
    def strengths(self) -> list[BenchmarkRow]:
        """Indicators in the best quarter of the group, the best percentile first."""
        found = [r for r in self.rows if r.quartile == BEST_QUARTILE and r.percentile is not None]
        return sorted(found, key=lambda r: (-r.percentile, r.indicator.code))

    @property
    def weaknesses(self) -> list[BenchmarkRow]:
        """Indicators in the weakest quarter of the group, the weakest percentile first."""
        found = [r for r in self.rows if r.quartile == WORST_QUARTILE and r.percentile is not None]
        return sorted(found, key=lambda r: (r.percentile, r.indicator.code))

    @property
    def group_label(self) -> str:
        with translation.override(self.language):
            return group_label(self.group)

    def file_stem(self) -> str:
        return f"miara-report-{self.unit.code}-{self.period}-{self.group}-{self.language}"


def group_label(code: str) -> str:
    if code == ALL_UNITS:
        return _("All units")
    if code == SIMILAR:
        return _("Similar units")
    entry = PeerGroup.objects.filter(code=code).first()
    return entry.label if entry else code


def unit_report(*, user, unit: Unit, period: str, group: str, language: str) -> UnitReport:
    """Everything one unit's report shows, read through the user's scope."""
    return UnitReport(
        unit=unit,
        period=period,
        group=group,
        language=language,
        programme=Programme.current().name,
        result_set=current_result_set(period),
        sections=benchmark_table(user=user, unit=unit, period=period, group=group),
        distributions=group_distribution(user=user, unit=unit, period=period, group=group),
        trends=unit_trend(user=user, unit=unit, group=group, up_to=period),
        names_shown=names_are_shown(),
    )
