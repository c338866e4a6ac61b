"""The unit benchmark table and its CSV download.

Thin: authorise, read the period and group from the query string, call the benchmark
selectors, render. Every figure comes from the stored result set.
"""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from miara.accounts.scope import require_unit_access
from miara.analytics.benchmark import ALL_UNITS, benchmark_table, unit_peer_groups
from miara.analytics.selectors import computed_periods
from miara.analytics.similar import (
    SIMILAR,
    SimilarChoiceError,
    choice_label,
    similar_choice,
    similarity_defaults,
)
from miara.catalogue.models import PeerGroup
from miara.engine.errors import SimilarUnitsError
from miara.units.models import Unit


def _benchmark_request(request, code: str):
    """The unit, period and group a benchmark request is about, authorised; or a 404."""
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise Http404(_("There is no unit with the code “%(code)s”.") % {"code": code})
    require_unit_access(request.user, unit)
    periods = computed_periods()
    if not periods:
        raise Http404(_("No results have been computed yet, so there is no benchmark to show."))
    period = request.GET.get("period") or periods[0]
    if period not in periods:
        raise Http404(
            _("No results have been computed for the period “%(period)s”. Available: %(periods)s.")
            % {"period": period, "periods": ", ".join(periods)}
        )
    group = request.GET.get("group") or ALL_UNITS
    similar = None
    if group == SIMILAR:
        try:
            similar = similar_choice(request.GET.get("variables"), request.GET.get("k"))
        except SimilarChoiceError as error:
            raise Http404(str(error)) from error
    groups = unit_peer_groups(user=request.user, unit=unit, period=period, similar=similar)
    if group not in groups:
        raise Http404(
            _("%(unit)s is not compared within the group “%(group)s” in %(period)s.")
            % {"unit": unit.name, "group": group, "period": period}
        )
    return unit, periods, period, groups, group, similar


def _group_labels(codes: list[str], similar=None) -> dict[str, str]:
    labels = {g.code: g.label for g in PeerGroup.objects.filter(code__in=codes)}
    labels[ALL_UNITS] = _("All units")
    if SIMILAR in codes:
        labels[SIMILAR] = choice_label(similar or similarity_defaults())
    return {code: labels.get(code, code) for code in codes}


def _similar_table(request, unit, period, group, similar):
    try:
        return benchmark_table(
            user=request.user, unit=unit, period=period, group=group, similar=similar
        )
    except SimilarUnitsError as error:
        raise Http404(
            _("The similar units of %(unit)s cannot be found for %(period)s: %(reason)s")
            % {"unit": unit.name, "period": period, "reason": error}
        ) from error


@login_required
def benchmark(request, code: str):
    unit, periods, period, groups, group, similar = _benchmark_request(request, code)
    sections = _similar_table(request, unit, period, group, similar)
    labels = _group_labels(groups, similar)
    context = {
        "unit": unit,
        "periods": periods,
        "period": period,
        "groups": [(code, labels[code]) for code in groups],
        "group": group,
        "group_label": labels[group],
        "group_entry": PeerGroup.objects.filter(code=group).first(),
        "sections": sections,
        "has_any_value": any(row.has_value for s in sections for row in s.rows),
        "similar": similar,
    }
    return render(request, "analytics/benchmark.html", context)


CSV_COLUMNS = [
    "area",
    "indicator",
    "name",
    "unit_of_measure",
    "direction",
    "period",
    "group",
    "unit",
    "value",
    "n",
    "median",
    "q1",
    "q3",
    "best",
    "rank",
    "percentile",
    "quartile",
    "change",
]


def _cell(value) -> str:
    # repr() of a float is the shortest text that reads back as the same float:
    # full precision, and a dot as decimal separator as in every miara export.
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


@login_required
def benchmark_csv(request, code: str):
    unit, _periods, period, _groups, group, similar = _benchmark_request(request, code)
    sections = _similar_table(request, unit, period, group, similar)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"miara-benchmark-{unit.code}-{period}-{group}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for section in sections:
        for row in section.rows:
            indicator = row.indicator
            writer.writerow(
                [
                    section.area.code if section.area else "",
                    indicator.code,
                    indicator.label,
                    indicator.unit,
                    indicator.direction,
                    period,
                    group,
                    unit.code,
                    *(
                        _cell(getattr(row, name))
                        for name in (
                            "value",
                            "n",
                            "median",
                            "q1",
                            "q3",
                            "best",
                            "rank",
                            "percentile",
                            "quartile",
                            "change",
                        )
                    ),
                ]
            )
    return response
