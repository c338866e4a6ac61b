"""Forms of the user-management pages. They parse; the services decide and write."""

from __future__ import annotations

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from miara.accounts.models import Role, unit_model


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit):
        return f"{unit.name} ({unit.code})"


def _units_field() -> UnitChoiceField:
    return UnitChoiceField(
        queryset=unit_model().objects.order_by("name", "code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Units"),
        help_text=_("Unit managers and editors act for the units ticked here."),
    )


class UserEditForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        help_text=_("Coordinators and experts see every unit; the units below are for the others."),
    )
    units = _units_field()


class UserInviteForm(UserEditForm):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @ . + - _ only; used to log in."),
    )
    email = forms.EmailField(
        label=_("E-mail address"), help_text=_("The invitation to set a password goes here.")
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    field_order = ["username", "email", "first_name", "last_name", "role", "units"]
