"""The Vega-Lite spec of the costing page's chart: where the money goes, departments →
processes. Pure presentation: the amounts come from `engine.costing.cost_flows` through
the selectors; here they are only placed (drawn by `{% chart %}` of presentation)."""

from __future__ import annotations

from typing import Any

FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, Noto Sans, sans-serif"
# Distinguishable for the common colour-vision deficiencies; the largest processes get
# their own colour, the rest share grey, and unused capacity a pale sand.
PALETTE = ["#17476b", "#c98a12", "#3a8d6e", "#a34a6e", "#5b7fa6", "#8c6d31", "#6b4c9a", "#2f9bb3"]
OTHER = "#9aa5b1"
UNUSED = "#e3d9bf"
SHOWN = len(PALETTE)


def money_flow_spec(
    rows: list[dict],
    *,
    departments: list[str],
    processes: list[str],
    other: str,
    unused: str,
    titles: dict[str, str],
) -> dict[str, Any]:
    """Stacked horizontal bars: one bar per department (in `departments` order), split
    by the process its money goes to (`processes`: the legend's order, the largest
    first; then `other` and `unused`). `rows`: department, process, amount, order."""
    domain = [*processes, other, unused]
    colours = [*PALETTE[: len(processes)], OTHER, UNUSED]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": rows},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {
                "field": "department",
                "type": "nominal",
                "sort": departments,
                "title": titles["department"],
                "axis": {"labelLimit": 220},
            },
            "x": {
                "field": "amount",
                "type": "quantitative",
                "aggregate": "sum",
                "title": titles["amount"],
                "axis": {"format": ",.0f"},
            },
            "color": {
                "field": "process",
                "type": "nominal",
                "title": titles["process"],
                "scale": {"domain": domain, "range": colours},
                "legend": {"orient": "bottom", "columns": 3, "labelLimit": 240},
            },
            "order": {"field": "order", "type": "quantitative"},
            "tooltip": [
                {"field": "department", "type": "nominal", "title": titles["department"]},
                {"field": "process", "type": "nominal", "title": titles["process"]},
                {
                    "field": "amount",
                    "type": "quantitative",
                    "format": ",.0f",
                    "title": titles["amount"],
                },
            ],
        },
        "width": "container",
        "height": max(60, 28 * len(departments)),
        "config": {
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
        },
        "autosize": {"type": "fit-x", "contains": "padding"},
    }
