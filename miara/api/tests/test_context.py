"""GET /api/v1/context: expected values checked against numpy, scoped to the caller."""

import pytest

from miara.analytics.models import UnitResult
from miara.analytics.tests.test_context_page import independent_fit, wider  # noqa: F401

from .conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/context"


def test_a_coordinator_gets_every_unit_and_the_line(alice, wider):  # noqa: F811
    response = client_for(alice).get(URL, {"indicator": "RECYCLING_RATE", "period": "2024"})
    assert response.status_code == 200, response.content
    body = response.json()
    expected, r2, n = independent_fit()
    assert (body["n"], body["needed"], body["reason"]) == (n, 6, None)
    assert body["variables"] == ["POPULATION"]
    assert body["r_squared"] == pytest.approx(r2, rel=1e-9)
    assert set(body["coefficients"]) == {"intercept", "POPULATION"}
    assert {u["unit"] for u in body["units"]} == set(expected)
    for unit in body["units"]:
        assert unit["expected"] == pytest.approx(expected[unit["unit"]], rel=1e-9)
        assert unit["context"]["POPULATION"] > 0


def test_an_editor_gets_their_own_unit_only(bob, wider):  # noqa: F811
    body = (
        client_for(bob)
        .get(URL, {"indicator": "RECYCLING_RATE", "period": "2024", "variables": "POPULATION"})
        .json()
    )
    assert [u["unit"] for u in body["units"]] == ["A1"]
    assert body["n"] == 10 and body["coefficients"] is None


def test_an_editor_gets_no_group_their_unit_is_not_in(alice, bob, wider):  # noqa: F811
    # LARGE without A1 (as if A1 were small): its size is not bob's business.
    UnitResult.objects.filter(group="LARGE", unit__code="A1").delete()
    params = {"indicator": "RECYCLING_RATE", "period": "2024", "group": "LARGE"}
    response = client_for(bob).get(URL, params)
    assert response.status_code == 404
    assert "none of your units" in response.json()["detail"]
    assert client_for(alice).get(URL, params).status_code == 200


def test_too_few_units_is_a_reason_not_an_error(alice, programme):
    body = client_for(alice).get(URL, {"indicator": "RECYCLING_RATE", "period": "2024"}).json()
    assert (body["reason"], body["n"], body["units"]) == ("too_few_units", 4, [])


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        ({"indicator": "NOPE", "period": "2024"}, 404, "unknown indicator NOPE"),
        ({"indicator": "RECYCLING_RATE", "period": "1999"}, 404, "no computed results"),
        ({"indicator": "RECYCLING_RATE", "period": "2024", "variables": "WASTE_T"}, 422, "WASTE_T"),
        ({"indicator": "RECYCLING_RATE"}, 422, "period"),
    ],
)
def test_bad_input_is_named(alice, programme, params, status, says):
    response = client_for(alice).get(URL, params)
    assert response.status_code == status
    assert says in response.content.decode()


def test_it_needs_authentication(programme):
    from django.test import Client

    assert Client().get(URL, {"indicator": "RECYCLING_RATE", "period": "2024"}).status_code == 401
