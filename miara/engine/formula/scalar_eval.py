"""The reference evaluator: one unit and period at a time, in plain Python.

It is the definition the vectorised evaluator is tested against, so it favours being
obviously right over being fast. The rules (shared with `polars_eval`):

* A missing input (None, or an absent code) makes the result missing, except in
  `coalesce` (first non-missing argument) and in the branch `if` does not take.
* Division by zero gives a missing result; its reason is `division_by_zero`.
* Any NaN or infinity (overflow, `(-8)^0.5`, `0^-1`) becomes missing, reason
  `not_finite`. This is checked after every operation, so no NaN or infinity ever flows
  into the next one.
* Comparisons give booleans; booleans used as numbers count as 1 and 0, and numbers used
  as conditions are true when non-zero.
* `and`, `or`, `not`, `if` and comparisons with a missing operand give a missing result.
  Unlike SQL, `false and missing` is missing too: one simple rule for every operator.
* `min` and `max` are missing if any argument is missing.
* `round(x, d)` rounds half away from zero (see `functions.round_scalar`).
* `ln`, `log10` of a value <= 0 and `sqrt` of a negative value give a missing result;
  its reason is `out_of_domain`. `exp` that overflows is `not_finite`.
* When several reasons apply (e.g. `1/0 + 0^-1`), division_by_zero wins, then
  out_of_domain, then not_finite. A missing
  indicator read by another formula is a missing input there, not a new issue.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from miara.engine.formula.functions import FUNCTIONS
from miara.engine.formula.nodes import COMPARE, Binary, Call, Code, Node, Number, Unary

Value = float | bool | None

# Why a result is missing, when it is not simply a missing input. The larger code wins
# when several apply (the same rule as in polars_eval).
NO_ISSUE, NOT_FINITE, OUT_OF_DOMAIN, DIVISION_BY_ZERO = 0, 1, 2, 3
ISSUE_KINDS = {
    NOT_FINITE: "not_finite",
    OUT_OF_DOMAIN: "out_of_domain",
    DIVISION_BY_ZERO: "division_by_zero",
}


def evaluate_scalar(
    node: Node,
    env: Mapping[str, float | None],
    prev_env: Mapping[str, float | None] | None = None,
) -> Value:
    """Evaluate one formula for one unit and period, as the reference for the vectorised
    evaluator and for explaining a single figure.

    `env` maps codes to this period's values, `prev_env` to the previous period's (None
    when that period is absent); indicators a formula reads must be in them, as floats.
    NaN and infinity in them count as missing. Returns a float, a bool for a condition,
    or None.
    """
    return _Evaluator(env, prev_env).run(node)[0]


def evaluate_scalar_with_issue(
    node: Node,
    env: Mapping[str, float | None],
    prev_env: Mapping[str, float | None] | None = None,
) -> tuple[Value, str | None]:
    """Like `evaluate_scalar`, plus why the result is missing (`division_by_zero`,
    `out_of_domain`, `not_finite`) when it is missing because of the arithmetic, not of the data."""
    value, reason = _Evaluator(env, prev_env).run(node)
    return value, ISSUE_KINDS.get(reason)


def _number(value: Value) -> float | None:
    if value is None:
        return None
    return float(value)


def _truth(value: Value) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    return value != 0.0


def _clean(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


class _Evaluator:
    def __init__(self, env, prev_env):
        self.env = env
        self.prev_env = prev_env

    def run(self, node: Node) -> tuple[Value, int]:
        """(value, reason); reason is NO_ISSUE whenever value is not None."""
        if isinstance(node, Number):
            return _finite(node.value)
        if isinstance(node, Code):
            return _clean(_number(self.env.get(node.name))), NO_ISSUE
        if isinstance(node, Unary):
            value, reason = self.run(node.operand)
            if value is None:
                return None, reason
            if node.op == "not":
                return not _truth(value), NO_ISSUE
            return -float(value), NO_ISSUE
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Call):
            return self.call(node)
        raise TypeError(f"not a formula node: {node!r}")

    def binary(self, node: Binary) -> tuple[Value, int]:
        left, left_reason = self.run(node.left)
        right, right_reason = self.run(node.right)
        if left is None or right is None:
            return None, max(left_reason, right_reason)
        op = node.op
        if op == "and":
            return _truth(left) and _truth(right), NO_ISSUE
        if op == "or":
            return _truth(left) or _truth(right), NO_ISSUE
        a, b = float(left), float(right)
        if op in ("<", "<=", ">", ">=", "==", "!="):
            return COMPARE[op](a, b), NO_ISSUE
        if op == "/":
            if b == 0.0:
                return None, DIVISION_BY_ZERO
            return _finite(a / b)
        if op == "^":
            try:
                return _finite(math.pow(a, b))
            except (ValueError, OverflowError):  # domain error or overflow: NaN or inf
                return None, NOT_FINITE
        if op == "+":
            return _finite(a + b)
        if op == "-":
            return _finite(a - b)
        if op == "*":
            return _finite(a * b)
        raise ValueError(f"unknown operator {op}")

    def call(self, node: Call) -> tuple[Value, int]:
        name = node.name
        if name == "prev":
            if self.prev_env is None:
                return None, NO_ISSUE
            return _clean(_number(self.prev_env.get(node.args[0].name))), NO_ISSUE
        if name == "if":
            condition, reason = self.run(node.args[0])
            if condition is None:
                return None, reason
            branch = node.args[1] if _truth(condition) else node.args[2]
            value, reason = self.run(branch)
            if isinstance(value, bool) and not is_boolean(node):
                value = float(value)
            return value, reason
        if name == "coalesce":
            results = [self.run(arg) for arg in node.args]
            present = next((v for v, _ in results if v is not None), None)
            if present is None:
                return None, max(reason for _, reason in results)
            if isinstance(present, bool) and not is_boolean(node):
                present = float(present)
            return present, NO_ISSUE
        function = FUNCTIONS[name]
        count = len(node.args) if function.values is None else function.values
        results = [self.run(arg) for arg in node.args[:count]]
        if any(value is None for value, _ in results):
            return None, max(reason for _, reason in results)
        numbers = [float(value) for value, _ in results]
        if function.domain is not None and not function.domain[0](numbers[0]):
            return None, OUT_OF_DOMAIN
        value = function.scalar(numbers, node.args[count:])
        if function.may_overflow:
            return _finite(value)
        return value, NO_ISSUE


def is_boolean(node: Node) -> bool:
    """Whether a formula gives a condition rather than a number (its static type).

    `if` and `coalesce` give a condition only when every alternative does, so that the
    type of a result does not depend on which branch a row takes.
    """
    if isinstance(node, Unary):
        return node.op == "not"
    if isinstance(node, Binary):
        return node.op in ("and", "or", "<", "<=", ">", ">=", "==", "!=")
    if isinstance(node, Call):
        if node.name == "if":
            return is_boolean(node.args[1]) and is_boolean(node.args[2])
        if node.name == "coalesce":
            return all(is_boolean(arg) for arg in node.args)
    return False


def _finite(value: float) -> tuple[float | None, int]:
    if math.isfinite(value):
        return value, NO_ISSUE
    return None, NOT_FINITE
