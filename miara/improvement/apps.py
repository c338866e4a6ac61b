from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "miara.improvement"
    verbose_name = _("Improvement projects")

    def ready(self):
        # Analytics, below this app, asks for the "start a project" link of a scorecard
        # row and for the projects an indicator page lists; improvement answers.
        from miara.analytics.hooks import indicator_projects_asked, unit_projects_asked
        from miara.improvement.selectors import (
            answer_indicator_projects,
            answer_unit_projects,
        )

        unit_projects_asked.connect(answer_unit_projects, dispatch_uid="miara.improvement")
        indicator_projects_asked.connect(
            answer_indicator_projects, dispatch_uid="miara.improvement"
        )
