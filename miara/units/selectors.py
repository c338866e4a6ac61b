"""Reads about units that depend on the reader."""

from __future__ import annotations

from miara.accounts.scope import visible_unit_ids
from miara.units.models import Programme


def others_named(user) -> bool:
    """Whether the user sees units other than their own by name and code: coordinators
    and experts always, participants in a named programme (methodology.md, "Anonymity in
    an anonymised programme")."""
    if visible_unit_ids(user) is None:
        return True
    return Programme.current().visibility == Programme.Visibility.NAMED
