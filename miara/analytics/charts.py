"""Vega-Lite specifications of miara's charts, built with Altair from stored figures.

Pure presentation: every function takes numbers a selector has already read from a result
set (nothing is computed here beyond placing them) and returns a Vega-Lite spec as a dict.
The spec is drawn in the browser by vega-embed (`{% chart %}` in templates, bundle from
`miara.presentation.vega`); PDF reports draw the same marks in `reports.figures`.

Colours follow miara.css: the unit highlighted in the accent colour, the others grey,
quartile bands in a pale tint. Colour is never the only cue: the highlighted unit is also
larger and labelled, and every chart has a table alternative and a text summary on its page.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import altair as alt

ACCENT = "#17476b"
OTHERS = "#8a96a3"
BAND = "#dbe6ef"
MEDIAN = "#c98a12"
TARGET = "#185c34"  # the targets' "on track" ink
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, Noto Sans, sans-serif"

Spec = dict[str, Any]


def _config(chart: alt.TopLevelMixin, *, width: int | str = "container", height: int = 160) -> Spec:
    # Altair's own schema check costs ~40 ms a chart, too much for a page that draws
    # three; tests/test_charts.py validates every spec against the Vega-Lite schema instead.
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


_SLOT = "__miara_slot__"


def _slot(name: str) -> alt.Data:
    """A placeholder for a chart's data: specs are built once per set of titles and sizes
    (Altair takes ~10 ms a chart to assemble one) and the figures are put in per request."""
    return alt.Data(values=[{_SLOT: name}])


def _fill(node, texts: dict[str, str] | None = None, **data):
    """A copy of a cached spec with each placeholder replaced by its rows, and each text
    placeholder (a key of `texts`, see `_text_slot`) inside a string by its text."""
    if isinstance(node, dict):
        values = node.get("values")
        if isinstance(values, list) and len(values) == 1 and isinstance(values[0], dict):
            name = values[0].get(_SLOT)
            if name is not None:
                return {**node, "values": [dict(row) for row in data[name]]}
        return {key: _fill(value, texts, **data) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill(value, texts, **data) for value in node]
    if texts and isinstance(node, str) and _SLOT in node:
        for slot, text in texts.items():
            node = node.replace(slot, text)
    return node


def _text_slot(name: str) -> str:
    """A placeholder for a text that differs per request (a unit's name), so that the
    skeleton cached for the chart's other texts serves every unit."""
    return f"{_SLOT}{name}__"


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
        {"label": p["label"], "value": p["value"], "who": "unit" if p.get("highlight") else "peer"}
        for p in points
    ]
    has_band = q1 is not None and q3 is not None
    skeleton = _distribution_skeleton(value_title, has_band, median is not None, height)
    return _fill(skeleton, points=data, band=[{"q1": q1, "q3": q3}], median=[{"median": median}])


def _band_layer() -> alt.Chart:
    # The band and the median span the plot's height ("height" is the plot area, not the
    # figure), so neither runs over the axis and its labels.
    return (
        alt.Chart(_slot("band"))
        .mark_rect(color=BAND)
        .encode(x="q1:Q", x2="q3:Q", y=alt.value(0), y2=alt.value("height"))
    )


def _median_layer() -> alt.Chart:
    return (
        alt.Chart(_slot("median"))
        .mark_rule(color=MEDIAN, strokeWidth=3)
        .encode(x="median:Q", y=alt.value(0), y2=alt.value("height"))
    )


@functools.lru_cache(maxsize=128)
def _distribution_skeleton(value_title: str, has_band: bool, has_median: bool, height: int) -> Spec:
    base = alt.Chart()
    layers: list = []
    if has_band:
        layers.append(_band_layer())
    if has_median:
        layers.append(_median_layer())
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
    return _config(alt.layer(*layers, data=_slot("points")), height=height)


def distribution_binned(
    bins: Sequence[dict],
    *,
    value_title: str,
    count_title: str,
    unit: dict | None = None,
    median: float | None = None,
    q1: float | None = None,
    q3: float | None = None,
    height: int = 120,
) -> Spec:
    """The distribution of a large group as bars of how many units fall in each range of
    values (the engine's `histogram`), with the quartile band, the median and one unit.

    `bins`: `{"start": float, "end": float, "count": int}`; `unit`: `{"label", "value"}`
    of the unit looked from, or None. A national group of 6,300 units would be a smear of
    overlapping dots (and a page of 6,300 labels): the bars show its shape instead.
    """
    has_band = q1 is not None and q3 is not None
    skeleton = _binned_skeleton(
        value_title, count_title, has_band, median is not None, unit is not None, height
    )
    return _fill(
        skeleton,
        bins=[{"start": b["start"], "end": b["end"], "count": b["count"]} for b in bins],
        band=[{"q1": q1, "q3": q3}],
        median=[{"median": median}],
        unit=[{"label": unit["label"], "value": unit["value"]}] if unit else [],
    )


@functools.lru_cache(maxsize=128)
def _binned_skeleton(
    value_title: str,
    count_title: str,
    has_band: bool,
    has_median: bool,
    has_unit: bool,
    height: int,
) -> Spec:
    layers: list = []
    if has_band:
        layers.append(_band_layer())
    layers.append(
        alt.Chart(_slot("bins"))
        # A rect from 0 to the count over [start, end]: a bar with x and x2 would be a thin
        # horizontal range at the count's height.
        .mark_rect(color=OTHERS, opacity=0.85, stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("start:Q", title=value_title, scale=alt.Scale(zero=False, nice=True)),
            x2="end:Q",
            y=alt.Y("count:Q", title=count_title),
            y2=alt.datum(0),
            tooltip=[
                alt.Tooltip("start:Q", title="≥", format=",.4~g"),
                alt.Tooltip("end:Q", title="≤", format=",.4~g"),
                alt.Tooltip("count:Q", title=count_title),
            ],
        )
    )
    if has_median:
        layers.append(_median_layer())
    if has_unit:
        layers.append(
            alt.Chart(_slot("unit"))
            .mark_point(shape="diamond", size=220, filled=True, color=ACCENT, stroke="white")
            .encode(
                x="value:Q",
                y=alt.value("height"),
                tooltip=[
                    alt.Tooltip("label:N", title=""),
                    alt.Tooltip("value:Q", title=value_title),
                ],
            )
        )
        layers.append(
            alt.Chart(_slot("unit"))
            .mark_text(dy=-16, fontWeight="bold", color=ACCENT)
            .encode(x="value:Q", y=alt.value("height"), text="label:N")
        )
    return _config(alt.layer(*layers), height=height)


def _who_colour() -> alt.Color:
    """A bar of the user's own unit in the accent colour, the others in grey."""
    return alt.Color(
        "who:N", scale=alt.Scale(domain=["unit", "peer"], range=[ACCENT, "#b7c2cd"]), legend=None
    )


def _bars(rows: Sequence[dict]) -> list[dict]:
    """The data of a bar per row, in the given order: the user's own units are "unit"."""
    return [
        {
            "label": r["label"],
            "value": r["value"],
            "who": "unit" if r.get("highlight") else "peer",
            "order": i,
        }
        for i, r in enumerate(rows)
    ]


def ranking(rows: Sequence[dict], *, value_title: str, height_per_row: int = 18) -> Spec:
    """Horizontal bars of every unit's value, best first; `rows` are already in rank order.

    `rows`: `{"label": str, "value": float, "highlight": bool}`.
    """
    data = _bars(rows)
    # "fit" autosizing counts the axis in the height: leave it room beside the rows.
    height = max(80, height_per_row * len(data) + 40)
    return _fill(_ranking_skeleton(value_title, height), rows=data)


@functools.lru_cache(maxsize=128)
def _ranking_skeleton(value_title: str, height: int) -> Spec:
    chart = (
        alt.Chart(_slot("rows"))
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=alt.EncodingSortField(field="order"), title=None),
            x=alt.X("value:Q", title=value_title),
            color=_who_colour(),
            tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("value:Q", title=value_title)],
        )
    )
    return _config(chart, height=height)


def trend(
    rows: Sequence[dict],
    *,
    value_title: str,
    unit_label: str,
    median_label: str,
    band_label: str,
    target_label: str = "",
) -> Spec:
    """The unit's value per period against the group's median and its Q1–Q3 band, and,
    with `target_label`, the unit's target as a dotted line.

    `rows`: `{"period": str, "value": float|None, "median": float|None, "q1", "q3"}`,
    and `"target": float|None` with a target.
    """
    return _fill(
        _trend_skeleton(value_title, median_label, band_label, target_label),
        {_text_slot("unit"): unit_label},
        rows=list(rows),
    )


@functools.lru_cache(maxsize=128)
def _trend_skeleton(
    value_title: str, median_label: str, band_label: str, target_label: str = ""
) -> Spec:
    unit_label = _text_slot("unit")
    base = alt.Chart().encode(x=alt.X("period:O", title=None, axis=alt.Axis(labelAngle=0)))
    band = (
        base.transform_filter("isValid(datum.q1) && isValid(datum.q3)")
        .mark_area(color=BAND, opacity=0.9)
        .encode(y=alt.Y("q1:Q", title=value_title, scale=alt.Scale(zero=False)), y2="q3:Q")
    )
    median = (
        base.transform_filter("isValid(datum.median)")
        .mark_line(color=MEDIAN, strokeDash=[5, 3], strokeWidth=2, point=True)
        .encode(y="median:Q", tooltip=["period:O", alt.Tooltip("median:Q", title=median_label)])
    )
    unit = (
        base.transform_filter("isValid(datum.value)")
        .mark_line(
            color=ACCENT,
            strokeWidth=3,
            point=alt.OverlayMarkDef(size=60, filled=True, color=ACCENT),
        )
        .encode(y="value:Q", tooltip=["period:O", alt.Tooltip("value:Q", title=unit_label)])
    )
    layers = [band, median, unit]
    if target_label:
        layers.append(
            base.transform_filter("isValid(datum.target)")
            .mark_line(color=TARGET, strokeDash=[2, 3], strokeWidth=2, point=True)
            .encode(y="target:Q", tooltip=["period:O", alt.Tooltip("target:Q", title=target_label)])
        )
    spec = _config(alt.layer(*layers, data=_slot("rows")), height=200)
    spec["description"] = "; ".join(
        t for t in (unit_label, median_label, band_label, target_label) if t
    )
    return spec


def compared_bars(
    rows: Sequence[dict],
    *,
    value_title: str,
    median: float | None = None,
    median_label: str = "",
    height_per_row: int = 24,
) -> Spec:
    """One indicator across the compared units: a bar per unit in the given order, the
    user's own units in the accent colour, the group's median as a dashed line.

    `rows`: `{"label": str, "value": float, "highlight": bool}`; units without a value
    are left out by the caller (the table says "no data").
    """
    data = _bars(rows)
    bars = (
        alt.Chart(alt.Data(values=data))
        .mark_bar(cornerRadiusEnd=2)
        .encode(
            y=alt.Y(
                "label:N",
                sort=alt.EncodingSortField(field="order"),
                title=None,
                axis=alt.Axis(labelLimit=180),
            ),
            x=alt.X("value:Q", title=value_title),
            color=_who_colour(),
            tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("value:Q", title=value_title)],
        )
    )
    layers: list = [bars]
    if median is not None:
        layers.append(
            alt.Chart(alt.Data(values=[{"median": median, "what": median_label}]))
            .mark_rule(color=MEDIAN, strokeWidth=2, strokeDash=[5, 3])
            .encode(
                x="median:Q",
                tooltip=[alt.Tooltip("what:N", title=""), alt.Tooltip("median:Q", title="")],
            )
        )
    # The height includes the axis (autosize "fit"): room for it, then a row per unit.
    return _config(alt.layer(*layers), height=40 + height_per_row * max(len(data), 2))


def zscore_profile(rows: Sequence[dict], *, value_title: str, height_per_row: int = 34) -> Spec:
    """Where the unit and its similar units lie on each structural variable, in z-scores.

    `rows`: `{"variable": str, "label": str, "z": float, "highlight": bool}`; one line per
    variable, a grey dot per similar unit and the unit itself as a diamond.
    """
    data = [
        {
            "variable": r["variable"],
            "label": r["label"],
            "z": r["z"],
            "who": "unit" if r.get("highlight") else "peer",
        }
        for r in rows
    ]
    base = alt.Chart()
    y = alt.Y("variable:N", title=None, sort=None, axis=alt.Axis(labelLimit=200))
    tooltip = [
        alt.Tooltip("label:N", title=""),
        alt.Tooltip("variable:N", title=""),
        alt.Tooltip("z:Q", title=value_title, format=".2f"),
    ]
    zero = (
        alt.Chart(alt.Data(values=[{"z": 0}]))
        .mark_rule(color="#d9dee4", strokeWidth=1)
        .encode(x="z:Q")
    )
    peers = (
        base.transform_filter(alt.datum.who == "peer")
        .mark_circle(size=60, opacity=0.65, color=OTHERS)
        .encode(x=alt.X("z:Q", title=value_title), y=y, tooltip=tooltip)
    )
    unit = (
        base.transform_filter(alt.datum.who == "unit")
        .mark_point(shape="diamond", size=200, filled=True, color=ACCENT, stroke="white")
        .encode(x="z:Q", y=y, tooltip=tooltip)
    )
    variables = len({r["variable"] for r in data}) or 1
    return _config(
        alt.layer(zero, peers, unit, data=alt.Data(values=data)),
        height=max(60, height_per_row * variables),
    )


def expected_scatter(points: Sequence[dict], *, value_title: str, expected_title: str) -> Spec:
    """Each unit's value against its expected value (`analytics.context`), with the line
    where the two are equal: a dot above the line has more than expected, below less.

    `points`: `{"label": str, "value": float, "expected": float, "highlight": bool}`.
    """
    data = [
        {
            "label": p["label"],
            "value": p["value"],
            "expected": p["expected"],
            "who": "unit" if p.get("highlight") else "peer",
        }
        for p in points
    ]
    ends = [v for p in data for v in (p["value"], p["expected"])]
    line = [
        {"expected": min(ends), "value": min(ends)},
        {"expected": max(ends), "value": max(ends)},
    ]
    return _fill(_scatter_skeleton(value_title, expected_title), points=data, line=line)


@functools.lru_cache(maxsize=128)
def _scatter_skeleton(value_title: str, expected_title: str) -> Spec:
    x = alt.X("expected:Q", title=expected_title, scale=alt.Scale(zero=False, nice=True))
    y = alt.Y("value:Q", title=value_title, scale=alt.Scale(zero=False, nice=True))
    tooltip = [
        alt.Tooltip("label:N", title=""),
        alt.Tooltip("expected:Q", title=expected_title),
        alt.Tooltip("value:Q", title=value_title),
    ]
    equal = (
        alt.Chart(_slot("line"))
        .mark_line(color=MEDIAN, strokeDash=[5, 3], strokeWidth=2)
        .encode(x=x, y=y)
    )
    base = alt.Chart(_slot("points"))
    peers = (
        base.transform_filter(alt.datum.who == "peer")
        .mark_circle(size=55, opacity=0.7, color=OTHERS)
        .encode(x="expected:Q", y="value:Q", tooltip=tooltip)
    )
    unit = (
        base.transform_filter(alt.datum.who == "unit")
        .mark_point(shape="diamond", size=220, filled=True, color=ACCENT, stroke="white")
        .encode(x="expected:Q", y="value:Q", tooltip=tooltip)
    )
    label = (
        base.transform_filter(alt.datum.who == "unit")
        .mark_text(dy=-16, fontWeight="bold", color=ACCENT)
        .encode(x="expected:Q", y="value:Q", text="label:N")
    )
    return _config(alt.layer(equal, peers, unit, label), height=260)


def contributions(rows: Sequence[dict], *, value_title: str, height_per_row: int = 22) -> Spec:
    """What pulls a unit's composite-index score up or down: a bar per component from
    zero, to the right (accent) when it lifts the unit above the mean unit, to the left
    (grey) when it holds it below; `rows` in the order to show them.

    `rows`: `{"label": str, "value": float}`.
    """
    data = [
        {
            "label": r["label"],
            "value": r["value"],
            "who": "unit" if r["value"] >= 0 else "peer",
            "order": i,
        }
        for i, r in enumerate(rows)
    ]
    height = max(60, height_per_row * len(data) + 40)
    return _fill(_contributions_skeleton(value_title, height), rows=data)


@functools.lru_cache(maxsize=32)
def _contributions_skeleton(value_title: str, height: int) -> Spec:
    bars = (
        alt.Chart(_slot("rows"))
        .mark_bar()
        .encode(
            y=alt.Y(
                "label:N",
                sort=alt.EncodingSortField(field="order"),
                title=None,
                axis=alt.Axis(labelLimit=220),
            ),
            x=alt.X("value:Q", title=value_title),
            color=_who_colour(),
            tooltip=[
                alt.Tooltip("label:N", title=""),
                alt.Tooltip("value:Q", title=value_title, format=".2f"),
            ],
        )
    )
    zero = alt.Chart(alt.Data(values=[{"value": 0}])).mark_rule(color="#4a5765").encode(x="value:Q")
    return _config(alt.layer(bars, zero), height=height)


def rank_ranges(rows: Sequence[dict], *, rank_title: str, height_per_row: int = 18) -> Spec:
    """Each unit's rank under the index as defined (a dot) and the range of its ranks
    under the alternative methods (a line from the best to the worst); rank 1 on the left.

    `rows`: `{"label", "rank", "rank_min", "rank_max", "highlight"}` in rank order.
    """
    data = [
        {
            "label": r["label"],
            "rank": r["rank"],
            "rank_min": r["rank_min"],
            "rank_max": r["rank_max"],
            "who": "unit" if r.get("highlight") else "peer",
            "order": i,
        }
        for i, r in enumerate(rows)
    ]
    height = max(80, height_per_row * len(data) + 40)
    return _fill(_rank_ranges_skeleton(rank_title, height), rows=data)


@functools.lru_cache(maxsize=32)
def _rank_ranges_skeleton(rank_title: str, height: int) -> Spec:
    y = alt.Y("label:N", sort=alt.EncodingSortField(field="order"), title=None)
    tooltip = [
        alt.Tooltip("label:N", title=""),
        alt.Tooltip("rank:Q", title=rank_title),
        alt.Tooltip("rank_min:Q", title="min"),
        alt.Tooltip("rank_max:Q", title="max"),
    ]
    base = alt.Chart(_slot("rows"))
    line = base.mark_rule(strokeWidth=3, color=OTHERS).encode(
        y=y,
        x=alt.X(
            "rank_min:Q",
            title=rank_title,
            scale=alt.Scale(zero=False, nice=False),
            axis=alt.Axis(tickMinStep=1, format="d"),
        ),
        x2="rank_max:Q",
    )
    # The grey of the others is darker than the ranges' so that a dot shows on its line.
    dot = base.mark_point(filled=True, size=90, opacity=1).encode(
        y=y,
        x="rank:Q",
        color=alt.Color(
            "who:N",
            scale=alt.Scale(domain=["unit", "peer"], range=[ACCENT, "#4a5765"]),
            legend=None,
        ),
        tooltip=tooltip,
    )
    return _config(alt.layer(line, dot), height=height)
