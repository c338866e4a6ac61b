"""Human labels for the short codes that units and results carry.

Unit types are free text in the units file (contracts.md); these are the ones the demo
and the two founding programmes use. An unknown type is shown as written.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

UNIT_TYPES = {
    "city_county": _("City with county rights"),
    "gmina_urban": _("Urban municipality"),
    "gmina_rural": _("Rural municipality"),
    "gmina_mixed": _("Urban-rural municipality"),
    "county": _("County office"),
    "obec": _("Municipality (obec)"),
    "orp": _("Municipality with extended powers (ORP)"),
}

COUNTRIES = {"PL": _("Poland"), "CZ": _("Czechia")}

DIRECTION_SYMBOLS = {"higher": "↑", "lower": "↓", "neutral": "•"}

QUARTILES = {
    1: _("1st quarter (best)"),
    2: _("2nd quarter"),
    3: _("3rd quarter"),
    4: _("4th quarter (weakest)"),
}


def unit_type_label(code: str) -> str:
    return str(UNIT_TYPES.get(code, code or "—"))


def country_label(code: str) -> str:
    return str(COUNTRIES.get(code, code or "—"))
