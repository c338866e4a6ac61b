"""Periods: parsing, ordering, the previous period, and its vectorised twin."""

import polars as pl
import pytest

from miara.engine.errors import PeriodError
from miara.engine.periods import Period, is_period, previous_code, previous_period_expr


class TestParse:
    def test_it_reads_a_year(self):
        assert Period.parse("2024") == Period("year", 2024, 0)

    def test_it_reads_a_quarter(self):
        assert Period.parse("2024-Q3") == Period("quarter", 2024, 3)

    def test_it_reads_a_month(self):
        assert Period.parse("2024-03") == Period("month", 2024, 3)

    def test_it_tolerates_surrounding_spaces(self):
        assert Period.parse(" 2024-12 ") == Period("month", 2024, 12)

    @pytest.mark.parametrize("code", ["2024", "2024-Q1", "2024-Q4", "2024-01", "2024-12"])
    def test_the_code_reads_back(self, code):
        assert Period.parse(code).code == code
        assert str(Period.parse(code)) == code

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "24",
            "20245",
            "2024-Q0",
            "2024-Q5",
            "2024-q1",
            "2024-00",
            "2024-13",
            "2024-1",
            "2024/03",
            "2024-W01",
            "Q1-2024",
            "year",
        ],
    )
    def test_a_bad_code_raises_a_period_error(self, text):
        with pytest.raises(PeriodError) as info:
            Period.parse(text)
        assert info.value.text == text
        assert not is_period(text)

    def test_a_period_error_is_a_value_error(self):
        with pytest.raises(ValueError):
            Period.parse("nope")


class TestOrder:
    def test_ordinals_of_consecutive_periods_are_consecutive(self):
        assert Period.parse("2024-Q1").ordinal == Period.parse("2023-Q4").ordinal + 1
        assert Period.parse("2024-01").ordinal == Period.parse("2023-12").ordinal + 1
        assert Period.parse("2024").ordinal == Period.parse("2023").ordinal + 1

    def test_periods_of_one_kind_sort_in_time(self):
        codes = ["2024-02", "2023-12", "2024-01"]
        assert [p.code for p in sorted(map(Period.parse, codes))] == [
            "2023-12",
            "2024-01",
            "2024-02",
        ]


class TestPrevious:
    @pytest.mark.parametrize(
        ("code", "previous"),
        [
            ("2024", "2023"),
            ("2000", "1999"),
            ("2024-Q1", "2023-Q4"),
            ("2024-Q2", "2024-Q1"),
            ("2024-Q4", "2024-Q3"),
            ("2024-01", "2023-12"),
            ("2024-03", "2024-02"),
            ("2024-10", "2024-09"),
            ("2024-12", "2024-11"),
        ],
    )
    def test_it_steps_back_across_boundaries(self, code, previous):
        assert previous_code(code) == previous
        assert Period.parse(code).previous().code == previous
        assert Period.parse(code).previous().ordinal == Period.parse(code).ordinal - 1


def every_code(years):
    for year in years:
        yield str(year)
        for quarter in range(1, 5):
            yield f"{year}-Q{quarter}"
        for month in range(1, 13):
            yield f"{year}-{month:02d}"


class TestPreviousPeriodExpr:
    def test_it_agrees_with_period_previous_for_every_month_quarter_and_year(self):
        codes = list(every_code([1999, 2000, 2023, 2024, 2025]))
        frame = pl.DataFrame({"period": codes}).with_columns(prev=previous_period_expr())
        assert frame["prev"].to_list() == [previous_code(code) for code in codes]

    def test_it_reads_another_column_and_keeps_nulls(self):
        frame = pl.DataFrame({"p": ["2024-Q1", None]}).select(previous_period_expr("p"))
        assert frame.to_series().to_list() == ["2023-Q4", None]
