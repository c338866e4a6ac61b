"""The comparison page, its CSV, and saved comparisons.

Thin: parse the selection from the query string, let `analytics.comparison` authorise
and read it, render. Unknown codes give the helpful 404 page; too many units or
indicators a clear message (400); another unit the user may not pick a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from miara.accounts.scope import visible_unit_ids
from miara.analytics import charts
from miara.analytics.comparison import (
    MAX_INDICATORS,
    MAX_UNITS,
    Selection,
    SelectionInvalid,
    SelectionNotFound,
    comparison_chart_rows,
    comparison_table,
    focus_units,
    frame_of,
    pickable_units,
    saved_comparison_create,
    saved_comparison_delete,
    saved_comparisons,
    saved_selection,
)
from miara.analytics.models import SavedComparison
from miara.analytics.peers import may_pick_other_units, others_named
from miara.analytics.requests import requested_period
from miara.analytics.selectors import status_suffix
from miara.analytics.similar import (
    SIMILAR,
    SimilarChoiceError,
    choice_label,
    similar_choice,
    similarity_defaults,
)
from miara.catalogue.models import Indicator, PeerGroup
from miara.engine.errors import SimilarUnitsError
from miara.presentation.downloads import csv_response
from miara.presentation.numbers import exact, fixed


def _codes(query, name: str) -> tuple[str, ...]:
    """Codes given as repeated parameters (a form) or comma-separated (a shared link)."""
    found = [c.strip() for value in query.getlist(name) for c in value.split(",") if c.strip()]
    return tuple(dict.fromkeys(found))


def selection_from(request, query) -> tuple[list[str], Selection]:
    """The selection a request asks for; a helpful 404 for an unknown period or variable."""
    periods, period = _period_of(query)
    peers = (query.get("peers") or "").strip()
    similar = None
    if peers == SIMILAR:
        try:
            similar = similar_choice(_codes(query, "variables"), query.get("k"), user=request.user)
        except SimilarChoiceError as error:
            raise Http404(str(error)) from error
    focus = (query.get("unit") or "").strip()
    if not focus and peers and visible_unit_ids(request.user):
        focus = focus_units(request.user)[0].code  # a participant's own (first) unit
    selection = Selection(
        period=period,
        units=_codes(query, "units"),
        indicators=_codes(query, "indicators"),
        focus=focus,
        peers=peers,
        similar=similar,
    )
    return periods, selection


def _period_of(query):
    return requested_period(
        query, nothing_yet=_("No results have been computed yet, so there is nothing to compare.")
    )


def _form_context(request, periods, selection) -> dict:
    indicators = Indicator.objects.select_related("area").order_by(
        "area__position", "area__code", "code"
    )
    # As on the benchmark: indicators without a service area come last.
    indicators = sorted(indicators, key=lambda i: i.area is None)
    areas: dict = {}
    for indicator in indicators:
        key = indicator.area.label if indicator.area else _("Other indicators")
        areas.setdefault(key, []).append(indicator)
    defaults = similarity_defaults()
    return {
        "periods": periods,
        "selection": selection,
        "pickable_units": pickable_units(request.user),
        "focus_units": focus_units(request.user),
        "indicator_areas": list(areas.items()),
        "peer_groups": list(PeerGroup.objects.order_by("code")),
        "similar_label": choice_label(selection.similar or defaults) if defaults else "",
        "similar_group": SIMILAR,
        "max_units": MAX_UNITS,
        "max_indicators": MAX_INDICATORS,
        "saved": saved_comparisons(user=request.user),
        "picks_others": may_pick_other_units(request.user),
        "focus_optional": visible_unit_ids(request.user) is None,
    }


@login_required
def compare(request):
    periods, selection = selection_from(request, request.GET)
    context = _form_context(request, periods, selection)
    status = 200
    if selection.is_complete:
        try:
            comparison = comparison_table(user=request.user, selection=selection)
        except SelectionNotFound as error:
            raise Http404(str(error)) from error
        except SelectionInvalid as error:
            context["error"] = str(error)
            status = 400
        except SimilarUnitsError as error:
            context["error"] = _("The similar units cannot be found: %(reason)s") % {
                "reason": error
            }
            status = 400
        else:
            context |= {
                "comparison": comparison,
                "others_hidden": not others_named(request.user),
                "figures": _figures(comparison),
                "share_url": request.build_absolute_uri(
                    f"{reverse('analytics:compare')}?{selection.query()}"
                ),
                "csv_url": f"{reverse('analytics:compare_csv')}?{selection.query()}",
            }
    elif request.GET.get("units") or request.GET.get("peers") or request.GET.get("indicators"):
        context["hint"] = _("Choose at least one unit (or a unit's peers) and one indicator.")
    return render(request, "analytics/compare.html", context, status=status)


def _figures(comparison) -> list[dict]:
    """One small chart per indicator, with its text summary and table alternative."""
    figures = []
    for index, row in enumerate(comparison.rows):
        indicator = row.indicator
        bars = comparison_chart_rows(comparison, row)
        title = f"{indicator.label} ({indicator.unit})" if indicator.unit else indicator.label
        median_label = _("Median of %(group)s") % {"group": comparison.reference_label}
        spec = charts.compared_bars(
            bars, value_title=title, median=row.median, median_label=median_label
        )
        if bars:
            high = max(bars, key=lambda b: b["value"])
            low = min(bars, key=lambda b: b["value"])
            summary = _(
                "%(indicator)s: highest %(high)s (%(high_value)s), lowest %(low)s "
                "(%(low_value)s) of %(count)s units with a value."
            ) % {
                "indicator": indicator.label,
                "high": high["label"],
                "high_value": fixed(high["value"], indicator.decimals),
                "low": low["label"],
                "low_value": fixed(low["value"], indicator.decimals),
                "count": len(bars),
            }
        else:
            summary = _("%(indicator)s: none of these units has a value.") % {
                "indicator": indicator.label
            }
        if row.median is not None:
            summary += " " + _("%(label)s: %(median)s.") % {
                "label": median_label,
                "median": fixed(row.median, indicator.decimals),
            }
        figures.append(
            {"row": row, "spec": spec, "summary": summary, "id": f"compare-chart-{index}"}
        )
    return figures


@login_required
def compare_csv(request):
    _periods, selection = selection_from(request, request.GET)
    if not selection.is_complete:
        return HttpResponse(
            _("Choose at least one unit (or a unit's peers) and one indicator."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    try:
        comparison = comparison_table(user=request.user, selection=selection)
    except SelectionNotFound as error:
        raise Http404(str(error)) from error
    except (SelectionInvalid, SimilarUnitsError) as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    frame = frame_of(comparison)
    response, writer = csv_response(
        f"miara-comparison-{selection.period}{status_suffix(selection.period)}.csv"
    )
    writer.writerow(frame.columns)
    for record in frame.iter_rows():
        writer.writerow([exact(v) for v in record])
    return response


@login_required
def saved_list(request):
    saved = [
        (entry, f"{reverse('analytics:compare')}?{saved_selection(entry).query()}")
        for entry in saved_comparisons(user=request.user)
    ]
    return render(request, "analytics/compare_saved.html", {"saved": saved})


@login_required
@require_POST
def saved_new(request):
    _periods, selection = selection_from(request, request.POST)
    try:
        saved = saved_comparison_create(
            owner=request.user, name=request.POST.get("name", ""), selection=selection
        )
    except SelectionNotFound as error:
        raise Http404(str(error)) from error
    except (SelectionInvalid, SimilarUnitsError) as error:
        messages.error(request, str(error))
        return redirect(f"{reverse('analytics:compare')}?{selection.query()}")
    messages.success(request, _("Saved “%(name)s”.") % {"name": saved.name})
    return redirect(f"{reverse('analytics:compare')}?{selection.query()}")


@login_required
@require_POST
def saved_delete(request, saved_id: int):
    saved = SavedComparison.objects.filter(pk=saved_id, owner=request.user).first()
    if saved is None:
        raise Http404(_("You have no saved comparison with that number."))
    name = saved.name
    saved_comparison_delete(owner=request.user, saved=saved)
    messages.success(request, _("Deleted “%(name)s”.") % {"name": name})
    return redirect(reverse("analytics:compare_saved"))
