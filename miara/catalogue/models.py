"""The indicator catalogue: service areas, variables, indicators and peer groups.

Shared by every programme of an installation. Names are language maps (lib.translations).
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from miara.lib.translations import normalise, pick

CODE_PATTERN = r"^[A-Z][A-Z0-9_]*$"
code_validator = RegexValidator(
    CODE_PATTERN, _("Codes are upper-case letters, digits and _, starting with a letter.")
)


class Named(models.Model):
    code = models.CharField(_("code"), max_length=60, unique=True, validators=[code_validator])
    name = models.JSONField(
        _("name"), default=dict, help_text=_('Names by language, e.g. {"en": "...", "pl": "..."}')
    )
    description = models.JSONField(_("description"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.label}"

    @property
    def label(self) -> str:
        return pick(self.name, default=self.code)

    @property
    def explanation(self) -> str:
        return pick(self.description)


class Measured(models.Model):
    """An entry with a unit of measure, kept by language like names ({"en": "PLN per
    tonne", "pl": "zł za tonę", ...}). `unit` reads it in the reader's language, so every
    page, export and report shows it translated; it also accepts a plain text (English)
    or a map when an entry is made."""

    unit_name = models.JSONField(
        _("unit of measure"),
        default=dict,
        blank=True,
        help_text=_('Units of measure by language, e.g. {"en": "count", "pl": "liczba"}'),
    )

    class Meta:
        abstract = True

    @property
    def unit(self) -> str:
        return pick(self.unit_name)

    @unit.setter
    def unit(self, value: str | dict | None) -> None:
        self.unit_name = normalise(value or {})


class ServiceArea(Named):
    position = models.PositiveIntegerField(default=0)

    class Meta(Named.Meta):
        ordering = ["position", "code"]
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")


class Variable(Named, Measured):
    class Kind(models.TextChoices):
        """The numbers a variable admits (engine.kinds, which enforces them)."""

        COUNT = "count", _("count: whole numbers, not negative")
        AMOUNT = "amount", _("amount: any number")
        PERCENTAGE = "percentage", _("percentage: from 0 to 100")
        SHARE = "share", _("share: from 0 to 1")
        DURATION = "duration", _("duration: not negative")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.AMOUNT)
    area = models.ForeignKey(
        ServiceArea,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="variables",
        verbose_name=_("service area"),
    )
    min_value = models.FloatField(_("minimum"), null=True, blank=True)
    max_value = models.FloatField(_("maximum"), null=True, blank=True)
    # A size-dependent variable (decisions, tonnes, costs) is compared with its peers per
    # unit of size (e.g. per resident), so that a large city is not an outlier for being
    # large (methodology.md, "Checking the data").
    per = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("compared per"),
        help_text=_(
            "The size variable (e.g. population) by which the outlier check divides this "
            "variable before comparing units; empty to compare the values as reported."
        ),
    )

    class Meta(Named.Meta):
        verbose_name = _("variable")
        verbose_name_plural = _("variables")


class Direction(models.TextChoices):
    HIGHER = "higher", _("higher is better")
    LOWER = "lower", _("lower is better")
    NEUTRAL = "neutral", _("neutral (context)")


class Indicator(Named, Measured):
    formula = models.TextField(_("formula"))
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.NEUTRAL
    )
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=2)
    area = models.ForeignKey(
        ServiceArea,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
        verbose_name=_("service area"),
    )

    class Meta(Named.Meta):
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")


class PeerGroup(Named):
    """A set of units compared with each other.

    `listed`: explicit members. `rule`: unit types and/or a context variable range,
    re-evaluated for every period (a unit may change population class).
    """

    class Kind(models.TextChoices):
        LISTED = "listed", _("listed units")
        RULE = "rule", _("rule")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RULE)
    unit_types = models.JSONField(_("unit types"), default=list, blank=True)
    members = models.ManyToManyField(
        "units.Unit", blank=True, related_name="peer_groups", verbose_name=_("members")
    )
    context_variable = models.ForeignKey(
        Variable,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("context variable"),
    )
    context_min = models.FloatField(_("from (inclusive)"), null=True, blank=True)
    context_max = models.FloatField(_("to (exclusive)"), null=True, blank=True)

    class Meta(Named.Meta):
        verbose_name = _("peer group")
        verbose_name_plural = _("peer groups")


class ValidationRule(Named):
    """A check `left op right` in the formula language, e.g. `PERMITS_ON_TIME <= PERMITS_ISSUED`."""

    class Severity(models.TextChoices):
        ERROR = "error", _("error (blocks submission)")
        WARNING = "warning", _("warning (may be justified)")

    expression = models.TextField(_("rule"))
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.ERROR
    )

    class Meta(Named.Meta):
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")


class CompositeIndex(Named):
    """A composite index (methodology.md, "Composite indices"): indicators, possibly
    grouped in pillars, normalised, weighted and aggregated into one score per unit.

    `components` keeps the tree as the catalogue file writes it, checked when loaded:
    a list of `{"indicator": CODE, "weight": w, "goalposts": [lo, hi]}` and
    `{"pillar": CODE, "name": {...}, "aggregation": ..., "weight": w, "components": [...]}`.
    `miara.catalogue.indices.index_spec` turns it into the engine's definition.
    """

    class Normalisation(models.TextChoices):
        MINMAX = "minmax", _("min-max over the units of the period")
        GOALPOSTS = "goalposts", _("fixed goalposts")
        ZSCORE = "zscore", _("z-score")

    class Aggregation(models.TextChoices):
        ARITHMETIC = "arithmetic", _("weighted arithmetic mean")
        GEOMETRIC = "geometric", _("weighted geometric mean")

    normalisation = models.CharField(
        _("normalisation"),
        max_length=10,
        choices=Normalisation.choices,
        default=Normalisation.MINMAX,
    )
    aggregation = models.CharField(
        _("aggregation"),
        max_length=10,
        choices=Aggregation.choices,
        default=Aggregation.ARITHMETIC,
    )
    max_missing_percent = models.FloatField(
        _("components a unit may miss (%)"),
        default=30,
        help_text=_("A unit missing a larger share of the components gets no score."),
    )
    components = models.JSONField(_("components"), default=list)

    class Meta(Named.Meta):
        verbose_name = _("composite index")
        verbose_name_plural = _("composite indices")
