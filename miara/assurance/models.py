"""Management control of an office (issue 14): its audit programme and audits with
checklists from reusable templates, the findings of audits followed to closure, and the
risk register.

Polish public-finance law (the Public Finance Act, art. 68–71, and the Minister of
Finance's Communication no. 23 of 16 December 2009 on the standards of management
control) obliges every office to run management control and document it; Czech offices
keep a similar internal control system. An office keeps these records for itself: they
belong to one unit and are read by its own people, and an audit also by the auditors
named on it.

Findings, audits and risks carry `version`: a change that names an older version is
refused, so two people editing at once never silently overwrite each other. A risk's
history (`RiskChange`) is appended and never altered, as targets' `TargetChange` is.

The yearly self-assessment and the management-control statement (the second half of the
issue) can build on these: a self-assessment is an `Audit` whose checklist is the
management-control standards answered by the office's people, and the statement reads
the answers, the open findings and the risk register of a year.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from miara.lib.translations import pick

SCALE = range(1, 6)  # likelihood and impact are scored 1 (lowest) to 5 (highest)


class ChecklistTemplate(models.Model):
    """A reusable checklist: built in (no unit: the management-control standards, a
    quality-system checklist) or an office's own."""

    unit = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="checklist_templates",
    )
    code = models.CharField(_("code"), max_length=60)
    name = models.JSONField(_("name"), default=dict)  # {"en": ..., "pl": ..., "cs": ...}

    class Meta:
        ordering = ["unit_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="assurance_template_unique"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(unit__isnull=True),
                name="assurance_builtin_template_unique",
            ),
        ]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return pick(self.name, default=self.code)


class ChecklistItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=20)
    area = models.JSONField(_("area"), default=dict, blank=True)
    text = models.JSONField(_("requirement"), default=dict)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["template", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="assurance_item_unique")
        ]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self):
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        return pick(self.text, default=self.code)

    @property
    def area_label(self) -> str:
        return pick(self.area)


class AuditPlan(models.Model):
    """The office's audit programme of one year."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="audit_plans")
    year = models.PositiveIntegerField(_("year"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["unit", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="assurance_plan_unique")
        ]
        verbose_name = _("audit plan")
        verbose_name_plural = _("audit plans")

    def __str__(self):
        return f"{self.unit_id}: {self.year}"


class Audit(models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        REPORTING = "reporting", _("reporting")
        CLOSED = "closed", _("closed")

    plan = models.ForeignKey(AuditPlan, on_delete=models.CASCADE, related_name="audits")
    title = models.CharField(_("title"), max_length=200)
    processes = models.ManyToManyField(
        "processes.Process", blank=True, related_name="audits", verbose_name=_("processes")
    )
    departments = models.ManyToManyField(
        "processes.Department", blank=True, related_name="audits", verbose_name=_("departments")
    )
    service_areas = models.ManyToManyField(
        "catalogue.ServiceArea", blank=True, related_name="audits", verbose_name=_("service areas")
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_audits",
        verbose_name=_("lead auditor"),
    )
    auditors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="audits", verbose_name=_("auditors")
    )
    templates = models.ManyToManyField(
        ChecklistTemplate, blank=True, related_name="audits", verbose_name=_("checklists")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default="planned")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "start_date", "pk"]
        verbose_name = _("audit")
        verbose_name_plural = _("audits")

    def __str__(self):
        return self.title

    @property
    def unit(self):
        return self.plan.unit


class ChecklistAnswer(models.Model):
    class Answer(models.TextChoices):
        CONFORMS = "conforms", _("conforms")
        PARTLY = "partly", _("partly conforms")
        DOES_NOT = "does_not", _("does not conform")
        NOT_APPLICABLE = "na", _("not applicable")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="answers")
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices)
    note = models.TextField(_("note"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["audit", "item__template", "item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "item"], name="assurance_answer_unique")
        ]
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")

    def __str__(self):
        return f"{self.audit_id}/{self.item_id}: {self.answer}"


class Finding(models.Model):
    class Severity(models.TextChoices):
        MAJOR = "major", _("major nonconformity")
        MINOR = "minor", _("minor nonconformity")
        OBSERVATION = "observation", _("observation")
        OFI = "ofi", _("opportunity for improvement")

    class State(models.TextChoices):
        OPEN = "open", _("open")
        ACTION_PLANNED = "action_planned", _("action planned")
        IMPLEMENTED = "implemented", _("implemented")
        VERIFIED = "verified", _("verified")
        CLOSED = "closed", _("closed")
        REJECTED = "rejected", _("rejected")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="findings")
    title = models.CharField(_("title"), max_length=200)
    severity = models.CharField(_("severity"), max_length=12, choices=Severity.choices)
    requirement = models.CharField(_("requirement or criterion"), max_length=300, blank=True)
    item = models.ForeignKey(
        ChecklistItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
        verbose_name=_("checklist item"),
    )
    description = models.TextField(_("description"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    recommendation = models.TextField(_("recommendation"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_findings",
        verbose_name=_("owner"),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    corrective_action = models.TextField(_("corrective action"), blank=True)
    project = models.ForeignKey(
        "improvement.Project",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
        verbose_name=_("improvement project"),
    )
    processes = models.ManyToManyField(
        "processes.Process", blank=True, related_name="findings", verbose_name=_("processes")
    )
    indicators = models.ManyToManyField(
        "catalogue.Indicator", blank=True, related_name="findings", verbose_name=_("indicators")
    )
    state = models.CharField(_("state"), max_length=15, choices=State.choices, default="open")
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit", "deadline", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self):
        return self.title


class Attachment(models.Model):
    """Evidence: a file attached to a checklist answer or a finding. Stored outside the
    static and media paths under var/assurance/ by a random name, checked by its content
    (not its name) when uploaded, and only ever served as a download."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="attachments")
    answer = models.ForeignKey(
        ChecklistAnswer,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(max_length=10)  # the sniffed type's extension: pdf, png, ...
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_as = models.CharField(max_length=64, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.name


class Risk(models.Model):
    class Response(models.TextChoices):
        REDUCE = "reduce", _("reduce")
        ACCEPT = "accept", _("accept")
        TRANSFER = "transfer", _("transfer")
        AVOID = "avoid", _("avoid")

    class State(models.TextChoices):
        OPEN = "open", _("open")
        MONITORED = "monitored", _("monitored")
        CLOSED = "closed", _("closed")

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    objective = models.TextField(_("objective"), blank=True)
    targets = models.ManyToManyField(
        "targets.Target", blank=True, related_name="risks", verbose_name=_("targets")
    )
    processes = models.ManyToManyField(
        "processes.Process", blank=True, related_name="risks", verbose_name=_("processes")
    )
    indicators = models.ManyToManyField(
        "catalogue.Indicator", blank=True, related_name="risks", verbose_name=_("indicators")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_risks",
        verbose_name=_("owner"),
    )
    likelihood = models.PositiveSmallIntegerField(_("likelihood before the response"))
    impact = models.PositiveSmallIntegerField(_("impact before the response"))
    residual_likelihood = models.PositiveSmallIntegerField(
        _("likelihood after the response"), null=True, blank=True
    )
    residual_impact = models.PositiveSmallIntegerField(
        _("impact after the response"), null=True, blank=True
    )
    response = models.CharField(
        _("response"), max_length=10, choices=Response.choices, default="reduce"
    )
    response_plan = models.TextField(_("response plan"), blank=True)
    review_date = models.DateField(_("review date"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="open")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit", "-likelihood", "-impact", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood__gte=1, likelihood__lte=5)
                & models.Q(impact__gte=1, impact__lte=5),
                name="assurance_risk_scale",
            ),
        ]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")

    def __str__(self):
        return self.title

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def residual_score(self) -> int | None:
        if self.residual_likelihood is None or self.residual_impact is None:
            return None
        return self.residual_likelihood * self.residual_impact


class RiskChange(models.Model):
    """One change of a risk, appended and never altered: what the risk became."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField()
    state = models.CharField(max_length=10)
    likelihood = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    owner = models.CharField(max_length=150, blank=True)  # the owner's username then
    review_date = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=10, default="web")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("change of a risk")
        verbose_name_plural = _("changes of risks")

    def __str__(self):
        return f"{self.risk_id} v{self.version}"

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def residual_score(self) -> int | None:
        if self.residual_likelihood is None or self.residual_impact is None:
            return None
        return self.residual_likelihood * self.residual_impact
