"""The similar-units page of a unit, its CSV, and the coordinator's defaults.

Thin: find and authorise the unit, read the period, variables and k from the query
string, call `analytics.similar`, render. Distances and z-scores come from the engine.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from miara.accounts.scope import access_unit, is_coordinator
from miara.analytics import charts
from miara.analytics.requests import requested_period
from miara.analytics.selectors import status_suffix
from miara.analytics.similar import (
    MAX_K,
    SIMILAR,
    SimilarChoiceError,
    choice_label,
    min_k,
    similar_choice,
    similar_units_for,
    similarity_defaults,
    similarity_defaults_set,
    structural_variables,
)
from miara.engine.errors import SimilarUnitsError
from miara.presentation.downloads import csv_response
from miara.presentation.numbers import exact, fixed
from miara.units.models import Unit


def find_unit(request, code: str) -> Unit:
    """The unit of the URL, authorised for the user; the same 404 if it is missing or hidden."""
    return access_unit(request.user, code)


def find_period(request) -> tuple[list[str], str]:
    return requested_period(
        request.GET,
        nothing_yet=_("No results have been computed yet, so there is nothing to compare."),
    )


def requested_variables(query) -> list[str]:
    """`variables` as repeated parameters (a form's checkboxes) or comma-separated (a link)."""
    return [code for value in query.getlist("variables") for code in value.split(",") if code]


def _similar_request(request, code: str):
    unit = find_unit(request, code)
    periods, period = find_period(request)
    error = None
    try:
        choice = similar_choice(
            requested_variables(request.GET), request.GET.get("k"), user=request.user
        )
    except SimilarChoiceError as problem:
        choice, error = similar_choice(user=request.user), str(problem)
    if choice is None:
        raise Http404(
            _(
                "The catalogue has no structural variables (variables outside every service "
                "area, such as population or area), so similar units cannot be chosen."
            )
        )
    return unit, periods, period, choice, error


@login_required
def similar(request, code: str):
    unit, periods, period, choice, error = _similar_request(request, code)
    result, reason = None, None
    if error is None:
        try:
            result = similar_units_for(user=request.user, unit=unit, period=period, choice=choice)
        except SimilarUnitsError as problem:
            reason = str(problem)
    context = {
        "unit": unit,
        "periods": periods,
        "period": period,
        "choice": choice,
        "choice_label": choice_label(choice),
        "variables": structural_variables(),
        "min_k": min_k(request.user),
        "max_k": MAX_K,
        "error": error,
        "reason": reason,
        "result": result,
        "can_set_defaults": is_coordinator(request.user),
        "defaults": similarity_defaults(),
        "similar_group": SIMILAR,
    }
    if result is not None:
        context |= _charts(result)
    return render(request, "analytics/similar.html", context, status=400 if error else 200)


def _charts(result) -> dict:
    """The charts' specs and their text summaries, from the engine's distances."""
    label = _("Distance")
    distance = charts.compared_bars(
        [{"label": row.unit.label, "value": row.distance} for row in result.rows],
        value_title=label,
    )
    names = ", ".join(v.label for v in result.variables)
    if result.rows:
        nearest, farthest = result.rows[0], result.rows[-1]
        summary = _(
            "The %(count)s units nearest to %(unit)s by %(variables)s in %(period)s. Nearest: "
            "%(nearest)s at a distance of %(near)s; farthest of them: %(farthest)s at %(far)s."
        ) % {
            "count": len(result.rows),
            "unit": result.unit.name,
            "variables": names,
            "period": result.period,
            "nearest": nearest.unit.label,
            "near": fixed(nearest.distance, 2),
            "farthest": farthest.unit.label,
            "far": fixed(farthest.distance, 2),
        }
    else:
        summary = _("No other unit has every chosen variable in %(period)s.") % {
            "period": result.period
        }
    context = {"distance_chart": distance, "distance_summary": summary}
    if result.values_shown and result.rows:
        points = []
        for row in [result.own, *result.rows]:
            for variable, z in zip(result.variables, row.zscores, strict=True):
                points.append(
                    {
                        "variable": variable.label,
                        "label": row.unit.label,
                        "z": z,
                        "highlight": row is result.own,
                    }
                )
        context["profile_chart"] = charts.zscore_profile(points, value_title=_("z-score"))
        context["profile_summary"] = _(
            "Where %(unit)s (diamond) and its similar units (dots) lie on each variable, in "
            "standard deviations from the mean of all units: 0 is the mean."
        ) % {"unit": result.unit.name}
    return context


@login_required
def similar_csv(request, code: str):
    unit, _periods, period, choice, error = _similar_request(request, code)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    try:
        result = similar_units_for(user=request.user, unit=unit, period=period, choice=choice)
    except SimilarUnitsError as problem:
        return HttpResponse(str(problem), status=400, content_type="text/plain; charset=utf-8")
    response, writer = csv_response(
        f"miara-similar-{unit.code}-{period}{status_suffix(period)}.csv"
    )
    codes = list(choice.variables)
    writer.writerow(
        ["period", "unit", "name", "distance", *codes, *(f"z_{code}" for code in codes)]
    )
    for row in [result.own, *result.rows]:
        writer.writerow(
            [
                period,
                row.unit.key,
                row.unit.label,
                exact(row.distance),
                *(exact(v) for v in row.values),
                *(exact(z) for z in row.zscores),
            ]
        )
    return response


@login_required
@require_POST
def similar_defaults(request, code: str):
    """A coordinator makes the page's choice the programme's default similar units."""
    unit = find_unit(request, code)
    try:
        choice = similar_choice(requested_variables(request.POST), request.POST.get("k"))
    except SimilarChoiceError as problem:
        messages.error(request, str(problem))
        return redirect(reverse("analytics:similar", args=[unit.code]))
    similarity_defaults_set(user=request.user, choice=choice)
    messages.success(
        request,
        _("Saved: similar units are now by default %(label)s.") % {"label": choice_label(choice)},
    )
    url = reverse("analytics:similar", args=[unit.code])
    period = request.POST.get("period", "")
    return redirect(f"{url}?period={period}&{choice.query()}" if period else url)
