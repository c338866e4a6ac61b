"""The context-fair comparison page of an indicator and its CSV download.

Thin: the indicator page's request checks (`pages._indicator_request`: indicator, unit,
period, group, all authorised), the chosen context variables, then
`analytics.context.context_comparison`, which decides what the reader may see.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from miara.analytics import charts
from miara.analytics.benchmark import current_result_set
from miara.analytics.context import (
    ContextChoiceError,
    context_choice,
    context_comparison,
    context_variables,
)
from miara.analytics.indicator_detail import group_unit_options
from miara.analytics.selectors import status_suffix
from miara.analytics.views.pages import _group_labels, _indicator_request
from miara.presentation.downloads import csv_response
from miara.presentation.numbers import exact


def requested_variables(query) -> list[str]:
    """`?variables=A,B` or `?variables=A&variables=B` (the form's checkboxes)."""
    return [code for item in query.getlist("variables") for code in item.split(",")]


def _request(request, code: str):
    indicator, unit, periods, period, groups, group = _indicator_request(request, code)
    try:
        variables = context_choice(requested_variables(request.GET))
    except ContextChoiceError as error:
        raise Http404(str(error)) from error
    comparison = context_comparison(
        user=request.user,
        indicator=indicator,
        period=period,
        group=group,
        unit=unit,
        variables=variables,
    )
    return indicator, unit, periods, period, groups, group, comparison


def _unit_choices(request, indicator, period, group, comparison, unit):
    """Whom the reader may look from: every unit of the group, or their own units."""
    if comparison.sees_all:
        choices = group_unit_options(current_result_set(period), indicator, group)
    else:
        choices = tuple(request.user.units.order_by("name").values_list("code", "name"))
    if unit is not None and unit.code not in {c for c, _n in choices}:
        choices = (*choices, (unit.code, unit.name))
    return choices


@login_required
def indicator_context(request, code: str):
    indicator, unit, periods, period, groups, group, comparison = _request(request, code)
    labels = _group_labels(groups)
    title = indicator.unit or indicator.label
    chart = None
    if comparison.fit.fitted and comparison.rows:
        chart = charts.expected_scatter(
            [
                {
                    "label": r.label.label,
                    "value": r.value,
                    "expected": r.expected,
                    "highlight": r.highlight,
                }
                for r in comparison.rows
            ],
            value_title=title,
            expected_title=_("Expected value"),
        )
    query = urlencode(
        [
            *((("unit", unit.code),) if unit else ()),
            ("period", period),
            ("group", group),
            ("variables", ",".join(v.code for v in comparison.variables)),
        ]
    )
    context = {
        "indicator": indicator,
        "unit": unit,
        "periods": periods,
        "period": period,
        "groups": [(c, labels[c]) for c in groups],
        "group": group,
        "group_label": labels[group],
        "comparison": comparison,
        "fit": comparison.fit,
        "mine": comparison.mine,
        "available": context_variables(),
        "chosen": [v.code for v in comparison.variables],
        "unit_choices": _unit_choices(request, indicator, period, group, comparison, unit),
        "chart": chart,
        "query": query,
    }
    return render(request, "analytics/indicator_context.html", context)


@login_required
def indicator_context_csv(request, code: str):
    indicator, _unit, _periods, period, _groups, group, comparison = _request(request, code)
    variables = [v.code for v in comparison.variables]
    response, writer = csv_response(
        f"miara-{indicator.code}-{period}-{group}-context{status_suffix(period)}.csv"
    )
    writer.writerow(
        [
            "indicator",
            "period",
            "group",
            "variables",
            "n",
            "r_squared",
            "unit",
            "unit_name",
            "value",
            "expected",
            "against_expectation",
            *variables,
        ]
    )
    fit = comparison.fit
    for row in comparison.rows:
        writer.writerow(
            [
                indicator.code,
                period,
                group,
                " ".join(variables),
                fit.n,
                exact(fit.r_squared),
                row.label.code or "",
                row.label.label,
                exact(row.value),
                exact(row.expected),
                exact(row.against),
                *(exact(v) for v in row.context),
            ]
        )
    return response
