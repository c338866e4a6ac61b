"""What a user may see and change: the one authorisation layer for pages, exports and API.

Every question about a user's role is answered here, one predicate per question; the
apps ask these predicates and never compare `user.role` themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from miara.accounts.models import Role, User, unit_model


@dataclass(frozen=True)
class Operator:
    """Whoever runs miara's commands (`miara load values`, `miara report`, the demo): they
    hold the database itself, so they act for every unit and no rule of who may write
    which unit applies to them; their changes are recorded without a user."""

    is_authenticated: bool = True
    is_active: bool = True
    sees_all_units: bool = True
    is_superuser: bool = False
    role: str = ""
    pk: None = None

    def __repr__(self) -> str:
        return "OPERATOR"


OPERATOR = Operator()


def is_operator(user) -> bool:
    """Whether `user` is the person at the command line (not a user account)."""
    return isinstance(user, Operator)


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


# --- role predicates ---------------------------------------------------------------------


def is_coordinator(user) -> bool:
    """Whether the user runs the programme: opens collections, reviews and accepts
    submissions, computes results, sets the programme's defaults and manages accounts
    (active coordinators and administrators)."""
    return _active(user) and (user.is_superuser or user.role == Role.COORDINATOR)


def reads_all_units(user) -> bool:
    """Whether the user reads every unit's data (coordinators, experts, administrators, and
    the operator at the command line)."""
    return _active(user) and user.sees_all_units


def manages_unit(user, unit_id: int) -> bool:
    """Whether the user is a manager of this unit (who answers for its submission)."""
    return _active(user) and user.role == Role.MANAGER and unit_id in _own_unit_ids(user)


def may_submit_for(user, unit_id: int) -> bool:
    """Whether the user may submit the unit's questionnaire: its manager or a coordinator."""
    return is_coordinator(user) or manages_unit(user, unit_id)


def unit_staff() -> QuerySet[User]:
    """Active people who enter the data of their own units (editors and managers)."""
    return User.objects.filter(is_active=True, role__in=[Role.EDITOR, Role.MANAGER])


# --- units -------------------------------------------------------------------------------


# One request asks for the user's units several times (the page's access, the write
# path's own authorisation): they are read once per user object and kept on it while no
# membership changed in this process. Request users are loaded afresh for each request,
# so another process's change is seen by the next request; `_memberships_changed` (wired
# in AccountsConfig.ready) covers changes made in this process, tests included.
_generation = [0]


def _memberships_changed(**_kwargs) -> None:
    _generation[0] += 1


def _own_unit_ids(user) -> set[int]:
    memo = user.__dict__.get("_miara_unit_ids")
    if memo is None or memo[0] != _generation[0]:
        ids = frozenset(user.units.order_by().values_list("id", flat=True))
        memo = user.__dict__["_miara_unit_ids"] = (_generation[0], ids)
    return set(memo[1])


def visible_unit_ids(user) -> set[int] | None:
    """Ids of the units whose data the user may read; None means every unit."""
    if not _active(user):
        return set()
    if user.sees_all_units:
        return None
    return _own_unit_ids(user)


def can_see_unit(user, unit) -> bool:
    ids = visible_unit_ids(user)
    return ids is None or unit.pk in ids


def writable_unit_ids(user) -> set[int] | None:
    """Ids of the units whose values the user may change; None means every unit."""
    if not _active(user):
        return set()
    if is_coordinator(user):
        return None
    if user.role in (Role.MANAGER, Role.EDITOR):
        return _own_unit_ids(user)
    return set()


def require_unit_access(user, unit) -> None:
    """For a unit already in hand (a service's defence in depth): 403 if it is hidden.
    A view that takes a unit's code from the request uses `access_unit` instead."""
    if not can_see_unit(user, unit):
        raise PermissionDenied


def access_unit(user, code: str):
    """The unit with this code, if the user may see it.

    A unit the user may not see answers the very 404 of a code that does not exist (same
    exception, same message), so that nobody learns from the answer which codes exist.
    """
    unit = unit_model().objects.filter(code=code).first()
    if unit is None or not can_see_unit(user, unit):
        raise Http404(_("There is no unit with the code “%(code)s”.") % {"code": code})
    return unit
