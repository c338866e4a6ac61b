"""POST /values writes only what the caller may write, whatever the spelling of the codes,
and only periods the caller may write (one rule with the data-entry form)."""

import json

import pytest

from miara.collection.models import Value, ValueHistory

pytestmark = pytest.mark.django_db


def post(client, *values):
    return client.post(
        "/api/v1/values", json.dumps({"values": list(values)}), content_type="application/json"
    )


def item(unit="A1", variable="WASTE_T", period="2024", value=1234.5, **extra):
    return {"unit": unit, "variable": variable, "period": period, "value": value, **extra}


def stored(unit, variable="WASTE_T", period="2024"):
    return Value.objects.get(unit__code=unit, variable__code=variable, period=period)


@pytest.mark.parametrize("spelling", [" B2", "B2 ", "\tB2", "B2\t", " B2\n"])
def test_it_refuses_another_unit_spelled_with_blanks(cycle, as_bob, spelling):
    history = ValueHistory.objects.count()
    response = post(as_bob, item(unit=spelling, value=1))
    assert response.status_code == 403, response.content
    assert "B2" in response.json()["detail"]
    assert stored("B2").value == 1510
    assert ValueHistory.objects.count() == history


@pytest.mark.parametrize("spelling", [" B2", "B2\t"])
def test_it_never_shows_another_units_values_in_a_conflict(cycle, as_bob, spelling):
    response = post(as_bob, item(unit=spelling, value=1, version=999))
    assert response.status_code == 403, response.content
    assert "1510" not in response.content.decode()
    assert "conflicts" not in response.json()


def test_it_accepts_its_own_unit_spelled_with_blanks(cycle, as_bob):
    response = post(as_bob, item(unit=" A1\t", variable=" WASTE_T ", period=" 2024 ", value=7))
    assert response.status_code == 200, response.content
    assert response.json()["versions"] == [
        {"unit": "A1", "variable": "WASTE_T", "period": "2024", "version": 2}
    ]
    assert stored("A1").value == 7


@pytest.mark.parametrize("code", ["", " ", "\t"])
def test_it_refuses_blank_codes_in_the_schema(cycle, as_bob, code):
    response = post(as_bob, item(unit=code))
    assert response.status_code == 422
    assert response.json()["detail"][0]["index"] == 0
    assert response.json()["detail"][0]["field"] == "unit"


def test_it_answers_422_for_an_empty_list_of_values(as_bob):
    response = post(as_bob)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["field"] == "values"
    assert "at least 1" in response.json()["detail"][0]["message"]
