"""Reads of results, always through the acting user's scope."""

from __future__ import annotations

import polars as pl
from django.db import connection

from miara.accounts.scope import visible_unit_ids
from miara.analytics.models import ResultSet
from miara.engine.periods import Period
from miara.engine.stats import GROUP_SCHEMA, KEY, UNIT_SCHEMA
from miara.lib import bulk, memo

# A results row: the unit's figures, its group's statistics, the gaps and the state of
# the result set (`status`: provisional | final | revised, so that every export and API
# row says whether its figures are provisional).
_GAPS = ("gap_to_median", "gap_to_best", "change")
RESULT_SCHEMA = {
    **{c: t for c, t in UNIT_SCHEMA.items() if c not in _GAPS},
    **{c: t for c, t in GROUP_SCHEMA.items() if c not in KEY},
    **{c: UNIT_SCHEMA[c] for c in _GAPS},
    "status": pl.String,
}
EXTRA_COLUMNS = [*_GAPS, "status"]
RESULT_COLUMNS = [c for c in RESULT_SCHEMA if c not in EXTRA_COLUMNS]


def current_result_sets(periods: list[str] | None = None) -> list[ResultSet]:
    """The current result set of each period (newest first by period); read once per
    page request (`lib.memo.per_request`), as a page asks several times."""
    found = memo.per_request(
        "current-result-sets", lambda: tuple(ResultSet.objects.filter(is_current=True))
    )
    if periods:
        wanted = set(periods)
        found = [r for r in found if r.period in wanted]
    return sorted(found, key=lambda r: (Period.parse(r.period), r.pk), reverse=True)


def result_set_key(result_set: ResultSet) -> str:
    """A result set as a short text for cache keys: its id and creation time (a test
    database may hand out an id again after a rollback), so a new computation never
    meets an entry kept for an old one."""
    return f"{result_set.pk}@{result_set.created_at.timestamp():.6f}"


def result_sets_stamp(sets: list[ResultSet]) -> str:
    """Several result sets as one cache-key text (see `result_set_key`)."""
    return ",".join(result_set_key(r) for r in sorted(sets, key=lambda r: r.pk))


def current_result_sets_up_to(period: str) -> list[ResultSet]:
    """The current result sets of the periods of `period`'s kind up to it, oldest first:
    the periods of a trend."""
    wanted = Period.parse(period)
    return sorted(
        (
            r
            for r in current_result_sets()
            if Period.parse(r.period).kind == wanted.kind and Period.parse(r.period) <= wanted
        ),
        key=lambda r: Period.parse(r.period),
    )


def results_status(period: str) -> str:
    """The state of the period's current result set ("" when none is computed)."""
    found = current_result_sets([period])
    return found[0].status if found else ""


def status_suffix(period: str) -> str:
    """ "-provisional" for a file name of provisional figures, so the file says so."""
    return "-provisional" if results_status(period) == ResultSet.Status.PROVISIONAL else ""


def period_has_results(sender=None, *, period: str, **kwargs) -> bool:
    """Whether any result set was computed for the period (answers
    `collection.selectors.period_results_asked`)."""
    return ResultSet.objects.filter(period=period).exists()


def computed_periods() -> list[str]:
    return [r.period for r in current_result_sets()]


# The columns of RESULT_SCHEMA, in order, from the tables `_results_from` joins.
_RESULTS_SELECT = (
    'SELECT i.code, s.period, r."group", u.code, r.value, r.rank, r.percentile, r.quartile, r.zscore, '
    "g.n, g.mean, g.median, g.q1, g.q3, g.min, g.max, g.best, g.std, r.gap_to_median, r.gap_to_best, r.change, s.status "
)


def _results_from(user, periods, indicators, groups, units) -> tuple[str, list] | None:
    """The FROM ... WHERE of the results the filters and the user's scope select, and its
    parameters; None when nothing can match (no result set, or no unit in scope)."""
    result_sets = current_result_sets(periods)
    if not result_sets:
        return None
    ids = [r.pk for r in result_sets]
    where = [f"r.result_set_id IN ({', '.join(['%s'] * len(ids))})"]
    params: list = list(ids)
    for column, wanted in (("i.code", indicators), ('r."group"', groups), ("u.code", units)):
        if wanted:
            where.append(f"{column} IN ({', '.join(['%s'] * len(wanted))})")
            params += list(wanted)
    if user is not None:
        visible = visible_unit_ids(user)
        if visible is not None:
            if not visible:
                return None
            where.append(f"r.unit_id IN ({', '.join(['%s'] * len(visible))})")
            params += sorted(visible)
    joins = (
        "FROM analytics_unitresult r "
        "JOIN analytics_resultset s ON s.id = r.result_set_id "
        "JOIN catalogue_indicator i ON i.id = r.indicator_id "
        "JOIN units_unit u ON u.id = r.unit_id "
        'JOIN analytics_groupstatistic g ON g.result_set_id = r.result_set_id AND g.indicator_id = r.indicator_id AND g."group" = r."group" '
        "WHERE " + " AND ".join(where)
    )
    return joins, params


def results_frame(
    *,
    user=None,
    periods: list[str] | None = None,
    indicators: list[str] | None = None,
    groups: list[str] | None = None,
    units: list[str] | None = None,
    few: bool = False,
) -> pl.DataFrame:
    """Per-unit results joined with their group statistics: the results export's rows.

    `user=None` is the system (command line); a user sees only units in their scope.
    `few=True`: at most a few thousand rows are expected (one unit's), read without COPY.
    """
    found = _results_from(user, periods, indicators, groups, units)
    if found is None:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    joins, params = found
    frame = bulk.fetch_frame(_RESULTS_SELECT + joins, params, RESULT_SCHEMA, few=few)
    return frame.sort("indicator", "period", "group", "unit")


def results_page(
    *,
    user=None,
    periods: list[str] | None = None,
    indicators: list[str] | None = None,
    groups: list[str] | None = None,
    units: list[str] | None = None,
    limit: int,
    offset: int = 0,
) -> tuple[pl.DataFrame, int]:
    """One page of `results_frame()`'s rows (same columns, same filters) and the total count.

    The API pages in SQL rather than slicing `results_frame()`: a national programme has
    tens of millions of rows and a page must not load them all into memory.
    """
    empty = pl.DataFrame(schema=RESULT_SCHEMA)
    found = _results_from(user, periods, indicators, groups, units)
    if found is None:
        return empty, 0
    joins, params = found
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) " + joins, params)
        total = cursor.fetchone()[0]
    if total == 0 or offset >= total:
        return empty, total
    sql = (
        _RESULTS_SELECT + joins + ' ORDER BY i.code, s.period, r."group", u.code LIMIT %s OFFSET %s'
    )
    return bulk.fetch_frame(sql, [*params, limit, offset], RESULT_SCHEMA), total


def iter_results(
    *,
    user=None,
    periods: list[str] | None = None,
    indicators: list[str] | None = None,
    groups: list[str] | None = None,
    batch_size: int = 25,
):
    """`results_frame` in pieces — a period and a batch of indicators at a time — so that a
    national export (≈ 40 M rows per computation) never holds all its rows in memory."""
    from miara.catalogue.models import Indicator

    codes = indicators or list(Indicator.objects.order_by("code").values_list("code", flat=True))
    for result_set in sorted(current_result_sets(periods), key=lambda r: Period.parse(r.period)):
        for start in range(0, len(codes), batch_size):
            yield results_frame(
                user=user,
                periods=[result_set.period],
                indicators=codes[start : start + batch_size],
                groups=groups,
            )


def period_result_sets(period: str) -> list[ResultSet]:
    """Every stored result set of a period, newest first (the current one among them).

    Result sets hold no unit's data themselves, only which submissions they include;
    the board and the API show them to coordinators and experts."""
    return list(
        ResultSet.objects.filter(period=period)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def latest_compute_job(period: str):
    """The newest computation asked for the period (any state), or None."""
    from miara.analytics.models import ComputeJob

    return (
        ComputeJob.objects.filter(period=period)
        .select_related("requested_by")
        .order_by("-created_at", "-id")
        .first()
    )


def unit_indicator_values(*, units: list[str], indicators: list[str]) -> pl.DataFrame:
    """The indicators' values of these units in every period they have data for (years,
    quarters, months), computed by the formula engine from the values stored now: fresh
    after every save, and without a result set (an office's monthly running data have
    none). Columns indicator, unit, period, value. System read: callers authorise first."""
    from miara.catalogue.models import Indicator
    from miara.collection.selectors import values_frame
    from miara.engine import formula as formulas

    empty = pl.DataFrame(
        schema={
            "indicator": pl.String,
            "unit": pl.String,
            "period": pl.String,
            "value": pl.Float64,
        }
    )
    if not units or not indicators:
        return empty
    values = values_frame(user=None, units=sorted(set(units)), few=len(set(units)) <= 20)
    if values.is_empty():
        return empty
    definitions = dict(Indicator.objects.values_list("code", "formula"))
    evaluation = formulas.evaluate(values, definitions, indicators=sorted(set(indicators)))
    return evaluation.values.select("indicator", "unit", "period", "value").filter(
        pl.col("value").is_not_null()
    )
