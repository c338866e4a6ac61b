from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessesConfig(AppConfig):
    name = "miara.processes"
    verbose_name = _("Processes")

    def ready(self) -> None:
        from miara.collection.hooks import office_variables_asked
        from miara.processes.selectors import answer_office_variables

        office_variables_asked.connect(answer_office_variables)
