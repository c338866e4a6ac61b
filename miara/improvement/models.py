"""Improvement projects of an office (issue 12, "the team of improvers"): the problem, the
people, the dates, the budget, the indicators (and processes) it means to move and the
target it expects to reach; its milestones and tasks.

A project belongs to one unit (an office plans for itself). `version` is bumped by every
change of a project or task; a change that names an older version is refused, so two
people editing at once never silently overwrite each other.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Project(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACTIVE = "active", _("active")
        ON_HOLD = "on_hold", _("on hold")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_projects",
        verbose_name=_("owner"),
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="project_teams", verbose_name=_("team")
    )
    start_date = models.DateField(_("start date"))
    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="proposed")
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    expected_effect = models.ForeignKey(
        "targets.Target",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
        verbose_name=_("expected effect (a target)"),
    )
    indicators = models.ManyToManyField(
        "catalogue.Indicator", blank=True, related_name="projects", verbose_name=_("indicators")
    )
    processes = models.ManyToManyField(
        "processes.Process", blank=True, related_name="projects", verbose_name=_("processes")
    )
    # The day the project was last moved to done or cancelled (None while it runs): the
    # year review counts it in that year.
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit", "due_date", "pk"]
        verbose_name = _("improvement project")
        verbose_name_plural = _("improvement projects")

    def __str__(self):
        return f"{self.unit_id}: {self.title}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    reached = models.BooleanField(_("reached"), default=False)

    class Meta:
        ordering = ["project", "due_date", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self):
        return self.title


class Task(models.Model):
    class State(models.TextChoices):
        TODO = "todo", _("to do")
        DOING = "doing", _("in progress")
        DONE = "done", _("done")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="project_tasks",
        verbose_name=_("owner"),
    )
    state = models.CharField(_("state"), max_length=5, choices=State.choices, default="todo")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "due_date", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self):
        return self.title


class ImprovementSettings(models.Model):
    """Whether an office shares its projects with the programme's coordinators and experts
    (an office plans for itself; it may show its plans), as `ProcessSettings.shares_costing`
    does for costing."""

    unit = models.OneToOneField("units.Unit", on_delete=models.CASCADE, related_name="+")
    shares_plans = models.BooleanField(_("shares its projects with the programme"), default=False)

    class Meta:
        verbose_name = _("improvement settings")
        verbose_name_plural = _("improvement settings")

    def __str__(self):
        return str(self.unit_id)
