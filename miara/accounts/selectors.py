"""Reads of accounts for the user-management pages, scoped to the acting user."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from miara.accounts.models import AuditEntry, User, unit_model
from miara.accounts.services import can_manage_users


def managed_users(*, acting_user) -> QuerySet[User]:
    """Every account a coordinator manages, with its units; nothing for anyone else."""
    if not can_manage_users(acting_user):
        return User.objects.none()
    return User.objects.prefetch_related(
        Prefetch("units", queryset=unit_model().objects.order_by("name"))
    ).order_by("username")


def managed_user(*, acting_user, user_id: int) -> User | None:
    """The account, if the acting user may change it; None otherwise (and if missing).

    Administrators' accounts are only an administrator's to change.
    """
    user = managed_users(acting_user=acting_user).filter(pk=user_id).first()
    if user is None or (user.is_superuser and not acting_user.is_superuser):
        return None
    return user


def user_audit(*, acting_user, user: User, limit: int = 20) -> list[AuditEntry]:
    """The latest changes made to an account through the user-management services."""
    if not can_manage_users(acting_user):
        return []
    return list(
        AuditEntry.objects.filter(action__startswith="user.", details__user=user.pk)
        .select_related("user")
        .order_by("-at", "-id")[:limit]
    )
