"""Numbers as the pages show them: fixed decimals, grouped, in the active language.

The same text as Django's `floatformat(value, "<decimals>g")` (round half up on the
number as written, a thousands separator, no "-0"), without its cost: a national
scorecard formats some two thousand numbers per request, and `floatformat` with
`number_format` takes about 50 µs each. The separators of each language are read once
from Django's locale formats (`DECIMAL_SEPARATOR`, `THOUSAND_SEPARATOR`,
`NUMBER_GROUPING`; a grouping other than by three goes to
Django's `number_format`).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.utils import formats, translation

_EXPONENTS = {places: Decimal(1).scaleb(-places) for places in range(0, 13)}


@cache
def _translation_table(language: str | None) -> dict[int, str] | None:
    """From Python's "1,234.5" to the language's; None where the grouping is not by 3."""
    with translation.override(language):
        decimal_sep = str(formats.get_format("DECIMAL_SEPARATOR", use_l10n=True))
        thousand_sep = str(formats.get_format("THOUSAND_SEPARATOR", use_l10n=True))
        grouping = formats.get_format("NUMBER_GROUPING", use_l10n=True)
    if grouping != 3:
        return None
    return str.maketrans({",": thousand_sep, ".": decimal_sep})


def fixed(value: float | int | None, decimals: int = 2, *, empty: str = "—") -> str:
    """`value` with `decimals` places, grouped and localised; `empty` for no value."""
    if value is None:
        return empty
    return _fixed(value, decimals, _translation_table(translation.get_language()))


def localised():
    """`fixed` bound to the active language, for a table that formats thousands of numbers
    (looking up the language costs as much as the formatting)."""
    table = _translation_table(translation.get_language())

    def fixed_here(value: float | int | None, decimals: int = 2, *, empty: str = "—") -> str:
        return empty if value is None else _fixed(value, decimals, table)

    return fixed_here


def _fixed(value: float | int, decimals: int, table: dict[int, str] | None) -> str:
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    places = min(max(int(decimals), 0), 12)
    rounded = Decimal(repr(value)).quantize(_EXPONENTS[places], ROUND_HALF_UP)
    if not rounded:
        rounded = rounded.copy_abs()
    if table is not None:
        return format(rounded, ",f").translate(table)
    return formats.number_format(rounded, places, use_l10n=True, force_grouping=True)


def signed(value: float | int | None, decimals: int = 2, *, fixed=fixed) -> str:
    """A change: always with its sign (a typographic minus), none when it rounds to 0."""
    if value is None:
        return "—"
    text = fixed(value, decimals)
    if text.startswith("-"):
        return "\u2212" + text[1:]
    return text if not text.strip("0.,\u00a0 ") else "+" + text


def percent_share(share: float | None, *, fixed=fixed) -> str:
    """A share (0.125) as a whole percentage without its sign ("13"; "4,5" below ten)."""
    if share is None:
        return ""
    hundredths = abs(share) * 100
    return fixed(hundredths, 1 if hundredths < 10 else 0)


def as_entered(value: float | None, *, fixed=fixed) -> str:
    """A stored raw value as entered: no trailing zeros, at most six decimals, localised."""
    if value is None:
        return "—"
    decimals = f"{value:.6f}".rstrip("0").split(".")[1]
    return fixed(value, len(decimals))
