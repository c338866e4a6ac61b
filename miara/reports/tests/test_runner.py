"""The runner thread of the server process works off queued jobs by itself."""

from __future__ import annotations

import time

import pytest

from miara.reports import runner
from miara.reports.models import ReportJob
from miara.reports.services import report_job_create
from miara.units.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_queued_job_is_built_in_the_background(settings, mike):
    settings.REPORTS_IN_BACKGROUND = True
    try:
        job = report_job_create(
            user=mike,
            kind="unit",
            unit=Unit.objects.get(code="A1"),
            period="2024",
            group="all",
            language="cs",
            fmt="xlsx",
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.is_finished:
                break
            time.sleep(0.2)
        assert job.state == ReportJob.State.DONE, job.error
        assert job.output_path().read_bytes().startswith(b"PK")  # a zip container: xlsx
        assert job.worker == runner.worker_id() and job.heartbeat_at and job.finished_at
    finally:
        runner.stop()
