"""Forms of the data-entry pages: what a clerk types, checked and normalised (with the rules
of `services.parse_values`) before it goes to `services.values_save`.

The questionnaire form is typed by a person, so it is forgiving where a file is strict:
a decimal comma (the Polish and Czech habit) and spaces between thousands are accepted
and normalised here; a file must use a dot.
"""

from __future__ import annotations

import hashlib
import math
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from miara.collection.services import MAX_COMMENT, kind_problem_text
from miara.engine import kinds as variable_kinds
from miara.fileio.numbers import number_text

# Spaces a person or a spreadsheet puts between thousands: space, no-break space,
# narrow no-break space, thin space.
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def normalise_number(text: str | None) -> str:
    """The text of a number as the clerk typed it, with a dot as the decimal separator and
    no spaces ("1 234,5" → "1234.5"); "" for an empty field. When both a comma and a dot
    appear, the last one is the decimal separator and the other groups thousands
    ("1.234,5" and "1,234.5" both mean 1234.5). The text is not checked here."""
    text = _SPACES.sub("", text or "")
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    return text


def parse_number(text: str | None) -> float | None:
    """The number typed, or None for an empty field; ValueError when it is not a number."""
    normal = normalise_number(text)
    if normal == "":
        return None
    if not _NUMBER.match(normal):
        raise ValueError(normal)
    number = float(normal)
    if not math.isfinite(number):
        raise ValueError(normal)
    return number


def fingerprint(value: float | None, comment: str) -> str:
    """What a field showed when the page was made, so that a save tells the fields the
    person changed from those they left alone (only changed fields are written, and only
    they can conflict with someone else's save)."""
    shown = "" if value is None else f"{value:.15g}"
    return hashlib.sha256(f"{shown}\x1f{comment.strip()}".encode()).hexdigest()[:16]


class ValueField(forms.CharField):
    """A value as typed: accepts a decimal comma; cleans to a float or None; checks the
    variable's range, naming the limit in the message."""

    def __init__(self, *, variable, **kwargs):
        self.variable = variable
        super().__init__(required=False, strip=True, max_length=60, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        try:
            number = parse_number(text)
        except ValueError:
            raise forms.ValidationError(
                _("“%(text)s” is not a number. Type digits only, e.g. 1234,5 or 1234.5."),
                code="not_a_number",
                params={"text": text[:40]},
            ) from None
        misfit = variable_kinds.violation(getattr(self.variable, "kind", None), number)
        if misfit is not None:
            # The same rule and words as every other channel (services.parse_values).
            raise forms.ValidationError(
                kind_problem_text(
                    misfit,
                    text[:40],
                    f"“{self.variable.label}” ({self.variable.code})",
                    self.variable.kind,
                ),
                code=f"kind_{misfit}",
            )
        low, high = self.variable.min_value, self.variable.max_value
        if number is not None and low is not None and number < low:
            raise forms.ValidationError(
                _("below the minimum %(min)s: this value cannot be saved"),
                code="below_min",
                params={"min": number_text(low)},
            )
        if number is not None and high is not None and number > high:
            raise forms.ValidationError(
                _("above the maximum %(max)s: this value cannot be saved"),
                code="above_max",
                params={"max": number_text(high)},
            )
        return number


class QuestionnaireForm(forms.Form):
    """Every field of one questionnaire: per variable code `<CODE>-value`,
    `<CODE>-comment`, and hidden `<CODE>-version` and `<CODE>-shown` (the fingerprint of
    what the page showed)."""

    def __init__(self, *args, rows: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            code = row["variable"].code
            self.fields[f"{code}-value"] = ValueField(variable=row["variable"])
            self.fields[f"{code}-comment"] = forms.CharField(
                required=False, max_length=MAX_COMMENT, widget=forms.Textarea
            )
            self.fields[f"{code}-version"] = forms.IntegerField(min_value=0)
            self.fields[f"{code}-shown"] = forms.CharField(required=False, max_length=64)

    def changed_rows(self) -> list[dict]:
        """The fields the person changed: `code`, `value` (float or None), `comment`,
        `version` (the one the page showed). Call after `is_valid()`."""
        out = []
        for row in self.rows:
            code = row["variable"].code
            value = self.cleaned_data[f"{code}-value"]
            comment = self.cleaned_data[f"{code}-comment"].strip()
            if fingerprint(value, comment) == self.cleaned_data[f"{code}-shown"]:
                continue
            out.append(
                {
                    "code": code,
                    "value": value,
                    "comment": comment,
                    "version": self.cleaned_data[f"{code}-version"],
                }
            )
        return out


class FieldSaveForm(forms.Form):
    """One field saved by the page's script as the clerk leaves it."""

    variable = forms.CharField(max_length=60)
    value = forms.CharField(required=False, max_length=60)
    comment = forms.CharField(required=False, max_length=MAX_COMMENT)
    version = forms.IntegerField(min_value=0)


class ExcelUploadForm(forms.Form):
    file = forms.FileField(label=_("Filled-in Excel questionnaire (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is larger than 10 MB; a questionnaire is much smaller. Is it the right file?"
                )
            )
        return upload
