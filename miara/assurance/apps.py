from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssuranceConfig(AppConfig):
    name = "miara.assurance"
    verbose_name = _("Audits and risks")

    def ready(self):
        # Analytics, below this app, asks for the findings an indicator page and a process
        # page list; assurance answers.
        from miara.analytics.hooks import indicator_findings_asked, process_findings_asked
        from miara.assurance.selectors import answer_indicator_findings, answer_process_findings

        indicator_findings_asked.connect(answer_indicator_findings, dispatch_uid="miara.assurance")
        process_findings_asked.connect(answer_process_findings, dispatch_uid="miara.assurance")
        # The built-in checklists are data every installation has: written by a data
        # migration, and again after every migrate or flush (as Django recreates content
        # types), so a database emptied by `flush` — as test cases that need real
        # transactions leave it — still offers them.
        post_migrate.connect(_builtin_checklists, sender=self, dispatch_uid="miara.assurance")


def _builtin_checklists(sender, **kwargs):
    from miara.assurance.models import ChecklistItem, ChecklistTemplate
    from miara.assurance.standards import templates_ensure

    templates_ensure(ChecklistTemplate, ChecklistItem)
