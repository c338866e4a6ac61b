"""GET /values: stored values with their versions and comments, in the caller's scope."""

import pytest

from miara.collection.selectors import values_frame

pytestmark = pytest.mark.django_db


def items(response):
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_it_lists_values_with_version_and_comment(as_bob):
    got = items(as_bob.get("/api/v1/values?variable=WASTE_T&period=2024"))
    assert got == [
        {
            "unit": "A1",
            "variable": "WASTE_T",
            "period": "2024",
            "value": 1010.0,
            "comment": "",
            "version": 1,
        }
    ]


def test_it_shows_an_editor_only_their_units(as_bob):
    got = items(as_bob.get("/api/v1/values?limit=10000"))
    assert {v["unit"] for v in got} == {"A1"}
    assert len(got) == 10  # 5 variables x 2 periods


def test_it_answers_404_when_an_editor_asks_for_another_unit(as_bob):
    """As for a unit that does not exist (it answered 403 before), so codes cannot be probed."""
    response = as_bob.get("/api/v1/values?unit=B2")
    assert response.status_code == 404
    assert "B2" in response.json()["detail"]


def test_it_shows_coordinators_every_value(alice, as_alice):
    response = as_alice.get("/api/v1/values?limit=10000").json()
    assert response["count"] == values_frame(user=alice).height == 40


def test_it_filters_by_unit_period_and_variable(as_erin):
    got = items(as_erin.get("/api/v1/values?unit=B2&unit=C3&period=2023&variable=POPULATION"))
    assert [(v["unit"], v["value"]) for v in got] == [("B2", 200000.0), ("C3", 15000.0)]


def test_it_pages_the_values(as_alice):
    page = as_alice.get("/api/v1/values?limit=3&offset=3").json()
    assert page["count"] == 40
    assert len(page["items"]) == 3


@pytest.mark.parametrize(
    "query, status, words",
    [
        ("unit=ZZ9", 404, "unknown unit ZZ9"),
        ("variable=NOPE", 404, "unknown variable NOPE"),
        ("period=24", 422, "is not a period"),
    ],
)
def test_it_explains_a_bad_filter(as_alice, query, status, words):
    response = as_alice.get("/api/v1/values?" + query)
    assert response.status_code == status
    assert words in str(response.json()["detail"])


def test_it_needs_authentication(anonymous):
    assert anonymous.get("/api/v1/values?unit=A1").status_code == 401
