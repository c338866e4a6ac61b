"""The report's per-indicator charts as SVG, drawn in Python.

Each figure holds a few indicators, one row each: the indicator's name and its one-line
summary, the group's distribution (the strip of `charts.distribution`: the middle half
as a band, the median as a gold rule, the other units as grey dots, the unit as a dark
diamond with its name) and the unit's trend against the group (`charts.trend`: the
middle half as a band, the median dashed, the unit's line solid). Same marks, colours
and reading as the pages' Vega-Lite charts.

Why not vl-convert, as the pages' charts could be: it renders one chart at a time in one
JavaScript engine, about 25 ms a panel, and a report has over a hundred panels: 2.5 s of
a report's 3 s on a quiet machine, twice that on a busy one. These few shapes take
milliseconds. Presentation only: every number placed here was read from the result set
by `reports.content`; nothing is computed but positions and round axis ticks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from miara.analytics.charts import ACCENT, BAND, MEDIAN, OTHERS
from miara.presentation import numbers
from miara.presentation.html import escape

WIDTH = 600
STRIP_LEFT = 16
STRIP_WIDTH = 316
TREND_LEFT = 392
TREND_WIDTH = WIDTH - TREND_LEFT - 8
STRIP_HEIGHT = 58
TREND_HEIGHT = 70
TITLE_HEIGHT = 34
AXIS_HEIGHT = 30
ROW_GAP = 20
FONT = "Helvetica, Arial, sans-serif"
TEXT = "#1c2530"
MUTED = "#4a5765"
GRID = "#e9edf1"
DOMAIN = "#b7c2cd"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high], about `count` of them (d3's tick steps:
    1, 2 or 5 times a power of ten), the first at or below `low`, the last at or above
    `high`."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return []
    if high < low:
        low, high = high, low
    if high - low <= 1e-9 * max(1.0, abs(low), abs(high)):
        # One value (or differences below float precision): a small range around it.
        spread = abs(low) * 0.1 or 1.0
        low, high = low - spread, high + spread
    raw = (high - low) / max(count, 1)
    step = 10 ** math.floor(math.log10(raw))
    error = raw / step
    if error >= 7.07:
        step *= 10
    elif error >= 3.16:
        step *= 5
    elif error >= 1.41:
        step *= 2
    start = math.floor(low / step + 1e-9)
    stop = math.ceil(high / step - 1e-9)
    digits = max(0, -math.floor(math.log10(step))) + 1
    return [round(i * step, digits) for i in range(start, stop + 1)]


def _places(ticks: Sequence[float]) -> int:
    if len(ticks) < 2:
        return 0
    step = abs(ticks[1] - ticks[0])
    return max(0, -math.floor(math.log10(step) + 1e-9))


def _scale(ticks: Sequence[float], start: float, length: float, *, flip: bool = False):
    low, high = ticks[0], ticks[-1]
    span = high - low or 1.0

    def place(value: float) -> float:
        share = (value - low) / span
        return round(start + (length - share * length if flip else share * length), 1)

    return place


def _text(x, y, content, *, size=10.0, fill=MUTED, anchor="start", weight="normal") -> str:
    return (
        f'<text x="{x}" y="{y}" font-family="{FONT}" font-size="{size}" fill="{fill}"'
        f' text-anchor="{anchor}" font-weight="{weight}">{escape(content)}</text>'
    )


def strip_panel(
    points: Sequence[dict],
    *,
    value_title: str,
    median: float | None,
    q1: float | None,
    q3: float | None,
    top: float,
) -> str:
    """The distribution of the group: `points` are `{"label", "value", "highlight"}`."""
    values = [p["value"] for p in points if p.get("value") is not None]
    known = [v for v in (*values, median, q1, q3) if v is not None]
    if not known:
        return ""
    ticks = nice_ticks(min(known), max(known))
    place = _scale(ticks, STRIP_LEFT, STRIP_WIDTH)
    bottom = top + STRIP_HEIGHT
    mid = top + STRIP_HEIGHT / 2
    parts = []
    if q1 is not None and q3 is not None:
        a, b = sorted((place(q1), place(q3)))
        parts.append(
            f'<rect x="{a}" y="{top}" width="{max(b - a, 1)}" height="{STRIP_HEIGHT}"'
            f' fill="{BAND}"/>'
        )
    if median is not None:
        x = place(median)
        parts.append(
            f'<line x1="{x}" x2="{x}" y1="{top}" y2="{bottom}" stroke="{MEDIAN}" stroke-width="3"/>'
        )
    for p in points:
        if p.get("value") is not None and not p.get("highlight"):
            parts.append(
                f'<circle cx="{place(p["value"])}" cy="{mid}" r="3.7" fill="{OTHERS}"'
                ' fill-opacity="0.7"/>'
            )
    for p in points:
        if p.get("value") is not None and p.get("highlight"):
            x = place(p["value"])
            parts.append(
                f'<path d="M{x} {mid - 7.5}l7.5 7.5-7.5 7.5-7.5-7.5z" fill="{ACCENT}"'
                ' stroke="#fff" stroke-width="1"/>'
            )
            right = STRIP_LEFT + STRIP_WIDTH
            anchor = "start" if x < STRIP_LEFT + 40 else "end" if x > right - 40 else "middle"
            parts.append(
                _text(x, mid - 11, p["label"], size=10, fill=ACCENT, anchor=anchor, weight="bold")
            )
    places = _places(ticks)
    right = STRIP_LEFT + STRIP_WIDTH
    parts.append(
        f'<line x1="{STRIP_LEFT}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{DOMAIN}"/>'
    )
    for tick in ticks:
        x = place(tick)
        parts.append(f'<line x1="{x}" x2="{x}" y1="{bottom}" y2="{bottom + 4}" stroke="{DOMAIN}"/>')
        parts.append(_text(x, bottom + 14, numbers.fixed(tick, places), size=9, anchor="middle"))
    parts.append(
        _text(
            STRIP_LEFT + STRIP_WIDTH / 2,
            bottom + 27,
            value_title,
            size=9,
            fill=TEXT,
            anchor="middle",
        )
    )
    return "".join(parts)


def trend_panel(rows: Sequence[dict], *, value_title: str, top: float) -> str:
    """The unit's value per period (`value`) against the group's `median`, `q1`–`q3`."""
    periods = [r["period"] for r in rows]
    known = [r[k] for r in rows for k in ("value", "median", "q1", "q3") if r.get(k) is not None]
    if not periods or not known:
        return ""
    ticks = nice_ticks(min(known), max(known), count=3)
    y_of = _scale(ticks, top, TREND_HEIGHT, flip=True)
    left = TREND_LEFT + 34
    width = TREND_WIDTH - 34
    step = width / max(len(periods) - 1, 1)

    def x_of(i: int) -> float:
        return round(left + (i * step if len(periods) > 1 else width / 2), 1)

    bottom = top + TREND_HEIGHT
    parts = []
    places = _places(ticks)
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line x1="{left}" x2="{left + width}" y1="{y}" y2="{y}" stroke="{GRID}"/>')
        parts.append(_text(left - 5, y + 3, numbers.fixed(tick, places), size=8.5, anchor="end"))
    # The band, as one polygon per run of periods that have both quartiles.
    run: list[int] = []
    for i, r in enumerate([*rows, {}]):
        if r.get("q1") is not None and r.get("q3") is not None:
            run.append(i)
            continue
        if run:
            upper = " ".join(f"{x_of(j)},{y_of(rows[j]['q3'])}" for j in run)
            lower = " ".join(f"{x_of(j)},{y_of(rows[j]['q1'])}" for j in reversed(run))
            parts.append(f'<polygon points="{upper} {lower}" fill="{BAND}" fill-opacity="0.9"/>')
            run = []
    for key, colour, extra in (
        ("median", MEDIAN, ' stroke-dasharray="5 3" stroke-width="2"'),
        ("value", ACCENT, ' stroke-width="3"'),
    ):
        segment: list[str] = []
        dots = []
        for i, r in enumerate([*rows, {}]):
            if r.get(key) is not None:
                point = f"{x_of(i)},{y_of(r[key])}"
                segment.append(point)
                dots.append((x_of(i), y_of(r[key])))
                continue
            if len(segment) > 1:
                parts.append(
                    f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}"{extra}/>'
                )
            segment = []
        radius = 3.2 if key == "value" else 2.4
        parts.extend(f'<circle cx="{x}" cy="{y}" r="{radius}" fill="{colour}"/>' for x, y in dots)
    parts.append(
        f'<line x1="{left}" x2="{left + width}" y1="{bottom}" y2="{bottom}" stroke="{DOMAIN}"/>'
    )
    for i, period in enumerate(periods):
        parts.append(_text(x_of(i), bottom + 13, period, size=8.5, anchor="middle"))
    if value_title:
        parts.append(_text(TREND_LEFT, top - 6, value_title, size=8.5, fill=TEXT, anchor="start"))
    return "".join(parts)


def figure(rows: Sequence[dict]) -> str:
    """One SVG of several indicators: each row `{"name", "summary", "strip", "trend"}`,
    where `strip` holds `charts.distribution`'s arguments (`points`, `value_title`,
    `median`, `q1`, `q3`) and `trend` those of `charts.trend` (`rows`, `value_title`);
    either may be None."""
    parts = []
    y = 0.0
    for row in rows:
        parts.append(_text(0, y + 12, row["name"], size=12, fill=TEXT, weight="bold"))
        parts.append(_text(0, y + 27, row["summary"], size=10.5))
        top = y + TITLE_HEIGHT + 14
        if row.get("strip"):
            parts.append(strip_panel(**row["strip"], top=top))
        if row.get("trend"):
            parts.append(trend_panel(**row["trend"], top=top))
        y = top + max(STRIP_HEIGHT, TREND_HEIGHT) + AXIS_HEIGHT + ROW_GAP
    height = round(max(y - ROW_GAP, 1))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}"'
        f' viewBox="0 0 {WIDTH} {height}">'
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>{"".join(parts)}</svg>'
    )
