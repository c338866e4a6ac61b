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
    # Plain string building: every interpolated item is a whole pixel or a constant
    # colour, so nothing needs escaping (format_html costs ~25 µs per shape, and a
    # national scorecard draws 200 strips).
    place = _scale(min(known), max(known), flip=direction == "lower", width=STRIP_WIDTH)
    mid = STRIP_HEIGHT // 2
    parts: list[str] = []
    if low is not None and high is not None:
        a, b = sorted((place(low), place(high)))
        parts.append(f'<line x1="{a}" x2="{b}" y1="{mid}" y2="{mid}" stroke="#b7c2cd"/>')
    if q1 is not None and q3 is not None:
        a, b = sorted((place(q1), place(q3)))
        parts.append(
            f'<rect x="{a}" y="{mid - 6}" width="{max(b - a, 1)}" height="12" fill="{BAND}"'
            ' stroke="#9fb4c7"/>'
        )
    if peers:
        parts.extend(
            f'<circle cx="{x}" cy="{mid}" r="2" fill="{OTHERS}" fill-opacity="0.75"/>'
            for x in sorted({place(v) for v in peers})
        )
    if median is not None:
        x = place(median)
        parts.append(
            f'<line x1="{x}" x2="{x}" y1="{mid - 9}" y2="{mid + 9}" stroke="{MEDIAN}"'
            ' stroke-width="3"/>'
        )
    if value is not None:
        x = place(value)
        parts.append(
            f'<path d="M{x} {mid - 6}l6 6-6 6-6-6z" fill="{ACCENT}" stroke="#fff"'
            ' stroke-width="1.5"/>'
        )
    return mark_safe(
        f'<svg class="strip" viewBox="0 0 {STRIP_WIDTH} {STRIP_HEIGHT}" width="{STRIP_WIDTH}"'
        f' height="{STRIP_HEIGHT}" aria-hidden="true" focusable="false">{"".join(parts)}</svg>'
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
    lines = "".join(
        f'<polyline points="{" ".join(f"{x},{yy}" for x, yy in run)}" fill="none"'
        f' stroke="{ACCENT}" stroke-width="1.5"/>'
        for run in runs
        if len(run) > 1
    )
    last = next((p for run in reversed(runs) for p in reversed(run)), None)
    dot = f'<circle cx="{last[0]}" cy="{last[1]}" r="2.5" fill="{ACCENT}"/>' if last else ""
    return mark_safe(
        f'<svg class="sparkline-svg" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}"'
        f' width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" aria-hidden="true" focusable="false">'
        f"{lines}{dot}</svg>"
    )
