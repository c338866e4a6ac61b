"""Named exceptions of the engine, each carrying what a person needs to fix the input."""

from __future__ import annotations


class EngineError(Exception):
    """Base class of every error the engine raises on bad input."""


class PeriodError(EngineError, ValueError):
    """A period code that is not `2024`, `2024-Q1` or `2024-03`."""

    def __init__(self, text: str):
        self.text = text
        super().__init__(
            f"{text!r} is not a period; write a year (2024), a quarter (2024-Q1) "
            f"or a month (2024-03)"
        )


class FormulaError(EngineError, ValueError):
    """Base class of formula errors; `position` is the 0-based character offset or None.

    `indicator` names the indicator whose formula is at fault, when the error was raised
    while checking a whole catalogue (None for a formula parsed on its own).
    """

    def __init__(
        self,
        message: str,
        *,
        formula: str = "",
        position: int | None = None,
        indicator: str | None = None,
    ):
        self.message = message
        self.formula = formula
        self.position = position
        self.indicator = indicator
        super().__init__(self.describe())

    def describe(self) -> str:
        text = self.message
        if self.position is not None:
            text = f"{text} (at character {self.position + 1})"
        if self.indicator:
            text = f"indicator {self.indicator}: {text}"
        return text

    def in_indicator(self, indicator: str, formula: str | None = None) -> FormulaError:
        """Attach the indicator (and its formula text) after the fact, keeping the type.

        The parser knows the text, not which indicator it belongs to; the catalogue
        checker does, and re-raises the same exception with this context added.
        """
        self.indicator = indicator
        if formula is not None:
            self.formula = formula
        self.args = (self.describe(),)
        return self

    def pointer(self) -> str:
        """The formula with a caret under the offending character, for terminals."""
        if self.position is None or not self.formula:
            return self.formula
        return f"{self.formula}\n{' ' * self.position}^"


class FormulaSyntaxError(FormulaError):
    """The text cannot be parsed as a formula."""


class UnknownCodeError(FormulaError):
    """A formula names a code that is neither a variable nor an indicator."""

    def __init__(
        self,
        code: str,
        *,
        formula: str = "",
        position: int | None = None,
        indicator: str | None = None,
    ):
        self.code = code
        super().__init__(
            f"unknown code {code}", formula=formula, position=position, indicator=indicator
        )


class FormulaCycleError(FormulaError):
    """Indicators whose formulas depend on each other in a circle."""

    def __init__(self, cycle: list[str]):
        self.cycle = cycle
        super().__init__("indicators depend on each other in a cycle: " + " -> ".join(cycle))
        # The message already names every indicator of the cycle; keep the attribute only.
        self.indicator = cycle[0] if cycle else None


class DuplicateCodeError(EngineError, ValueError):
    """An indicator has the same code as a variable, so a formula could not tell them apart."""

    def __init__(self, code: str):
        self.code = code
        self.indicator = code
        super().__init__(f"indicator {code} has the same code as a variable; rename one of them")


class InvalidCodeError(EngineError, ValueError):
    """An indicator code that formulas could not name (codes are `[A-Z][A-Z0-9_]*`)."""

    def __init__(self, code: str):
        self.code = code
        self.indicator = code
        super().__init__(
            f"{code!r} is not a valid code; use capital letters, digits and _, "
            f"starting with a letter"
        )


class DuplicateValueError(EngineError, ValueError):
    """The same unit, variable and period appear twice in the values given to the engine."""

    def __init__(self, unit: str, variable: str, period: str):
        self.unit = unit
        self.variable = variable
        self.period = period
        super().__init__(f"{variable} of {unit} for {period} is given more than once")


class StatisticsError(EngineError, ValueError):
    """Input that group statistics cannot be computed from (missing column, indicator
    without a direction, the same unit, indicator and period twice)."""


class SimilarUnitsError(EngineError, ValueError):
    """A similar-units group that cannot be formed: no structural variables chosen, or
    the unit lacks a value of one of them in that period."""

    def __init__(self, message: str, *, unit: str = "", missing: list[str] | None = None):
        self.unit = unit
        self.missing = list(missing or [])
        super().__init__(message)


class PeerGroupError(EngineError, ValueError):
    """A peer-group rule or list that cannot define members (e.g. a range without a
    context variable, `low` above `high`, a negative weight)."""
