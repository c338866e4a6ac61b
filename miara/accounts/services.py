"""Writes to accounts: users and API tokens. Audited."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from miara.accounts.audit import audit_record
from miara.accounts.models import ApiToken, Role, User
from miara.units.models import Unit


class AccountError(Exception):
    pass


def user_add(
    *,
    username: str,
    role: str,
    unit_codes: list[str] = (),
    password: str | None = None,
    acting_user=None,
    channel: str = "cli",
) -> tuple[User, str | None]:
    """Create the user, or update role, units and (if given) password of an existing one.

    Returns the user and the password when one was generated for them.
    """
    if role not in Role.values:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(Role.values)}")
    units = list(Unit.objects.filter(code__in=unit_codes))
    missing = sorted(set(unit_codes) - {u.code for u in units})
    if missing:
        raise AccountError(f"unknown unit code(s): {', '.join(missing)}")
    if role in (Role.MANAGER, Role.EDITOR) and not units:
        raise AccountError(f"a {role} acts for at least one unit; give --unit CODE")
    generated = None
    if password is None and not User.objects.filter(username=username).exists():
        generated = password = secrets.token_urlsafe(12)
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username, defaults={"role": role})
        user.role = role
        if password is not None:
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise AccountError("password rejected: " + " ".join(error.messages)) from None
            user.set_password(password)
        user.full_clean()
        user.save()
        user.units.set(units)
        audit_record(
            user=acting_user,
            action="user.add" if created else "user.update",
            channel=channel,
            summary=f"{username}: {role} for {', '.join(unit_codes) or 'all units'}",
        )
    return user, generated


# Longest expiry one may choose: ten years is "until revoked" in all but name.
MAX_TOKEN_DAYS = 3650


def token_create(
    *,
    user: User,
    name: str = "",
    expires_in_days: int | None = None,
    acting_user=None,
    channel: str = "cli",
) -> str:
    """A new API token for the user. Only its digest is kept: show the token once.

    `expires_in_days` (1 to MAX_TOKEN_DAYS) makes it stop working that many days from now;
    without it the token works until revoked.
    """
    expires_at = None
    if expires_in_days is not None:
        if isinstance(expires_in_days, bool) or not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
            raise AccountError(
                f"a token expires in 1 to {MAX_TOKEN_DAYS} days, not {expires_in_days}"
            )
        expires_at = timezone.now() + timedelta(days=expires_in_days)
    token = "miara_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(
            user=user,
            digest=ApiToken.digest_of(token),
            prefix=token[6:14],
            name=name,
            expires_at=expires_at,
        )
        audit_record(
            user=acting_user or user,
            action="token.create",
            channel=channel,
            summary=f"API token for {user.username}"
            + (f", expires {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else ""),
        )
    return token


def token_revoke(*, token: ApiToken, acting_user, channel: str = "web") -> None:
    with transaction.atomic():
        token.delete()
        audit_record(
            user=acting_user,
            action="token.revoke",
            channel=channel,
            summary=f"API token {token.prefix}… of {token.user.username}",
        )
