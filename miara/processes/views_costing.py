"""The costing pages of an office: the time-allocation survey (a grid that saves each
cell as it changes, the costing workbook's upload and template) and the costing (cost
per process and per unit of output, unused capacity, the previous period beside, where
the money goes, downloads, whether the office shares its costing).

Thin: fetch-and-authorise (`costing_unit`: a unit the user may not read the costing of
is the same 404 as a missing one), parse, call one service or selector, render.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from miara.accounts.scope import access_unit, manages_unit
from miara.engine.periods import Period
from miara.fileio import FileProblem
from miara.fileio.writing import write_frame
from miara.presentation.downloads import XLSX, csv_response, file_response
from miara.presentation.numbers import exact, fixed, input_text
from miara.processes.charts import SHOWN, money_flow_spec
from miara.processes.costing_edit import (
    cost_pool_figure_save,
    costing_figures,
    process_output_figure_save,
)
from miara.processes.errors import CellConflict, ProcessRequestError
from miara.processes.models import Department, Process, ProcessSettings
from miara.processes.selectors import (
    EXPORT_COLUMNS,
    costing_export,
    costing_flows,
    costing_periods,
    costing_result,
)
from miara.processes.services import (
    costing_load,
    may_manage_processes,
    may_read_costing,
    period_code,
    process_settings_update,
)
from miara.processes.survey import allocation_cell_save, costing_template, survey_grid

MAX_UPLOAD = 5 * 1024 * 1024


def costing_unit(user, code: str):
    """The unit whose costing the user may read; else the 404 of a missing unit."""
    unit = access_unit(user, code)
    if not may_read_costing(user, unit):
        raise Http404(_("There is no unit with the code “%(code)s”.") % {"code": code})
    return unit


def _period(request, unit, *, required: bool = True) -> str | None:
    """The `?period=` of the request (404 when it is no period), else the latest period
    with costing data, else None."""
    text = request.GET.get("period") or request.POST.get("period")
    if text:
        try:
            return period_code(text)
        except ProcessRequestError as error:
            raise Http404(str(error)) from None
    periods = costing_periods(unit=unit, acting_user=request.user)
    return periods[0] if periods else None


# --- the survey -------------------------------------------------------------------------


@login_required
def survey(request, code: str):
    unit = costing_unit(request.user, code)
    period = _period(request, unit)
    if request.method == "POST":
        return _upload(request, unit, period)
    if period is None:
        return render(
            request,
            "processes/costing_none.html",
            {"unit": unit, "may_manage": may_manage_processes(request.user, unit)},
        )
    grid = survey_grid(unit=unit, period=period, acting_user=request.user)
    return render(request, "processes/survey.html", _survey_context(request, unit, grid))


def _survey_context(request, unit, grid, **extra) -> dict:
    departments, processes = costing_figures(
        unit=unit, period=grid.period, acting_user=request.user
    )
    codes = [(code, escape(code)) for code, _name in grid.processes]
    readonly = "" if grid.editable else " readonly"
    rows = []
    for r, row in enumerate(grid.rows, start=1):
        # A large office's grid has 6,000 inputs: written here in one pass (every text
        # escaped), a template loop takes several times as long.
        cells = []
        for p, (code, safe_code) in enumerate(codes, start=1):
            text = escape(_cell_text(row.cells.get(code)))
            cells.append(
                f'<td><input type="text" inputmode="decimal" size="4" autocomplete="off" '
                f'name="c" value="{text}" data-read="{text}" data-process="{safe_code}" '
                f'aria-labelledby="d{r} p{p}"{readonly}></td>'
            )
        rows.append(
            {
                "code": row.code,
                "name": row.name,
                "total": row.total,
                "total_text": fixed(row.total, 1),
                "cells_html": mark_safe("".join(cells)),  # every text escaped above
            }
        )
    return {
        "unit": unit,
        "grid": grid,
        "rows": rows,
        "may_manage": grid.editable,
        "period": grid.period,
        "periods": costing_periods(unit=unit, acting_user=request.user),
        "cell_url": reverse("costing:cell", args=[unit.code]),
        "pools": [
            {
                "code": d.code,
                "name": d.name,
                "kind": d.kind,
                "figures": [
                    (field, _figure_text(getattr(d, field)))
                    for field in ("fte", "personnel_cost", "other_cost")
                ],
            }
            for d in departments
        ],
        "outputs": [
            {
                "code": p.code,
                "name": p.name,
                "figures": [
                    ("output", _figure_text(p.output)),
                    ("direct_cost", _figure_text(p.direct_cost)),
                ],
            }
            for p in processes
        ],
        "kinds": Department.Kind.choices,
        "pool_url": reverse("costing:pool_figure", args=[unit.code]),
        "output_url": reverse("costing:output_figure", args=[unit.code]),
        **extra,
    }


def _upload(request, unit, period):
    if not may_manage_processes(request.user, unit):
        raise PermissionDenied
    upload = request.FILES.get("workbook")
    problems: list[str] = []
    if period is None:
        problems.append(_("Choose the period of the workbook."))
    elif upload is None:
        problems.append(_("Choose a costing workbook (.xlsx) to upload."))
    elif upload.size > MAX_UPLOAD:
        problems.append(_("The file is larger than 5 MB; a costing workbook is much smaller."))
    else:
        name = Path(upload.name).name or "costing.xlsx"
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            with path.open("wb") as target:
                for chunk in upload.chunks():
                    target.write(chunk)
            try:
                report = costing_load(
                    path=path,
                    unit_code=unit.code,
                    period=period,
                    acting_user=request.user,
                    channel="excel",
                )
            except FileProblem as problem:
                problems += problem.report().splitlines()
            except ProcessRequestError as error:
                problems.append(str(error))
            else:
                messages.success(
                    request,
                    _("%(file)s loaded for %(period)s: %(summary)s")
                    % {"file": name, "period": period, "summary": report.summary()},
                )
                return redirect(reverse("costing:survey", args=[unit.code]) + f"?period={period}")
    if period is None:
        return render(
            request,
            "processes/costing_none.html",
            {"unit": unit, "may_manage": True, "problems": problems},
            status=400,
        )
    grid = survey_grid(unit=unit, period=period, acting_user=request.user)
    return render(
        request,
        "processes/survey.html",
        _survey_context(request, unit, grid, problems=problems),
        status=400,
    )


@login_required
@require_POST
def cell(request, code: str):
    """Save one cell of the survey (the page's script posts each change): JSON answer
    with the cell and its row's total; 400 with a message for a refused cell, 409 with
    the stored cell when someone else changed it meanwhile."""
    unit = costing_unit(request.user, code)
    if not may_manage_processes(request.user, unit):
        raise PermissionDenied
    data = request.POST
    try:
        period = period_code(data.get("period", ""))
        saved = allocation_cell_save(
            acting_user=request.user,
            unit=unit,
            period=period,
            department=data.get("department", ""),
            process=data.get("process", ""),
            percent=data.get("percent", ""),
            read_percent=data.get("read", ""),
        )
    except CellConflict as conflict:
        return JsonResponse(
            {
                "error": str(conflict),
                "stored": conflict.stored,
                "stored_text": _cell_text(conflict.stored),
            },
            status=409,
        )
    except ProcessRequestError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse(
        {
            "percent": saved.percent,
            "text": _cell_text(saved.percent),
            "row_total": saved.row_total,
            "row_total_text": fixed(saved.row_total, 1),
            "values_written": saved.values_written,
        }
    )


def _cell_text(percent: float | None) -> str:
    return "" if percent is None else input_text(percent)


def _figure_text(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else input_text(value)


def _figure(request, code: str, save, key: str):
    """Save one figure of the costing data (the page's script posts each change): JSON
    with the figure as stored; 400 with a message naming the field for a refused
    figure, 409 with the stored figure when someone else changed it meanwhile."""
    unit = costing_unit(request.user, code)
    if not may_manage_processes(request.user, unit):
        raise PermissionDenied
    data = request.POST
    try:
        saved = save(
            acting_user=request.user,
            unit=unit,
            period=period_code(data.get("period", "")),
            field=data.get("field", ""),
            value=data.get("value", ""),
            read_value=data.get("read", ""),
            **{key: data.get("key", "")},
        )
    except CellConflict as conflict:
        return JsonResponse(
            {
                "error": str(conflict),
                "stored": conflict.stored,
                "stored_text": _figure_text(conflict.stored),
            },
            status=409,
        )
    except ProcessRequestError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse(
        {
            "value": saved.value,
            "text": _figure_text(saved.value),
            "values_written": saved.values_written,
        }
    )


@login_required
@require_POST
def pool_figure(request, code: str):
    """One figure of a department's cost pool (`key`: the department's code)."""
    return _figure(request, code, cost_pool_figure_save, "department")


@login_required
@require_POST
def output_figure(request, code: str):
    """A process's output or direct cost (`key`: the process's code)."""
    return _figure(request, code, process_output_figure_save, "process")


@login_required
@require_GET
def template(request, code: str):
    unit = costing_unit(request.user, code)
    period = _period(request, unit)
    if period is None:
        raise Http404(_("Choose a period."))
    data = costing_template(unit=unit, period=period, acting_user=request.user)
    return file_response(data, filename=f"costing-{unit.code}-{period}.xlsx", content_type=XLSX)


# --- the costing --------------------------------------------------------------------------


@login_required
@require_GET
def costing(request, code: str):
    unit = costing_unit(request.user, code)
    period = _period(request, unit)
    periods = costing_periods(unit=unit, acting_user=request.user)
    if period is None or period not in periods:
        return render(
            request,
            "processes/costing_none.html",
            {
                "unit": unit,
                "period": period,
                "may_manage": may_manage_processes(request.user, unit),
            },
            status=200 if period is None else 404,
        )
    result = costing_result(unit=unit, period=period, acting_user=request.user)
    previous = Period.parse(period).previous().code
    before = (
        costing_result(unit=unit, period=previous, acting_user=request.user)
        if previous in periods
        else None
    )
    names = dict(Process.objects.filter(unit=unit).values_list("code", "name"))
    earlier = (
        {row["process"]: row for row in before.processes.iter_rows(named=True)} if before else {}
    )
    rows = []
    for row in result.processes.iter_rows(named=True):
        was = earlier.get(row["process"])
        rows.append(
            {
                **row,
                "name": names.get(row["process"], ""),
                "previous_cost": was["cost"] if was else None,
                "previous_unit_cost": was["unit_cost"] if was else None,
                "change": _change(row["cost"], was["cost"] if was else None),
                "unit_change": _change(row["unit_cost"], was["unit_cost"] if was else None),
                "reason": _reason(row["unit_cost_reason"]),
            }
        )
    chart, chart_summary = _money_chart(request, unit, period, result)
    settings = ProcessSettings.objects.filter(unit=unit).first()
    return render(
        request,
        "processes/costing.html",
        {
            "unit": unit,
            "period": period,
            "periods": periods,
            "previous": previous if before else None,
            "rows": rows,
            "result": result,
            "previous_unassigned": before.unassigned if before else None,
            "assigned": float(result.processes["cost"].sum()),
            "chart": chart,
            "chart_summary": chart_summary,
            "shares": bool(settings and settings.shares_costing),
            "may_share": manages_unit(request.user, unit.pk),
            "may_manage": may_manage_processes(request.user, unit),
        },
    )


def _change(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before == 0:
        return None
    return (now - before) / before * 100


def _reason(reason: str | None) -> str:
    if reason == "output_zero":
        return _("no unit cost: the output is 0")
    if reason == "output_missing":
        return _("no unit cost: no output was given")
    return ""


def _money_chart(request, unit, period, result):
    """The chart of where the money goes, and its summary in words."""
    flows = costing_flows(unit=unit, period=period, acting_user=request.user)
    departments = dict(Department.objects.filter(unit=unit).values_list("code", "name"))
    # The costliest processes get their own colour (charts.SHOWN); the rest share one.
    costs = {
        row["process"]: row["cost"]
        for row in result.processes.sort("cost", descending=True).iter_rows(named=True)
        if row["cost"] > 0
    }
    largest = list(costs)[:SHOWN]
    other, unused = _("other processes"), _("unused capacity")
    labels = {code: code for code in largest}
    rows: dict[tuple[str, str], float] = {}
    for source, kind, process, amount in flows.iter_rows():
        if kind == "direct":
            department = _("direct costs")
        elif kind == "support":
            department = _("%(name)s (support)") % {"name": departments.get(source, source)}
        else:
            department = departments.get(source, source)
        target = unused if process is None else labels.get(process, other)
        rows[(department, target)] = rows.get((department, target), 0.0) + amount
    order = {name: i for i, name in enumerate([*largest, other, unused])}
    totals: dict[str, float] = {}
    for (department, _target), amount in rows.items():
        totals[department] = totals.get(department, 0.0) + amount
    ranked = sorted(totals, key=lambda d: -totals[d])
    spec = money_flow_spec(
        [
            {"department": d, "process": p, "amount": round(a, 2), "order": order[p]}
            for (d, p), a in rows.items()
        ],
        departments=ranked,
        processes=largest,
        other=other,
        unused=unused,
        titles={
            "department": _("Department"),
            "process": _("Process"),
            "amount": _("Cost"),
        },
    )
    top = ", ".join(f"{code} ({fixed(costs[code], 0)})" for code in largest[:3])
    summary = _(
        "Each bar is a department (or the direct costs); its parts are the processes its "
        "money goes to. Of %(total)s in all, %(assigned)s goes to processes and %(unused)s "
        "is unused capacity. The costliest processes: %(top)s."
    ) % {
        "total": fixed(result.total_cost, 0),
        "assigned": fixed(float(result.processes["cost"].sum()), 0),
        "unused": fixed(result.unassigned, 0),
        "top": top or "—",
    }
    return spec, summary


@login_required
@require_GET
def download(request, code: str, fmt: str):
    """The rows of `miara export costing` (contracts.md) as CSV or XLSX."""
    unit = costing_unit(request.user, code)
    period = _period(request, unit)
    if period is None:
        raise Http404(_("Choose a period."))
    try:
        frame = costing_export(unit_code=unit.code, period=period, acting_user=request.user)
    except ProcessRequestError as error:
        raise Http404(str(error)) from None
    name = f"costing-{unit.code}-{period}"
    if fmt == "csv":
        response, writer = csv_response(f"{name}.csv")
        writer.writerow(EXPORT_COLUMNS)
        for row in frame.iter_rows():
            writer.writerow(
                [
                    "" if cell is None else exact(cell) if isinstance(cell, float) else cell
                    for cell in row
                ]
            )
        return response
    with tempfile.TemporaryDirectory() as folder:
        path = write_frame(frame, Path(folder) / f"{name}.xlsx", "xlsx", sheet="costing")
        return file_response(path.read_bytes(), filename=f"{name}.xlsx", content_type=XLSX)


@login_required
@require_POST
def sharing(request, code: str):
    unit = costing_unit(request.user, code)
    shares = request.POST.get("shares_costing") == "1"
    process_settings_update(unit=unit, shares_costing=shares, acting_user=request.user)
    messages.success(
        request,
        _("The costing is now shared with the programme's coordinators and experts.")
        if shares
        else _("The costing is no longer shared with the programme."),
    )
    period = request.POST.get("period", "")
    return redirect(
        reverse("costing:costing", args=[unit.code]) + (f"?period={period}" if period else "")
    )
