"""The collection cycle most tests open: "Year 2024", every submission in draft."""

from __future__ import annotations

from miara.collection.cycles import cycle_open

FOUR_UNITS = ["A1", "B2", "C3", "D4"]


def cycle_2024(acting_user, variable_codes: list[str], unit_codes=("A1", "B2"), **options):
    """Open the 2024 cycle asking `variable_codes` of `unit_codes` (A1 and B2 unless told);
    `options` are cycle_open's others (required_codes, deadline)."""
    return cycle_open(
        period="2024",
        name="Year 2024",
        variable_codes=list(variable_codes),
        unit_codes=list(unit_codes),
        acting_user=acting_user,
        **options,
    )
