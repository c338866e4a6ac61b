"""The forms of the targets page: set a target by hand, derive one from the benchmark.

They only collect text; the services check everything (periods, numbers, the indicator's
direction, the owner's access) and say what is wrong, so the rules live in one place.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from miara.catalogue.models import Indicator

STATISTIC_CHOICES = [
    ("q1", _("the group's first quartile (q1)")),
    ("median", _("the group's median")),
    ("q3", _("the group's third quartile (q3)")),
    ("mean", _("the group's mean")),
    ("best", _("the group's best value")),
]
SHARE_CHOICES = [
    ("1", _("reach it")),
    ("0.5", _("halve the gap to it")),
    ("0.25", _("close a quarter of the gap to it")),
]


def _indicators():
    return [
        (i.code, f"{i.label} ({i.code})")
        for i in Indicator.objects.exclude(direction="neutral").order_by("code")
    ]


def _number(text: str) -> str:
    # People type 12,5 in Polish and Czech; the service reads a dot.
    return (text or "").strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")


class _TargetForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"))
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = _indicators()
        self.fields["owner"].choices = [("", _("nobody yet"))] + [
            (u.username, u.get_full_name() or u.username) for u in owners
        ]


class TargetSetForm(_TargetForm):
    start_period = forms.CharField(
        label=_("Period (or the start of a trajectory)"),
        max_length=7,
        help_text=_("2025, 2025-Q1 or 2025-03"),
    )
    start_value = forms.CharField(label=_("Target in that period"), max_length=40)
    final_period = forms.CharField(
        label=_("Final period (for a trajectory)"), max_length=7, required=False
    )
    final_value = forms.CharField(label=_("Final target"), max_length=40, required=False)

    field_order = [
        "indicator",
        "start_period",
        "start_value",
        "final_period",
        "final_value",
        "owner",
        "version",
    ]

    def points(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        points = [(data["start_period"].strip(), _number(data["start_value"]))]
        if data.get("final_period") or data.get("final_value"):
            points.append((data["final_period"].strip(), _number(data["final_value"])))
        return points


class TargetDeriveForm(_TargetForm):
    statistic = forms.ChoiceField(label=_("Benchmark"), choices=STATISTIC_CHOICES, initial="q3")
    group = forms.ChoiceField(label=_("Peer group"))
    share = forms.ChoiceField(label=_("Aim"), choices=SHARE_CHOICES, initial="1")
    final_period = forms.CharField(
        label=_("By the period"), max_length=7, help_text=_("2028, 2028-Q4 or 2028-12")
    )

    field_order = ["indicator", "statistic", "group", "share", "final_period", "owner", "version"]

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = list(groups)


MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class TargetsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Targets file (.csv or .xlsx)"),
        help_text=_("Columns indicator, unit, period, target; a trajectory is several rows."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB; is it the right file?"))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload
