from django.apps import AppConfig
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
