"""What kind of quantity a variable is, and which numbers each kind admits.

A variable of the catalogue declares its kind (methodology.md, "Checking the data"):

| kind         | admits                                   | e.g.                          |
|--------------|------------------------------------------|-------------------------------|
| `count`      | whole numbers, not negative              | decisions issued, street lamps|
| `amount`     | any number, fractions allowed            | PLN, tonnes, MWh, FTE, km²    |
| `percentage` | from 0 to 100                            | an exam result in %           |
| `share`      | from 0 to 1                              | a share written as a fraction |
| `duration`   | not negative, fractions allowed          | days, minutes                 |

`amount` is the default: it admits every number, so a catalogue written before kinds
existed means what it always meant. The variable's own `min`/`max` apply on top.

One definition serves every channel: `violation()` for one number (a form field) and
`violation_expr()` for a whole frame (a file, the API, the quality engine).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

COUNT, AMOUNT, PERCENTAGE, SHARE, DURATION = "count", "amount", "percentage", "share", "duration"
DEFAULT = AMOUNT

# Why a number does not fit its kind; stable codes that callers put into words.
FRACTION, NEGATIVE, ABOVE = "fraction", "negative", "above"


@dataclass(frozen=True)
class Kind:
    """The numbers a kind admits: whole numbers only, and inclusive bounds."""

    whole: bool = False
    low: float | None = None
    high: float | None = None


KINDS: dict[str, Kind] = {
    COUNT: Kind(whole=True, low=0.0),
    AMOUNT: Kind(),
    PERCENTAGE: Kind(low=0.0, high=100.0),
    SHARE: Kind(low=0.0, high=1.0),
    DURATION: Kind(low=0.0),
}


def violation(kind: str | None, value: float | None) -> str | None:
    """Why the finite `value` does not fit `kind` (FRACTION, NEGATIVE or ABOVE), or None.

    A missing value, a non-finite one (reported elsewhere) and an unknown or empty kind
    fit. Below the lower bound of 0 is NEGATIVE, the only lower bound a kind has.
    """
    rule = KINDS.get(kind or DEFAULT)
    if rule is None or value is None or value != value or value in (float("inf"), -float("inf")):
        return None
    if rule.low is not None and value < rule.low:
        return NEGATIVE
    if rule.high is not None and value > rule.high:
        return ABOVE
    if rule.whole and not float(value).is_integer():
        return FRACTION
    return None


def violation_expr(kind: pl.Expr, value: pl.Expr) -> pl.Expr:
    """`violation()` for every row: the reason as a String, null where the value fits."""
    out = pl.lit(None, dtype=pl.String)
    # Built from the table, in the order of `violation()`: bounds first, then wholeness.
    checks: list[tuple[pl.Expr, str]] = []
    for name, rule in KINDS.items():
        mine = kind.fill_null(DEFAULT) == name
        if rule.low is not None:
            checks.append((mine & (value < rule.low), NEGATIVE))
    for name, rule in KINDS.items():
        mine = kind.fill_null(DEFAULT) == name
        if rule.high is not None:
            checks.append((mine & (value > rule.high), ABOVE))
    for name, rule in KINDS.items():
        mine = kind.fill_null(DEFAULT) == name
        if rule.whole:
            checks.append((mine & (value != value.floor()), FRACTION))
    finite = value.is_finite().fill_null(False)
    expr = None
    for condition, reason in checks:
        condition = finite & condition.fill_null(False)
        expr = (
            pl.when(condition).then(pl.lit(reason))
            if expr is None
            else expr.when(condition).then(pl.lit(reason))
        )
    return out if expr is None else expr.otherwise(out)
