from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "miara.targets"
    verbose_name = _("Targets")

    def ready(self):
        # Analytics, below targets, asks for the targets of the rows it shows (the
        # scorecard's status column, the trend's target line); targets answers.
        from miara.analytics.hooks import indicator_target_asked, unit_targets_asked
        from miara.targets.selectors import answer_indicator_target, answer_unit_targets

        unit_targets_asked.connect(answer_unit_targets, dispatch_uid="miara.targets")
        indicator_target_asked.connect(answer_indicator_target, dispatch_uid="miara.targets")
