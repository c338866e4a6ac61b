"""The exact text of a stored number, as `parse_values` reads it back.

One rule for the form's inputs, the Excel template's cells and the tables read from
CSV/XLSX: full precision (repr), whole numbers without ".0" (below 10^15, where a float
still holds every whole number exactly).
"""

from __future__ import annotations


def number_text(value: float | int | None) -> str:
    """`value` as text for `parse_values`; "" for no value."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(value)
