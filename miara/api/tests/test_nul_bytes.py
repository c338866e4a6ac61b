"""NUL characters in a path, a query, a form or a JSON body answer 400, never 500.

PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"), so any of them
reaching a query used to end as a 500 there; SQLite let them through. Run this on
PostgreSQL (MIARA_DATABASE_URL) to see what it guards.
"""

import json

import pytest
from django.test import Client

from miara.collection.models import Value

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in_alice(alice):
    client = Client()
    client.force_login(alice)
    return client


def _stored(unit: str, variable: str):
    return Value.objects.get(unit__code=unit, variable__code=variable, period="2024")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/results?indicator=%00",
        "/api/v1/results?unit=A1%00",
        "/api/v1/values?variable=%00WASTE_T",
        "/api/v1/public/aggregates?period=2024&indicator=%00",
        "/api/v1/public/aggregates?period=2024%00",
        "/api/v1/catalogue/%00",
    ],
)
def test_the_api_answers_json_400_to_nul_in_a_query_or_path(as_alice, url):
    response = as_alice.get(url)
    assert response.status_code == 400, (url, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    assert "NUL" in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/indicators/%00/",
        "/units/A%001/benchmark/",
        "/indicators/RECYCLING_RATE/?period=2024%00",
        "/compare/?unit=A1&unit=%00",
    ],
)
def test_pages_answer_400_to_nul_in_a_query_or_path(logged_in_alice, url):
    response = logged_in_alice.get(url)
    assert response.status_code == 400, (url, response.status_code)


def test_the_api_refuses_nul_in_a_json_string(cycle, as_alice):
    before = _stored("A1", "WASTE_T").value
    body = {
        "values": [
            {
                "unit": "A1",
                "variable": "WASTE_T",
                "period": "2024",
                "value": 1,
                "comment": "a\u0000b",
            }
        ]
    }
    response = as_alice.post("/api/v1/values", json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content
    assert "NUL" in response.json()["detail"]
    assert _stored("A1", "WASTE_T").value == before


def test_a_form_refuses_nul_in_a_field(cycle, mike):
    before = _stored("A1", "WASTE_T").value
    client = Client()
    client.force_login(mike)
    response = client.post(
        f"/collection/{cycle.pk}/A1/field/",
        {"variable": "WASTE_T", "value": "5", "comment": "x\x00y"},
    )
    assert response.status_code == 400, response.status_code
    assert _stored("A1", "WASTE_T").value == before
