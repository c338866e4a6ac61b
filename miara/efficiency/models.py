"""Efficiency models (methodology.md, "Efficiency frontier" and "Productivity change over
time") and their stored results.

An `EfficiencyModel` is what an expert defines — the catalogue variables taken as inputs
and outputs, the returns to scale, the orientation, the period (two for a Malmquist
index) and the peer group — and it is also the job that computes it: the row is queued,
claimed by the background runner (or computed at once when small), and carries its
state. Its `EfficiencyResult`s are one per scored unit; the units left out and why, and
the model's warnings, are kept on the model.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from miara.lib.jobs_models import BackgroundJob


class EfficiencyModel(BackgroundJob):
    class Kind(models.TextChoices):
        DEA = "dea", _("efficiency frontier (DEA)")
        MALMQUIST = "malmquist", _("productivity change (Malmquist index)")

    class Returns(models.TextChoices):
        CONSTANT = "constant", _("constant returns to scale (CCR)")
        VARIABLE = "variable", _("variable returns to scale (BCC)")

    class Orientation(models.TextChoices):
        INPUT = "input", _("input: the same output with less input")
        OUTPUT = "output", _("output: more output from the same input")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DEA)
    inputs = models.JSONField(_("inputs"), default=list)
    outputs = models.JSONField(_("outputs"), default=list)
    returns = models.CharField(
        _("returns to scale"), max_length=10, choices=Returns.choices, default=Returns.CONSTANT
    )
    orientation = models.CharField(
        _("orientation"), max_length=10, choices=Orientation.choices, default=Orientation.INPUT
    )
    period = models.CharField(_("period"), max_length=7)
    period_to = models.CharField(_("to period"), max_length=7, blank=True)
    group = models.CharField(_("peer group"), max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="efficiency_models",
        verbose_name=_("created by"),
    )
    language = models.CharField(max_length=5, blank=True)
    progress_total = models.PositiveIntegerField(default=1)
    excluded = models.JSONField(default=list, blank=True)  # [{unit, variable, reason}]
    warnings = models.JSONField(default=list, blank=True)  # [{code, units, minimum}]
    summary = models.JSONField(default=dict, blank=True)  # geometric means (Malmquist)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("efficiency model")
        verbose_name_plural = _("efficiency models")

    def __str__(self):
        return self.name

    @property
    def variables(self) -> list[str]:
        return [*self.inputs, *self.outputs]


class EfficiencyResult(models.Model):
    """One unit's figures. DEA: `score` (None when infeasible), `super_score` (Andersen–
    Petersen, None when infeasible), `peers` {code: λ}, `targets` and `slacks`
    {variable: value}, `values` {variable: the unit's own value}. Malmquist: `figures`
    {effch, techch, pech, sech, tfpch}."""

    model = models.ForeignKey(EfficiencyModel, on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, default="optimal")
    score = models.FloatField(null=True)
    super_score = models.FloatField(null=True)
    efficient = models.BooleanField(null=True)
    peers = models.JSONField(default=dict)
    targets = models.JSONField(default=dict)
    slacks = models.JSONField(default=dict)
    values = models.JSONField(default=dict)
    figures = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "unit"], name="efficiency_result_unique")
        ]
