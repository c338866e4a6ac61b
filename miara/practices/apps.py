from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    name = "miara.practices"
    verbose_name = _("Good practices")

    def ready(self):
        # Analytics, below this app, asks which practices a scorecard row of a weak
        # indicator may point to; practices answers.
        from miara.analytics.hooks import unit_practices_asked
        from miara.practices.selectors import answer_unit_practices

        unit_practices_asked.connect(answer_unit_practices, dispatch_uid="miara.practices")
