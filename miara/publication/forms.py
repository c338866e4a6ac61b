"""Forms of the coordinator's publication page. They parse; the services decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from miara.publication.models import Publication
from miara.publication.services import MAX_THRESHOLD, MIN_THRESHOLD


class PublishForm(forms.Form):
    def __init__(self, *args, periods: list[str], **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["period"].choices = [(p, p) for p in periods]

    period = forms.ChoiceField(label=_("Period"))
    visibility = forms.ChoiceField(
        label=_("Participants see each other"),
        choices=Publication.Visibility.choices,
        widget=forms.RadioSelect,
        help_text=_("The public only ever sees group figures, whichever you choose."),
    )
    threshold = forms.IntegerField(
        label=_("Public threshold k"),
        min_value=MIN_THRESHOLD,
        max_value=MAX_THRESHOLD,
        help_text=_(
            "Groups of fewer units are withheld, and so is any group whose figures would let "
            "someone work out the total of fewer than k units by difference."
        ),
    )
    embargo_until = forms.DateField(
        label=_("Embargo until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to publish now; otherwise nobody sees it before this date."),
    )


class RetractForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    period = forms.CharField(widget=forms.HiddenInput, max_length=7)
    reason = forms.CharField(
        label=_("Why is it retracted?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The public page shows this reason."),
    )
