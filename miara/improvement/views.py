"""Pages of improvement projects: the portfolio board of an office and across the offices
that share, a project's page (evidence, tasks, milestones, timeline), the forms.

Thin: authorise (`access_unit`, `services.project_for`: the same 404 for a hidden and a
missing project), call a service, say what happened, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from miara.accounts.models import User
from miara.accounts.scope import access_unit
from miara.fileio.problems import FileProblem
from miara.improvement import exports, imports, selectors, services
from miara.improvement.forms import MilestoneForm, PlansUploadForm, ProjectForm, TaskForm
from miara.improvement.models import Project


def _people(unit) -> list[User]:
    """Who may own a project or task of the unit, or be on its team: those who may read
    its projects."""
    return [
        u
        for u in User.objects.filter(is_active=True, units=unit).order_by("username")
        if services.may_read_projects(u, unit)
    ]


def _project(request, project_id: int) -> Project:
    try:
        return services.project_for(acting_user=request.user, project_id=project_id)
    except services.ProjectNotFound:
        raise Http404(_("There is no such project.")) from None


# --- boards ----------------------------------------------------------------------------


def _board_page(request, unit, *, upload_form=None, upload_problems=None, status=200):
    context = {
        "unit": unit,
        "board": selectors.board(user=request.user, unit=unit),
        "plans": services.may_plan(request.user, unit),
        "shared": services.shares_plans(unit),
        "today": selectors.today(),
        "upload_form": upload_form or PlansUploadForm(),
        "upload_problems": upload_problems,
    }
    return render(request, "improvement/board.html", context, status=status)


@login_required
def unit_board(request, code: str):
    unit = access_unit(request.user, code)
    if not services.may_read_projects(request.user, unit):
        raise Http404(_("There is no such project."))
    return _board_page(request, unit)


@login_required
@require_POST
def upload_view(request, code: str):
    """Load a projects or tasks spreadsheet of the unit (its managers; all or nothing)."""
    import tempfile
    from pathlib import Path

    unit = access_unit(request.user, code)
    if not services.may_plan(request.user, unit):
        raise PermissionDenied
    form = PlansUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _board_page(request, unit, upload_form=form, status=400)
    upload = form.cleaned_data["file"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            report = imports.plans_load(
                path=path, acting_user=request.user, unit_code=unit.code, channel="web"
            )
        except FileProblem as problem:
            return _board_page(request, unit, upload_form=form, upload_problems=problem, status=400)
    messages.success(
        request,
        (
            _("%(file)s: %(created)s projects added, %(updated)s changed, %(unchanged)s unchanged.")
            if report.kind == "projects"
            else _(
                "%(file)s: %(created)s tasks added, %(updated)s changed, %(unchanged)s unchanged."
            )
        )
        % {
            "file": Path(upload.name).name,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        },
    )
    return redirect("improvement:board", code=unit.code)


@login_required
def portfolio(request):
    """Every project the user reads: their own offices' and, for coordinators and experts,
    those of the offices that share them."""
    own = request.user.units.order_by("code") if request.user.is_authenticated else []
    context = {
        "unit": None,
        "own_units": [u for u in own if services.may_read_projects(request.user, u)],
        "board": selectors.board(user=request.user),
        "plans": False,
        "today": selectors.today(),
    }
    return render(request, "improvement/board.html", context)


@login_required
@require_POST
def sharing_view(request, code: str):
    unit = access_unit(request.user, code)
    shared = request.POST.get("shared") == "1"
    services.sharing_set(acting_user=request.user, unit_code=unit.code, shared=shared)
    messages.success(
        request,
        _("The projects are now shared with the programme.")
        if shared
        else _("The projects are no longer shared with the programme."),
    )
    return redirect("improvement:board", code=unit.code)


# --- a project -------------------------------------------------------------------------


def _project_page(request, project, *, task_form=None, milestone_form=None, status=200):
    plans = services.may_plan(request.user, project.unit)
    people = _people(project.unit) if plans else []
    tasks = list(project.tasks.select_related("owner"))
    today = selectors.today()
    for task in tasks:
        task.overdue = selectors.is_overdue(task, today)
        task.editable = services.may_update_task(request.user, task)
    milestones = list(project.milestones.all())
    timeline = sorted(
        [(project.start_date, _("Start"), "start")]
        + [(m.due_date, m.title, "milestone") for m in milestones]
        + [(t.due_date, t.title, "task") for t in tasks if t.due_date]
        + [(project.due_date, _("Due"), "due")],
        key=lambda item: item[0],
    )
    context = {
        "project": project,
        "unit": project.unit,
        "plans": plans,
        "evidence": selectors.project_evidence(user=request.user, project=project),
        "tasks": tasks,
        "milestones": milestones,
        "timeline": timeline,
        "today": today,
        "overdue": selectors.project_is_overdue(project, today),
        "task_form": task_form or (TaskForm(people=people, prefix="task") if plans else None),
        "milestone_form": milestone_form or (MilestoneForm(prefix="milestone") if plans else None),
        "states": Project.State.choices,
    }
    return render(request, "improvement/project.html", context, status=status)


@login_required
def project_page(request, project_id: int):
    return _project_page(request, _project(request, project_id))


def _form_error(form, error):
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


@login_required
def project_create_view(request, code: str):
    unit = access_unit(request.user, code)
    if not services.may_plan(request.user, unit):
        raise PermissionDenied
    people = _people(unit)
    if request.method == "POST":
        form = ProjectForm(request.POST, unit=unit, people=people)
        if form.is_valid():
            try:
                project = services.project_create(
                    acting_user=request.user, unit_code=unit.code, data=form.data_for_service()
                )
            except services.ProjectInputError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("The project was created."))
                return redirect("improvement:project", project_id=project.pk)
        status = 422
    else:
        initial = {"state": Project.State.PROPOSED, "owner": request.user.username}
        if request.GET.get("indicator"):
            initial["indicators"] = [request.GET["indicator"]]
        form = ProjectForm(initial=initial, unit=unit, people=people)
        status = 200
    context = {"form": form, "unit": unit, "project": None}
    return render(request, "improvement/project_form.html", context, status=status)


@login_required
def project_edit_view(request, project_id: int):
    project = _project(request, project_id)
    unit = project.unit
    if not services.may_plan(request.user, unit):
        raise PermissionDenied
    people = _people(unit)
    status = 200
    if request.method == "POST":
        form = ProjectForm(request.POST, unit=unit, people=people)
        if form.is_valid():
            try:
                services.project_update(
                    acting_user=request.user,
                    project_id=project.pk,
                    data=form.data_for_service(),
                    version=form.cleaned_data["version"],
                )
            except services.ProjectConflict as conflict:
                form.add_error(None, str(conflict))
                status = 409
            except services.ProjectInputError as error:
                _form_error(form, error)
                status = 422
            else:
                messages.success(request, _("The project was saved."))
                return redirect("improvement:project", project_id=project.pk)
        else:
            status = 422
    else:
        form = ProjectForm(initial=ProjectForm.initial_for(project), unit=unit, people=people)
    context = {"form": form, "unit": unit, "project": project}
    return render(request, "improvement/project_form.html", context, status=status)


@login_required
@require_POST
def project_state_view(request, project_id: int):
    project = _project(request, project_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        services.project_state_set(
            acting_user=request.user,
            project_id=project.pk,
            state=request.POST.get("state", ""),
            version=version,
        )
    except (services.ProjectInputError, services.ProjectConflict) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The project's state was changed."))
    return redirect("improvement:project", project_id=project.pk)


@login_required
@require_POST
def task_add_view(request, project_id: int):
    project = _project(request, project_id)
    if not services.may_plan(request.user, project.unit):
        raise PermissionDenied
    form = TaskForm(request.POST, people=_people(project.unit), prefix="task")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.task_create(
                acting_user=request.user,
                project_id=project.pk,
                title=data["title"],
                owner=data["owner"] or None,
                state=data["state"],
                due_date=data["due_date"],
            )
        except services.ProjectInputError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The task was added."))
            return redirect("improvement:project", project_id=project.pk)
    return _project_page(request, project, task_form=form, status=422)


@login_required
@require_POST
def milestone_add_view(request, project_id: int):
    project = _project(request, project_id)
    if not services.may_plan(request.user, project.unit):
        raise PermissionDenied
    form = MilestoneForm(request.POST, prefix="milestone")
    if form.is_valid():
        try:
            services.milestone_create(
                acting_user=request.user,
                project_id=project.pk,
                title=form.cleaned_data["title"],
                due_date=form.cleaned_data["due_date"],
            )
        except services.ProjectInputError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The milestone was added."))
            return redirect("improvement:project", project_id=project.pk)
    return _project_page(request, project, milestone_form=form, status=422)


@login_required
@require_POST
def milestone_reached_view(request, project_id: int, milestone_id: int):
    project = _project(request, project_id)
    try:
        services.milestone_reached_set(
            acting_user=request.user,
            milestone_id=milestone_id,
            project_id=project.pk,
            reached=request.POST.get("reached") == "1",
        )
    except services.ProjectNotFound:
        raise Http404(_("There is no such project.")) from None
    messages.success(request, _("The milestone was saved."))
    return redirect("improvement:project", project_id=project.pk)


@login_required
def task_edit_view(request, task_id: int):
    try:
        task = services.task_for(acting_user=request.user, task_id=task_id)
    except services.ProjectNotFound:
        raise Http404(_("There is no such project.")) from None
    if not services.may_update_task(request.user, task):
        raise PermissionDenied
    project = task.project
    plans = services.may_plan(request.user, project.unit)
    people = _people(project.unit)
    status = 200
    if request.method == "POST":
        form = TaskForm(request.POST, people=people)
        if not plans:
            form.fields["owner"].disabled = True
            form.fields["owner"].initial = task.owner.username if task.owner else ""
        if form.is_valid():
            data = form.cleaned_data
            changes = {
                "title": data["title"],
                "state": data["state"],
                "due_date": data["due_date"],
            }
            if plans:
                changes["owner"] = data["owner"] or None
            try:
                services.task_update(
                    acting_user=request.user,
                    task_id=task.pk,
                    version=data["version"],
                    **changes,
                )
            except services.ProjectConflict as conflict:
                form.add_error(None, str(conflict))
                status = 409
            except services.ProjectInputError as error:
                _form_error(form, error)
                status = 422
            else:
                messages.success(request, _("The task was saved."))
                return redirect("improvement:project", project_id=project.pk)
        else:
            status = 422
    else:
        form = TaskForm(
            initial={
                "title": task.title,
                "owner": task.owner.username if task.owner else "",
                "state": task.state,
                "due_date": task.due_date,
                "version": task.version,
            },
            people=people,
        )
        if not plans:
            form.fields["owner"].disabled = True
    context = {"form": form, "task": task, "project": project, "unit": project.unit}
    return render(request, "improvement/task_form.html", context, status=status)


# --- files -----------------------------------------------------------------------------


@login_required
def export_view(request, code: str, what: str, fmt: str):
    unit = access_unit(request.user, code)
    if not services.may_read_projects(request.user, unit):
        raise Http404(_("There is no such project."))
    return exports.projects_response(user=request.user, unit=unit, fmt=fmt, what=what)
