"""/api/v1/audits, /findings and /risks: reads scoped to the caller (an auditor sees the
audit they are on), the same 404 for hidden and missing records, 422 naming the field,
409 for stale versions."""

from __future__ import annotations

import json

import pytest

from miara.api.tests.conftest import client_for
from miara.assurance.models import Risk

pytestmark = pytest.mark.django_db


def send(client, method, url, data):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


AUDIT = {
    "unit": "A1",
    "year": 2025,
    "title": "Permits audit",
    "start_date": "2025-03-01",
    "end_date": "2025-03-31",
    "lead": "bob",
    "templates": ["QUALITY"],
}


def test_an_audit_is_planned_answered_its_finding_closed(mike, bob, carol):
    as_mike, as_bob = client_for(mike), client_for(bob)
    created = send(as_mike, "post", "/api/v1/audits", AUDIT)
    assert created.status_code == 200, created.content
    audit = created.json()
    assert audit["lead"] == "bob" and len(audit["checklist"]) == 13
    assert {r["item"] for r in audit["checklist"]} >= {"4.3", "9.2", "10.3"}
    assert all(r["answer"] is None for r in audit["checklist"])
    answered = send(
        as_bob, "put", f"/api/v1/audits/{audit['id']}/checklist/9.2", {"answer": "partly"}
    )
    assert answered.status_code == 200, answered.content
    assert {r["item"]: r["answer"] for r in answered.json()["checklist"]}["9.2"] == "partly"
    finding = send(
        as_bob,
        "post",
        f"/api/v1/audits/{audit['id']}/findings",
        {"title": "Audits not planned", "severity": "minor", "item": "9.2"},
    )
    assert finding.status_code == 200, finding.content
    fid = finding.json()["id"]
    stale = send(
        as_bob, "post", f"/api/v1/findings/{fid}/state", {"state": "rejected", "version": 7}
    )
    assert stale.status_code == 409 and stale.json()["stored_version"] == 1
    # Without an action planned it cannot move on; the 422 names the field.
    refused = send(
        as_bob, "post", f"/api/v1/findings/{fid}/state", {"state": "action_planned", "version": 1}
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "corrective_action"
    listed = as_mike.get("/api/v1/findings?unit=A1&severity=minor").json()["items"]
    assert [f["id"] for f in listed] == [fid]
    assert as_mike.get("/api/v1/findings?unit=A1&severity=major").json()["items"] == []
    # carol (of B2) sees nothing, and a hidden record looks like a missing one.
    as_carol = client_for(carol)
    for url in (f"/api/v1/audits/{audit['id']}", f"/api/v1/findings/{fid}"):
        hidden, missing = as_carol.get(url), as_carol.get(url + "0000")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()
    assert as_carol.get("/api/v1/audits").json()["items"] == []
    assert as_carol.get("/api/v1/audits?unit=A1").status_code == 404


def test_closing_an_audit_with_open_items_is_a_422(mike, bob):
    as_mike = client_for(mike)
    audit = send(as_mike, "post", "/api/v1/audits", AUDIT).json()
    for state, version in (("in_progress", 1), ("reporting", 2)):
        assert (
            send(
                as_mike,
                "post",
                f"/api/v1/audits/{audit['id']}/state",
                {"state": state, "version": version},
            ).status_code
            == 200
        )
    closed = send(
        as_mike, "post", f"/api/v1/audits/{audit['id']}/state", {"state": "closed", "version": 3}
    )
    assert closed.status_code == 422
    assert "13 checklist items have no answer yet" in closed.json()["detail"][0]["message"]


def test_risks_are_kept_with_scores_in_scale_and_a_history(mike, bob):
    as_mike = client_for(mike)
    body = {"unit": "A1", "title": "Flood", "likelihood": 2, "impact": 5}
    outside = send(as_mike, "post", "/api/v1/risks", {**body, "impact": 6})
    assert outside.status_code == 422
    assert outside.json()["detail"][0]["field"] == "impact"
    assert not Risk.objects.exists()
    risk = send(as_mike, "post", "/api/v1/risks", body).json()
    assert risk["score"] == 10 and len(risk["history"]) == 1
    changed = send(
        as_mike, "put", f"/api/v1/risks/{risk['id']}", {**body, "likelihood": 1, "version": 1}
    )
    assert changed.status_code == 200 and changed.json()["score"] == 5
    assert [h["score"] for h in changed.json()["history"]] == [5, 10]
    stale = send(as_mike, "put", f"/api/v1/risks/{risk['id']}", {**body, "version": 1})
    assert stale.status_code == 409
    # An editor reads the register but may not change it.
    as_bob = client_for(bob)
    assert as_bob.get(f"/api/v1/risks/{risk['id']}").status_code == 200
    assert send(as_bob, "post", "/api/v1/risks", body).status_code == 403
