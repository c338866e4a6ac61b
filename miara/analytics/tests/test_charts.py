"""The chart specs are valid Vega-Lite, carry exactly the figures given, and render to SVG."""

import json

import altair as alt
import jsonschema
import pytest
import vl_convert

from miara.analytics import charts


@pytest.fixture(scope="module")
def schema():
    return alt.vegalite.v6.schema.core.load_schema()


POINTS = [
    {"label": "Alpha", "value": 10.5, "highlight": True},
    {"label": "Beta", "value": 12.0, "highlight": False},
    {"label": "Gamma", "value": 7.25, "highlight": False},
]


def all_values(spec):
    """Every inline data row of a (possibly layered) spec."""
    found = []
    if isinstance(spec, dict):
        data = spec.get("data")
        if isinstance(data, dict) and "values" in data:
            found.extend(data["values"])
        for value in spec.values():
            found.extend(all_values(value))
    elif isinstance(spec, list):
        for value in spec:
            found.extend(all_values(value))
    return found


@pytest.mark.parametrize(
    "spec",
    [
        charts.distribution(POINTS, value_title="PLN", median=10.5, q1=8.9, q3=11.25),
        charts.distribution(POINTS[:1], value_title="PLN"),
        charts.ranking(POINTS, value_title="PLN"),
        charts.distribution_binned(
            [{"start": 0.0, "end": 1.5, "count": 4}, {"start": 1.5, "end": 3.0, "count": 0}],
            value_title="PLN",
            count_title="units",
            unit={"label": "Alpha", "value": 1.2},
            median=1.0,
            q1=0.5,
            q3=2.0,
        ),
        charts.distribution_binned(
            [{"start": 2.0, "end": 2.0, "count": 3}], value_title="PLN", count_title="units"
        ),
        charts.trend(
            [
                {"period": "2023", "value": 1.0, "median": 2.0, "q1": 1.5, "q3": 2.5},
                {"period": "2024", "value": None, "median": 2.1, "q1": None, "q3": None},
            ],
            value_title="PLN",
            unit_label="Alpha",
            median_label="median",
            band_label="Q1–Q3",
        ),
        charts.compared_bars(POINTS, value_title="PLN", median=10.5, median_label="median"),
        charts.compared_bars(POINTS[:1], value_title="PLN"),
        charts.zscore_profile(
            [
                {"variable": "Population", "label": "Alpha", "z": 0.3, "highlight": True},
                {"variable": "Population", "label": "Beta", "z": -0.1},
                {"variable": "Area", "label": "Beta", "z": 1.2},
            ],
            value_title="z-score",
        ),
        charts.contributions(
            [{"label": "Recycling", "value": 3.5}, {"label": "Cost", "value": -1.25}],
            value_title="points",
        ),
        charts.rank_ranges(
            [
                {"label": "Alpha", "rank": 1, "rank_min": 1, "rank_max": 2, "highlight": True},
                {"label": "Beta", "rank": 2, "rank_min": 1, "rank_max": 3},
            ],
            rank_title="Rank",
        ),
    ],
)
def test_it_builds_valid_vega_lite_that_renders(spec, schema):
    jsonschema.validate(json.loads(json.dumps(spec)), schema)
    svg = vl_convert.vegalite_to_svg({**spec, "width": 640})
    assert svg.startswith("<svg") and "</svg>" in svg


def test_it_plots_exactly_the_given_values_and_marks_the_unit():
    spec = charts.distribution(POINTS, value_title="PLN", median=10.5, q1=8.9, q3=11.25)
    rows = all_values(spec)
    units = [r for r in rows if "label" in r]
    assert sorted(r["value"] for r in units) == [7.25, 10.5, 12.0]
    assert [r["label"] for r in units if r["who"] == "unit"] == ["Alpha"]
    assert {"q1": 8.9, "q3": 11.25} in rows and {"median": 10.5} in rows


def test_ranking_keeps_the_given_order():
    spec = charts.ranking(POINTS, value_title="PLN")
    assert [r["label"] for r in all_values(spec)] == ["Alpha", "Beta", "Gamma"]


def test_specs_built_from_the_cache_carry_only_their_own_figures():
    first = charts.distribution(POINTS, value_title="PLN", median=10.5, q1=8.9, q3=11.25)
    first["layer"][0]["data"]["values"][0]["q1"] = -1  # a caller may change its copy
    second = charts.distribution(POINTS[1:], value_title="PLN", median=9.0, q1=8.0, q3=11.0)
    rows = all_values(second)
    assert sorted(r["value"] for r in rows if "label" in r) == [7.25, 12.0]
    assert {"q1": 8.0, "q3": 11.0} in rows and {"median": 9.0} in rows
    assert not any("__miara_slot__" in r for r in rows)
    assert (
        charts.ranking(POINTS[:2], value_title="PLN")["height"]
        < charts.ranking(POINTS, value_title="PLN", height_per_row=40)["height"]
    )


def test_compared_bars_keep_the_order_and_mark_the_median():
    spec = charts.compared_bars(POINTS, value_title="PLN", median=9.0, median_label="median")
    rows = all_values(spec)
    assert [r["label"] for r in rows if "label" in r] == ["Alpha", "Beta", "Gamma"]
    assert [r["who"] for r in rows if "label" in r] == ["unit", "peer", "peer"]
    assert {"median": 9.0, "what": "median"} in rows


def test_zscore_profile_carries_exactly_the_given_points():
    given = [
        {"variable": "Population", "label": "Alpha", "z": 0.25, "highlight": True},
        {"variable": "Area", "label": "Beta", "z": -1.5},
    ]
    rows = [r for r in all_values(charts.zscore_profile(given, value_title="z")) if "label" in r]
    assert [(r["label"], r["z"], r["who"]) for r in rows] == [
        ("Alpha", 0.25, "unit"),
        ("Beta", -1.5, "peer"),
    ]


def test_binned_distribution_carries_the_bins_and_only_the_unit_looked_from():
    bins = [{"start": 0.0, "end": 1.5, "count": 4}, {"start": 1.5, "end": 3.0, "count": 2}]
    spec = charts.distribution_binned(
        bins, value_title="PLN", count_title="units", unit={"label": "Alpha", "value": 1.2}
    )
    rows = all_values(spec)
    assert [r for r in rows if "count" in r] == bins
    assert {r["label"] for r in rows if "label" in r} == {"Alpha"}
