"""Composite-index pages: the list, a period's ranking, a unit's breakdown, rank ranges.

Thin: find the index and period, read through `index_selectors`, show every other unit
through `unit_presenter` in the place `index_scope(code, period)` (pseudonyms in an
anonymised programme), render. A unit's breakdown is a unit's data: `access_unit` gives
the same 404 for a hidden unit as for a missing one.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from miara.accounts.scope import access_unit, reads_all_units
from miara.analytics import charts
from miara.analytics.index_selectors import (
    index_periods,
    index_ranking,
    index_scope,
    index_sensitivity,
    index_summary,
    index_unit_result,
)
from miara.analytics.peers import unit_presenter
from miara.catalogue.indices import pillar_names
from miara.catalogue.models import CompositeIndex, Indicator
from miara.lib.translations import pick
from miara.units.models import Unit

# Beyond this many units a chart of every unit says nothing a person can read; the table
# (and the download) carries them.
CHART_UNITS = 60
TABLE_UNITS = 300


def _index_and_period(request, code: str) -> tuple[CompositeIndex, list[str], str]:
    index = get_object_or_404(CompositeIndex, code=code)
    periods = index_periods(index)
    if not periods:
        raise Http404(
            _(
                "The index %(code)s has not been computed yet; results appear after the next computation."
            )
            % {"code": code}
        )
    period = request.GET.get("period") or periods[0]
    if period not in periods:
        raise Http404(
            _("The index %(code)s has no results for %(period)s. Available: %(periods)s.")
            % {"code": code, "period": period, "periods": ", ".join(periods)}
        )
    return index, periods, period


def _tree_rows(components: list[dict], labels: dict[str, str], depth: int = 0) -> list[dict]:
    """The definition as indented rows, each with its weight's share of its parent."""
    total = sum(float(c.get("weight", 1)) for c in components) or 1
    rows = []
    for entry in components:
        weight = float(entry.get("weight", 1))
        if "pillar" in entry:
            rows.append(
                {
                    "depth": depth,
                    "code": entry["pillar"],
                    "label": pick(entry.get("name"), default=entry["pillar"]),
                    "pillar": True,
                    "weight": weight,
                    "share": 100 * weight / total,
                    "aggregation": entry.get("aggregation", ""),
                }
            )
            rows += _tree_rows(entry.get("components") or [], labels, depth + 1)
        else:
            rows.append(
                {
                    "depth": depth,
                    "code": entry["indicator"],
                    "label": labels.get(entry["indicator"], entry["indicator"]),
                    "pillar": False,
                    "weight": weight,
                    "share": 100 * weight / total,
                    "goalposts": entry.get("goalposts"),
                }
            )
    return rows


def _labels() -> dict[str, str]:
    return {i.code: i.label for i in Indicator.objects.all()}


@login_required
def index_list(request):
    labels = _labels()
    indices = [
        {"index": index, "rows": _tree_rows(index.components, labels)}
        for index in CompositeIndex.objects.order_by("code")
    ]
    return render(request, "analytics/indices/list.html", {"indices": indices})


@login_required
def index_page(request, code: str):
    index, periods, period = _index_and_period(request, code)
    presenter = unit_presenter(request.user)
    scope = index_scope(index.code, period)
    summary = index_summary(index, period)
    results = index_ranking(index, period)
    labels = _labels()
    rows = []
    for result in results:
        shown = presenter.show(result.unit, scope=scope)
        rows.append({"shown": shown, "score": result.score, "rank": result.rank})
    table = (
        rows
        if len(rows) <= TABLE_UNITS
        else rows[:TABLE_UNITS] + [r for r in rows[TABLE_UNITS:] if r["shown"].own]
    )
    chart = None
    if rows and len(rows) <= CHART_UNITS:
        chart = charts.ranking(
            [
                {"label": r["shown"].label, "value": r["score"], "highlight": r["shown"].own}
                for r in rows
            ],
            value_title=_("Score"),
        )
    excluded = summary.excluded if summary else []
    sees_all = reads_all_units(request.user)
    excluded_units = []
    if excluded:
        units = {u.code: u for u in Unit.objects.filter(code__in=[e["unit"] for e in excluded])}
        for entry in excluded:
            unit = units.get(entry["unit"])
            if unit is not None and (sees_all or presenter.is_own(unit)):
                excluded_units.append(
                    {
                        "shown": presenter.show(unit, scope=scope),
                        "present": entry["present"],
                        "expected": entry["expected"],
                    }
                )
    context = {
        "index": index,
        "periods": periods,
        "period": period,
        "summary": summary,
        "rows": table,
        "total": len(rows),
        "cut": len(table) < len(rows),
        "chart": chart,
        "chart_summary": _ranking_summary(rows),
        "excluded_count": len(excluded),
        "excluded_units": excluded_units,
        "sees_all": sees_all,
        "notes": [_note_text(n, labels) for n in (summary.notes if summary else [])],
        "definition": _tree_rows(index.components, labels),
    }
    return render(request, "analytics/indices/index.html", context)


def _note_text(note: dict, labels: dict[str, str]) -> str:
    """A note of the index's summary in the reader's language."""
    name = labels.get(note.get("indicator", ""), note.get("indicator", ""))
    if note["kind"] == "no_values":
        return _("%(name)s has no values in this period; every unit misses it.") % {"name": name}
    if note["kind"] == "flat":
        return _(
            "%(name)s does not tell the units apart in this period (the same value for every unit, or a single unit); it is left out of the index."
        ) % {"name": name}
    if note["kind"] == "none_scored":
        return _(
            "No unit has enough indicators in this period; %(n)d units are left without a score."
        ) % {"n": note.get("count", 0)}
    return _("The index cannot be computed as defined: %(reason)s") % {
        "reason": note.get("text", "")
    }


def _ranking_summary(rows: list[dict]) -> str:
    if not rows:
        return ""
    first, last = rows[0], rows[-1]
    return _(
        "%(n)d units ranked; the highest score is %(top).1f (%(top_unit)s), the lowest %(bottom).1f (%(bottom_unit)s)."
    ) % {
        "n": len(rows),
        "top": first["score"],
        "top_unit": first["shown"].label,
        "bottom": last["score"],
        "bottom_unit": last["shown"].label,
    }


@login_required
def index_unit(request, code: str, unit_code: str):
    unit = access_unit(request.user, unit_code)
    index, periods, period = _index_and_period(request, code)
    summary = index_summary(index, period)
    result = index_unit_result(index, period, unit)
    labels = _labels()
    parts = []
    if result is not None:
        means = summary.means if summary else {}
        for indicator, (normalised, weight) in result.components.items():
            mean = means.get(indicator)
            parts.append(
                {
                    "code": indicator,
                    "label": labels.get(indicator, indicator),
                    "normalised": normalised,
                    "mean": mean,
                    "weight": 100 * weight,
                    "contribution": weight * normalised,
                    "pull": weight * (normalised - mean) if mean is not None else None,
                }
            )
        parts.sort(key=lambda p: -(p["pull"] or 0))
    excluded = next(
        (e for e in (summary.excluded if summary else []) if e["unit"] == unit.code), None
    )
    pillars = pillar_names(index.components)
    chart = None
    pulls = [p for p in parts if p["pull"] is not None]
    if pulls:
        chart = charts.contributions(
            [{"label": p["label"], "value": p["pull"]} for p in pulls],
            value_title=_("Points above (+) or below (−) the mean unit"),
        )
    up = [p["label"] for p in pulls if p["pull"] > 0][:2]
    down = [p["label"] for p in reversed(pulls) if p["pull"] < 0][:2]
    context = {
        "index": index,
        "unit": unit,
        "periods": periods,
        "period": period,
        "result": result,
        "n": summary.scored if summary else 0,
        "parts": parts,
        "pillars": [
            {"code": code_, "label": pick(pillars.get(code_), default=code_), "score": score}
            for code_, score in (result.pillars.items() if result else [])
        ],
        "excluded": excluded,
        "chart": chart,
        "chart_summary": _("Lifting the score most: %(up)s. Holding it down most: %(down)s.")
        % {"up": ", ".join(up) or "—", "down": ", ".join(down) or "—"},
    }
    return render(request, "analytics/indices/unit.html", context)


@login_required
def index_sensitivity_page(request, code: str):
    index, periods, period = _index_and_period(request, code)
    result = index_sensitivity(index, period)
    labels = _labels() | {c: pick(n, default=c) for c, n in pillar_names(index.components).items()}
    presenter = unit_presenter(request.user)
    scope = index_scope(index.code, period)
    rows = []
    if result is not None:
        units = {
            u.code: u
            for u in Unit.objects.filter(code__in=result.ranges.get_column("unit").to_list())
        }
        for row in result.ranges.iter_rows(named=True):
            unit = units.get(row["unit"])
            if unit is None:
                continue
            rows.append(
                {
                    **row,
                    "shown": presenter.show(unit, scope=scope),
                    "width": row["rank_max"] - row["rank_min"],
                }
            )
    table = (
        rows
        if len(rows) <= TABLE_UNITS
        else rows[:TABLE_UNITS] + [r for r in rows[TABLE_UNITS:] if r["shown"].own]
    )
    chart = None
    if rows and len(rows) <= CHART_UNITS:
        chart = charts.rank_ranges(
            [
                {
                    "label": r["shown"].label,
                    "rank": r["rank"],
                    "rank_min": r["rank_min"],
                    "rank_max": r["rank_max"],
                    "highlight": r["shown"].own,
                }
                for r in rows
            ],
            rank_title=_("Rank"),
        )
    widest = max(rows, key=lambda r: r["width"], default=None)
    stable = sum(1 for r in rows if r["width"] == 0)
    context = {
        "index": index,
        "periods": periods,
        "period": period,
        "rows": table,
        "total": len(rows),
        "cut": len(table) < len(rows),
        "alternatives": [
            {**a, "label": _alternative_label(a["kind"], a["subject"], labels)}
            for a in (result.alternatives.to_dicts() if result is not None else [])
        ],
        "chart": chart,
        "chart_summary": (
            _(
                "%(stable)d of %(n)d units keep their rank under every alternative; the widest range is %(lo)d–%(hi)d (%(unit)s)."
            )
            % {
                "stable": stable,
                "n": len(rows),
                "lo": widest["rank_min"],
                "hi": widest["rank_max"],
                "unit": widest["shown"].label,
            }
            if widest
            else ""
        ),
    }
    return render(request, "analytics/indices/sensitivity.html", context)


def _alternative_label(kind: str, subject: str, labels: dict[str, str]) -> str:
    name = labels.get(subject, subject)
    methods = {
        "minmax": _("min-max"),
        "goalposts": _("goalposts"),
        "zscore": _("z-scores"),
        "arithmetic": _("arithmetic mean"),
        "geometric": _("geometric mean"),
    }
    if kind == "weight_less":
        return _("Weight of %(name)s halved") % {"name": name}
    if kind == "weight_more":
        return _("Weight of %(name)s increased by half") % {"name": name}
    if kind == "normalisation":
        return _("Normalised by %(method)s") % {"method": methods.get(subject, subject)}
    if kind == "aggregation":
        return _("Aggregated by the %(method)s") % {"method": methods.get(subject, subject)}
    return _("Without %(name)s") % {"name": name}
