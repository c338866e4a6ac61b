"""Small inline SVG graphics for the rows of the scorecard, drawn on the server.

A scorecard has one row per indicator (57 in the demo, 200 nationally); one Vega view per
row would make the browser parse and lay out hundreds of charts, so each row gets a few
SVG shapes instead: no script, drawn as soon as the HTML arrives, and printed as they are.
Pure presentation like `charts.py`: the positions are the stored figures placed on a
scale, nothing is computed. Coordinates are rounded to whole pixels, so the markup
carries positions only, never a unit's figure in readable form.

The graphics are hidden from assistive technology (`aria-hidden`); the row's cells and a
visually hidden sentence carry the same figures in words.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from miara.analytics.charts import ACCENT, BAND, MEDIAN, OTHERS

STRIP_WIDTH = 110
STRIP_HEIGHT = 26
PAD = 7


def _scale(low: float, high: float, *, flip: bool, width: int):
    span = high - low

    def place(value: float) -> int:
        share = 0.5 if span <= 0 else (value - low) / span
        if flip:
            share = 1 - share
        return round(PAD + share * (width - 2 * PAD))

    return place


def strip(
    *,
    value: float | None,
    low: float | None,
    high: float | None,
    q1: float | None = None,
    median: float | None = None,
    q3: float | None = None,
    peers: Sequence[float] = (),
    direction: str = "neutral",
) -> SafeString:
    """The group's range (min–max line), its middle half (Q1–Q3 box), the median (tick),
    the other units (grey dots, when given) and the unit (a dark diamond).

    For "lower is better" the scale runs from high to low, so that on every row the
    better end is on the right.
    """
    known = [v for v in (low, high, value, q1, median, q3) if v is not None]
    if not known:
        return mark_safe("")
    place = _scale(min(known), max(known), flip=direction == "lower", width=STRIP_WIDTH)
    mid = STRIP_HEIGHT // 2
    parts: list[str] = []
    if low is not None and high is not None:
        a, b = sorted((place(low), place(high)))
        parts.append(
            format_html('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#b7c2cd"/>', a, b, mid, mid)
        )
    if q1 is not None and q3 is not None:
        a, b = sorted((place(q1), place(q3)))
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#9fb4c7"/>',
                a,
                mid - 6,
                max(b - a, 1),
                12,
                BAND,
            )
        )
    if peers:
        parts.append(
            format_html_join(
                "",
                '<circle cx="{}" cy="{}" r="2" fill="{}" fill-opacity="0.75"/>',
                ((x, mid, OTHERS) for x in sorted({place(v) for v in peers})),
            )
        )
    if median is not None:
        x = place(median)
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="3"/>',
                x,
                x,
                mid - 9,
                mid + 9,
                MEDIAN,
            )
        )
    if value is not None:
        x = place(value)
        parts.append(
            format_html(
                '<path d="M{} {}l6 6-6 6-6-6z" fill="{}" stroke="#fff" stroke-width="1.5"/>',
                x,
                mid - 6,
                ACCENT,
            )
        )
    return format_html(
        '<svg class="strip" viewBox="0 0 {w} {h}" width="{w}" height="{h}" aria-hidden="true"'
        ' focusable="false">{}</svg>',
        mark_safe("".join(parts)),
        w=STRIP_WIDTH,
        h=STRIP_HEIGHT,
    )


SPARK_WIDTH = 72
SPARK_HEIGHT = 22


def sparkline(values: Sequence[float | None]) -> SafeString:
    """The unit's values over the last periods, oldest first; gaps break the line."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return mark_safe("")
    low, high = min(known), max(known)
    span = high - low
    step = (SPARK_WIDTH - 6) / (len(values) - 1)

    def y(value: float) -> int:
        share = 0.5 if span <= 0 else (value - low) / span
        return round(SPARK_HEIGHT - 3 - share * (SPARK_HEIGHT - 6))

    runs: list[list[tuple[int, int]]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((round(3 + i * step), y(value)))
    lines = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="1.5"/>',
        ((" ".join(f"{x},{yy}" for x, yy in run), ACCENT) for run in runs if len(run) > 1),
    )
    last = next((p for run in reversed(runs) for p in reversed(run)), None)
    dot = format_html('<circle cx="{}" cy="{}" r="2.5" fill="{}"/>', *last, ACCENT) if last else ""
    return format_html(
        '<svg class="sparkline-svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}"'
        ' aria-hidden="true" focusable="false">{}{}</svg>',
        lines,
        dot,
        w=SPARK_WIDTH,
        h=SPARK_HEIGHT,
    )
