"""Improvement projects: read those you may read, create and change them with versions."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from miara.api import lookups
from miara.api.auth import protected
from miara.api.schemas import Code, ErrorOut, Text, UnitCode, ValidationErrorOut
from miara.improvement import selectors, services
from miara.improvement.models import Project, Task

router = Router(tags=["projects"], auth=protected)

NOT_FOUND = "there is no such project"


class IndicatorLink(Schema):
    indicator: Code
    unit: UnitCode | None = Field(
        None, description="Whose values: only the project's own unit is accepted (default)"
    )


class TaskOut(Schema):
    id: int
    title: str
    owner: str | None
    state: str = Field(description="todo, doing or done")
    due_date: datetime.date | None
    overdue: bool
    version: int


class MilestoneOut(Schema):
    title: str
    due_date: datetime.date
    reached: bool


class ProjectOut(Schema):
    id: int
    unit: str
    title: str
    problem: str
    owner: str | None
    team: list[str]
    start_date: datetime.date
    due_date: datetime.date
    state: str = Field(description="proposed, active, on_hold, done or cancelled")
    budget: float | None
    currency: str
    expected_effect: str | None = Field(description="The indicator of the unit's target")
    indicators: list[str]
    processes: list[str]
    version: int = Field(description="Send it back when you change the project")


class ProjectDetailOut(ProjectOut):
    tasks: list[TaskOut]
    milestones: list[MilestoneOut]


class ProjectsOut(Schema):
    items: list[ProjectOut]


class ProjectIn(Schema):
    unit: UnitCode
    title: Annotated[str, Field(min_length=1, max_length=200)]
    problem: Text = ""
    owner: Code | None = None
    team: list[Code] = Field(default_factory=list, max_length=100)
    start_date: datetime.date
    due_date: datetime.date
    state: Code = "proposed"
    budget: float | None = Field(None, ge=0)
    currency: Annotated[str, Field(max_length=3)] = ""
    expected_effect: Code | None = Field(
        None, description="Code of an indicator the unit has a target for"
    )
    indicators: list[IndicatorLink] = Field(default_factory=list, max_length=200)
    processes: list[Code] = Field(default_factory=list, max_length=200)


class ProjectUpdateIn(ProjectIn):
    version: int = Field(ge=1, description="The version you read")


class TaskIn(Schema):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    owner: Code | None = None
    state: Code = "todo"
    due_date: datetime.date | None = None


class TaskUpdateIn(TaskIn):
    version: int = Field(ge=1, description="The version you read")


class ConflictOut(Schema):
    detail: str
    given_version: int
    stored_version: int


def _task(task: Task, today) -> dict:
    return {
        "id": task.pk,
        "title": task.title,
        "owner": task.owner.username if task.owner else None,
        "state": task.state,
        "due_date": task.due_date,
        "overdue": selectors.is_overdue(task, today),
        "version": task.version,
    }


def _project(project: Project, detail: bool = False) -> dict:
    row = {
        "id": project.pk,
        "unit": project.unit.code,
        "title": project.title,
        "problem": project.problem,
        "owner": project.owner.username if project.owner else None,
        "team": sorted(u.username for u in project.team.all()),
        "start_date": project.start_date,
        "due_date": project.due_date,
        "state": project.state,
        "budget": float(project.budget) if project.budget is not None else None,
        "currency": project.currency,
        "expected_effect": (
            project.expected_effect.indicator.code if project.expected_effect else None
        ),
        "indicators": sorted(i.code for i in project.indicators.all()),
        "processes": sorted(p.code for p in project.processes.all()),
        "version": project.version,
    }
    if detail:
        today = selectors.today()
        row["tasks"] = [_task(t, today) for t in project.tasks.select_related("owner")]
        row["milestones"] = [
            {"title": m.title, "due_date": m.due_date, "reached": m.reached}
            for m in project.milestones.all()
        ]
    return row


def _data(payload: ProjectIn) -> services.ProjectData:
    return services.ProjectData(
        title=payload.title,
        problem=payload.problem,
        owner=payload.owner,
        team=list(payload.team),
        start_date=payload.start_date,
        due_date=payload.due_date,
        state=payload.state,
        budget=payload.budget,
        currency=payload.currency,
        expected_effect=payload.expected_effect,
        indicators=[
            f"{link.unit}:{link.indicator}" if link.unit else link.indicator
            for link in payload.indicators
        ],
        processes=list(payload.processes),
    )


def _refused(error: services.ProjectInputError):
    return Status(422, {"detail": [{"index": None, "field": error.field, "message": str(error)}]})


def _conflict(conflict: services.ProjectConflict):
    return Status(
        409,
        {
            "detail": str(conflict),
            "given_version": conflict.given,
            "stored_version": conflict.stored,
        },
    )


def _read(user, project_id: int) -> Project:
    try:
        return services.project_for(acting_user=user, project_id=project_id)
    except services.ProjectNotFound:
        raise Http404(NOT_FOUND) from None


READ = {200: ProjectDetailOut, 401: ErrorOut, 404: ErrorOut}
WRITE = {
    200: ProjectDetailOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ConflictOut,
    422: ValidationErrorOut,
}


@router.get(
    "",
    response={200: ProjectsOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Improvement projects you may read",
)
def projects_list(
    request,
    unit: Annotated[
        list[UnitCode] | None, Query(description="Unit code; repeat for several")
    ] = None,
):
    """Your own offices' projects, and those of the offices that share them with the
    programme (coordinators and experts). A unit you may not see is a 404, as is one that
    does not exist."""
    user = request.auth
    units = lookups.check_visible_units(user, unit)
    projects = selectors.projects_for(user=user).prefetch_related("processes")
    if units:
        projects = projects.filter(unit__code__in=units)
    return {"items": [_project(p) for p in projects]}


@router.get("/{int:project_id}", response=READ, summary="One project with its tasks")
def project_get(request, project_id: int):
    """A project you may read; one you may not is the same 404 as one that does not exist."""
    return _project(_read(request.auth, project_id), detail=True)


@router.post("", response=WRITE, summary="Create a project")
def project_post(request, payload: ProjectIn):
    """Create a project of a unit you manage (an office plans for itself). 422 names the
    field that is wrong (a due date before the start, another office's values, an owner
    without access to the unit, ...)."""
    user = request.auth
    lookups.check_visible_units(user, [payload.unit])
    try:
        project = services.project_create(
            acting_user=user, unit_code=payload.unit, data=_data(payload), channel="api"
        )
    except services.ProjectInputError as error:
        return _refused(error)
    return _project(project, detail=True)


@router.put("/{int:project_id}", response=WRITE, summary="Change a project")
def project_put(request, project_id: int, payload: ProjectUpdateIn):
    """Replace what is stated about a project. Send `version` as you read it: when someone
    changed the project since, nothing is stored and the answer is 409."""
    user = request.auth
    project = _read(user, project_id)
    if payload.unit != project.unit.code:
        return Status(
            422,
            {
                "detail": [
                    {
                        "index": None,
                        "field": "unit",
                        "message": "a project cannot move to another unit",
                    }
                ]
            },
        )
    try:
        project = services.project_update(
            acting_user=user,
            project_id=project.pk,
            data=_data(payload),
            version=payload.version,
            channel="api",
        )
    except services.ProjectInputError as error:
        return _refused(error)
    except services.ProjectConflict as conflict:
        return _conflict(conflict)
    return _project(project, detail=True)


@router.post("/{int:project_id}/tasks", response=WRITE, summary="Add a task")
def task_post(request, project_id: int, payload: TaskIn):
    """Add a task to a project of a unit you manage; a task due after its project ends is
    a 422."""
    user = request.auth
    project = _read(user, project_id)
    try:
        services.task_create(
            acting_user=user,
            project_id=project.pk,
            title=payload.title,
            owner=payload.owner,
            state=payload.state,
            due_date=payload.due_date,
            channel="api",
        )
    except services.ProjectInputError as error:
        return _refused(error)
    return _project(_read(user, project_id), detail=True)


@router.put("/tasks/{int:task_id}", response=WRITE, summary="Change a task")
def task_put(request, task_id: int, payload: TaskUpdateIn):
    """Change a task: the unit's managers any, an editor a task they own. 409 when the
    task was changed since the version you send."""
    user = request.auth
    try:
        task = services.task_for(acting_user=user, task_id=task_id)
    except services.ProjectNotFound:
        raise Http404(NOT_FOUND) from None
    changes = {"title": payload.title, "state": payload.state, "due_date": payload.due_date}
    if services.may_plan(user, task.project.unit):
        changes["owner"] = payload.owner
    try:
        services.task_update(
            acting_user=user, task_id=task.pk, version=payload.version, channel="api", **changes
        )
    except services.ProjectInputError as error:
        return _refused(error)
    except services.ProjectConflict as conflict:
        return _conflict(conflict)
    return _project(_read(user, task.project_id), detail=True)
