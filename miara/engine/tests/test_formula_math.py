"""The functions ln, log10, exp and sqrt: values checked against numpy, the same result in
both evaluators, and a value outside a function's domain named as such, never a crash."""

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from miara.engine.errors import FormulaSyntaxError
from miara.engine.formula import evaluate, parse
from miara.engine.formula.scalar_eval import evaluate_scalar_with_issue

SCHEMA = {"unit": pl.String, "variable": pl.String, "period": pl.String, "value": pl.Float64}
NUMPY = {"ln": np.log, "log10": np.log10, "exp": np.exp, "sqrt": np.sqrt}


def both(formula, x):
    """(value, issue) from the vectorised and from the scalar evaluator, for X = x."""
    rows = [("u", "ZZ_PRESENT", "2024", 1.0), ("u", "X", "2024", x)]
    result = evaluate(pl.DataFrame(rows, schema=SCHEMA, orient="row"), {"R": formula})
    value = result.values["value"].to_list()
    kind = result.issues["kind"].to_list()
    vectorised = (value[0] if value else None, kind[0] if kind else None)
    return vectorised, evaluate_scalar_with_issue(parse(formula), {"X": x})


@pytest.mark.parametrize(
    ("function", "x"),
    [
        ("ln", 1.0),
        ("ln", math.e),
        ("ln", 1e-300),
        ("ln", 12345.678),
        ("log10", 1000.0),
        ("log10", 0.001),
        ("log10", 2.0),
        ("exp", 0.0),
        ("exp", -3.5),
        ("exp", 700.0),
        ("sqrt", 0.0),
        ("sqrt", 2.0),
        ("sqrt", 1e300),
    ],
)
def test_values_match_numpy(function, x):
    vectorised, scalar = both(f"{function}(X)", x)
    expected = float(NUMPY[function](x))
    assert vectorised == scalar == (pytest.approx(expected, rel=1e-15), None)


def test_log10_of_a_power_of_ten_is_exact():
    # Polars' own log10 gives 2.9999999999999996 here; `log10(X) >= 3` must hold.
    for k in range(-20, 300):
        vectorised, scalar = both("log10(X)", 10.0**k)
        assert vectorised[0] == scalar[0] == k
    assert both("log10(X) >= 3", 1000.0)[0] == (1.0, None)


@pytest.mark.parametrize(
    ("formula", "x"),
    [
        ("ln(X)", 0.0),
        ("ln(X)", -0.0),
        ("ln(X)", -2.0),
        ("log10(X)", 0.0),
        ("log10(X)", -1e-300),
        ("sqrt(X)", -1.0),
        ("sqrt(X)", -1e-300),
        ("sqrt(ln(X))", 0.5),  # ln(0.5) < 0
        ("ln(X) + 1", -1.0),
    ],
)
def test_a_value_outside_the_domain_is_missing_and_named(formula, x):
    vectorised, scalar = both(formula, x)
    assert vectorised == scalar == (None, "out_of_domain")


def test_sqrt_of_zero_is_zero_not_out_of_domain():
    assert both("sqrt(X)", 0.0) == ((0.0, None), (0.0, None))


def test_exp_that_overflows_is_not_finite():
    vectorised, scalar = both("exp(X)", 710.0)
    assert vectorised == scalar == (None, "not_finite")


def test_a_division_by_zero_inside_wins_over_the_domain():
    vectorised, scalar = both("ln(X / 0)", -1.0)
    assert vectorised == scalar == (None, "division_by_zero")


def test_a_missing_argument_is_missing_without_an_issue():
    rows = [("u", "ZZ_PRESENT", "2024", 1.0)]
    result = evaluate(pl.DataFrame(rows, schema=SCHEMA, orient="row"), {"R": "ln(X)"})
    assert result.values.is_empty() and result.issues.is_empty()
    assert evaluate_scalar_with_issue(parse("ln(X)"), {}) == (None, None)


def test_coalesce_supplies_a_fallback_for_a_value_outside_the_domain():
    vectorised, scalar = both("coalesce(ln(X), 0)", -5.0)
    assert vectorised == scalar == (0.0, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ln()", "ln takes 1 argument, got 0"),
        ("sqrt(A, B)", "sqrt takes 1 argument, got 2"),
        ("LN(A)", "functions are written in lower case: ln"),
        ("Log10(A)", "codes are upper case"),
        ("log(A)", "unknown function log: use ln \\(natural logarithm\\) or log10"),
        ("LOG(A)", "unknown function LOG: use ln"),
        ("pow(A, 2)", "unknown function pow: use \\^ for powers"),
    ],
)
def test_misuse_is_named_when_parsing(text, message):
    with pytest.raises(FormulaSyntaxError, match=message):
        parse(text)


@settings(max_examples=300, deadline=None)
@given(
    function=st.sampled_from(["ln", "log10", "exp", "sqrt"]),
    xs=st.lists(
        st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
        min_size=1,
        max_size=20,
    ),
)
def test_vectorised_equals_scalar_to_the_last_bit(function, xs):
    rows = [(f"u{i}", "X", "2024", x) for i, x in enumerate(xs)]
    rows += [(f"u{i}", "ZZ_PRESENT", "2024", 1.0) for i in range(len(xs))]
    result = evaluate(pl.DataFrame(rows, schema=SCHEMA, orient="row"), {"R": f"{function}(X)"})
    got = dict(zip(result.values["unit"], result.values["value"], strict=True))
    kinds = dict(zip(result.issues["unit"], result.issues["kind"], strict=True))
    tree = parse(f"{function}(X)")
    for i, x in enumerate(xs):
        value, kind = evaluate_scalar_with_issue(tree, {"X": x})
        assert got.get(f"u{i}") == value, (x, got.get(f"u{i}"), value)
        assert kinds.get(f"u{i}") == kind


@settings(max_examples=200, deadline=None)
@given(x=st.floats(min_value=1e-300, max_value=1e300))
def test_exp_undoes_ln_and_squares_undo_sqrt(x):
    ln, _ = both("exp(ln(X))", x)[1]
    assert math.isclose(ln, x, rel_tol=1e-12)
    square, _ = both("sqrt(X) * sqrt(X)", x)[1]
    assert math.isclose(square, x, rel_tol=1e-12)
    assert both("log10(X)", x)[1][0] == pytest.approx(math.log(x) / math.log(10), rel=1e-12)
