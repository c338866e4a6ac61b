"""The formula functions: their arity, and their scalar and vectorised implementations.

A new ordinary function (missing when any argument is) needs an entry in `ARITY` and in
`FUNCTIONS` (both implementations side by side), and a case in the strategy of
`tests/test_formula_props.py` so that the two are shown to agree.

`ln`, `log10` and `sqrt` have a domain: outside it (`ln`, `log10` of a value <= 0, `sqrt` of
a negative value) the result is missing with the reason `out_of_domain`, a data-quality
issue like a division by zero. `exp` can overflow; its result is then missing with the
reason `not_finite`. Polars' own `log10` divides the natural logarithm by ln 10, which
gives `log10(1000) = 2.9999999999999996`, so that a formula such as `log10(X) >= 3`
would be false for X = 1000; both evaluators therefore take numpy's `log10` (exact on
powers of ten, and the same bits for a scalar as for an array). `ln`, `exp` and `sqrt`
of Polars and of Python's `math` agree to the last bit. `if`, `coalesce` and
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

import numpy as np
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
    "ln": (1, 1),
    "log10": (1, 1),
    "exp": (1, 1),
    "sqrt": (1, 1),
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
    so the evaluator must hand it a column, not a large expression.

    `domain`: where the function is defined, as a pair of predicates on its (single)
    argument, scalar and vectorised; outside it the result is missing, reason
    `out_of_domain`. `may_overflow`: the result may be infinite for a finite argument,
    so the evaluators check it (reason `not_finite`); otherwise both implementations must
    give a finite result for finite arguments inside the domain.
    """

    values: int | None
    scalar: Callable[[list[float], tuple[Node, ...]], float]
    vector: Callable[[list[pl.Expr], tuple[Node, ...]], pl.Expr]
    keeps_nulls: bool
    reads_twice: bool
    domain: tuple[Callable[[float], bool], Callable[[pl.Expr], pl.Expr]] | None = None
    may_overflow: bool = False


def _positive(x: float) -> bool:
    return x > 0.0


def _not_negative(x: float) -> bool:
    return x >= 0.0


def _exp_scalar(x: float) -> float:
    """math.exp raises on overflow where Polars gives infinity; give infinity too, and let
    the evaluator's finite check turn it into a missing value."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _log10_scalar(x: float) -> float:
    return float(np.log10(np.float64(x)))


def _log10_vector(x: pl.Expr) -> pl.Expr:
    """numpy's log10 over the column. Values outside the domain (and nulls) are replaced
    by 1 before the call, so numpy never warns; the evaluator masks them afterwards."""
    safe = pl.when(x > 0.0).then(x).otherwise(1.0)
    return safe.map_batches(np.log10, return_dtype=pl.Float64, is_elementwise=True)


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
    "ln": Function(
        values=1,
        scalar=lambda xs, _: math.log(xs[0]),
        vector=lambda xs, _: xs[0].log(),
        keeps_nulls=True,
        reads_twice=True,
        domain=(_positive, lambda x: x > 0.0),
    ),
    "log10": Function(
        values=1,
        scalar=lambda xs, _: _log10_scalar(xs[0]),
        vector=lambda xs, _: _log10_vector(xs[0]),
        keeps_nulls=True,
        reads_twice=True,
        domain=(_positive, lambda x: x > 0.0),
    ),
    "exp": Function(
        values=1,
        scalar=lambda xs, _: _exp_scalar(xs[0]),
        vector=lambda xs, _: xs[0].exp(),
        keeps_nulls=True,
        reads_twice=True,
        may_overflow=True,
    ),
    "sqrt": Function(
        values=1,
        scalar=lambda xs, _: math.sqrt(xs[0]),
        vector=lambda xs, _: xs[0].sqrt(),
        keeps_nulls=True,
        reads_twice=True,
        domain=(_not_negative, lambda x: x >= 0.0),
    ),
}
