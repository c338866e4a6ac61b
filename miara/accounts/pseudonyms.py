"""How a user may name other units: by name, or by a stable pseudonym.

In an `anonymised` programme a user who acts for a few units (a manager or an editor)
sees the other units of a comparison only as pseudonyms, never their names or codes;
coordinators and experts, and everyone in a `named` programme, see names. The rule lives
beside `scope.py` because it is part of authorisation: pages, CSV files and chart data
all label units through `unit_labeller()`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from miara.accounts.scope import visible_unit_ids
from miara.units.models import Programme


@dataclass(frozen=True)
class UnitLabel:
    """What a page may show of a unit: a label, and the code only when it may be shown."""

    label: str
    code: str | None
    own: bool  # one of the units the user acts for (or may see, for all-seeing roles)


def pseudonym(unit_id: int) -> str:
    """A short stable pseudonym: the same unit gets the same one on every page and period.

    An HMAC of the unit's id under the installation's secret key, so nobody can work a
    unit out of its pseudonym without the key; 6 base-32 characters (2**30 values) keep
    collisions unlikely even among a national programme's 6,300 units.
    """
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"unit:{unit_id}".encode(), hashlib.sha256
    ).digest()
    return base64.b32encode(digest[:5]).decode()[:6]


def sees_unit_names(user) -> bool:
    """Whether the user may see the names and codes of units outside their own scope."""
    if visible_unit_ids(user) is None:
        return True
    return Programme.current().visibility == Programme.Visibility.NAMED


class UnitLabeller:
    """Labels units for one user; reads the user's scope and the programme once."""

    def __init__(self, user):
        self.visible = visible_unit_ids(user)
        self.named = sees_unit_names(user)

    def own(self, unit_id: int) -> bool:
        return self.visible is None or unit_id in self.visible

    def __call__(self, unit_id: int, code: str, name: str) -> UnitLabel:
        if self.own(unit_id):
            return UnitLabel(label=name, code=code, own=True)
        if self.named:
            return UnitLabel(label=name, code=None, own=False)
        return UnitLabel(
            label=_("Unit %(pseudonym)s") % {"pseudonym": pseudonym(unit_id)}, code=None, own=False
        )


def unit_labeller(user) -> UnitLabeller:
    return UnitLabeller(user)
