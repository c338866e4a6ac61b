"""POST /result-sets (a computation in the background), GET /jobs/{id}, GET /result-sets."""

import json

import pytest

from miara.analytics.jobs import compute_job_claim, compute_job_run
from miara.analytics.models import ComputeJob, ResultSet
from miara.collection.models import Submission, SubmissionState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_background_runner(settings):
    settings.REPORTS_IN_BACKGROUND = False


def post(client, **body):
    return client.post("/api/v1/result-sets", json.dumps(body), content_type="application/json")


@pytest.fixture
def accepted_a1(cycle):
    Submission.objects.filter(cycle=cycle, unit__code="A1").update(state=SubmissionState.ACCEPTED)
    return cycle


def test_a_coordinator_queues_a_computation_and_follows_it(as_alice, accepted_a1):
    before = ResultSet.objects.count()
    response = post(as_alice, period="2024", kind="final")
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["state"] == "queued" and job["kind"] == "final" and job["result_set"] is None
    assert response["Location"] == f"/api/v1/jobs/{job['id']}"
    assert ResultSet.objects.count() == before  # not computed in the request

    compute_job_claim(worker="test")
    compute_job_run(job["id"])
    followed = as_alice.get(response["Location"]).json()
    assert followed["state"] == "done" and followed["percent"] == 100
    result_set = ResultSet.objects.get(pk=followed["result_set"])
    assert result_set.status == "final"

    listed = as_alice.get("/api/v1/result-sets?period=2024").json()
    assert listed[0]["id"] == result_set.pk
    current = listed[0]
    assert current["is_current"] and current["status"] == "final"
    assert [(s["unit"], s["state"]) for s in current["submissions"]] == [("A1", "accepted")]
    assert current["submission_counts"] == {"accepted": 1, "draft": 1}
    assert current["changes"]["units_removed"] == ["B2", "C3", "D4"]


@pytest.mark.parametrize("client", ["as_erin", "as_bob", "as_mike"])
def test_only_coordinators_may_compute(request, accepted_a1, client):
    response = post(request.getfixturevalue(client), period="2024", kind="final")
    assert response.status_code == 403
    assert not ComputeJob.objects.exists()


def test_anonymous_callers_get_401(anonymous):
    assert post(anonymous, period="2024", kind="final").status_code == 401
    assert anonymous.get("/api/v1/result-sets?period=2024").status_code == 401
    assert anonymous.get("/api/v1/jobs/1").status_code == 401


def test_a_job_is_404_to_participants_as_if_it_did_not_exist(as_alice, as_bob, accepted_a1):
    job = post(as_alice, period="2024", kind="final").json()
    assert as_bob.get(f"/api/v1/jobs/{job['id']}").status_code == 404
    assert as_bob.get("/api/v1/jobs/999999").status_code == 404
    assert as_bob.get("/api/v1/result-sets?period=2024").status_code == 403


def test_experts_read_result_sets_and_jobs(as_alice, as_erin, accepted_a1):
    job = post(as_alice, period="2024", kind="provisional").json()
    assert as_erin.get(f"/api/v1/jobs/{job['id']}").json()["state"] == "queued"
    sets = as_erin.get("/api/v1/result-sets?period=2024").json()
    assert sets[0]["status"] == "provisional"


@pytest.mark.parametrize(
    "body, message",
    [
        ({"period": "2024", "kind": "published"}, "kind"),
        ({"period": "24", "kind": "final"}, "not a period"),
        ({"kind": "final"}, "period"),
    ],
)
def test_bad_input_is_a_422_that_says_why(as_alice, programme, body, message):
    response = post(as_alice, **body)
    assert response.status_code == 422
    assert message in json.dumps(response.json())
    assert not ComputeJob.objects.exists()


def test_a_bad_period_in_the_listing_is_a_422(as_alice):
    response = as_alice.get("/api/v1/result-sets?period=20x4")
    assert response.status_code == 422


def test_the_results_endpoint_still_answers_as_before(as_alice, accepted_a1):
    response = as_alice.get("/api/v1/results?period=2024&indicator=POP&group=all")
    assert response.status_code == 200
    assert response.json()["count"] == 4
