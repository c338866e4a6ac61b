"""The formula functions: their arity, and their scalar and vectorised implementations.

A new ordinary function (missing when any argument is) needs an entry in `ARITY` and in
`FUNCTIONS` (both implementations side by side), and a case in the strategy of
`tests/test_formula_props.py` so that the two are shown to agree. `if`, `coalesce` and
`prev` are special forms (they skip arguments or read another period) and live in the
evaluators themselves.

Rounding is done here by hand rather than with Python's `round` (half to even) or Polars'
`round` (whose modes and float handling have changed between versions), so that the scalar
and the vectorised evaluator perform the same IEEE operations and agree to the last bit.
The rule is **half away from zero** on the scaled value: `round(2.5, 0) = 3`,
`round(-2.5, 0) = -3`, `round(0.125, 2) = 0.13`. As with any binary float, a decimal
such as 1.005 is stored slightly below itself and rounds to 1.0.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from miara.engine.formula.nodes import Node, Number, Unary

# name -> (minimum, maximum) number of arguments; None = no maximum
ARITY: dict[str, tuple[int, int | None]] = {
    "abs": (1, 1),
    "min": (2, None),
    "max": (2, None),
    "round": (2, 2),
    "if": (3, 3),
    "coalesce": (2, None),
    "prev": (1, 1),
}

MAX_ROUND_DIGITS = 15

# Above 2**52 every float is already a whole number, so scaling cannot add information.
_WHOLE = 2.0**52


def round_scalar(x: float, digits: int) -> float:
    """Round half away from zero to `digits` decimals (negative: tens, hundreds, ...)."""
    if digits >= 0:
        factor = 10.0**digits
        scaled = x * factor
    else:
        factor = 10.0**-digits
        scaled = x / factor
    if not math.isfinite(scaled) or abs(scaled) >= _WHOLE:
        return x
    whole = float(math.floor(scaled)) if scaled >= 0 else float(math.ceil(scaled))
    if abs(scaled - whole) >= 0.5:
        whole += 1.0 if scaled > 0 else -1.0
    return whole / factor if digits >= 0 else whole * factor


def round_expr(x: pl.Expr, digits: int) -> pl.Expr:
    """The vectorised twin of `round_scalar`; `x` should be a column, it is read often."""
    if digits >= 0:
        factor = 10.0**digits
        scaled = x * factor
    else:
        factor = 10.0**-digits
        scaled = x / factor
    whole = pl.when(scaled >= 0).then(scaled.floor()).otherwise(scaled.ceil())
    bumped = (
        pl.when((scaled - whole).abs() >= 0.5)
        .then(whole + pl.when(scaled > 0).then(1.0).otherwise(-1.0))
        .otherwise(whole)
    )
    rounded = bumped / factor if digits >= 0 else bumped * factor
    return pl.when(scaled.abs() >= _WHOLE).then(x).otherwise(rounded)


def round_digits(node: Node) -> int | None:
    """The digits of round() if `node` is a whole-number literal in range (maybe negated)."""
    sign = 1
    if isinstance(node, Unary) and node.op == "-":
        sign, node = -1, node.operand
    if not isinstance(node, Number) or not node.value.is_integer():
        return None
    digits = sign * int(node.value)
    return digits if abs(digits) <= MAX_ROUND_DIGITS else None


@dataclass(frozen=True)
class Function:
    """An ordinary function: its result is missing when any value argument is.

    `values`: how many leading arguments are evaluated; the rest are literal parameters
    (the digits of round), passed as nodes. `scalar` gets floats, `vector` Float64
    expressions. `keeps_nulls`: `vector` already gives null for a null argument (else the
    evaluator adds the check). `reads_twice`: `vector` reads an argument more than once,
    so the evaluator must hand it a column, not a large expression. Both must give a
    finite result for finite arguments (no not_finite check is made after them).
    """

    values: int | None
    scalar: Callable[[list[float], tuple[Node, ...]], float]
    vector: Callable[[list[pl.Expr], tuple[Node, ...]], pl.Expr]
    keeps_nulls: bool
    reads_twice: bool


FUNCTIONS: dict[str, Function] = {
    "abs": Function(
        values=1,
        scalar=lambda xs, _: abs(xs[0]),
        vector=lambda xs, _: xs[0].abs(),
        keeps_nulls=True,
        reads_twice=False,
    ),
    # min_horizontal/max_horizontal skip nulls, so the evaluator adds the null check.
    "min": Function(
        values=None,
        scalar=lambda xs, _: min(xs),
        vector=lambda xs, _: pl.min_horizontal(xs),
        keeps_nulls=False,
        reads_twice=False,
    ),
    "max": Function(
        values=None,
        scalar=lambda xs, _: max(xs),
        vector=lambda xs, _: pl.max_horizontal(xs),
        keeps_nulls=False,
        reads_twice=False,
    ),
    "round": Function(
        values=1,
        scalar=lambda xs, params: round_scalar(xs[0], round_digits(params[0])),
        vector=lambda xs, params: round_expr(xs[0], round_digits(params[0])),
        keeps_nulls=True,
        reads_twice=True,
    ),
}
