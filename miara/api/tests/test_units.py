"""Units: each caller sees the units of their scope."""

import pytest

pytestmark = pytest.mark.django_db


def codes(response):
    assert response.status_code == 200
    return [u["code"] for u in response.json()]


def test_it_shows_an_editor_only_their_units(as_bob):
    assert codes(as_bob.get("/api/v1/units")) == ["A1"]


def test_it_shows_another_editor_only_theirs(as_carol):
    assert codes(as_carol.get("/api/v1/units")) == ["B2"]


def test_it_shows_coordinators_and_experts_every_unit(as_alice, as_erin):
    assert codes(as_alice.get("/api/v1/units")) == ["A1", "B2", "C3", "D4"]
    assert codes(as_erin.get("/api/v1/units")) == ["A1", "B2", "C3", "D4"]


def test_it_describes_each_unit(as_bob):
    assert as_bob.get("/api/v1/units").json() == [
        {"code": "A1", "name": "Alpha", "type": "city_county", "parent": None, "country": "PL"}
    ]


def test_it_needs_authentication(anonymous):
    assert anonymous.get("/api/v1/units").status_code == 401
