"""The pages of the process-managed office: its process map (a tree of groups and
processes with their criteria's status, upload and download of the map file, adoption
of the programme's model catalogue) and one process's page (its criteria over time and
its operational data).

Whoever may not read an office's process map gets the very 404 of a unit that does not
exist (`_office`), so nobody learns which offices keep a map or share it.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from miara.accounts.scope import access_unit
from miara.analytics import charts
from miara.analytics.hooks import process_findings
from miara.fileio import FileProblem
from miara.fileio.formulas import xlsx_inert
from miara.presentation.downloads import XLSX, csv_response, file_response
from miara.processes import selectors
from miara.processes.services import (
    ProcessRequestError,
    may_manage_processes,
    may_read_process_map,
    model_catalogue_adopt,
    process_map_rows,
    processes_load,
)
from miara.units.models import Unit

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAP_SUFFIXES = (".csv", ".xlsx")


class MapUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Process map file (.csv or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in MAP_SUFFIXES:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 10 MB; a process map is much smaller.")
            )
        return upload


def _office(request, code: str) -> Unit:
    """The unit whose process map the user may read; the same 404 as for a unit that does
    not exist otherwise (access_unit's answer, word for word)."""
    unit = access_unit(request.user, code)
    if not may_read_process_map(request.user, unit):
        raise Http404(_("There is no unit with the code “%(code)s”.") % {"code": code})
    return unit


def _render_map(request, unit: Unit, *, form=None, problems=None, upload_name="", status=200):
    processes = list(selectors.process_map(unit=unit, acting_user=request.user))
    statuses = selectors.process_criteria(unit=unit, acting_user=request.user, processes=processes)
    # The map at a glance: how many criteria improved, worsened, have no value yet.
    trends = {"better": 0, "worse": 0, "no_data": 0}
    for process in processes:
        process.statuses = statuses.get(process.pk, [])
        for criterion in process.statuses:
            if not criterion.has_value:
                trends["no_data"] += 1
            elif criterion.trend in trends:
                trends[criterion.trend] += 1
    models = selectors.model_catalogue()
    manager = may_manage_processes(request.user, unit)
    context = {
        "unit": unit,
        "tree": selectors.process_tree(unit=unit, processes=processes),
        "process_count": len(processes),
        "criteria_count": sum(len(p.statuses) for p in processes),
        "trends": trends,
        "may_manage": manager,
        "form": form or (MapUploadForm() if manager else None),
        "problems": problems,
        "upload_name": upload_name,
        "model_count": models.count(),
        "adopted_count": sum(1 for p in processes if p.model_process_id),
    }
    return render(request, "processes/map.html", context, status=status)


@login_required
@require_GET
def process_map(request, code: str):
    unit = _office(request, code)
    return _render_map(request, unit)


@login_required
@require_POST
def map_upload(request, code: str):
    unit = _office(request, code)
    if not may_manage_processes(request.user, unit):
        raise PermissionDenied
    form = MapUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_map(request, unit, form=form, status=400)
    upload = form.cleaned_data["file"]
    # The service reads a file by its name (.csv or .xlsx), which its problems name too.
    name = Path(upload.name).name
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        with path.open("wb") as target:
            for chunk in upload.chunks():
                target.write(chunk)
        try:
            report = processes_load(
                path=path, unit_code=unit.code, acting_user=request.user, channel="web"
            )
        except FileProblem as problem:
            return _render_map(
                request,
                unit,
                form=form,
                problems=problem.problems,
                upload_name=problem.source,
                status=400,
            )
        except ProcessRequestError as error:
            messages.error(request, str(error))
            return redirect("processes:map", unit.code)
    if report.changed:
        messages.success(request, _("%(file)s was loaded into the process map.") % {"file": name})
    else:
        messages.info(
            request, _("%(file)s holds the map as it is: nothing changed.") % {"file": name}
        )
    return redirect("processes:map", unit.code)


@login_required
@require_GET
def map_download(request, code: str, fmt: str):
    """The map as a process map file that loads back without a change. The CSV, like
    every CSV download, makes text that a spreadsheet would run as a formula inert (a
    name starting with = + - @ gets an apostrophe); the Excel file keeps every text
    exactly, so it is the one to edit such names in."""
    unit = _office(request, code)
    rows = process_map_rows(selectors.process_map(unit=unit, acting_user=request.user))
    filename = f"process-map-{unit.code}.{fmt}"
    if fmt == "csv":
        response, writer = csv_response(filename)
        writer.writerows(rows)
        return response
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "processes"
    for row in rows:
        sheet.append(row)
    xlsx_inert(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return file_response(buffer.getvalue(), filename=filename, content_type=XLSX)


@login_required
@require_POST
def model_adopt(request, code: str):
    unit = _office(request, code)
    if not may_manage_processes(request.user, unit):
        raise PermissionDenied
    try:
        report = model_catalogue_adopt(unit=unit, acting_user=request.user, channel="web")
    except ProcessRequestError as error:
        messages.error(request, str(error))
        return redirect("processes:map", unit.code)
    if report.changed:
        messages.success(request, _("The model process catalogue was adopted into the map."))
    else:
        messages.info(request, _("The map already holds the model process catalogue."))
    return redirect("processes:map", unit.code)


@login_required
@require_GET
def process_page(request, code: str, process: str):
    unit = _office(request, code)
    found = selectors.process_page(unit=unit, code=process, acting_user=request.user)
    if found is None:
        raise Http404(
            _("The process map of %(unit)s has no process “%(code)s”.")
            % {
                "unit": unit.name,
                "code": process,
            }
        )
    statuses = selectors.process_criteria(unit=unit, acting_user=request.user, processes=[found])
    criteria = statuses[found.pk]
    for status in criteria:
        if len(status.series) >= 2:
            status.chart = charts.trend(
                [
                    {"period": period, "value": value, "median": None, "q1": None, "q3": None}
                    for period, value in status.series
                ],
                value_title=status.indicator.unit or status.indicator.label,
                unit_label=unit.name,
                median_label=_("Median"),
                band_label=_("Middle half (Q1–Q3)"),
            )
    variables, rows = selectors.operational_values(
        unit=unit, acting_user=request.user, process=found
    )
    context = {
        "unit": unit,
        "process": found,
        "criteria": criteria,
        "variables": variables,
        "operational_rows": rows,
        "findings": process_findings(user=request.user, unit=unit, process=found),
    }
    return render(request, "processes/process.html", context)
