from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EfficiencyConfig(AppConfig):
    name = "miara.efficiency"
    verbose_name = _("Efficiency frontier")

    def ready(self):
        # The background runner (reports) sits beside this app and does not import it:
        # it sends `jobs_run_asked` each round, and efficiency works off its queued models.
        from miara.efficiency.jobs import run_pending_models
        from miara.lib.jobs import jobs_run_asked

        jobs_run_asked.connect(run_pending_models, dispatch_uid="miara.efficiency")
