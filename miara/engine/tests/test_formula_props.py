"""Properties: the vectorised evaluator agrees with the scalar reference on random formulas
and data, and formulas survive a round trip through their canonical text."""

import math
import string

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miara.engine.errors import FormulaSyntaxError
from miara.engine.formula import (
    Binary,
    Call,
    Code,
    Number,
    Unary,
    evaluate,
    parse,
    to_text,
)
from miara.engine.formula.functions import round_expr, round_scalar
from miara.engine.formula.scalar_eval import evaluate_scalar_with_issue
from miara.engine.periods import previous_code

CODES = ("A", "B", "C")
UNITS = ("u1", "u2", "u3")
PERIODS = ("2022", "2023", "2024", "2023-Q4", "2024-Q1", "2024-12", "2025-01")

PROPS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

numbers = st.one_of(
    st.sampled_from([0.0, 1.0, 2.0, 0.5, 3.0, 10.0, 1e308, 1e-300, 2.5]),
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
).map(Number)
codes = st.sampled_from(CODES).map(Code)
leaves = st.one_of(numbers, codes, codes.map(lambda code: Call("prev", (code,))))
digits = st.integers(-3, 6).map(lambda d: Number(float(d)) if d >= 0 else Unary("-", Number(-d)))


def extend(children):
    two_or_three = st.lists(children, min_size=2, max_size=3).map(tuple)
    return st.one_of(
        st.builds(Unary, st.sampled_from(["-", "not"]), children),
        st.builds(
            Binary,
            st.sampled_from(
                ["+", "-", "*", "/", "^", "<", "<=", ">", ">=", "==", "!=", "and", "or"]
            ),
            children,
            children,
        ),
        children.map(lambda x: Call("abs", (x,))),
        st.builds(
            lambda f, x: Call(f, (x,)), st.sampled_from(["ln", "log10", "exp", "sqrt"]), children
        ),
        st.builds(lambda x, d: Call("round", (x, d)), children, digits),
        st.builds(lambda c, a, b: Call("if", (c, a, b)), children, children, children),
        st.builds(Call, st.sampled_from(["min", "max", "coalesce"]), two_or_three),
    )


trees = st.recursive(leaves, extend, max_leaves=12)

data_values = st.one_of(
    st.none(),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0, -2.5, 0.5, 1e300, -1e300, 1e-300]),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
)


@st.composite
def datasets(draw):
    """For some (unit, period) pairs, a value (maybe missing) for each code."""
    cells = draw(
        st.lists(
            st.tuples(st.sampled_from(UNITS), st.sampled_from(PERIODS)),
            min_size=1,
            max_size=12,
            unique=True,
        )
    )
    return {cell: {code: draw(data_values) for code in CODES} for cell in cells}


def long_frame(dataset):
    rows = []
    for (unit, period), env in dataset.items():
        rows.append((unit, "ZZ_PRESENT", period, 1.0))  # the cell exists even if all missing
        rows.extend((unit, code, period, value) for code, value in env.items())
    return pl.DataFrame(
        rows,
        schema={"unit": pl.String, "variable": pl.String, "period": pl.String, "value": pl.Float64},
        orient="row",
    )


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-300)


@PROPS
@given(tree=trees, dataset=datasets())
def test_the_vectorised_evaluator_agrees_with_the_scalar_one(tree, dataset):
    result = evaluate(long_frame(dataset), {"R": to_text(tree)})
    got = {(r["unit"], r["period"]): r["value"] for r in result.values.iter_rows(named=True)}
    kinds = {(r["unit"], r["period"]): r["kind"] for r in result.issues.iter_rows(named=True)}
    assert result.values["value"].is_finite().all()
    for (unit, period), env in dataset.items():
        prev_env = dataset.get((unit, previous_code(period)))
        expected, kind = evaluate_scalar_with_issue(tree, env, prev_env)
        if isinstance(expected, bool):
            expected = float(expected)
        actual = got.get((unit, period))
        assert same(actual, expected), (unit, period, env, prev_env, actual, expected)
        assert kinds.get((unit, period)) == kind, (unit, period, env, prev_env)


def scalar_value(tree, env, prev_env):
    value = evaluate_scalar_with_issue(tree, env, prev_env)[0]
    return float(value) if isinstance(value, bool) else value


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=trees, second=trees, dataset=datasets())
def test_an_indicator_reading_another_agrees_with_the_scalar_one(first, second, dataset):
    # S reads R in this period and in the previous one; R is stored as a float.
    second = Binary("+", second, Binary("*", Code("R"), Call("prev", (Code("R"),))))
    result = evaluate(long_frame(dataset), {"R": to_text(first), "S": to_text(second)})
    got = {
        (r["unit"], r["period"]): r["value"]
        for r in result.values.filter(pl.col("indicator") == "S").iter_rows(named=True)
    }
    with_r = {
        cell: {**env, "R": scalar_value(first, env, dataset.get((cell[0], previous_code(cell[1]))))}
        for cell, env in dataset.items()
    }
    for (unit, period), env in with_r.items():
        prev_env = with_r.get((unit, previous_code(period)))
        expected = scalar_value(second, env, prev_env)
        actual = got.get((unit, period))
        assert same(actual, expected), (unit, period, env, prev_env, actual, expected)


@PROPS
@given(tree=trees)
def test_canonical_text_parses_back_to_the_same_tree(tree):
    text = to_text(tree)
    assert parse(text) == tree
    assert to_text(parse(text)) == text


@PROPS
@given(
    x=st.one_of(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(-(10**6), 10**6).map(lambda i: i / 8),  # exact halves and quarters
    ),
    digits=st.integers(-15, 15),
)
def test_rounding_is_identical_in_both_evaluators(x, digits):
    vectorised = pl.select(round_expr(pl.lit(x, dtype=pl.Float64), digits)).item()
    scalar = round_scalar(x, digits)
    assert vectorised == scalar or (vectorised == 0 and scalar == 0)
    assert math.isfinite(scalar)


@PROPS
@given(
    text=st.text(alphabet=string.ascii_letters + string.digits + " +-*/^()<>=!,.#_", max_size=30)
)
def test_any_text_parses_or_fails_with_a_position_inside_it(text):
    try:
        parse(text)
    except FormulaSyntaxError as error:
        assert 0 <= error.position <= len(text)
        assert error.message
