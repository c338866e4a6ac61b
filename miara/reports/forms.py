"""The report request forms: period, peer group, language and format."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from miara.reports.models import ReportJob


class ReportRequestForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"))
    group = forms.ChoiceField(
        label=_("Compared with"),
        error_messages={
            # The groups offered are those with results in the chosen period.
            "invalid_choice": _(
                "The group “%(value)s” has no results for the chosen period: choose one of "
                "the groups listed, which are those of that period."
            )
        },
    )
    language = forms.ChoiceField(
        label=_("Language of the report"), choices=settings.LANGUAGES, initial="pl"
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ReportJob.Format.choices,
        initial=ReportJob.Format.PDF,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, periods: list[str], groups: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p, p) for p in periods]
        self.fields["group"].choices = groups
