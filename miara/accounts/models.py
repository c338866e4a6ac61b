"""Users, their role and the units they act for, API tokens, and the audit log."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    EXPERT = "expert", _("Expert")
    MANAGER = "manager", _("Unit manager")
    EDITOR = "editor", _("Unit editor")


class User(AbstractUser):
    """A person who logs in. The role says what they may do; `units` says for which units.

    Coordinators and experts see every unit; managers and editors only their own units.
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.EDITOR)
    units = models.ManyToManyField(
        "units.Unit", blank=True, related_name="users", verbose_name=_("units")
    )

    @property
    def sees_all_units(self) -> bool:
        return self.is_superuser or self.role in (Role.COORDINATOR, Role.EXPERT)


def unit_model():
    """The model of the units users act for (`User.units` → "units.Unit").

    accounts sits below units (units' loads, page and admin use accounts' audit log, scope
    and admin), so it names that model by Django's app label, as Django's own apps reach
    the user model (`get_user_model()`), and never imports it.
    """
    return User._meta.get_field("units").related_model


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text=_("First characters, to tell tokens apart"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # None: the token lives until revoked (what `miara token create USERNAME` has always made).
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def is_expired(self, now) -> bool:
        return self.expires_at is not None and self.expires_at <= now


class AuditEntry(models.Model):
    """Who did what, when, through which channel. Append-only: nothing updates or deletes it."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=60, db_index=True)
    channel = models.CharField(max_length=20, default="cli")
    summary = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
