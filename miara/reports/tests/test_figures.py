"""The report's SVG charts: well-formed, every unit placed where its stored value says,
names escaped, axes in the report's language."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from miara.reports import figures

SVG = "{http://www.w3.org/2000/svg}"


def strip_row(points, **changes):
    strip = {
        "points": points,
        "value_title": "Recycling rate (%)",
        "median": 30.0,
        "q1": 25.0,
        "q3": 35.0,
    } | changes
    return {"name": "Recycling rate", "summary": "Value: 40.0.", "strip": strip, "trend": None}


@given(
    st.floats(-1e9, 1e9, allow_nan=False),
    st.floats(0, 1e9, allow_nan=False),
    st.integers(2, 8),
)
def test_ticks_are_round_and_cover_the_range(low, span, count):
    high = low + span
    ticks = figures.nice_ticks(low, high, count)
    step = ticks[1] - ticks[0]
    # Covered, but for a billionth of a step (values within it count as on the tick).
    slack = 1e-8 * step + 1e-9 * max(1.0, abs(low), abs(high))
    assert ticks[0] <= low + slack and ticks[-1] >= high - slack
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5, 10))
    # Equal steps, up to the float resolution at the ticks' magnitude.
    fuzz = 1e-9 * max(1.0, abs(low), abs(high))
    assert all(math.isclose(b - a, step, abs_tol=fuzz) for a, b in itertools.pairwise(ticks))
    assert 2 <= len(ticks) <= 2 * count + 3


def test_the_strip_places_every_unit_on_the_axis_scale():
    points = [
        {"label": "", "value": 10.0, "highlight": False},
        {"label": "", "value": 27.5, "highlight": False},
        {"label": "Alpha", "value": 40.0, "highlight": True},
    ]
    svg = figures.figure([strip_row(points)])
    root = ET.fromstring(svg)  # well-formed XML
    ticks = figures.nice_ticks(10.0, 40.0)

    def expected_x(value):  # an independent linear scale over the ticks' range
        share = (value - ticks[0]) / (ticks[-1] - ticks[0])
        return figures.STRIP_LEFT + share * figures.STRIP_WIDTH

    dots = sorted(float(c.get("cx")) for c in root.iter(f"{SVG}circle"))
    assert dots == pytest.approx([expected_x(10.0), expected_x(27.5)], abs=0.06)
    diamond = next(root.iter(f"{SVG}path")).get("d")
    assert float(re.match(r"M([\d.]+) ", diamond).group(1)) == pytest.approx(
        expected_x(40.0), abs=0.06
    )
    band = next(r for r in root.iter(f"{SVG}rect") if r.get("fill") == figures.BAND)
    assert float(band.get("x")) == pytest.approx(expected_x(25.0), abs=0.06)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Alpha" in texts and "Recycling rate" in texts


def test_names_are_escaped_and_only_the_highlighted_unit_is_named():
    nasty = 'Gmina <b>"&"</b>'
    points = [
        {"label": "", "value": 1.0, "highlight": False},
        {"label": nasty, "value": 2.0, "highlight": True},
    ]
    svg = figures.figure([strip_row(points, median=1.5, q1=None, q3=None)])
    root = ET.fromstring(svg)
    assert nasty in [t.text for t in root.iter(f"{SVG}text")]
    assert "<b>" not in svg


def test_axis_labels_follow_the_report_language():
    points = [{"label": "", "value": v, "highlight": False} for v in (0.5, 1.25, 2.25)]
    with translation.override("pl"):
        svg = figures.figure([strip_row(points, median=1.0, q1=0.8, q3=1.6)])
    labels = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "0,5" in labels and "1,5" in labels and "0.5" not in labels


def test_the_trend_draws_the_unit_and_the_median_with_gaps_where_values_are_missing():
    rows = [
        {"period": "2021", "value": 1.0, "median": 2.0, "q1": 1.5, "q3": 2.5},
        {"period": "2022", "value": None, "median": 2.2, "q1": 1.6, "q3": 2.6},
        {"period": "2023", "value": 1.4, "median": 2.4, "q1": None, "q3": None},
        {"period": "2024", "value": 1.8, "median": 2.5, "q1": 2.0, "q3": 3.0},
    ]
    row = {"name": "X", "summary": "", "strip": None, "trend": {"rows": rows, "value_title": "%"}}
    root = ET.fromstring(figures.figure([row]))
    lines = [p for p in root.iter(f"{SVG}polyline")]
    unit_lines = [p for p in lines if p.get("stroke") == figures.ACCENT]
    median_lines = [p for p in lines if p.get("stroke") == figures.MEDIAN]
    assert [len(p.get("points").split()) for p in unit_lines] == [2]  # 2023–2024; 2021 alone
    assert [len(p.get("points").split()) for p in median_lines] == [4]
    assert len(list(root.iter(f"{SVG}polygon"))) == 2  # the band breaks where Q1–Q3 is missing
    assert [t.text for t in root.iter(f"{SVG}text")][-5:-1] == ["2021", "2022", "2023", "2024"]
