"""GET /submissions/{id} and the workflow actions submit, return, accept and reopen."""

import json

import pytest

from miara.accounts.models import AuditEntry
from miara.api.tests.conftest import submission_of
from miara.catalogue.models import ValidationRule
from miara.collection.models import ReviewNote, SubmissionEvent

pytestmark = pytest.mark.django_db

ACTIONS = ("submit", "return", "accept", "reopen")
BODIES = {"return": {"comment": "Please check"}, "reopen": {"reason": "Audit found an error"}}


def act(client, submission, action, body=None):
    body = BODIES.get(action) if body is None else body
    return client.post(
        f"/api/v1/submissions/{submission.pk}/{action}",
        json.dumps(body) if body is not None else None,
        content_type="application/json",
    )


def state(submission):
    submission.refresh_from_db()
    return submission.state


@pytest.fixture
def a1(cycle):
    return submission_of(cycle, "A1")


@pytest.fixture
def b2(cycle):
    return submission_of(cycle, "B2")


@pytest.fixture
def submitted(a1, mike):
    from miara.collection.cycles import submission_submit

    submission_submit(submission=a1, acting_user=mike)
    return a1


@pytest.fixture
def accepted(submitted, alice):
    from miara.collection.cycles import submission_accept

    submission_accept(submission=submitted, acting_user=alice)
    return submitted


# --- who may read and act ------------------------------------------------------------------


def test_it_answers_401_to_anonymous(anonymous, a1):
    assert anonymous.get(f"/api/v1/submissions/{a1.pk}").status_code == 401
    for action in ACTIONS:
        assert act(anonymous, a1, action).status_code == 401
    assert state(a1) == "draft"


def test_it_answers_404_for_another_units_submission(as_bob, as_mike, b2):
    # Not 403: the id of a submission one may not see must not confirm that it exists.
    response = as_bob.get(f"/api/v1/submissions/{b2.pk}")
    assert response.status_code == 404
    assert "detail" in response.json()
    for client in (as_bob, as_mike):
        for action in ACTIONS:
            assert act(client, b2, action).status_code == 404
    assert state(b2) == "draft"


def test_it_answers_404_for_a_submission_that_does_not_exist(as_alice):
    assert as_alice.get("/api/v1/submissions/999").status_code == 404
    assert as_alice.post("/api/v1/submissions/999/accept").status_code == 404


def test_an_editor_reads_but_cannot_submit_their_units_submission(as_bob, a1):
    assert as_bob.get(f"/api/v1/submissions/{a1.pk}").status_code == 200
    response = act(as_bob, a1, "submit")
    assert response.status_code == 403
    assert "detail" in response.json()
    assert state(a1) == "draft"


def test_experts_read_but_cannot_act(as_erin, a1, submitted, b2):
    assert as_erin.get(f"/api/v1/submissions/{b2.pk}").status_code == 200
    assert act(as_erin, b2, "submit").status_code == 403
    for action in ("return", "accept", "reopen"):
        assert act(as_erin, submitted, action).status_code == 403
    assert state(submitted) == "submitted"


def test_a_manager_cannot_accept_return_or_reopen(as_mike, submitted):
    for action in ("return", "accept", "reopen"):
        assert act(as_mike, submitted, action).status_code == 403
    assert state(submitted) == "submitted"


# --- the workflow --------------------------------------------------------------------------


def test_the_manager_submits(as_mike, mike, a1):
    response = act(as_mike, a1, "submit")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": a1.pk,
        "unit": "A1",
        "period": "2024",
        "state": "submitted",
        "version": 2,
    }
    event = SubmissionEvent.objects.get(submission=a1)
    assert (event.from_state, event.to_state, event.user) == ("draft", "submitted", mike)
    assert AuditEntry.objects.get(action="submission.submit").channel == "api"


def test_the_coordinator_accepts(as_alice, submitted):
    response = act(as_alice, submitted, "accept")
    assert response.status_code == 200
    assert response.json()["state"] == "accepted"
    assert state(submitted) == "accepted"


def test_the_coordinator_returns_with_a_comment_and_notes(as_alice, as_bob, submitted):
    response = act(
        as_alice,
        submitted,
        "return",
        {"comment": "Please check waste", "notes": {"WASTE_T": "Twice the county average?"}},
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "returned"
    body = as_bob.get(f"/api/v1/submissions/{submitted.pk}").json()
    assert [(n["variable"], n["text"], n["user"]) for n in body["notes"]] == [
        ("WASTE_T", "Twice the county average?", "alice")
    ]
    assert body["events"][-1]["comment"] == "Please check waste"


def test_the_coordinator_reopens_with_a_reason(as_alice, accepted):
    response = act(as_alice, accepted, "reopen", {"reason": "Audit found an error"})
    assert response.status_code == 200
    assert response.json()["state"] == "reopened"
    event = SubmissionEvent.objects.filter(submission=accepted).last()
    assert (event.to_state, event.comment) == ("reopened", "Audit found an error")


def test_the_detail_shows_state_events_notes_and_findings(as_bob, as_alice, as_mike, a1):
    as_bob.post(
        "/api/v1/values",
        json.dumps({"values": [{"unit": "A1", "variable": "WASTE_T", "period": "2024",
                                "value": 5000, "comment": "New landfill contract"}]}),
        content_type="application/json",
    )  # fmt: skip
    act(as_mike, a1, "submit")
    act(as_alice, a1, "return", {"comment": "", "notes": {"POPULATION": "Census?"}})
    body = as_bob.get(f"/api/v1/submissions/{a1.pk}").json()
    assert {k: body[k] for k in ("unit", "unit_name", "period", "state", "version", "locked")} == {
        "unit": "A1",
        "unit_name": "Alpha",
        "period": "2024",
        "state": "returned",
        "version": 3,
        "locked": False,
    }
    assert [(e["from_state"], e["to_state"], e["user"]) for e in body["events"]] == [
        ("draft", "submitted", "mike"),
        ("submitted", "returned", "alice"),
    ]
    assert [n["variable"] for n in body["notes"]] == ["POPULATION"]
    assert body["findings"] == [
        {
            "variable": "WASTE_T",
            "check": "change",
            "severity": "warning",
            "detail": body["findings"][0]["detail"],
            "value": 5000.0,
            "justified": True,
            "blocking": False,
        }
    ]


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "action"),
    [("a1", "accept"), ("a1", "return"), ("a1", "reopen"), ("submitted", "submit"),
     ("submitted", "reopen"), ("accepted", "accept"), ("accepted", "submit")],
)  # fmt: skip
def test_it_answers_409_in_the_wrong_state(request, as_alice, fixture, action):
    submission = request.getfixturevalue(fixture)
    before = state(submission)
    response = act(as_alice, submission, action)
    assert response.status_code == 409, response.content
    assert "cannot be" in response.json()["detail"]
    assert state(submission) == before
    assert not ReviewNote.objects.exists()


def test_it_answers_409_when_the_cycle_is_closed(as_mike, cycle, a1):
    cycle.is_open = False
    cycle.save()
    response = act(as_mike, a1, "submit")
    assert response.status_code == 409
    assert "closed" in response.json()["detail"]


def test_it_answers_422_with_the_findings_that_block_submitting(as_bob, as_mike, a1):
    ValidationRule.objects.create(
        code="RECYCLED_LE_WASTE",
        name={"en": "Recycled ≤ collected"},
        expression="RECYCLED_T <= WASTE_T",
        severity="error",
    )
    as_bob.post(
        "/api/v1/values",
        json.dumps({"values": [{"unit": "A1", "variable": "RECYCLED_T", "period": "2024",
                                "value": 5000}]}),
        content_type="application/json",
    )  # fmt: skip
    response = act(as_mike, a1, "submit")
    assert response.status_code == 422
    body = response.json()
    assert "must be fixed or justified" in body["detail"]
    assert [
        (f["variable"], f["check"], f["severity"], f["justified"], f["blocking"])
        for f in body["findings"]
    ] == [
        ("RECYCLED_LE_WASTE", "rule", "error", False, True),
        ("RECYCLED_T", "change", "warning", False, True),
    ]
    assert all(f["detail"] for f in body["findings"])
    assert state(a1) == "draft"


def test_returning_needs_a_comment_or_a_note(as_alice, submitted):
    for body in ({}, {"comment": " "}, {"comment": "", "notes": {"WASTE_T": " "}}):
        response = act(as_alice, submitted, "return", body)
        assert response.status_code == 422, body
        assert response.json()["detail"][0]["field"] == "notes"
    assert state(submitted) == "submitted"


def test_a_note_must_name_a_questionnaire_variable(as_alice, submitted):
    response = act(
        as_alice, submitted, "return", {"comment": "x", "notes": {"PERMITS_ISSUED": "?"}}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "index": None,
            "field": "notes.PERMITS_ISSUED",
            "message": "PERMITS_ISSUED is not in this cycle's questionnaire",
        }
    ]
    assert state(submitted) == "submitted"


def test_reopening_needs_a_reason(as_alice, accepted):
    for body in ({}, {"reason": "  "}):
        response = act(as_alice, accepted, "reopen", body)
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "reason"
    assert state(accepted) == "accepted"
