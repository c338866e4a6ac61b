"""Specs filled into cached templates carry each call's own figures, and only those."""

import json

import altair as alt
import jsonschema

from miara.analytics import charts


def test_each_call_gets_its_own_figures_and_titles():
    first = charts.distribution(
        [{"label": "Alpha", "value": 1.5, "highlight": True}],
        value_title="PLN",
        median=1.0,
        q1=0.5,
        q3=2.0,
    )
    title = 'Koszt "jednej" decyzji \\ zł ąę'
    second = charts.distribution(
        [{"label": "Beta \u2063miara:q1\u2063", "value": 7.0, "highlight": True}],
        value_title=title,
        median=6.0,
        q1=5.0,
        q3=8.0,
    )
    text = json.dumps(second, ensure_ascii=False)
    assert "PLN" not in text and "Alpha" not in text and "1.5" not in text
    assert json.dumps(title, ensure_ascii=False) in text
    assert second["layer"][0]["data"]["values"] == [{"q1": 5.0, "q3": 8.0}]
    assert second["data"]["values"] == [
        {"label": "Beta \u2063miara:q1\u2063", "value": 7.0, "who": "unit"}
    ]
    assert "PLN" in json.dumps(first)


def test_a_filled_spec_is_valid_vega_lite():
    schema = alt.vegalite.v6.schema.core.load_schema()
    for spec in (
        charts.distribution([{"label": "", "value": 1.0}], value_title="t", median=1.0),
        charts.trend(
            [{"period": "2024", "value": 1.0, "median": None, "q1": None, "q3": None}],
            value_title="x",
            unit_label="Alpha",
            median_label="m",
            band_label="b",
        ),
    ):
        jsonschema.validate(spec, schema)
        assert "\u2063" not in json.dumps(spec, ensure_ascii=False)
