"""Who a unit is compared with, and how those other units are shown to the acting user.

The programme decides (methodology.md, "Anonymity in an anonymised programme"):
coordinators and experts see every unit by name; participants (managers, editors) see
other units by name only in a `named` programme. In an anonymised programme they see
another unit only as a pseudonym that belongs to one place — one indicator in one
period (`indicator_scope`), or one unit's list of similar units — so that what is shown
under a pseudonym in one place cannot be chained to what is shown in another; and never
another unit's context figures (neutral indicators, structural or raw variables) one by
one, only the group's (`shows_unit_values`). A participant's own units are always
themselves. Pages, CSVs, chart data, reports and the API call `unit_presenter(user)`
once and show every unit through it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from miara.accounts.scope import visible_unit_ids
from miara.units.models import Unit
from miara.units.selectors import others_named


@dataclass(frozen=True)
class ShownUnit:
    """A unit as one user may see it: `key` identifies it in a page, a CSV and chart data
    (its code when named, else its pseudonym), `label` is what a person reads."""

    key: str
    label: str
    named: bool
    own: bool
    unit_id: int

    @property
    def code(self) -> str | None:
        return self.key if self.named else None


def indicator_scope(indicator: str, period: str) -> str:
    """The place of an indicator's figures of one period: a pseudonym belongs to one."""
    return f"indicator:{indicator}:{period}"


def similar_scope(unit: str, period: str) -> str:
    """The place of one unit's list of similar units in one period."""
    return f"similar:{unit}:{period}"


def pseudonym(code: str, *, scope: str) -> str:
    """The pseudonym of a unit code in one place (`indicator_scope`, `similar_scope`),
    e.g. `K7QX-2MHA`.

    An HMAC keyed by the installation's secret over the place and the code: the same on
    every page, CSV and chart of that place, unrelated between two places (two
    indicators, two periods), and nobody can find a code's pseudonym by trying codes
    without the key.
    """
    if not scope:
        raise ValueError("a pseudonym belongs to one place: give its scope")
    digest = hmac.new(
        f"miara.pseudonym:{settings.SECRET_KEY}".encode(),
        f"{scope}\x1f{code}".encode(),
        hashlib.sha256,
    ).digest()
    # Base32 without the letters people confuse is close enough: 8 characters = 40 bits,
    # so two of a national programme's 6,300 units share one in a place with odds of
    # about 1 in 55,000 — and there are hundreds of places (indicators × periods).
    text = base64.b32encode(digest).decode()[:8].replace("0", "8").replace("O", "Q")
    return f"{text[:4]}-{text[4:]}"


def may_pick_other_units(user) -> bool:
    """Whether the user may name other units (by code) to compare with: everyone who
    sees them named; in an anonymised programme participants reach other units only
    through a peer group of their own unit (its similar units or a stored group)."""
    return others_named(user)


class UnitPresenter:
    """Shows units to one user: `show(unit)` gives the `ShownUnit` the user may see."""

    def __init__(self, user):
        self.visible = visible_unit_ids(user)
        self.named = others_named(user)

    def is_own(self, unit: Unit) -> bool:
        """One of the user's own units (coordinators and experts have none of their own)."""
        return self.visible is not None and unit.pk in self.visible

    def shows_unit_values(self, unit: Unit, direction: str) -> bool:
        """Whether the user may see the unit's own figure of an indicator of `direction`:
        always of their own units and in a named programme; in an anonymised one a
        participant sees other units' performance figures (under a pseudonym) but never
        their context figures (neutral indicators), which public statistics would tie
        to a name — only the group's."""
        return self.named or self.is_own(unit) or direction != "neutral"

    def show(self, unit: Unit, *, scope: str) -> ShownUnit:
        """The unit as the user sees it in one place (`indicator_scope`, `similar_scope`)."""
        own = self.is_own(unit)
        if own or self.named:
            return ShownUnit(key=unit.code, label=unit.name, named=True, own=own, unit_id=unit.pk)
        alias = pseudonym(unit.code, scope=scope)
        return ShownUnit(
            key=alias,
            label=_("Unit %(pseudonym)s") % {"pseudonym": alias},
            named=False,
            own=False,
            unit_id=unit.pk,
        )


def unit_presenter(user) -> UnitPresenter:
    return UnitPresenter(user)
