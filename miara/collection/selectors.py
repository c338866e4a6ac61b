"""Reads of values, cycles and submissions. Everything that reads unit data takes the
acting user's scope, or says that it is a system read. Reads only: what is computed from
these reads (findings) and kept (caches) is `findings.py`'s."""

from __future__ import annotations

import hashlib

import polars as pl
from django.db import connection
from django.db.models import Count, Max, QuerySet
from django.dispatch import Signal

from miara.accounts.scope import visible_unit_ids
from miara.collection.models import (
    Cycle,
    QuestionnaireItem,
    ReviewNote,
    Revision,
    Submission,
    SubmissionEvent,
    SubmissionState,
    Value,
    ValueHistory,
)
from miara.engine.periods import Period
from miara.engine.stats import ALL, compute_statistics
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


CYCLE_VALUES_SCHEMA = {
    "unit_id": pl.Int64,
    "variable_id": pl.Int64,
    "period": pl.String,
    "value": pl.Float64,
    "commented": pl.Int8,
    "changed": pl.Float64,
}


def _changed_epoch() -> str:
    """SQL for a value's last change (its `updated_at`) in epoch seconds."""
    if bulk.is_postgres():
        return "extract(epoch from v.updated_at)"
    return "(julianday(v.updated_at) - 2440587.5) * 86400.0"


def cycle_values(*, cycle: Cycle, previous: str, unit_ids: list[int] | None = None) -> pl.DataFrame:
    """The questionnaire values of the units taking part (or of `unit_ids` among them),
    this period and the previous one, in one query: `unit_id, variable_id, period,
    value, commented` (1 when the comment holds more than blanks) and `changed` (the
    time of the value's last change, in epoch seconds). Ids travel instead of codes:
    less to send and to parse. System read: callers authorise first."""
    params: list = [cycle.period, previous, cycle.pk]
    if unit_ids is None:
        units = "SELECT unit_id FROM collection_submission WHERE cycle_id = %s"
        params.append(cycle.pk)
    else:
        units = ", ".join(["%s"] * len(unit_ids or [0]))
        params += unit_ids or [0]  # no unit has id 0
    sql = (
        "SELECT v.unit_id, v.variable_id, v.period, v.value, "
        f"CASE WHEN TRIM(v.comment) <> '' THEN 1 ELSE 0 END, {_changed_epoch()} "
        "FROM collection_value v WHERE v.period IN (%s, %s) AND v.variable_id IN "
        "(SELECT variable_id FROM collection_questionnaireitem WHERE cycle_id = %s) "
        f"AND v.unit_id IN ({units})"
    )
    return bulk.fetch_frame(sql, params, CYCLE_VALUES_SCHEMA, few=unit_ids is not None)


def cycle_shape(cycle: Cycle):
    """The cycle's participants `(unit_id, code, type)` and items `(variable_id, code,
    required)`, each sorted, and a fingerprint of both (a unit's type decides its
    outlier class)."""
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


def revisions(*, periods: list[str], cycle: Cycle | None = None, unit_id: int | None = None):
    """How many writes of each unit's values have committed (`Revision`), per unit id a
    tuple in the order of `periods` (0 for none yet): of the units taking part in
    `cycle`, or of the one unit `unit_id`. One indexed query."""
    rows = Revision.objects.filter(period__in=periods)
    if unit_id is not None:
        rows = rows.filter(unit_id=unit_id)
    else:
        rows = rows.filter(unit_id__in=Submission.objects.filter(cycle=cycle).values("unit_id"))
    found: dict[int, dict[str, int]] = {}
    for unit, period, number in rows.values_list("unit_id", "period", "number"):
        found.setdefault(unit, {})[period] = number
    return {unit: tuple(numbers.get(p, 0) for p in periods) for unit, numbers in found.items()}


def required_filled(*, submission: Submission) -> tuple[int, int, tuple[int, int]]:
    """(the questionnaire's required items, how many of them the unit has a value for in
    the cycle's period, the unit's revisions of that period and the previous one as
    `revisions` gives them), in one query."""
    cycle = submission.cycle
    previous = Period.parse(cycle.period).previous().code
    revision = (
        "(SELECT COALESCE(MAX(r.number), 0) FROM collection_revision r "
        "WHERE r.unit_id = %s AND r.period = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COUNT(v.value), {revision}, {revision} "
            "FROM collection_questionnaireitem i "
            "LEFT JOIN collection_value v ON v.variable_id = i.variable_id "
            "AND v.unit_id = %s AND v.period = %s WHERE i.cycle_id = %s AND i.required",
            [
                submission.unit_id,
                cycle.period,
                submission.unit_id,
                previous,
                submission.unit_id,
                cycle.period,
                cycle.pk,
            ],
        )
        required, filled, now, before = cursor.fetchone()
    return required, filled, (now, before)


def field_check_context(*, cycle: Cycle, needed: list[str], code: str):
    """What one questionnaire field's checks need to know before reading values, in two
    small queries: `(variable ids by code, whether `code` is required in the
    questionnaire, the cycle's participants as (unit_id, code, type))`."""
    marks = ", ".join(["%s"] * len(needed))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT x.id, x.code, i.required FROM catalogue_variable x "
            "LEFT JOIN collection_questionnaireitem i ON i.variable_id = x.id AND i.cycle_id = %s "
            f"WHERE x.code IN ({marks})",
            [cycle.pk, *needed],
        )
        found_variables = cursor.fetchall()
        cursor.execute(
            "SELECT s.unit_id, u.code, u.type FROM collection_submission s "
            "JOIN units_unit u ON u.id = s.unit_id WHERE s.cycle_id = %s",
            [cycle.pk],
        )
        participants = cursor.fetchall()
    ids = {row[1]: row[0] for row in found_variables}
    required = any(row[1] == code and row[2] for row in found_variables)
    return ids, required, participants


def field_check_rows(
    *,
    cycle: Cycle,
    unit_id: int,
    variable_ids: list[int],
    variable_id: int,
    size_id: int | None,
    peer_ids: list[int],
) -> list[tuple]:
    """`(unit_id, variable_id, period, value, comment)` of what one field's checks read,
    in one small query by the values' keys (an ordinary fetch: COPY costs more than it
    saves on a few hundred rows): the unit's values of `variable_ids` in the cycle's
    period and the previous one, the peers' values of `variable_id` in the cycle's
    period and of `size_id` in both. System read: callers authorise first."""
    previous = Period.parse(cycle.period).previous().code
    variable_ids = variable_ids or [0]  # no row has id 0
    peer_ids = peer_ids or [0]
    sql = (
        "SELECT v.unit_id, v.variable_id, v.period, v.value, v.comment FROM collection_value v "
        f"WHERE (v.unit_id = %s AND v.variable_id IN ({', '.join(['%s'] * len(variable_ids))}) "
        "AND v.period IN (%s, %s)) "
        "OR (v.variable_id = %s AND v.period = %s "
        f"AND v.unit_id IN ({', '.join(['%s'] * len(peer_ids))})) "
        "OR (v.variable_id = %s AND v.period IN (%s, %s) "
        f"AND v.unit_id IN ({', '.join(['%s'] * len(peer_ids))}))"
    )
    params = [
        unit_id,
        *variable_ids,
        cycle.period,
        previous,
        variable_id,
        cycle.period,
        *peer_ids,
        size_id or 0,
        cycle.period,
        previous,
        *peer_ids,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def value_comments(*, unit_id: int, period: str, variables: list[str]) -> dict[str, str]:
    """Per variable code, the comment of the unit's value in `period`, where it has one."""
    return dict(
        Value.objects.filter(unit_id=unit_id, period=period, variable__code__in=variables)
        .exclude(comment="")
        .values_list("variable__code", "comment")
    )


def submission_last_moves(*, cycle: Cycle) -> dict[int, object]:
    """Per submission id of the cycle, the time of its latest change of state."""
    return dict(
        SubmissionEvent.objects.filter(submission__cycle=cycle)
        .order_by()
        .values("submission_id")
        .annotate(last=Max("at"))
        .values_list("submission_id", "last")
    )


def submission_review(
    *, submission: Submission, findings: list[dict]
) -> tuple[list[dict], list[dict], list]:
    """The questionnaire of one submission as the coordinator reviews it.

    Returns `(rows, rule_findings, general_notes)`: per item, in questionnaire order, the
    value, comment and version now, the value of the previous period, the findings on it
    and the coordinator's earlier notes on it; the findings of validation rules (named by
    the rule, not by a variable); and the notes not about one value. System read:
    callers authorise first. `findings` are the submission's (`findings.submission_findings`).
    """
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
    per_variable: dict[str, list[dict]] = {}
    rule_findings = []
    for finding in findings:
        if finding["variable"] in codes:
            per_variable.setdefault(finding["variable"], []).append(finding)
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
                "findings": per_variable.get(code, []),
                "notes": notes.get(item.variable_id, []),
            }
        )
    return rows, rule_findings, notes.get(None, [])


# --- data entry: the questionnaire pages ---------------------------------------------------


def entry_submissions(*, user) -> list[dict]:
    """The questionnaires a user may open (every unit's for coordinators and experts),
    newest cycle first, then by unit code: the submission (with cycle and unit) and how
    many of the required values are filled. A fixed number of queries."""
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
    return list(
        ValueHistory.objects.filter(unit_id=unit_id, variable_id=variable_id, period=period)
        .select_related("user")
        .order_by("-at", "-id")
    )
