"""Data-quality checks of reported values, as defined in methodology.md ("Data quality
checks"): range and finiteness, required variables, validation rules, change against the
previous period and outliers against the peer distribution.

Everything is vectorised: each check is one lazy Polars query over all units, variables
and periods at once, the findings of every check are concatenated and sorted once, and
the validation rules are evaluated by the formula engine, all rules for all units in one
call (for a handful of unit-periods, by its reference evaluator, which has no planning
overhead). The same function serves a single questionnaire (one unit, a few hundred
values) and a whole imported file.

A finding is a row of `FINDINGS_SCHEMA`; the numbers behind it are in their own nullable
columns so that a page can show them in the reader's language, while `detail` is a
short, stable English text for logs, exports and tests. No NaN or infinity is ever
emitted: a non-finite input value is reported with `value` null.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from miara.engine import kinds as variable_kinds
from miara.engine.errors import DuplicateValueError, FormulaSyntaxError, PeriodError
from miara.engine.formula import Node, evaluate, evaluate_scalar, parse, prev_references
from miara.engine.formula.lexer import tokenize
from miara.engine.formula.nodes import COMPARISON_OPS, Binary
from miara.engine.periods import Period, is_period, previous_period_expr

SEVERITIES = ("error", "warning")
CHECKS = ("range", "not_finite", "kind", "required", "rule", "change", "outlier")
MAD_SCALE = 1.4826
MIN_PEERS = 5
# A value within this relative distance of the unit's own previous value is consistent
# with its history and is not also compared with its peers (methodology.md).
CONSISTENT_CHANGE = 0.10
# A relative change within this (relative) distance of the threshold counts as equal to
# it, so that 0.3 against 0.2 is exactly 50 % as a person reads it, not 50.0000000001 %.
CHANGE_TOLERANCE = 1e-9

VALUES_SCHEMA = {
    "unit": pl.String,
    "variable": pl.String,
    "period": pl.String,
    "value": pl.Float64,
}
FINDINGS_SCHEMA = {
    "unit": pl.String,
    "variable": pl.String,
    "period": pl.String,
    "check": pl.String,
    "severity": pl.String,
    "value": pl.Float64,
    "detail": pl.String,
    "expected_low": pl.Float64,
    "expected_high": pl.Float64,
    "reference": pl.Float64,
    "median": pl.Float64,
    "scale": pl.Float64,
}
ORDER = ["unit", "period", "variable", "check", "detail"]
_KEY = ["unit", "variable", "period"]
# Names of the indicators the rules are compiled to; codes no catalogue would choose.
_RULE_PREFIX = "QUALITY_RULE_"
# Up to this many (unit-period x rule) evaluations, rules are evaluated one unit and
# period at a time by the engine's reference evaluator (see `_sides_scalar`).
SCALAR_RULES_LIMIT = 5_000
# Polars' in-memory engine: several times faster than streaming on a questionnaire, and
# as fast on a 100k-row file with its peers.
ENGINE = "in-memory"


@dataclass(frozen=True)
class VariableRule:
    """What a variable of the catalogue allows: `min`/`max` bound the value (inclusive,
    None = unbounded), `change_threshold` overrides the programme's change threshold
    for variables that legitimately swing (e.g. investment spending), `kind` is one of
    `kinds.KINDS` (None: any number) and `per` the code of the size variable (e.g.
    POPULATION) by which the outlier check divides the value before comparing units."""

    code: str
    min: float | None = None
    max: float | None = None
    change_threshold: float | None = None
    kind: str | None = None
    per: str | None = None

    def __post_init__(self) -> None:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"variable {self.code}: min {self.min} is above max {self.max}")
        if self.change_threshold is not None and not self.change_threshold >= 0:
            raise ValueError(f"variable {self.code}: the change threshold must be >= 0")
        if self.kind is not None and self.kind not in variable_kinds.KINDS:
            raise ValueError(f"variable {self.code}: unknown kind {self.kind!r}")
        if self.per == self.code:
            raise ValueError(f"variable {self.code}: it cannot be its own size variable")


@dataclass(frozen=True)
class ValidationRule:
    """`left op right` over variable codes, written in the formula language; the finding
    is raised where the comparison is false. `message` is shown to the respondent, either
    one text or one per language code (e.g. {"pl": ..., "en": ...})."""

    code: str
    left: str
    op: str
    right: str
    severity: str = "error"
    message: Mapping[str, str] | str = ""

    def __post_init__(self) -> None:
        if self.op not in COMPARISON_OPS:
            raise FormulaSyntaxError(
                f"rule {self.code}: {self.op!r} is not a comparison; use one of "
                + ", ".join(COMPARISON_OPS),
                formula=self.text,
            )
        if self.severity not in SEVERITIES:
            raise ValueError(
                f"rule {self.code}: severity must be 'error' or 'warning', not {self.severity!r}"
            )

    @classmethod
    def from_text(
        cls,
        code: str,
        text: str,
        *,
        severity: str = "error",
        message: Mapping[str, str] | str = "",
    ) -> ValidationRule:
        """Build a rule from the text a coordinator types, so that the catalogue stores
        one string and syntax errors point into that string."""
        left, op, right = parse_rule(text)
        return cls(code, left, op, right, severity, message)

    @property
    def text(self) -> str:
        return f"{self.left} {self.op} {self.right}"

    def message_in(self, language: str, fallback: str = "en") -> str:
        """The respondent's message in `language`, else `fallback`, else any: a rule
        written in one language must still say something in the others."""
        if isinstance(self.message, str):
            return self.message
        for key in (language, fallback):
            if self.message.get(key):
                return self.message[key]
        return next((text for text in self.message.values() if text), "")


@functools.lru_cache(maxsize=2048)  # pure; every save reads the same few rules
def parse_rule(text: str) -> tuple[str, str, str]:
    """Split rule text at its top-level comparison into (left, op, right), so that a rule
    is stored and shown as its two sides while being typed as one line.

    Raises `FormulaSyntaxError` with the 0-based `position` of the fault: a syntax error
    anywhere in the text, no comparison at the top level, or several joined by and/or
    (each must be its own rule, with its own message).
    """
    tree = parse(text)  # raises FormulaSyntaxError with the position
    if not (isinstance(tree, Binary) and tree.op in COMPARISON_OPS):
        if isinstance(tree, Binary) and tree.op in ("and", "or"):
            raise FormulaSyntaxError(
                f"a rule is one comparison; write the two sides of '{tree.op}' as two rules",
                formula=text,
                position=tree.position,
            )
        raise FormulaSyntaxError(
            "a rule compares two sides; expected <, <=, >, >=, == or != "
            "(for example PERMITS_ON_TIME <= PERMITS_ISSUED)",
            formula=text,
            position=len(text.rstrip()),
        )
    tokens = tokenize(text)
    # Brackets around the whole comparison, `(A <= B)`, are dropped from both sides.
    depth = sum(
        1 if t.kind == "(" else -1
        for t in tokens
        if t.kind in ("(", ")") and t.position < tree.position
    )
    start = tokens[depth].position
    end = tokens[-1 - depth].position if depth else len(text)
    left = text[start : tree.position].strip()
    right = text[tree.position + len(tree.op) : end].strip()
    return left, tree.op, right


def check_values(
    values: pl.DataFrame,
    *,
    variables: Mapping[str, VariableRule],
    rules: Iterable[ValidationRule] = (),
    history: pl.DataFrame | None = None,
    peers: pl.DataFrame | None = None,
    required: Iterable[str] = frozenset(),
    change_threshold: float = 0.5,
    outlier_threshold: float = 3.5,
    units: list[str] | None = None,
    periods: list[str] | None = None,
    peer_classes: Mapping[str, str | None] | None = None,
    sizes: pl.DataFrame | None = None,
    consistent_change: float | None = CONSISTENT_CHANGE,
) -> pl.DataFrame:
    """Find what a person must fix (errors) or explain (warnings) before values are
    accepted, in one pass, so that a save, an import and a submission all apply exactly
    the same checks.

    `values` (unit, variable, period, value) are the values being checked and should hold
    every value of each unit and period that the rules read. `history` holds earlier
    periods (for the change check and `prev()` in rules); `peers` the other units of the
    peer group in the same periods (for the outlier check). Where a unit, variable and
    period is in both `values` and `history`/`peers`, the value in `values` is used.

    `required` variables must have a value for every unit and period of `units` ×
    `periods`; when only one of them is given the other is taken from `values`, and when
    neither is, every unit and period present in `values` is checked.

    `peer_classes` (unit code → class, e.g. its unit type) splits the outlier check's
    distribution: a unit with a class is compared with the units of its class only, a
    unit mapped to None (or not mapped) with every unit. Without it, every value is
    compared with the whole distribution (values ∪ peers).

    A variable with a size variable (`VariableRule.per`) is compared per unit of size:
    each value is divided by the same unit's size in the same period, or in the
    previous period when that one is not there yet; sizes are taken from `values`,
    `peers`, `history` and `sizes` (unit, variable, period, value of size variables, in
    that order of precedence). A value whose unit has no positive size is not compared,
    and does not count among the peers. Its finding gives the median, the expected range
    and the value in the variable's own terms (the peers' median per unit of size times
    the unit's size) and that size in `scale`.

    With `consistent_change`, a value within that relative distance of the same unit's
    previous value (from `values` or `history`) is consistent with its own history and
    is not reported as an outlier; None compares every value with its peers.

    Returns one row per finding (`FINDINGS_SCHEMA`) sorted by unit, period, variable,
    check. Raises `DuplicateValueError` when an input holds a unit, variable and period
    twice, `PeriodError` for a malformed period, `FormulaSyntaxError` for a bad rule.
    """
    if not change_threshold >= 0 or not outlier_threshold >= 0:
        raise ValueError("thresholds must be non-negative numbers")
    if consistent_change is not None and not consistent_change >= 0:
        raise ValueError("consistent_change must be a non-negative number or None")
    rules = list(rules)
    trees = _parse_rules(rules)
    current = _normalise(values, "values")
    earlier = _normalise(history, "history") if history is not None else None
    others = _normalise(peers, "peers") if peers is not None else None
    extra_sizes = _normalise(sizes, "sizes") if sizes is not None else None
    _check_periods(current, earlier, extra_sizes)
    limits = _limits(variables)
    finite = current.lazy().filter(pl.col("value").is_finite())

    size_pool = _size_pool(current, others, earlier, extra_sizes, variables)
    parts = [
        _range(current.lazy(), limits),
        _kinds(current.lazy(), limits),
        _required(current, set(required), units, periods),
        _change(current, finite, earlier, limits, change_threshold),
        _outliers(
            current,
            finite,
            others,
            outlier_threshold,
            peer_classes,
            limits=limits,
            sizes=size_pool,
            earlier=earlier if consistent_change is not None else None,
            consistent_change=consistent_change,
        ),
    ]
    if rules:
        parts.append(_rules(current, earlier, rules, trees))
    parts = [
        part.select(_clean(name, dtype) for name, dtype in FINDINGS_SCHEMA.items())
        for part in parts
        if part is not None
    ]
    if not parts:
        return pl.DataFrame(schema=FINDINGS_SCHEMA)
    rows = sum(f.height for f in (current, earlier, others, extra_sizes) if f is not None)
    # For a field's few values, planning the query costs more than running it as written.
    optimised = rows > _FEW_ROWS
    return (
        pl.concat(parts)
        .sort(ORDER)
        .collect(
            engine=ENGINE,
            optimizations=pl.QueryOptFlags() if optimised else pl.QueryOptFlags.none(),
        )
    )


# -- inputs ---------------------------------------------------------------------------------


# Up to this many rows, inputs are small enough that Polars' per-query overhead dominates.
_FEW_ROWS = 256


def _normalise(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """The four contract columns with their contract dtypes; no duplicated keys."""
    missing = [column for column in VALUES_SCHEMA if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks the column(s) {', '.join(missing)}")
    frame = frame.select(pl.col(c).cast(t) for c, t in VALUES_SCHEMA.items()).filter(
        pl.col("unit").is_not_null()
        & pl.col("variable").is_not_null()
        & pl.col("period").is_not_null()
    )
    # A few rows (a field's save) are compared in Python: two Polars queries cost more
    # than the rows themselves. Else counting distinct hashes is several times faster
    # than comparing the keys; only when two hashes agree are the keys compared.
    if frame.height <= _FEW_ROWS:
        keys = frame.select(_KEY).rows()
        duplicated = len(set(keys)) < len(keys)
    else:
        duplicated = (
            frame.select(pl.struct(_KEY).hash().n_unique()).item() < frame.height
            and frame.select(pl.struct(_KEY).is_duplicated().any()).item()
        )
    if duplicated:
        first = frame.filter(pl.struct(_KEY).is_duplicated()).sort(_KEY).row(0, named=True)
        raise DuplicateValueError(first["unit"], first["variable"], first["period"])
    return frame


def _check_periods(*frames: pl.DataFrame | None) -> None:
    """Periods must be canonical codes: `previous_period_expr` assumes it."""
    for frame in frames:
        if frame is None:
            continue
        for period in frame.get_column("period").unique().to_list():
            if not is_period(period) or Period.parse(period).code != period:
                raise PeriodError(period)


def _limits(variables: Mapping[str, VariableRule]) -> pl.LazyFrame:
    rows = list(variables.values())
    return pl.LazyFrame(
        {
            "variable": [rule.code for rule in rows],
            "min": [rule.min for rule in rows],
            "max": [rule.max for rule in rows],
            "threshold": [rule.change_threshold for rule in rows],
            "kind": [rule.kind for rule in rows],
            "per": [rule.per for rule in rows],
        },
        schema={
            "variable": pl.String,
            "min": pl.Float64,
            "max": pl.Float64,
            "threshold": pl.Float64,
            "kind": pl.String,
            "per": pl.String,
        },
    )


# Trees are immutable, and a programme checks the same rules on every save.
_parse_side = lru_cache(maxsize=4096)(parse)


def _parse_rules(rules: list[ValidationRule]) -> list[tuple[Node, Node]]:
    """Parse both sides of every rule, with positions counted in the rule's whole text."""
    seen: set[str] = set()
    trees = []
    for rule in rules:
        if rule.code in seen:
            raise ValueError(f"two validation rules have the code {rule.code}")
        seen.add(rule.code)
        offsets = (0, len(rule.left) + len(rule.op) + 2)
        sides = []
        for side, offset in zip((rule.left, rule.right), offsets, strict=True):
            try:
                sides.append(_parse_side(side))
            except FormulaSyntaxError as error:
                position = None if error.position is None else error.position + offset
                raise FormulaSyntaxError(
                    f"rule {rule.code}: {error.message}", formula=rule.text, position=position
                ) from error
        trees.append(tuple(sides))
    return trees


def _clean(name: str, dtype: pl.DataType) -> pl.Expr:
    """The column with its output dtype; a float that overflowed (a bound of a value near
    the largest double) becomes null, as the engine never emits NaN or infinity."""
    column = pl.col(name).cast(dtype)
    if dtype == pl.Float64:
        return pl.when(column.is_finite()).then(column).alias(name)
    return column


def _text(expr: pl.Expr) -> pl.Expr:
    """A number as short text for `detail` (12 significant digits, no trailing noise)."""
    return expr.round_sig_figs(12).cast(pl.String)


# -- 1. range and finiteness ----------------------------------------------------------------


def _range(current: pl.LazyFrame, limits: pl.LazyFrame) -> pl.LazyFrame:
    """Bounds are inclusive; NaN and infinity are their own error (they would otherwise
    pass every comparison or silently drop out of every other check)."""
    value = pl.col("value")
    low, high = pl.col("min"), pl.col("max")
    below = value.is_finite() & (value < low)
    above = value.is_finite() & (value > high)
    infinite = value.is_infinite()
    return (
        current.filter(value.is_not_null())
        .join(limits, on="variable", how="left")
        .filter(~value.is_finite() | below.fill_null(False) | above.fill_null(False))
        .select(
            "unit",
            "variable",
            "period",
            check=pl.when(value.is_finite()).then(pl.lit("range")).otherwise(pl.lit("not_finite")),
            severity=pl.lit("error"),
            value=pl.when(value.is_finite()).then(value),
            detail=pl.when(infinite & (value > 0))
            .then(pl.lit("value is inf"))
            .when(infinite)
            .then(pl.lit("value is -inf"))
            .when(value.is_nan())
            .then(pl.lit("value is nan"))
            .when(below)
            .then(pl.format("below min {}", _text(low)))
            .otherwise(pl.format("above max {}", _text(high))),
            expected_low=pl.when(value.is_finite()).then(low),
            expected_high=pl.when(value.is_finite()).then(high),
            reference=pl.lit(None, dtype=pl.Float64),
            median=pl.lit(None, dtype=pl.Float64),
            scale=pl.lit(None, dtype=pl.Float64),
        )
    )


def _kinds(current: pl.LazyFrame, limits: pl.LazyFrame) -> pl.LazyFrame:
    """A stored value that does not fit its variable's kind (a fraction of a count, a
    percentage above 100); new values are refused before they are written, this finds
    those written before the variable declared its kind."""
    value = pl.col("value")
    reason = variable_kinds.violation_expr(pl.col("kind"), value)
    bound = pl.when(reason == variable_kinds.ABOVE).then(pl.col("kind_high"))
    highs = pl.LazyFrame(
        {
            "kind": list(variable_kinds.KINDS),
            "kind_high": [k.high for k in variable_kinds.KINDS.values()],
            "kind_low": [k.low for k in variable_kinds.KINDS.values()],
        },
        schema={"kind": pl.String, "kind_high": pl.Float64, "kind_low": pl.Float64},
    )
    return (
        current.filter(value.is_finite())
        .join(limits.select("variable", "kind"), on="variable", how="inner")
        .join(highs, on="kind", how="left")
        .with_columns(reason=reason)
        .filter(pl.col("reason").is_not_null())
        .select(
            "unit",
            "variable",
            "period",
            check=pl.lit("kind"),
            severity=pl.lit("error"),
            value="value",
            detail=pl.format("{} value of a {}", pl.col("reason"), pl.col("kind")),
            expected_low=pl.col("kind_low"),
            expected_high=bound,
            reference=pl.lit(None, dtype=pl.Float64),
            median=pl.lit(None, dtype=pl.Float64),
            scale=pl.lit(None, dtype=pl.Float64),
        )
    )


# -- 2. required ----------------------------------------------------------------------------


def _required(
    current: pl.DataFrame,
    required: set[str],
    units: list[str] | None,
    periods: list[str] | None,
) -> pl.LazyFrame | None:
    """A value is present when its row exists with a non-null value; a NaN counts as
    present, since it is already reported as `not_finite`."""
    if not required:
        return None
    lazy = current.lazy()
    if units is not None and periods is not None:
        pairs = pl.LazyFrame({"unit": list(units)}, schema={"unit": pl.String}).join(
            pl.LazyFrame({"period": list(periods)}, schema={"period": pl.String}), how="cross"
        )
    elif units is not None:
        pairs = pl.LazyFrame({"unit": list(units)}, schema={"unit": pl.String}).join(
            lazy.select(pl.col("period").unique()), how="cross"
        )
    elif periods is not None:
        pairs = lazy.select(pl.col("unit").unique()).join(
            pl.LazyFrame({"period": list(periods)}, schema={"period": pl.String}), how="cross"
        )
    else:
        pairs = lazy.select("unit", "period").unique()
    wanted = pairs.unique().join(
        pl.LazyFrame({"variable": sorted(required)}, schema={"variable": pl.String}), how="cross"
    )
    present = lazy.filter(pl.col("value").is_not_null()).select(_KEY)
    return wanted.join(present, on=_KEY, how="anti").select(
        "unit",
        "variable",
        "period",
        check=pl.lit("required"),
        severity=pl.lit("error"),
        value=pl.lit(None, dtype=pl.Float64),
        detail=pl.lit("required value missing"),
        expected_low=pl.lit(None, dtype=pl.Float64),
        expected_high=pl.lit(None, dtype=pl.Float64),
        reference=pl.lit(None, dtype=pl.Float64),
        median=pl.lit(None, dtype=pl.Float64),
        scale=pl.lit(None, dtype=pl.Float64),
    )


# -- 3. validation rules --------------------------------------------------------------------


def _rules(
    current: pl.DataFrame,
    earlier: pl.DataFrame | None,
    rules: list[ValidationRule],
    trees: list[tuple[Node, Node]],
) -> pl.LazyFrame:
    """A rule fires where both sides have a value and `left op right` is false, which is
    exactly where the formula `(left) op (right)` evaluates to false: a comparison with a
    missing side is missing, so a rule whose inputs are missing stays silent."""
    data = current
    if earlier is not None and any(prev_references(tree) for pair in trees for tree in pair):
        extra = earlier.join(current.select("unit").unique(), on="unit", how="semi").join(
            current, on=_KEY, how="anti"
        )
        data = pl.concat([current, extra])
    checked = current.filter(pl.col("value").is_finite()).select("unit", "period").unique()
    if checked.height * len(rules) <= SCALAR_RULES_LIMIT:
        sides = _sides_scalar(data, checked, trees)
    else:
        sides = _sides_vectorised(data, checked, rules)
    meta = pl.LazyFrame(
        {
            "index": range(len(rules)),
            "rule": [rule.code for rule in rules],
            "severity": [rule.severity for rule in rules],
            "op": [rule.op for rule in rules],
            "text": [rule.text for rule in rules],
        },
        schema_overrides={"index": pl.Int64},
    )
    op, left, right = pl.col("op"), pl.col("left"), pl.col("right")
    holds = (
        pl.when(op == "<")
        .then(left < right)
        .when(op == "<=")
        .then(left <= right)
        .when(op == ">")
        .then(left > right)
        .when(op == ">=")
        .then(left >= right)
        .when(op == "==")
        .then(left == right)
        .otherwise(left != right)
    )
    return (
        sides.join(meta, on="index", how="left")
        .filter(~holds)
        .select(
            "unit",
            pl.col("rule").alias("variable"),
            "period",
            check=pl.lit("rule"),
            severity="severity",
            value="left",
            detail=pl.format("rule false: {}", pl.col("text")),
            expected_low=pl.when(op.is_in([">", ">=", "=="])).then(right),
            expected_high=pl.when(op.is_in(["<", "<=", "=="])).then(right),
            reference=right,
            median=pl.lit(None, dtype=pl.Float64),
            scale=pl.lit(None, dtype=pl.Float64),
        )
    )


_SIDES_SCHEMA = {
    "index": pl.Int64,
    "unit": pl.String,
    "period": pl.String,
    "left": pl.Float64,
    "right": pl.Float64,
}


def _sides_vectorised(
    data: pl.DataFrame, checked: pl.DataFrame, rules: list[ValidationRule]
) -> pl.LazyFrame:
    """Both sides of every rule for every unit and period in one call of the formula
    engine (which computes sub-formulas shared between rules once)."""
    formulas: dict[str, str] = {}
    for index, rule in enumerate(rules):
        formulas[f"{_RULE_PREFIX}{index}_L"] = rule.left
        formulas[f"{_RULE_PREFIX}{index}_R"] = rule.right
    evaluated = (
        evaluate(data, formulas)
        .values.lazy()
        .join(checked.lazy(), on=["unit", "period"], how="semi")
        .with_columns(
            index=pl.col("indicator").str.slice(len(_RULE_PREFIX)).str.head(-2).cast(pl.Int64),
            side=pl.col("indicator").str.tail(1),
        )
    )
    on = ["index", "unit", "period"]
    left = evaluated.filter(pl.col("side") == "L").select(*on, left="value")
    right = evaluated.filter(pl.col("side") == "R").select(*on, right="value")
    return left.join(right, on=on, how="inner").select(list(_SIDES_SCHEMA))


def _sides_scalar(
    data: pl.DataFrame, checked: pl.DataFrame, trees: list[tuple[Node, Node]]
) -> pl.LazyFrame:
    """The same as `_sides_vectorised` with the engine's reference evaluator, one unit and
    period at a time: for a single questionnaire the planning and collecting of the
    vectorised engine costs far more than the arithmetic, which is microseconds here.

    Mirrors the vectorised engine's rows: a unit and period exists when it has at least
    one finite value, and `prev()` reads the same unit's previous period."""
    envs: dict[tuple[str, str], dict[str, float]] = {}
    finite = data.filter(pl.col("value").is_finite())
    for unit, variable, period, value in finite.iter_rows():
        envs.setdefault((unit, period), {})[variable] = value
    previous: dict[str, str] = {}
    rows = []
    for unit, period in checked.iter_rows():
        if period not in previous:
            previous[period] = Period.parse(period).previous().code
        env = envs[(unit, period)]
        prev_env = envs.get((unit, previous[period]))
        for index, (left_tree, right_tree) in enumerate(trees):
            left = evaluate_scalar(left_tree, env, prev_env)
            if left is None:
                continue
            right = evaluate_scalar(right_tree, env, prev_env)
            if right is None:
                continue
            rows.append((index, unit, period, float(left), float(right)))
    return pl.LazyFrame(rows, schema=_SIDES_SCHEMA, orient="row")


# -- 4. change against the previous period --------------------------------------------------


def _change(
    current: pl.DataFrame,
    finite: pl.LazyFrame,
    earlier: pl.DataFrame | None,
    limits: pl.LazyFrame,
    default: float,
) -> pl.LazyFrame:
    """The previous value comes from the checked values themselves or from `history`
    (the checked one wins), so that a multi-year file is checked against itself."""
    pool = finite
    if earlier is not None:
        older = (
            earlier.lazy()
            .filter(pl.col("value").is_finite())
            .join(current.lazy(), on=_KEY, how="anti")
        )
        pool = pl.concat([finite, older])
    previous = pool.select(
        "unit",
        "variable",
        pl.col("period").alias("previous_period"),
        pl.col("value").alias("previous"),
    )
    steps = finite.select(pl.col("period").unique()).with_columns(
        previous_period=previous_period_expr("period")
    )
    value, before = pl.col("value"), pl.col("previous")
    threshold = pl.coalesce(pl.col("threshold"), pl.lit(default, dtype=pl.Float64))
    ratio = (value - before).abs() / before.abs()
    fires = (
        pl.when(before == 0.0)
        .then(value != 0.0)
        .otherwise(ratio > threshold * (1.0 + CHANGE_TOLERANCE))
    )
    margin = threshold * before.abs()
    percent = _text(((value - before) / before.abs() * 100.0).round(1))
    return (
        finite.join(steps, on="period", how="left")
        .join(previous, on=["unit", "variable", "previous_period"], how="inner")
        .join(limits.select("variable", "threshold"), on="variable", how="left")
        .filter(fires)
        .select(
            "unit",
            "variable",
            "period",
            check=pl.lit("change"),
            severity=pl.lit("warning"),
            value="value",
            detail=pl.when(before == 0.0)
            .then(pl.format("change from 0 in {}", pl.col("previous_period")))
            .otherwise(
                pl.format(
                    "change {}% vs {} exceeds {}%",
                    pl.when(value > before).then(pl.format("+{}", percent)).otherwise(percent),
                    pl.col("previous_period"),
                    _text(threshold * 100.0),
                )
            ),
            expected_low=before - margin,
            expected_high=before + margin,
            reference=before,
            median=pl.lit(None, dtype=pl.Float64),
            scale=pl.lit(None, dtype=pl.Float64),
        )
    )


# -- 5. outliers against the peer distribution ----------------------------------------------


def _size_pool(
    current: pl.DataFrame,
    others: pl.DataFrame | None,
    earlier: pl.DataFrame | None,
    extra: pl.DataFrame | None,
    variables: Mapping[str, VariableRule],
) -> pl.LazyFrame | None:
    """The finite values of the size variables (`VariableRule.per`) from every input, each
    unit, variable and period once (values before peers before history before sizes);
    None when no variable is compared per size."""
    wanted = sorted({rule.per for rule in variables.values() if rule.per})
    if not wanted:
        return None
    frames = [f for f in (current, others, earlier, extra) if f is not None]
    return (
        pl.concat(
            [f.lazy().with_columns(rank=pl.lit(i, dtype=pl.Int32)) for i, f in enumerate(frames)]
        )
        .filter(pl.col("variable").is_in(wanted) & pl.col("value").is_finite())
        .sort("rank")
        .unique(subset=_KEY, keep="first", maintain_order=True)
        .select([*_KEY, "value"])
    )


def _with_size(frame: pl.LazyFrame, limits: pl.LazyFrame, sizes: pl.LazyFrame | None):
    """`frame` with `size`: null for a variable compared as reported; for a variable
    with a size variable, the unit's size in the period, else in the previous period;
    rows of such a variable whose unit has no positive size are dropped."""
    if sizes is None:
        return frame.with_columns(size=pl.lit(None, dtype=pl.Float64))
    now = sizes.select(
        "unit", pl.col("variable").alias("per"), "period", pl.col("value").alias("size_now")
    )
    before = sizes.select(
        "unit",
        pl.col("variable").alias("per"),
        pl.col("period").alias("previous_period"),
        pl.col("value").alias("size_before"),
    )
    size = pl.coalesce("size_now", "size_before")
    return (
        frame.join(limits.select("variable", "per"), on="variable", how="left")
        .with_columns(previous_period=previous_period_expr("period"))
        .join(now, on=["unit", "per", "period"], how="left")
        .join(before, on=["unit", "per", "previous_period"], how="left")
        .with_columns(size=pl.when(pl.col("per").is_not_null()).then(size))
        .filter(pl.col("per").is_null() | (pl.col("size") > 0.0).fill_null(False))
        .drop("per", "previous_period", "size_now", "size_before")
    )


def _outliers(
    current: pl.DataFrame,
    finite: pl.LazyFrame,
    others: pl.DataFrame | None,
    threshold: float,
    peer_classes: Mapping[str, str | None] | None = None,
    *,
    limits: pl.LazyFrame,
    sizes: pl.LazyFrame | None = None,
    earlier: pl.DataFrame | None = None,
    consistent_change: float | None = None,
) -> pl.LazyFrame:
    """Robust z against peers ∪ checked values, each unit once per variable and period:
    a unit's checked value replaces its stored one, even when the new one is missing.
    With `peer_classes`, a classed unit's distribution is that of its class. A variable
    with a size variable is compared divided by each unit's size (`_with_size`); a value
    consistent with the unit's own previous one (`consistent_change`) is not reported."""
    distribution = finite
    if others is not None:
        # Peers of variables and periods not checked are dropped by the inner join below;
        # `is_in` on single columns is much cheaper than joins on the three keys, which
        # are only needed for the few peers that are also checked units.
        def among(column: str) -> pl.Expr:
            return pl.col(column).is_in(current.get_column(column).unique().implode())

        relevant = others.lazy().filter(
            pl.col("value").is_finite() & among("variable") & among("period")
        )
        checked_unit = among("unit")
        distribution = pl.concat(
            [
                finite,
                relevant.filter(~checked_unit),
                relevant.filter(checked_unit).join(current.lazy(), on=_KEY, how="anti"),
            ]
        )
    # What is compared: the value, or the value per unit of size.
    x = pl.col("x")
    compared = (
        pl.when(pl.col("size").is_not_null())
        .then(pl.col("value") / pl.col("size"))
        .otherwise(pl.col("value"))
    )
    distribution = _with_size(distribution, limits, sizes).with_columns(x=compared)
    # The class "" stands for "every unit": the distribution of each class, and of all.
    classes = pl.DataFrame(
        list((peer_classes or {}).items()),
        schema={"unit": pl.String, "peer_class": pl.String},
        orient="row",
    ).lazy()
    classed = distribution.join(classes, on="unit", how="left").filter(
        pl.col("peer_class").is_not_null()
    )
    everyone = distribution.with_columns(peer_class=pl.lit("", pl.String))
    groups = (
        pl.concat([everyone, classed.select(everyone.collect_schema().names())])
        .group_by("variable", "period", "peer_class")
        .agg(
            median=x.median(),
            mad=(x - x.median()).abs().median(),
            n=pl.len(),
        )
        .filter((pl.col("n") >= MIN_PEERS) & (pl.col("mad") > 0.0))
    )
    scale = MAD_SCALE * pl.col("mad")
    z = (x - pl.col("median")) / scale
    found = (
        _with_size(finite, limits, sizes)
        .with_columns(x=compared)
        .join(classes, on="unit", how="left")
        .with_columns(pl.col("peer_class").fill_null(""))
        .join(groups, on=["variable", "period", "peer_class"], how="inner")
        .with_columns(z=z)
        .filter(pl.col("z").abs() > threshold)
    )
    if consistent_change is not None:
        found = _inconsistent_with_history(found, finite, earlier, consistent_change)
    # Figures in the variable's own terms: per unit of size times the unit's size.
    times = pl.coalesce(pl.col("size"), pl.lit(1.0))
    per_text = pl.when(pl.col("size").is_not_null()).then(pl.lit(" per size")).otherwise(pl.lit(""))
    return found.select(
        "unit",
        "variable",
        "period",
        check=pl.lit("outlier"),
        severity=pl.lit("warning"),
        value="value",
        detail=pl.format(
            "robust z {} vs median of {} values{}",
            _text(pl.col("z").round(2)),
            pl.col("n"),
            per_text,
        ),
        expected_low=(pl.col("median") - threshold * scale) * times,
        expected_high=(pl.col("median") + threshold * scale) * times,
        reference="z",
        median=pl.col("median") * times,
        scale="size",
    )


def _inconsistent_with_history(
    found: pl.LazyFrame,
    finite: pl.LazyFrame,
    earlier: pl.DataFrame | None,
    tolerance: float,
) -> pl.LazyFrame:
    """The outliers that are not within `tolerance` (relative) of the same unit's value of
    the previous period: a unit that reports as it did last year is consistent with its
    own history, which weighs more than a comparison with others (methodology.md)."""
    pool = finite
    if earlier is not None:
        older = (
            earlier.lazy()
            .filter(pl.col("value").is_finite())
            .join(finite.select(_KEY), on=_KEY, how="anti")
        )
        pool = pl.concat([finite, older])
    previous = pool.select(
        "unit",
        "variable",
        pl.col("period").alias("previous_period"),
        pl.col("value").alias("own_previous"),
    )
    before = pl.col("own_previous")
    consistent = (pl.col("value") - before).abs() <= tolerance * before.abs() * (
        1.0 + CHANGE_TOLERANCE
    )
    return (
        found.with_columns(previous_period=previous_period_expr("period"))
        .join(previous, on=["unit", "variable", "previous_period"], how="left")
        .filter(~consistent.fill_null(False))
    )


JUSTIFIED_SCHEMA = FINDINGS_SCHEMA | {"justified": pl.Boolean, "blocking": pl.Boolean}


def justify(
    findings: pl.DataFrame,
    commented: pl.DataFrame,
    rule_inputs: Mapping[str, Iterable[str]],
) -> pl.DataFrame:
    """The findings with `justified` and `blocking` (methodology.md: a warning may be kept
    with a written justification).

    A warning is justified by a comment on its value; a rule's warning, which names the
    rule and not a value, by a comment on any value the rule reads (`rule_inputs`: rule
    code → the variable codes it reads), as a clerk explains a rule warning next to the
    figure it is about. An error is never justified. Errors and unjustified warnings
    block a submission. `commented` holds `unit, variable` of the values that carry a
    comment (not only blanks). Rows keep their order.
    """
    if findings.is_empty():
        return pl.DataFrame(
            schema=findings.schema | {"justified": pl.Boolean, "blocking": pl.Boolean}
        )
    commented = commented.select(pl.col("unit").cast(pl.String), pl.col("variable").cast(pl.String))
    inputs = pl.DataFrame(
        [(rule, code) for rule, codes in rule_inputs.items() for code in codes],
        schema={"variable": pl.String, "input": pl.String},
        orient="row",
    )
    by_rule = (
        inputs.join(commented.rename({"variable": "input"}), on="input")
        .select("unit", "variable")
        .unique()
        .with_columns(_rule_comment=pl.lit(True))
    )
    by_value = commented.unique().with_columns(_value_comment=pl.lit(True))
    explained = (
        pl.when(pl.col("check") == "rule")
        .then(pl.col("_rule_comment"))
        .otherwise(pl.col("_value_comment"))
        .fill_null(False)
    )
    return (
        findings.with_row_index("_row")
        .join(by_value, on=["unit", "variable"], how="left")
        .join(by_rule, on=["unit", "variable"], how="left")
        .sort("_row")
        .with_columns(justified=(pl.col("severity") == "warning") & explained)
        .with_columns(blocking=(pl.col("severity") == "error") | ~pl.col("justified"))
        .drop("_row", "_value_comment", "_rule_comment")
    )


def finding_counts(findings: pl.DataFrame) -> dict[str, dict[str, int]]:
    """Per unit, its `errors` and `open_warnings` (warnings not justified) among
    `findings` (as `justify` gives them)."""
    if findings.is_empty():
        return {}
    return {
        row["unit"]: {"errors": row["errors"], "open_warnings": row["open_warnings"]}
        for row in findings.group_by("unit")
        .agg(
            errors=(pl.col("severity") == "error").sum(),
            open_warnings=((pl.col("severity") == "warning") & ~pl.col("justified")).sum(),
        )
        .iter_rows(named=True)
    }
