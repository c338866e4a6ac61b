"""Evaluating formulas: the vectorised evaluator, the scalar one, and catalogue checks."""

import math

import polars as pl
import pytest

from miara.engine.errors import (
    DuplicateCodeError,
    DuplicateValueError,
    FormulaCycleError,
    FormulaSyntaxError,
    InvalidCodeError,
    PeriodError,
    UnknownCodeError,
)
from miara.engine.formula import evaluate, evaluate_scalar, parse, validate_catalogue
from miara.engine.formula.scalar_eval import evaluate_scalar_with_issue

SCHEMA = {"unit": pl.String, "variable": pl.String, "period": pl.String, "value": pl.Float64}


def long(*rows):
    """rows of (unit, variable, period, value)."""
    return pl.DataFrame(list(rows), schema=SCHEMA, orient="row")


def by_row(evaluation, indicator):
    frame = evaluation.values.filter(pl.col("indicator") == indicator)
    return {(r["unit"], r["period"]): r["value"] for r in frame.iter_rows(named=True)}


def issues(evaluation, indicator=None):
    frame = evaluation.issues
    if indicator is not None:
        frame = frame.filter(pl.col("indicator") == indicator)
    return {(r["unit"], r["period"]): r["kind"] for r in frame.iter_rows(named=True)}


def one(formula, **values):
    """Evaluate a formula for one unit and period with both evaluators; they must agree."""
    # ZZ_UNUSED keeps the unit and period present even when every input is missing.
    rows = [("u", code, "2024", value) for code, value in values.items()]
    data = long(("u", "ZZ_UNUSED", "2024", 0.0), *rows)
    vectorised = by_row(evaluate(data, {"R": formula}), "R").get(("u", "2024"))
    scalar = evaluate_scalar(parse(formula), values)
    if isinstance(scalar, bool):
        scalar = float(scalar)
    assert (vectorised is None and scalar is None) or math.isclose(vectorised, scalar)
    return vectorised


class TestArithmetic:
    def test_it_computes_a_ratio(self):
        assert one("A / B * 100", A=1.0, B=4.0) == 25.0

    def test_precedence_reaches_the_numbers(self):
        assert one("-2^2") == -4.0
        assert one("(-2)^2") == 4.0
        assert one("2^3^2") == 512.0
        assert one("10 - 4 - 3") == 3.0

    def test_a_missing_input_gives_a_missing_result(self):
        assert one("A + B", A=1.0, B=None) is None
        assert one("abs(A)", A=None) is None
        assert one("-A", A=None) is None

    def test_a_code_absent_from_the_data_reads_as_missing(self):
        assert one("A + NOWHERE", A=1.0) is None
        assert one("coalesce(NOWHERE, A)", A=1.0) == 1.0

    def test_functions(self):
        assert one("abs(A)", A=-3.0) == 3.0
        assert one("min(A, B, 7)", A=5.0, B=9.0) == 5.0
        assert one("max(A, B, 7)", A=5.0, B=9.0) == 9.0

    def test_min_and_max_are_missing_when_any_argument_is(self):
        assert one("min(A, B)", A=1.0, B=None) is None
        assert one("max(A, B)", A=None, B=1.0) is None


class TestCoalesce:
    def test_it_takes_the_first_present_argument(self):
        assert one("coalesce(A, B, 0)", A=None, B=2.0) == 2.0
        assert one("coalesce(A, B, 0)", A=1.0, B=2.0) == 1.0
        assert one("coalesce(A, B, 0)", A=None, B=None) == 0.0

    def test_it_is_missing_when_every_argument_is(self):
        assert one("coalesce(A, B)", A=None, B=None) is None

    def test_it_skips_a_division_by_zero(self):
        assert one("coalesce(A / B, -1)", A=1.0, B=0.0) == -1.0


class TestLogic:
    def test_comparisons_used_in_arithmetic_count_as_one_and_zero(self):
        assert one("(A > 1) + (B > 1) * 10", A=2.0, B=0.0) == 1.0
        assert one("-(A == 2)", A=2.0) == -1.0

    def test_a_boolean_result_becomes_a_float(self):
        assert one("A >= 2", A=2.0) == 1.0
        assert one("A != 2", A=2.0) == 0.0

    def test_if_picks_a_branch(self):
        assert one("if(A > 0, A, -A)", A=-3.0) == 3.0
        assert one("if(A > 0, A, -A)", A=3.0) == 3.0

    def test_if_with_a_missing_condition_is_missing(self):
        assert one("if(A > 0, 1, 2)", A=None) is None

    def test_if_ignores_the_branch_it_does_not_take(self):
        assert one("if(B == 0, 0, A / B)", A=1.0, B=0.0) == 0.0
        assert one("if(A > 0, A, NOWHERE)", A=1.0) == 1.0

    def test_a_number_used_as_a_condition_is_true_when_not_zero(self):
        assert one("if(A, 1, 2)", A=-0.5) == 1.0
        assert one("if(A, 1, 2)", A=0.0) == 2.0
        assert one("not A", A=0.0) == 1.0

    def test_and_or_not(self):
        assert one("A > 0 and B > 0", A=1.0, B=1.0) == 1.0
        assert one("A > 0 and B > 0", A=1.0, B=-1.0) == 0.0
        assert one("A > 0 or B > 0", A=-1.0, B=1.0) == 1.0
        assert one("A > 0 or B > 0", A=-1.0, B=-1.0) == 0.0
        assert one("not A > 0", A=1.0) == 0.0

    def test_a_missing_operand_makes_and_or_not_missing(self):
        # Deliberately not SQL's three-valued logic: `false and missing` is missing too.
        assert one("A > 0 and B > 0", A=-1.0, B=None) is None
        assert one("A > 0 or B > 0", A=1.0, B=None) is None
        assert one("not A", A=None) is None
        assert one("A < B", A=None, B=1.0) is None


class TestRounding:
    @pytest.mark.parametrize(
        ("formula", "expected"),
        [
            ("round(2.5, 0)", 3.0),
            ("round(-2.5, 0)", -3.0),
            ("round(3.5, 0)", 4.0),
            ("round(0.5, 0)", 1.0),
            ("round(0.49999999999999994, 0)", 0.0),
            ("round(0.125, 2)", 0.13),
            ("round(-0.125, 2)", -0.13),
            # 2.675 is stored as 2.67499999..., but 2.675 * 100 rounds to exactly 267.5
            ("round(2.675, 2)", 2.68),
            ("round(1.005, 2)", 1.0),  # 1.005 * 100 is 100.49999999999999
            ("round(1234.5, -2)", 1200.0),
            ("round(1250, -2)", 1300.0),
            ("round(-1250, -2)", -1300.0),
            ("round(1e300, 5)", 1e300),
            ("round(123.456, 15)", 123.456),
        ],
    )
    def test_it_rounds_half_away_from_zero_in_both_evaluators(self, formula, expected):
        assert one(formula) == expected

    def test_it_rounds_values_from_the_data(self):
        assert one("round(A / 3, 2)", A=2.0) == 0.67


class TestIssues:
    def test_a_division_by_zero_is_missing_and_reported(self):
        data = long(("u", "A", "2024", 1.0), ("u", "B", "2024", 0.0))
        result = evaluate(data, {"R": "A / B"})
        assert by_row(result, "R") == {}
        assert issues(result) == {("u", "2024"): "division_by_zero"}

    def test_zero_divided_by_zero_is_a_division_by_zero(self):
        assert evaluate_scalar_with_issue(parse("A / B"), {"A": 0.0, "B": -0.0}) == (
            None,
            "division_by_zero",
        )

    def test_a_missing_numerator_over_zero_is_only_missing(self):
        data = long(("u", "B", "2024", 0.0))
        result = evaluate(data, {"R": "A / B"})
        assert by_row(result, "R") == {}
        assert issues(result) == {}

    @pytest.mark.parametrize(
        ("formula", "values"),
        [
            ("(-8) ^ 0.5", {}),
            ("A ^ 0.5", {"A": -8.0}),
            ("10 ^ 400", {}),
            ("A * A", {"A": 1e200}),
            ("A + A", {"A": 1.7e308}),
            ("A / B", {"A": 1e300, "B": 1e-300}),
            ("0 ^ -1", {}),
        ],
    )
    def test_a_non_finite_result_is_missing_and_reported(self, formula, values):
        data = long(
            ("u", "ZZ_UNUSED", "2024", 0.0), *(("u", k, "2024", v) for k, v in values.items())
        )
        result = evaluate(data, {"R": formula})
        assert by_row(result, "R") == {}
        assert issues(result) == {("u", "2024"): "not_finite"}
        assert evaluate_scalar_with_issue(parse(formula), values) == (None, "not_finite")

    def test_no_issue_when_the_result_is_present(self):
        data = long(("u", "A", "2024", 1.0), ("u", "B", "2024", 0.0))
        result = evaluate(data, {"R": "coalesce(A / B, 0)", "S": "if(B == 0, 0, A / B)"})
        assert by_row(result, "R") == {("u", "2024"): 0.0}
        assert by_row(result, "S") == {("u", "2024"): 0.0}
        assert result.issues.is_empty()

    def test_an_indicator_reading_a_failed_indicator_is_missing_without_an_issue(self):
        data = long(("u", "A", "2024", 1.0), ("u", "B", "2024", 0.0))
        result = evaluate(data, {"R": "A / B", "S": "R + 1"})
        assert issues(result) == {("u", "2024"): "division_by_zero"}
        assert issues(result, "S") == {}

    def test_no_nan_or_infinity_ever_comes_out(self):
        data = long(
            ("u", "A", "2024", 0.0),
            ("u", "B", "2024", -1.0),
            ("u", "C", "2024", 1e308),
            ("v", "A", "2024", float("nan")),
            ("v", "B", "2024", float("inf")),
            ("v", "C", "2024", -float("inf")),
        )
        formulas = {
            "R1": "A / A",
            "R2": "B ^ 0.5",
            "R3": "C * 10",
            "R4": "1 / (C * 10)",
            "R5": "-C - C",
            "R6": "round(C * 2, 2)",
            "R7": "coalesce(A, B, C) / 0",
            "R8": "max(A, B, C) ^ 3",
            "R9": "A + B + C",
        }
        values = evaluate(data, formulas).values["value"]
        assert values.is_finite().all()
        assert values.null_count() == 0
        assert by_row(evaluate(data, formulas), "R9") == {("u", "2024"): 1e308 - 1.0}

    def test_every_issue_is_a_missing_value(self):
        data = long(("u", "A", "2024", 0.0), ("v", "A", "2024", 2.0))
        result = evaluate(data, {"R": "1 / A", "S": "if(A > 0, A, 1 / A)"})
        assert issues(result, "R") == {("u", "2024"): "division_by_zero"}
        assert issues(result, "S") == {("u", "2024"): "division_by_zero"}
        assert by_row(result, "S") == {("v", "2024"): 2.0}


class TestPrev:
    def evaluate_prev(self, periods):
        rows = [("u", "X", period, float(i)) for i, period in enumerate(periods)]
        return by_row(evaluate(long(*rows), {"G": "X - prev(X)", "P": "prev(X)"}), "P")

    def test_a_year_follows_the_previous_year(self):
        assert self.evaluate_prev(["2022", "2023", "2024"]) == {
            ("u", "2023"): 0.0,
            ("u", "2024"): 1.0,
        }

    def test_a_first_quarter_follows_the_last_quarter_of_the_year_before(self):
        assert self.evaluate_prev(["2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"]) == {
            ("u", "2023-Q4"): 0.0,
            ("u", "2024-Q1"): 1.0,
            ("u", "2024-Q2"): 2.0,
        }

    def test_january_follows_december(self):
        assert self.evaluate_prev(["2023-11", "2023-12", "2024-01", "2024-02"]) == {
            ("u", "2023-12"): 0.0,
            ("u", "2024-01"): 1.0,
            ("u", "2024-02"): 2.0,
        }

    def test_it_is_missing_when_the_previous_period_is_absent(self):
        assert self.evaluate_prev(["2021", "2023", "2024"]) == {("u", "2024"): 1.0}

    def test_it_does_not_mix_kinds_of_period(self):
        assert self.evaluate_prev(["2023", "2024-01", "2024-Q1"]) == {}

    def test_it_reads_the_same_unit_only(self):
        data = long(
            ("a", "X", "2023", 1.0),
            ("a", "X", "2024", 2.0),
            ("b", "X", "2024", 5.0),
            ("c", "Y", "2023", 7.0),
            ("c", "X", "2024", 9.0),
        )
        assert by_row(evaluate(data, {"G": "X - prev(X)"}), "G") == {("a", "2024"): 1.0}

    def test_it_reads_an_indicator_of_the_previous_period(self):
        data = long(*(("u", "X", p, v) for p, v in [("2022", 1.0), ("2023", 2.0), ("2024", 4.0)]))
        result = evaluate(data, {"D": "X * 10", "G": "D / prev(D) - 1"})
        assert by_row(result, "G") == {("u", "2023"): 1.0, ("u", "2024"): 1.0}

    def test_the_scalar_evaluator_reads_the_previous_environment(self):
        tree = parse("X - prev(X)")
        assert evaluate_scalar(tree, {"X": 5.0}, {"X": 3.0}) == 2.0
        assert evaluate_scalar(tree, {"X": 5.0}, None) is None
        assert evaluate_scalar(tree, {"X": 5.0}, {}) is None


class TestFrames:
    def test_the_output_has_the_contract_columns_and_types(self):
        result = evaluate(long(("u", "A", "2024", 1.0)), {"R": "A / 0"})
        assert result.values.schema == pl.Schema(
            {"indicator": pl.String, "unit": pl.String, "period": pl.String, "value": pl.Float64}
        )
        assert result.issues.schema == pl.Schema(
            {"indicator": pl.String, "unit": pl.String, "period": pl.String, "kind": pl.String}
        )

    def test_the_output_is_sorted_by_indicator_unit_and_period(self):
        rows = [
            (unit, "A", period, float(i))
            for i, (unit, period) in enumerate(
                [("b", "2024"), ("a", "2024"), ("b", "2023"), ("a", "2023"), ("c", "2022")]
            )
        ]
        result = evaluate(long(*reversed(rows)), {"Z": "A", "M": "A + 1", "B": "A / 0"})
        values = result.values
        assert values.equals(values.sort("indicator", "unit", "period"))
        assert values["indicator"].unique(maintain_order=True).to_list() == ["M", "Z"]
        assert result.issues.equals(result.issues.sort("indicator", "unit", "period"))
        assert len(result.issues) == 5

    def test_empty_data_gives_empty_frames(self):
        result = evaluate(long(), {"R": "A + 1", "S": "1"})
        assert result.values.is_empty()
        assert result.issues.is_empty()
        assert result.values.columns == ["indicator", "unit", "period", "value"]

    def test_a_unit_period_with_no_value_has_no_row(self):
        data = long(
            ("u", "A", "2024", None), ("v", "A", "2024", 3.0), ("w", "A", "2024", float("nan"))
        )
        assert by_row(evaluate(data, {"R": "coalesce(A, 1)"}), "R") == {("v", "2024"): 3.0}

    def test_a_constant_formula_gives_a_value_to_every_unit_period_with_data(self):
        data = long(("u", "A", "2023", 1.0), ("u", "B", "2024", 2.0), ("v", "C", "2024", 3.0))
        assert set(by_row(evaluate(data, {"R": "7"}), "R")) == {
            ("u", "2023"),
            ("u", "2024"),
            ("v", "2024"),
        }

    def test_variables_that_no_formula_reads_are_ignored(self):
        data = long(("u", "A", "2024", 1.0), ("u", "EXTRA", "2024", 5.0))
        assert by_row(evaluate(data, {"R": "A * 2"}), "R") == {("u", "2024"): 2.0}

    def test_an_indicator_reads_another_indicator(self):
        data = long(("u", "A", "2024", 2.0))
        result = evaluate(data, {"C": "B * 10", "B": "A + 1", "D": "A > 1"})
        assert by_row(result, "C") == {("u", "2024"): 30.0}
        assert by_row(result, "D") == {("u", "2024"): 1.0}

    def test_a_subset_of_indicators_computes_what_they_need(self):
        data = long(("u", "A", "2024", 2.0))
        formulas = {"C": "B * 10", "B": "A + 1", "D": "A / 0"}
        result = evaluate(data, formulas, indicators=["C"])
        assert result.values["indicator"].to_list() == ["C"]
        assert by_row(result, "C") == {("u", "2024"): 30.0}
        assert result.issues.is_empty()

    def test_integer_and_categorical_inputs_are_accepted(self):
        data = pl.DataFrame(
            {"unit": ["u"], "variable": ["A"], "period": ["2024"], "value": [3]}
        ).with_columns(pl.col("unit").cast(pl.Categorical))
        assert by_row(evaluate(data, {"R": "A / 2"}), "R") == {("u", "2024"): 1.5}

    def test_a_duplicated_value_is_refused(self):
        data = long(("u", "A", "2024", 1.0), ("u", "B", "2024", 1.0), ("u", "A", "2024", 2.0))
        with pytest.raises(DuplicateValueError) as info:
            evaluate(data, {"R": "A"})
        assert (info.value.unit, info.value.variable, info.value.period) == ("u", "A", "2024")

    def test_a_variable_named_like_an_indicator_is_refused(self):
        with pytest.raises(DuplicateCodeError):
            evaluate(long(("u", "R", "2024", 1.0)), {"R": "1"})

    def test_a_malformed_period_is_refused(self):
        with pytest.raises(PeriodError):
            evaluate(long(("u", "A", "2024-13", 1.0)), {"R": "A"})

    def test_a_cycle_is_refused(self):
        with pytest.raises(FormulaCycleError):
            evaluate(long(("u", "A", "2024", 1.0)), {"R": "S", "S": "R"})

    def test_long_and_deep_formulas_stay_fast(self):
        # Nested sub-expressions read twice must not multiply in Polars' planner.
        data = long(("u", "A", "2024", 1.0), ("u", "B", "2024", 2.0))
        chain = " + ".join(["A / B"] * 60)
        nested = "A"
        for _ in range(12):
            nested = f"round(coalesce(({nested}) / B, 0) ^ 2 + 1, 6)"
        result = evaluate(data, {"R": chain, "S": nested})
        assert by_row(result, "R")[("u", "2024")] == pytest.approx(30.0)
        scalar = evaluate_scalar(parse(nested), {"A": 1.0, "B": 2.0})
        assert by_row(result, "S")[("u", "2024")] == scalar


class TestValidateCatalogue:
    VARIABLES = {"COST", "STAFF", "POP"}

    def test_it_returns_indicators_in_dependency_order_with_alphabetical_ties(self):
        formulas = {
            "PER_CAPITA": "COST / POP",
            "TOTAL": "PER_CAPITA * STAFF + SHARE",
            "SHARE": "STAFF / POP",
            "A_FIRST": "TOTAL + 1",
            "Z_INDEPENDENT": "COST",
        }
        assert validate_catalogue(self.VARIABLES, formulas) == [
            "PER_CAPITA",
            "SHARE",
            "TOTAL",
            "A_FIRST",
            "Z_INDEPENDENT",
        ]

    def test_it_returns_independent_indicators_alphabetically(self):
        assert validate_catalogue(self.VARIABLES, {"B": "COST", "A": "POP", "C": "1"}) == [
            "A",
            "B",
            "C",
        ]

    def test_an_unknown_code_is_reported_with_its_position_and_indicator(self):
        formulas = {"OK": "COST", "RATIO": "COST / POPULATION + XYZ"}
        with pytest.raises(UnknownCodeError) as info:
            validate_catalogue(self.VARIABLES, formulas)
        error = info.value
        assert (error.code, error.position, error.indicator) == ("POPULATION", 7, "RATIO")
        assert error.formula == "COST / POPULATION + XYZ"
        assert str(error) == "indicator RATIO: unknown code POPULATION (at character 8)"

    def test_an_unknown_code_inside_prev_is_reported(self):
        with pytest.raises(UnknownCodeError) as info:
            validate_catalogue(self.VARIABLES, {"G": "COST - prev(COSTS)"})
        assert (info.value.code, info.value.position) == ("COSTS", 12)

    def test_a_syntax_error_names_the_indicator(self):
        with pytest.raises(FormulaSyntaxError) as info:
            validate_catalogue(self.VARIABLES, {"RATIO": "COST / (POP"})
        assert info.value.indicator == "RATIO"
        assert info.value.position == 11
        assert str(info.value).startswith("indicator RATIO: missing closing parenthesis")

    def test_an_indicator_depending_on_itself_is_a_cycle(self):
        with pytest.raises(FormulaCycleError) as info:
            validate_catalogue(self.VARIABLES, {"A": "A + 1"})
        assert info.value.cycle == ["A", "A"]

    def test_prev_of_itself_is_a_cycle_too(self):
        # Documented limitation: evaluation is vectorised over periods, not period by period.
        with pytest.raises(FormulaCycleError) as info:
            validate_catalogue(self.VARIABLES, {"STOCK": "prev(STOCK) + COST"})
        assert info.value.cycle == ["STOCK", "STOCK"]

    def test_a_cycle_of_two(self):
        with pytest.raises(FormulaCycleError) as info:
            validate_catalogue(self.VARIABLES, {"A": "B + COST", "B": "A * 2", "C": "COST"})
        assert info.value.cycle == ["A", "B", "A"]
        assert info.value.indicator == "A"
        assert "A -> B -> A" in str(info.value)

    def test_a_cycle_of_three(self):
        formulas = {"X": "COST", "A": "B", "B": "C + X", "C": "A / 2"}
        with pytest.raises(FormulaCycleError) as info:
            validate_catalogue(self.VARIABLES, formulas)
        assert info.value.cycle == ["A", "B", "C", "A"]

    def test_an_indicator_cannot_share_a_code_with_a_variable(self):
        with pytest.raises(DuplicateCodeError) as info:
            validate_catalogue(self.VARIABLES, {"COST": "STAFF * 2"})
        assert info.value.code == "COST"

    def test_an_indicator_code_must_be_writable_in_a_formula(self):
        with pytest.raises(InvalidCodeError):
            validate_catalogue(self.VARIABLES, {"per_capita": "COST / POP"})

    def test_an_empty_catalogue_is_valid(self):
        assert validate_catalogue(self.VARIABLES, {}) == []
