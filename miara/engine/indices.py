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
class IndexOutcome:
    """`scores`: period, unit, score, rank (scored units only). `components`: period,
    unit, indicator, value, normalised, weight (the effective weight in the unit's score).
    `pillars`: period, unit, pillar, score. `excluded`: units with too few components.
    `notes`: what a reader must know (an indicator without values, a constant one...)."""

    scores: pl.DataFrame
    components: pl.DataFrame
    pillars: pl.DataFrame
    excluded: pl.DataFrame
    notes: list[str] = field(default_factory=list)


def compute_index(values: pl.DataFrame, spec: IndexSpec) -> IndexOutcome:
    """Score every unit of every period in `values` on the index."""
    check(spec)
    leaves = spec.leaves()
    wanted = [leaf.indicator for leaf in leaves]
    values = (
        values.select("period", "unit", "indicator", pl.col("value").cast(pl.Float64))
        .filter(pl.col("indicator").is_in(wanted) & pl.col("value").is_not_null())
        .filter(pl.col("value").is_finite())
        .unique(["period", "unit", "indicator"], keep="first")
    )
    notes: list[str] = []
    normalised, dropped = _normalise(values, spec, notes)
    periods = sorted(values.get_column("period").unique().to_list())
    expected = pl.DataFrame(
        {"period": periods, "expected": [len(leaves) - len(dropped.get(p, ())) for p in periods]},
        schema={"period": pl.String, "expected": pl.Int64},
    )
    present = normalised.group_by("period", "unit").agg(pl.len().cast(pl.Int64).alias("present"))
    coverage = present.join(expected, on="period").with_columns(
        ((pl.col("expected") - pl.col("present")) / pl.col("expected")).alias("missing")
    )
    too_few = pl.col("missing") > spec.max_missing + 1e-12
    excluded = coverage.filter(too_few).select(*EXCLUDED_SCHEMA).sort("period", "unit")
    kept = coverage.filter(~too_few).select("period", "unit")
    normalised = normalised.join(kept, on=["period", "unit"], how="semi")
    for period in periods:
        n_out = excluded.filter(pl.col("period") == period).height
        if n_out and kept.filter(pl.col("period") == period).is_empty():
            notes.append(
                f"{period}: no unit has enough components (a unit may miss at most "
                f"{spec.max_missing * 100:g} %); {n_out} units left without a score"
            )
    score, weights, pillar_frames = _aggregate(
        spec.components, normalised, spec.aggregation, spec.aggregation
    )
    scores = score.with_columns(
        pl.col("score").rank("min", descending=True).over("period").cast(pl.Int64).alias("rank")
    ).sort("period", "rank", "unit")
    components = (
        normalised.join(weights, on=["period", "unit", "indicator"])
        .select(*COMPONENT_SCHEMA)
        .sort("period", "unit", "indicator")
    )
    pillars = (
        pl.concat(pillar_frames).select(*PILLAR_SCHEMA).sort("period", "unit", "pillar")
        if pillar_frames
        else pl.DataFrame(schema=PILLAR_SCHEMA)
    )
    return IndexOutcome(
        scores=scores.select(*SCORE_SCHEMA),
        components=components,
        pillars=pillars,
        excluded=excluded,
        notes=notes,
    )


def _normalise(
    values: pl.DataFrame, spec: IndexSpec, notes: list[str]
) -> tuple[pl.DataFrame, dict[str, set[str]]]:
    """Each indicator's value on the common scale (best = 100 except for z-scores).

    An indicator without spread in a period (every unit the same value) says nothing
    about who does better: it is left out of that period and does not count as missing.
    """
    leaves = spec.leaves()
    table = pl.DataFrame(
        {
            "indicator": [leaf.indicator for leaf in leaves],
            "sign": [1.0 if leaf.direction == "higher" else -1.0 for leaf in leaves],
            "lo": [leaf.goalposts[0] if leaf.goalposts else None for leaf in leaves],
            "hi": [leaf.goalposts[1] if leaf.goalposts else None for leaf in leaves],
        },
        schema={"indicator": pl.String, "sign": pl.Float64, "lo": pl.Float64, "hi": pl.Float64},
    )
    x = pl.col("value")
    by = ["period", "indicator"]
    frame = values.join(table, on="indicator")
    higher = pl.col("sign") > 0
    dropped: dict[str, set[str]] = {}
    periods = sorted(values.get_column("period").unique().to_list())
    for period in periods:
        have = set(values.filter(pl.col("period") == period).get_column("indicator").unique())
        for leaf in leaves:
            if leaf.indicator not in have:
                notes.append(f"{period}: {leaf.indicator} has no values; every unit misses it")
    if spec.normalisation == "goalposts":
        share = (x - pl.col("lo")) / (pl.col("hi") - pl.col("lo"))
        share = pl.when(higher).then(share).otherwise(1 - share).clip(0, 1)
        return frame.with_columns((100 * share).alias("normalised")).select(
            "period", "unit", "indicator", "value", "normalised"
        ), dropped
    if spec.normalisation == "minmax":
        low, high = x.min().over(by), x.max().over(by)
        spread = high - low
        share = pl.when(higher).then((x - low) / spread).otherwise((high - x) / spread)
        floor = GEOMETRIC_FLOOR if spec.uses_geometric() else 0.0
        scored = frame.with_columns(
            spread.alias("_spread"), (floor + (100 - floor) * share).alias("normalised")
        )
        flat = pl.col("_spread") == 0
    else:  # zscore, sample standard deviation as everywhere in miara (ddof = 1)
        mean, std = x.mean().over(by), x.std(ddof=1).over(by)
        scored = frame.with_columns(
            std.alias("_spread"), (pl.col("sign") * (x - mean) / std).alias("normalised")
        )
        flat = pl.col("_spread").is_null() | (pl.col("_spread") == 0)
    flat_pairs = (
        scored.filter(flat).select("period", "indicator").unique().sort("period", "indicator")
    )
    for period, indicator in flat_pairs.iter_rows():
        dropped.setdefault(period, set()).add(indicator)
        notes.append(
            f"{period}: {indicator} does not tell units apart (the same value for every unit, "
            "or a single unit); left out of the index for this period"
        )
    return scored.filter(~flat).select(
        "period", "unit", "indicator", "value", "normalised"
    ), dropped


def _aggregate(
    nodes: tuple[Node, ...], normalised: pl.DataFrame, aggregation: str, default: str
) -> tuple[pl.DataFrame, pl.DataFrame, list[pl.DataFrame]]:
    """The weighted mean of the present children of one node, per period and unit.

    Returns the node's scores (period, unit, score), the effective weight of each leaf
    below it (period, unit, indicator, weight; summing to 1 per unit) and the scores of
    every pillar below it (period, unit, pillar, score).
    """
    child_scores, child_weights, pillars = [], [], []
    for node in nodes:
        if isinstance(node, Component):
            leaf = normalised.filter(pl.col("indicator") == node.indicator)
            child_scores.append(
                leaf.select("period", "unit", pl.col("normalised").alias("score")).with_columns(
                    pl.lit(node.key, _NODE).alias("child"), pl.lit(float(node.weight)).alias("w")
                )
            )
            child_weights.append(
                leaf.select(
                    "period",
                    "unit",
                    "indicator",
                    pl.lit(1.0).alias("weight"),
                    pl.lit(node.key, _NODE).alias("child"),
                )
            )
        else:
            score, weights, below = _aggregate(
                node.components, normalised, node.aggregation or default, default
            )
            pillars += below
            pillars.append(score.with_columns(pl.lit(node.code, _NODE).alias("pillar")))
            child_scores.append(
                score.with_columns(
                    pl.lit(node.key, _NODE).alias("child"), pl.lit(float(node.weight)).alias("w")
                )
            )
            child_weights.append(weights.with_columns(pl.lit(node.key, _NODE).alias("child")))
    children = pl.concat([c.select("period", "unit", "child", "score", "w") for c in child_scores])
    children = children.with_columns(
        (pl.col("w") / pl.col("w").sum().over("period", "unit")).alias("share")
    )
    if aggregation == "geometric":
        mean = (pl.col("share") * pl.col("score").log()).sum().exp()
    else:
        mean = (pl.col("share") * pl.col("score")).sum()
    score = children.group_by("period", "unit").agg(mean.alias("score"))
    weights = (
        pl.concat(
            [w.select("period", "unit", "indicator", "weight", "child") for w in child_weights]
        )
        .join(children.select("period", "unit", "child", "share"), on=["period", "unit", "child"])
        .select("period", "unit", "indicator", (pl.col("weight") * pl.col("share")).alias("weight"))
    )
    return score, weights, pillars


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
ALTERNATIVE_SCHEMA = {"alternative": pl.String, "units": pl.Int64, "mean_shift": pl.Float64}


@dataclass(frozen=True)
class Sensitivity:
    """`ranges`: each unit scored under the index as defined: its rank and the best and
    worst rank under any alternative. `alternatives`: each alternative with the number of
    units it scored and the mean absolute rank shift against the index as defined."""

    ranges: pl.DataFrame
    alternatives: pl.DataFrame


def alternatives(spec: IndexSpec) -> list[tuple[str, IndexSpec]]:
    """The alternative definitions of methodology.md: each weight ×0.5 and ×1.5 in turn,
    the other normalisations, the other aggregation everywhere, and each indicator left
    out in turn (where the rest still makes an index)."""
    found: list[tuple[str, IndexSpec]] = []
    for node in [*spec.leaves(), *spec.pillars()]:
        for step in WEIGHT_STEPS:
            found.append(
                (
                    f"weight of {node.key} ×{step:g}",
                    _map(spec, node.key, lambda n, s=step: replace(n, weight=n.weight * s)),
                )
            )
    for normalisation in NORMALISATIONS:
        if normalisation != spec.normalisation:
            found.append(
                (f"normalisation {normalisation}", replace(spec, normalisation=normalisation))
            )
    other = "geometric" if spec.aggregation == "arithmetic" else "arithmetic"
    found.append((f"aggregation {other}", _all_aggregations(spec, other)))
    if len(spec.leaves()) > 1:
        for leaf in spec.leaves():
            found.append((f"without {leaf.indicator}", _without(spec, leaf.indicator)))
    return [(name, alt) for name, alt in found if alt is not None and not problems_of(alt)]


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
    values = values.filter(pl.col("period") == period)
    base = compute_index(values, spec).scores.select("unit", "score", "rank")
    ranks = [base.select("unit", pl.col("rank").alias("r"))]
    summary = []
    for name, alternative in alternatives(spec):
        other = compute_index(values, alternative).scores.select("unit", pl.col("rank").alias("r"))
        other = other.join(base.select("unit"), on="unit", how="semi")
        shift = (
            other.join(base, on="unit").select((pl.col("r") - pl.col("rank")).abs().mean()).item()
        )
        summary.append((name, other.height, shift))
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
