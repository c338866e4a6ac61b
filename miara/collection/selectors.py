"""Reads of values. Everything that reads unit data takes the acting user's scope."""

from __future__ import annotations

import polars as pl
from django.db import connection
from django.db.models import Count, Max, QuerySet
from django.dispatch import Signal

from miara.accounts.scope import visible_unit_ids
from miara.collection.models import (
    Cycle,
    QuestionnaireItem,
    Submission,
    ValueHistory,
)
from miara.lib import bulk

VALUE_SCHEMA = {"unit": pl.String, "variable": pl.String, "period": pl.String, "value": pl.Float64}


def values_frame(
    *,
    periods: list[str] | None = None,
    with_comment: bool = False,
    user=None,
    units: list[str] | None = None,
    variables: list[str] | None = None,
    few: bool = False,
) -> pl.DataFrame:
    """Stored values in the engine's long format (`unit, variable, period, value[, comment]`).

    `user=None` means the system (command line, computation); otherwise only the units
    the user may see. `few=True`: the caller expects at most a few hundred rows (a page's
    units), read without PostgreSQL's COPY (`bulk.fetch_frame`).
    """
    where, params = [], []
    if periods:
        where.append(f"v.period IN ({', '.join(['%s'] * len(periods))})")
        params += periods
    if units:
        where.append(f"u.code IN ({', '.join(['%s'] * len(units))})")
        params += units
    if variables:
        where.append(f"x.code IN ({', '.join(['%s'] * len(variables))})")
        params += variables
    if user is not None:
        ids = visible_unit_ids(user)
        if ids is not None:
            if not ids:
                return pl.DataFrame(
                    schema=VALUE_SCHEMA
                    | ({"comment": pl.String, "version": pl.Int64} if with_comment else {})
                )
            where.append(f"v.unit_id IN ({', '.join(['%s'] * len(ids))})")
            params += list(ids)
    extra = ", v.comment, v.version" if with_comment else ""
    schema = VALUE_SCHEMA | ({"comment": pl.String, "version": pl.Int64} if with_comment else {})
    sql = (
        f"SELECT u.code, x.code, v.period, v.value{extra} FROM collection_value v "
        "JOIN units_unit u ON u.id = v.unit_id JOIN catalogue_variable x ON x.id = v.variable_id"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    return bulk.fetch_frame(sql, params, schema, few=few)


VALUE_PAGE_SCHEMA = VALUE_SCHEMA | {"comment": pl.String, "version": pl.Int64}


def values_page(
    *,
    user=None,
    periods: list[str] | None = None,
    units: list[str] | None = None,
    variables: list[str] | None = None,
    limit: int,
    offset: int = 0,
) -> tuple[pl.DataFrame, int]:
    """One page of stored values with comment and version, ordered by unit, variable,
    period, and the total count. Same scope rule as `values_frame()`.
    """
    empty = pl.DataFrame(schema=VALUE_PAGE_SCHEMA)
    where, params = [], []
    for column, wanted in (("v.period", periods), ("u.code", units), ("x.code", variables)):
        if wanted:
            where.append(f"{column} IN ({', '.join(['%s'] * len(wanted))})")
            params += list(wanted)
    if user is not None:
        ids = visible_unit_ids(user)
        if ids is not None:
            if not ids:
                return empty, 0
            where.append(f"v.unit_id IN ({', '.join(['%s'] * len(ids))})")
            params += sorted(ids)
    joins = (
        "FROM collection_value v "
        "JOIN units_unit u ON u.id = v.unit_id JOIN catalogue_variable x ON x.id = v.variable_id"
    )
    if where:
        joins += " WHERE " + " AND ".join(where)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) " + joins, params)
        total = cursor.fetchone()[0]
    if total == 0 or offset >= total:
        return empty, total
    sql = (
        "SELECT u.code, x.code, v.period, v.value, v.comment, v.version "
        + joins
        + " ORDER BY u.code, x.code, v.period LIMIT %s OFFSET %s"
    )
    return bulk.fetch_frame(sql, [*params, limit, offset], VALUE_PAGE_SCHEMA), total


# --- history of one value ------------------------------------------------------------------


def value_history(*, unit: str, variable: str, period: str) -> list[dict]:
    """Every change of one value, newest first: versions, old and new value and comment,
    channel, who (username, None for the system), when and from which file or request.

    Does not check scope: callers authorise the unit first.
    """
    rows = (
        ValueHistory.objects.filter(unit__code=unit, variable__code=variable, period=period)
        .select_related("user")
        .order_by("-at", "-id")
    )
    return [
        {
            "version": h.version,
            "old_value": h.old_value,
            "new_value": h.new_value,
            "old_comment": h.old_comment,
            "new_comment": h.new_comment,
            "channel": h.channel,
            "user": h.user.username if h.user else None,
            "at": h.at,
            "source": h.source,
        }
        for h in rows
    ]


# --- cycles and submissions ----------------------------------------------------------------


def cycles_visible_to(user) -> QuerySet[Cycle]:
    """Cycles in which one of the user's units takes part; every cycle for those who see
    every unit (coordinators, experts)."""
    ids = visible_unit_ids(user)
    if ids is None:
        return Cycle.objects.all()
    return Cycle.objects.filter(pk__in=Submission.objects.filter(unit_id__in=ids).values("cycle"))


def submissions_visible_to(user) -> QuerySet[Submission]:
    """Submissions of the units the user may see, with their cycle and unit."""
    submissions = Submission.objects.select_related("cycle", "unit")
    ids = visible_unit_ids(user)
    if ids is not None:
        submissions = submissions.filter(unit_id__in=ids)
    return submissions


def cycles_overview(*, user, cycles: list[Cycle]) -> dict[int, dict]:
    """Per cycle id: the number of questionnaire items and of the units taking part that
    the user may see. Two grouped queries, whatever the number of cycles."""
    ids = [c.pk for c in cycles]
    items = dict(
        QuestionnaireItem.objects.filter(cycle_id__in=ids)
        .values("cycle_id")
        .annotate(n=Count("id"))
        .values_list("cycle_id", "n")
    )
    units = dict(
        submissions_visible_to(user)
        .filter(cycle_id__in=ids)
        .order_by()
        .values("cycle_id")
        .annotate(n=Count("id"))
        .values_list("cycle_id", "n")
    )
    return {pk: {"variables": items.get(pk, 0), "units": units.get(pk, 0)} for pk in ids}


FINDING_SCHEMA_EXTRA = {"justified": pl.Boolean, "blocking": pl.Boolean}


def cycle_state_counts(*, cycle_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per cycle id, how many submissions are in each state. One grouped query."""
    counts: dict[int, dict[str, int]] = {pk: {} for pk in cycle_ids}
    rows = (
        Submission.objects.filter(cycle_id__in=cycle_ids)
        .order_by()
        .values("cycle_id", "state")
        .annotate(n=Count("id"))
        .values_list("cycle_id", "state", "n")
    )
    for cycle_id, state, n in rows:
        counts[cycle_id][state] = n
    return counts


def _cycle_rules():
    """The catalogue's range limits and validation rules, and a fingerprint of both (a
    change of the catalogue changes the findings as much as a change of a value)."""
    import hashlib

    from miara.collection import quality

    limits = quality.variable_rules()
    rules = quality.validation_rules()
    text = repr(
        sorted((c, r.min, r.max, r.change_threshold, r.kind, r.per) for c, r in limits.items())
    )
    text += repr([(r.code, r.text, r.severity) for r in rules])
    return limits, rules, hashlib.sha1(text.encode()).hexdigest()[:16]


_CYCLE_VALUES_SCHEMA = {
    "unit_id": pl.Int64,
    "variable_id": pl.Int64,
    "period": pl.String,
    "value": pl.Float64,
    "commented": pl.Int8,
    "changed": pl.Float64,
}


def _cycle_values(cycle: Cycle, previous: str) -> pl.DataFrame:
    """The questionnaire values of the units taking part, this period and the previous
    one, in one query: `unit, variable, period, value, commented, changed` (the time of
    the value's last change, which is the time of its latest ValueHistory row, in epoch
    seconds). Ids travel instead of codes: less to send and to parse."""
    changed = (
        "extract(epoch from v.updated_at)"
        if bulk.is_postgres()
        else "(julianday(v.updated_at) - 2440587.5) * 86400.0"
    )
    sql = (
        "SELECT v.unit_id, v.variable_id, v.period, v.value, "
        f"CASE WHEN v.comment <> '' THEN 1 ELSE 0 END, {changed} FROM collection_value v "
        "WHERE v.period IN (%s, %s) AND v.variable_id IN "
        "(SELECT variable_id FROM collection_questionnaireitem WHERE cycle_id = %s) "
        "AND v.unit_id IN (SELECT unit_id FROM collection_submission WHERE cycle_id = %s)"
    )
    frame = bulk.fetch_frame(
        sql, [cycle.period, previous, cycle.pk, cycle.pk], _CYCLE_VALUES_SCHEMA
    )
    units = dict(cycle.submissions.values_list("unit_id", "unit__code"))
    variables = dict(cycle.items.values_list("variable_id", "variable__code"))
    return frame.with_columns(
        unit=pl.col("unit_id").replace_strict(units, return_dtype=pl.String),
        variable=pl.col("variable_id").replace_strict(variables, return_dtype=pl.String),
    )


def cycle_quality(*, cycle: Cycle, rules=None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every unit's questionnaire values of the cycle and every finding on them, from
    one read of the values and one vectorised pass of the quality engine.

    Returns `(values, findings)`: `values` has `unit, variable, period, value,
    commented, changed` for the units taking part and this period; `findings` has the
    engine's columns plus `justified` (a warning whose value carries a comment) and
    `blocking`, as `quality.submission_findings()` gives for each submission alone (the
    same outlier peers: `quality.outlier_classes`). System read: callers authorise first.
    """
    from miara.collection.quality import outlier_classes, size_variables
    from miara.engine import quality as engine_quality
    from miara.engine.periods import Period

    empty = pl.DataFrame(schema=engine_quality.FINDINGS_SCHEMA | FINDING_SCHEMA_EXTRA)
    limits, validation, _fingerprint = rules or _cycle_rules()
    required = set(cycle.items.filter(required=True).values_list("variable__code", flat=True))
    units = sorted(cycle.submissions.values_list("unit__code", flat=True))
    previous = Period.parse(cycle.period).previous().code
    both = _cycle_values(cycle, previous)
    values = both.filter(pl.col("period") == cycle.period)
    if not units or not cycle.items.exists():
        return values, empty
    # Sizes the questionnaire does not ask for (Variable.per) are read on their own.
    asked = set(cycle.items.values_list("variable__code", flat=True))
    unasked = [code for code in size_variables(asked, limits) if code not in asked]
    sizes = (
        values_frame(periods=[cycle.period, previous], units=units, variables=unasked)
        if unasked
        else None
    )
    findings = engine_quality.check_values(
        values.select(*VALUE_SCHEMA),
        variables=limits,
        rules=validation,
        history=both.filter(pl.col("period") == previous).select(*VALUE_SCHEMA),
        # The checked values are the whole peer distribution already; each unit is
        # compared within its class, as `submission_findings` compares it.
        peers=None,
        peer_classes=outlier_classes(cycle),
        required=required,
        units=units,
        periods=[cycle.period],
        sizes=sizes,
    )
    if findings.is_empty():
        return values, empty
    return values, _justified(findings, values, validation)


def _justified(findings: pl.DataFrame, values: pl.DataFrame, validation) -> pl.DataFrame:
    """The engine's findings with `justified` and `blocking`, from `values` (`unit,
    variable, commented`) of the units found: a warning is justified by a comment on its
    value; a rule's warning, which names the rule, by a comment on any value the rule
    reads (as `submission_findings` decides)."""
    from miara.engine import formula as formulas

    commented = values.filter(pl.col("commented") == 1).select("unit", "variable")
    inputs = pl.DataFrame(
        [
            (rule.code, code)
            for rule in validation
            for side in (rule.left, rule.right)
            for code in formulas.references(formulas.parse(side))
        ],
        schema={"variable": pl.String, "input": pl.String},
        orient="row",
    )
    rule_explained = (
        inputs.join(commented.rename({"variable": "input"}), on="input")
        .select("unit", "variable")
        .unique()
        .with_columns(rule_comment=pl.lit(True))
    )
    value_explained = commented.with_columns(value_comment=pl.lit(True))
    explained = (
        pl.when(pl.col("check") == "rule")
        .then(pl.col("rule_comment"))
        .otherwise(pl.col("value_comment"))
        .fill_null(False)
    )
    return (
        findings.join(value_explained, on=["unit", "variable"], how="left")
        .join(rule_explained, on=["unit", "variable"], how="left")
        .with_columns(justified=(pl.col("severity") == "warning") & explained)
        .with_columns(blocking=(pl.col("severity") == "error") | ~pl.col("justified"))
        .drop("value_comment", "rule_comment")
    )


# How long a computed board state may be kept; it is brought up to date on every read.
BOARD_CACHE_SECONDS = 60 * 60
# A board state is brought up to date from the values written since it was computed
# while they touch at most this many units (each costs a read of its questionnaire in
# two periods); more, and everything is recomputed, as for the first read.
BOARD_UPDATE_MAX_UNITS = 25
# ... and at most this many variables of the cycle's period (each costs a read of the
# variable's values of every unit taking part, for the outlier check).
BOARD_UPDATE_MAX_VARIABLES = 100
# ... and at most this many rows written since (a larger load is recomputed in full).
BOARD_UPDATE_MAX_ROWS = 20_000
# A writer's ValueHistory ids are drawn before it commits, so a slow writer can commit
# rows with ids below those of a faster one that a board state has already taken in.
# The state therefore remembers how many rows it saw among the last BOARD_LATE_WINDOW
# ids below its newest; if that number grows, a late commit landed and everything is
# recomputed. (A write whose transaction outlives this many ids written by others would
# go unnoticed until the state expires: BOARD_CACHE_SECONDS.)
BOARD_LATE_WINDOW = 10_000


def _cycle_shape(cycle: Cycle):
    """The cycle's participants `(unit_id, code, type)` and items `(variable_id, code,
    required)`, and a fingerprint of both (a unit's type decides its outlier class)."""
    import hashlib

    from miara.collection.models import QuestionnaireItem

    participants = sorted(
        cycle.submissions.values_list("unit_id", "unit__code", "unit__type").order_by()
    )
    items = sorted(
        QuestionnaireItem.objects.filter(cycle=cycle)
        .order_by()
        .values_list("variable_id", "variable__code", "required")
    )
    text = repr((participants, items)).encode()
    return participants, items, hashlib.sha1(text).hexdigest()[:16]


def _history_mark(since: int | None = None) -> tuple[int, float, int]:
    """(newest ValueHistory id, its time in epoch seconds, how many rows have ids in
    (newest - BOARD_LATE_WINDOW, newest]) — or, with `since`, that count below `since`
    (the count a state recorded, taken again to see whether rows landed late)."""
    newest = ValueHistory.objects.order_by("-id").values_list("id", "at").first()
    if newest is None:
        return (0, 0.0, 0)
    top = newest[0] if since is None else since
    window = ValueHistory.objects.filter(id__gt=top - BOARD_LATE_WINDOW, id__lte=top).count()
    return (newest[0], newest[1].timestamp(), window)


def _board_summary(values: pl.DataFrame, required: list[str]) -> dict[str, tuple]:
    """Per unit code in `values` (this period's): (filled, required filled, last change)."""
    present = values.filter(pl.col("value").is_not_null())
    filled = dict(present.group_by("unit").len().iter_rows())
    required_filled = dict(
        present.filter(pl.col("variable").is_in(required)).group_by("unit").len().iter_rows()
    )
    changed = dict(values.group_by("unit").agg(pl.col("changed").max()).iter_rows())
    return {
        unit: (filled.get(unit, 0), required_filled.get(unit, 0), changed.get(unit))
        for unit in values.get_column("unit").unique().to_list()
    }


def _board_update(state: dict, cycle: Cycle, shape, rules, changes) -> dict | None:
    """The board state `state` brought up to date with the values written since
    (`changes`: their `(unit_id, variable_id, period)`), or None when too much changed.

    What one write can change, and only that, is recomputed: the findings other than
    outliers (range, required, rules, change against the previous period) of the units
    written, from their whole questionnaire in both periods; and the outlier findings of
    every unit taking part for the variables written in the cycle's period, whose
    distribution (over the unit's class, `quality.outlier_classes`) moved. A unit's
    other outlier findings keep, since neither its values nor their distribution changed.
    The result is the same as `cycle_quality` from scratch (tests compare the two).
    """
    from miara.collection.quality import classes_of
    from miara.engine import quality as engine_quality
    from miara.engine.periods import Period

    participants, items, _fingerprint = shape
    limits, validation, _rules_fingerprint = rules
    unit_code = {unit_id: code for unit_id, code, _type in participants}
    variable_code = {variable_id: code for variable_id, code, _required in items}
    previous = Period.parse(cycle.period).previous().code
    changes = [
        (u, v, p)
        for u, v, p in changes
        if u in unit_code and v in variable_code and p in (cycle.period, previous)
    ]
    if not changes:
        return state
    # Variables compared per unit of size (Variable.per) and their size variables.
    per_of = {
        code: limits[code].per
        for code in variable_code.values()
        if code in limits and limits[code].per
    }
    size_codes = set(per_of.values())
    if any(variable_code[v] in size_codes for _u, v, _p in changes):
        return None  # a unit's new size moves every value it divides: recompute all
    unit_ids = sorted({u for u, _v, _p in changes})
    # A value of the previous period counts too: it decides whether this period's value
    # is consistent with the unit's history (and so not an outlier).
    variable_ids = sorted({v for _u, v, _p in changes})
    if len(unit_ids) > BOARD_UPDATE_MAX_UNITS or len(variable_ids) > BOARD_UPDATE_MAX_VARIABLES:
        return None
    changed = (
        "extract(epoch from v.updated_at)"
        if bulk.is_postgres()
        else "(julianday(v.updated_at) - 2440587.5) * 86400.0"
    )
    variables_in = "SELECT variable_id FROM collection_questionnaireitem WHERE cycle_id = %s"
    units_in = "SELECT unit_id FROM collection_submission WHERE cycle_id = %s"
    marks_u = ", ".join(["%s"] * len(unit_ids))
    asked_sizes = sorted(i for i, code in variable_code.items() if code in size_codes)
    read_ids = sorted({*variable_ids, *asked_sizes})
    marks_v = ", ".join(["%s"] * len(read_ids or [0]))
    # One query of a few thousand rows: the written units' questionnaires (both periods)
    # and, of every unit taking part, the written variables in the cycle's period.
    sql = (
        "SELECT v.unit_id, v.variable_id, v.period, v.value, "
        f"CASE WHEN v.comment <> '' THEN 1 ELSE 0 END, {changed} FROM collection_value v "
        f"WHERE ((v.unit_id IN ({marks_u}) AND v.period IN (%s, %s) "
        f"AND v.variable_id IN ({variables_in})) "
        f"OR (v.variable_id IN ({marks_v}) AND v.period IN (%s, %s) "
        f"AND v.unit_id IN ({units_in})))"
    )
    params = [
        *unit_ids,
        cycle.period,
        previous,
        cycle.pk,
        *(read_ids or [0]),
        cycle.period,
        previous,
        cycle.pk,
    ]
    read = bulk.fetch_frame(sql, params, _CYCLE_VALUES_SCHEMA, few=True).with_columns(
        unit=pl.col("unit_id").replace_strict(unit_code, return_dtype=pl.String),
        variable=pl.col("variable_id").replace_strict(variable_code, return_dtype=pl.String),
    )
    units = sorted(unit_code[u] for u in unit_ids)
    variables = sorted(variable_code[v] for v in variable_ids)
    mine = pl.col("unit").is_in(units)
    current = read.filter(mine & (pl.col("period") == cycle.period))
    required = sorted(code for _id, code, is_required in items if is_required)
    # 1. The written units' findings other than outliers (the outlier check is
    # switched off by an infinite threshold: no robust z exceeds it).
    own = engine_quality.check_values(
        current.select(*VALUE_SCHEMA),
        variables=limits,
        rules=validation,
        history=read.filter(mine & (pl.col("period") == previous)).select(*VALUE_SCHEMA),
        peers=None,
        required=set(required),
        units=units,
        periods=[cycle.period],
        outlier_threshold=float("inf"),
    ).filter(pl.col("check") != "outlier")
    # 2. Every unit's outlier findings of the variables written in the cycle's period.
    # With their previous values (consistency with history) and the sizes they divide by.
    written = read.filter(pl.col("variable").is_in(variables) & (pl.col("period") == cycle.period))
    written_before = read.filter(
        pl.col("variable").is_in(variables) & (pl.col("period") == previous)
    )
    sizes = read.filter(pl.col("variable").is_in(sorted(size_codes))).select(*VALUE_SCHEMA)
    unasked = sorted(size_codes - set(variable_code.values()))
    if unasked:
        sizes = pl.concat(
            [
                sizes,
                values_frame(
                    periods=[cycle.period, previous],
                    units=sorted(unit_code.values()),
                    variables=unasked,
                ),
            ]
        )
    outliers = engine_quality.check_values(
        written.select(*VALUE_SCHEMA),
        variables={code: limits[code] for code in variables if code in limits},
        history=written_before.select(*VALUE_SCHEMA),
        peers=None,
        peer_classes=classes_of([(code, type_) for _id, code, type_ in participants]),
        periods=[cycle.period],
        sizes=sizes if size_codes else None,
    ).filter(pl.col("check") == "outlier")
    fresh = pl.concat(
        [
            _justified(own, current, validation),
            _justified(outliers, written, validation),
        ]
    )
    old = state["findings"]
    kept = old.filter(
        ~(
            (pl.col("unit").is_in(units) & (pl.col("check") != "outlier"))
            | (
                (pl.col("check") == "outlier")
                & pl.col("variable").is_in(variables)
                & (pl.col("period") == cycle.period)
            )
        )
    )
    findings = pl.concat([kept, fresh.select(old.columns)]).sort(engine_quality.ORDER)
    per_unit = dict(state["per_unit"])
    fresh_summary = _board_summary(current, required)
    for code in units:
        per_unit[code] = fresh_summary.get(code, (0, 0, None))
    return {"per_unit": per_unit, "findings": findings}


def cycle_checked(*, cycle: Cycle) -> tuple[dict[str, tuple], pl.DataFrame]:
    """The cycle's findings (as `cycle_quality` gives them) and, per unit code, (filled,
    required filled, errors, open warnings, last value change as epoch seconds or None).

    The figures are kept (in the cache, under the cycle, its participants and items and
    the fingerprint of the catalogue's checks) with the newest ValueHistory row they
    take in. Every write of a value appends a ValueHistory row, so a read looks up the
    rows written since and recomputes only what they can change (`_board_update`): a
    save during collection costs a few milliseconds of checks, not a pass over every
    unit's values. The first read, a change of the catalogue's checks or of the
    participants, a large load or a late commit recompute everything. Either way the
    figures are those of the values stored now. System read: callers authorise first.
    """
    from django.core.cache import cache

    rules = _cycle_rules()
    shape = _cycle_shape(cycle)
    key = ":".join(
        str(part)
        for part in ("miara:board", cycle.pk, cycle.created_at.timestamp(), rules[2], shape[2])
    )
    mark = _history_mark()
    state = cache.get(key)
    if state is not None and state["mark"] == mark:
        cache.touch(key, BOARD_CACHE_SECONDS)  # read while nothing changed: keep it
    if state is not None and state["mark"] != mark:
        stamp, at, window = state["mark"]
        # The state's newest row must still be there, unchanged (ids are not reused by a
        # restored backup), and no row may have landed below it since.
        same_row = ValueHistory.objects.filter(id=stamp).values_list("at", flat=True).first()
        if (
            stamp == 0
            or same_row is None
            or same_row.timestamp() != at
            or _history_mark(since=stamp)[2] != window
            or mark[0] < stamp
            # Ids are drawn one per row written: this many and it was a large load.
            or mark[0] - stamp > BOARD_UPDATE_MAX_ROWS
        ):
            state = None
        else:
            changes = list(
                ValueHistory.objects.filter(id__gt=stamp, id__lte=mark[0])
                .order_by()
                .values_list("unit_id", "variable_id", "period")
                .distinct()
            )
            state = _board_update(state, cycle, shape, rules, changes)
        if state is not None:
            state = state | {"mark": mark}
            cache.set(key, state, BOARD_CACHE_SECONDS)
    if state is None:
        values, findings = cycle_quality(cycle=cycle, rules=rules)
        required = [code for _id, code, is_required in shape[1] if is_required]
        state = {
            "mark": mark,
            "per_unit": _board_summary(values, required),
            "findings": findings,
        }
        cache.set(key, state, BOARD_CACHE_SECONDS)
    findings = state["findings"]
    counts = {
        row["unit"]: (row["errors"], row["warnings"])
        for row in findings.group_by("unit")
        .agg(
            errors=(pl.col("severity") == "error").sum(),
            warnings=((pl.col("severity") == "warning") & ~pl.col("justified")).sum(),
        )
        .iter_rows(named=True)
    }
    summary = {}
    for _id, unit, _type in shape[0]:
        filled, required_filled, changed = state["per_unit"].get(unit, (0, 0, None))
        summary[unit] = (filled, required_filled, *counts.get(unit, (0, 0)), changed)
    return summary, findings


def cycle_board(*, cycle: Cycle) -> list[dict]:
    """The completion board: one row per submission of the cycle, ordered by unit code,
    with its state, filled values (of the questionnaire and of its required items), open
    errors, unjustified warnings and the last activity (the latest change of one of its
    values or of its state). A fixed number of queries and one pass of the quality
    engine, whatever the number of units; the per-unit figures are cached until a value
    or the catalogue's checks change. System read: callers authorise first.
    """
    import datetime as dt

    from miara.collection.models import SubmissionEvent

    submissions = list(cycle.submissions.select_related("unit").order_by("unit__code"))
    if not submissions:
        return []
    items = cycle.items.count()
    required = cycle.items.filter(required=True).count()
    summary, _findings = cycle_checked(cycle=cycle)
    moved = dict(
        SubmissionEvent.objects.filter(submission__cycle=cycle)
        .order_by()
        .values("submission_id")
        .annotate(last=Max("at"))
        .values_list("submission_id", "last")
    )
    rows = []
    for s in submissions:
        filled, required_filled, errors, warnings, changed = summary.get(
            s.unit.code, (0, 0, 0, 0, None)
        )
        times = [moved.get(s.pk)]
        if changed is not None:
            times.append(dt.datetime.fromtimestamp(changed, tz=dt.UTC))
        times = [t for t in times if t is not None]
        rows.append(
            {
                "submission": s,
                "unit": s.unit,
                "state": s.state,
                "items": items,
                "filled": filled,
                "required": required,
                "required_filled": required_filled,
                "errors": errors,
                "warnings": warnings,
                "last_activity": max(times) if times else None,
            }
        )
    return rows


def submission_review(*, submission: Submission) -> tuple[list[dict], list[dict], list]:
    """The questionnaire of one submission as the coordinator reviews it.

    Returns `(rows, rule_findings, general_notes)`: per item, in questionnaire order, the
    value, comment and version now, the value of the previous period, the findings on it
    and the coordinator's earlier notes on it; the findings of validation rules (named by
    the rule, not by a variable); and the notes not about one value. System read:
    callers authorise first.
    """
    from miara.collection.quality import submission_findings
    from miara.engine.periods import Period

    cycle = submission.cycle
    items = list(cycle.items.select_related("variable", "variable__area"))
    codes = [i.variable.code for i in items]
    now = {
        row["variable"]: row
        for row in values_frame(
            periods=[cycle.period], units=[submission.unit.code], variables=codes, with_comment=True
        ).iter_rows(named=True)
    }
    before = dict(
        values_frame(
            periods=[Period.parse(cycle.period).previous().code],
            units=[submission.unit.code],
            variables=codes,
        )
        .select("variable", "value")
        .iter_rows()
    )
    findings: dict[str, list[dict]] = {}
    rule_findings = []
    for finding in submission_findings(submission):
        if finding["variable"] in codes:
            findings.setdefault(finding["variable"], []).append(finding)
        else:
            rule_findings.append(finding)  # validation rules are named by the rule's code
    notes: dict[int | None, list] = {}
    for note in submission.notes.select_related("user"):
        notes.setdefault(note.variable_id, []).append(note)
    rows = []
    for item in items:
        code = item.variable.code
        stored = now.get(code, {})
        rows.append(
            {
                "item": item,
                "variable": item.variable,
                "value": stored.get("value"),
                "comment": stored.get("comment") or "",
                "version": stored.get("version"),
                "previous": before.get(code),
                "findings": findings.get(code, []),
                "notes": notes.get(item.variable_id, []),
            }
        )
    return rows, rule_findings, notes.get(None, [])


# --- data entry: the questionnaire pages ---------------------------------------------------


def entry_submissions(*, user) -> list[dict]:
    """The questionnaires a user may open (every unit's for coordinators and experts),
    newest cycle first, then by unit code: the submission (with cycle and unit) and how
    many of the required values are filled. A fixed number of queries."""
    from miara.collection.models import QuestionnaireItem, Submission, Value

    submissions = Submission.objects.select_related("cycle", "unit").order_by(
        "-cycle__period", "-cycle_id", "unit__code"
    )
    ids = visible_unit_ids(user)
    if ids is not None:
        submissions = submissions.filter(unit_id__in=ids)
    submissions = list(submissions)
    if not submissions:
        return []
    required: dict[int, set[int]] = {}
    for cycle_id, variable_id in QuestionnaireItem.objects.filter(
        cycle_id__in={s.cycle_id for s in submissions}, required=True
    ).values_list("cycle_id", "variable_id"):
        required.setdefault(cycle_id, set()).add(variable_id)
    filled = set(
        Value.objects.filter(
            unit_id__in={s.unit_id for s in submissions},
            period__in={s.cycle.period for s in submissions},
            value__isnull=False,
        ).values_list("unit_id", "variable_id", "period")
    )
    rows = []
    for s in submissions:
        wanted = required.get(s.cycle_id, set())
        done = sum((s.unit_id, v, s.cycle.period) in filled for v in wanted)
        rows.append({"submission": s, "required": len(wanted), "filled": done})
    return rows


def entry_rows(*, submission) -> list[dict]:
    """One row per questionnaire item of a submission, in form order: service areas in
    the catalogue's order (variables without an area last), the questionnaire's order
    within an area. Each row: `item`, `variable`, `area` (None for none), the stored
    `value`, `comment`, `version` (0 when nothing is stored), `updated_by`, `updated_at`,
    and `previous` (the value of the previous period).
    """
    from miara.collection.models import Value
    from miara.engine.periods import Period

    cycle = submission.cycle
    items = list(cycle.items.select_related("variable", "variable__area"))

    def order(item):
        area = item.variable.area
        if area is None:
            return (1, 0, "", item.position, item.pk)
        return (0, area.position, area.code, item.position, item.pk)

    items.sort(key=order)
    variable_ids = [i.variable_id for i in items]
    stored = {
        v.variable_id: v
        for v in Value.objects.filter(
            unit_id=submission.unit_id, period=cycle.period, variable_id__in=variable_ids
        ).select_related("updated_by")
    }
    previous = dict(
        Value.objects.filter(
            unit_id=submission.unit_id,
            period=Period.parse(cycle.period).previous().code,
            variable_id__in=variable_ids,
        ).values_list("variable_id", "value")
    )
    rows = []
    for item in items:
        value = stored.get(item.variable_id)
        rows.append(
            {
                "item": item,
                "variable": item.variable,
                "area": item.variable.area,
                "value": value.value if value else None,
                "comment": value.comment if value else "",
                "version": value.version if value else 0,
                "updated_by": value.updated_by if value else None,
                "updated_at": value.updated_at if value else None,
                "previous": previous.get(item.variable_id),
            }
        )
    return rows


def stored_value(*, unit_id: int, variable_id: int, period: str):
    """The stored Value (with who saved it) of one unit, variable and period, or None."""
    from miara.collection.models import Value

    return (
        Value.objects.filter(unit_id=unit_id, variable_id=variable_id, period=period)
        .select_related("updated_by")
        .first()
    )


# Fewer units than this and the median would tell a unit the other units' values.
MIN_UNITS_FOR_MEDIAN = 3

# "Were results computed for this period?" (`period=`): analytics, above collection,
# answers it (connected in AnalyticsConfig.ready); collection never imports analytics.
period_results_asked = Signal()


def _period_has_results(period: str) -> bool:
    return any(answer for _, answer in period_results_asked.send(sender=None, period=period))


def peer_context(*, cycle, variables: list[str]) -> dict[str, dict]:
    """Per variable code, the peer figure the data-entry form shows beside a field:
    `{"median": float, "n": int, "period": str}`, the median of the **previous period's
    accepted** values of the cycle's units (the engine's group statistics), rounded to
    two significant digits. Variables with fewer than MIN_UNITS_FOR_MEDIAN such values
    are left out.

    Accepted values: those of units whose submission of that period was accepted; when no
    cycle collected that period, its values as loaded by the coordinator, if a result set
    was computed from them. Never the current period: a median over this period's drafts
    would move as the editor moves their own value, and with other units' unsaved values,
    and so give those values away (the outlier check may use them; nothing shown does).
    """
    from miara.collection.models import SubmissionState
    from miara.engine.periods import Period
    from miara.engine.stats import ALL, compute_statistics

    previous = Period.parse(cycle.period).previous().code
    units = list(cycle.submissions.values_list("unit__code", flat=True))
    earlier = Cycle.objects.filter(period=previous)
    if earlier.exists():
        accepted = set(
            Submission.objects.filter(
                cycle__in=earlier, state=SubmissionState.ACCEPTED
            ).values_list("unit__code", flat=True)
        )
        units = [u for u in units if u in accepted]
    elif not _period_has_results(previous):
        return {}
    if not units:
        return {}
    values = values_frame(periods=[previous], units=units, variables=variables)
    values = values.filter(pl.col("value").is_not_null())
    if values.is_empty():
        return {}
    codes = values.get_column("variable").unique().to_list()
    statistics = compute_statistics(
        values.rename({"variable": "indicator"}), None, dict.fromkeys(codes, "neutral")
    )
    groups = statistics.groups.filter(
        (pl.col("group") == ALL) & (pl.col("n") >= MIN_UNITS_FOR_MEDIAN)
    )
    return {
        row["indicator"]: {
            "median": float(f"{row['median']:.2g}"),
            "n": row["n"],
            "period": previous,
        }
        for row in groups.iter_rows(named=True)
    }


def submission_events(*, submission) -> list:
    """The submission's changes of state, oldest first, with who made them."""
    return list(submission.events.select_related("user").order_by("at", "id"))


def review_notes_open(*, submission) -> list:
    """The coordinator's notes of the latest return, while the submission is returned
    (older rounds are answered already); empty in any other state."""
    from miara.collection.models import ReviewNote, SubmissionState

    if submission.state != SubmissionState.RETURNED:
        return []
    last_return = (
        submission.events.filter(to_state=SubmissionState.RETURNED).order_by("-at", "-id").first()
    )
    notes = ReviewNote.objects.filter(submission=submission).select_related("variable", "user")
    if last_return is not None:
        notes = notes.filter(at__gte=last_return.at)
    return list(notes.order_by("at", "id"))


def value_changes(*, unit_id: int, variable_id: int, period: str) -> list:
    """Every change of one value, newest first, with who made it. Does not check scope:
    callers authorise the unit first."""
    from miara.collection.models import ValueHistory

    return list(
        ValueHistory.objects.filter(unit_id=unit_id, variable_id=variable_id, period=period)
        .select_related("user")
        .order_by("-at", "-id")
    )
