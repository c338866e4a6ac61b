"""Computations asked for from the web or the API, run by the background runner.

`reports/runner.py` claims these jobs in the same loop as report jobs (one runner, no
broker). `compute_job_run(job_id)` is a plain function of the job id so that it can move
to another job queue unchanged. Progress is the step of `services.STEPS` under way,
written to the job row (with a heartbeat) for the page and the API to poll.
"""

from __future__ import annotations

import logging
import traceback
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from miara.accounts.scope import is_coordinator
from miara.analytics.models import ComputeJob
from miara.analytics.services import STEPS, ComputeError, compute
from miara.engine.errors import PeriodError
from miara.lib.jobs import job_claim

log = logging.getLogger(__name__)

# A computation writes a heartbeat at each step; a national period takes a few minutes
# in its longest step, so a job silent for longer than this lost its runner.
STALE_AFTER = timedelta(minutes=15)
MAX_ATTEMPTS = 3


def compute_job_claim(*, worker: str) -> ComputeJob | None:
    """Take the oldest queued computation for this runner, or None. Safe with several runners."""
    return job_claim(ComputeJob, worker=worker)


def compute_job_run(job_id: int) -> None:
    """Run a claimed computation, reporting each step, and record its result set or error.

    The requester must still be an active coordinator when it runs. Messages are written
    in the language the requester used.
    """
    job = ComputeJob.objects.select_related("requested_by").get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        _run(job)


def _run(job: ComputeJob) -> None:
    job_id = job.pk

    def step(name: str) -> None:
        ComputeJob.objects.filter(pk=job_id).update(
            step=name,
            progress_done=STEPS.index(name),
            progress_total=len(STEPS),
            heartbeat_at=timezone.now(),
        )

    try:
        if not is_coordinator(job.requested_by):
            raise PermissionDenied
        (result_set,) = compute(
            periods=[job.period],
            user=job.requested_by,
            channel=job.channel,
            kind=job.kind,
            step=step,
        )
    except Exception as error:
        if isinstance(error, PermissionDenied):
            message = _("The person who asked for this computation is no longer a coordinator.")
        elif isinstance(error, ComputeError | PeriodError):
            message = str(error)
        else:
            log.error("compute job %s failed:\n%s", job_id, traceback.format_exc())
            message = f"{type(error).__name__}: {error}"
        ComputeJob.objects.filter(pk=job_id).update(
            state=ComputeJob.State.FAILED, error=message, finished_at=timezone.now()
        )
        return
    ComputeJob.objects.filter(pk=job_id).update(
        state=ComputeJob.State.DONE,
        step=ComputeJob.Step.DONE,
        progress_done=len(STEPS),
        progress_total=len(STEPS),
        result_set=result_set,
        finished_at=timezone.now(),
    )


def compute_jobs_run_pending(*, worker: str) -> int:
    """Run every queued computation in this thread; returns how many ran."""
    count = 0
    while (job := compute_job_claim(worker=worker)) is not None:
        compute_job_run(job.pk)
        count += 1
    return count


def compute_jobs_recover(*, now=None) -> int:
    """Queue again (or fail, after MAX_ATTEMPTS) running computations whose runner went
    silent, so a restart never leaves one "running". Returns how many were recovered."""
    now = now or timezone.now()
    stale = ComputeJob.objects.filter(state=ComputeJob.State.RUNNING).exclude(
        heartbeat_at__gte=now - STALE_AFTER
    )
    recovered = 0
    for job in stale:
        if job.attempts >= MAX_ATTEMPTS:
            changes = {
                "state": ComputeJob.State.FAILED,
                "error": _(
                    "The computation stopped %(n)s times (the server was restarted); giving up."
                )
                % {"n": job.attempts},
                "finished_at": now,
            }
        else:
            changes = {
                "state": ComputeJob.State.QUEUED,
                "worker": "",
                "step": ComputeJob.Step.WAITING,
                "progress_done": 0,
            }
        recovered += ComputeJob.objects.filter(pk=job.pk, state=ComputeJob.State.RUNNING).update(
            **changes
        )
    return recovered
