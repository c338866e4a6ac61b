"""Background jobs shared by report jobs and computations: which runner a process is
(`worker_id`, `worker_is_gone`), claiming a queued job, and the nudge that tells the
runner a job was queued.

The runner (reports/runner.py) sits above every app that queues jobs, so an app does not
call it: it queues its job and, once the transaction commits, sends `job_queued`, which
the runner receives (connected in ReportsConfig.ready). Without a receiver the job waits
for the runner's next poll.
"""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

job_queued = Signal()
# Sent by the runner each round (reports/runner.run_pending): apps above it that queue
# jobs of their own (efficiency models) connect a receiver that runs them.
jobs_run_asked = Signal()


def _boot_id() -> str:
    """Which boot of this machine (Linux); empty where the system does not say."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()[:8]
    except OSError:
        return ""


_HOST = socket.gethostname()[:40]
_BOOT = _boot_id()
_worker_ids: dict[int, str] = {}


def worker_id() -> str:
    """This process's runner: `host:boot:pid:random`. Computed per process, as server
    workers are forked from a parent that may have imported this module already."""
    pid = os.getpid()
    if pid not in _worker_ids:
        _worker_ids[pid] = f"{_HOST}:{_BOOT}:{pid}:{uuid.uuid4().hex[:6]}"
    return _worker_ids[pid]


def worker_is_gone(worker: str) -> bool:
    """Whether the runner that claimed a job has certainly stopped: it ran on this machine
    and either in an earlier boot or in a process that no longer exists (or is this very
    process under another runner id). A runner elsewhere, or a process id now taken by
    another program, is left to the heartbeat's staleness (reports.services.STALE_AFTER)."""
    parts = worker.split(":")
    if len(parts) != 4 or parts[0] != _HOST or not parts[2].isdigit():
        return False
    boot, pid = parts[1], int(parts[2])
    if boot and _BOOT and boot != _BOOT:
        return True
    if pid == os.getpid():
        return worker != worker_id()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, as another user
        return False
    return False


def job_queued_announce() -> None:
    """Tell the runner, when the current transaction commits, that a job was queued."""
    transaction.on_commit(lambda: job_queued.send(sender=None))


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
