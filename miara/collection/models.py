"""Reported values and their append-only history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from miara.lib.bulk import bulk_foreign_key
from miara.lib.translated_names import NamesByLanguage


class Channel(models.TextChoices):
    IMPORT = "import", _("file import")
    FORM = "form", _("web form")
    EXCEL = "excel", _("Excel upload")
    API = "api", _("API")


class Value(models.Model):
    """One datum per unit, variable and period. `value` is null for "not available"."""

    # A bulk table (≈ 19 M values nationally): no database foreign-key constraints
    # (lib.bulk.bulk_foreign_key says why); PROTECT still holds in the ORM. The unique
    # constraint's index (unit, variable, period) serves lookups by unit.
    unit = bulk_foreign_key("units.Unit", on_delete=models.PROTECT, related_name="values")
    variable = bulk_foreign_key(
        "catalogue.Variable", on_delete=models.PROTECT, related_name="values"
    )
    period = models.CharField(_("period"), max_length=7, db_index=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, default="")
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.IMPORT
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = bulk_foreign_key(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "variable", "period"], name="one_value_per_unit_variable_period"
            )
        ]
        verbose_name = _("value")
        verbose_name_plural = _("values")


class ValueHistory(models.Model):
    """Every change of a value: from what, to what, by whom, when, through which channel."""

    unit = bulk_foreign_key("units.Unit", on_delete=models.PROTECT, related_name="+")
    variable = bulk_foreign_key("catalogue.Variable", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=7)
    version = models.PositiveIntegerField()
    old_value = models.FloatField(null=True, blank=True)
    new_value = models.FloatField(null=True, blank=True)
    old_comment = models.TextField(blank=True, default="")
    new_comment = models.TextField(blank=True, default="")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    user = bulk_foreign_key(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField()
    source = models.CharField(
        max_length=255, blank=True, help_text=_("File name or request that made the change")
    )

    class Meta:
        # One row per version of a value: racing writers can never record the same
        # version twice. Its index also serves lookups by unit, variable and period.
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "variable", "period", "version"],
                name="one_history_row_per_value_version",
            )
        ]
        ordering = ["-at", "-id"]
        verbose_name = _("value change")
        verbose_name_plural = _("value history")


class Revision(models.Model):
    """How many writes of a unit's values of one period have committed (findings.py:
    what a cached finding was computed from). Bumped inside every write's transaction."""

    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the unique constraint's index (unit, period) serves it
    )
    period = models.CharField(max_length=7)
    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="one_revision_per_unit_period")
        ]


class Cycle(NamesByLanguage):
    """A data-collection round: which period, which variables (the questionnaire), which units."""

    period = models.CharField(_("period"), max_length=7, db_index=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    is_open = models.BooleanField(_("open"), default=True)
    instructions = models.JSONField(_("instructions"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-period", "-id"]
        verbose_name = _("collection cycle")
        verbose_name_plural = _("collection cycles")


class QuestionnaireItem(models.Model):
    """A variable asked for in a cycle, in the order and with the help the form shows."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="items")
    variable = models.ForeignKey("catalogue.Variable", on_delete=models.PROTECT, related_name="+")
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveIntegerField(default=0)
    help = models.JSONField(_("help text"), default=dict, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "variable"], name="one_item_per_cycle_variable"
            )
        ]


class SubmissionState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    ACCEPTED = "accepted", _("accepted")
    REOPENED = "reopened", _("reopened")


class Submission(models.Model):
    """One unit's answers to one cycle, moving draft → submitted → returned/accepted (→ reopened)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="submissions")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="submissions")
    state = models.CharField(
        _("state"), max_length=10, choices=SubmissionState.choices, default=SubmissionState.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="one_submission_per_cycle_unit")
        ]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self):
        return f"{self.cycle} — {self.unit}"

    @property
    def is_locked(self) -> bool:
        """Submitted and accepted data wait for the coordinator; nobody edits them meanwhile."""
        return self.state in (SubmissionState.SUBMITTED, SubmissionState.ACCEPTED)


class SubmissionEvent(models.Model):
    """Every change of a submission's state, with who, when and why. Append-only."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=10, choices=SubmissionState.choices)
    to_state = models.CharField(max_length=10, choices=SubmissionState.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["at", "id"]


class ReviewNote(models.Model):
    """The coordinator's comment on one value (or the whole submission) when returning it."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="notes")
    variable = models.ForeignKey(
        "catalogue.Variable", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
