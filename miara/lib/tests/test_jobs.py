"""A queued job wakes the runner once its transaction commits, without the app that
queued it importing the runner (lib.jobs.job_queued)."""

from __future__ import annotations

import pytest

from miara.lib.jobs import job_queued_announce, worker_id, worker_is_gone

pytestmark = pytest.mark.django_db


def test_a_queued_job_wakes_the_runner_when_the_transaction_commits(
    monkeypatch, django_capture_on_commit_callbacks
):
    from miara.reports import runner

    woken = []
    monkeypatch.setattr(runner, "wake", lambda: woken.append(1))
    with django_capture_on_commit_callbacks(execute=True):
        job_queued_announce()
        assert woken == []  # not before the job is visible to the runner
    assert woken == [1]


def test_this_process_runner_is_alive_and_a_made_up_one_elsewhere_is_not_declared_gone():
    assert not worker_is_gone(worker_id())
    assert not worker_is_gone("another-host:boot:1:abcdef")
