"""Targets of an office: for an indicator and a unit, a target value per period or a
trajectory (methodology.md, "Targets and their status"), its owner and, when it was derived
from the benchmark, the rule it was derived by.

A `Target` is the plan of one indicator for one unit; its `TargetPoint`s are the periods
and values (one point: a target for one period; several: a trajectory, linear in between).
Every change appends a `TargetChange` with what the target became, so its history
survives even its deletion. An improvement project can link a `Target` as its expected
effect.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.Model):
    indicator = models.ForeignKey(
        "catalogue.Indicator", on_delete=models.CASCADE, related_name="targets"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="targets")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_targets",
        verbose_name=_("owner"),
    )
    # How the target was set: by hand ("") or the rule it was derived by, as text for
    # people and as data (engine.targets.DerivationRule.params()).
    rule = models.CharField(_("rule"), max_length=300, blank=True)
    rule_params = models.JSONField(default=dict, blank=True)
    # Bumped by every change; a change that names an older version is refused (409).
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit"], name="targets_target_unique")
        ]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self):
        return f"{self.indicator.code} {self.unit.code}"

    def points_list(self) -> list[tuple[str, float]]:
        return [(p.period, p.value) for p in self.points.all()]


class TargetPoint(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="points")
    period = models.CharField(_("period"), max_length=7)
    # Sorts the points of one target (periods of one kind): engine.periods.Period.ordinal.
    ordinal = models.IntegerField()
    value = models.FloatField(_("target"))

    class Meta:
        ordering = ["target", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["target", "period"], name="targets_point_unique")
        ]
        verbose_name = _("target point")
        verbose_name_plural = _("target points")

    def __str__(self):
        return f"{self.period}: {self.value}"


class TargetChange(models.Model):
    """One change of a target, appended and never altered: what the target became (its
    points, owner and rule), or that it was deleted."""

    class Action(models.TextChoices):
        SET = "set", _("set")
        DERIVED = "derived", _("derived from the benchmark")
        LOADED = "loaded", _("loaded from a file")
        DELETED = "deleted", _("deleted")

    indicator = models.ForeignKey(
        "catalogue.Indicator", on_delete=models.CASCADE, related_name="target_changes"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="target_changes")
    action = models.CharField(max_length=10, choices=Action.choices)
    version = models.PositiveIntegerField()
    points = models.JSONField(default=list, blank=True)  # [[period, value], ...]
    owner = models.CharField(max_length=150, blank=True)  # the owner's username then
    rule = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(max_length=10, default="web")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("change of a target")
        verbose_name_plural = _("changes of targets")

    def __str__(self):
        return f"{self.indicator_id}/{self.unit_id} v{self.version} {self.action}"


class TargetSettings(models.Model):
    """What an office decided about its targets: whether the programme's coordinators and
    experts may read them (an office plans for itself; it may share its plans)."""

    unit = models.OneToOneField("units.Unit", on_delete=models.CASCADE, related_name="+")
    shares_targets = models.BooleanField(_("shares its targets with the programme"), default=False)

    class Meta:
        verbose_name = _("target settings")
        verbose_name_plural = _("target settings")

    def __str__(self):
        return str(self.unit_id)
