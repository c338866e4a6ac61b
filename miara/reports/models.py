"""Report jobs: a request for PDF/Excel benchmark reports, run in the background.

A job's output is one file under `var/reports/<job id>/`: the unit's PDF or workbook, or a
zip of every unit's reports for a whole-programme job. The job row carries the progress
the page polls; it never holds figures itself (they are read from the result set when the
report is built).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from miara import conf


class ReportJob(models.Model):
    class Kind(models.TextChoices):
        UNIT = "unit", _("one unit")
        PROGRAMME = "programme", _("whole programme")

    class Format(models.TextChoices):
        PDF = "pdf", _("PDF")
        XLSX = "xlsx", _("Excel workbook")
        BOTH = "both", _("PDF and Excel workbook")

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="report_jobs",
        verbose_name=_("requested by"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    units = models.ManyToManyField("units.Unit", related_name="+", verbose_name=_("units"))
    period = models.CharField(_("period"), max_length=7)
    group = models.CharField(_("compared with"), max_length=60)
    language = models.CharField(_("language"), max_length=5)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    output_name = models.CharField(max_length=200, blank=True)
    # Which runner claimed the job and when it last reported: a job whose runner stopped
    # reporting (the server was restarted) is requeued or failed, never left "running".
    worker = models.CharField(max_length=80, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Set when the file was removed after MIARA_REPORTS_KEEP_DAYS (services.report_files_expire).
    files_removed_at = models.DateTimeField(_("file removed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")

    def __str__(self):
        return f"report job #{self.pk} ({self.kind}, {self.period}, {self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.progress_total:
            return 0
        return int(100 * self.progress_done / self.progress_total)

    def directory(self) -> Path:
        return reports_dir() / str(self.pk)

    def output_path(self) -> Path | None:
        if self.state != self.State.DONE or not self.output_name or self.files_removed_at:
            return None
        path = self.directory() / self.output_name
        return path if path.is_file() else None


def reports_dir() -> Path:
    path = conf.var_dir() / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path
