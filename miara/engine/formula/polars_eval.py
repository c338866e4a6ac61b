"""The vectorised evaluator: every indicator for every unit and period at once.

Same rules as `scalar_eval` (read its docstring); the property tests hold the two to it.

How it works:

1. The long values are spread into a wide frame, one row per unit and period that has at
   least one non-missing value, one column per variable the formulas read (`_spread`).
   Polars' own `pivot` is avoided: it is several times slower at this size. Instead each
   (unit, period) and each variable gets an integer, and a single scatter places every
   value in a (variable, row) grid whose slices are the columns; the number of slots it
   fills tells whether a value was given twice.
2. `__prev` holds, for each row, the row of the same unit in the previous period (null
   when that unit lacks it), so `prev(X)` is a `gather` — no join per column.
3. Formulas are compiled to Polars expressions. An expression that reads a sub-expression
   twice (`a / b` reads `b` to test for zero and to divide) would, nested, grow
   exponentially in Polars' planner, so such sub-expressions are first stored as
   temporary columns: evaluation proceeds in stages of `with_columns`, each stage
   computing, in parallel, what the earlier ones made possible. Temporary columns are
   dropped as soon as no later stage reads them. Identical sub-formulas, even in
   different indicators, are computed once.
4. Each value carries a small integer "reason" next to it, non-zero only where the value
   is missing because of a division by zero, an argument outside a function's domain
   (`ln` of a value <= 0) or a non-finite result; these become
   `issues`. A missing result caused by a missing input, or by a missing indicator the
   formula reads, is not an issue of this indicator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from miara.engine.errors import DuplicateCodeError, DuplicateValueError, PeriodError
from miara.engine.formula.functions import FUNCTIONS
from miara.engine.formula.graph import evaluation_order, parse_catalogue
from miara.engine.formula.nodes import (
    COMPARE,
    COMPARISON_OPS,
    Binary,
    Call,
    Code,
    Node,
    Number,
    Unary,
    references,
)
from miara.engine.formula.scalar_eval import (
    DIVISION_BY_ZERO,
    ISSUE_KINDS,
    NOT_FINITE,
    OUT_OF_DOMAIN,
)
from miara.engine.periods import Period, is_period

VALUES_SCHEMA = {
    "indicator": pl.String,
    "unit": pl.String,
    "period": pl.String,
    "value": pl.Float64,
}
ISSUES_SCHEMA = {"indicator": pl.String, "unit": pl.String, "period": pl.String, "kind": pl.String}

_PREV = "__prev"
_ISSUE = "__issue_"


@dataclass(frozen=True)
class Evaluation:
    """Indicator values (only non-missing, finite ones) and the data-quality issues met.

    `values`: indicator, unit, period, value (f64); `issues`: indicator, unit, period, kind
    (`division_by_zero`, `out_of_domain` or `not_finite`). Both sorted by indicator, unit, period.
    """

    values: pl.DataFrame
    issues: pl.DataFrame


def evaluate(
    values_long: pl.DataFrame,
    formulas: dict[str, str],
    indicators: Iterable[str] | None = None,
) -> Evaluation:
    """Compute indicators for every unit and period of `values_long` in one vectorised pass.

    `values_long` has columns unit, variable, period, value. A unit and period gets
    results when it has at least one value (of any variable). Rows with a missing unit,
    variable, period or value, or a NaN or infinite value, are ignored. A code that is
    neither an indicator nor present in the data reads as missing (so `validate_catalogue`
    is where unknown codes are caught). `indicators` limits the output to those indicators;
    what they depend on is computed but not returned.

    Raises the catalogue's errors (syntax, cycle), `DuplicateCodeError` when the data
    holds a variable named like an indicator, `DuplicateValueError` when a unit, variable
    and period appear twice, and `PeriodError` for a malformed period.
    """
    trees = parse_catalogue(formulas)
    if indicators is not None:
        indicators = sorted(set(indicators))
    order = evaluation_order(trees, indicators)
    wanted = indicators if indicators is not None else sorted(trees)
    read = set().union(*(references(trees[code]) for code in order))
    variables = sorted(read - trees.keys())

    wide = _spread(values_long, variables, set(trees))
    compiler = _Compiler()
    for code in order:
        compiler.indicator(code, trees[code])
    outputs = [*wanted, *(_ISSUE + code for code in wanted if code in compiler.has_issues)]
    wide = compiler.run(wide, keep=["unit", "period", *outputs])
    return Evaluation(values=_values(wide, wanted), issues=_issues(wide, wanted, compiler))


# -- 1. long to wide ----------------------------------------------------------------------


def _spread(values_long: pl.DataFrame, variables: list[str], indicators: set[str]) -> pl.DataFrame:
    """Wide frame: unit, period, __prev, one Float64 column per variable; sorted by unit then
    period (as strings), which makes the output sorted without sorting millions of rows."""
    source = values_long.lazy().select(
        pl.col("unit").cast(pl.String),
        pl.col("period").cast(pl.String),
        pl.col("variable").cast(pl.String),
        pl.col("value").cast(pl.Float64),
    )
    # First pass (the three scans run in parallel): the units and periods, sorted, which
    # number the rows; and whether any variable is named like an indicator.
    units, periods, clash = pl.collect_all(
        [
            source.select(pl.col("unit").drop_nulls().unique().sort()),
            source.select(pl.col("period").drop_nulls().unique().sort()),
            source.select(
                pl.col("variable").filter(pl.col("variable").is_in(sorted(indicators))).min()
            ),
        ]
    )
    units, periods = units.to_series(), periods.to_series()
    if clash.item() is not None:
        raise DuplicateCodeError(clash.item())
    for period in periods:
        # The code must be exactly canonical: " 2024" would parse but never match "2024".
        if not is_period(period) or Period.parse(period).code != period:
            raise PeriodError(period)
    n_periods = len(periods)
    index = {code: i for i, code in enumerate(periods)}
    previous = pl.Series(
        [index.get(Period.parse(code).previous().code) for code in periods], dtype=pl.UInt64
    )

    # Second pass: a unit and period is cell `unit_id * n_periods + period_id` of a dense
    # grid, a variable is its rank among `variables` (null for those no formula reads).
    if variables:
        variable_id = pl.col("variable").cast(pl.Enum(variables), strict=False).to_physical()
    else:
        variable_id = pl.lit(None, dtype=pl.UInt32)
    data = (
        source.select(
            cell=pl.col("unit").cast(pl.Enum(units)).to_physical().cast(pl.UInt64) * n_periods
            + pl.col("period").cast(pl.Enum(periods)).to_physical().cast(pl.UInt64),
            variable=variable_id,
            value=pl.col("value"),
        )
        .filter(pl.col("value").is_finite() & pl.col("cell").is_not_null())
        .collect()
    )
    if data.height == 0:
        schema = {"unit": pl.String, "period": pl.String, _PREV: pl.UInt32}
        return pl.DataFrame(schema=schema | dict.fromkeys(variables, pl.Float64))

    # `rows` lists the cells that have data, in order; `row_of` maps a cell to its row.
    cell = data["cell"]
    grid = len(units) * n_periods
    rows = pl.zeros(grid, dtype=pl.Boolean, eager=True).scatter(cell, True).arg_true()
    n_rows = len(rows)
    row_of = pl.repeat(None, grid, dtype=pl.UInt32, eager=True).scatter(
        rows, pl.int_range(n_rows, dtype=pl.UInt32, eager=True)
    )
    rows = rows.cast(pl.UInt64)
    row_unit = rows // n_periods
    row_period = rows % n_periods
    prev_cell = row_unit * n_periods + previous.gather(row_period)
    wide = pl.DataFrame(
        {
            "unit": units.gather(row_unit),
            "period": periods.gather(row_period),
            _PREV: row_of.gather(prev_cell),
        }
    )
    if not variables:
        return wide

    read = data["variable"].is_not_null()
    values = data["value"].filter(read)
    n_values = len(values)
    slot = data["variable"].filter(read).cast(pl.UInt64) * n_rows + row_of.gather(cell.filter(read))
    # Every value is present (missing ones were filtered out), so the slots left empty
    # after the scatter tell whether two values fell into one slot: a duplicate.
    grid_values = pl.repeat(None, len(variables) * n_rows, dtype=pl.Float64, eager=True)
    grid_values = grid_values.scatter(slot, values)
    if len(grid_values) - grid_values.null_count() != n_values:
        _raise_duplicate(source, variables)
    columns = [
        grid_values.slice(i * n_rows, n_rows).alias(code) for i, code in enumerate(variables)
    ]
    return wide.hstack(columns)


def _raise_duplicate(source: pl.LazyFrame, variables: list[str]) -> None:
    first = (
        source.filter(pl.col("variable").is_in(variables) & pl.col("value").is_finite())
        .filter(pl.struct("unit", "variable", "period").is_duplicated())
        .sort("unit", "variable", "period")
        .collect()
        .row(0, named=True)
    )
    raise DuplicateValueError(first["unit"], first["variable"], first["period"])


# -- 3. compiling formulas ----------------------------------------------------------------


@dataclass(frozen=True)
class _Value:
    """A compiled sub-formula.

    `stage`: the first stage whose `with_columns` may compute `expr` (every column it
    reads exists by then). `simple`: `expr` is a column or a literal, cheap to repeat.
    `reason`: UInt8 expression of why the value is missing, or None when it never is for
    an arithmetic reason.
    """

    expr: pl.Expr
    boolean: bool
    reason: pl.Expr | None
    stage: int
    simple: bool


_FLOAT_NULL = pl.lit(None, dtype=pl.Float64)
_BOOL_NULL = pl.lit(None, dtype=pl.Boolean)
_NO_REASON = pl.lit(0, dtype=pl.UInt8)


def _reason(code: int) -> pl.Expr:
    return pl.lit(code, dtype=pl.UInt8)


def _number(value: _Value) -> pl.Expr:
    return value.expr.cast(pl.Float64) if value.boolean else value.expr


def _truth(value: _Value) -> pl.Expr:
    return value.expr if value.boolean else value.expr != 0.0


def _combine(*reasons: pl.Expr | None) -> pl.Expr | None:
    present = [r for r in reasons if r is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return pl.max_horizontal(present)


class _Compiler:
    def __init__(self) -> None:
        self.stages: list[dict[str, pl.Expr]] = []
        self.ready_at: dict[str, int] = {}  # indicator -> first stage that can read it
        self.has_issues: set[str] = set()
        self.memo: dict[Node, _Value] = {}
        self.count = 0

    def add(self, stage: int, name: str, expr: pl.Expr) -> None:
        while len(self.stages) <= stage:
            self.stages.append({})
        self.stages[stage][name] = expr

    def indicator(self, code: str, tree: Node) -> None:
        value = self.compile(tree)
        self.add(value.stage, code, _number(value))
        if value.reason is not None:
            self.add(value.stage, _ISSUE + code, value.reason)
            self.has_issues.add(code)
        self.ready_at[code] = value.stage + 1

    def column(self, node: Node) -> _Value:
        """The node's value as a column (or literal), so that it can be read many times."""
        value = self.compile(node)
        if value.simple:
            return value
        self.count += 1
        name = f"__v{self.count}"
        self.add(value.stage, name, value.expr)
        reason = value.reason
        if reason is not None and not reason.meta.is_column():
            self.add(value.stage, f"__e{self.count}", reason)
            reason = pl.col(f"__e{self.count}")
        stored = _Value(pl.col(name), value.boolean, reason, value.stage + 1, True)
        self.memo[node] = stored
        return stored

    def compile(self, node: Node) -> _Value:
        if isinstance(node, Number):
            return _Value(pl.lit(node.value, dtype=pl.Float64), False, None, 0, True)
        if isinstance(node, Code):
            stage = self.ready_at.get(node.name, 0)
            return _Value(pl.col(node.name), False, None, stage, True)
        if node in self.memo:
            return self.memo[node]
        if isinstance(node, Unary):
            value = self.unary(node)
        elif isinstance(node, Binary):
            value = self.binary(node)
        elif isinstance(node, Call):
            value = self.call(node)
        else:
            raise TypeError(f"not a formula node: {node!r}")
        self.memo[node] = value
        return value

    def unary(self, node: Unary) -> _Value:
        operand = self.compile(node.operand)
        if node.op == "not":
            return _Value(~_truth(operand), True, operand.reason, operand.stage, False)
        return _Value(-_number(operand), False, operand.reason, operand.stage, False)

    def binary(self, node: Binary) -> _Value:
        op = node.op
        if op in ("and", "or", *COMPARISON_OPS):
            left, right = self.compile(node.left), self.compile(node.right)
            stage = max(left.stage, right.stage)
            reason = _combine(left.reason, right.reason)
            if op in ("and", "or"):
                # Adding 0/1 integers propagates nulls, which Kleene `&`/`|` do not.
                total = _truth(left).cast(pl.Int8) + _truth(right).cast(pl.Int8)
                expr = total == 2 if op == "and" else total >= 1
            else:
                expr = COMPARE[op](_number(left), _number(right))
            return _Value(expr, True, reason, stage, False)
        left, right = self.column(node.left), self.column(node.right)
        a, b = _number(left), _number(right)
        stage = max(left.stage, right.stage)
        if op == "/":
            raw = a / b
            expr = pl.when((b != 0.0) & raw.is_finite()).then(raw)
            own = (
                pl.when(a.is_not_null() & (b == 0.0))
                .then(_reason(DIVISION_BY_ZERO))
                .when(~raw.is_finite())
                .then(_reason(NOT_FINITE))
                .otherwise(_NO_REASON)
            )
        else:
            raw = {"+": a + b, "-": a - b, "*": a * b}[op] if op != "^" else a.pow(b)
            expr = pl.when(raw.is_finite()).then(raw)
            own = pl.when(~raw.is_finite()).then(_reason(NOT_FINITE)).otherwise(_NO_REASON)
        return _Value(expr, False, _combine(left.reason, right.reason, own), stage, False)

    def call(self, node: Call) -> _Value:
        name = node.name
        if name == "prev":
            code = node.args[0].name
            expr = pl.col(code).gather(pl.col(_PREV))
            return _Value(expr, False, None, self.ready_at.get(code, 0), False)
        if name == "if":
            return self.if_(node)
        if name == "coalesce":
            return self.coalesce(node)
        return self.function(node)

    def function(self, node: Call) -> _Value:
        function = FUNCTIONS[node.name]
        count = len(node.args) if function.values is None else function.values
        nodes, params = node.args[:count], node.args[count:]
        twice = function.reads_twice or not function.keeps_nulls
        args = [self.column(arg) if twice else self.compile(arg) for arg in nodes]
        numbers = [_number(arg) for arg in args]
        expr = function.vector(numbers, params)
        if not function.keeps_nulls:
            any_null = pl.any_horizontal([n.is_null() for n in numbers])
            expr = pl.when(any_null).then(_FLOAT_NULL).otherwise(expr)
        own = None
        if function.domain is not None:
            # Both reads of the argument are of a column (`reads_twice`).
            inside = function.domain[1](numbers[0])
            expr = pl.when(inside).then(expr)
            own = (
                pl.when(numbers[0].is_not_null() & ~inside)
                .then(_reason(OUT_OF_DOMAIN))
                .otherwise(_NO_REASON)
            )
        if function.may_overflow:
            # Reading `expr` twice is cheap: its argument is a column (`reads_twice`).
            raw = expr
            expr = pl.when(raw.is_finite()).then(raw)
            own = pl.when(~raw.is_finite()).then(_reason(NOT_FINITE)).otherwise(_NO_REASON)
        reason = _combine(*(arg.reason for arg in args), own)
        return _Value(expr, False, reason, max(arg.stage for arg in args), False)

    def if_(self, node: Call) -> _Value:
        condition = self.column(node.args[0])
        yes, no = self.compile(node.args[1]), self.compile(node.args[2])
        boolean = yes.boolean and no.boolean
        test = _truth(condition)
        pick = (lambda v: v.expr) if boolean else _number
        expr = (
            pl.when(test.is_null())
            .then(_BOOL_NULL if boolean else _FLOAT_NULL)
            .when(test)
            .then(pick(yes))
            .otherwise(pick(no))
        )
        reason = None
        if any(v.reason is not None for v in (condition, yes, no)):
            reason = (
                pl.when(test.is_null())
                .then(condition.reason if condition.reason is not None else _NO_REASON)
                .when(test)
                .then(yes.reason if yes.reason is not None else _NO_REASON)
                .otherwise(no.reason if no.reason is not None else _NO_REASON)
            )
        stage = max(condition.stage, yes.stage, no.stage)
        return _Value(expr, boolean, reason, stage, False)

    def coalesce(self, node: Call) -> _Value:
        args = [self.compile(arg) for arg in node.args]
        reasons = [arg.reason for arg in args if arg.reason is not None]
        if reasons:  # the reason needs to read every argument a second time
            args = [self.column(arg) for arg in node.args]
            reasons = [arg.reason for arg in args if arg.reason is not None]
        boolean = all(arg.boolean for arg in args)
        exprs = [arg.expr if boolean else _number(arg) for arg in args]
        reason = None
        if reasons:
            reason = (
                pl.when(pl.all_horizontal([e.is_null() for e in exprs]))
                .then(_combine(*reasons))
                .otherwise(_NO_REASON)
            )
        stage = max(arg.stage for arg in args)
        return _Value(pl.coalesce(exprs), boolean, reason, stage, False)

    def run(self, wide: pl.DataFrame, keep: list[str]) -> pl.DataFrame:
        """Execute the stages, dropping each temporary column after its last reader.

        The plan is built lazily and collected once: besides letting Polars schedule the
        work, the eager `with_columns` of Polars 2.1 mistakes some expressions over an
        all-null column for scalars ("length 1 doesn't match the height").
        """
        last_read: dict[str, int] = {}
        for index, stage in enumerate(self.stages):
            for expr in stage.values():
                for name in expr.meta.root_names():
                    last_read[name] = index
        kept = set(keep)
        columns = list(wide.columns)
        plan = wide.lazy()
        for index, stage in enumerate(self.stages):
            plan = plan.with_columns(expr.alias(name) for name, expr in stage.items())
            columns += [name for name in stage if name not in columns]
            done = [c for c in columns if c not in kept and last_read.get(c, -1) <= index]
            if done:
                plan = plan.drop(done)
                columns = [c for c in columns if c not in done]
        return plan.select(name for name in keep if name in columns).collect()


# -- 4. wide to long ----------------------------------------------------------------------


def _long(wide: pl.DataFrame, code: str, column: str, name: str) -> pl.LazyFrame:
    """Indicator `code`'s column of the wide frame as long rows: indicator, unit, period, name."""
    return wide.lazy().select(
        pl.lit(code, dtype=pl.String).alias("indicator"),
        "unit",
        "period",
        pl.col(column).alias(name),
    )


def _values(wide: pl.DataFrame, wanted: list[str]) -> pl.DataFrame:
    # One frame per indicator, concatenated in order: sorted output with no global sort.
    parts = [
        _long(wide, code, code, "value").filter(pl.col("value").is_not_null()) for code in wanted
    ]
    if not parts:
        return pl.DataFrame(schema=VALUES_SCHEMA)
    return pl.concat(parts).collect()


def _issues(wide: pl.DataFrame, wanted: list[str], compiler: _Compiler) -> pl.DataFrame:
    kinds = pl.DataFrame(
        {"reason": list(ISSUE_KINDS), "kind": list(ISSUE_KINDS.values())},
        schema={"reason": pl.UInt8, "kind": pl.String},
    )
    parts = [
        _long(wide, code, _ISSUE + code, "reason").filter(pl.col("reason") > 0)
        for code in wanted
        if code in compiler.has_issues
    ]
    if not parts:
        return pl.DataFrame(schema=ISSUES_SCHEMA)
    return (
        pl.concat(parts)
        .join(kinds.lazy(), on="reason", how="left", maintain_order="left")
        .select("indicator", "unit", "period", "kind")
        .collect()
    )
