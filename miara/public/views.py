"""The public site: pages and downloads for visitors without a login.

Nothing here reads a unit's data: figures come from miara.publication.selectors only (the
one place disclosure control lives), names from the catalogue. Every view is wrapped in
`public_page` (caching.py): cached per state of publication and language, with ETag,
Last-Modified, Cache-Control and Vary. Pages set no cookie: no session, no CSRF token
(the language form posts to a view that needs none).
"""

from __future__ import annotations

import polars as pl
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from miara.analytics import charts
from miara.presentation.dates import moment_text
from miara.public import exports, reading
from miara.public.caching import public_page
from miara.publication import selectors

MAX_QUERY = 100


def _render(request, template: str, context: dict, *, status: int = 200):
    """A public page with what every page carries: the citation and the licence."""
    context = {
        **context,
        "programme_name": reading.programme_name(),
        "page_url": request.build_absolute_uri(request.path),
        "accessed": timezone.localdate(),
        "licence": settings.PUBLIC_LICENCE,
        "licence_url": settings.PUBLIC_LICENCE_URL,
    }
    return render(request, template, context, status=status)


def _about(request, **extra) -> dict:
    """The JSON download's description: what to cite and under which licence."""
    return {
        "source": reading.programme_name(),
        "publisher": "miara",
        "url": request.build_absolute_uri(request.path),
        "licence": settings.PUBLIC_LICENCE,
        "licence_url": settings.PUBLIC_LICENCE_URL,
        "retrieved": timezone.localdate().isoformat(),
        **extra,
    }


def _retracted(found) -> HttpResponse:
    """A retracted period's table: 410 Gone, saying when and why, no figures."""
    text = _("The results of %(period)s were retracted on %(date)s. Reason: %(reason)s") % {
        "period": found.period,
        "date": moment_text(found.retracted_on) if found.retracted_on else "—",
        "reason": found.retraction_reason or "—",
    }
    return HttpResponse(text + "\n", status=410, content_type="text/plain; charset=utf-8")


@public_page
def home(request):
    periods = reading.visible_periods()
    return _render(
        request,
        "public/home.html",
        {
            "periods": periods,
            "latest": next((p for p in periods if p.state == reading.PUBLISHED), None),
            "threshold": selectors_threshold(periods),
        },
    )


def selectors_threshold(periods) -> int | None:
    """The k of the newest publication (the threshold it was published with)."""
    return periods[0].threshold if periods else None


@public_page
def catalogue(request):
    return _render(
        request,
        "public/catalogue.html",
        {
            "areas": reading.areas_with_indicators(),
            "changes": reading.catalogue_changes(),
        },
    )


def _trend_chart(indicator, series_rows: list[reading.GroupRow], periods: list[str]):
    by_period = dict(zip(periods, series_rows, strict=True))
    rows = [
        {
            "period": period,
            "value": None,
            "median": row.median,
            "q1": row.q1,
            "q3": row.q3,
        }
        for period, row in by_period.items()
    ]
    if not any(r["median"] is not None for r in rows):
        return None
    return charts.trend(
        rows,
        value_title=indicator.unit or indicator.label,
        unit_label="",
        median_label=_("Median"),
        band_label=_("Middle half of the units (Q1 to Q3)"),
    )


@public_page
def indicator(request, code: str):
    found = reading.indicator_or_404(code)
    series = selectors.public_series(code)
    known = {p.period: p for p in reading.visible_periods()}
    labels = reading.group_labels(series.get_column("group").unique().to_list())
    by_period: dict[str, list[reading.GroupRow]] = {}
    for period in series.get_column("period").unique(maintain_order=True).to_list():
        part = series.filter(pl.col("period") == period)
        by_period[period] = reading.group_rows(part, labels)
    overall = [
        (period, next((r for r in rows if r.group == reading.ALL_UNITS), None))
        for period, rows in by_period.items()
    ]
    overall = [(period, row, known[period].threshold) for period, row in overall if row]
    chart = _trend_chart(found, [row for _, row, _ in overall], [p for p, _, _ in overall])
    inputs = reading.inputs(found)
    words = reading.formula_in_words(found.formula, {i.code: i.label for i in inputs})
    return _render(
        request,
        "public/indicator.html",
        {
            "indicator": found,
            "inputs": inputs,
            "formula_words": words,
            "overall": overall,
            "by_period": [(known.get(p), rows) for p, rows in sorted(by_period.items())],
            "chart": chart,
            "retracted": [p for p in known.values() if p.state != reading.PUBLISHED],
            "periods": list(known.values()),
            "changes": reading.catalogue_changes(indicators_only=True),
        },
    )


@public_page
def indicator_period(request, code: str, period: str):
    found = reading.indicator_or_404(code)
    published = reading.period_or_404(period)
    rows = []
    if published.state == reading.PUBLISHED:
        rows = reading.group_rows(selectors.public_aggregates(period, indicators=[code]))
    return _render(
        request,
        "public/indicator_period.html",
        {
            "indicator": found,
            "published": published,
            "rows": rows,
        },
    )


@public_page
def periods(request):
    return _render(request, "public/periods.html", {"periods": reading.visible_periods()})


@public_page
def period(request, period: str):
    published = reading.period_or_404(period)
    table = []
    groups: list[tuple[str, str]] = []
    group = request.GET.get("group", reading.ALL_UNITS)
    if published.state == reading.PUBLISHED:
        frame = selectors.public_aggregates(period)
        codes = frame.get_column("group").unique().to_list() if frame.height else []
        labels = reading.group_labels(codes)
        groups = sorted(labels.items(), key=lambda kv: (kv[0] != reading.ALL_UNITS, kv[1].lower()))
        if group not in labels:
            group = reading.ALL_UNITS
        chosen = frame.filter(pl.col("group") == group)
        rows = {row.indicator: row for row in reading.group_rows(chosen)}
        for area, indicators in reading.areas_with_indicators():
            entries = [(i, rows.get(i.code)) for i in indicators if i.code in rows]
            if entries:
                table.append((area, entries))
    return _render(
        request,
        "public/period.html",
        {"published": published, "table": table, "groups": groups, "group": group},
    )


@public_page
def search(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    indicators, periods = reading.search(query) if query else ([], [])
    return _render(
        request,
        "public/search.html",
        {"query": query, "indicators": indicators, "found_periods": periods},
    )


@public_page
def indicator_download(request, code: str, fmt: str):
    found = reading.indicator_or_404(code)
    rows = exports.with_lineage(selectors.public_series(code))
    return _download(request, rows, fmt, f"miara-{found.code}")


@public_page
def indicator_period_download(request, code: str, period: str, fmt: str):
    found = reading.indicator_or_404(code)
    published = reading.period_or_404(period)
    if published.state != reading.PUBLISHED:
        return _retracted(published)
    rows = exports.with_lineage(selectors.public_aggregates(period, indicators=[code]))
    return _download(request, rows, fmt, f"miara-{found.code}-{period}", published)


@public_page
def period_download(request, period: str, fmt: str):
    published = reading.period_or_404(period)
    if published.state != reading.PUBLISHED:
        return _retracted(published)
    rows = exports.with_lineage(selectors.public_aggregates(period))
    return _download(request, rows, fmt, f"miara-{period}", published)


def _download(request, rows: list[dict], fmt: str, stem: str, published=None):
    """A public table as CSV, JSON or JSON-stat."""
    if fmt == "csv":
        return exports.csv_download(rows, f"{stem}.csv")
    about = _about(request, **(_lineage(published) if published else {}))
    if fmt == "jsonstat":
        labels = {
            "indicator": reading.indicator_labels({r["indicator"] for r in rows}),
            "group": reading.group_labels({r["group"] for r in rows}),
        }
        return exports.jsonstat_download(rows, about=about, labels=labels)
    return exports.json_download(rows, about=about)


def _lineage(published) -> dict:
    return {
        "period": published.period,
        "result_set": published.result_set,
        "result_state": published.result_state,
        "threshold": published.threshold,
        "published_on": published.published_on.isoformat(),
        "revised_on": published.revised_on.isoformat() if published.revised_on else None,
    }
