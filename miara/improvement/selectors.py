"""Reads of improvement projects, always scoped to the acting user: an office reads its
own projects; coordinators and experts read those of the offices that share them.

The evidence around a project's start reads the group medians from the stored results
(`analytics.selectors.results_frame`) and leaves the arithmetic to `engine.evidence`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

import polars as pl
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from miara.accounts.scope import is_operator, reads_all_units
from miara.analytics.benchmark import ALL_UNITS
from miara.analytics.hooks import ProjectLink, UnitProjects
from miara.analytics.selectors import results_frame
from miara.engine.evidence import EVIDENCE_SCHEMA, Evidence, evidence, period_of
from miara.engine.periods import Period
from miara.improvement.models import Project, Task
from miara.improvement.services import may_plan, shared_unit_ids


def readable_unit_ids(user) -> set[int] | None:
    """Ids of the units whose projects the user reads; None: all (the operator)."""
    if is_operator(user):
        return None
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    own = set(user.units.values_list("id", flat=True))
    if reads_all_units(user):
        own |= shared_unit_ids()
    return own


def projects_for(*, user, unit=None) -> QuerySet[Project]:
    """The projects the user may read (of one unit, when given), with their people."""
    projects = Project.objects.select_related("unit", "owner", "expected_effect__indicator")
    ids = readable_unit_ids(user)
    if ids is not None:
        projects = projects.filter(unit_id__in=ids)
    if unit is not None:
        projects = projects.filter(unit=unit)
    return projects.prefetch_related("indicators__area", "team").order_by(
        "unit__code", "due_date", "pk"
    )


def tasks_for(*, user, unit=None) -> QuerySet[Task]:
    tasks = Task.objects.select_related("project__unit", "owner")
    ids = readable_unit_ids(user)
    if ids is not None:
        tasks = tasks.filter(project__unit_id__in=ids)
    if unit is not None:
        tasks = tasks.filter(project__unit=unit)
    return tasks.order_by("project__unit__code", "project_id", "due_date", "pk")


def today() -> datetime.date:
    return timezone.localdate()


def is_overdue(task: Task, on: datetime.date | None = None) -> bool:
    return (
        task.state != Task.State.DONE
        and task.due_date is not None
        and task.due_date < (on or today())
    )


def overdue_tasks(*, user, unit=None, on: datetime.date | None = None) -> QuerySet[Task]:
    """Tasks not done whose due date has passed, in projects still running."""
    on = on or today()
    return (
        tasks_for(user=user, unit=unit)
        .exclude(state=Task.State.DONE)
        .exclude(project__state__in=[Project.State.DONE, Project.State.CANCELLED])
        .filter(due_date__lt=on)
    )


def project_is_overdue(project: Project, on: datetime.date | None = None) -> bool:
    running = project.state in (Project.State.PROPOSED, Project.State.ACTIVE, Project.State.ON_HOLD)
    return running and project.due_date < (on or today())


@dataclass
class Board:
    """A portfolio: the projects by state, the overdue ones, by service area and by owner."""

    projects: list[Project]
    by_state: list[tuple[str, str, list[Project]]]
    overdue: list[Project]
    overdue_tasks: list[Task]
    by_area: list[tuple[str, list[Project]]]
    by_owner: list[tuple[str, list[Project]]]


def board(*, user, unit=None, on: datetime.date | None = None) -> Board:
    on = on or today()
    projects = list(projects_for(user=user, unit=unit))
    by_state = [
        (value, label, [p for p in projects if p.state == value])
        for value, label in Project.State.choices
    ]
    areas: dict[str, list[Project]] = defaultdict(list)
    owners: dict[str, list[Project]] = defaultdict(list)
    for project in projects:
        names = sorted({i.area.label for i in project.indicators.all() if i.area_id})
        for name in names or [""]:
            areas[name].append(project)
        owner = project.owner
        owners[(owner.get_full_name() or owner.username) if owner else ""].append(project)
    return Board(
        projects=projects,
        by_state=by_state,
        overdue=[p for p in projects if project_is_overdue(p, on)],
        overdue_tasks=list(overdue_tasks(user=user, unit=unit, on=on)),
        by_area=sorted(areas.items(), key=lambda kv: (kv[0] == "", kv[0])),
        by_owner=sorted(owners.items(), key=lambda kv: (kv[0] == "", kv[0])),
    )


def _percent(share: float | None) -> float | None:
    return None if share is None else share * 100


@dataclass
class EvidenceRow:
    """One linked indicator's evidence; the shares also as percentages for the page."""

    indicator: object
    evidence: Evidence | None

    @property
    def before_percent(self):
        return _percent(self.evidence.before_gap) if self.evidence else None

    @property
    def after_percent(self):
        return _percent(self.evidence.after_gap) if self.evidence else None

    @property
    def change_points(self):
        return _percent(self.evidence.gap_change) if self.evidence else None

    @property
    def median_change_percent(self):
        return _percent(self.evidence.median_change_relative) if self.evidence else None


def project_evidence(*, user, project: Project, group: str = ALL_UNITS) -> list[EvidenceRow]:
    """For each linked indicator: the unit against the group median before and after the
    project's start, from the current stored results the user may read."""
    indicators = list(project.indicators.all())
    if not indicators:
        return []
    frame = results_frame(
        user=user,
        indicators=[i.code for i in indicators],
        groups=[group],
        units=[project.unit.code],
        few=True,
    )
    rows = []
    for indicator in indicators:
        mine = frame.filter(pl.col("indicator") == indicator.code)
        if mine.is_empty():
            rows.append(EvidenceRow(indicator, None))
            continue
        kind = Period.parse(mine["period"][0]).kind
        start = period_of(project.start_date, kind).code
        data = mine.select("period", "value", "median").cast(EVIDENCE_SCHEMA)
        rows.append(
            EvidenceRow(indicator, evidence(data, start=start, direction=indicator.direction))
        )
    return rows


def unit_indicator_projects(*, user, unit, indicator) -> list[Project]:
    """The unit's projects linked to the indicator that the user may read."""
    return list(projects_for(user=user, unit=unit).filter(indicators=indicator))


def owners_due(*, on: datetime.date, within_days: int = 7) -> dict:
    """Owners with an e-mail address and their tasks not done that are overdue or due
    within `within_days`, in projects still running (for reminders)."""
    horizon = on + datetime.timedelta(days=within_days)
    tasks = (
        Task.objects.select_related("project__unit", "owner")
        .exclude(state=Task.State.DONE)
        .exclude(project__state__in=[Project.State.DONE, Project.State.CANCELLED])
        .filter(due_date__lte=horizon, owner__is_active=True)
        .exclude(Q(owner__email="") | Q(owner__isnull=True))
        .order_by("owner__username", "due_date", "pk")
    )
    people: dict = defaultdict(list)
    for task in tasks:
        people[task.owner].append(task)
    return dict(people)


# --- what analytics asks (analytics.hooks) ---------------------------------------------


def answer_unit_projects(sender=None, *, user, unit, **kwargs):
    """The scorecard's "start a project" link, for the unit's managers."""
    if not may_plan(user, unit):
        return UnitProjects()
    url = reverse("improvement:create", args=[unit.code]) + "?indicator="
    return UnitProjects(start_url=url, stamp="start-project")


def answer_indicator_projects(sender=None, *, user, unit, indicator, **kwargs):
    return [
        ProjectLink(
            title=p.title,
            state=str(p.get_state_display()),
            url=reverse("improvement:project", args=[p.pk]),
        )
        for p in unit_indicator_projects(user=user, unit=unit, indicator=indicator)
    ]


def projects_closed_in(*, user, year: int, unit=None) -> list[Project]:
    """The projects (of one unit, when given) the user reads that were done or cancelled
    in `year` (by `closed_on`), done first, then by day."""
    closed = projects_for(user=user, unit=unit).filter(
        state__in=[Project.State.DONE, Project.State.CANCELLED], closed_on__year=year
    )
    return sorted(closed, key=lambda p: (p.state != Project.State.DONE, p.closed_on, p.pk))
