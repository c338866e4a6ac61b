"""Checks of the codes a caller filters by, with answers that say what to fix.

An unknown code is a 404 naming it (a filter on a typo would otherwise look like "no
data"); a unit the caller may not see is the same 404, so that the answer does not tell
which unit codes exist; a malformed period is a 422.

Cycles and submissions are fetched and authorised in one call: one the caller may not
see is a 404 like one that does not exist, since their ids would otherwise tell who
takes part in what.
"""

from __future__ import annotations

from django.http import Http404
from ninja.errors import HttpError, ValidationError

from miara.accounts.scope import visible_unit_ids
from miara.analytics.selectors import computed_periods
from miara.catalogue.models import Indicator, PeerGroup, Variable
from miara.collection.models import Cycle, Submission
from miara.collection.selectors import cycles_visible_to, submissions_visible_to
from miara.engine.periods import is_period
from miara.units.models import Unit

ALL_GROUP = "all"


def _listing(codes) -> str:
    return ", ".join(sorted(codes))


def check_periods(periods: list[str] | None, parameter: str = "period") -> list[str] | None:
    bad = [p for p in periods or [] if not is_period(p)]
    if bad:
        raise ValidationError(
            [
                {
                    "loc": ("query", parameter),
                    "msg": f"{p!r} is not a period; write 2024, 2024-Q1 or 2024-03",
                }
                for p in bad
            ]
        )
    return periods or None


def check_computed_periods(periods: list[str] | None) -> list[str] | None:
    check_periods(periods)
    missing = sorted(set(periods or []) - set(computed_periods()))
    if missing:
        raise HttpError(404, f"no computed results for period {_listing(missing)}")
    return periods or None


def check_indicators(codes: list[str] | None) -> list[str] | None:
    known = set(Indicator.objects.filter(code__in=codes or []).values_list("code", flat=True))
    missing = set(codes or []) - known
    if missing:
        raise HttpError(404, f"unknown indicator {_listing(missing)}")
    return codes or None


def check_variables(codes: list[str] | None) -> list[str] | None:
    known = set(Variable.objects.filter(code__in=codes or []).values_list("code", flat=True))
    missing = set(codes or []) - known
    if missing:
        raise HttpError(404, f"unknown variable {_listing(missing)}")
    return codes or None


def check_groups(codes: list[str] | None) -> list[str] | None:
    known = set(PeerGroup.objects.values_list("code", flat=True)) | {ALL_GROUP}
    missing = set(codes or []) - known
    if missing:
        raise HttpError(404, f"unknown group {_listing(missing)}; the groups are {_listing(known)}")
    return codes or None


def check_visible_units(user, codes: list[str] | None) -> list[str] | None:
    """Unknown codes and units outside the caller's scope are one 404 (as `access_unit`)."""
    if not codes:
        return None
    units = Unit.objects.filter(code__in=codes)
    visible = visible_unit_ids(user)
    if visible is not None:
        units = units.filter(pk__in=visible)
    missing = set(codes) - set(units.values_list("code", flat=True))
    if missing:
        raise HttpError(404, f"unknown unit {_listing(missing)}")
    return codes


def access_cycle(user, cycle_id: int) -> Cycle:
    cycle = cycles_visible_to(user).filter(pk=cycle_id).first()
    if cycle is None:
        raise Http404(f"there is no cycle {cycle_id} that you take part in")
    return cycle


def access_submission(user, submission_id: int) -> Submission:
    submission = submissions_visible_to(user).filter(pk=submission_id).first()
    if submission is None:
        raise Http404(f"there is no submission {submission_id} of a unit you may see")
    return submission
