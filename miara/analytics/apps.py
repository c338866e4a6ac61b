from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "miara.analytics"
    verbose_name = _("Analytics")

    def ready(self):
        # Collection, below analytics, asks whether a period has results (the entry
        # form's peer median); analytics answers.
        from miara.analytics.selectors import period_has_results
        from miara.collection.selectors import period_results_asked

        period_results_asked.connect(period_has_results, dispatch_uid="miara.analytics")
