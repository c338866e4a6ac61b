"""Publications: a coordinator's decision that a period's results are public.

A publication pins one final (or revised) result set and the disclosure settings it was
published with — the threshold k, the participants' visibility, an embargo date — and
keeps the groups the differencing audit withheld, so that the audit runs once, when the
coordinator publishes, and never per request. A publication is never edited afterwards
except to record its retraction; publishing the period again (a revised result set, or
other settings) adds a new publication that names the one it replaces.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from miara.analytics.models import ResultSet


class Publication(models.Model):
    class Visibility(models.TextChoices):
        NAMED = "named", _("named among participants")
        ANONYMISED = "anonymised", _("anonymised among participants")

    period = models.CharField(_("period"), max_length=7, db_index=True)
    result_set = models.ForeignKey(
        ResultSet,
        on_delete=models.PROTECT,
        related_name="publications",
        verbose_name=_("result set"),
    )
    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices)
    threshold = models.PositiveIntegerField(_("public threshold"))
    embargo_until = models.DateField(_("embargo until"), null=True, blank=True)
    published_at = models.DateTimeField(_("published on"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("published by"),
    )
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next",
        verbose_name=_("replaces"),
    )
    retracted_at = models.DateTimeField(_("retracted on"), null=True, blank=True)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("retracted by"),
    )
    retraction_reason = models.TextField(_("reason for the retraction"), blank=True)
    # What the audit saw: {"indicators": n, "groups": n, "threshold": n, "differencing": n}.
    audit_summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self):
        return f"{self.period} publication #{self.pk} (result set #{self.result_set_id})"

    @property
    def is_retracted(self) -> bool:
        return self.retracted_at is not None


class WithheldGroup(models.Model):
    """A group of one indicator the public does not see in a publication, and why."""

    class Reason(models.TextChoices):
        THRESHOLD = "threshold", _("fewer units than the threshold")
        DIFFERENCING = "differencing", _("withheld to protect a smaller group")

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="withheld_groups"
    )
    indicator = models.CharField(_("indicator"), max_length=60)
    group = models.CharField(_("group"), max_length=60)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "indicator", "group"], name="withheld_once_per_group"
            )
        ]
        ordering = ["indicator", "group"]
