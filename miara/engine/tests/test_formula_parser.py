"""The formula parser: grammar, canonical text, references and errors with positions."""

import pytest

from miara.engine.errors import FormulaSyntaxError
from miara.engine.formula import (
    Binary,
    Call,
    Code,
    Number,
    Unary,
    parse,
    prev_references,
    references,
    to_text,
)

A, B, C, D = Code("A"), Code("B"), Code("C"), Code("D")


def num(value):
    return Number(float(value))


class TestAtoms:
    def test_it_reads_integers_decimals_and_exponents(self):
        assert parse("100") == num(100)
        assert parse("0.5") == num(0.5)
        assert parse(".25") == num(0.25)
        assert parse("1e3") == num(1000)
        assert parse("1.5E-3") == num(0.0015)
        assert parse("2e+2") == num(200)

    def test_it_reads_codes(self):
        assert parse("PERMITS_ISSUED") == Code("PERMITS_ISSUED")
        assert parse("X2") == Code("X2")

    def test_it_ignores_whitespace(self):
        assert parse("  A\t+\nB ") == Binary("+", A, B)

    def test_nodes_keep_their_position(self):
        tree = parse("A + abs(B)")
        assert tree.position == 2
        assert tree.left.position == 0
        assert tree.right.position == 4
        assert tree.right.args[0].position == 8

    def test_positions_do_not_take_part_in_equality(self):
        assert parse("A+B") == parse("  A  +  B")


class TestPrecedence:
    def test_multiplication_binds_tighter_than_addition(self):
        assert parse("A + B * C") == Binary("+", A, Binary("*", B, C))
        assert parse("A * B + C") == Binary("+", Binary("*", A, B), C)

    def test_addition_and_division_are_left_associative(self):
        assert parse("A - B - C") == Binary("-", Binary("-", A, B), C)
        assert parse("A / B / C") == Binary("/", Binary("/", A, B), C)
        assert parse("A - B + C") == Binary("+", Binary("-", A, B), C)

    def test_power_is_right_associative(self):
        assert parse("A ^ B ^ C") == Binary("^", A, Binary("^", B, C))

    def test_power_binds_tighter_than_unary_minus(self):
        assert parse("-2^2") == Unary("-", Binary("^", num(2), num(2)))
        assert parse("(-2)^2") == Binary("^", Unary("-", num(2)), num(2))

    def test_an_exponent_may_be_negative(self):
        assert parse("2^-A") == Binary("^", num(2), Unary("-", A))

    def test_unary_minus_binds_tighter_than_multiplication(self):
        assert parse("-A * B") == Binary("*", Unary("-", A), B)
        assert parse("--A") == Unary("-", Unary("-", A))

    def test_comparison_binds_looser_than_arithmetic(self):
        assert parse("A + 1 < B * 2") == Binary("<", Binary("+", A, num(1)), Binary("*", B, num(2)))

    @pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
    def test_every_comparison(self, op):
        assert parse(f"A {op} B") == Binary(op, A, B)

    def test_not_binds_looser_than_comparison(self):
        assert parse("not A < B") == Unary("not", Binary("<", A, B))

    def test_and_binds_tighter_than_or(self):
        assert parse("A or B and C") == Binary("or", A, Binary("and", B, C))
        assert parse("A and B or C") == Binary("or", Binary("and", A, B), C)

    def test_not_binds_tighter_than_and(self):
        assert parse("not A and B") == Binary("and", Unary("not", A), B)
        assert parse("not not A") == Unary("not", Unary("not", A))

    def test_parentheses_override_precedence(self):
        assert parse("(A + B) * C") == Binary("*", Binary("+", A, B), C)
        assert parse("((A))") == A


class TestFunctions:
    def test_abs(self):
        assert parse("abs(A)") == Call("abs", (A,))

    def test_min_and_max_take_two_or_more(self):
        assert parse("min(A, B)") == Call("min", (A, B))
        assert parse("max(A, B, C + 1)") == Call("max", (A, B, Binary("+", C, num(1))))

    def test_round_with_positive_and_negative_digits(self):
        assert parse("round(A, 2)") == Call("round", (A, num(2)))
        assert parse("round(A, -1)") == Call("round", (A, Unary("-", num(1))))

    def test_if(self):
        assert parse("if(A > 0, B, C)") == Call("if", (Binary(">", A, num(0)), B, C))

    def test_coalesce(self):
        assert parse("coalesce(A, B, 0)") == Call("coalesce", (A, B, num(0)))

    def test_prev(self):
        assert parse("prev(A)") == Call("prev", (A,))

    def test_arguments_can_be_any_expression(self):
        assert parse("abs(A or B)") == Call("abs", (Binary("or", A, B),))


class TestReferences:
    def test_it_lists_every_code(self):
        assert references(parse("A + prev(B) * coalesce(C, 1)")) == {"A", "B", "C"}

    def test_it_lists_codes_read_in_the_previous_period(self):
        assert prev_references(parse("A + prev(B) - prev(A)")) == {"A", "B"}
        assert prev_references(parse("A + B")) == set()

    def test_numbers_are_not_references(self):
        assert references(parse("1 + 2")) == set()


class TestToText:
    @pytest.mark.parametrize(
        "text",
        [
            "A + B * C",
            "(A + B) * C",
            "A - (B - C)",
            "A / (B * C)",
            "-2 ^ 2",
            "(-2) ^ 2",
            "2 ^ 3 ^ 2",
            "(2 ^ 3) ^ 2",
            "2 ^ -A",
            "--A",
            "-(A + B)",
            "not A < B and C or D",
            "(A or B) and C",
            "not (A and B)",
            "(A < B) == (C > D)",
            "(not A) + 1",
            "(A > B) * 2",
            "round(A / 3, -2)",
            "if(A > 0, A, -A)",
            "coalesce(prev(A), 0)",
            "min(A, B, 1.5)",
            "1e+20 + 0.001",
        ],
    )
    def test_canonical_text_reads_back_to_the_same_tree_and_text(self, text):
        tree = parse(text)
        assert to_text(tree) == text
        assert parse(to_text(tree)) == tree

    def test_it_writes_numbers_shortly(self):
        assert to_text(parse("1e3 + 2.50 + .5")) == "1000 + 2.5 + 0.5"

    def test_it_removes_redundant_parentheses(self):
        assert to_text(parse("((A)) + (B * C)")) == "A + B * C"


def syntax_error(text):
    with pytest.raises(FormulaSyntaxError) as info:
        parse(text)
    return info.value


class TestErrors:
    @pytest.mark.parametrize(
        ("text", "position", "message"),
        [
            ("", 0, "the formula is empty"),
            ("   ", 0, "the formula is empty"),
            ("A +", 3, "the formula ends too early; expected a number or a code"),
            ("-", 1, "the formula ends too early; expected a number or a code"),
            ("not", 3, "the formula ends too early; expected a number or a code"),
            ("A and", 5, "the formula ends too early; expected a number or a code"),
            ("(A + B", 6, "missing closing parenthesis for '(' opened at character 1"),
            (
                "A + (B * (C - D)",
                16,
                "missing closing parenthesis for '(' opened at character 5",
            ),
            ("abs(A", 5, "missing closing parenthesis for 'abs(' opened at character 4"),
            ("A + B)", 5, "unexpected ')'"),
            ("()", 1, "unexpected ')'"),
            ("min(A,)", 6, "unexpected ')'"),
            ("A + * B", 4, "expected a number or a code, not '*'"),
            ("A # B", 2, "unexpected character '#'"),
            ("1 + _X", 4, "unexpected character '_'"),
            ("A = B", 2, "use == to compare"),
            ("A ! B", 2, "use != to compare or not to negate"),
            ("A ** 2", 2, "use ^ for powers"),
            ("A && B", 2, "use and"),
            ("A || B", 2, "use or"),
            ("A & B", 2, "use and"),
            ("a + B", 0, "codes are upper case: write A"),
            ("B + Permits", 4, "codes are upper case: write PERMITS"),
            ("foo(A)", 0, "unknown function foo"),
            ("X(1)", 0, "unknown function X"),
            ("1 + ABS(A)", 4, "functions are written in lower case: abs"),
            ("A AND B", 2, "write and in lower case"),
            ("abs(A, B)", 0, "abs takes 1 argument, got 2"),
            ("2 * abs()", 4, "abs takes 1 argument, got 0"),
            ("min(A)", 0, "min takes at least 2 arguments, got 1"),
            ("max(A)", 0, "max takes at least 2 arguments, got 1"),
            ("coalesce()", 0, "coalesce takes at least 2 arguments, got 0"),
            ("if(A, B)", 0, "if takes 3 arguments, got 2"),
            ("round(A)", 0, "round takes 2 arguments, got 1"),
            ("prev(A, B)", 0, "prev takes 1 argument, got 2"),
            ("prev(A + 1)", 5, "prev takes a code, for example prev(POPULATION)"),
            ("prev(prev(A))", 5, "prev takes a code, for example prev(POPULATION)"),
            ("abs", 3, "abs must be followed by '('"),
            ("A < B < C", 6, "comparisons cannot be chained; combine them with and"),
            ("A == B != C", 7, "comparisons cannot be chained; combine them with and"),
            ("2X", 1, "missing operator before X"),
            ("A B", 2, "missing operator before B"),
            ("(A) (B)", 4, "missing operator before '('"),
            ("1.", 2, "expected a digit after '.'"),
            ("1e", 2, "expected digits in the exponent"),
            ("1e999", 0, "number too large"),
        ],
    )
    def test_it_says_what_and_where(self, text, position, message):
        error = syntax_error(text)
        assert error.message == message
        assert error.position == position
        assert error.formula == text

    @pytest.mark.parametrize(
        ("text", "position"),
        [("round(A, 1.5)", 9), ("round(A, B)", 9), ("round(A, 16)", 9), ("round(A, -X)", 9)],
    )
    def test_round_digits_must_be_a_whole_number_literal(self, text, position):
        error = syntax_error(text)
        assert error.position == position
        assert error.message.startswith("the digits of round must be a whole number")

    def test_the_message_counts_characters_from_one(self):
        assert str(syntax_error("A + B)")) == "unexpected ')' (at character 6)"

    def test_the_pointer_shows_the_offending_character(self):
        assert syntax_error("A + B)").pointer() == "A + B)\n     ^"

    def test_too_many_nested_brackets_are_refused_before_python_gives_up(self):
        error = syntax_error("(" * 51 + "A" + ")" * 51)
        assert error.position == 50
        assert error.message.startswith("too many brackets")
        assert parse("(" * 50 + "A" + ")" * 50) == A

    def test_a_formula_too_deep_to_evaluate_is_refused(self):
        assert syntax_error(" + ".join(["A"] * 121)).message.startswith("the formula is too long")
        parse(" + ".join(["A"] * 120))


class TestReferencesByPeriod:
    def test_it_tells_codes_of_this_period_from_those_read_through_prev(self):
        from miara.engine.formula import current_references, prev_references

        tree = parse("100 * (A / prev(A) - 1) + max(B, -prev(C)) + if(D > 0, E, 0)")
        assert current_references(tree) == {"A", "B", "D", "E"}
        assert prev_references(tree) == {"A", "C"}

    def test_a_number_reads_nothing(self):
        from miara.engine.formula import current_references

        assert current_references(parse("42")) == set()
