from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from miara.catalogue.models import PeerGroup, Variable
from miara.efficiency.models import EfficiencyModel


def _variables():
    return [(v.code, f"{v.label} ({v.code})") for v in Variable.objects.order_by("code")]


def _groups():
    return [("", _("All units"))] + [
        (g.code, f"{g.label} ({g.code})") for g in PeerGroup.objects.order_by("code")
    ]


class EfficiencyModelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=EfficiencyModel.Kind.choices, initial="dea")
    inputs = forms.MultipleChoiceField(
        label=_("Inputs (what the service uses, e.g. staff cost)"),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    outputs = forms.MultipleChoiceField(
        label=_("Outputs (what the service delivers, e.g. decisions issued)"),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    returns = forms.ChoiceField(
        label=_("Returns to scale"), choices=EfficiencyModel.Returns.choices, initial="constant"
    )
    orientation = forms.ChoiceField(
        label=_("Orientation"), choices=EfficiencyModel.Orientation.choices, initial="input"
    )
    period = forms.CharField(label=_("Period (for the Malmquist index: from)"), max_length=7)
    period_to = forms.CharField(
        label=_("To period (Malmquist index only)"), max_length=7, required=False
    )
    group = forms.ChoiceField(label=_("Peer group"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inputs"].choices = _variables()
        self.fields["outputs"].choices = _variables()
        self.fields["group"].choices = _groups()
