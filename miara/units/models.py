"""Units (offices and their departments) and the programme they take part in."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from miara.lib.translated_names import NamesByLanguage


class Programme(NamesByLanguage):
    """The benchmarking programme of this installation: visibility and public threshold."""

    class Visibility(models.TextChoices):
        NAMED = "named", _("Named: participants see each other's names")
        ANONYMISED = "anonymised", _("Anonymised: other units appear as pseudonyms")

    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.ANONYMISED
    )
    public_threshold = models.PositiveIntegerField(
        _("public threshold"), default=5, help_text=_("Aggregates of fewer units are never public")
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    @classmethod
    def current(cls) -> Programme:
        programme = cls.objects.order_by("id").first()
        return programme or cls.objects.create(name="miara")


class Unit(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=40, blank=True, db_index=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    country = models.CharField(_("country"), max_length=2, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self):
        return f"{self.name} ({self.code})"
