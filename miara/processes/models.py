"""The process-managed office: its departments, process groups and processes (the process
map), and its costing data per period (cost pools, time allocation, outputs).

Everything here belongs to one unit (an office). Costing data is kept as loaded, per
unit and period; costs are computed from it by `engine.costing` when they are read.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from miara.catalogue.models import code_validator


class ProcessSettings(models.Model):
    """What an office decided about its process data."""

    unit = models.OneToOneField(
        "units.Unit", on_delete=models.CASCADE, related_name="process_settings"
    )
    # An office's costing is its own; coordinators and experts of the programme see it
    # only where the office shares it.
    shares_costing = models.BooleanField(_("shares costing with the programme"), default=False)

    class Meta:
        verbose_name = _("process settings")
        verbose_name_plural = _("process settings")

    def __str__(self):
        return str(self.unit)


class Department(models.Model):
    """An organisational unit of the office. Primary departments work on processes;
    support departments' cost is spread over processes (methodology.md)."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", _("primary")
        SUPPORT = "support", _("support")

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="process_departments"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PRIMARY)

    class Meta:
        ordering = ["unit", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="processes_department_unique")
        ]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return f"{self.name} ({self.code})"


class ProcessGroup(models.Model):
    """A group of processes; groups form a tree per office (no cycles: services check)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="process_groups")
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent group"),
    )

    class Meta:
        ordering = ["unit", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="processes_group_unique")
        ]
        verbose_name = _("process group")
        verbose_name_plural = _("process groups")

    def __str__(self):
        return self.name


class Process(models.Model):
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="processes")
    code = models.CharField(_("code"), max_length=60, validators=[code_validator])
    name = models.CharField(_("name"), max_length=300)
    group = models.ForeignKey(
        ProcessGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="processes",
        verbose_name=_("process group"),
    )
    owner = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_processes",
        verbose_name=_("owner department"),
    )
    output = models.CharField(
        _("output"), max_length=300, blank=True, help_text=_('e.g. "decisions issued"')
    )
    legal_deadline_days = models.PositiveIntegerField(
        _("legal deadline (days)"), null=True, blank=True
    )
    # The catalogue variables that receive the process's computed cost and output volume.
    cost_variable = models.ForeignKey(
        "catalogue.Variable",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cost variable"),
    )
    output_variable = models.ForeignKey(
        "catalogue.Variable",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("output variable"),
    )
    # The programme's model process this one was adopted from, so the same process is
    # recognised across offices whatever each office calls it.
    model_process = models.ForeignKey(
        "ModelProcess",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adopted",
        verbose_name=_("model process"),
    )

    class Meta:
        ordering = ["unit", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="processes_process_unique")
        ]
        verbose_name = _("process")
        verbose_name_plural = _("processes")

    def __str__(self):
        return f"{self.code} — {self.name}"


class ProcessCriterion(models.Model):
    """A quality or performance criterion of a process: an indicator of the catalogue
    (lead time, share within the deadline, complaints, cost per output). The process's
    operational data are the values of the variables its criteria's formulas read."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="criteria")
    indicator = models.ForeignKey(
        "catalogue.Indicator",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("indicator"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["process", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "indicator"], name="processes_criterion_unique"
            )
        ]
        verbose_name = _("process criterion")
        verbose_name_plural = _("process criteria")


# --- the programme's model process catalogue ---------------------------------------------


class ModelProcessGroup(models.Model):
    """A group of the programme's model process catalogue (a tree, like an office's)."""

    programme = models.ForeignKey(
        "units.Programme", on_delete=models.CASCADE, related_name="model_process_groups"
    )
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent group"),
    )

    class Meta:
        ordering = ["programme", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"], name="processes_model_group_unique"
            )
        ]
        verbose_name = _("model process group")
        verbose_name_plural = _("model process groups")

    def __str__(self):
        return self.name


class ModelProcess(models.Model):
    """A process of the programme's model catalogue, which offices adopt into their map.
    It has no owner: departments are each office's own."""

    programme = models.ForeignKey(
        "units.Programme", on_delete=models.CASCADE, related_name="model_processes"
    )
    code = models.CharField(_("code"), max_length=60, validators=[code_validator])
    name = models.CharField(_("name"), max_length=300)
    group = models.ForeignKey(
        ModelProcessGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="processes",
        verbose_name=_("process group"),
    )
    output = models.CharField(_("output"), max_length=300, blank=True)
    legal_deadline_days = models.PositiveIntegerField(
        _("legal deadline (days)"), null=True, blank=True
    )
    cost_variable = models.ForeignKey(
        "catalogue.Variable", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    output_variable = models.ForeignKey(
        "catalogue.Variable", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Indicator codes in order: the model's criteria, copied into an adopting office's.
    criteria = models.JSONField(_("criteria"), default=list, blank=True)

    class Meta:
        ordering = ["programme", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"], name="processes_model_process_unique"
            )
        ]
        verbose_name = _("model process")
        verbose_name_plural = _("model processes")

    def __str__(self):
        return f"{self.code} — {self.name}"


class CostPool(models.Model):
    """A department's cost and staff in a period. `kind` is the department's kind in that
    period, so a later change of the department does not change earlier costing."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=10)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="cost_pools")
    kind = models.CharField(_("kind"), max_length=10, choices=Department.Kind.choices)
    fte = models.FloatField(_("full-time equivalents"))
    personnel_cost = models.FloatField(_("personnel cost"))
    other_cost = models.FloatField(_("other cost"))

    class Meta:
        ordering = ["unit", "period", "department"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "period"], name="processes_cost_pool_unique"
            )
        ]
        indexes = [models.Index(fields=["unit", "period"])]
        verbose_name = _("cost pool")
        verbose_name_plural = _("cost pools")


class TimeAllocation(models.Model):
    """The share (percent) of a primary department's working time spent on a process."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=10)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="+")
    percent = models.FloatField(_("percent"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["department", "process", "period"], name="processes_allocation_unique"
            )
        ]
        indexes = [models.Index(fields=["unit", "period"])]
        verbose_name = _("time allocation")
        verbose_name_plural = _("time allocations")


class ProcessOutput(models.Model):
    """A process's output volume and its direct costs in a period."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=10)
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="outputs")
    output = models.FloatField(_("output"), null=True, blank=True)
    direct_cost = models.FloatField(_("direct cost"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["process", "period"], name="processes_output_unique")
        ]
        indexes = [models.Index(fields=["unit", "period"])]
        verbose_name = _("process output")
        verbose_name_plural = _("process outputs")
