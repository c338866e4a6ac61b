"""Writes of values: the one path through which every value enters miara.

`values_save()` is the one entry point of every channel (the questionnaire form, its
Excel upload, the API, `miara load values`, the demo): it checks permission (the rule
of `cycles.values_write_refusals`), parses and validates the rows, stores them in one
transaction and records one audit entry. Its storage core, `_values_store()`, compares
with what is stored, writes only real changes in bulk, bumps versions, appends history
and bumps the unit-period revisions that cached findings depend on (findings.py).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from miara.accounts.audit import audit_record
from miara.accounts.scope import OPERATOR, writable_unit_ids
from miara.catalogue.models import Variable
from miara.collection.cycles import locked_keys, values_write_refusals
from miara.collection.hooks import office_variables
from miara.collection.models import Channel, QuestionnaireItem, Revision, Value, ValueHistory
from miara.engine import kinds as variable_kinds
from miara.engine.periods import PERIOD_REGEX
from miara.fileio import FileProblem, Problem, read_table
from miara.fileio.problems import MAX_REPORTED
from miara.fileio.tables import LINE
from miara.lib import bulk
from miara.lib.translations import pick
from miara.units.models import Unit

# A write of more values than this refreshes the planner's statistics (bulk.analyze): a
# form's or a small file's few values do not change the tables' shape.
ANALYZE_AFTER_ROWS = 10_000

# Up to this many rows a write is a form's or a small file's: codes are looked up one by
# one and stored values read by their keys, with ordinary queries instead of COPY; on
# PostgreSQL, it locks its keys one by one (a larger write locks the table instead: each
# advisory lock holds a slot of the server's shared lock table, max_locks_per_transaction
# x max_connections, 6,400 by default).
SMALL_FRAME = 100

MAX_COMMENT = 2000
_PERIOD = re.compile(PERIOD_REGEX)

# Per channel of a value, the action and channel of the audit entry of a save.
AUDIT = {
    Channel.FORM: ("values.form", "web"),
    Channel.EXCEL: ("values.excel", "web"),
    Channel.API: ("values.write", "api"),
    Channel.IMPORT: ("values.load", "import"),
}

# Columns of a channel's rows, besides the values themselves, that go on to the storage
# core: the version the writer read (conflict detection), and whether to keep the stored
# comment (the API's items without a comment).
_PASSED_ON = ("version", "keep_comment")


@dataclass
class WriteReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    issues: list[str] = field(default_factory=list)
    # `unit_id, variable_id, period, version` of every row after the write (and the
    # rows' `__line` where they had one), read under the write's lock.
    versions: pl.DataFrame | None = None

    def summary(self) -> str:
        return f"{self.created} new, {self.updated} changed, {self.unchanged} unchanged values"


@dataclass
class Conflict:
    unit: str
    variable: str
    period: str
    given_version: int
    stored_version: int
    stored_value: float | None


class ValuesLocked(Exception):
    """Values of a submitted or accepted questionnaire; nothing was written."""

    def __init__(self, keys: list[tuple[str, str, str]]):
        self.keys = keys
        shown = ", ".join(" ".join(k) for k in keys[:5])
        super().__init__(
            f"{len(keys)} value(s) belong to a submitted or accepted questionnaire and are locked "
            f"({shown}); the coordinator must return or reopen it first"
        )


class WriteRefused(PermissionDenied):
    """The acting user may not write some of the values; nothing was written.

    `refusals` maps (unit code, period) to the reason (`cycles.values_write_refusals`).
    A PermissionDenied, so that a page or endpoint that does not catch it answers 403;
    its message names what was refused, as the API has always answered.
    """

    def __init__(self, refusals: dict[tuple[str, str], str], *, outside: list[str], none: bool):
        self.refusals = refusals
        if none:
            message = "your role may not write values"
        elif outside:
            message = f"you may not write values of unit {', '.join(outside)}"
        else:
            message = "; ".join(
                f"{unit} {period}: {reason}" for (unit, period), reason in sorted(refusals.items())
            )
        super().__init__(message)


class ValueConflict(Exception):
    """Someone changed a value after the caller read it; nothing was written."""

    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        super().__init__(f"{len(conflicts)} value(s) were changed by someone else meanwhile")


def _quote(text: str | None, limit: int = 40) -> str:
    text = "" if text is None else str(text)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def kind_problem_text(reason: str, value: str, variable: str, kind: str) -> str:
    """Why `value` (as typed) cannot be a value of `variable` (its name for the reader),
    given `reason` from engine.kinds; in the active language."""
    params = {"value": value, "variable": variable}
    if reason == variable_kinds.NEGATIVE:
        return gettext("%(value)s is negative, but %(variable)s cannot be below 0") % params
    if reason == variable_kinds.ABOVE:
        return gettext("%(value)s is above %(max)s, the most %(variable)s can be") % (
            params | {"max": _number(variable_kinds.KINDS[kind].high)}
        )
    return (
        gettext(
            "%(value)s is not a whole number, but %(variable)s counts whole items; "
            "enter a whole number"
        )
        % params
    )


def _variable_name(code: str) -> str:
    """“Name” (CODE) of a variable in the reader's language, for a message about its value."""
    name = Variable.objects.filter(code=code).values_list("name", flat=True).first()
    return f"“{pick(name or {}, default=code)}” ({code})"


def _variable_kind(code: str) -> str:
    return Variable.objects.filter(code=code).values_list("kind", flat=True).first()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _unit_ids(frame: pl.DataFrame) -> pl.DataFrame:
    """`unit, unit_id` of the unit codes a frame of strings names (that exist)."""
    unit_rows = Unit.objects.all()
    if frame.height <= SMALL_FRAME:
        # A form's few values: look up their codes only, not the whole table.
        unit_rows = unit_rows.filter(code__in=frame.get_column("unit").drop_nulls().unique())
    return pl.DataFrame(
        list(unit_rows.values_list("code", "id")),
        schema={"unit": pl.String, "unit_id": pl.Int64},
        orient="row",
    )


def parse_values(
    frame: pl.DataFrame, *, source: str, cell_of=None, units: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Check a long-format frame of strings and map codes to ids.

    Returns `unit_id, variable_id, period, value, comment, __line`; raises FileProblem
    naming every bad line and column (unknown codes, bad periods, unparsable numbers,
    out-of-range values, values that do not fit the variable's kind (engine.kinds: a
    count with a fraction, a negative count, a percentage above 100), duplicates).
    `units`: the frame's unit codes already looked up (`_unit_ids`).
    """
    if units is None:
        units = _unit_ids(frame)
    variable_rows = Variable.objects.all()
    if frame.height <= SMALL_FRAME:
        variable_rows = variable_rows.filter(
            code__in=frame.get_column("variable").drop_nulls().unique()
        )
    variables = pl.DataFrame(
        list(variable_rows.values_list("code", "id", "min_value", "max_value", "kind")),
        schema={
            "variable": pl.String,
            "variable_id": pl.Int64,
            "min_value": pl.Float64,
            "max_value": pl.Float64,
            "kind": pl.String,
        },
        orient="row",
    )
    has_comment = "comment" in frame.columns
    checked = (
        frame.with_columns(
            pl.col("value").str.replace_all(r"[\s\u00a0]", "").alias("value_text"),
        )
        .with_columns(pl.col("value_text").cast(pl.Float64, strict=False).alias("value_number"))
        .join(units, on="unit", how="left")
        .join(variables, on="variable", how="left")
    )
    problems: list[tuple[int, Problem]] = []
    total = 0
    kinds: list[tuple[pl.Expr, str, object]] = []

    def report(mask: pl.Expr, column: str, message) -> None:
        kinds.append((mask, column, message))

    def describe(mask: pl.Expr, column: str, message) -> None:
        nonlocal total
        bad = checked.filter(mask)
        total += bad.height
        # Only the first lines of each kind are described: a million-line report helps nobody.
        bad = bad.head(MAX_REPORTED)
        for row in bad.select(LINE, "unit", "variable", "period", "value").iter_rows(named=True):
            problems.append(
                (
                    row[LINE],
                    Problem(
                        message(row),
                        line=row[LINE],
                        column=column,
                        cell=cell_of(row[LINE], column) if cell_of else None,
                    ),
                )
            )

    report(pl.col("unit").is_null(), "unit", lambda r: "the unit code is empty")
    report(
        pl.col("unit").is_not_null() & pl.col("unit_id").is_null(),
        "unit",
        lambda r: f"unknown unit {_quote(r['unit'])}",
    )
    report(pl.col("variable").is_null(), "variable", lambda r: "the variable code is empty")
    report(
        pl.col("variable").is_not_null() & pl.col("variable_id").is_null(),
        "variable",
        lambda r: f"unknown variable {_quote(r['variable'])}",
    )
    report(
        pl.col("period").is_null() | ~pl.col("period").str.contains(PERIOD_REGEX),
        "period",
        lambda r: f"{_quote(r['period'])} is not a period; write 2024, 2024-Q1 or 2024-03",
    )
    given = pl.col("value_text").is_not_null() & (pl.col("value_text") != "")
    number = pl.col("value_number")
    decimal_comma = pl.col("value_text").str.contains(r"^-?\d+,\d+$")
    report(
        given & decimal_comma,
        "value",
        lambda r: (
            f"{_quote(r['value'])} uses a decimal comma; write numbers with a dot, e.g. {str(r['value']).replace(',', '.')}"
        ),
    )
    report(
        given & ~decimal_comma & number.is_null(),
        "value",
        lambda r: f"{_quote(r['value'])} is not a number",
    )
    report(
        given & number.is_not_null() & ~number.is_finite(),
        "value",
        lambda r: f"{_quote(r['value'])} is not a finite number",
    )
    finite = given & number.is_finite()
    report(
        finite & pl.col("min_value").is_not_null() & (number < pl.col("min_value")),
        "value",
        lambda r: f"{r['value']} is below the minimum of {r['variable']}",
    )
    report(
        finite & pl.col("max_value").is_not_null() & (number > pl.col("max_value")),
        "value",
        lambda r: f"{r['value']} is above the maximum of {r['variable']}",
    )
    # The variable's kind (engine.kinds): the same rule for a form, a file and the API.
    misfit = variable_kinds.violation_expr(pl.col("kind"), number)
    for reason in (variable_kinds.NEGATIVE, variable_kinds.ABOVE, variable_kinds.FRACTION):
        report(
            finite & (misfit == reason),
            "value",
            lambda r, reason=reason: kind_problem_text(
                reason, r["value"], _variable_name(r["variable"]), _variable_kind(r["variable"])
            ),
        )
    if has_comment:
        report(
            pl.col("comment").str.len_chars() > MAX_COMMENT,
            "comment",
            lambda r: f"the comment is longer than {MAX_COMMENT} characters",
        )
    # Which kinds of problem occur at all, in one pass: a clean file (and a form's one
    # value) is then checked without a filter per kind.
    occurs = checked.select(
        mask.fill_null(False).any().alias(f"kind{i}") for i, (mask, _c, _m) in enumerate(kinds)
    ).row(0)
    for found, kind in zip(occurs, kinds, strict=True):
        if found:
            describe(*kind)
    duplicated = checked.filter(
        pl.struct("unit", "variable", "period").is_duplicated() & pl.col("unit").is_not_null()
    )
    if not duplicated.is_empty():
        firsts = duplicated.group_by("unit", "variable", "period").agg(
            pl.col(LINE).min().alias("first")
        )
        repeated = duplicated.join(firsts, on=["unit", "variable", "period"]).filter(
            pl.col(LINE) != pl.col("first")
        )
        total += repeated.height
        for row in repeated.head(MAX_REPORTED).iter_rows(named=True):
            problems.append(
                (
                    row[LINE],
                    Problem(
                        f"{row['unit']} {row['variable']} {row['period']} appears twice (first on line {row['first']})",
                        line=row[LINE],
                    ),
                )
            )
    if problems:
        problems.sort(key=lambda item: item[0])
        raise FileProblem(source, [p for _, p in problems], total=total)
    return checked.select(
        "unit_id",
        "variable_id",
        "period",
        pl.when(given).then(number).otherwise(None).alias("value"),
        (pl.col("comment") if has_comment else pl.lit(None, pl.String)).alias("comment"),
        LINE,
    )


def values_load(*, path: str | Path, acting_user=OPERATOR, progress=None) -> WriteReport:
    """Load a long-format values file (contracts.md) all-or-nothing, through `values_save`.

    `acting_user`: the command line's OPERATOR unless a user loads it. A file without a
    `comment` column keeps the stored comments. `progress`, if given, is called with the
    name of each step as it starts.
    """
    path = Path(path)
    step = progress or _no_progress
    step("reading")
    positions: dict[str, int] = {}
    frame = read_table(
        path,
        required=["unit", "variable", "period", "value"],
        optional=["comment"],
        positions=positions,
    )
    if frame.is_empty():
        raise FileProblem(path.name, [Problem("the file has a header but no values")])
    cell_of = None
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl.utils import get_column_letter

        cell_of = lambda line, column: f"{get_column_letter(positions[column] + 1)}{line}"  # noqa: E731
    return values_save(
        acting_user=acting_user,
        rows=frame,
        channel=Channel.IMPORT,
        source=path.name,
        details={"file": path.name},
        cell_of=cell_of,
        progress=step,
    )


def _no_progress(step: str) -> None:
    pass


def values_save(
    *,
    acting_user,
    rows: pl.DataFrame | Callable[[], pl.DataFrame],
    channel: str,
    source: str = "",
    about: str = "",
    details: dict | None = None,
    parsed: bool = False,
    scope: Iterable[tuple[int, str]] = (),
    cell_of=None,
    problems: Sequence[Problem] = (),
    progress=None,
) -> WriteReport:
    """Save values from any channel: permission, parsing, one atomic write, one audit entry.

    The one way values enter miara: the form, the Excel upload, the API and `miara load
    values` call it, and so does any later writer of values.

    1. Permission: `acting_user` (a user, or OPERATOR for the command line) must be
       allowed to write every (unit, period) of `rows` and of `scope` by THE rule,
       `cycles.values_write_refusals`; else WriteRefused (a PermissionDenied), before
       any row is checked, so a refused caller learns nothing from the answer.
    2. Parsing and validation (`parse_values`): codes to ids, periods, numbers, ranges,
       kinds, duplicates; FileProblem naming every bad line, with the channel's own
       `problems` (e.g. the API's JSON types), and `cell_of(line, column)` naming cells.
    3. One transaction: the storage core (`_values_store`: locks, conflicts, versions,
       history; ValueConflict, ValuesLocked), and, when something changed, one audit
       entry: the action of `channel` (AUDIT), `about` (default `source`) and the
       counts in its summary, `details` plus the counts in its details.

    `rows` come as the channel has them: text `unit, variable, period, value[, comment]`
    with `__line` (the line or item number that problems name), or, with `parsed`,
    ids `unit_id, variable_id, period, value, comment` that the channel has checked
    with the same rules (the form's ValueField). Either may add `version` (the one
    the writer read: 0 expects no stored value; ValueConflict when it is not the stored
    one) and `keep_comment` (keep the stored comment of that row); rows without a
    `comment` column keep every stored comment. `rows` may also be a function that
    returns them (a file's reader): it is called once the user's permission for `scope`
    is established. `source` names the input in history rows and problems. `progress`,
    if given, is called with "checking" and "writing" as those steps start.

    Returns the WriteReport, whose `versions` are the rows' versions after the write.
    """
    step = progress or _no_progress
    scope = set(scope)
    allowed: set[tuple[int, str]] = set()
    if callable(rows):
        _authorise(acting_user, scope)
        allowed = scope
        rows = rows()
    step("checking")
    units = None if parsed else _unit_ids(rows)
    if acting_user is not OPERATOR:
        keys = (_keys(rows, units) | scope) - allowed
        if keys or not allowed:
            _authorise(acting_user, keys, rows=rows, units=units)
    if not parsed:
        rows = _parsed(rows, source=source, cell_of=cell_of, units=units, problems=problems)
    step("writing")
    user = None if acting_user is OPERATOR else acting_user
    with transaction.atomic():
        report = _values_store(
            rows=rows,
            user=user,
            channel=channel,
            source=source,
            keep_comments="comment" not in rows.columns,
        )
        changed = report.created + report.updated
        if changed:
            action, audit_channel = AUDIT[channel]
            audit_record(
                user=user,
                action=action,
                channel=audit_channel,
                summary=f"{about or source}: {report.summary()}",
                details=(details or {})
                | {
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
    if changed > ANALYZE_AFTER_ROWS:
        bulk.analyze(Value._meta.db_table, ValueHistory._meta.db_table)
    return report


def _own_data_keys(
    rows: pl.DataFrame, units: pl.DataFrame | None, keys: set[tuple[int, str]]
) -> set[tuple[int, str]]:
    """Of `keys` (unit_id, period), those whose rows write only the office's own data:
    variables its process map names as a process's cost or output (`hooks`), which no
    collection cycle's questionnaire asks for. Read only when the period rule refused
    something, so the questionnaire's own writes pay nothing for it."""
    if "variable_id" in rows.columns:
        found = rows.select("unit_id", "period", "variable_id")
    else:
        if units is None:
            return set()
        found = rows.select("unit", "period", "variable").join(units, on="unit")
        ids = dict(
            Variable.objects.filter(
                code__in=found.get_column("variable").drop_nulls().unique().to_list()
            ).values_list("code", "id")
        )
        found = found.with_columns(
            pl.col("variable")
            .replace_strict(ids, default=None, return_dtype=pl.Int64)
            .alias("variable_id")
        )
    wanted = [
        (int(unit_id), period, variable_id)
        for unit_id, period, variable_id in found.select(
            "unit_id", "period", "variable_id"
        ).iter_rows()
        if (int(unit_id), period) in keys
    ]
    asked = set(
        QuestionnaireItem.objects.filter(
            variable_id__in={v for _u, _p, v in wanted if v is not None}
        ).values_list("variable_id", flat=True)
    )
    own = office_variables({u for u, _p in keys})
    verdict: dict[tuple[int, str], bool] = {}
    for unit_id, period, variable_id in wanted:
        mine = variable_id is not None and variable_id not in asked
        mine = mine and (unit_id, int(variable_id)) in own
        verdict[(unit_id, period)] = verdict.get((unit_id, period), True) and mine
    return {key for key, mine in verdict.items() if mine}


def _keys(rows: pl.DataFrame, units: pl.DataFrame | None) -> set[tuple[int, str]]:
    """The (unit_id, period) of a channel's rows: of ids, or of text rows whose unit
    exists (`units`, from `_unit_ids`; parse_values names the others)."""
    if units is not None:
        rows = rows.select("unit", "period").unique().join(units, on="unit")
    return set(rows.select("unit_id", "period").unique().iter_rows())


def _authorise(
    acting_user,
    keys: set[tuple[int, str]],
    *,
    rows: pl.DataFrame | None = None,
    units: pl.DataFrame | None = None,
) -> None:
    """Raise WriteRefused unless `acting_user` may write every (unit_id, period) of `keys`.

    A period that is not one (parse_values names it) is checked only for the unit. The
    period rule (`values_write_refusals`) guards what collection cycles collect: where
    `rows` are given, a (unit, period) whose rows write only the office's own data (the
    cost and output variables of its process map that no questionnaire asks for) is
    left to the unit rule (`_own_data_keys`).
    """
    if acting_user is OPERATOR:
        return
    writable = writable_unit_ids(acting_user)
    checked = {
        key
        for key in keys
        if (writable is not None and key[0] not in writable) or _PERIOD.fullmatch(key[1] or "")
    }
    refusals = values_write_refusals(acting_user, checked, writable=writable)
    by_period = {k for k in refusals if writable is None or k[0] in writable}
    if by_period and rows is not None:
        own = _own_data_keys(rows, units, by_period)
        refusals = {k: reason for k, reason in refusals.items() if k not in own}
    if not refusals and writable != set():
        return
    codes = dict(Unit.objects.filter(id__in={u for u, _p in refusals}).values_list("id", "code"))
    outside = sorted({codes[u] for u, _p in refusals if writable is not None and u not in writable})
    raise WriteRefused(
        {(codes[u], p): reason for (u, p), reason in refusals.items()},
        outside=outside,
        none=writable == set(),
    )


def _parsed(
    rows: pl.DataFrame, *, source: str, cell_of, units: pl.DataFrame, problems: Sequence[Problem]
) -> pl.DataFrame:
    """`parse_values` of a channel's text rows, with their version and keep_comment
    columns; FileProblem with the channel's own problems too, in line order."""
    try:
        parsed = parse_values(rows, source=source, cell_of=cell_of, units=units)
    except FileProblem as found:
        if not problems:
            raise
        everything = sorted([*problems, *found.problems], key=lambda p: p.line or 0)
        raise FileProblem(source, everything, total=len(problems) + found.total) from None
    if problems:
        raise FileProblem(source, sorted(problems, key=lambda p: p.line or 0))
    passed_on = [c for c in _PASSED_ON if c in rows.columns]
    if passed_on:
        parsed = parsed.join(rows.select(LINE, *passed_on), on=LINE, how="left")
    if "comment" not in rows.columns:
        parsed = parsed.drop("comment")
    return parsed


def _values_store(
    *, rows: pl.DataFrame, user, channel: str, source: str = "", keep_comments: bool = False
) -> WriteReport:
    """Write values given as `unit_id, variable_id, period, value, comment[, version]
    [, keep_comment]`.

    Only real changes are written; each bumps the version and appends a history row.
    Where `version` is given and differs from the stored one, raises ValueConflict and
    writes nothing (version 0 expects no stored value). Where `keep_comment` is true (or
    `keep_comments` for all rows), the stored comment stays. Must run inside a transaction
    (the caller's), once per transaction.

    Concurrent writers of the same values take turns: the keys are locked before the
    stored values are read (`_lock_for_writing`) and stay locked until the caller's
    transaction ends. So of writers giving the same version exactly one wins and the
    others get the ValueConflict; writers without a version each store the next
    version; of racing first writes of a new key one creates it and the next ones
    update it (or, with version 0, get the conflict).
    """
    assert connection.in_atomic_block, "_values_store must run inside transaction.atomic()"
    report = WriteReport()
    if rows.is_empty():
        return report
    if "version" not in rows.columns:
        rows = rows.with_columns(pl.lit(None, pl.Int64).alias("version"))
    small = rows.height <= SMALL_FRAME
    lock_rows = _lock_for_writing(rows, small=small)
    periods = rows.get_column("period").unique().to_list()
    variable_ids = rows.get_column("variable_id").unique().to_list()
    placeholders_p = ", ".join(["%s"] * len(periods))
    sql = (
        "SELECT id, unit_id, variable_id, period, value, comment, version FROM collection_value "
        f"WHERE period IN ({placeholders_p})"
    )
    params: list = list(periods)
    if len(variable_ids) <= 500:
        sql += f" AND variable_id IN ({', '.join(['%s'] * len(variable_ids))})"
        params += variable_ids
    if small:
        unit_ids = rows.get_column("unit_id").unique().to_list()
        sql += f" AND unit_id IN ({', '.join(['%s'] * len(unit_ids))})"
        params += unit_ids
    if lock_rows:
        # Also waits while a large load holds the table (see _lock_for_writing); in id
        # order, so that two writers never lock the same rows in opposite orders.
        sql += " ORDER BY id FOR UPDATE"
    stored = bulk.fetch_frame(
        sql,
        params,
        {
            "id": pl.Int64,
            "unit_id": pl.Int64,
            "variable_id": pl.Int64,
            "period": pl.String,
            "old_value": pl.Float64,
            "old_comment": pl.String,
            "old_version": pl.Int64,
        },
        few=small,
    )
    merged = rows.with_columns(
        pl.col("unit_id").cast(pl.Int64), pl.col("variable_id").cast(pl.Int64)
    ).join(stored, on=["unit_id", "variable_id", "period"], how="left")
    if keep_comments:
        merged = merged.with_columns(pl.coalesce("old_comment", pl.lit("")).alias("comment"))
    elif "keep_comment" in merged.columns:
        # Read under the lock: a comment read before it may be one another writer replaced.
        merged = merged.with_columns(
            pl.when(pl.col("keep_comment"))
            .then(pl.coalesce("old_comment", pl.lit("")))
            .otherwise(pl.col("comment"))
            .alias("comment")
        ).drop("keep_comment")
    merged = merged.with_columns(
        pl.col("comment").fill_null(""), pl.col("old_comment").fill_null("")
    )

    conflicts = merged.filter(
        pl.col("version").is_not_null() & (pl.col("version") != pl.col("old_version").fill_null(0))
    )
    if not conflicts.is_empty():
        unit_codes = dict(
            Unit.objects.filter(id__in=conflicts["unit_id"].to_list()).values_list("id", "code")
        )
        variable_codes = dict(
            Variable.objects.filter(id__in=conflicts["variable_id"].to_list()).values_list(
                "id", "code"
            )
        )
        raise ValueConflict(
            [
                Conflict(
                    unit_codes[r["unit_id"]],
                    variable_codes[r["variable_id"]],
                    r["period"],
                    r["version"],
                    r["old_version"] or 0,
                    r["old_value"],
                )
                for r in conflicts.iter_rows(named=True)
            ]
        )

    _refuse_locked(merged)

    is_new = pl.col("id").is_null()
    same_value = (pl.col("value") == pl.col("old_value")) | (
        pl.col("value").is_null() & pl.col("old_value").is_null()
    )
    changed = ~is_new & (
        ~same_value.fill_null(False) | (pl.col("comment") != pl.col("old_comment"))
    )
    new_rows = merged.filter(is_new)
    changed_rows = merged.filter(changed)
    report.created, report.updated = new_rows.height, changed_rows.height
    report.versions = merged.select(
        *[c for c in (LINE,) if c in merged.columns],
        "unit_id",
        "variable_id",
        "period",
        pl.when(is_new)
        .then(1)
        .when(changed)
        .then(pl.col("old_version") + 1)
        .otherwise(pl.col("old_version"))
        .alias("version"),
    )
    report.unchanged = merged.height - report.created - report.updated
    if not report.created and not report.updated:
        return report

    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    stamp = stamp if isinstance(stamp, str) else now.isoformat()
    user_id = user.pk if (user is not None and getattr(user, "is_authenticated", False)) else None
    meta = [
        pl.lit(channel).alias("channel"),
        pl.lit(user_id, pl.Int64).alias("updated_by_id"),
        pl.lit(stamp).alias("updated_at"),
    ]
    bulk.insert_frame(
        Value._meta.db_table,
        new_rows.select(
            "unit_id",
            "variable_id",
            "period",
            "value",
            "comment",
            pl.lit(1, pl.Int64).alias("version"),
            *meta,
        ),
        not_null_text=("comment",),
    )
    bulk.update_from_frame(
        Value._meta.db_table,
        changed_rows.select(
            "id", "value", "comment", (pl.col("old_version") + 1).alias("version"), *meta
        ),
        key="id",
        columns=["value", "comment", "version", "channel", "updated_by_id", "updated_at"],
    )
    history = pl.concat(
        [
            new_rows.select(
                "unit_id",
                "variable_id",
                "period",
                pl.lit(1, pl.Int64).alias("version"),
                pl.lit(None, pl.Float64).alias("old_value"),
                pl.col("value").alias("new_value"),
                pl.lit("").alias("old_comment"),
                pl.col("comment").alias("new_comment"),
            ),
            changed_rows.select(
                "unit_id",
                "variable_id",
                "period",
                (pl.col("old_version") + 1).alias("version"),
                "old_value",
                pl.col("value").alias("new_value"),
                "old_comment",
                pl.col("comment").alias("new_comment"),
            ),
        ]
    ).with_columns(
        pl.lit(channel).alias("channel"),
        pl.lit(user_id, pl.Int64).alias("user_id"),
        pl.lit(stamp).alias("at"),
        pl.lit(source[:255]).alias("source"),
    )
    bulk.insert_frame(
        ValueHistory._meta.db_table, history, not_null_text=("old_comment", "new_comment", "source")
    )
    _revisions_bump(new_rows, changed_rows)
    return report


def _revisions_bump(*written: pl.DataFrame) -> None:
    """Count one more write of each (unit, period) in the `written` rows, in the writer's own
    transaction (collection/findings.py: why cached findings then cannot miss it).

    One row per unit and period, so only writers of the same unit's period wait for
    each other here, and only from this statement to their commit; in a fixed order, so
    that two writers of several units never wait for each other in a circle."""
    keys = sorted({key for rows in written for key in rows.select("unit_id", "period").iter_rows()})
    table = connection.ops.quote_name(Revision._meta.db_table)
    upsert = (
        f"INSERT INTO {table} (unit_id, period, number) {{}} "
        f"ON CONFLICT (unit_id, period) DO UPDATE SET number = {table}.number + 1"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                upsert.format(
                    "SELECT u, p, 1 FROM unnest(%s::bigint[], %s::text[]) WITH ORDINALITY AS k(u, p, n) ORDER BY n"
                ),
                [[u for u, _p in keys], [p for _u, p in keys]],
            )
        else:
            # SQLite reads "INSERT ... SELECT ... ON CONFLICT" ambiguously: one row a time.
            cursor.executemany(upsert.format("VALUES (%s, %s, 1)"), keys)


def _lock_for_writing(rows: pl.DataFrame, *, small: bool) -> bool:
    """Keep other writers of these values out until the caller's transaction ends.

    Without it, two writers read the same stored version and both update from it: lost
    writes, duplicated versions, and a unique violation when both create a new key.
    On PostgreSQL a small write (SMALL_FRAME) takes one transaction-level
    advisory lock per key (covering keys that have no row yet), in a fixed order so that
    writers wait for each other instead of deadlocking; it then reads the stored rows
    FOR UPDATE (returns True). A larger write locks the table in EXCLUSIVE mode, which
    lets pages read but no one else write, and keeps the bulk read and COPY as they are.
    SQLite needs nothing: its transactions start IMMEDIATE (settings.py), one writer at
    a time.
    """
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        if not small:
            cursor.execute(
                f"LOCK TABLE {connection.ops.quote_name(Value._meta.db_table)} IN EXCLUSIVE MODE"
            )
            return False
        keys = rows.select("unit_id", "variable_id", "period").iter_rows()
        hashes = sorted({_key_lock_id(*key) for key in keys})
        # unnest yields the sorted ids in order, and each row takes its lock in turn.
        cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k", [hashes])
    return True


def _key_lock_id(unit_id: int, variable_id: int, period: str) -> int:
    """A signed 64-bit advisory-lock id for one value's key (a clash only makes two
    unrelated writes wait for each other)."""
    digest = hashlib.blake2b(
        f"miara.value:{unit_id}:{variable_id}:{period}".encode(), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big", signed=True)


def _refuse_locked(rows: pl.DataFrame) -> None:
    """Raise ValuesLocked if any row would change a value of a locked questionnaire."""
    periods = rows.get_column("period").unique().to_list()
    unit_ids = rows.get_column("unit_id").unique().to_list()
    locked = locked_keys(unit_ids if len(unit_ids) <= 1000 else None, periods)
    if not locked:
        return
    same = (pl.col("value") == pl.col("old_value")) | (
        pl.col("value").is_null() & pl.col("old_value").is_null()
    )
    touched = rows.filter(
        pl.col("id").is_null()
        | ~same.fill_null(False)
        | (pl.col("comment") != pl.col("old_comment"))
    )
    keys = [
        k for k in touched.select("unit_id", "variable_id", "period").iter_rows() if k in locked
    ]
    if keys:
        units = dict(Unit.objects.filter(id__in={k[0] for k in keys}).values_list("id", "code"))
        variables = dict(
            Variable.objects.filter(id__in={k[1] for k in keys}).values_list("id", "code")
        )
        raise ValuesLocked([(units[u], variables[v], p) for u, v, p in keys])
