"""Good practices (issue 13): what one office did about a problem, told so that others can
learn from it, reviewed by the programme's experts and published.

A practice belongs to one unit (the author office). It moves draft → submitted →
returned (back to the author with a reason) or accepted → published, and may be withdrawn
by its author at any time. `version` is bumped by every change; a change that names an
older version is refused, so two people editing at once never overwrite each other.

In an anonymised programme the author office is shown to other participants and the
public only when `named` is set (the author chose to be named); otherwise only its type.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from miara import conf


class Practice(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted for review")
        RETURNED = "returned", _("returned to the author")
        ACCEPTED = "accepted", _("accepted")
        PUBLISHED = "published", pgettext_lazy("practice", "published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="practices")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practices",
        verbose_name=_("author"),
    )
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"), blank=True)
    what_was_done = models.TextField(_("what was done"), blank=True)
    results = models.TextField(_("results"), blank=True)
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    effort = models.CharField(_("effort"), max_length=200, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    area = models.ForeignKey(
        "catalogue.ServiceArea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practices",
        verbose_name=_("service area"),
    )
    indicators = models.ManyToManyField(
        "catalogue.Indicator", blank=True, related_name="practices", verbose_name=_("indicators")
    )
    # The day the change started: the evidence compares the periods before and after it.
    started_on = models.DateField(_("started on"))
    named = models.BooleanField(_("name our office"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="draft")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")

    def __str__(self):
        return self.title


class ReviewEntry(models.Model):
    """One step of a practice's review thread: a comment, a return with its reason, an
    acceptance, a publication, a submission or a withdrawal (append-only)."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("comment")
        SUBMIT = "submit", _("submitted")
        RETURN = "return", _("returned")
        ACCEPT = "accept", _("accepted")
        PUBLISH = "publish", pgettext_lazy("practice", "published")
        WITHDRAW = "withdraw", _("withdrawn")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["practice", "created_at", "pk"]
        verbose_name = _("review entry")
        verbose_name_plural = _("review entries")

    def __str__(self):
        return f"{self.practice_id}: {self.kind}"


def attachments_dir() -> Path:
    return conf.var_dir() / "practices"


class Attachment(models.Model):
    """A file of a practice, checked by its content (`attachments.check_upload`) and kept
    under var/practices/<practice id>/ by a name of our own; `filename` is the sanitised
    name it was uploaded with."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=120)
    stored_name = models.CharField(max_length=80, unique=True)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["practice", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.filename

    def path(self) -> Path:
        return attachments_dir() / str(self.practice_id) / self.stored_name

    @property
    def extension(self) -> str:
        return self.filename.rpartition(".")[2].lower()
