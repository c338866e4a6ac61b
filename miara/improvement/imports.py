"""Projects and tasks loaded from a spreadsheet (CSV or XLSX) of an office that plans in
spreadsheets: the very columns the downloads write (`exports.PROJECT_SCHEMA`,
`TASK_SCHEMA`), so that downloading and uploading back changes nothing.

A row with an `id` changes that project (task) of the unit when it differs, through
`project_update` (`task_update`) with the row's `version`; a row without one creates it
through `project_create` (`task_create`). Each write is the service's own (authorised,
validated and audited); the whole file is one transaction: all or nothing, every problem
named by line and column. What the downloads leave out (a project's problem statement and
processes) is kept as it is.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from miara.accounts.audit import audit_record
from miara.fileio.formulas import FORMULA_STARTS
from miara.fileio.problems import FileProblem, Problem
from miara.fileio.tables import LINE, read_table
from miara.improvement import services
from miara.improvement.exports import PROJECT_SCHEMA, TASK_SCHEMA
from miara.improvement.models import Project, Task

# Which service field a problem is about → the file's column.
_COLUMNS = {"team": "team", "owner": "owner", "indicators": "indicators"}


@dataclass
class LoadReport:
    kind: str  # "projects" or "tasks"
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: list = field(default_factory=list)


class _Rollback(Exception):
    pass


# What a service refuses for one row: reported as a problem of that row.
_REFUSED = (
    services.ProjectInputError,
    services.ProjectConflict,
    services.ProjectNotFound,
    PermissionDenied,
)


def _date(text: str | None, line: int, column: str, problems: list, required: bool = True):
    if not text:
        if required:
            problems.append(Problem(_("a date is required (YYYY-MM-DD)"), line, column))
        return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        problems.append(
            Problem(_("“%(text)s” is not a date (YYYY-MM-DD)") % {"text": text}, line, column)
        )
        return None


def _int(text: str | None, line: int, column: str, problems: list) -> int | None:
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is None or number != int(number):
        problems.append(
            Problem(_("“%(text)s” is not a whole number") % {"text": text}, line, column)
        )
        return None
    return int(number)


def _budget(text: str | None, line: int, problems: list) -> Decimal | None:
    if not text:
        return None
    try:
        return Decimal(text.replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except InvalidOperation:
        problems.append(Problem(_("“%(text)s” is not a number") % {"text": text}, line, "budget"))
        return None


def _formula_text(text: str | None) -> str | None:
    """A CSV download's text made inert (`fileio.formulas.csv_text`: an apostrophe before
    = + - @) read back as it was typed."""
    if text and text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _words(text: str | None) -> list[str]:
    return (text or "").split()


def _unit_column(row: dict, unit, line: int, problems: list) -> None:
    if row.get("unit") and row["unit"] != unit.code:
        problems.append(
            Problem(
                _("this row is of %(other)s; load it on the board of that unit")
                % {"other": row["unit"]},
                line,
                "unit",
            )
        )


def _service_problem(error: Exception, line: int, default_column: str) -> Problem:
    if isinstance(error, services.ProjectInputError):
        return Problem(str(error), line, _COLUMNS.get(error.field, error.field or default_column))
    if isinstance(error, services.ProjectConflict):
        return Problem(str(error), line, "version")
    if isinstance(error, services.ProjectNotFound):
        return Problem(_("there is no such project or task"), line, "id")
    return Problem(str(error) or _("You may not change the projects of this unit."), line)


def _project_same(project: Project, data: services.ProjectData) -> bool:
    budget = Decimal(str(data.budget)) if data.budget is not None else None
    return (
        project.title == data.title.strip()
        and project.state == data.state
        and (project.owner.username if project.owner else None) == (data.owner or None)
        and sorted(u.username for u in project.team.all()) == sorted(set(data.team))
        and project.start_date == data.start_date
        and project.due_date == data.due_date
        and project.budget == budget
        and (project.currency or "") == (data.currency or "")
        and sorted(i.code for i in project.indicators.all()) == sorted(set(data.indicators))
        and (project.expected_effect.indicator.code if project.expected_effect else None)
        == (data.expected_effect or None)
    )


def _load_projects(frame, unit, acting_user, channel, report, problems) -> None:
    for row in frame.to_dicts():
        line = row[LINE]
        before = len(problems)
        _unit_column(row, unit, line, problems)
        pk = _int(row.get("id"), line, "id", problems)
        version = _int(row.get("version"), line, "version", problems)
        start = _date(row.get("start_date"), line, "start_date", problems)
        due = _date(row.get("due_date"), line, "due_date", problems)
        budget = _budget(row.get("budget"), line, problems)
        project = None
        if pk is not None:
            project = Project.objects.filter(pk=pk, unit=unit).first()
            if project is None:
                problems.append(
                    Problem(
                        _("%(unit)s has no project with the id %(id)s")
                        % {"unit": unit.code, "id": pk},
                        line,
                        "id",
                    )
                )
        if len(problems) > before:
            continue
        data = services.ProjectData(
            title=row.get("title") or "",
            start_date=start,
            due_date=due,
            problem=project.problem if project else "",
            owner=row.get("owner") or None,
            team=_words(row.get("team")),
            state=row.get("state") or Project.State.PROPOSED,
            budget=budget,
            currency=row.get("currency") or "",
            expected_effect=row.get("expected_effect") or None,
            indicators=_words(row.get("indicators")),
            processes=[p.code for p in project.processes.all()] if project else [],
        )
        try:
            if project is None:
                services.project_create(
                    acting_user=acting_user, unit_code=unit.code, data=data, channel=channel
                )
                report.created += 1
            elif _project_same(project, data):
                report.unchanged += 1
            else:
                services.project_update(
                    acting_user=acting_user,
                    project_id=project.pk,
                    data=data,
                    version=version,
                    channel=channel,
                )
                report.updated += 1
        except _REFUSED as error:
            problems.append(_service_problem(error, line, "title"))


def _load_tasks(frame, unit, acting_user, channel, report, problems) -> None:
    projects = list(Project.objects.filter(unit=unit))
    by_id = {p.pk: p for p in projects}
    for row in frame.to_dicts():
        line = row[LINE]
        before = len(problems)
        _unit_column(row, unit, line, problems)
        pk = _int(row.get("id"), line, "id", problems)
        version = _int(row.get("version"), line, "version", problems)
        project_id = _int(row.get("project"), line, "project", problems)
        due = _date(row.get("due_date"), line, "due_date", problems, required=False)
        project = by_id.get(project_id) if project_id is not None else None
        if project_id is not None and project is None:
            problems.append(
                Problem(
                    _("%(unit)s has no project with the id %(id)s")
                    % {"unit": unit.code, "id": project_id},
                    line,
                    "project",
                )
            )
        elif project is None:
            named = [p for p in projects if p.title == (row.get("project_title") or "")]
            if len(named) == 1:
                project = named[0]
            else:
                problems.append(
                    Problem(
                        _("name the task's project by its id, or by a title no other project has")
                        if named
                        else _("%(unit)s has no project titled “%(title)s”")
                        % {"unit": unit.code, "title": row.get("project_title") or ""},
                        line,
                        "project_title",
                    )
                )
        task = None
        if pk is not None and project is not None:
            task = Task.objects.filter(pk=pk, project__unit=unit).select_related("owner").first()
            if task is None:
                problems.append(
                    Problem(
                        _("%(unit)s has no task with the id %(id)s")
                        % {"unit": unit.code, "id": pk},
                        line,
                        "id",
                    )
                )
            elif task.project_id != project.pk:
                problems.append(
                    Problem(_("a task cannot move to another project"), line, "project")
                )
        if len(problems) > before:
            continue
        title = row.get("title") or ""
        owner = row.get("owner") or None
        state = row.get("state") or Task.State.TODO
        try:
            if task is None:
                services.task_create(
                    acting_user=acting_user,
                    project_id=project.pk,
                    title=title,
                    owner=owner,
                    state=state,
                    due_date=due,
                    channel=channel,
                )
                report.created += 1
            elif (
                task.title == title.strip()
                and (task.owner.username if task.owner else None) == owner
                and task.state == state
                and task.due_date == due
            ):
                report.unchanged += 1
            else:
                services.task_update(
                    acting_user=acting_user,
                    task_id=task.pk,
                    version=version,
                    title=title,
                    owner=owner,
                    state=state,
                    due_date=due,
                    channel=channel,
                )
                report.updated += 1
        except _REFUSED as error:
            problems.append(_service_problem(error, line, "title"))


def plans_load(
    *, path: str | Path, acting_user, unit_code: str, channel: str = "web"
) -> LoadReport:
    """Load a projects or tasks file (told apart by its columns) of the unit: all or
    nothing; FileProblem names every bad row and column."""
    path = Path(path)
    unit = services.unit_for(unit_code=unit_code, acting_user=acting_user)
    if not services.may_plan(acting_user, unit):
        raise PermissionDenied(
            _("Only the managers of %(unit)s plan its projects.") % {"unit": unit.code}
        )
    header = read_table(path, required=["title"], optional=["project", "project_title"])
    kind = "tasks" if {"project", "project_title"} & set(header.columns) else "projects"
    if kind == "projects":
        required = ["title", "state", "start_date", "due_date"]
        optional = [c for c in PROJECT_SCHEMA if c not in required]
    else:
        required = ["title"]
        optional = [c for c in TASK_SCHEMA if c not in required]
    frame = read_table(path, required=required, optional=optional)
    if path.suffix.lower() != ".xlsx":
        frame = frame.with_columns(
            pl.col(c).map_elements(_formula_text, return_dtype=pl.String)
            for c in frame.columns
            if c != LINE
        )
    if frame.is_empty():
        raise FileProblem(path.name, [Problem(_("the file has a header but no rows"))])
    report = LoadReport(kind=kind)
    problems: list[Problem] = []
    load = _load_projects if kind == "projects" else _load_tasks
    try:
        with transaction.atomic():
            load(frame, unit, acting_user, channel, report, problems)
            if problems:
                raise _Rollback
            audit_record(
                user=acting_user,
                action=f"improvement.{kind}_load",
                channel=channel,
                summary=f"{unit.code}: {path.name}: {report.created} created, "
                f"{report.updated} changed, {report.unchanged} unchanged",
                details={
                    "unit": unit.code,
                    "file": path.name,
                    "kind": kind,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
    except _Rollback:
        raise FileProblem(path.name, problems) from None
    return report
