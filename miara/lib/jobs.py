"""Claiming a queued background job: shared by report jobs and computations."""

from __future__ import annotations

from django.utils import timezone


def job_claim(model, *, worker: str):
    """Take the oldest queued job of `model` for this runner, or None.

    A conditional UPDATE from QUEUED to RUNNING: with several runners, one wins each job.
    """
    for job_id in (
        model.objects.filter(state=model.State.QUEUED)
        .order_by("id")
        .values_list("id", flat=True)[:5]
    ):
        now = timezone.now()
        claimed = model.objects.filter(pk=job_id, state=model.State.QUEUED).update(
            state=model.State.RUNNING,
            worker=worker,
            started_at=now,
            heartbeat_at=now,
            progress_done=0,
            error="",
        )
        if claimed:
            job = model.objects.get(pk=job_id)
            job.attempts += 1
            model.objects.filter(pk=job_id).update(attempts=job.attempts)
            return job
    return None
