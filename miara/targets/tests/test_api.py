"""/api/v1/targets: reads scoped to the caller, writes with versions (409), 422 per item,
403 and 404 as the values API answers them."""

from __future__ import annotations

import json

import pytest

from miara.api.tests.conftest import client_for
from miara.targets.models import Target
from miara.targets.services import target_set, target_sharing_set

pytestmark = pytest.mark.django_db


def post(client, *targets):
    return client.post(
        "/api/v1/targets", json.dumps({"targets": list(targets)}), content_type="application/json"
    )


def item(indicator="RECYCLING_RATE", unit="A1", points=(("2024", 31), ("2026", 40)), **extra):
    return {
        "indicator": indicator,
        "unit": unit,
        "points": [{"period": p, "target": t} for p, t in points],
        **extra,
    }


@pytest.fixture
def as_mike(mike):
    return client_for(mike)


def test_a_manager_sets_and_reads_a_target(as_mike):
    response = post(as_mike, item(version=0, owner="mike"))
    assert response.status_code == 200, response.content
    (row,) = response.json()["items"]
    # 31.68 in 2024 meets 31 (higher is better).
    assert row | {"value": None} == {
        "indicator": "RECYCLING_RATE",
        "unit": "A1",
        "points": [{"period": "2024", "target": 31.0}, {"period": "2026", "target": 40.0}],
        "owner": "mike",
        "rule": "",
        "version": 1,
        "period": "2024",
        "target": 31.0,
        "value": None,
        "status": "on_track",
    }
    assert row["value"] == pytest.approx(320 / 1010 * 100)
    listed = as_mike.get("/api/v1/targets?unit=A1").json()["items"]
    assert [r["version"] for r in listed] == [1]


def test_a_stale_version_is_409_and_nothing_is_stored(as_mike):
    assert post(as_mike, item(version=0)).status_code == 200
    assert post(as_mike, item(points=[("2024", 32)], version=1)).status_code == 200
    response = post(as_mike, item(points=[("2024", 33)], version=1))
    assert response.status_code == 409
    body = response.json()
    assert (body["given_version"], body["stored_version"]) == (1, 2)
    assert Target.objects.get().points_list() == [("2024", 32.0)]


def test_bad_items_are_422_each_by_index_and_nothing_is_stored(as_mike):
    response = post(
        as_mike,
        item(),
        item(indicator="POP"),
        item(indicator="WASTE_PC", points=[("2026", 1), ("2024", 2)]),
        item(indicator="PERMIT_COST", owner="nobody"),
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [(d["index"], d["field"]) for d in detail] == [
        (1, "indicator"),
        (2, "period"),
        (3, "owner"),
    ]
    assert "neutral" in detail[0]["message"]
    assert "not after the start period" in detail[1]["message"]
    assert Target.objects.count() == 0
    bad_period = post(as_mike, item(points=[("2024-13", 1)]))
    assert bad_period.status_code == 422


def test_403_and_404_as_the_values_api(programme, mike, bob, carol, alice):
    as_bob, as_carol, as_alice = client_for(bob), client_for(carol), client_for(alice)
    assert post(as_bob, item()).status_code == 403  # an editor does not plan
    assert post(as_alice, item()).status_code == 403  # nor does the coordinator
    hidden, unknown = post(as_carol, item()), post(as_carol, item(unit="ZZ"))
    assert hidden.status_code == unknown.status_code == 404
    assert as_carol.get("/api/v1/targets?unit=A1").status_code == 404
    assert Target.objects.count() == 0
    target_set(acting_user=mike, indicator_code="WASTE_PC", unit_code="A1", points=[("2024", 9)])
    # scoped: carol sees none, bob sees his unit's, alice only once A1 shares
    assert as_carol.get("/api/v1/targets").json()["items"] == []
    assert len(as_bob.get("/api/v1/targets").json()["items"]) == 1
    assert as_alice.get("/api/v1/targets").json()["items"] == []
    assert as_alice.get("/api/v1/targets?unit=A1").status_code == 403
    target_sharing_set(acting_user=mike, unit_code="A1", shared=True)
    assert [r["status"] for r in as_alice.get("/api/v1/targets?unit=A1").json()["items"]] == [
        "on_track"
    ]


def test_anonymous_is_401(programme):
    from django.test import Client

    assert Client().get("/api/v1/targets").status_code == 401
