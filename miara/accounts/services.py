"""Writes to accounts: users, passwords and API tokens. Audited.

The user-management services (`user_invite`, `user_update`, `user_deactivate`,
`user_reactivate`) are for coordinators: each authorises, validates, writes atomically and
records an audit entry. Their messages are translated, since people read them on pages.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from miara.accounts.audit import audit_record
from miara.accounts.models import ApiToken, Role, User, unit_model
from miara.accounts.scope import is_coordinator


class AccountError(Exception):
    pass


class NotAllowed(AccountError):
    """The acting user may not manage accounts (pages answer 404, as for a missing page)."""


def can_manage_users(user) -> bool:
    """Active coordinators (and administrators) manage the programme's accounts."""
    return is_coordinator(user)


def _authorise(acting_user, user: User | None = None) -> None:
    if not can_manage_users(acting_user):
        raise NotAllowed(_("Only a coordinator manages accounts."))
    if user is not None and user.is_superuser and not acting_user.is_superuser:
        # An administrator's account is not the programme's to change.
        raise NotAllowed(_("Administrator accounts are managed by an administrator."))


def _units_for(role: str, units) -> list:
    if role not in Role.values:
        raise AccountError(_("Unknown role %(role)s.") % {"role": role})
    units = list(units)
    if role in (Role.MANAGER, Role.EDITOR) and not units:
        raise AccountError(
            _("Unit managers and editors act for at least one unit: choose one or more units.")
        )
    if role in (Role.COORDINATOR, Role.EXPERT):
        return []  # they see every unit; a list would only mislead
    return units


def _describe(user: User) -> dict:
    return {
        "role": user.role,
        "units": sorted(user.units.values_list("code", flat=True)),
        "active": user.is_active,
    }


def user_invite(
    *,
    acting_user,
    username: str,
    email: str,
    role: str,
    units=(),
    first_name: str = "",
    last_name: str = "",
    channel: str = "web",
) -> User:
    """Create an account that has no password yet; its owner sets one from the invitation.

    The password is unusable until then, so nobody can log in to the account meanwhile.
    The caller sends the invitation (`accounts.invitations.invitation_send`) after this
    returns, once the account is committed.
    """
    _authorise(acting_user)
    username = username.strip()
    email = email.strip()
    if not username:
        raise AccountError(_("Give a user name."))
    try:
        validate_email(email)
    except ValidationError:
        raise AccountError(_("%(email)s is not an e-mail address.") % {"email": email}) from None
    units = _units_for(role, units)
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise AccountError(_("The user name %(name)s is taken.") % {"name": username})
        if User.objects.filter(email__iexact=email).exists():
            raise AccountError(
                _("An account with the e-mail address %(email)s exists already.") % {"email": email}
            )
        user = User(
            username=username,
            email=email,
            role=role,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            is_active=True,
        )
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        user.units.set(units)
        audit_record(
            user=acting_user,
            action="user.invite",
            channel=channel,
            summary=f"{username} <{email}>: {role}"
            + (f" for {', '.join(u.code for u in units)}" if units else ""),
            details={"user": user.pk, **_describe(user)},
        )
    return user


def user_update(*, acting_user, user: User, role: str, units=(), channel: str = "web") -> User:
    """Change a user's role and units."""
    _authorise(acting_user, user)
    units = _units_for(role, units)
    if user.pk == acting_user.pk and role != acting_user.role:
        raise AccountError(_("You cannot change your own role; ask another coordinator to do it."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = _describe(user)
        user.role = role
        user.save(update_fields=["role"])
        user.units.set(units)
        after = _describe(user)
        if after != before:
            audit_record(
                user=acting_user,
                action="user.update",
                channel=channel,
                summary=f"{user.username}: {role}"
                + (f" for {', '.join(after['units'])}" if after["units"] else ""),
                details={"user": user.pk, "before": before, "after": after},
            )
    return user


def _set_active(*, acting_user, user: User, active: bool, channel: str) -> User:
    _authorise(acting_user, user)
    if user.pk == acting_user.pk and not active:
        raise AccountError(
            _("You cannot deactivate your own account; ask another coordinator to do it.")
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active != active:
            user.is_active = active
            user.save(update_fields=["is_active"])
            audit_record(
                user=acting_user,
                action="user.reactivate" if active else "user.deactivate",
                channel=channel,
                summary=user.username,
                details={"user": user.pk},
            )
    return user


def user_deactivate(*, acting_user, user: User, channel: str = "web") -> User:
    """Stop the user from logging in (pages and API tokens); nothing they did is removed."""
    return _set_active(acting_user=acting_user, user=user, active=False, channel=channel)


def user_reactivate(*, acting_user, user: User, channel: str = "web") -> User:
    return _set_active(acting_user=acting_user, user=user, active=True, channel=channel)


PASSWORD_ACTIONS = {
    "change": "user.password_change",
    "reset": "user.password_reset",
    "invitation": "user.invitation_accept",
}


def password_set(*, user: User, password: str, how: str, channel: str = "web") -> User:
    """The user sets their own password: changed while logged in, reset from an e-mail,
    or first set from an invitation. The password policy applies (ValidationError)."""
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            user=user,
            action=PASSWORD_ACTIONS[how],
            channel=channel,
            summary=user.username,
            details={"user": user.pk},
        )
    return user


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
    units = list(unit_model().objects.filter(code__in=unit_codes))
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
