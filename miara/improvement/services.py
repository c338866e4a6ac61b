"""Writes of improvement projects: create, update, change state; add and update tasks and
milestones; share the projects of an office.

An office plans for itself: the unit's managers (and the operator at the command line)
create and change its projects; an editor of the unit may update a task they own. Each
function authorises, checks the whole input first, writes in one transaction and records
an audit entry. A change that names a version other than the stored one is refused
(`ProjectConflict`), so two people editing one project or task never silently overwrite
each other.

Targets and processes are apps of the same layer, so they are reached through the
models' relations (`apps.get_model`), never imported.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from miara.accounts.audit import audit_record
from miara.accounts.models import User
from miara.accounts.scope import can_see_unit, is_operator, manages_unit, reads_all_units
from miara.catalogue.models import Indicator
from miara.improvement.models import ImprovementSettings, Milestone, Project, Task
from miara.units.models import Unit


class ProjectInputError(ValueError):
    """Input that cannot be a project or task; `field` names what is wrong."""

    def __init__(self, message: str, field: str = ""):
        self.field = field
        super().__init__(message)


class ProjectNotFound(LookupError):
    """No such project or task, or one the user may not read: the same answer for both."""


class ProjectConflict(Exception):
    """The project or task was changed by someone else since the version the change was
    based on."""

    def __init__(self, *, what: str, title: str, given: int, stored: int):
        self.what, self.title, self.given, self.stored = what, title, given, stored
        message = (
            _(
                "The project “%(title)s” was changed meanwhile (you had version %(given)s, "
                "stored is version %(stored)s); reload it and try again."
            )
            if what == "project"
            else _(
                "The task “%(title)s” was changed meanwhile (you had version %(given)s, "
                "stored is version %(stored)s); reload it and try again."
            )
        )
        super().__init__(message % {"title": title, "given": given, "stored": stored})


# --- who may do what -------------------------------------------------------------------


def shares_plans(unit: Unit) -> bool:
    return ImprovementSettings.objects.filter(unit=unit, shares_plans=True).exists()


def shared_unit_ids() -> set[int]:
    return set(
        ImprovementSettings.objects.filter(shares_plans=True).values_list("unit_id", flat=True)
    )


def may_plan(user, unit: Unit) -> bool:
    """An office plans for itself: the unit's managers create and change its projects."""
    return is_operator(user) or manages_unit(user, unit.pk)


def belongs_to(user, unit: Unit) -> bool:
    """Whether the user is one of the unit's own people (any role tied to the unit)."""
    if user is None or not user.is_authenticated or not user.is_active or is_operator(user):
        return False
    return user.units.filter(pk=unit.pk).exists()


def may_read_projects(user, unit: Unit) -> bool:
    """The unit's own users read its projects; coordinators and experts only where the
    office shares them (`ImprovementSettings.shares_plans`)."""
    if is_operator(user):
        return True
    if belongs_to(user, unit):
        return True
    return reads_all_units(user) and shares_plans(unit)


def may_update_task(user, task: Task) -> bool:
    """The managers of the unit, and the task's owner when they are one of the unit's
    people (an editor updates the tasks they own)."""
    unit = task.project.unit
    if may_plan(user, unit):
        return True
    return task.owner_id is not None and task.owner_id == user.pk and belongs_to(user, unit)


def _authorise(acting_user, unit: Unit) -> None:
    if not may_plan(acting_user, unit):
        raise PermissionDenied(
            _("Only the managers of %(unit)s may plan its projects.") % {"unit": unit.code}
        )


def unit_for(*, unit_code: str, acting_user) -> Unit:
    """The unit of that code if the user may see it; a hidden unit is answered as an
    unknown code."""
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None or not (is_operator(acting_user) or can_see_unit(acting_user, unit)):
        raise ProjectInputError(
            _("there is no unit with the code “%(code)s”") % {"code": unit_code}, "unit"
        )
    return unit


def project_for(*, acting_user, project_id) -> Project:
    """The project if the user may read it; `ProjectNotFound` alike for missing and
    hidden ones."""
    project = Project.objects.select_related("unit", "owner").filter(pk=project_id).first()
    if project is None or not may_read_projects(acting_user, project.unit):
        raise ProjectNotFound(project_id)
    return project


def task_for(*, acting_user, task_id) -> Task:
    task = Task.objects.select_related("project__unit", "owner").filter(pk=task_id).first()
    if task is None or not may_read_projects(acting_user, task.project.unit):
        raise ProjectNotFound(task_id)
    return task


# --- checks of the input ---------------------------------------------------------------


@dataclass
class ProjectData:
    """What a person states about a project; indicators are codes (of the project's own
    unit's values) or `UNIT:CODE`, processes are codes of the unit's processes, the
    expected effect is the code of an indicator the unit has a target for."""

    title: str
    start_date: datetime.date
    due_date: datetime.date
    problem: str = ""
    owner: str | None = None
    team: list[str] = field(default_factory=list)
    state: str = Project.State.PROPOSED
    budget: Decimal | float | str | None = None
    currency: str = ""
    expected_effect: str | None = None
    indicators: list[str] = field(default_factory=list)
    processes: list[str] = field(default_factory=list)


def _person(username: str, unit: Unit, what: str) -> User:
    person = User.objects.filter(username=username).first()
    if person is None or not person.is_active or not may_read_projects(person, unit):
        message = (
            _("%(user)s has no access to %(unit)s and cannot own its project")
            if what == "owner"
            else _("%(user)s has no access to %(unit)s and cannot be on its team")
        )
        raise ProjectInputError(message % {"user": username, "unit": unit.code}, what)
    return person


def _title(text) -> str:
    title = (text or "").strip()
    if not title:
        raise ProjectInputError(_("a project needs a title"), "title")
    if len(title) > 200:
        raise ProjectInputError(_("the title is longer than 200 characters"), "title")
    return title


def _indicators(codes, unit: Unit) -> list[Indicator]:
    found = []
    for text in codes:
        text = str(text).strip()
        owner_code, _sep, code = text.rpartition(":")
        if owner_code and owner_code != unit.code:
            raise ProjectInputError(
                _(
                    "a project of %(unit)s links only its own values: %(link)s are the "
                    "values of another office"
                )
                % {"unit": unit.code, "link": text},
                "indicators",
            )
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            raise ProjectInputError(
                _("there is no indicator with the code “%(code)s”") % {"code": code},
                "indicators",
            )
        if indicator not in found:
            found.append(indicator)
    return found


def _processes(codes, unit: Unit) -> list:
    process_model = apps.get_model("processes", "Process")
    found = []
    for code in codes:
        process = process_model.objects.filter(unit=unit, code=str(code).strip()).first()
        if process is None:
            raise ProjectInputError(
                _("%(unit)s has no process with the code “%(code)s”")
                % {"unit": unit.code, "code": code},
                "processes",
            )
        found.append(process)
    return found


def _expected_effect(code: str | None, unit: Unit):
    if not code:
        return None
    target = (
        apps.get_model("targets", "Target").objects.filter(unit=unit, indicator__code=code).first()
    )
    if target is None:
        raise ProjectInputError(
            _("%(unit)s has no target of %(code)s to expect as the effect")
            % {"unit": unit.code, "code": code},
            "expected_effect",
        )
    return target


def _budget(value, currency: str) -> tuple[Decimal | None, str]:
    currency = (currency or "").strip().upper()
    if value in (None, ""):
        return None, currency
    try:
        amount = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise ProjectInputError(
            _("“%(text)s” is not an amount") % {"text": value}, "budget"
        ) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise ProjectInputError(
            _("the budget must be an amount of at least zero"), "budget"
        ) from None
    if len(currency) != 3 or not currency.isalpha():
        raise ProjectInputError(
            _("give the budget's currency as a three-letter code (PLN, CZK, EUR)"), "currency"
        )
    return amount.quantize(Decimal("0.01")), currency


def _state(text: str, choices) -> str:
    if text not in choices.values:
        raise ProjectInputError(
            _("“%(state)s” is not a state; use one of %(states)s")
            % {"state": text, "states": ", ".join(choices.values)},
            "state",
        )
    return text


def _checked(data: ProjectData, unit: Unit, project: Project | None) -> dict:
    if not isinstance(data.start_date, datetime.date) or not isinstance(
        data.due_date, datetime.date
    ):
        raise ProjectInputError(_("a project needs a start date and a due date"), "due_date")
    if data.due_date < data.start_date:
        raise ProjectInputError(
            _("the due date %(due)s is before the start date %(start)s")
            % {"due": data.due_date.isoformat(), "start": data.start_date.isoformat()},
            "due_date",
        )
    if project is not None:
        late = project.tasks.filter(due_date__gt=data.due_date).order_by("-due_date").first()
        if late is not None:
            raise ProjectInputError(
                _(
                    "the task “%(task)s” is due on %(task_due)s, after the project's new due "
                    "date %(due)s; move the task first"
                )
                % {
                    "task": late.title,
                    "task_due": late.due_date.isoformat(),
                    "due": data.due_date.isoformat(),
                },
                "due_date",
            )
    budget, currency = _budget(data.budget, data.currency)
    return {
        "title": _title(data.title),
        "problem": (data.problem or "").strip(),
        "owner": _person(data.owner, unit, "owner") if data.owner else None,
        "team": [_person(name, unit, "team") for name in dict.fromkeys(data.team or [])],
        "start_date": data.start_date,
        "due_date": data.due_date,
        "state": _state(data.state, Project.State),
        "budget": budget,
        "currency": currency,
        "expected_effect": _expected_effect(data.expected_effect, unit),
        "indicators": _indicators(data.indicators or [], unit),
        "processes": _processes(data.processes or [], unit),
    }


CLOSED_STATES = (Project.State.DONE, Project.State.CANCELLED)


def _mark_closing(project: Project, before: str | None) -> None:
    """Keep `closed_on`: the day a project moves to done or cancelled; None while it runs."""
    if project.state not in CLOSED_STATES:
        project.closed_on = None
    elif before not in CLOSED_STATES or project.closed_on is None:
        project.closed_on = timezone.localdate()


def _check_version(obj, version: int | None, what: str) -> None:
    if version is not None and version != obj.version:
        raise ProjectConflict(what=what, title=obj.title, given=version, stored=obj.version)


def _summary(project: Project) -> dict:
    return {
        "unit": project.unit.code,
        "project": project.pk,
        "title": project.title,
        "state": project.state,
        "version": project.version,
    }


# --- projects --------------------------------------------------------------------------


def project_create(
    *, acting_user, unit_code: str, data: ProjectData, channel: str = "web"
) -> Project:
    """Create a project of the unit (its managers only)."""
    unit = unit_for(unit_code=unit_code, acting_user=acting_user)
    _authorise(acting_user, unit)
    checked = _checked(data, unit, None)
    with transaction.atomic():
        team, indicators, processes = (
            checked.pop("team"),
            checked.pop("indicators"),
            checked.pop("processes"),
        )
        project = Project(unit=unit, version=1, **checked)
        _mark_closing(project, None)
        project.full_clean()
        project.save()
        project.team.set(team)
        project.indicators.set(indicators)
        project.processes.set(processes)
        audit_record(
            user=acting_user,
            action="improvement.project_create",
            channel=channel,
            summary=f"{unit.code}: {project.title}",
            details=_summary(project),
        )
    return project


def project_update(
    *, acting_user, project_id: int, data: ProjectData, version: int | None, channel: str = "web"
) -> Project:
    """Replace what is stated about a project; `version` is the one the change is based on
    (None: no check)."""
    project = project_for(acting_user=acting_user, project_id=project_id)
    _authorise(acting_user, project.unit)
    checked = _checked(data, project.unit, project)
    with transaction.atomic():
        project = Project.objects.select_for_update().select_related("unit").get(pk=project.pk)
        _check_version(project, version, "project")
        team, indicators, processes = (
            checked.pop("team"),
            checked.pop("indicators"),
            checked.pop("processes"),
        )
        before = project.state
        for name, value in checked.items():
            setattr(project, name, value)
        _mark_closing(project, before)
        project.version += 1
        project.full_clean()
        project.save()
        project.team.set(team)
        project.indicators.set(indicators)
        project.processes.set(processes)
        audit_record(
            user=acting_user,
            action="improvement.project_update",
            channel=channel,
            summary=f"{project.unit.code}: {project.title} v{project.version}",
            details=_summary(project),
        )
    return project


def project_state_set(
    *, acting_user, project_id: int, state: str, version: int | None, channel: str = "web"
) -> Project:
    """Move a project to another state (proposed, active, on hold, done, cancelled)."""
    project = project_for(acting_user=acting_user, project_id=project_id)
    _authorise(acting_user, project.unit)
    state = _state(state, Project.State)
    with transaction.atomic():
        project = Project.objects.select_for_update().select_related("unit").get(pk=project.pk)
        _check_version(project, version, "project")
        if project.state == state:
            return project
        before = project.state
        project.state = state
        _mark_closing(project, before)
        project.version += 1
        project.save(update_fields=["state", "closed_on", "version", "updated_at"])
        audit_record(
            user=acting_user,
            action="improvement.project_state",
            channel=channel,
            summary=f"{project.unit.code}: {project.title}: {before} → {state}",
            details={**_summary(project), "before": before},
        )
    return project


def sharing_set(*, acting_user, unit_code: str, shared: bool, channel: str = "web") -> None:
    """Share (or stop sharing) the unit's projects with the programme's coordinators."""
    unit = unit_for(unit_code=unit_code, acting_user=acting_user)
    _authorise(acting_user, unit)
    with transaction.atomic():
        settings, _created = ImprovementSettings.objects.select_for_update().get_or_create(
            unit=unit
        )
        if settings.shares_plans == shared:
            return
        settings.shares_plans = shared
        settings.save()
        audit_record(
            user=acting_user,
            action="improvement.sharing",
            channel=channel,
            summary=f"{unit.code}: {'shared' if shared else 'not shared'}",
            details={"unit": unit.code, "shared": shared},
        )


# --- tasks and milestones --------------------------------------------------------------


def _task_due(due, project: Project) -> datetime.date | None:
    if due is None:
        return None
    if due > project.due_date:
        raise ProjectInputError(
            _("the task is due on %(due)s, after its project ends on %(end)s")
            % {"due": due.isoformat(), "end": project.due_date.isoformat()},
            "due_date",
        )
    return due


def task_create(
    *,
    acting_user,
    project_id: int,
    title: str,
    owner: str | None = None,
    state: str = Task.State.TODO,
    due_date: datetime.date | None = None,
    channel: str = "web",
) -> Task:
    """Add a task to a project (the unit's managers)."""
    project = project_for(acting_user=acting_user, project_id=project_id)
    _authorise(acting_user, project.unit)
    checked = {
        "title": _title(title),
        "owner": _person(owner, project.unit, "owner") if owner else None,
        "state": _state(state, Task.State),
        "due_date": _task_due(due_date, project),
    }
    with transaction.atomic():
        task = Task(project=project, version=1, **checked)
        task.full_clean()
        task.save()
        audit_record(
            user=acting_user,
            action="improvement.task_create",
            channel=channel,
            summary=f"{project.unit.code}: {project.title}: {task.title}",
            details={"project": project.pk, "task": task.pk, "state": task.state},
        )
    return task


_UNCHANGED = object()


def task_update(
    *,
    acting_user,
    task_id: int,
    version: int | None,
    title=_UNCHANGED,
    owner=_UNCHANGED,
    state=_UNCHANGED,
    due_date=_UNCHANGED,
    channel: str = "web",
) -> Task:
    """Change a task: the unit's managers any, an editor the tasks they own (whose owner
    only a manager changes). Fields not given stay as they are."""
    task = task_for(acting_user=acting_user, task_id=task_id)
    project = task.project
    if not may_update_task(acting_user, task):
        raise PermissionDenied(
            _("Only the managers of %(unit)s and the task's owner may change it.")
            % {"unit": project.unit.code}
        )
    changes: dict = {}
    if title is not _UNCHANGED:
        changes["title"] = _title(title)
    if owner is not _UNCHANGED:
        new_owner = _person(owner, project.unit, "owner") if owner else None
        if new_owner != task.owner and not may_plan(acting_user, project.unit):
            raise PermissionDenied(_("Only the managers may hand a task to someone else."))
        changes["owner"] = new_owner
    if state is not _UNCHANGED:
        changes["state"] = _state(state, Task.State)
    if due_date is not _UNCHANGED:
        changes["due_date"] = _task_due(due_date, project)
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("project__unit").get(pk=task.pk)
        _check_version(task, version, "task")
        if all(getattr(task, k) == v for k, v in changes.items()):
            return task
        for name, value in changes.items():
            setattr(task, name, value)
        task.version += 1
        task.full_clean()
        task.save()
        audit_record(
            user=acting_user,
            action="improvement.task_update",
            channel=channel,
            summary=f"{project.unit.code}: {project.title}: {task.title} v{task.version}",
            details={
                "project": project.pk,
                "task": task.pk,
                "state": task.state,
                "version": task.version,
            },
        )
    return task


def milestone_create(
    *, acting_user, project_id: int, title: str, due_date: datetime.date, channel: str = "web"
) -> Milestone:
    """Add a milestone to a project (within its dates)."""
    project = project_for(acting_user=acting_user, project_id=project_id)
    _authorise(acting_user, project.unit)
    title = _title(title)
    if not isinstance(due_date, datetime.date):
        raise ProjectInputError(_("a milestone needs a date"), "due_date")
    if due_date > project.due_date:
        raise ProjectInputError(
            _("the milestone falls on %(due)s, after its project ends on %(end)s")
            % {"due": due_date.isoformat(), "end": project.due_date.isoformat()},
            "due_date",
        )
    with transaction.atomic():
        milestone = Milestone.objects.create(project=project, title=title, due_date=due_date)
        audit_record(
            user=acting_user,
            action="improvement.milestone_create",
            channel=channel,
            summary=f"{project.unit.code}: {project.title}: {title}",
            details={"project": project.pk, "milestone": milestone.pk},
        )
    return milestone


def milestone_reached_set(
    *,
    acting_user,
    milestone_id: int,
    reached: bool,
    project_id: int | None = None,
    channel: str = "web",
) -> Milestone:
    """Mark a milestone reached (or not) (the unit's managers)."""
    milestones = Milestone.objects.select_related("project__unit").filter(pk=milestone_id)
    if project_id is not None:
        milestones = milestones.filter(project_id=project_id)
    milestone = milestones.first()
    if milestone is None or not may_read_projects(acting_user, milestone.project.unit):
        raise ProjectNotFound(milestone_id)
    _authorise(acting_user, milestone.project.unit)
    with transaction.atomic():
        if milestone.reached != reached:
            milestone.reached = reached
            milestone.save(update_fields=["reached"])
            audit_record(
                user=acting_user,
                action="improvement.milestone_reached",
                channel=channel,
                summary=f"{milestone.project.unit.code}: {milestone.title}: {reached}",
                details={"milestone": milestone.pk, "reached": reached},
            )
    return milestone
