"""The abstract row of a background job: the queue, its progress and its claim.

Report jobs (reports.ReportJob) and computations (analytics.ComputeJob) are both queued by
a request, claimed by a runner (lib.jobs.job_claim), polled by a page and recovered when
their runner stops reporting; the fields that carry this live here once.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BackgroundJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    progress_done = models.PositiveIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    # Which runner claimed the job and when it last reported: a job whose runner stopped
    # reporting (the server was restarted) is requeued or failed, never left "running".
    worker = models.CharField(max_length=80, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    # The most a job that is not done yet shows, if its last step is not the end of it.
    percent_before_done: int | None = None

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.progress_total:
            return 0
        share = int(100 * self.progress_done / self.progress_total)
        if self.percent_before_done is None:
            return share
        return min(self.percent_before_done, share)
