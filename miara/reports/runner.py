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
import threading

from django.conf import settings
from django.db import close_old_connections, connection

from miara.lib.jobs import worker_id

log = logging.getLogger(__name__)

POLL_SECONDS = 60


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


def job_queued_receive(sender, **kwargs) -> None:
    """`lib.jobs.job_queued`: an app queued a job (a report, a computation)."""
    wake()


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
    from miara.lib.jobs import jobs_run_asked
    from miara.reports.services import report_job_claim, report_job_run

    count = compute_jobs_run_pending(worker=worker_id())
    for _receiver, ran in jobs_run_asked.send(sender=None, worker=worker_id()):
        count += ran or 0
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
