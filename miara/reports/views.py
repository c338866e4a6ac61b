"""Report pages: request a unit's report, the whole programme's reports, follow a job.

Thin: authorise, parse the form, call `report_job_create` or a selector, render. The
job page polls `job_status` (JSON) with a little script; without it, reloading the page
shows the same progress.
"""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from miara.accounts.scope import access_unit, reads_all_units
from miara.analytics.benchmark import ALL_UNITS, unit_peer_groups
from miara.analytics.selectors import computed_periods
from miara.catalogue.models import PeerGroup
from miara.lib.collation import sorted_by_name
from miara.reports.content import group_label
from miara.reports.errors import ReportRequestError
from miara.reports.forms import ReportRequestForm
from miara.reports.models import ReportJob
from miara.reports.selectors import report_job_for, report_jobs
from miara.reports.services import report_job_create

JOBS_LISTED = 50
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
}


def _default_language() -> str:
    language = (get_language() or "en")[:2]
    return language if language in ("pl", "cs", "en") else "en"


def _labelled(codes: list[str]) -> list[tuple[str, str]]:
    return [(code, group_label(code)) for code in codes]


@login_required
@require_http_methods(["GET", "POST"])
def unit_report(request, code: str):
    unit = access_unit(request.user, code)
    periods = computed_periods()
    if not periods:
        raise Http404(_("No results have been computed yet, so there is no report to make."))
    period = request.POST.get("period") or request.GET.get("period") or periods[0]
    if period not in periods:
        period = periods[0]
    groups = unit_peer_groups(user=request.user, unit=unit, period=period)
    form = ReportRequestForm(
        request.POST or None,
        periods=periods,
        groups=_labelled(groups),
        initial={
            "period": period,
            "group": request.GET.get("group") or ALL_UNITS,
            "language": _default_language(),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = report_job_create(
                user=request.user,
                kind=ReportJob.Kind.UNIT,
                unit=unit,
                period=data["period"],
                group=data["group"],
                language=data["language"],
                fmt=data["format"],
            )
        except ReportRequestError as error:
            form.add_error(None, str(error))
        else:
            return redirect("reports:job", job_id=job.pk)
    jobs = report_jobs(user=request.user).filter(units=unit, requested_by=request.user)[:10]
    return render(
        request,
        "reports/unit_report.html",
        {"unit": unit, "form": form, "jobs": jobs, "period": period},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_reports(request):
    may_start = reads_all_units(request.user)
    form = None
    periods = computed_periods()
    if may_start and periods:
        groups = [ALL_UNITS, *PeerGroup.objects.order_by("code").values_list("code", flat=True)]
        form = ReportRequestForm(
            request.POST or None,
            periods=periods,
            groups=_labelled(groups),
            initial={"period": periods[0], "group": ALL_UNITS, "language": _default_language()},
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = report_job_create(
                    user=request.user,
                    kind=ReportJob.Kind.PROGRAMME,
                    period=data["period"],
                    group=data["group"],
                    language=data["language"],
                    fmt=data["format"],
                )
            except ReportRequestError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("The reports of %(n)s units are being prepared.") % {"n": job.units.count()},
                )
                return redirect("reports:job", job_id=job.pk)
    jobs = list(report_jobs(user=request.user)[:JOBS_LISTED])
    return render(
        request,
        "reports/programme_reports.html",
        {"form": form, "jobs": jobs, "may_start": may_start},
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


def _status(job: ReportJob) -> dict:
    return {
        "id": job.pk,
        "state": job.state,
        "state_label": job.get_state_display(),
        "done": job.progress_done,
        "total": job.progress_total,
        "percent": job.percent,
        "finished": job.is_finished,
        "error": job.error,
        # Queued again after its runner stopped (a server restart): say so, not "stuck".
        "restarted": job.state == ReportJob.State.QUEUED and job.attempts > 0,
        "download_url": reverse("reports:download", args=[job.pk]) if job.output_path() else None,
    }


@login_required
def job(request, job_id: int):
    found = report_job_for(user=request.user, job_id=job_id)
    return render(
        request,
        "reports/job.html",
        {
            "job": found,
            "status": _status(found),
            "units": sorted_by_name(found.units.all()),
            "group_label": group_label(found.group),
            "keep_days": settings.REPORTS_KEEP_DAYS,
        },
    )


@login_required
def job_status(request, job_id: int):
    found = report_job_for(user=request.user, job_id=job_id)
    response = JsonResponse(_status(found))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def download(request, job_id: int):
    found = report_job_for(user=request.user, job_id=job_id)
    path = found.output_path()
    if path is None and found.files_removed_at:
        raise Http404(
            _("The file of this report was removed after %(days)s days; request it again.")
            % {"days": settings.REPORTS_KEEP_DAYS}
        )
    if path is None:
        raise Http404(_("This report is not ready."))
    content_type = CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type=content_type
    )
