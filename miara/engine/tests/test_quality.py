"""Data-quality checks: each check at its boundary, the robust z against numpy, rule
parsing with positions, order and the absence of NaN/infinity in the findings."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import miara.engine.quality as quality
from miara.engine.errors import DuplicateValueError, FormulaSyntaxError, PeriodError
from miara.engine.quality import (
    FINDINGS_SCHEMA,
    ValidationRule,
    VariableRule,
    check_values,
    parse_rule,
)

FLOATS = [name for name, dtype in FINDINGS_SCHEMA.items() if dtype == pl.Float64]


def values(*rows: tuple[str, str, str, float | None]) -> pl.DataFrame:
    """unit, variable, period, value rows as a frame of the engine contract."""
    return pl.DataFrame(
        list(rows),
        schema={"unit": pl.String, "variable": pl.String, "period": pl.String, "value": pl.Float64},
        orient="row",
    )


def check(frame: pl.DataFrame, **kwargs) -> pl.DataFrame:
    kwargs.setdefault("variables", {})
    return check_values(frame, **kwargs)


def only(findings: pl.DataFrame, kind: str) -> pl.DataFrame:
    return findings.filter(pl.col("check") == kind)


# ----------------------------------------------------------------------------- general


def test_empty_input_gives_empty_findings_with_schema():
    out = check(values(), rules=[ValidationRule("R", "A", "<=", "B")], required={"A"})
    assert out.schema == pl.Schema(FINDINGS_SCHEMA)
    assert out.height == 0


def test_clean_values_give_no_findings():
    frame = values(("A", "X", "2024", 5.0), ("A", "Y", "2024", 6.0))
    out = check(
        frame,
        variables={"X": VariableRule("X", 0, 10)},
        rules=[ValidationRule("R1", "X", "<=", "Y")],
        required={"X", "Y"},
        history=values(("A", "X", "2023", 4.0)),
    )
    assert out.height == 0


def test_duplicate_values_are_refused():
    frame = values(("A", "X", "2024", 1.0), ("A", "X", "2024", 2.0))
    with pytest.raises(DuplicateValueError) as error:
        check(frame)
    assert (error.value.unit, error.value.variable, error.value.period) == ("A", "X", "2024")
    with pytest.raises(DuplicateValueError):
        check(values(("A", "X", "2024", 1.0)), peers=frame)


def test_malformed_period_is_refused():
    with pytest.raises(PeriodError):
        check(values(("A", "X", "2024-13", 1.0)))
    with pytest.raises(PeriodError):
        check(values(("A", "X", "2024", 1.0)), history=values(("A", "X", "23", 1.0)))


def test_negative_threshold_is_refused():
    with pytest.raises(ValueError):
        check(values(("A", "X", "2024", 1.0)), change_threshold=-0.1)
    with pytest.raises(ValueError):
        VariableRule("X", min=5, max=1)


# ----------------------------------------------------------------------------- range


@pytest.mark.parametrize(
    ("value", "fires", "detail"),
    [
        (0.0, False, None),
        (-1e-9, True, "below min 0.0"),
        (100.0, False, None),
        (100.000001, True, "above max 100.0"),
        (50.0, False, None),
    ],
)
def test_range_at_its_bounds(value, fires, detail):
    out = check(values(("A", "X", "2024", value)), variables={"X": VariableRule("X", 0, 100)})
    assert out.height == int(fires)
    if fires:
        row = out.row(0, named=True)
        assert row["check"] == "range" and row["severity"] == "error"
        assert row["value"] == value and row["detail"] == detail
        assert (row["expected_low"], row["expected_high"]) == (0.0, 100.0)


def test_range_with_one_bound_and_without_rule():
    frame = values(("A", "X", "2024", -5.0), ("A", "Y", "2024", -5.0), ("A", "Z", "2024", 1e9))
    out = check(
        frame, variables={"X": VariableRule("X", min=None, max=10), "Z": VariableRule("Z", min=0)}
    )
    assert out.height == 0


@pytest.mark.parametrize(
    ("value", "detail"),
    [(float("nan"), "value is nan"), (math.inf, "value is inf"), (-math.inf, "value is -inf")],
)
def test_non_finite_value_is_an_error_reported_without_the_value(value, detail):
    out = check(values(("A", "X", "2024", value)), variables={"X": VariableRule("X", 0, 1)})
    assert out.select("check", "severity", "value", "detail").rows() == [
        ("not_finite", "error", None, detail)
    ]


def test_missing_value_is_not_a_range_finding():
    out = check(values(("A", "X", "2024", None)), variables={"X": VariableRule("X", 0, 1)})
    assert out.height == 0


# ----------------------------------------------------------------------------- required


def test_required_missing_row_and_null_value():
    frame = values(("A", "X", "2024", 1.0), ("A", "Y", "2024", None), ("A", "W", "2024", 0.0))
    out = check(frame, required={"X", "Y", "Z", "W"})
    assert out.select("unit", "variable", "period", "check", "severity").rows() == [
        ("A", "Y", "2024", "required", "error"),
        ("A", "Z", "2024", "required", "error"),
    ]


def test_required_over_units_and_periods_given():
    frame = values(("A", "X", "2024", 1.0))
    out = check(frame, required={"X"}, units=["A", "B"], periods=["2023", "2024"])
    assert out.select("unit", "period").rows() == [("A", "2023"), ("B", "2023"), ("B", "2024")]
    # only the units given: periods come from the values
    out = check(frame, required={"X"}, units=["A", "B"])
    assert out.select("unit", "period").rows() == [("B", "2024")]
    # only the periods given: units come from the values
    out = check(frame, required={"X"}, periods=["2024", "2025"])
    assert out.select("unit", "period").rows() == [("A", "2025")]


def test_required_without_units_checks_pairs_present_only():
    frame = values(("A", "X", "2023", 1.0), ("B", "Y", "2024", 1.0))
    out = check(frame, required={"X"})
    assert out.select("unit", "period").rows() == [("B", "2024")]


def test_not_finite_value_counts_as_present_for_required():
    out = check(values(("A", "X", "2024", float("nan"))), required={"X"})
    assert out["check"].to_list() == ["not_finite"]


# ----------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("op", "left", "right", "fires"),
    [
        ("<=", 10.0, 10.0, False),
        ("<=", 10.5, 10.0, True),
        ("<", 9.0, 10.0, False),
        ("<", 10.0, 10.0, True),
        (">=", 10.0, 10.0, False),
        (">=", 9.0, 10.0, True),
        (">", 11.0, 10.0, False),
        (">", 10.0, 10.0, True),
        ("==", 10.0, 10.0, False),
        ("==", 10.0, 11.0, True),
        ("!=", 10.0, 11.0, False),
        ("!=", 10.0, 10.0, True),
    ],
)
@pytest.mark.parametrize("scalar", [True, False])
def test_rule_fires_only_when_false(op, left, right, fires, scalar, monkeypatch):
    monkeypatch.setattr(quality, "SCALAR_RULES_LIMIT", 10**9 if scalar else 0)
    frame = values(("A", "L", "2024", left), ("A", "R", "2024", right))
    out = check(frame, rules=[ValidationRule("R1", "L", op, "R", "warning")])
    assert out.height == int(fires)
    if fires:
        row = out.row(0, named=True)
        assert row["variable"] == "R1" and row["check"] == "rule"
        assert row["severity"] == "warning"
        assert row["value"] == left and row["reference"] == right
        assert row["detail"] == f"rule false: L {op} R"
        assert row["expected_low"] == (right if op in (">", ">=", "==") else None)
        assert row["expected_high"] == (right if op in ("<", "<=", "==") else None)


@pytest.mark.parametrize("scalar", [True, False])
def test_rule_with_missing_inputs_does_not_fire(scalar, monkeypatch):
    monkeypatch.setattr(quality, "SCALAR_RULES_LIMIT", 10**9 if scalar else 0)
    rule = ValidationRule.from_text("R1", "ON_TIME <= ISSUED")
    frames = [
        values(("A", "ON_TIME", "2024", 5.0)),  # no row
        values(("A", "ON_TIME", "2024", 5.0), ("A", "ISSUED", "2024", None)),  # null
        values(("A", "ON_TIME", "2024", 5.0), ("A", "ISSUED", "2024", float("nan"))),
        values(("A", "ISSUED", "2024", 1.0), ("B", "ON_TIME", "2024", 5.0)),  # other unit
    ]
    for frame in frames:
        assert only(check(frame, rules=[rule]), "rule").height == 0
    # division by zero makes a side missing: silent too
    zero = values(("A", "X", "2024", 1.0), ("A", "Y", "2024", 0.0))
    assert check(zero, rules=[ValidationRule.from_text("R2", "X / Y <= 1")]).height == 0


@pytest.mark.parametrize("scalar", [True, False])
def test_rule_reads_previous_period_from_history(scalar, monkeypatch):
    monkeypatch.setattr(quality, "SCALAR_RULES_LIMIT", 10**9 if scalar else 0)
    rule = ValidationRule.from_text("STOCK", "STOCK >= prev(STOCK) - OUTFLOW", severity="warning")
    frame = values(("A", "STOCK", "2024", 80.0), ("A", "OUTFLOW", "2024", 10.0))
    assert check(frame, rules=[rule]).height == 0  # no history: prev missing
    history = values(("A", "STOCK", "2023", 100.0))
    out = check(frame, rules=[rule], history=history)
    assert out.select("variable", "value", "reference", "severity").rows() == [
        ("STOCK", 80.0, 90.0, "warning")
    ]
    history = values(("A", "STOCK", "2023", 90.0))
    assert check(frame, rules=[rule], history=history).height == 0


def test_rule_with_boolean_and_functions():
    rule = ValidationRule.from_text("R", "if(A > 0, B, 0) <= max(C, 1)")
    frame = values(("A", "A", "2024", 1.0), ("A", "B", "2024", 3.0), ("A", "C", "2024", 2.0))
    assert check(frame, rules=[rule])["reference"].to_list() == [2.0]


def _random_frame(seed: int, units: int = 12) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    rows, history = [], []
    for u in range(units):
        for period in ("2023", "2024"):
            for var in ("A", "B", "C", "D"):
                draw = rng.random()
                value = None if draw < 0.15 else float(rng.integers(-3, 6))
                if draw > 0.95:
                    value = float("nan")
                rows.append((f"U{u:02d}", var, period, value))
        history.append((f"U{u:02d}", "A", "2022", float(rng.integers(-3, 6))))
    return values(*rows), values(*history)


RANDOM_RULES = [
    ValidationRule.from_text("R1", "A <= B"),
    ValidationRule.from_text("R2", "A / B < C", severity="warning"),
    ValidationRule.from_text("R3", "A - prev(A) >= D"),
    ValidationRule.from_text("R4", "coalesce(A, 0) != D"),
    ValidationRule.from_text("R5", "(A > 0 and B > 0) == (C > 0)"),
    ValidationRule.from_text("R6", "round(A / 3, 1) * 3 == A", severity="warning"),
]


@pytest.mark.parametrize("seed", range(5))
def test_scalar_and_vectorised_rule_paths_agree(seed, monkeypatch):
    frame, history = _random_frame(seed)
    monkeypatch.setattr(quality, "SCALAR_RULES_LIMIT", 10**9)
    scalar = check(frame, rules=RANDOM_RULES, history=history)
    monkeypatch.setattr(quality, "SCALAR_RULES_LIMIT", 0)
    vectorised = check(frame, rules=RANDOM_RULES, history=history)
    assert only(scalar, "rule").height > 0
    # Same findings; numbers may differ in the last bit: the vectorised round() divides
    # by 10^d as Polars does (it may multiply by the reciprocal), the scalar one exactly.
    assert scalar.drop(FLOATS).equals(vectorised.drop(FLOATS))
    for name in FLOATS:
        assert scalar[name].is_null().equals(vectorised[name].is_null())
        np.testing.assert_allclose(
            scalar[name].drop_nulls().to_numpy(),
            vectorised[name].drop_nulls().to_numpy(),
            rtol=1e-12,
        )


def test_rule_side_syntax_error_points_into_the_rule_text():
    rule = ValidationRule("R9", "A", "<=", "B +* 2")
    with pytest.raises(FormulaSyntaxError) as error:
        check(values(("U", "A", "2024", 1.0)), rules=[rule])
    assert error.value.position == rule.text.index("*")
    assert "R9" in str(error.value)


def test_rule_definition_errors():
    with pytest.raises(FormulaSyntaxError):
        ValidationRule("R", "A", "=<", "B")
    with pytest.raises(ValueError):
        ValidationRule("R", "A", "<", "B", severity="fatal")
    with pytest.raises(ValueError):
        check(values(), rules=[ValidationRule("R", "A", "<", "B")] * 2)


def test_rule_message_in_a_language():
    rule = ValidationRule("R", "A", "<", "B", message={"pl": "Za dużo", "en": "Too many"})
    assert rule.message_in("pl") == "Za dużo"
    assert rule.message_in("cs") == "Too many"
    assert (
        ValidationRule("R", "A", "<", "B", message={"pl": "Za dużo"}).message_in("cs") == "Za dużo"
    )
    assert ValidationRule("R", "A", "<", "B", message="Plain").message_in("en") == "Plain"


# ----------------------------------------------------------------------------- parse_rule


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PERMITS_ON_TIME <= PERMITS_ISSUED", ("PERMITS_ON_TIME", "<=", "PERMITS_ISSUED")),
        ("A+B>=C*2", ("A+B", ">=", "C*2")),
        ("(A <= B)", ("A", "<=", "B")),  # brackets around the whole rule go
        ("((A <= B))", ("A", "<=", "B")),
        ("((A + 1)) == max(B, C)", ("((A + 1))", "==", "max(B, C)")),
        ("( (A) ) != (B)", ("( (A) )", "!=", "(B)")),
        ("if(A < B, 1, 0) < 1", ("if(A < B, 1, 0)", "<", "1")),
        ("(A > 0) == (B > 0)", ("(A > 0)", "==", "(B > 0)")),
        ("  X < prev(X)  ", ("X", "<", "prev(X)")),
    ],
)
def test_parse_rule_splits_at_the_top_level_comparison(text, expected):
    assert parse_rule(text) == expected
    left, op, right = parse_rule(text)
    assert parse_rule(f"{left} {op} {right}") == (left, op, right)


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("A <= B and C > D", 7),  # two comparisons: at 'and'
        ("A + B", 5),  # no comparison: at the end
        ("A <= (B", 7),  # unclosed bracket: at the end
        ("A < B < C", 6),  # chained
        ("A <= ", 5),  # right side missing
        ("a <= B", 0),  # lower-case code
        ("A = B", 2),  # single =
        ("A <= B)", 6),  # stray bracket
        ("", 0),
    ],
)
def test_parse_rule_errors_carry_position(text, position):
    with pytest.raises(FormulaSyntaxError) as error:
        parse_rule(text)
    assert error.value.position == position
    assert f"at character {position + 1}" in str(error.value)


def test_rule_from_text_keeps_severity_and_message():
    rule = ValidationRule.from_text("R", "A<B", severity="warning", message="m")
    assert (rule.left, rule.op, rule.right, rule.severity, rule.text) == (
        "A",
        "<",
        "B",
        "warning",
        "A < B",
    )


# ----------------------------------------------------------------------------- change


@pytest.mark.parametrize(
    ("previous", "value", "fires"),
    [
        (100.0, 150.0, False),  # exactly +50 %
        (100.0, 50.0, False),  # exactly -50 %
        (0.2, 0.3, False),  # exactly +50 % as a person reads it
        (-100.0, -150.0, False),
        (100.0, 150.01, True),
        (100.0, 49.99, True),
        (-100.0, -150.01, True),
        (-100.0, 10.0, True),
        (0.0, 0.0, False),
        (0.0, 1e-12, True),
    ],
)
def test_change_at_the_threshold(previous, value, fires):
    out = check(values(("A", "X", "2024", value)), history=values(("A", "X", "2023", previous)))
    assert out.height == int(fires)
    if fires:
        row = out.row(0, named=True)
        assert (row["check"], row["severity"], row["reference"]) == ("change", "warning", previous)
        assert row["expected_low"] == pytest.approx(previous - 0.5 * abs(previous))
        assert row["expected_high"] == pytest.approx(previous + 0.5 * abs(previous))


def test_change_from_zero_reports_reference_zero():
    out = check(values(("A", "X", "2024", 3.0)), history=values(("A", "X", "2023", 0.0)))
    row = out.row(0, named=True)
    assert row["reference"] == 0.0 and row["detail"] == "change from 0 in 2023"


def test_change_detail():
    out = check(values(("A", "X", "2024", 162.5)), history=values(("A", "X", "2023", 100.0)))
    assert out["detail"].to_list() == ["change +62.5% vs 2023 exceeds 50.0%"]
    out = check(values(("A", "X", "2024", 20.0)), history=values(("A", "X", "2023", 100.0)))
    assert out["detail"].to_list() == ["change -80.0% vs 2023 exceeds 50.0%"]


def test_change_skipped_when_either_is_missing():
    assert check(values(("A", "X", "2024", 500.0))).height == 0
    history = values(("A", "X", "2023", None))
    assert check(values(("A", "X", "2024", 500.0)), history=history).height == 0
    history = values(("A", "X", "2023", 1.0))
    assert only(check(values(("A", "X", "2024", None)), history=history), "change").height == 0
    history = values(("A", "X", "2022", 1.0))  # not the previous period
    assert check(values(("A", "X", "2024", 500.0)), history=history).height == 0
    history = values(("B", "X", "2023", 1.0))  # another unit
    assert check(values(("A", "X", "2024", 500.0)), history=history).height == 0


def test_change_previous_from_values_themselves_and_subannual_periods():
    frame = values(
        ("A", "X", "2024-Q1", 10.0),
        ("A", "X", "2023-Q4", 100.0),
        ("A", "Y", "2024-01", 10.0),
        ("A", "Y", "2023-12", 100.0),
        ("A", "Z", "2024-Q2", 10.0),
    )
    out = check(frame, history=values(("A", "Z", "2024-Q1", 100.0)))
    assert out.select("variable", "period", "reference").rows() == [
        ("Y", "2024-01", 100.0),
        ("X", "2024-Q1", 100.0),
        ("Z", "2024-Q2", 100.0),
    ]


def test_change_values_take_precedence_over_history():
    frame = values(("A", "X", "2023", 100.0), ("A", "X", "2024", 140.0))
    history = values(("A", "X", "2023", 10.0))
    assert check(frame, history=history).height == 0


def test_change_threshold_per_variable_and_default():
    frame = values(("A", "X", "2024", 300.0), ("A", "Y", "2024", 300.0))
    history = values(("A", "X", "2023", 100.0), ("A", "Y", "2023", 100.0))
    variables = {"X": VariableRule("X", change_threshold=2.0)}
    out = check(frame, history=history, variables=variables)
    assert out["variable"].to_list() == ["Y"]
    out = check(frame, history=history, variables=variables, change_threshold=3.0)
    assert out.height == 0


# ----------------------------------------------------------------------------- outliers


def reference_outliers(
    checked: dict[str, float], peers: dict[str, float], threshold: float = 3.5
) -> dict[str, float]:
    """Robust z of each checked unit with numpy, from the methodology's definition."""
    merged = {**peers, **checked}
    x = np.array(list(merged.values()))
    med = np.median(x)
    mad = 1.4826 * np.median(np.abs(x - med))
    if len(x) < 5 or mad == 0:
        return {}
    z = {unit: (value - med) / mad for unit, value in checked.items()}
    return {unit: score for unit, score in z.items() if abs(score) > threshold}


@pytest.mark.parametrize("seed", range(8))
def test_robust_z_against_numpy(seed):
    rng = np.random.default_rng(seed)
    n_peers = int(rng.integers(3, 60))
    peers = {f"P{i:03d}": float(v) for i, v in enumerate(rng.standard_t(2, n_peers) * 10 + 50)}
    checked = {f"C{i:02d}": float(v) for i, v in enumerate(rng.standard_t(1, 15) * 30 + 50)}
    # a checked unit also among the peers: its checked value counts, once
    checked["P000"] = 1e4
    frame = values(*((unit, "X", "2024", v) for unit, v in checked.items()))
    peer_frame = values(*((unit, "X", "2024", v) for unit, v in peers.items()))
    out = check(frame, peers=peer_frame)
    expected = reference_outliers(checked, peers)
    assert out["unit"].to_list() == sorted(expected)
    assert out["reference"].to_list() == pytest.approx(
        [expected[unit] for unit in sorted(expected)], rel=1e-12
    )
    merged = np.array(list({**peers, **checked}.values()))
    if expected:
        assert out["median"].unique().to_list() == [np.median(merged)]
        mad = 1.4826 * np.median(np.abs(merged - np.median(merged)))
        assert out["expected_high"][0] == pytest.approx(np.median(merged) + 3.5 * mad)
        assert (out["check"] == "outlier").all() and (out["severity"] == "warning").all()


def test_outlier_exactly_at_threshold_does_not_fire():
    peers = {f"P{i}": v for i, v in enumerate([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])}
    checked = {"A": 30.0}
    x = np.array([*peers.values(), 30.0])
    med = np.median(x)
    z = (30.0 - med) / (1.4826 * np.median(np.abs(x - med)))
    frame = values(("A", "X", "2024", 30.0))
    peer_frame = values(*((u, "X", "2024", v) for u, v in peers.items()))
    assert check(frame, peers=peer_frame, outlier_threshold=float(z)).height == 0
    out = check(frame, peers=peer_frame, outlier_threshold=float(np.nextafter(z, 0)))
    assert out["reference"].to_list() == [z]
    assert reference_outliers(checked, peers, float(z)) == {}


def test_outlier_skipped_with_fewer_than_five_values_or_zero_mad():
    four = values(*((f"P{i}", "X", "2024", float(i)) for i in range(3)))
    assert check(values(("A", "X", "2024", 1e6)), peers=four).height == 0
    five = values(*((f"P{i}", "X", "2024", float(i)) for i in range(4)))
    assert check(values(("A", "X", "2024", 1e6)), peers=five).height == 1
    flat = values(*((f"P{i}", "X", "2024", 5.0) for i in range(10)))
    assert check(values(("A", "X", "2024", 1e6)), peers=flat).height == 0


def test_outlier_uses_same_variable_and_period_only_and_ignores_missing_peers():
    peers = values(
        *((f"P{i}", "X", "2024", float(i)) for i in range(10)),
        *((f"P{i}", "X", "2023", float(1000 + i)) for i in range(10)),
        *((f"P{i}", "Y", "2024", float(1000 + i)) for i in range(10)),
        ("Q1", "X", "2024", None),
        ("Q2", "X", "2024", float("nan")),
    )
    out = check(values(("A", "X", "2024", 1000.0), ("A", "Y", "2024", 1004.0)), peers=peers)
    assert out.select("variable", "median").rows() == [("X", 5.0)]
    assert out["detail"].to_list()[0].endswith("vs median of 11 values")


def test_outlier_among_checked_units_without_peers():
    frame = values(*((f"U{i}", "X", "2024", float(i)) for i in range(9)), ("Z", "X", "2024", 99.0))
    assert check(frame)["unit"].to_list() == ["Z"]


def test_missing_checked_value_hides_the_stored_peer_value():
    peers = values(
        *((f"P{i}", "X", "2024", float(i % 3)) for i in range(6)), ("A", "X", "2024", 1e6)
    )
    frame = values(("A", "X", "2024", None), ("B", "X", "2024", 1.0))
    assert check(frame, peers=peers).height == 0


# ----------------------------------------------------------------------------- order, NaN


def test_order_is_deterministic_and_sorted():
    frame, history = _random_frame(3, units=20)
    peers = values(*((f"P{i}", var, "2024", float(i)) for i in range(30) for var in "ABCD"))
    kwargs = {
        "variables": {"A": VariableRule("A", 0, 4), "B": VariableRule("B", -1, 3)},
        "rules": RANDOM_RULES,
        "history": history,
        "peers": peers,
        "required": {"A", "E"},
    }
    first = check_values(frame, **kwargs)
    assert set(first["check"]) >= {"range", "not_finite", "required", "rule", "change"}
    assert first.equals(first.sort("unit", "period", "variable", "check", "detail"))
    for seed in range(3):
        shuffled = frame.sample(fraction=1.0, shuffle=True, seed=seed)
        assert check_values(shuffled, **kwargs).equals(first)


def _assert_no_nan_or_inf(out: pl.DataFrame) -> None:
    for name in FLOATS:
        column = out[name].drop_nulls()
        assert column.is_finite().all(), name


def test_no_nan_or_inf_with_extreme_values():
    big = 1.7e308
    frame = values(
        ("A", "X", "2024", big),
        ("A", "Y", "2024", -big),
        ("A", "Z", "2024", math.inf),
        ("A", "W", "2024", float("nan")),
        ("A", "V", "2024", 5e-324),
    )
    history = values(("A", "X", "2023", 1.0), ("A", "Y", "2023", big), ("A", "V", "2023", -5e-324))
    peers = values(
        *((f"P{i}", var, "2024", -big if i % 2 else big) for i in range(8) for var in "XY")
    )
    rules = [ValidationRule.from_text("R", "X * 10 < Y"), ValidationRule.from_text("S", "V < X")]
    out = check(
        frame,
        history=history,
        peers=peers,
        rules=rules,
        variables={"X": VariableRule("X", 0, 1)},
        change_threshold=1e300,
    )
    assert out.height > 0
    _assert_no_nan_or_inf(out)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C", "D", "E", "F"]),
            st.sampled_from(["X", "Y"]),
            st.sampled_from(["2023", "2024"]),
            st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
        ),
        max_size=40,
        unique_by=lambda row: row[:3],
    )
)
def test_findings_never_hold_nan_or_inf(rows):
    frame = values(*rows)
    out = check(
        frame,
        variables={"X": VariableRule("X", -1e300, 1e300)},
        rules=[ValidationRule.from_text("R", "X / Y >= Y * Y - prev(X)")],
        required={"X"},
    )
    _assert_no_nan_or_inf(out)
    assert out.equals(out.sort("unit", "period", "variable", "check", "detail"))


def test_peer_classes_split_the_outlier_distribution_as_numpy_does():
    rng = np.random.default_rng(7)
    big = {f"B{i}": float(v) for i, v in enumerate(rng.normal(100_000, 3_000, 8))}
    small = {f"S{i}": float(v) for i, v in enumerate(rng.normal(3_000, 200, 20))}
    small["S0"] = 60_000.0  # an outlier among the small ones only
    lone = {"L0": 150_000.0}  # no class: compared with everyone
    everything = big | small | lone
    values = pl.DataFrame(
        {
            "unit": list(everything),
            "variable": ["X"] * len(everything),
            "period": ["2024"] * len(everything),
            "value": list(everything.values()),
        }
    )
    classes = {u: "big" for u in big} | {u: "small" for u in small} | {"L0": None}
    found = check_values(
        values, variables={"X": VariableRule(code="X")}, peer_classes=classes
    ).filter(pl.col("check") == "outlier")

    def robust_z(x, among):
        among = np.array(list(among))
        median = np.median(among)
        mad = np.median(np.abs(among - median))
        return (x - median) / (1.4826 * mad)

    expected = set()
    for unit, x in everything.items():
        members = {"big": big, "small": small, None: everything}[classes[unit]]
        if abs(robust_z(x, members.values())) > 3.5:
            expected.add(unit)
    assert set(found.get_column("unit")) == expected
    assert {"S0", "L0"} <= expected
    assert not expected & set(big)
