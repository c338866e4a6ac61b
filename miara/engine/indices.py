"""Composite indices (methodology.md, "Composite indices"; OECD/JRC Handbook 2008).

Pure: indicator values in (a long frame `period, unit, indicator, value`), scores out.
One index is a tree: leaves are indicators (with a direction and, for `goalposts`, fixed
bounds), inner nodes are pillars; every node has a weight, every inner node an
aggregation. The steps, each vectorised over periods and units:

1. normalise each indicator within each period (best = 100; `minmax`, `goalposts`, `zscore`);
2. drop units missing more than the allowed share of indicators (default 30 %); they are
   listed in `excluded`, never silently scored;
3. aggregate bottom-up: each pillar, then the index, takes the weighted arithmetic or
   geometric mean of its present children, the weights rescaled to the present ones;
4. rank (1 = the highest score, ties share the better rank).

The effective weight of every indicator for every unit (its share of the final score
after rescaling along its path) is kept, so a unit's score can be explained component
by component (`breakdown`), and `sensitivity` recomputes ranks under the alternative
methods the methodology names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Union

import polars as pl

from miara.engine.errors import EngineError

NORMALISATIONS = ("minmax", "goalposts", "zscore")
AGGREGATIONS = ("arithmetic", "geometric")
DEFAULT_MAX_MISSING = 0.3
# The worst unit's min-max score when a geometric mean follows: 1, not 0, so that one
# worst component does not zero the whole index (methodology.md; COINr's [1, 100] range).
GEOMETRIC_FLOOR = 1.0
VALUES_SCHEMA = {
    "period": pl.String,
    "unit": pl.String,
    "indicator": pl.String,
    "value": pl.Float64,
}
SCORE_SCHEMA = {"period": pl.String, "unit": pl.String, "score": pl.Float64, "rank": pl.Int64}
COMPONENT_SCHEMA = {
    "period": pl.String,
    "unit": pl.String,
    "indicator": pl.String,
    "value": pl.Float64,
    "normalised": pl.Float64,
    "weight": pl.Float64,
}
PILLAR_SCHEMA = {"period": pl.String, "unit": pl.String, "pillar": pl.String, "score": pl.Float64}
EXCLUDED_SCHEMA = {
    "period": pl.String,
    "unit": pl.String,
    "present": pl.Int64,
    "expected": pl.Int64,
}
_NODE = pl.String


class CompositeIndexError(EngineError, ValueError):
    """An index definition that cannot be computed; the message says what to change."""


@dataclass(frozen=True)
class Component:
    """A leaf: one indicator of the index."""

    indicator: str
    direction: str = "higher"
    weight: float = 1.0
    goalposts: tuple[float, float] | None = None

    @property
    def key(self) -> str:
        return self.indicator


@dataclass(frozen=True)
class Pillar:
    """A group of components with its own aggregation (None: the index's) and weight."""

    code: str
    components: tuple[Node, ...]
    weight: float = 1.0
    aggregation: str | None = None

    @property
    def key(self) -> str:
        return self.code


Node = Union[Component, Pillar]  # noqa: UP007 - a forward reference the dataclasses need


@dataclass(frozen=True)
class IndexSpec:
    code: str
    components: tuple[Node, ...]
    normalisation: str = "minmax"
    aggregation: str = "arithmetic"
    max_missing: float = DEFAULT_MAX_MISSING

    def leaves(self) -> list[Component]:
        return list(_leaves(self.components))

    def pillars(self) -> list[Pillar]:
        return list(_pillars(self.components))

    def uses_geometric(self) -> bool:
        return self.aggregation == "geometric" or any(
            p.aggregation == "geometric" for p in self.pillars()
        )


def _leaves(nodes):
    for node in nodes:
        if isinstance(node, Component):
            yield node
        else:
            yield from _leaves(node.components)


def _pillars(nodes):
    for node in nodes:
        if isinstance(node, Pillar):
            yield node
            yield from _pillars(node.components)


def problems_of(spec: IndexSpec) -> list[str]:
    """What makes the definition impossible to compute, in plain words (empty: fine)."""
    problems = []
    if spec.normalisation not in NORMALISATIONS:
        problems.append(
            f"normalisation {spec.normalisation!r} must be one of {', '.join(NORMALISATIONS)}"
        )
    if not 0 <= spec.max_missing < 1:
        problems.append(
            f"the share of components a unit may miss must be from 0 to under 100 %, not {spec.max_missing * 100:g} %"
        )
    for where, aggregation in [("the index", spec.aggregation)] + [
        (f"pillar {p.code}", p.aggregation) for p in spec.pillars()
    ]:
        if aggregation is not None and aggregation not in AGGREGATIONS:
            problems.append(f"{where}: aggregation {aggregation!r} must be arithmetic or geometric")
    if not spec.components:
        problems.append("the index has no components")
    for pillar in spec.pillars():
        if not pillar.components:
            problems.append(f"pillar {pillar.code} has no components")
    seen: set[str] = set()
    for node in [*spec.leaves(), *spec.pillars()]:
        if node.key in seen:
            problems.append(f"{node.key} appears twice in the index")
        seen.add(node.key)
        if (
            not (isinstance(node.weight, int | float) and math.isfinite(node.weight))
            or node.weight <= 0
        ):
            problems.append(f"{node.key}: weight must be a positive number, not {node.weight!r}")
    for leaf in spec.leaves():
        if leaf.direction not in ("higher", "lower"):
            problems.append(
                f"{leaf.indicator} is a neutral (context) indicator; an index needs indicators "
                "whose direction is higher or lower"
            )
        if leaf.goalposts is not None:
            lo, hi = leaf.goalposts
            if not lo < hi:
                problems.append(
                    f"{leaf.indicator}: goalposts [{lo:g}, {hi:g}] must be [low, high] with low < high"
                )
        elif spec.normalisation == "goalposts":
            problems.append(
                f"{leaf.indicator}: normalisation goalposts needs goalposts: [low, high] for every indicator"
            )
    if spec.normalisation == "zscore" and spec.uses_geometric():
        problems.append(
            "a geometric mean needs positive scores and z-scores are negative below the mean; "
            "use minmax or goalposts with geometric aggregation"
        )
    return problems


def check(spec: IndexSpec) -> None:
    problems = problems_of(spec)
    if problems:
        raise CompositeIndexError(f"index {spec.code}: " + "; ".join(problems))


@dataclass(frozen=True)
class Note:
    """What a reader of an index must know about a period's data: `kind` is `no_values`
    (an indicator without any value), `flat` (an indicator without spread, left out) or
    `none_scored` (no unit had enough indicators; `count` units left out). `text` says
    it in English for logs and the command line; pages word it from the fields."""

    kind: str
    period: str
    indicator: str = ""
    count: int = 0
    text: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class IndexOutcome:
    """`scores`: period, unit, score, rank (scored units only). `components`: period,
    unit, indicator, value, normalised, weight (the effective weight in the unit's score).
    `pillars`: period, unit, pillar, score. `excluded`: units with too few components.
    `notes`: what a reader must know (an indicator without values, a constant one...)."""

    scores: pl.DataFrame
    components: pl.DataFrame
    pillars: pl.DataFrame
    excluded: pl.DataFrame
    notes: list[Note] = field(default_factory=list)


def compute_index(values: pl.DataFrame, spec: IndexSpec, *, detail: bool = True) -> IndexOutcome:
    """Score every unit of every period in `values` on the index.

    Works on a wide frame (one row per period and unit, one column per indicator), so
    that normalisation, the missing-data rule and every level of aggregation are column
    expressions rather than joins. `detail=False` gives the scores and ranks only.
    """
    check(spec)
    wide = _wide(values, [leaf.indicator for leaf in spec.leaves()])
    if wide is None:
        return _empty_outcome()
    return _compute_wide(wide, spec, detail=detail)


def _wide(values: pl.DataFrame, codes: list[str]) -> pl.DataFrame | None:
    """One row per period and unit, a column `v:CODE` per indicator (None: no values)."""
    values = values.select("period", "unit", "indicator", pl.col("value").cast(pl.Float64)).filter(
        pl.col("indicator").is_in(codes) & pl.col("value").is_finite()
    )
    if values.is_empty():
        return None
    wide = values.pivot(
        on="indicator", index=["period", "unit"], values="value", aggregate_function="first"
    )
    return wide.with_columns(
        pl.lit(None, pl.Float64).alias(c) for c in codes if c not in wide.columns
    ).rename({c: f"v:{c}" for c in codes})


def _compute_wide(wide: pl.DataFrame, spec: IndexSpec, *, detail: bool) -> IndexOutcome:
    codes = [leaf.indicator for leaf in spec.leaves()]
    notes: list[Note] = []
    normalised, flat = _normalise(wide, spec)
    per_period = (
        wide.group_by("period")
        .agg(
            *[pl.col(f"v:{c}").count().alias(f"count:{c}") for c in codes],
            *[flat[c].any().alias(f"flat:{c}") for c in codes],
        )
        .sort("period")
    )
    for row in per_period.iter_rows(named=True):
        for c in codes:
            if row[f"count:{c}"] == 0:
                notes.append(
                    Note(
                        "no_values",
                        row["period"],
                        indicator=c,
                        text=f"{row['period']}: {c} has no values; every unit misses it",
                    )
                )
            elif row[f"flat:{c}"]:
                notes.append(
                    Note(
                        "flat",
                        row["period"],
                        indicator=c,
                        text=f"{row['period']}: {c} does not tell units apart (the same value "
                        "for every unit, or a single unit); left out of the index for this period",
                    )
                )
    # A flat indicator is left out of its period: null for all, and not expected.
    scored = wide.select(
        "period",
        "unit",
        *[pl.col(f"v:{c}") for c in codes],
        *[pl.when(flat[c]).then(None).otherwise(normalised[c]).alias(f"n:{c}") for c in codes],
        (
            pl.lit(len(codes), pl.Int64) - pl.sum_horizontal(flat[c].cast(pl.Int64) for c in codes)
        ).alias("expected"),
    ).with_columns(
        pl.sum_horizontal(pl.col(f"n:{c}").is_not_null().cast(pl.Int64) for c in codes).alias(
            "present"
        )
    )
    too_few = (pl.col("expected") - pl.col("present")) > spec.max_missing * pl.col(
        "expected"
    ) + 1e-9
    excluded = scored.filter(too_few).select(*EXCLUDED_SCHEMA).sort("period", "unit")
    kept = scored.filter(~too_few)
    for period, n_kept, n_out in (
        scored.group_by("period")
        .agg((~too_few).sum().alias("kept"), too_few.sum().alias("out"))
        .sort("period")
        .iter_rows()
    ):
        if n_out and not n_kept:
            notes.append(
                Note(
                    "none_scored",
                    period,
                    count=n_out,
                    text=f"{period}: no unit has enough components (a unit may miss at most "
                    f"{spec.max_missing * 100:g} %); {n_out} units left without a score",
                )
            )
    stages: list[list[pl.Expr]] = []
    score, weights = _aggregate(spec.components, spec.aggregation, spec.aggregation, "d:", stages)
    for stage in stages:
        kept = kept.with_columns(stage)
    kept = kept.with_columns(score.alias("score"), _present_weight(spec.components).alias("d:"))
    if detail:
        kept = kept.with_columns(w.alias(f"w:{c}") for c, w in weights.items())
    pillars = [p.code for p in spec.pillars()]
    scores = kept.select(
        "period",
        "unit",
        "score",
        pl.col("score").rank("min", descending=True).over("period").cast(pl.Int64).alias("rank"),
    ).sort("period", "rank", "unit")
    if not detail:  # ranks are all the sensitivity view needs
        return replace(_empty_outcome(), scores=scores.select(*SCORE_SCHEMA), excluded=excluded)
    components = (
        pl.concat(
            [
                kept.select(
                    "period",
                    "unit",
                    pl.lit(c, pl.String).alias("indicator"),
                    pl.col(f"v:{c}").alias("value"),
                    pl.col(f"n:{c}").alias("normalised"),
                    pl.col(f"w:{c}").alias("weight"),
                )
                for c in codes
            ]
        )
        .filter(pl.col("normalised").is_not_null())
        .select(*COMPONENT_SCHEMA)
    )
    pillar_frame = (
        pl.concat(
            [
                kept.select(
                    "period",
                    "unit",
                    pl.lit(code, pl.String).alias("pillar"),
                    pl.col(f"p:{code}").alias("score"),
                )
                for code in pillars
            ]
        ).filter(pl.col("score").is_not_null())
        if pillars
        else pl.DataFrame(schema=PILLAR_SCHEMA)
    )
    return IndexOutcome(
        scores=scores.select(*SCORE_SCHEMA),
        components=components,
        pillars=pillar_frame.select(*PILLAR_SCHEMA),
        excluded=excluded,
        notes=notes,
    )


def _empty_outcome() -> IndexOutcome:
    return IndexOutcome(
        scores=pl.DataFrame(schema=SCORE_SCHEMA),
        components=pl.DataFrame(schema=COMPONENT_SCHEMA),
        pillars=pl.DataFrame(schema=PILLAR_SCHEMA),
        excluded=pl.DataFrame(schema=EXCLUDED_SCHEMA),
        notes=[],
    )


def _normalise(
    wide: pl.DataFrame, spec: IndexSpec
) -> tuple[dict[str, pl.Expr], dict[str, pl.Expr]]:
    """Each indicator's score on the common scale (best = 100 except for z-scores), and
    whether the indicator has no spread in the period (every unit the same value, or a
    single unit): such an indicator says nothing about who does better."""
    normalised: dict[str, pl.Expr] = {}
    flat: dict[str, pl.Expr] = {}
    floor = GEOMETRIC_FLOOR if spec.uses_geometric() else 0.0
    for leaf in spec.leaves():
        x = pl.col(f"v:{leaf.indicator}")
        higher = leaf.direction == "higher"
        if spec.normalisation == "goalposts":
            lo, hi = leaf.goalposts
            share = (x - lo) / (hi - lo) if higher else (hi - x) / (hi - lo)
            normalised[leaf.indicator] = 100 * share.clip(0, 1)
            flat[leaf.indicator] = pl.lit(False)
        elif spec.normalisation == "minmax":
            low, high = x.min().over("period"), x.max().over("period")
            share = (x - low) / (high - low) if higher else (high - x) / (high - low)
            normalised[leaf.indicator] = floor + (100 - floor) * share
            flat[leaf.indicator] = (x.count().over("period") > 0) & (high == low)
        else:  # zscore, with the sample standard deviation as everywhere in miara
            mean, std = x.mean().over("period"), x.std(ddof=1).over("period")
            sign = 1.0 if higher else -1.0
            normalised[leaf.indicator] = sign * (x - mean) / std
            flat[leaf.indicator] = (x.count().over("period") > 0) & (
                std.is_null() | (std == 0)
            ).fill_null(True)
    return normalised, flat


def _aggregate(
    nodes: tuple[Node, ...], aggregation: str, default: str, name: str, stages: list
) -> tuple[pl.Expr, dict[str, pl.Expr]]:
    """The weighted mean of the present children of one node, as a column expression
    over the wide frame (null when no child is present).

    Pillars below are added to `stages` first (bottom-up), each as its score column
    `p:CODE` and the sum of its present children's weights `d:CODE`, so that a parent
    reads them as columns. Returns the node's score and the effective weight of each
    leaf below it (its share of the node's score after the weights are rescaled to the
    present children; they sum to 1), written with the node's `d:` column `name`.
    """
    parts: list[tuple[pl.Expr, float, dict[str, pl.Expr]]] = []
    for node in nodes:
        if isinstance(node, Component):
            parts.append(
                (pl.col(f"n:{node.indicator}"), float(node.weight), {node.indicator: None})
            )
        else:
            score, weights = _aggregate(
                node.components, node.aggregation or default, default, f"d:{node.code}", stages
            )
            stages.append(
                [
                    score.alias(f"p:{node.code}"),
                    _present_weight(node.components).alias(f"d:{node.code}"),
                ]
            )
            parts.append((pl.col(f"p:{node.code}"), float(node.weight), weights))
    present_weight = pl.sum_horizontal(s.is_not_null().cast(pl.Float64) * w for s, w, _ in parts)
    if aggregation == "geometric":
        total = pl.sum_horizontal((s.log() * w).fill_null(0.0) for s, w, _ in parts)
        score = (total / present_weight).exp()
    else:
        score = pl.sum_horizontal((s * w).fill_null(0.0) for s, w, _ in parts) / present_weight
    score = pl.when(present_weight > 0).then(score).otherwise(None)
    weights: dict[str, pl.Expr] = {}
    for s, w, leaf_weights in parts:
        share = pl.when(s.is_not_null()).then(w / pl.col(name)).otherwise(None)
        for code, inner in leaf_weights.items():
            weights[code] = share if inner is None else share * inner
    return score, weights


def _present_weight(nodes: tuple[Node, ...]) -> pl.Expr:
    """The sum of the weights of a node's present children (pillars read as columns)."""
    return pl.sum_horizontal(
        (pl.col(f"n:{n.indicator}") if isinstance(n, Component) else pl.col(f"p:{n.code}"))
        .is_not_null()
        .cast(pl.Float64)
        * float(n.weight)
        for n in nodes
    )


# --- explaining one unit's score ------------------------------------------------------

BREAKDOWN_SCHEMA = {
    "indicator": pl.String,
    "value": pl.Float64,
    "normalised": pl.Float64,
    "mean_normalised": pl.Float64,
    "weight": pl.Float64,
    "contribution": pl.Float64,
    "pull": pl.Float64,
}


def breakdown(components: pl.DataFrame, *, period: str, unit: str) -> pl.DataFrame:
    """What pulls one unit's score up or down, indicator by indicator.

    `contribution` = effective weight × normalised score (with arithmetic aggregation
    throughout they add up to the score); `pull` = weight × (the unit's normalised score −
    the mean normalised score of the scored units): positive pulls the unit above the
    mean unit, negative below it.
    """
    of_period = components.filter(pl.col("period") == period)
    means = of_period.group_by("indicator").agg(
        pl.col("normalised").mean().alias("mean_normalised")
    )
    return (
        of_period.filter(pl.col("unit") == unit)
        .join(means, on="indicator")
        .with_columns(
            (pl.col("weight") * pl.col("normalised")).alias("contribution"),
            (pl.col("weight") * (pl.col("normalised") - pl.col("mean_normalised"))).alias("pull"),
        )
        .select(*BREAKDOWN_SCHEMA)
        .sort("pull", descending=True)
    )


# --- sensitivity: rank ranges under the alternatives ----------------------------------

WEIGHT_STEPS = (0.5, 1.5)
RANGE_SCHEMA = {
    "unit": pl.String,
    "score": pl.Float64,
    "rank": pl.Int64,
    "rank_min": pl.Int64,
    "rank_max": pl.Int64,
}
ALTERNATIVE_SCHEMA = {
    "alternative": pl.String,
    "kind": pl.String,
    "subject": pl.String,
    "units": pl.Int64,
    "mean_shift": pl.Float64,
    "max_shift": pl.Int64,
}


@dataclass(frozen=True)
class Sensitivity:
    """`ranges`: each unit scored under the index as defined: its rank and the best and
    worst rank under any alternative. `alternatives`: each alternative with the number of
    units it scored and the mean absolute rank shift against the index as defined."""

    ranges: pl.DataFrame
    alternatives: pl.DataFrame


def alternatives(spec: IndexSpec) -> list[tuple[str, tuple[str, str], IndexSpec]]:
    """The alternative definitions of methodology.md: each weight ×0.5 and ×1.5 in turn,
    the other normalisations, the other aggregation everywhere, and each indicator left
    out in turn (where the rest still makes an index). Each comes with a name and, for
    pages that word it in the reader's language, its kind and subject."""
    found: list[tuple[str, tuple[str, str], IndexSpec | None]] = []
    for node in [*spec.leaves(), *spec.pillars()]:
        for step, kind in zip(WEIGHT_STEPS, ("weight_less", "weight_more"), strict=True):
            found.append(
                (
                    f"weight of {node.key} ×{step:g}",
                    (kind, node.key),
                    _map(spec, node.key, lambda n, s=step: replace(n, weight=n.weight * s)),
                )
            )
    for normalisation in NORMALISATIONS:
        if normalisation != spec.normalisation:
            found.append(
                (
                    f"normalisation {normalisation}",
                    ("normalisation", normalisation),
                    replace(spec, normalisation=normalisation),
                )
            )
    other = "geometric" if spec.aggregation == "arithmetic" else "arithmetic"
    found.append((f"aggregation {other}", ("aggregation", other), _all_aggregations(spec, other)))
    if len(spec.leaves()) > 1:
        for leaf in spec.leaves():
            found.append(
                (
                    f"without {leaf.indicator}",
                    ("without", leaf.indicator),
                    _without(spec, leaf.indicator),
                )
            )
    return [
        (name, what, alt) for name, what, alt in found if alt is not None and not problems_of(alt)
    ]


def _map(spec: IndexSpec, key: str, change) -> IndexSpec:
    def walk(nodes):
        return tuple(
            change(n)
            if n.key == key
            else (replace(n, components=walk(n.components)) if isinstance(n, Pillar) else n)
            for n in nodes
        )

    return replace(spec, components=walk(spec.components))


def _all_aggregations(spec: IndexSpec, aggregation: str) -> IndexSpec:
    def walk(nodes):
        return tuple(
            replace(n, aggregation=aggregation, components=walk(n.components))
            if isinstance(n, Pillar)
            else n
            for n in nodes
        )

    return replace(spec, aggregation=aggregation, components=walk(spec.components))


def _without(spec: IndexSpec, indicator: str) -> IndexSpec | None:
    def walk(nodes):
        kept = []
        for n in nodes:
            if isinstance(n, Component):
                if n.indicator != indicator:
                    kept.append(n)
            else:
                inner = walk(n.components)
                if inner:
                    kept.append(replace(n, components=inner))
        return tuple(kept)

    components = walk(spec.components)
    return replace(spec, components=components) if components else None


def sensitivity(values: pl.DataFrame, spec: IndexSpec, *, period: str) -> Sensitivity:
    """Rank ranges of one period's units under every alternative of `alternatives`."""
    check(spec)
    wide = _wide(
        values.filter(pl.col("period") == period), [leaf.indicator for leaf in spec.leaves()]
    )
    if wide is None:
        return Sensitivity(
            ranges=pl.DataFrame(schema=RANGE_SCHEMA),
            alternatives=pl.DataFrame(schema=ALTERNATIVE_SCHEMA),
        )
    # One wide frame for every alternative: they use the same indicators or fewer.
    base = _compute_wide(wide, spec, detail=False).scores.select("unit", "score", "rank")
    ranks = [base.select("unit", pl.col("rank").alias("r"))]
    summary = []
    for name, (kind, subject), alternative in alternatives(spec):
        # Ranked among the units the index as defined scores, so that ranks compare
        # (an alternative without an indicator may score a unit the definition leaves out).
        other = (
            _compute_wide(wide, alternative, detail=False)
            .scores.join(base.select("unit"), on="unit", how="semi")
            .select("unit", pl.col("score").rank("min", descending=True).cast(pl.Int64).alias("r"))
        )
        shifts = (
            other.join(base, on="unit").select((pl.col("r") - pl.col("rank")).abs()).to_series()
        )
        summary.append((name, kind, subject, other.height, shifts.mean(), shifts.max()))
        ranks.append(other)
    spread = (
        pl.concat(ranks)
        .group_by("unit")
        .agg(pl.col("r").min().alias("rank_min"), pl.col("r").max().alias("rank_max"))
    )
    ranges = base.join(spread, on="unit").select(*RANGE_SCHEMA).sort("rank", "unit")
    return Sensitivity(
        ranges=ranges,
        alternatives=pl.DataFrame(summary, schema=ALTERNATIVE_SCHEMA, orient="row"),
    )
