"""The targets page of a unit: its targets with their status, their history, and for the
unit's managers the forms to set, derive and delete them.

Thin: authorise (`access_unit`, then the services' and selectors' own checks), call a
service, say what happened, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from miara.accounts.models import User
from miara.accounts.scope import access_unit
from miara.analytics.benchmark import ALL_UNITS
from miara.catalogue.models import PeerGroup
from miara.fileio import FileProblem
from miara.presentation.downloads import csv_response
from miara.presentation.numbers import exact
from miara.targets import selectors, services
from miara.targets.forms import TargetDeriveForm, TargetSetForm, TargetsUploadForm


def _owners(unit) -> list[User]:
    """People who may own the unit's targets: those who may read them."""
    candidates = User.objects.filter(is_active=True).order_by("username")
    return [u for u in candidates if services.may_read_targets(u, unit)]


def _groups() -> list[tuple[str, str]]:
    return [(ALL_UNITS, _("All units"))] + [
        (g.code, g.label) for g in PeerGroup.objects.order_by("code")
    ]


def _page(
    request,
    unit,
    *,
    set_form=None,
    derive_form=None,
    upload_form=None,
    upload_problems=None,
    status=200,
):
    rows = selectors.unit_targets(user=request.user, unit=unit)
    for row in rows:
        row.rule_label = _rule(row.target)
    plans = services.may_plan(request.user, unit)
    owners = _owners(unit) if plans else []
    if plans and set_form is None:
        initial = {}
        wanted = request.GET.get("indicator")
        if wanted:
            initial["indicator"] = wanted
            for row in rows:
                if row.indicator.code == wanted:
                    (p0, v0), *rest = row.points
                    initial.update(
                        start_period=p0, start_value=f"{v0:g}", version=row.target.version
                    )
                    if rest:
                        initial.update(final_period=rest[-1][0], final_value=f"{rest[-1][1]:g}")
                    if row.target.owner:
                        initial["owner"] = row.target.owner.username
        set_form = TargetSetForm(initial=initial, owners=owners)
    if plans and derive_form is None:
        derive_form = TargetDeriveForm(
            initial={"indicator": request.GET.get("indicator"), "group": ALL_UNITS},
            owners=owners,
            groups=_groups(),
        )
    context = {
        "unit": unit,
        "rows": rows,
        "history": selectors.target_history(user=request.user, unit=unit),
        "plans": plans,
        "set_form": set_form,
        "derive_form": derive_form,
        "shared": services.shares_targets(unit),
        "upload_form": upload_form or (TargetsUploadForm() if plans else None),
        "upload_problems": upload_problems,
    }
    return render(request, "targets/unit_targets.html", context, status=status)


def _rule(target) -> str:
    if target.rule_params:
        return services.rule_text(target.rule_params)
    return target.rule


@login_required
def unit_targets_page(request, code: str):
    unit = access_unit(request.user, code)
    return _page(request, unit)


def _refused(request, unit, form, error, which: str):
    if isinstance(error, services.TargetConflict):
        form.add_error(None, str(error))
        return _page(request, unit, **{which: form}, status=409)
    field = error.field if error.field in form.fields else None
    if field is None and error.field in ("period", "target", "points"):
        field = "start_period" if "start_period" in form.fields else "final_period"
    form.add_error(field, str(error))
    return _page(request, unit, **{which: form}, status=422)


@login_required
@require_POST
def target_set_view(request, code: str):
    unit = access_unit(request.user, code)
    if not services.may_plan(request.user, unit):
        raise PermissionDenied
    form = TargetSetForm(request.POST, owners=_owners(unit))
    if not form.is_valid():
        return _page(request, unit, set_form=form, status=422)
    data = form.cleaned_data
    try:
        services.target_set(
            acting_user=request.user,
            indicator_code=data["indicator"],
            unit_code=unit.code,
            points=form.points(),
            owner=data["owner"] or None,
            version=data["version"],
            channel="web",
        )
    except (services.TargetInputError, services.TargetConflict) as error:
        return _refused(request, unit, form, error, "set_form")
    messages.success(
        request, _("The target of %(indicator)s was saved.") % {"indicator": data["indicator"]}
    )
    return redirect("targets:unit", code=unit.code)


@login_required
@require_POST
def target_derive_view(request, code: str):
    unit = access_unit(request.user, code)
    if not services.may_plan(request.user, unit):
        raise PermissionDenied
    form = TargetDeriveForm(request.POST, owners=_owners(unit), groups=_groups())
    if not form.is_valid():
        return _page(request, unit, derive_form=form, status=422)
    data = form.cleaned_data
    try:
        services.target_derive(
            acting_user=request.user,
            indicator_code=data["indicator"],
            unit_code=unit.code,
            statistic=data["statistic"],
            group=data["group"],
            fraction=float(data["share"]),
            final_period=data["final_period"].strip(),
            owner=data["owner"] or None,
            version=data["version"],
            channel="web",
        )
    except (services.TargetInputError, services.TargetConflict) as error:
        if isinstance(error, services.TargetInputError) and error.field == "period":
            error.field = "final_period"
        return _refused(request, unit, form, error, "derive_form")
    messages.success(
        request,
        _("The target of %(indicator)s was derived from the benchmark.")
        % {"indicator": data["indicator"]},
    )
    return redirect("targets:unit", code=unit.code)


@login_required
@require_POST
def target_delete_view(request, code: str):
    unit = access_unit(request.user, code)
    indicator = request.POST.get("indicator", "")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        services.target_delete(
            acting_user=request.user,
            indicator_code=indicator,
            unit_code=unit.code,
            version=version,
            channel="web",
        )
    except (services.TargetInputError, services.TargetConflict) as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The target of %(indicator)s was deleted.") % {"indicator": indicator}
        )
    return redirect("targets:unit", code=unit.code)


@login_required
@require_POST
def target_sharing_view(request, code: str):
    unit = access_unit(request.user, code)
    shared = request.POST.get("shared") == "1"
    services.target_sharing_set(
        acting_user=request.user, unit_code=unit.code, shared=shared, channel="web"
    )
    messages.success(
        request,
        _("The targets are now shared with the programme.")
        if shared
        else _("The targets are no longer shared with the programme."),
    )
    return redirect("targets:unit", code=unit.code)


@login_required
def targets_csv(request, code: str):
    """The unit's targets as `miara export targets` writes them (contracts.md)."""
    unit = access_unit(request.user, code)
    frame = selectors.targets_export(acting_user=request.user, unit_codes=[unit.code])
    response, writer = csv_response(f"miara-targets-{unit.code}.csv")
    writer.writerow(frame.columns)
    for row in frame.rows():
        writer.writerow([exact(v) if isinstance(v, float) else (v or "") for v in row])
    return response


@login_required
@require_POST
def targets_upload(request, code: str):
    """Load a targets file of the unit (all or nothing; every bad line named)."""
    import tempfile
    from pathlib import Path

    unit = access_unit(request.user, code)
    if not services.may_plan(request.user, unit):
        raise PermissionDenied
    form = TargetsUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, unit, upload_form=form, status=400)
    upload = form.cleaned_data["file"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            report = services.targets_load(path=path, acting_user=request.user, channel="web")
        except FileProblem as problem:
            return _page(request, unit, upload_form=form, upload_problems=problem, status=400)
    messages.success(
        request,
        _("%(file)s: %(created)s targets created, %(updated)s changed, %(unchanged)s unchanged.")
        % {
            "file": Path(upload.name).name,
            "created": report.created.get("targets", 0),
            "updated": report.updated.get("targets", 0),
            "unchanged": report.unchanged.get("targets", 0),
        },
    )
    return redirect("targets:unit", code=unit.code)
