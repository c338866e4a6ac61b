"""Vega-Lite specifications of miara's charts, built with Altair from stored figures.

Pure presentation: every function takes numbers a selector has already read from a result
set (nothing is computed here beyond placing them) and returns a Vega-Lite spec as a dict.
The same spec is drawn in the browser by vega-embed (`{% chart %}` in templates, bundle
from `miara.web.vega`) and rendered to SVG for PDF reports by `to_svg`, so a page and its
report show the same chart.

Colours follow miara.css: the unit highlighted in the accent colour, the others grey,
quartile bands in a pale tint. Colour is never the only cue: the highlighted unit is also
larger and labelled, and every chart has a table alternative and a text summary on its page.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

import altair as alt

ACCENT = "#17476b"
OTHERS = "#8a96a3"
BAND = "#dbe6ef"
MEDIAN = "#c98a12"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, Noto Sans, sans-serif"

Spec = dict[str, Any]


def _config(chart: alt.TopLevelMixin, *, width: int | str = "container", height: int = 160) -> Spec:
    # validate=False: the specs are built by this module alone, and jsonschema validation
    # cost ~0.1 s per chart (a PDF report draws a hundred); tests validate them instead.
    spec = chart.properties(width=width, height=height).to_dict(validate=False)
    spec["config"] = {
        "font": FONT,
        "view": {"stroke": None},
        "axis": {
            "labelColor": "#4a5765",
            "titleColor": "#1c2530",
            "gridColor": "#e9edf1",
            "domainColor": "#d9dee4",
            "tickColor": "#d9dee4",
            "labelFontSize": 11,
            "titleFontSize": 11,
            "titleFontWeight": 600,
        },
        "legend": {"labelColor": "#4a5765", "titleColor": "#1c2530"},
        "background": "transparent",
    }
    spec["autosize"] = {"type": "fit", "contains": "padding"}
    return spec


def _slot(name: str) -> str:
    """A placeholder for a figure in a cached spec template (see `_fill`)."""
    return f"\u2063miara:{name}\u2063"


def _fill(template: str, figures: dict[str, Any]) -> Spec:
    """A spec from its cached template: each `_slot(name)` replaced by its figure.

    Building a spec with Altair costs ~40 ms (it wraps every channel in schema objects);
    a PDF report draws a hundred charts. So each chart's Altair code runs once per shape,
    with slots where the figures go, and every call only fills the slots in.
    """
    text = template
    # Lists (the data rows, with their user-provided labels) go in last, so that no label
    # is ever taken for a slot.
    for name, value in sorted(figures.items(), key=lambda item: isinstance(item[1], list)):
        if not isinstance(value, (list, dict, int, float, type(None))):
            value = str(value)  # e.g. a lazily translated title
        text = text.replace(json.dumps(_slot(name)), json.dumps(value, allow_nan=False))
    return json.loads(text)


def distribution(
    points: Sequence[dict],
    *,
    value_title: str,
    median: float | None = None,
    q1: float | None = None,
    q3: float | None = None,
    height: int = 90,
) -> Spec:
    """A strip of the group's values with the quartile band, the median and one unit marked.

    `points`: `{"label": str, "value": float, "highlight": bool}` per unit of the group.
    """
    data = [
        {
            "label": str(p["label"]),
            "value": p["value"],
            "who": "unit" if p.get("highlight") else "peer",
        }
        for p in points
    ]
    template = _distribution_template(height, q1 is not None and q3 is not None, median is not None)
    return _fill(
        template, {"points": data, "title": value_title, "q1": q1, "q3": q3, "median": median}
    )


@functools.lru_cache(maxsize=32)
def _distribution_template(height: int, with_band: bool, with_median: bool) -> str:
    value_title = _slot("title")
    base = alt.Chart()
    layers: list = []
    if with_band:
        layers.append(
            alt.Chart(alt.Data(values=[{"q1": _slot("q1"), "q3": _slot("q3")}]))
            # y/y2 relative to the plot's own height: a rect given only a height is drawn
            # from the top of the view, and `height` includes the axis, so a band of
            # fixed pixels ran over the axis labels.
            .mark_rect(color=BAND, y=alt.expr("height * 0.1"), y2=alt.expr("height * 0.9"))
            .encode(x="q1:Q", x2="q3:Q")
        )
    if with_median:
        layers.append(
            alt.Chart(alt.Data(values=[{"median": _slot("median")}]))
            .mark_tick(color=MEDIAN, thickness=3, size=alt.expr("height * 0.8"))
            .encode(x="median:Q")
        )
    layers.append(
        base.transform_filter(alt.datum.who == "peer")
        .mark_circle(size=55, opacity=0.7, color=OTHERS)
        .encode(
            x=alt.X("value:Q", title=value_title, scale=alt.Scale(zero=False, nice=True)),
            tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("value:Q", title=value_title)],
        )
    )
    layers.append(
        base.transform_filter(alt.datum.who == "unit")
        .mark_point(shape="diamond", size=220, filled=True, color=ACCENT, stroke="white")
        .encode(
            x="value:Q",
            tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("value:Q", title=value_title)],
        )
    )
    layers.append(
        base.transform_filter(alt.datum.who == "unit")
        .mark_text(dy=-16, fontWeight="bold", color=ACCENT)
        .encode(x="value:Q", text="label:N")
    )
    spec = _config(alt.layer(*layers, data=alt.Data(values=_slot("points"))), height=height)
    return json.dumps(spec)


def ranking(rows: Sequence[dict], *, value_title: str, height_per_row: int = 18) -> Spec:
    """Horizontal bars of every unit's value, best first; `rows` are already in rank order.

    `rows`: `{"label": str, "value": float, "highlight": bool}`.
    """
    data = [
        {
            "label": r["label"],
            "value": r["value"],
            "who": "unit" if r.get("highlight") else "peer",
            "order": i,
        }
        for i, r in enumerate(rows)
    ]
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=alt.EncodingSortField(field="order"), title=None),
            x=alt.X("value:Q", title=value_title),
            color=alt.Color(
                "who:N",
                scale=alt.Scale(domain=["unit", "peer"], range=[ACCENT, "#b7c2cd"]),
                legend=None,
            ),
            tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("value:Q", title=value_title)],
        )
    )
    return _config(chart, height=max(60, height_per_row * len(data)))


def trend(
    rows: Sequence[dict], *, value_title: str, unit_label: str, median_label: str, band_label: str
) -> Spec:
    """The unit's value per period against the group's median and its Q1–Q3 band.

    `rows`: `{"period": str, "value": float|None, "median": float|None, "q1", "q3"}`.
    """
    spec = _fill(
        _trend_template(),
        {
            "rows": [dict(row) for row in rows],
            "value_title": value_title,
            "unit_label": unit_label,
            "median_label": median_label,
        },
    )
    spec["description"] = f"{unit_label}; {median_label}; {band_label}"
    return spec


@functools.lru_cache(maxsize=1)
def _trend_template() -> str:
    base = alt.Chart().encode(x=alt.X("period:O", title=None, axis=alt.Axis(labelAngle=0)))
    band = (
        base.transform_filter("isValid(datum.q1) && isValid(datum.q3)")
        .mark_area(color=BAND, opacity=0.9)
        .encode(y=alt.Y("q1:Q", title=_slot("value_title"), scale=alt.Scale(zero=False)), y2="q3:Q")
    )
    median = (
        base.transform_filter("isValid(datum.median)")
        .mark_line(color=MEDIAN, strokeDash=[5, 3], strokeWidth=2, point=True)
        .encode(
            y="median:Q", tooltip=["period:O", alt.Tooltip("median:Q", title=_slot("median_label"))]
        )
    )
    unit = (
        base.transform_filter("isValid(datum.value)")
        .mark_line(
            color=ACCENT,
            strokeWidth=3,
            point=alt.OverlayMarkDef(size=60, filled=True, color=ACCENT),
        )
        .encode(
            y="value:Q", tooltip=["period:O", alt.Tooltip("value:Q", title=_slot("unit_label"))]
        )
    )
    spec = _config(alt.layer(band, median, unit, data=alt.Data(values=_slot("rows"))), height=200)
    return json.dumps(spec)


def sparkline(points: Sequence[dict], *, width: int = 90, height: int = 24) -> Spec:
    """A tiny line of the unit's last periods: `{"period": str, "value": float}`."""
    chart = (
        alt.Chart(alt.Data(values=list(points)))
        .mark_line(color=ACCENT, strokeWidth=1.5, point=alt.OverlayMarkDef(size=10, color=ACCENT))
        .encode(
            x=alt.X("period:O", axis=None),
            y=alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False)),
            tooltip=["period:O", "value:Q"],
        )
    )
    spec = _config(chart, width=width, height=height)
    spec["autosize"] = {"type": "fit", "contains": "padding"}
    spec["padding"] = 2
    return spec


def grouped_bars(rows: Sequence[dict], *, series_title: str, value_title: str) -> Spec:
    """Side-by-side bars: `{"category": str, "series": str, "value": float}` (e.g. units × indicator)."""
    chart = (
        alt.Chart(alt.Data(values=list(rows)))
        .mark_bar()
        .encode(
            y=alt.Y("series:N", title=None),
            x=alt.X("value:Q", title=value_title),
            color=alt.Color("series:N", title=series_title, legend=None),
            tooltip=["series:N", "value:Q"],
        )
    )
    return _config(chart, height=max(60, 20 * len({r["series"] for r in rows})))


def to_svg(spec: Spec, *, width: int = 640, number_locale: dict | None = None) -> str:
    """The chart as SVG (for PDF reports): a fixed width instead of the page's container.

    `number_locale` is a d3-format locale (`decimal`, `thousands`, `grouping`, `currency`)
    for the axis labels, e.g. decimal commas in a Polish report.
    """
    import vl_convert

    fixed = dict(spec)
    if fixed.get("width") == "container":
        fixed["width"] = width
    if number_locale is None:
        return vl_convert.vegalite_to_svg(fixed)
    return vl_convert.vegalite_to_svg(fixed, format_locale=number_locale)
