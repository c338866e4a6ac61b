"""The forms of the project pages: a project, a task, a milestone.

They collect and type the input; the services check what depends on the unit (owners'
access, the unit's own targets and processes, tasks within the project's dates), so the
rules live in one place.
"""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from miara.catalogue.models import Indicator
from miara.improvement.models import Project, Task
from miara.improvement.services import ProjectData


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _people(people):
    return [(u.username, u.get_full_name() or u.username) for u in people]


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    problem = forms.CharField(
        label=_("The problem"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is wrong now, and how the benchmark shows it."),
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    team = forms.MultipleChoiceField(
        label=_("Team"), required=False, widget=forms.CheckboxSelectMultiple
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)
    state = forms.ChoiceField(label=_("State"), choices=Project.State.choices)
    budget = forms.CharField(label=_("Budget"), required=False, max_length=30)
    currency = forms.CharField(
        label=_("Currency"), required=False, max_length=3, help_text=_("PLN, CZK or EUR")
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicators it should move"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expected_effect = forms.ChoiceField(
        label=_("Expected effect (a target of the unit)"), required=False
    )
    processes = forms.MultipleChoiceField(
        label=_("Processes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, unit, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = _people(people)
        self.fields["owner"].choices = [("", _("nobody yet")), *choices]
        self.fields["team"].choices = choices
        self.fields["indicators"].choices = [
            (i.code, f"{i.label} ({i.code})") for i in Indicator.objects.order_by("code")
        ]
        targets = (
            apps.get_model("targets", "Target")
            .objects.filter(unit=unit)
            .select_related("indicator")
            .order_by("indicator__code")
        )
        self.fields["expected_effect"].choices = [("", _("none"))] + [
            (t.indicator.code, f"{t.indicator.label} ({t.indicator.code})") for t in targets
        ]
        processes = apps.get_model("processes", "Process").objects.filter(unit=unit)
        self.fields["processes"].choices = [
            (p.code, f"{p.name} ({p.code})") for p in processes.order_by("code")
        ]
        if not self.fields["processes"].choices:
            del self.fields["processes"]

    @staticmethod
    def initial_for(project: Project) -> dict:
        return {
            "title": project.title,
            "problem": project.problem,
            "owner": project.owner.username if project.owner else "",
            "team": [u.username for u in project.team.all()],
            "start_date": project.start_date,
            "due_date": project.due_date,
            "state": project.state,
            "budget": "" if project.budget is None else f"{project.budget}",
            "currency": project.currency,
            "indicators": [i.code for i in project.indicators.all()],
            "expected_effect": (
                project.expected_effect.indicator.code if project.expected_effect else ""
            ),
            "processes": [p.code for p in project.processes.all()],
            "version": project.version,
        }

    def data_for_service(self) -> ProjectData:
        data = self.cleaned_data
        return ProjectData(
            title=data["title"],
            problem=data["problem"],
            owner=data["owner"] or None,
            team=list(data["team"]),
            start_date=data["start_date"],
            due_date=data["due_date"],
            state=data["state"],
            budget=(data["budget"] or "").strip().replace("\u00a0", "") or None,
            currency=data["currency"],
            expected_effect=data["expected_effect"] or None,
            indicators=list(data["indicators"]),
            processes=list(data.get("processes") or []),
        )


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    state = forms.ChoiceField(label=_("State"), choices=Task.State.choices)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("nobody yet")), *_people(people)]


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_date = forms.DateField(label=_("Date"), widget=DateInput)


MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class PlansUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Projects or tasks file (.csv or .xlsx)"),
        help_text=_(
            "The columns of the projects or tasks download; rows with an id change those "
            "projects or tasks, rows without one add new ones."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB; is it the right file?"))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload
