"""The forms of the audit, finding and risk pages. They collect and type the input; the
services check what depends on the unit (people's access, the unit's processes and
targets, states and scores), so the rules live in one place."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from miara.assurance import attachments
from miara.assurance.models import SCALE, Audit, ChecklistAnswer, Finding, Risk
from miara.assurance.services import AuditData, FindingData, RiskData, templates_available
from miara.catalogue.models import Indicator, ServiceArea


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _people(people):
    return [(u.username, u.get_full_name() or u.username) for u in people]


def _processes(unit):
    model = apps.get_model("processes", "Process")
    return [
        (p.code, f"{p.name} ({p.code})") for p in model.objects.filter(unit=unit).order_by("code")
    ]


def _indicators():
    return [(i.code, f"{i.label} ({i.code})") for i in Indicator.objects.order_by("code")]


def _drop_empty(form, *names):
    for name in names:
        if not form.fields[name].choices:
            del form.fields[name]


class AuditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    year = forms.IntegerField(label=_("Year of the audit plan"), min_value=2000, max_value=2100)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    end_date = forms.DateField(label=_("End date"), widget=DateInput)
    lead = forms.ChoiceField(label=_("Lead auditor"), required=False)
    auditors = forms.MultipleChoiceField(
        label=_("Auditors"), required=False, widget=forms.CheckboxSelectMultiple
    )
    templates = forms.MultipleChoiceField(
        label=_("Checklists"), required=False, widget=forms.CheckboxSelectMultiple
    )
    processes = forms.MultipleChoiceField(
        label=_("Processes in scope"), required=False, widget=forms.CheckboxSelectMultiple
    )
    departments = forms.MultipleChoiceField(
        label=_("Departments in scope"), required=False, widget=forms.CheckboxSelectMultiple
    )
    service_areas = forms.MultipleChoiceField(
        label=_("Service areas in scope"), required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, unit, people=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _people(people)
        self.fields["lead"].choices = [("", _("nobody yet")), *choices]
        self.fields["auditors"].choices = choices
        self.fields["templates"].choices = [(t.code, t.label) for t in templates_available(unit)]
        self.fields["processes"].choices = _processes(unit)
        departments = apps.get_model("processes", "Department").objects.filter(unit=unit)
        self.fields["departments"].choices = [
            (d.code, f"{d.name} ({d.code})") for d in departments.order_by("code")
        ]
        self.fields["service_areas"].choices = [
            (a.code, a.label) for a in ServiceArea.objects.order_by("position", "code")
        ]
        _drop_empty(self, "processes", "departments")
        if editing:
            del self.fields["year"]

    @staticmethod
    def initial_for(audit: Audit) -> dict:
        return {
            "title": audit.title,
            "start_date": audit.start_date,
            "end_date": audit.end_date,
            "lead": audit.lead.username if audit.lead else "",
            "auditors": [u.username for u in audit.auditors.all()],
            "templates": [t.code for t in audit.templates.all()],
            "processes": [p.code for p in audit.processes.all()],
            "departments": [d.code for d in audit.departments.all()],
            "service_areas": [a.code for a in audit.service_areas.all()],
            "version": audit.version,
        }

    def data_for_service(self) -> AuditData:
        data = self.cleaned_data
        return AuditData(
            title=data["title"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            lead=data["lead"] or None,
            auditors=list(data["auditors"]),
            templates=list(data["templates"]),
            processes=list(data.get("processes") or []),
            departments=list(data.get("departments") or []),
            service_areas=list(data["service_areas"]),
        )


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("Answer"), choices=ChecklistAnswer.Answer.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Evidence file"),
        help_text=_("PDF, PNG, JPEG, DOCX, XLSX or ODT."),
        widget=forms.ClearableFileInput(attrs={"accept": attachments.ACCEPT}),
    )


class FindingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    severity = forms.ChoiceField(label=_("Severity"), choices=Finding.Severity.choices)
    requirement = forms.CharField(
        label=_("Requirement or criterion"), required=False, max_length=300
    )
    item = forms.ChoiceField(label=_("Checklist item"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    root_cause = forms.CharField(
        label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    recommendation = forms.CharField(
        label=_("Recommendation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DateInput)
    corrective_action = forms.CharField(
        label=_("Corrective action"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    project = forms.ChoiceField(label=_("Improvement project that answers it"), required=False)
    processes = forms.MultipleChoiceField(
        label=_("Processes it touches"), required=False, widget=forms.CheckboxSelectMultiple
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicators it touches"), required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, audit: Audit, people=(), own_people=True, **kwargs):
        """`own_people`: whether the user is one of the office's people; an auditor from
        the programme is not shown the office's improvement projects to link."""
        super().__init__(*args, **kwargs)
        unit = audit.plan.unit
        self.fields["owner"].choices = [("", _("nobody yet")), *_people(people)]
        items = [
            (i.code, f"{i.code} {i.label}") for t in audit.templates.all() for i in t.items.all()
        ]
        self.fields["item"].choices = [("", _("none")), *items]
        projects = apps.get_model("improvement", "Project").objects.filter(unit=unit)
        if not own_people:
            projects = projects.none()
        self.fields["project"].choices = [("", _("none"))] + [
            (str(p.pk), p.title) for p in projects.order_by("title")
        ]
        self.fields["processes"].choices = _processes(unit)
        self.fields["indicators"].choices = _indicators()
        _drop_empty(self, "processes")

    @staticmethod
    def initial_for(finding: Finding) -> dict:
        return {
            "title": finding.title,
            "severity": finding.severity,
            "requirement": finding.requirement,
            "item": finding.item.code if finding.item else "",
            "description": finding.description,
            "root_cause": finding.root_cause,
            "recommendation": finding.recommendation,
            "owner": finding.owner.username if finding.owner else "",
            "deadline": finding.deadline,
            "corrective_action": finding.corrective_action,
            "project": str(finding.project_id or ""),
            "processes": [p.code for p in finding.processes.all()],
            "indicators": [i.code for i in finding.indicators.all()],
            "version": finding.version,
        }

    def data_for_service(self) -> FindingData:
        data = self.cleaned_data
        return FindingData(
            title=data["title"],
            severity=data["severity"],
            requirement=data["requirement"],
            item=data["item"] or None,
            description=data["description"],
            root_cause=data["root_cause"],
            recommendation=data["recommendation"],
            owner=data["owner"] or None,
            deadline=data["deadline"],
            corrective_action=data["corrective_action"],
            project=int(data["project"]) if data["project"] else None,
            processes=list(data.get("processes") or []),
            indicators=list(data["indicators"]),
        )


SCORES = [("", "—")] + [(str(n), str(n)) for n in SCALE]


class RiskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    objective = forms.CharField(
        label=_("Objective it threatens"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    likelihood = forms.ChoiceField(label=_("Likelihood before the response (1–5)"), choices=SCORES)
    impact = forms.ChoiceField(label=_("Impact before the response (1–5)"), choices=SCORES)
    response = forms.ChoiceField(label=_("Response"), choices=Risk.Response.choices)
    response_plan = forms.CharField(
        label=_("Response plan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    residual_likelihood = forms.ChoiceField(
        label=_("Likelihood after the response (1–5)"), choices=SCORES, required=False
    )
    residual_impact = forms.ChoiceField(
        label=_("Impact after the response (1–5)"), choices=SCORES, required=False
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    review_date = forms.DateField(label=_("Review date"), required=False, widget=DateInput)
    state = forms.ChoiceField(label=_("State"), choices=Risk.State.choices)
    targets = forms.MultipleChoiceField(
        label=_("Targets it threatens"), required=False, widget=forms.CheckboxSelectMultiple
    )
    processes = forms.MultipleChoiceField(
        label=_("Processes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicators"), required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, unit, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("nobody yet")), *_people(people)]
        targets = (
            apps.get_model("targets", "Target")
            .objects.filter(unit=unit)
            .select_related("indicator")
            .order_by("indicator__code")
        )
        self.fields["targets"].choices = [
            (t.indicator.code, f"{t.indicator.label} ({t.indicator.code})") for t in targets
        ]
        self.fields["processes"].choices = _processes(unit)
        self.fields["indicators"].choices = _indicators()
        _drop_empty(self, "targets", "processes")

    @staticmethod
    def initial_for(risk: Risk) -> dict:
        def score(value):
            return "" if value is None else str(value)

        return {
            "title": risk.title,
            "description": risk.description,
            "objective": risk.objective,
            "likelihood": score(risk.likelihood),
            "impact": score(risk.impact),
            "response": risk.response,
            "response_plan": risk.response_plan,
            "residual_likelihood": score(risk.residual_likelihood),
            "residual_impact": score(risk.residual_impact),
            "owner": risk.owner.username if risk.owner else "",
            "review_date": risk.review_date,
            "state": risk.state,
            "targets": [t.indicator.code for t in risk.targets.select_related("indicator")],
            "processes": [p.code for p in risk.processes.all()],
            "indicators": [i.code for i in risk.indicators.all()],
            "version": risk.version,
        }

    def data_for_service(self) -> RiskData:
        data = self.cleaned_data
        return RiskData(
            title=data["title"],
            description=data["description"],
            objective=data["objective"],
            likelihood=data["likelihood"] or None,
            impact=data["impact"] or None,
            residual_likelihood=data["residual_likelihood"] or None,
            residual_impact=data["residual_impact"] or None,
            response=data["response"],
            response_plan=data["response_plan"],
            owner=data["owner"] or None,
            review_date=data["review_date"],
            state=data["state"],
            targets=list(data.get("targets") or []),
            processes=list(data.get("processes") or []),
            indicators=list(data["indicators"]),
        )


class TemplateForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=60)
    name = forms.CharField(label=_("Name"), max_length=200)
    items = forms.CharField(
        label=_("Items, one requirement per line"), widget=forms.Textarea(attrs={"rows": 5})
    )

    def item_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]
