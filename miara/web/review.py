"""The year in review of an office ("what moved"): for a chosen year, the targets met and
missed (statuses by `targets.selectors.year_targets`), the projects done and cancelled
that year (`improvement.selectors.projects_closed_in`), and the unit's indicators that
changed most against the previous year, relative to the previous year's value and judged
by direction (`engine.evidence.relative_change`), each with the evidence of the projects
linked to it (`improvement.selectors.project_evidence`).

It sits above targets and improvement (which do not import each other) and reads only
through their selectors, scoped to the acting user: a part the user may not read (targets
or projects not shared) is left out and said so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from miara.accounts.scope import can_see_unit
from miara.analytics.selectors import unit_indicator_values
from miara.catalogue.models import Indicator
from miara.engine.evidence import raw_change, relative_change
from miara.engine.periods import Period
from miara.improvement import selectors as projects
from miara.improvement.services import may_read_projects, shared_unit_ids
from miara.targets import selectors as targets
from miara.targets.services import may_read_targets
from miara.units.models import Unit

# How many of the indicators that changed most the review lists.
MOVED_LIMIT = 10


@dataclass
class Move:
    """One indicator's change from the previous year to the chosen one."""

    indicator: Indicator
    before: float
    after: float
    change: float  # (after − before) / |before|
    judged: float | None  # the change, positive when better by direction (None: neutral)
    projects: list = field(default_factory=list)  # (project, EvidenceRow | None)

    @property
    def change_percent(self) -> float:
        return self.change * 100

    @property
    def better(self) -> bool | None:
        return None if self.judged is None else self.judged > 0


@dataclass
class YearReview:
    unit: object
    year: int
    years: list[int]
    reads_targets: bool
    reads_projects: bool
    met: list = field(default_factory=list)
    missed: list = field(default_factory=list)
    done: list = field(default_factory=list)
    cancelled: list = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)


def unit_years(unit) -> list[int]:
    """The years the unit has a yearly indicator value in, newest first."""
    codes = list(Indicator.objects.values_list("code", flat=True))
    values = unit_indicator_values(units=[unit.code], indicators=codes)
    return sorted(
        {Period.parse(p).year for p in values["period"].to_list() if len(p) == 4},
        reverse=True,
    )


def moves(unit, year: int, limit: int = MOVED_LIMIT) -> list[Move]:
    """The unit's indicators with a value in both `year` and the year before, the largest
    relative changes first (by size, whichever way)."""
    indicators = {i.code: i for i in Indicator.objects.all()}
    values = unit_indicator_values(units=[unit.code], indicators=sorted(indicators)).filter(
        pl.col("period").is_in([str(year - 1), str(year)])
    )
    by_indicator: dict[str, dict[str, float]] = {}
    for code, period, value in values.select("indicator", "period", "value").rows():
        by_indicator.setdefault(code, {})[period] = value
    found = []
    for code, pair in by_indicator.items():
        before, after = pair.get(str(year - 1)), pair.get(str(year))
        change = raw_change(before, after)
        if change is None:
            continue
        indicator = indicators[code]
        found.append(
            Move(
                indicator=indicator,
                before=before,
                after=after,
                change=change,
                judged=relative_change(before, after, indicator.direction),
            )
        )
    found.sort(key=lambda m: (-abs(m.change), m.indicator.code))
    return found[:limit]


def year_review(*, user, unit, year: int | None = None) -> YearReview:
    """The review of `unit` (which the caller has made sure the user may see) for `year`
    (None: the latest year with data)."""
    years = unit_years(unit)
    if year is None:
        year = years[0] if years else None
    review = YearReview(
        unit=unit,
        year=year,
        years=years,
        reads_targets=may_read_targets(user, unit),
        reads_projects=may_read_projects(user, unit),
    )
    if year is None:
        return review
    if review.reads_targets:
        review.met, review.missed = targets.year_targets(user=user, unit=unit, year=year)
    if review.reads_projects:
        closed = projects.projects_closed_in(user=user, unit=unit, year=year)
        review.done = [p for p in closed if p.state == "done"]
        review.cancelled = [p for p in closed if p.state == "cancelled"]
    review.moves = moves(unit, year)
    if review.reads_projects:
        for move in review.moves:
            for project in projects.unit_indicator_projects(
                user=user, unit=unit, indicator=move.indicator
            ):
                rows = projects.project_evidence(user=user, project=project)
                row = next((r for r in rows if r.indicator.pk == move.indicator.pk), None)
                move.projects.append((project, row))
    return review


def shared_units(user) -> list:
    """The offices a coordinator or expert reviews across: those sharing their projects,
    that the user may see (the user's own offices included)."""
    ids = shared_unit_ids() | set(user.units.values_list("id", flat=True))
    return [
        u
        for u in Unit.objects.filter(id__in=ids).order_by("code")
        if can_see_unit(user, u) and may_read_projects(user, u)
    ]
