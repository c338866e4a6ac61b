"""The unit scorecard (the benchmark page), the indicator page, and their CSV downloads.

Thin: authorise, read the period, group, area and sort from the query string, call the
selectors (`benchmark`, `scorecard`, `indicator_detail`), render. Every figure comes from
the stored result set.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from miara.accounts.scope import access_unit
from miara.analytics import charts, indicator_html, scorecard_html
from miara.analytics.benchmark import ALL_UNITS, ROW_FIGURES, unit_peer_groups
from miara.analytics.context import (
    ContextChoiceError,
    context_choice,
    context_comparison,
    median_interval,
)
from miara.analytics.hooks import indicator_findings, indicator_projects, indicator_target
from miara.analytics.index_selectors import unit_index_scores
from miara.analytics.indicator_detail import default_unit, indicator_detail, indicator_groups
from miara.analytics.peers import others_named
from miara.analytics.requests import requested_period
from miara.analytics.scorecard import SORTS, unit_scorecard
from miara.analytics.selectors import status_suffix
from miara.analytics.similar import (
    SIMILAR,
    SimilarChoiceError,
    choice_label,
    similar_choice,
    similarity_defaults,
)
from miara.catalogue.models import Indicator, PeerGroup, ServiceArea
from miara.engine.errors import SimilarUnitsError
from miara.engine.periods import Period
from miara.lib import memo
from miara.presentation.downloads import csv_response
from miara.presentation.html import escape
from miara.presentation.numbers import exact


def _benchmark_request(request, code: str):
    """The unit, period and group a benchmark request is about, authorised; or a 404."""
    unit = access_unit(request.user, code)
    periods, period = requested_period(
        request.GET,
        nothing_yet=_("No results have been computed yet, so there is no benchmark to show."),
    )
    group = request.GET.get("group") or ALL_UNITS
    similar = None
    if group == SIMILAR:
        try:
            similar = similar_choice(
                request.GET.get("variables"), request.GET.get("k"), user=request.user
            )
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


def _scorecard(request, unit, period, group, similar, area, sort, *, table=False):
    """The unit's `Scorecard`, or with `table` the page's `ScorecardTable` (kept per
    result set); a 404 that says why when its similar units cannot be found."""
    build = scorecard_html.scorecard_table if table else unit_scorecard
    try:
        return build(
            user=request.user,
            unit=unit,
            period=period,
            group=group,
            similar=similar,
            area=area,
            sort=sort,
        )
    except SimilarUnitsError as error:
        raise Http404(
            _("The similar units of %(unit)s cannot be found for %(period)s: %(reason)s")
            % {"unit": unit.name, "period": period, "reason": error}
        ) from error


def _scorecard_options(request):
    """The service area filter and the sort order, checked; a 404 that says what is valid."""
    area = request.GET.get("area") or None
    if area and not ServiceArea.objects.filter(code=area).exists():
        raise Http404(_("There is no service area with the code “%(code)s”.") % {"code": area})
    sort = request.GET.get("sort") or "area"
    if sort not in SORTS:
        raise Http404(
            _("Rows can be sorted by “area” or “gap”, not by “%(sort)s”.") % {"sort": sort}
        )
    return area, sort


@login_required
def benchmark(request, code: str):
    unit, periods, period, groups, group, similar = _benchmark_request(request, code)
    area, sort = _scorecard_options(request)
    table = _scorecard(request, unit, period, group, similar, area, sort, table=True)
    labels = _group_labels(groups, similar)
    context = {
        "unit": unit,
        "periods": periods,
        "period": period,
        "groups": [(code, labels[code]) for code in groups],
        "group": group,
        "group_label": labels[group],
        "group_entry": PeerGroup.objects.filter(code=group).first(),
        "table": table,
        "area": area,
        "sort": sort,
        "has_any_value": table.has_any_value,
        "similar": similar,
        "index_scores": unit_index_scores(unit, period),
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
    *ROW_FIGURES,
    "gap_to_median",
    "relative_gap_to_median",
]


@login_required
def benchmark_csv(request, code: str):
    unit, _periods, period, _groups, group, similar = _benchmark_request(request, code)
    area, sort = _scorecard_options(request)
    sections = _scorecard(request, unit, period, group, similar, area, sort).sections
    response, writer = csv_response(
        f"miara-benchmark-{unit.code}-{period}-{group}{status_suffix(period)}.csv"
    )
    writer.writerow(CSV_COLUMNS)
    for section in sections:
        for row in section.rows:
            indicator = row.indicator
            writer.writerow(
                [
                    row.area.code if row.area else "",
                    indicator.code,
                    indicator.label,
                    indicator.unit,
                    indicator.direction,
                    period,
                    group,
                    unit.code,
                    *(
                        exact(getattr(row, name))
                        for name in (*ROW_FIGURES, "gap_to_median", "relative_gap")
                    ),
                ]
            )
    return response


# The indicator page ---------------------------------------------------------------------


def _indicator_request(request, code: str):
    """Indicator, unit (or None), periods, period, groups and group of an indicator page
    request: checked, authorised, or a 404 that says what is wrong."""
    indicator = Indicator.objects.select_related("area").filter(code=code).first()
    if indicator is None:
        raise Http404(_("There is no indicator with the code “%(code)s”.") % {"code": code})
    unit_code = request.GET.get("unit")
    unit = access_unit(request.user, unit_code) if unit_code else default_unit(request.user)
    periods, period = requested_period(
        request.GET,
        nothing_yet=_("No results have been computed yet, so there is no benchmark to show."),
    )
    if unit is not None:
        # The group `similar` is computed for the benchmark, not stored: the indicator
        # page reads stored results only, so it offers the stored groups.
        groups = [
            g for g in unit_peer_groups(user=request.user, unit=unit, period=period) if g != SIMILAR
        ]
    else:
        groups = indicator_groups(indicator=indicator, period=period)
    group = request.GET.get("group") or ALL_UNITS
    if group not in groups:
        if unit is not None:
            message = _("%(unit)s is not compared within the group “%(group)s” in %(period)s.") % {
                "unit": unit.name,
                "group": group,
                "period": period,
            }
        else:
            message = _("There are no results of the group “%(group)s” in %(period)s.") % {
                "group": group,
                "period": period,
            }
        raise Http404(message)
    return indicator, unit, periods, period, groups, group


def _trend_with_target(user, detail) -> tuple[list[dict], tuple[str, float] | None]:
    """The trend rows with the unit's target (if it has one the user may read;
    `analytics.hooks`), the periods of its trajectory after the last computed one
    appended; and the final (period, target), or None without a target."""
    rows = detail.trend
    if detail.unit is None or not rows:
        return rows, None
    kind = Period.parse(rows[-1]["period"]).kind
    path = [
        (Period.parse(p), t)
        for p, t in indicator_target(user=user, unit=detail.unit, indicator=detail.indicator)
        if Period.parse(p).kind == kind
    ]
    first, last = Period.parse(rows[0]["period"]), Period.parse(rows[-1]["period"])
    path = [(p, t) for p, t in path if p >= first]
    if not path:
        return rows, None
    targets = {p.code: t for p, t in path}
    empty = {"value": None, "n": None, "median": None, "q1": None, "q3": None}
    rows = [{**row, "target": targets.get(row["period"])} for row in rows]
    rows += [{"period": p.code, **empty, "target": t} for p, t in path if p > last]
    return rows, (path[-1][0].code, path[-1][1])


def _indicator_charts(detail, *, trend_rows=None, with_target: bool = False):
    indicator = detail.indicator
    title = indicator.unit or indicator.label
    stats = detail.stats
    median = stats.median if stats else None
    q1 = stats.q1 if stats else None
    q3 = stats.q3 if stats else None
    me = detail.highlighted
    if not detail.count:
        distribution = None
    elif detail.histogram is not None:
        distribution = charts.distribution_binned(
            detail.histogram,
            value_title=title,
            count_title=_("Units"),
            unit={"label": me.label.label, "value": me.value} if me else None,
            median=median,
            q1=q1,
            q3=q3,
        )
    else:
        distribution = charts.distribution(
            [
                {"label": m.label.label, "value": m.value, "highlight": m.highlight}
                for m in detail.members
            ],
            value_title=title,
            median=median,
            q1=q1,
            q3=q3,
        )
    charts_ = {
        "distribution": distribution,
        "ranking": charts.ranking(
            [
                {"label": m.label.label, "value": m.value, "highlight": m.highlight}
                for m in detail.ranking
            ],
            value_title=title,
        )
        if detail.count
        else None,
        "ranking_shortened": detail.ranking_shortened,
        "ranking_members": detail.ranking,
    }
    unit_label = detail.unit.name if detail.unit else ""
    has_trend = any(r["median"] is not None or r["value"] is not None for r in detail.trend)
    charts_["trend"] = (
        charts.trend(
            trend_rows if trend_rows is not None else detail.trend,
            value_title=title,
            unit_label=unit_label or _("Unit"),
            median_label=_("Group median"),
            band_label=_("Middle half of the group (Q1–Q3)"),
            target_label=_("Target") if with_target else "",
        )
        if has_trend
        else None
    )
    return charts_


def _unit_options(user, detail) -> SafeString:
    """The `<option>`s of the units the reader may look from, the unit selected: every
    unit of the group for all-seeing roles (a national group's 6,300 built once per
    result set, `lib.memo`), else the reader's own units."""
    selected = detail.unit.code if detail.unit else None
    if detail.raw_for_all:
        choices = detail.unit_options
        # A unit without a value is not among the group's options: add it (a rare page,
        # not kept). With a value, it is `highlighted`.
        if detail.unit is not None and detail.highlighted is None:
            choices = (*choices, (detail.unit.code, detail.unit.name))
            key = None
        else:
            key = "indicator-options-html:" + detail.rows_key
    else:
        own = dict(user.units.values_list("code", "name"))
        if detail.unit is not None:
            own[detail.unit.code] = detail.unit.name
        choices = tuple(sorted(own.items(), key=lambda item: (item[1], item[0])))
        key = None

    def build() -> str:
        return "".join(
            f'<option value="{escape(code)}">{escape(name)}</option>' for code, name in choices
        )

    html = memo.get_or_build(key, build) if key else build()
    if selected is not None:
        mark = f'<option value="{escape(selected)}">'
        html = html.replace(mark, mark[:-1] + " selected>", 1)
    return mark_safe(html)


def _expectation(user, indicator, period, group, unit):
    """The unit's context-fair comparison on the default context variables (population),
    for the indicator page's pointer to the full comparison; None without a unit or
    without context variables in the catalogue."""
    if unit is None:
        return None
    try:
        variables = context_choice(None)
    except ContextChoiceError:
        return None
    return context_comparison(
        user=user, indicator=indicator, period=period, group=group, unit=unit, variables=variables
    )


@login_required
def indicator_page(request, code: str):
    indicator, unit, periods, period, groups, group = _indicator_request(request, code)
    detail = indicator_detail(
        user=request.user, indicator=indicator, period=period, group=group, unit=unit, excerpt=True
    )
    labels = _group_labels(groups)
    trend_rows, final_target = _trend_with_target(request.user, detail)
    context = {
        "indicator": indicator,
        "unit": unit,
        "trend_rows": trend_rows,
        "final_target": final_target,
        "projects": (
            indicator_projects(user=request.user, unit=unit, indicator=indicator) if unit else []
        ),
        "findings": (
            indicator_findings(user=request.user, unit=unit, indicator=indicator) if unit else []
        ),
        "periods": periods,
        "period": period,
        "groups": [(code, labels[code]) for code in groups],
        "group": group,
        "group_label": labels[group],
        "detail": detail,
        "charts": _indicator_charts(
            detail, trend_rows=trend_rows, with_target=final_target is not None
        ),
        "unit_options": _unit_options(request.user, detail),
        "group_rows": indicator_html.group_rows(detail),
        "anonymised": not others_named(request.user),
        # Not where the reader sees no other unit's figure: a small group's bounds are
        # often single units' values.
        "median_interval": None if detail.only_own else median_interval(period, group, indicator),
        "expectation": _expectation(request.user, indicator, period, group, unit),
        "query": urlencode(
            {
                k: v
                for k, v in (
                    ("unit", unit.code if unit else ""),
                    ("period", period),
                    ("group", group),
                )
                if v
            }
        ),
    }
    return render(request, "analytics/indicator.html", context)


@login_required
def indicator_csv(request, code: str):
    indicator, unit, _periods, period, _groups, group = _indicator_request(request, code)
    table = request.GET.get("table") or "units"
    if table not in ("units", "trend", "statistics", "lineage"):
        raise Http404(
            _("The table can be “units”, “trend”, “statistics” or “lineage”, not “%(table)s”.")
            % {"table": table}
        )
    detail = indicator_detail(
        user=request.user, indicator=indicator, period=period, group=group, unit=unit
    )
    response, writer = csv_response(
        f"miara-{indicator.code}-{period}-{group}-{table}{status_suffix(period)}.csv"
    )
    if table == "trend":
        writer.writerow(
            ["indicator", "group", "unit", "period", "value", "n", "median", "q1", "q3"]
        )
        for row in detail.trend:
            writer.writerow(
                [indicator.code, group, unit.code if unit else "", row["period"]]
                + [exact(row[name]) for name in ("value", "n", "median", "q1", "q3")]
            )
        return response
    if table == "statistics":
        names = ("n", "min", "q1", "median", "q3", "max", "mean")
        writer.writerow(["indicator", "period", "group", *names])
        if detail.stats is not None:
            writer.writerow(
                [indicator.code, period, group]
                + [exact(getattr(detail.stats, name)) for name in names]
            )
        return response
    if table == "lineage":
        writer.writerow(["indicator", "unit", "input", "kind", "read_as", "period", "value"])
        for item in detail.lineage:
            writer.writerow(
                [
                    indicator.code,
                    unit.code,
                    item.input.code,
                    item.input.kind,
                    f"prev({item.input.code})" if item.input.previous else item.input.code,
                    item.period,
                    exact(item.value),
                ]
            )
        return response
    inputs = [
        (i, f"{i.code}{' (' + detail.previous_period + ')' if i.previous else ''}")
        for i in detail.inputs
    ]
    writer.writerow(
        [
            "indicator",
            "period",
            "group",
            "unit",
            "unit_name",
            "value",
            "rank",
            "percentile",
            "quartile",
        ]
        + [name for _i, name in inputs]
    )
    for member in detail.members:
        writer.writerow(
            [indicator.code, period, group, member.label.code or "", member.label.label]
            + [
                exact(member.value),
                exact(member.rank),
                exact(member.percentile),
                exact(member.quartile),
            ]
            + [exact(member.inputs.get(i.key)) if member.inputs else "" for i, _name in inputs]
        )
    return response
