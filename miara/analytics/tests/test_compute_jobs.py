"""Computing from the web: a coordinator's request queues a job; the background runner
runs it step by step; the cycle board shows the results' state and what changed."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from miara.accounts.models import AuditEntry
from miara.analytics.jobs import (
    compute_job_claim,
    compute_job_run,
    compute_jobs_recover,
)
from miara.analytics.models import ComputeJob, ResultSet
from miara.analytics.services import ComputeRequestError, result_set_compute_request
from miara.collection.models import Submission, SubmissionState
from miara.reports import runner
from miara.testing.cycles import FOUR_UNITS, cycle_2024

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-horse-42"


@pytest.fixture(autouse=True)
def no_background_runner(settings):
    # Tests run the job function themselves, deterministically.
    settings.REPORTS_IN_BACKGROUND = False


@pytest.fixture
def cycle(alice):
    cycle = cycle_2024(alice, ["WASTE_T", "RECYCLED_T", "POPULATION"], FOUR_UNITS)
    Submission.objects.filter(cycle=cycle, unit__code__in=["A1", "B2"]).update(
        state=SubmissionState.ACCEPTED
    )
    Submission.objects.filter(cycle=cycle, unit__code="C3").update(state=SubmissionState.SUBMITTED)
    return cycle


def test_a_coordinators_request_is_queued_and_audited_not_computed(alice, cycle):
    before = ResultSet.objects.count()
    job = result_set_compute_request(acting_user=alice, period="2024", kind="final")
    assert job.state == ComputeJob.State.QUEUED
    assert ResultSet.objects.count() == before  # nothing computed in the request
    entry = AuditEntry.objects.get(action="results.compute_requested")
    assert entry.user == alice
    assert entry.details == {"job": job.pk, "period": "2024", "kind": "final"}


@pytest.mark.parametrize("who", ["erin", "bob", "mike"])
def test_only_coordinators_may_compute(request, cycle, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        result_set_compute_request(acting_user=user, period="2024", kind="final")
    assert not ComputeJob.objects.exists()


def test_bad_requests_get_a_clear_error(alice):
    with pytest.raises(ComputeRequestError, match="provisional or final"):
        result_set_compute_request(acting_user=alice, period="2024", kind="published")
    with pytest.raises(ComputeRequestError, match="not a period"):
        result_set_compute_request(acting_user=alice, period="24", kind="final")


def test_asking_twice_while_it_waits_returns_the_same_job(alice, cycle):
    first = result_set_compute_request(acting_user=alice, period="2024", kind="final")
    again = result_set_compute_request(acting_user=alice, period="2024", kind="final")
    assert again.pk == first.pk
    with pytest.raises(ComputeRequestError, match="already under way"):
        result_set_compute_request(acting_user=alice, period="2024", kind="provisional")


def test_the_job_runs_step_by_step_and_records_its_result_set(alice, cycle, monkeypatch):
    job = result_set_compute_request(acting_user=alice, period="2024", kind="final")
    seen = []
    from miara.analytics import services

    original = services.compute

    def spying_compute(**kwargs):
        step = kwargs["step"]

        def recording(name):
            step(name)
            row = ComputeJob.objects.get(pk=job.pk)
            seen.append((row.state, row.step, row.percent))

        return original(**{**kwargs, "step": recording})

    monkeypatch.setattr("miara.analytics.jobs.compute", spying_compute)
    claimed = compute_job_claim(worker="test")
    assert claimed.pk == job.pk and claimed.attempts == 1
    compute_job_run(job.pk)
    assert seen == [
        ("running", "reading", 0),
        ("running", "formulas", 25),
        ("running", "statistics", 50),
        ("running", "storing", 75),
    ]
    job.refresh_from_db()
    assert (job.state, job.step, job.percent) == ("done", "done", 100)
    result_set = job.result_set
    assert result_set.status == "final" and result_set.is_current
    assert sorted(s["unit"] for s in result_set.submissions) == ["A1", "B2"]


def test_the_runner_claims_compute_jobs(alice, cycle):
    job = result_set_compute_request(acting_user=alice, period="2024", kind="provisional")
    assert runner.run_pending() == 1
    job.refresh_from_db()
    assert job.state == "done"
    assert job.result_set.status == "provisional"


def test_a_job_without_data_fails_with_the_reason(alice, cycle):
    Submission.objects.filter(cycle=cycle).update(state=SubmissionState.DRAFT)
    job = result_set_compute_request(acting_user=alice, period="2024", kind="final")
    compute_job_claim(worker="test")
    compute_job_run(job.pk)
    job.refresh_from_db()
    assert job.state == "failed"
    assert "2024 has no accepted submission" in job.error


def test_a_requester_who_lost_the_role_gets_nothing_computed(alice, cycle):
    job = result_set_compute_request(acting_user=alice, period="2024", kind="final")
    alice.role = "expert"
    alice.save()
    compute_job_claim(worker="test")
    compute_job_run(job.pk)
    job.refresh_from_db()
    assert job.state == "failed"
    assert not ResultSet.objects.filter(status="final").exists()


def test_a_silent_running_job_is_queued_again(alice, cycle):
    job = result_set_compute_request(acting_user=alice, period="2024", kind="final")
    compute_job_claim(worker="gone")
    ComputeJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    assert compute_jobs_recover() == 1
    job.refresh_from_db()
    assert job.state == "queued"


# --- the cycle board -------------------------------------------------------------------


def board(client, user, cycle):
    client.login(username=user.username, password=PASSWORD)
    return client.get(reverse("collection:coord_board", args=[cycle.pk]))


def test_the_board_shows_the_state_basis_and_changes(client, alice, cycle):
    job = result_set_compute_request(acting_user=alice, period="2024", kind="final")
    compute_job_claim(worker="test")
    compute_job_run(job.pk)
    html = board(client, alice, cycle).content.decode()
    assert 'class="result-state result-state--final"' in html
    assert "2 submissions" in html
    # Compared with the fixture's provisional set of all four units: C3 and D4 left.
    assert "2 units removed: C3, D4" in html
    assert "alice" in html
    assert "Compute final results" in html
    assert 'data-field="state_label">done<' in html


def test_the_board_lists_the_largest_changes(client, alice, cycle):
    import polars as pl

    from miara.collection.services import values_save

    job = result_set_compute_request(acting_user=alice, period="2024", kind="final")
    compute_job_claim(worker="test")
    compute_job_run(job.pk)
    rows = pl.DataFrame(
        {
            "unit": ["A1"],
            "variable": ["WASTE_T"],
            "period": ["2024"],
            "value": ["2020"],
            "comment": [None],
            "__line": [1],
        },
        schema_overrides={"comment": pl.String},
    )
    # A correction after reopening A1 (the workflow itself has its own tests).
    a1 = Submission.objects.filter(cycle=cycle, unit__code="A1")
    a1.update(state=SubmissionState.REOPENED)
    values_save(acting_user=alice, rows=rows, channel="import", source="test")
    a1.update(state=SubmissionState.ACCEPTED)
    job = result_set_compute_request(acting_user=alice, period="2024", kind="final")
    compute_job_claim(worker="test")
    compute_job_run(job.pk)
    response = board(client, alice, cycle)
    html = response.content.decode()
    assert "result-state--revised" in html
    changes = response.context["result_changes"]
    assert changes["values_changed"] == 2  # A1's recycling rate and waste per inhabitant
    assert {c["indicator"] for c in response.context["result_largest"]} == {
        "RECYCLING_RATE",
        "WASTE_PC",
    }
    assert "Largest changes" in html


def test_the_board_posts_a_request_and_the_status_endpoint_follows_it(client, alice, cycle):
    client.login(username="alice", password=PASSWORD)
    response = client.post(
        reverse("collection:coord_compute", args=[cycle.pk]), {"kind": "provisional"}
    )
    assert response.status_code == 302
    job = ComputeJob.objects.get()
    assert job.requested_by == alice and job.kind == "provisional"
    status = client.get(reverse("collection:coord_compute_status", args=[cycle.pk, job.pk]))
    assert status.json()["state"] == "queued"
    html = board(client, alice, cycle).content.decode()
    assert "collection/compute.js" in html  # the page follows the queued job


def test_experts_see_the_results_but_may_not_compute(client, erin, cycle):
    html = board(client, erin, cycle).content.decode()
    assert "Results of 2024" in html
    assert "Compute final results" not in html
    response = client.post(reverse("collection:coord_compute", args=[cycle.pk]), {"kind": "final"})
    assert response.status_code == 403
    assert not ComputeJob.objects.exists()


def test_a_bad_kind_from_the_form_is_a_message_not_an_error(client, alice, cycle):
    client.login(username="alice", password=PASSWORD)
    response = client.post(
        reverse("collection:coord_compute", args=[cycle.pk]), {"kind": "x"}, follow=True
    )
    assert response.status_code == 200
    assert "Choose provisional or final results." in response.content.decode()
    assert not ComputeJob.objects.exists()


def test_a_failed_jobs_reason_is_in_the_requesters_language(alice, cycle):
    from django.utils import translation

    Submission.objects.filter(cycle=cycle).update(state=SubmissionState.DRAFT)
    with translation.override("pl"):
        job = result_set_compute_request(acting_user=alice, period="2024", kind="final")
    compute_job_claim(worker="test")
    compute_job_run(job.pk)  # the runner thread has no request language
    job.refresh_from_db()
    assert job.error == "okres 2024 nie ma jeszcze przyjętego zgłoszenia z wartościami"
