from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "miara.reports"
    verbose_name = _("Reports")

    def ready(self):
        # Apps below the runner announce queued jobs (lib.jobs.job_queued); it listens here.
        from miara.lib.jobs import job_queued
        from miara.reports import runner

        job_queued.connect(runner.job_queued_receive, dispatch_uid="miara.reports.runner")
