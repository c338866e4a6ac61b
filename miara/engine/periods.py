"""Periods: a year (`2024`), a quarter (`2024-Q1`) or a month (`2024-03`).

A period is stored as its code; `ordinal` orders periods of one kind and makes
`previous()` a subtraction, which is what vectorised `prev()` needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from miara.engine.errors import PeriodError

# The grammar of a period code, the one every reader checks against: the engine here,
# parse_values (as a Polars pattern) and the API's schemas (published in its OpenAPI).
PERIOD_REGEX = r"^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$"
_PATTERN = re.compile(PERIOD_REGEX)
KINDS = ("year", "quarter", "month")


@dataclass(frozen=True, order=True)
class Period:
    """A value object parsed from a period code."""

    kind: str
    year: int
    sub: int  # quarter 1-4, month 1-12, or 0 for a year

    @classmethod
    def parse(cls, text: str) -> Period:
        code = str(text).strip()
        if not _PATTERN.match(code):
            raise PeriodError(str(text))
        year = int(code[:4])
        if code[5:6] == "Q":
            return cls("quarter", year, int(code[6]))
        if len(code) == 7:
            return cls("month", year, int(code[5:7]))
        return cls("year", year, 0)

    @property
    def code(self) -> str:
        if self.kind == "quarter":
            return f"{self.year}-Q{self.sub}"
        if self.kind == "month":
            return f"{self.year}-{self.sub:02d}"
        return str(self.year)

    @property
    def ordinal(self) -> int:
        """Consecutive integers for consecutive periods of the same kind."""
        if self.kind == "quarter":
            return self.year * 4 + self.sub - 1
        if self.kind == "month":
            return self.year * 12 + self.sub - 1
        return self.year

    @classmethod
    def from_ordinal(cls, kind: str, ordinal: int) -> Period:
        """The period of `kind` whose `ordinal` this is (the inverse of `ordinal`)."""
        if kind == "quarter":
            return cls("quarter", ordinal // 4, ordinal % 4 + 1)
        if kind == "month":
            return cls("month", ordinal // 12, ordinal % 12 + 1)
        return cls("year", ordinal, 0)

    def shifted(self, steps: int) -> Period:
        """The period `steps` periods of the same kind later (earlier when negative)."""
        return Period.from_ordinal(self.kind, self.ordinal + steps)

    def previous(self) -> Period:
        if self.kind == "quarter":
            return Period(
                "quarter", self.year - (self.sub == 1), 4 if self.sub == 1 else self.sub - 1
            )
        if self.kind == "month":
            return Period(
                "month", self.year - (self.sub == 1), 12 if self.sub == 1 else self.sub - 1
            )
        return Period("year", self.year - 1, 0)

    def __str__(self) -> str:
        return self.code


def is_period(text: str) -> bool:
    return bool(_PATTERN.match(str(text).strip()))


def previous_code(text: str) -> str:
    return Period.parse(text).previous().code


def previous_period_expr(column: str = "period") -> pl.Expr:
    """A Polars expression giving the previous period's code of a (valid) period column."""
    col = pl.col(column)
    year = col.str.slice(0, 4).cast(pl.Int32)
    is_quarter = col.str.contains("-Q")
    is_month = col.str.len_chars() == 7
    sub = col.str.slice(-2).str.replace("Q", "").cast(pl.Int32, strict=False)
    first = sub == 1
    prev_year = (
        pl.when(is_quarter | is_month)
        .then(pl.when(first).then(year - 1).otherwise(year))
        .otherwise(year - 1)
    )
    return (
        pl.when(is_quarter)
        .then(pl.format("{}-Q{}", prev_year, pl.when(first).then(4).otherwise(sub - 1)))
        .when(is_month)
        .then(
            pl.format(
                "{}-{}",
                prev_year,
                pl.when(first).then(12).otherwise(sub - 1).cast(pl.String).str.zfill(2),
            )
        )
        .otherwise(prev_year.cast(pl.String))
    )
