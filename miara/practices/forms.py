"""The forms of the practice pages. They collect and type the input; the services check
it (one place for the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from miara.catalogue.models import Indicator, ServiceArea
from miara.practices.services import PracticeData

MARKDOWN_HELP = _("Markdown: *emphasis*, **bold**, lists, [links](https://…). HTML is removed.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _text(label, help_text=MARKDOWN_HELP):
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text=help_text
    )


class PracticeForm(forms.Form):
    unit = forms.ChoiceField(label=_("Office"))
    title = forms.CharField(label=_("Title"), max_length=200)
    problem = _text(_("The problem"))
    what_was_done = _text(_("What was done"))
    results = _text(_("Results"))
    cost = forms.CharField(label=_("Cost"), required=False, max_length=30)
    currency = forms.CharField(
        label=_("Currency"), required=False, max_length=3, help_text=_("PLN, CZK or EUR")
    )
    effort = forms.CharField(
        label=_("Effort"), required=False, max_length=200, help_text=_("e.g. 3 person-months")
    )
    contact = forms.CharField(label=_("Contact"), required=False, max_length=200)
    area = forms.ChoiceField(label=_("Service area"), required=False)
    indicators = forms.MultipleChoiceField(
        label=_("Linked indicators"), required=False, widget=forms.CheckboxSelectMultiple
    )
    started_on = forms.DateField(
        label=_("Started on"),
        widget=DateInput,
        help_text=_("The evidence compares the periods before and after this day."),
    )
    named = forms.BooleanField(
        label=_("Name our office"),
        required=False,
        help_text=_(
            "In an anonymised programme others see only the type of your office, without "
            "its contact and attachments, unless you tick this. Do not name the office in "
            "the texts if you want it to stay anonymous."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.code, f"{u.name} ({u.code})") for u in units]
        self.fields["area"].choices = [("", "—")] + [
            (a.code, a.label) for a in ServiceArea.objects.order_by("code")
        ]
        self.fields["indicators"].choices = [
            (i.code, f"{i.label} ({i.code})") for i in Indicator.objects.order_by("code")
        ]

    def data_for_service(self) -> PracticeData:
        data = self.cleaned_data
        return PracticeData(
            title=data["title"],
            started_on=data["started_on"],
            problem=data["problem"],
            what_was_done=data["what_was_done"],
            results=data["results"],
            cost=data["cost"] or None,
            currency=data["currency"],
            effort=data["effort"],
            contact=data["contact"],
            area=data["area"] or None,
            indicators=list(data["indicators"]),
            named=data["named"],
        )

    @staticmethod
    def initial_for(practice) -> dict:
        return {
            "unit": practice.unit.code,
            "title": practice.title,
            "problem": practice.problem,
            "what_was_done": practice.what_was_done,
            "results": practice.results,
            "cost": "" if practice.cost is None else str(practice.cost),
            "currency": practice.currency,
            "effort": practice.effort,
            "contact": practice.contact,
            "area": practice.area.code if practice.area else "",
            "indicators": [i.code for i in practice.indicators.all()],
            "started_on": practice.started_on,
            "named": practice.named,
            "version": practice.version,
        }


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG, JPEG, DOCX, XLSX or ODT; no SVG."),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    area = forms.ChoiceField(label=_("Service area"), required=False)
    indicator = forms.ChoiceField(label=_("Indicator"), required=False)
    unit_type = forms.ChoiceField(label=_("Type of office"), required=False)
    best = forms.BooleanField(
        label=_("Only offices in the best quartile of the indicator"), required=False
    )

    def __init__(self, *args, unit_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("all"))] + [
            (a.code, a.label) for a in ServiceArea.objects.order_by("code")
        ]
        self.fields["indicator"].choices = [("", _("all"))] + [
            (i.code, i.label) for i in Indicator.objects.order_by("code")
        ]
        self.fields["unit_type"].choices = [("", _("all")), *unit_types]
