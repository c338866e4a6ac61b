"""The report runner: a background thread of the server process that works off ReportJobs.

One thread per process, started by `miara serve` (and lazily when a job is queued, so the
development server and the browser tests need nothing else). No separate worker to run:
a local government's server is often one small machine. Jobs are claimed with a
conditional UPDATE, so two server processes never build the same job, and a job whose
runner died is recovered (services.report_jobs_recover) by the next runner that looks:
at once when that runner's process is gone (a restart), else once its heartbeat is stale.

Set MIARA_REPORTS_IN_BACKGROUND=0 to queue jobs without running them here (tests do, and
call `run_pending()` themselves).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection

log = logging.getLogger(__name__)

POLL_SECONDS = 60


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
    another program, is left to the heartbeat's staleness (services.STALE_AFTER)."""
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


_lock = threading.Lock()
_wakeup = threading.Event()
_stopping = threading.Event()
_thread: threading.Thread | None = None


def enabled() -> bool:
    return bool(getattr(settings, "REPORTS_IN_BACKGROUND", True))


def start() -> None:
    """Start this process's runner thread (once) if background reports are enabled."""
    global _thread
    if not enabled():
        return
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_loop, name="miara-reports", daemon=True)
            _thread.start()


def wake() -> None:
    """A job was queued: start the runner if needed and let it look now."""
    start()
    _wakeup.set()


def stop(timeout: float = 30) -> None:
    """Ask the runner to stop after its current job and wait for it (tests use this)."""
    global _thread
    with _lock:
        thread, _thread = _thread, None
    if thread is None:
        return
    _stopping.set()
    _wakeup.set()
    thread.join(timeout)
    _stopping.clear()


def run_pending() -> int:
    """Run every queued job in this thread; returns how many ran (tests, batch use).

    Computations asked for from the web or the API (analytics.jobs) go first: a
    coordinator waits on the board for them, and reports read their results.
    """
    from miara.analytics.jobs import compute_jobs_run_pending
    from miara.reports.services import report_job_claim, report_job_run

    count = compute_jobs_run_pending(worker=worker_id())
    while (job := report_job_claim(worker=worker_id())) is not None:
        report_job_run(job)
        count += 1
    return count


def _loop() -> None:
    from miara.analytics.jobs import compute_jobs_recover
    from miara.reports.services import report_files_expire, report_jobs_recover

    # Stops when asked to, or when background reports were turned off meanwhile.
    while not _stopping.is_set() and enabled():
        try:
            close_old_connections()
            report_jobs_recover()
            compute_jobs_recover()
            report_files_expire()
            run_pending()
        except Exception:  # keep the runner alive; the job itself records its failure
            log.exception("the report runner hit an error")
        finally:
            connection.close()
        _wakeup.wait(POLL_SECONDS)
        _wakeup.clear()
