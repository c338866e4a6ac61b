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
from miara.lib.jobs_models import BackgroundJob


class ReportJob(BackgroundJob):
    class Kind(models.TextChoices):
        UNIT = "unit", _("one unit")
        PROGRAMME = "programme", _("whole programme")

    class Format(models.TextChoices):
        PDF = "pdf", _("PDF")
        XLSX = "xlsx", _("Excel workbook")
        BOTH = "both", _("PDF and Excel workbook")

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
    progress_total = models.PositiveIntegerField(default=0)
    output_name = models.CharField(max_length=200, blank=True)
    # Set when the file was removed after MIARA_REPORTS_KEEP_DAYS (services.report_files_expire).
    files_removed_at = models.DateTimeField(_("file removed at"), null=True, blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")

    def __str__(self):
        return f"report job #{self.pk} ({self.kind}, {self.period}, {self.state})"

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
