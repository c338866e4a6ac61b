"""What a user may see and change: the one authorisation layer for pages, exports and API."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from miara.accounts.models import Role


def visible_unit_ids(user) -> set[int] | None:
    """Ids of the units whose data the user may read; None means every unit."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    if user.sees_all_units:
        return None
    return set(user.units.values_list("id", flat=True))


def can_see_unit(user, unit) -> bool:
    ids = visible_unit_ids(user)
    return ids is None or unit.pk in ids


def writable_unit_ids(user) -> set[int] | None:
    """Ids of the units whose values the user may change; None means every unit."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser or user.role == Role.COORDINATOR:
        return None
    if user.role in (Role.MANAGER, Role.EDITOR):
        return set(user.units.values_list("id", flat=True))
    return set()


def require_unit_access(user, unit) -> None:
    if not can_see_unit(user, unit):
        raise PermissionDenied
