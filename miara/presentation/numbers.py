"""Numbers as people read them: fixed decimals, grouped, in the active language.

Every page, report and message formats its numbers here; files for programs (CSV
downloads, exports) write `exact` text. `fixed` gives the same text as Django's `floatformat(value, "<decimals>g")` (round half up on the
number as written, a thousands separator, no "-0"), without its cost: a national
scorecard formats some two thousand numbers per request, and `floatformat` with
`number_format` takes about 50 µs each. The separators of each language are read once
from Django's locale formats (`DECIMAL_SEPARATOR`, `THOUSAND_SEPARATOR`,
`NUMBER_GROUPING`; a grouping other than by three goes to
Django's `number_format`).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import cache

from django.utils import formats, translation

from miara.fileio.numbers import number_text

_EXPONENTS = {places: Decimal(1).scaleb(-places) for places in range(0, 13)}
# Enough digits for any float at 12 places (the default context's 28 refuse 1e30).
_WIDE = Context(prec=400)


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
    rounded = Decimal(repr(value)).quantize(_EXPONENTS[places], ROUND_HALF_UP, _WIDE)
    if not rounded:
        rounded = rounded.copy_abs()
    if table is not None:
        return format(rounded, ",f").translate(table)
    return formats.number_format(rounded, places, use_l10n=True, force_grouping=True)


def reading(value: float | None, *, fixed=fixed) -> str:
    """A number for reading in a sentence or a form: at most 2 decimals (4 below one),
    without trailing zeros."""
    if value is None:
        return "—"
    text = fixed(value, 4 if abs(value) < 1 else 2)
    separator = formats.get_format("DECIMAL_SEPARATOR")
    if separator in text:
        text = text.rstrip("0").rstrip(separator)
    return text


def limit_text(value: float | None, decimals: int = 3) -> str:
    """Whole numbers without decimals, others with `decimals` places (floatformat's "-3g");
    "" for no value."""
    if value is None or value == "":
        return ""
    return fixed(value, 0 if float(value).is_integer() else decimals)


def significant(value: float | None) -> str:
    """A reported number as entered, to 12 significant digits (900, 12.5, 0.0012), grouped
    and localised; no padding to fixed decimals."""
    if value is None:
        return "—"
    if not math.isfinite(value):
        return str(value)
    rounded = Decimal(f"{value:.12g}")
    table = _translation_table(translation.get_language())
    _sign, digits, exponent = rounded.as_tuple()
    if table is None or abs(exponent) + len(digits) > 200:
        # Django's number_format writes such extremes in scientific notation.
        return formats.number_format(rounded, use_l10n=True, force_grouping=True)
    return format(rounded, ",f").translate(table)


def input_text(value: float | None) -> str:
    """A stored number as the value of an input: full precision, no grouping, the
    reader's decimal separator (a Polish clerk sees and types 12,5)."""
    text = number_text(value)
    separator = formats.get_format("DECIMAL_SEPARATOR")
    return text.replace(".", separator) if separator != "." else text


def exact(value) -> str:
    """A number in a file for programs and spreadsheets (CSV downloads): a float as the
    shortest text that reads back as the same float, with a dot; "" for no value."""
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


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
