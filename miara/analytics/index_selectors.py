"""Reads of composite-index results: the export's rows, a ranking, a unit's breakdown,
rank ranges. Callers show units through `peers.unit_presenter` (pages) or filter them
by the user's scope (API); the command line reads as the system (`user=None`)."""

from __future__ import annotations

import hashlib
import json

import polars as pl

from miara.accounts.scope import visible_unit_ids
from miara.analytics.models import IndexResult, IndexSummary, ResultSet, UnitResult
from miara.analytics.selectors import current_result_sets, result_set_key
from miara.catalogue.indices import index_spec, indicator_codes
from miara.catalogue.models import CompositeIndex
from miara.engine import indices as engine
from miara.engine.periods import Period
from miara.engine.stats import ALL
from miara.lib import memo

EXPORT_SCHEMA = {
    "index": pl.String,
    "period": pl.String,
    "unit": pl.String,
    "score": pl.Float64,
    "rank": pl.Int64,
}


def index_scope(code: str, period: str) -> str:
    """The place of one index's figures of one period: a pseudonym belongs to one."""
    return f"index:{code}:{period}"


def index_periods(index: CompositeIndex) -> list[str]:
    """The periods whose current result set scored the index, newest first."""
    sets = {r.pk: r.period for r in current_result_sets()}
    found = set(
        IndexSummary.objects.filter(result_set_id__in=list(sets), index=index).values_list(
            "result_set_id", flat=True
        )
    )
    return sorted((sets[i] for i in found), key=Period.parse, reverse=True)


def current_set(period: str) -> ResultSet | None:
    found = current_result_sets([period])
    return found[0] if found else None


def index_summary(index: CompositeIndex, period: str) -> IndexSummary | None:
    result_set = current_set(period)
    if result_set is None:
        return None
    return IndexSummary.objects.filter(result_set=result_set, index=index).first()


def index_export_frame(
    index: CompositeIndex, *, periods: list[str] | None = None, user=None
) -> pl.DataFrame:
    """The rows of `miara export index` (contracts.md): index, period, unit, score, rank,
    then one column per indicator with its normalised score; by period, rank, unit.
    `user=None` is the system; a user gets only the units in their scope."""
    codes = indicator_codes(index.components)
    schema = EXPORT_SCHEMA | {c: pl.Float64 for c in codes}
    sets = {r.pk: r.period for r in current_result_sets(periods)}
    rows = IndexResult.objects.filter(result_set_id__in=list(sets), index=index)
    visible = visible_unit_ids(user) if user is not None else None
    if visible is not None:
        rows = rows.filter(unit_id__in=visible)
    records = [
        (index.code, sets[set_id], unit, score, rank, *[(parts.get(c) or [None])[0] for c in codes])
        for set_id, unit, score, rank, parts in rows.values_list(
            "result_set_id", "unit__code", "score", "rank", "components"
        ).iterator(chunk_size=5000)
    ]
    frame = pl.DataFrame(records, schema=schema, orient="row")
    order = {p: i for i, p in enumerate(sorted(set(sets.values()), key=Period.parse))}
    return (
        frame.with_columns(pl.col("period").replace_strict(order, default=-1).alias("_order"))
        .sort("_order", "rank", "unit")
        .drop("_order")
    )


def index_ranking(index: CompositeIndex, period: str) -> list[IndexResult]:
    """Every scored unit of the period, best first (with the unit); callers present them."""
    result_set = current_set(period)
    if result_set is None:
        return []
    return list(
        IndexResult.objects.filter(result_set=result_set, index=index)
        .select_related("unit")
        .order_by("rank", "unit__code")
    )


def index_unit_result(index: CompositeIndex, period: str, unit) -> IndexResult | None:
    result_set = current_set(period)
    if result_set is None:
        return None
    return IndexResult.objects.filter(result_set=result_set, index=index, unit=unit).first()


def index_values(index: CompositeIndex, period: str) -> pl.DataFrame:
    """The indicator values the period's result set scored the index from (its `all`
    rows): what the sensitivity view recomputes the index with."""
    result_set = current_set(period)
    schema = engine.VALUES_SCHEMA
    if result_set is None:
        return pl.DataFrame(schema=schema)
    rows = UnitResult.objects.filter(
        result_set=result_set, group=ALL, indicator__code__in=indicator_codes(index.components)
    ).values_list("unit__code", "indicator__code", "value")
    return pl.DataFrame(
        [
            (period, unit, indicator, value)
            for unit, indicator, value in rows.iterator(chunk_size=10000)
        ],
        schema=schema,
        orient="row",
    )


def index_sensitivity(index: CompositeIndex, period: str) -> engine.Sensitivity | None:
    """Rank ranges of the period's scored units under the methodology's alternatives.

    Kept per result set and definition (`lib.memo`): a national index recomputed some
    sixty times takes seconds, and the figures are the same for every reader (who is
    shown under which name is decided afterwards, by the page's presenter)."""
    result_set = current_set(period)
    if result_set is None:
        return None
    definition = json.dumps(
        [index.normalisation, index.aggregation, index.max_missing_percent, index.components],
        sort_keys=True,
    )
    key = f"index-sensitivity:{result_set_key(result_set)}:{index.pk}:{hashlib.sha256(definition.encode()).hexdigest()[:16]}"

    def build() -> engine.Sensitivity | None:
        values = index_values(index, period)
        if values.is_empty():
            return None
        try:
            return engine.sensitivity(values, index_spec(index), period=period)
        except engine.CompositeIndexError:
            return None

    return memo.get_or_build(key, build)


def unit_index_scores(unit, period: str) -> list[dict]:
    """The unit's score and rank on every index in the period (for its scorecard), with
    the number of units scored; callers have authorised the unit."""
    result_set = current_set(period)
    if result_set is None:
        return []
    scored = dict(
        IndexSummary.objects.filter(result_set=result_set).values_list("index_id", "scored")
    )
    return [
        {"index": r.index, "score": r.score, "rank": r.rank, "n": scored.get(r.index_id, 0)}
        for r in IndexResult.objects.filter(result_set=result_set, unit=unit)
        .select_related("index")
        .order_by("index__code")
    ]
