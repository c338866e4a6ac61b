"""Report jobs: who may ask for which reports, follow them and download them."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from miara.accounts.models import AuditEntry
from miara.accounts.services import user_add
from miara.reports import runner
from miara.reports.errors import ReportRequestError
from miara.reports.models import ReportJob
from miara.reports.selectors import group_distribution, report_job_for
from miara.reports.services import MAX_ATTEMPTS, report_job_create, report_jobs_recover
from miara.units.models import Unit

pytestmark = pytest.mark.django_db

FORM = {"period": "2024", "group": "all", "language": "pl", "format": "pdf"}


def ask(client, user, code="A1", **changes):
    client.force_login(user)
    return client.post(reverse("reports:unit_report", args=[code]), FORM | changes)


def unmasked(response, job_id: int) -> bytes:
    """The page without its CSRF token, which Django masks anew in every response, and
    without the address the caller asked for (the language form sends it back)."""
    page = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", response.content)
    return page.replace(f"/reports/jobs/{job_id}/".encode(), b"/reports/jobs/ID/")


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_it_shows_the_report_form_of_the_users_unit(client, bob):
    client.force_login(bob)
    response = client.get(reverse("reports:unit_report", args=["A1"]))
    assert response.status_code == 200
    assert b'name="language"' in response.content
    assert b'value="CITIES"' in response.content  # A1 is compared within the cities


def test_the_benchmark_page_links_to_the_report(client, bob):
    client.force_login(bob)
    response = client.get(reverse("analytics:benchmark", args=["A1"]) + "?period=2023")
    assert b"/units/A1/report/?period=2023" in response.content


def test_it_queues_a_job_runs_it_and_offers_the_pdf(client, mike):
    response = ask(client, mike)
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:job", args=[job.pk])
    assert (job.state, job.requested_by, job.language, job.progress_total) == (
        "queued",
        mike,
        "pl",
        1,
    )
    assert [u.code for u in job.units.all()] == ["A1"]
    audit = AuditEntry.objects.filter(action="report.requested").get()
    assert audit.user == mike and audit.details["units"] == ["A1"]

    status = client.get(reverse("reports:job_status", args=[job.pk])).json()
    assert (status["state"], status["percent"], status["download_url"]) == ("queued", 0, None)
    page = client.get(reverse("reports:job", args=[job.pk]))
    assert b"reports/job.js" in page.content and b"<progress" in page.content
    assert b"0 of 1 files ready" in page.content  # what a reload shows without JavaScript

    assert runner.run_pending() == 1
    status = client.get(reverse("reports:job_status", args=[job.pk])).json()
    assert (status["state"], status["done"], status["total"], status["percent"]) == (
        "done",
        1,
        1,
        100,
    )
    download = client.get(status["download_url"])
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert body(download).startswith(b"%PDF")
    page = client.get(reverse("reports:job", args=[job.pk]))
    assert b"1 of 1 files ready" in page.content and b"reports/job.js" not in page.content


def test_a_pdf_and_workbook_of_one_unit_come_as_a_zip(client, mike):
    ask(client, mike, format="both")
    runner.run_pending()
    job = ReportJob.objects.get()
    download = client.get(reverse("reports:download", args=[job.pk]))
    names = zipfile.ZipFile(io.BytesIO(body(download))).namelist()
    assert sorted(n.rsplit(".", 1)[1] for n in names) == ["pdf", "xlsx"]


def test_a_unit_user_may_not_ask_for_another_units_report(client, bob):
    client.force_login(bob)
    # Another unit's page answers as a missing one would: 404, not 403.
    assert client.get(reverse("reports:unit_report", args=["B2"])).status_code == 404
    assert ask(client, bob, "B2").status_code == 404
    assert not ReportJob.objects.exists()
    with pytest.raises(PermissionDenied):
        report_job_create(
            user=bob,
            kind="unit",
            unit=Unit.objects.get(code="B2"),
            period="2024",
            group="all",
            language="en",
            fmt="pdf",
        )


def test_a_unit_user_may_not_start_the_whole_programme(client, bob):
    client.force_login(bob)
    page = client.get(reverse("reports:programme"))
    assert page.status_code == 200 and b'name="period"' not in page.content
    assert client.post(reverse("reports:programme"), FORM).status_code == 403
    assert not ReportJob.objects.exists()


def test_another_users_report_cannot_be_followed_or_downloaded(client, bob, carol, mike):
    ask(client, bob)
    runner.run_pending()
    job = ReportJob.objects.get()
    missing = job.pk + 1000
    for intruder in (carol, mike):  # mike manages the same unit, but did not ask
        client.force_login(intruder)
        for name in ("job", "job_status", "download"):
            foreign = client.get(reverse(f"reports:{name}", args=[job.pk]))
            absent = client.get(reverse(f"reports:{name}", args=[missing]))
            # A stranger cannot tell an existing job from a missing one (ids are counted).
            assert (foreign.status_code, unmasked(foreign, job.pk)) == (
                absent.status_code,
                unmasked(absent, missing),
            )
            assert foreign.status_code == 404
        listed = client.get(reverse("reports:programme"))
        assert f'data-job="{job.pk}"'.encode() not in listed.content
    client.force_login(bob)
    assert client.get(reverse("reports:download", args=[job.pk])).status_code == 200
    listed = client.get(reverse("reports:programme"))
    assert f'data-job="{job.pk}"'.encode() in listed.content


def test_coordinators_and_experts_see_every_job(client, bob, alice, erin):
    ask(client, bob)
    runner.run_pending()
    job = ReportJob.objects.get()
    for reader in (alice, erin):
        client.force_login(reader)
        assert client.get(reverse("reports:download", args=[job.pk])).status_code == 200


def test_losing_a_unit_takes_its_reports_away(client, bob):
    ask(client, bob)
    runner.run_pending()
    job = ReportJob.objects.get()
    user_add(username="bob", role="editor", unit_codes=["C3"])
    client.force_login(bob)
    assert client.get(reverse("reports:download", args=[job.pk])).status_code == 404
    with pytest.raises(Http404):
        report_job_for(user=bob, job_id=job.pk)


def test_a_missing_job_is_404(client, bob):
    client.force_login(bob)
    assert client.get(reverse("reports:job", args=[999])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, bob):
    for url in (reverse("reports:unit_report", args=["A1"]), reverse("reports:programme")):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_unit_user_cannot_read_a_group_their_unit_is_not_in(programme):
    dave, _ = user_add(username="dave", role="editor", unit_codes=["C3"], password="Correct-42-h")
    with pytest.raises(PermissionDenied):
        group_distribution(
            user=dave, unit=Unit.objects.get(code="C3"), period="2024", group="CITIES"
        )
    with pytest.raises(ReportRequestError):
        report_job_create(
            user=dave,
            kind="unit",
            unit=Unit.objects.get(code="C3"),
            period="2024",
            group="CITIES",
            language="en",
            fmt="pdf",
        )


def test_it_rejects_an_unknown_period_or_language_in_words(client, mike):
    response = ask(client, mike, period="2031")
    assert response.status_code == 400
    response = ask(client, mike, language="de")
    assert response.status_code == 400
    assert not ReportJob.objects.exists()


def test_the_whole_programme_makes_one_zip_of_every_unit(client, alice):
    client.force_login(alice)
    response = client.post(reverse("reports:programme"), FORM | {"format": "xlsx"})
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert (job.kind, job.progress_total) == ("programme", 4)
    runner.run_pending()
    job.refresh_from_db()
    assert job.state == "done", job.error
    names = zipfile.ZipFile(
        io.BytesIO(body(client.get(reverse("reports:download", args=[job.pk]))))
    ).namelist()
    assert sorted(name.split("-")[1] for name in names) == ["A1", "B2", "C3", "D4"]


def test_a_job_left_running_by_a_stopped_server_is_queued_again_then_failed(mike, client):
    ask(client, mike)
    job = ReportJob.objects.get()
    long_ago = timezone.now() - timedelta(hours=1)
    ReportJob.objects.filter(pk=job.pk).update(state="running", heartbeat_at=long_ago, attempts=1)
    assert report_jobs_recover() == 1
    job.refresh_from_db()
    assert job.state == "queued"
    ReportJob.objects.filter(pk=job.pk).update(
        state="running", heartbeat_at=long_ago, attempts=MAX_ATTEMPTS
    )
    assert report_jobs_recover() == 1
    job.refresh_from_db()
    assert job.state == "failed" and job.error and job.finished_at


def test_a_job_that_reports_progress_is_left_alone(mike, client):
    ask(client, mike)
    ReportJob.objects.update(state="running", heartbeat_at=timezone.now(), attempts=1)
    assert report_jobs_recover() == 0
    assert ReportJob.objects.get().state == "running"


def test_old_report_files_are_removed_and_the_job_says_so(client, mike, settings):
    import os

    from miara.reports.models import reports_dir
    from miara.reports.services import report_files_expire

    settings.REPORTS_KEEP_DAYS = 30
    ask(client, mike)
    ask(client, mike, language="en")
    runner.run_pending()
    old, recent = ReportJob.objects.order_by("pk")
    assert old.output_path() is not None and recent.output_path() is not None
    ReportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=31))
    orphan = reports_dir() / "999999"
    orphan.mkdir()
    (orphan / "left.pdf").write_bytes(b"%PDF")
    forty_days_ago = (timezone.now() - timedelta(days=40)).timestamp()
    os.utime(orphan, (forty_days_ago, forty_days_ago))

    assert report_files_expire() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.files_removed_at is not None and not old.directory().exists()
    assert not orphan.exists()
    assert recent.output_path() is not None and recent.files_removed_at is None
    audit = AuditEntry.objects.get(action="report.files_removed")
    assert audit.details == {"jobs": [old.pk], "keep_days": 30}

    status = client.get(reverse("reports:job_status", args=[old.pk])).json()
    assert status["download_url"] is None
    page = client.get(reverse("reports:job", args=[old.pk])).content.decode()
    assert "reports are kept for 30 days" in page
    gone = client.get(reverse("reports:download", args=[old.pk]))
    assert gone.status_code == 404
    assert "removed after 30 days" in gone.content.decode()
    assert report_files_expire() == 0  # nothing twice


def test_a_group_without_results_in_the_chosen_period_is_explained(client, mike):
    from miara.analytics.models import GroupStatistic, ResultSet, UnitResult

    # CITIES has results in 2024 but, here, none in 2023.
    earlier = ResultSet.objects.get(period="2023", is_current=True)
    GroupStatistic.objects.filter(result_set=earlier, group="CITIES").delete()
    UnitResult.objects.filter(result_set=earlier, group="CITIES").delete()
    response = ask(client, mike, period="2023", group="CITIES")
    assert response.status_code == 400
    page = response.content.decode()
    assert "The group “CITIES” has no results for the chosen period" in page
    assert not ReportJob.objects.exists()
    assert ask(client, mike, period="2024", group="CITIES").status_code == 302


def test_a_downloaded_pdf_is_sent_as_it_is_not_compressed_again(client, mike):
    ask(client, mike)
    runner.run_pending()
    job = ReportJob.objects.get()
    download = client.get(reverse("reports:download", args=[job.pk]), HTTP_ACCEPT_ENCODING="gzip")
    assert not download.has_header("Content-Encoding")
    assert body(download).startswith(b"%PDF")


def _dead_runner_id() -> str:
    """The id of a report runner of this machine whose process has ended."""
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from miara.reports import runner;"
        "print(runner.worker_id() if hasattr(runner, 'worker_id') else runner.WORKER)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.strip().splitlines()[-1]


def test_a_job_whose_runner_process_is_gone_is_queued_again_at_once(client, mike):
    # A restart: the job's heartbeat is seconds old, but its runner's process has ended.
    ask(client, mike)
    job = ReportJob.objects.get()
    ReportJob.objects.filter(pk=job.pk).update(
        state="running", worker=_dead_runner_id(), heartbeat_at=timezone.now(), attempts=1
    )
    assert report_jobs_recover() == 1
    job.refresh_from_db()
    assert (job.state, job.worker) == ("queued", "")
    page = client.get(reverse("reports:job", args=[job.pk]))
    assert b"The server was restarted while this report was being prepared" in page.content
    status = client.get(reverse("reports:job_status", args=[job.pk])).json()
    assert status["state"] == "queued" and status["restarted"] is True


def test_a_job_of_a_living_runner_is_left_alone(client, mike):
    ask(client, mike)
    worker = runner.worker_id()
    ReportJob.objects.update(
        state="running", worker=worker, heartbeat_at=timezone.now(), attempts=1
    )
    assert report_jobs_recover() == 0
    assert ReportJob.objects.get().state == "running"
