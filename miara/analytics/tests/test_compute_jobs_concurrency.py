"""Two runners (two server processes) never run the same computation: the claim is a
conditional UPDATE. Real connections on PostgreSQL, one per thread."""

import threading

import pytest
from django.db import connection

from miara.analytics.jobs import compute_job_claim
from miara.analytics.models import ComputeJob
from miara.analytics.services import result_set_compute_request

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_background_runner(settings):
    settings.REPORTS_IN_BACKGROUND = False


def test_two_runners_claim_one_job_once(alice):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's row locks (CI runs it)")
    job = result_set_compute_request(acting_user=alice, period="2024", kind="provisional")
    start = threading.Barrier(4)
    claims: list = []

    def runner(name):
        from django.db import connections

        try:
            start.wait()
            claims.append(compute_job_claim(worker=name))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    won = [c for c in claims if c is not None]
    assert len(claims) == 4
    assert [c.pk for c in won] == [job.pk]
    stored = ComputeJob.objects.get(pk=job.pk)
    assert stored.state == "running" and stored.worker == won[0].worker
    assert stored.attempts == 1
