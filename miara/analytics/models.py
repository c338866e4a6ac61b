"""Result sets: what one computation produced for one period, immutable once written.

Per-unit rows are the bulk of storage (≈ 40 M per national result set), so they refer to
indicators and units by id and keep the group as a short code; group statistics are few.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from miara.lib.bulk import bulk_foreign_key
from miara.lib.jobs_models import BackgroundJob


class ResultSet(models.Model):
    class Status(models.TextChoices):
        PROVISIONAL = "provisional", _("provisional")
        FINAL = "final", _("final")
        REVISED = "revised", _("revised")

    period = models.CharField(_("period"), max_length=7, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROVISIONAL
    )
    is_current = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    inputs_state = models.JSONField(
        default=dict, help_text=_("What the inputs were: last value change, catalogue digest")
    )
    indicator_count = models.PositiveIntegerField(default=0)
    row_count = models.PositiveBigIntegerField(default=0)
    seconds = models.FloatField(default=0)
    # Which data it used (methodology.md, "Which data a result set uses"): "cycle" = the
    # submissions listed in `submissions` (id, unit code, state at compute time); "loaded"
    # = a period without a collection cycle, every stored value (loaded by the coordinator).
    basis = models.CharField(max_length=10, default="loaded")
    submissions = models.JSONField(default=list, blank=True)
    # Submissions of the period's cycles by state at compute time, included or not.
    submission_counts = models.JSONField(default=dict, blank=True)
    # What changed against the result set that was current before (engine.compare):
    # {"previous": {id, status, created_at}, "units_added": [...], "units_removed": [...],
    #  "values_changed": n, "values_added": n, "values_removed": n, "largest": [...]}.
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("result set")
        verbose_name_plural = _("result sets")

    def __str__(self):
        return f"{self.period} #{self.pk} ({self.status})"

    @property
    def is_provisional(self) -> bool:
        return self.status == self.Status.PROVISIONAL

    @property
    def submission_count(self) -> int:
        return len(self.submissions)


class ComputeJob(BackgroundJob):
    """A computation asked for from the web or the API, run by the background runner.

    The row is the queue (claimed by a conditional UPDATE, like a ReportJob) and carries
    the progress the cycle board polls: the step and the periods done.
    """

    class Kind(models.TextChoices):
        PROVISIONAL = "provisional", _("provisional results")
        FINAL = "final", _("final results")

    class Step(models.TextChoices):
        WAITING = "waiting", _("waiting to start")
        READING = "reading", _("reading values")
        FORMULAS = "formulas", _("evaluating formulas")
        STATISTICS = "statistics", _("computing statistics")
        STORING = "storing", _("storing results")
        DONE = "done", _("done")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="compute_jobs",
        verbose_name=_("requested by"),
    )
    period = models.CharField(_("period"), max_length=7)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    channel = models.CharField(max_length=10, default="web")
    # The requester's language, for the messages of a failed job shown on the board.
    language = models.CharField(max_length=5, blank=True)
    step = models.CharField(max_length=12, choices=Step.choices, default=Step.WAITING)
    progress_total = models.PositiveIntegerField(default=4)
    result_set = models.ForeignKey(
        ResultSet, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # The last period stored is not the end: the job is done when its result set is.
    percent_before_done = 99

    class Meta(BackgroundJob.Meta):
        verbose_name = _("computation")
        verbose_name_plural = _("computations")

    def __str__(self):
        return f"compute job #{self.pk} ({self.kind}, {self.period}, {self.state})"


class GroupStatistic(models.Model):
    result_set = bulk_foreign_key(
        ResultSet, on_delete=models.CASCADE, related_name="group_statistics"
    )
    indicator = bulk_foreign_key("catalogue.Indicator", on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=60)
    n = models.PositiveIntegerField()
    mean = models.FloatField(null=True)
    median = models.FloatField(null=True)
    q1 = models.FloatField(null=True)
    q3 = models.FloatField(null=True)
    min = models.FloatField(null=True)
    max = models.FloatField(null=True)
    best = models.FloatField(null=True)
    std = models.FloatField(null=True)

    class Meta:
        indexes = [models.Index(fields=["result_set", "indicator", "group"])]


class UnitResult(models.Model):
    # No database foreign-key constraints on the ≈ 40 M rows of a national result set (see
    # lib.bulk.bulk_foreign_key); rows are written from ids just read, deleted with their set.
    result_set = bulk_foreign_key(ResultSet, on_delete=models.CASCADE, related_name="unit_results")
    indicator = bulk_foreign_key("catalogue.Indicator", on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=60)
    unit = bulk_foreign_key("units.Unit", on_delete=models.CASCADE, related_name="+")
    value = models.FloatField()
    rank = models.PositiveIntegerField(null=True)
    percentile = models.FloatField(null=True)
    quartile = models.PositiveSmallIntegerField(null=True)
    zscore = models.FloatField(null=True)
    gap_to_median = models.FloatField(null=True)
    gap_to_best = models.FloatField(null=True)
    change = models.FloatField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["result_set", "unit", "group"]),
            models.Index(fields=["result_set", "indicator", "group"]),
        ]


class DataQualityIssue(models.Model):
    """Computation problems worth a person's look, e.g. a division by zero."""

    result_set = models.ForeignKey(
        ResultSet, on_delete=models.CASCADE, related_name="issues", db_constraint=False
    )
    indicator = bulk_foreign_key("catalogue.Indicator", on_delete=models.CASCADE, related_name="+")
    unit = bulk_foreign_key("units.Unit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)


class SimilarityDefaults(models.Model):
    """The structural variables and k of "similar units" when a page does not choose them.

    One row for the installation (the newest wins), set by a coordinator on the similar-
    units page; without a row every context variable of the catalogue is used, k = 10.
    """

    variables = models.JSONField(_("structural variables"), default=list)
    k = models.PositiveSmallIntegerField(_("number of similar units"), default=10)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("similar-units defaults")
        verbose_name_plural = _("similar-units defaults")


class SavedComparison(models.Model):
    """A comparison a user saved: which units, indicators and period, under a name.

    Units are kept as codes (as in the comparison's link); `peers` keeps "my similar
    units" or a peer group of `focus` symbolically, so that reopening it follows the
    current data and an anonymised programme never stores other units' codes for a user
    who may not pick them.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_comparisons"
    )
    name = models.CharField(_("name"), max_length=120)
    units = models.JSONField(_("units"), default=list, blank=True)
    indicators = models.JSONField(_("indicators"), default=list)
    period = models.CharField(_("period"), max_length=7, blank=True)
    focus = models.CharField(_("unit compared"), max_length=40, blank=True)
    peers = models.CharField(_("peers"), max_length=60, blank=True)
    similar_variables = models.JSONField(default=list, blank=True)
    similar_k = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("saved comparison")
        verbose_name_plural = _("saved comparisons")

    def __str__(self):
        return self.name


class IndexResult(models.Model):
    """One unit's score on a composite index in a result set (methodology.md, "Composite
    indices"); a national set holds one row per unit and index, written in bulk.

    `components`: {indicator: [normalised score, effective weight]}; `pillars`:
    {pillar: score}; what the unit's breakdown is drawn from.
    """

    result_set = bulk_foreign_key(ResultSet, on_delete=models.CASCADE, related_name="index_results")
    index = bulk_foreign_key("catalogue.CompositeIndex", on_delete=models.CASCADE, related_name="+")
    unit = bulk_foreign_key("units.Unit", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    rank = models.PositiveIntegerField()
    components = models.JSONField(default=dict)
    pillars = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["result_set", "index", "rank"])]


class IndexSummary(models.Model):
    """What a result set's computation of one index says beyond the scores: how many
    units were scored, which were left out for missing too many components (and how
    many they had), the mean normalised score of each indicator (the "mean unit" a
    breakdown compares with), notes such as an indicator without values, and the
    definition used, so that a later change of the catalogue does not rewrite history."""

    result_set = models.ForeignKey(
        ResultSet, on_delete=models.CASCADE, related_name="index_summaries"
    )
    index = models.ForeignKey(
        "catalogue.CompositeIndex", on_delete=models.CASCADE, related_name="summaries"
    )
    scored = models.PositiveIntegerField(default=0)
    excluded = models.JSONField(default=list, blank=True)
    means = models.JSONField(default=dict, blank=True)
    notes = models.JSONField(default=list, blank=True)
    definition = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["result_set", "index"], name="one_summary_per_index")
        ]
