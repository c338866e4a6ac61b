"""Composite indices computed with every result set (methodology.md, "Composite indices").

`compute` (analytics.services) calls `index_outcomes` once for all its periods (the
engine is vectorised over periods) and `index_store` inside each period's transaction.
An index that cannot be computed as defined (an indicator since made neutral, say) is
stored as a summary with a note saying why, never as an error of the whole computation.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from miara.analytics.models import IndexResult, IndexSummary, ResultSet
from miara.catalogue.indices import index_spec, indicator_codes
from miara.catalogue.models import CompositeIndex, Indicator
from miara.engine import indices as engine
from miara.lib import bulk


@dataclass(frozen=True)
class Computed:
    index: CompositeIndex
    outcome: engine.IndexOutcome | None
    problem: str = ""


def index_outcomes(indicator_values: pl.DataFrame, periods: list[str]) -> list[Computed]:
    """Every catalogue index scored over the periods' indicator values (the units of each
    period that the result set includes)."""
    indices = list(CompositeIndex.objects.order_by("code"))
    if not indices:
        return []
    directions = dict(Indicator.objects.values_list("code", "direction"))
    values = indicator_values.filter(pl.col("period").is_in(periods)).select(
        "period", "unit", "indicator", "value"
    )
    computed = []
    for index in indices:
        unknown = sorted(set(indicator_codes(index.components)) - set(directions))
        if unknown:  # an indicator removed from the catalogue since the index was loaded
            computed.append(
                Computed(
                    index=index,
                    outcome=None,
                    problem=f"index {index.code}: unknown indicator {', '.join(unknown)}",
                )
            )
            continue
        try:
            outcome = engine.compute_index(values, index_spec(index, directions))
        except engine.CompositeIndexError as error:
            computed.append(Computed(index=index, outcome=None, problem=str(error)))
            continue
        computed.append(Computed(index=index, outcome=outcome))
    return computed


def _json_map(frame: pl.DataFrame, key: str, value: pl.Expr) -> pl.DataFrame:
    """Per unit, a JSON object text {key: value, ...} built in Polars (codes are
    [A-Z0-9_], numbers finite, so no escaping is needed)."""
    if frame.is_empty():
        return pl.DataFrame(schema={"unit": pl.String, "json": pl.String})
    return (
        frame.select(
            "unit", pl.concat_str(pl.lit('"'), pl.col(key), pl.lit('":'), value).alias("pair")
        )
        .group_by("unit")
        .agg(pl.col("pair").str.join(","))
        .select("unit", pl.concat_str(pl.lit("{"), pl.col("pair"), pl.lit("}")).alias("json"))
    )


def index_store(result_set: ResultSet, computed: list[Computed], unit_ids: pl.DataFrame) -> int:
    """Write the period's scores and summaries of every index; the number of scores."""
    period = result_set.period
    written = 0
    for item in computed:
        summary = IndexSummary(
            result_set=result_set,
            index=item.index,
            definition={
                "normalisation": item.index.normalisation,
                "aggregation": item.index.aggregation,
                "max_missing_percent": item.index.max_missing_percent,
                "components": item.index.components,
            },
        )
        if item.outcome is None:
            summary.notes = [{"kind": "definition", "text": item.problem}]
            summary.save()
            continue
        outcome = item.outcome
        scores = outcome.scores.filter(pl.col("period") == period)
        excluded = outcome.excluded.filter(pl.col("period") == period)
        notes = [n for n in outcome.notes if n.period == period]
        if scores.is_empty() and excluded.is_empty() and not notes:
            continue  # none of its indicators has a value in the period (an office's months)
        components = outcome.components.filter(pl.col("period") == period)
        pillars = outcome.pillars.filter(pl.col("period") == period)
        number = pl.col("normalised").cast(pl.String)
        component_json = _json_map(
            components,
            "indicator",
            pl.concat_str(
                pl.lit("["), number, pl.lit(","), pl.col("weight").cast(pl.String), pl.lit("]")
            ),
        ).rename({"json": "components"})
        pillar_json = _json_map(pillars, "pillar", pl.col("score").cast(pl.String)).rename(
            {"json": "pillars"}
        )
        rows = (
            scores.join(unit_ids, on="unit")
            .join(component_json, on="unit", how="left")
            .join(pillar_json, on="unit", how="left")
            .select(
                pl.lit(result_set.pk, pl.Int64).alias("result_set_id"),
                pl.lit(item.index.pk, pl.Int64).alias("index_id"),
                "unit_id",
                "score",
                "rank",
                pl.col("components").fill_null("{}"),
                pl.col("pillars").fill_null("{}"),
            )
        )
        written += bulk.insert_frame(IndexResult._meta.db_table, rows)
        summary.scored = rows.height
        summary.excluded = excluded.drop("period").to_dicts()
        summary.means = dict(
            components.group_by("indicator").agg(pl.col("normalised").mean()).iter_rows()
        )
        summary.notes = [
            {"kind": n.kind, "indicator": n.indicator, "count": n.count, "text": n.text}
            for n in notes
        ]
        summary.save()
    return written
