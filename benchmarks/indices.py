#!/usr/bin/env python
"""A composite index at national scale: 6,300 units, 20 indicators, 10 periods.

    python benchmarks/indices.py                 # 6,300 x 20 x 10, median of 5 runs
    python benchmarks/indices.py --units 2000 --repeat 3

Measures, as the median of `--repeat` runs on the same frame in memory:

* the engine (`miara.engine.indices.compute_index`): two pillars (one geometric) of
  arithmetic-mean indicators plus four loose ones, min-max normalisation, 5 % of values
  missing at random (so the missing-data rule and the rescaling of weights work), every
  period at once — what `miara compute` runs for each index;
* beside it, in the same run, a pandas computation of the same index written from
  methodology.md (groupby transforms and a pivot); its scores must equal the engine's
  to 1e-9, and its set of scored units must be the same;
* for information, the sensitivity view of one period (rank ranges under every
  alternative of methodology.md), which the page computes on demand.

Target (issue 16): the index < 5 s. The data are deterministic (numpy `default_rng`).
Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from miara.engine.indices import (
    VALUES_SCHEMA,
    Component,
    IndexSpec,
    Pillar,
    compute_index,
    sensitivity,
)

SEED = 20_261_216
TARGET_SECONDS = 5.0


def make_values(units: int, indicators: int, periods: int) -> pl.DataFrame:
    rng = np.random.default_rng(SEED)
    n = units * indicators * periods
    frame = pl.DataFrame(
        {
            "period": np.repeat([str(2015 + p) for p in range(periods)], units * indicators),
            "unit": np.tile(np.repeat([f"U{u:05d}" for u in range(units)], indicators), periods),
            "indicator": np.tile([f"I{i:02d}" for i in range(indicators)], units * periods),
            "value": rng.lognormal(3, 0.8, n),
        },
        schema=VALUES_SCHEMA,
    )
    return frame.filter(pl.Series(rng.random(n) >= 0.05))


def make_spec(indicators: int) -> IndexSpec:
    codes = [f"I{i:02d}" for i in range(indicators)]
    third = max(1, indicators // 3)
    first, second, loose = codes[:third], codes[third : 2 * third], codes[2 * third :]

    def leaf(c: str, i: int) -> Component:
        return Component(c, direction="lower" if i % 4 == 0 else "higher", weight=1 + i % 3)

    return IndexSpec(
        code="BENCH",
        components=(
            Pillar("P1", tuple(leaf(c, i) for i, c in enumerate(first)), weight=2),
            Pillar("P2", tuple(leaf(c, i) for i, c in enumerate(second)), aggregation="geometric"),
            *(leaf(c, i) for i, c in enumerate(loose)),
        ),
        normalisation="minmax",
        aggregation="arithmetic",
        max_missing=0.3,
    )


def pandas_index(values: pd.DataFrame, spec: IndexSpec) -> pd.Series:
    """The same index from methodology.md with pandas, sharing no code with the engine."""
    leaves = {leaf.indicator: leaf for leaf in spec.leaves()}
    floor = 1.0 if spec.uses_geometric() else 0.0
    df = values[values["indicator"].isin(list(leaves))].copy()
    grouped = df.groupby(["period", "indicator"])["value"]
    low, high = grouped.transform("min"), grouped.transform("max")
    share = (df["value"] - low) / (high - low)
    lower = df["indicator"].map({c: leaf.direction == "lower" for c, leaf in leaves.items()})
    share = share.where(~lower, 1 - share)
    df["score"] = floor + (100 - floor) * share
    wide = df.pivot_table(index=["period", "unit"], columns="indicator", values="score")
    present = wide.notna().sum(axis=1)
    wide = wide[(len(leaves) - present) / len(leaves) <= spec.max_missing + 1e-12]

    def mean(parts: list[tuple[pd.Series, float]], aggregation: str) -> pd.Series:
        scores = pd.concat([p for p, _ in parts], axis=1)
        weights = np.array([w for _, w in parts])
        mask = scores.notna().to_numpy()
        w = np.where(mask, weights, 0.0)
        w = w / w.sum(axis=1, keepdims=True)
        x = scores.fillna(1.0).to_numpy()
        if aggregation == "geometric":
            out = np.exp((w * np.log(x)).sum(axis=1))
        else:
            out = (w * x).sum(axis=1)
        return pd.Series(np.where(mask.any(axis=1), out, np.nan), index=scores.index)

    def node(nodes, aggregation):
        parts = []
        for n in nodes:
            if isinstance(n, Component):
                parts.append((wide[n.indicator], n.weight))
            else:
                parts.append((node(n.components, n.aggregation or spec.aggregation), n.weight))
        return mean(parts, aggregation)

    return node(spec.components, spec.aggregation).dropna()


def timed(function, repeat: int):
    """Median wall-clock seconds, median CPU seconds (all threads; what the work costs
    when the machine is shared) and the last result."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = function()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(times), statistics.median(cpu), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=6300)
    parser.add_argument("--indicators", type=int, default=20)
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("generating values ...", file=sys.stderr)
    values = make_values(args.units, args.indicators, args.periods)
    spec = make_spec(args.indicators)
    print(f"{values.height:,} values; engine ...", file=sys.stderr)
    engine_seconds, engine_cpu, outcome = timed(lambda: compute_index(values, spec), args.repeat)
    print("pandas ...", file=sys.stderr)
    frame = values.to_pandas()
    pandas_seconds, pandas_cpu, reference = timed(lambda: pandas_index(frame, spec), args.repeat)
    got = outcome.scores.to_pandas().set_index(["period", "unit"])["score"].sort_index()
    reference = reference.sort_index()
    same_units = got.index.equals(reference.index)
    largest = (
        float(np.max(np.abs(got.to_numpy() - reference.to_numpy()))) if same_units else float("nan")
    )
    period = str(2015 + args.periods - 1)
    print("sensitivity of one period ...", file=sys.stderr)
    sensitivity_seconds, sensitivity_cpu, result = timed(
        lambda: sensitivity(values, spec, period=period), 1
    )
    print(
        f"\ncomposite index: {args.units:,} units x {args.indicators} indicators x {args.periods} periods"
    )
    print(f"{'what':44} {'seconds':>8} {'CPU s':>8}")
    print(f"{'miara engine (compute_index)':44} {engine_seconds:8.3f} {engine_cpu:8.3f}")
    print(f"{'pandas reference':44} {pandas_seconds:8.3f} {pandas_cpu:8.3f}")
    print(
        f"{'sensitivity, one period, ' + str(result.alternatives.height) + ' alternatives':44} {sensitivity_seconds:8.3f} {sensitivity_cpu:8.3f}"
    )
    print(f"scored units-periods: {len(got):,}; excluded: {outcome.excluded.height:,}")
    print(f"same scored units as pandas: {same_units}; largest difference: {largest:.2e}")
    ok = same_units and largest < 1e-9 and engine_seconds < TARGET_SECONDS
    print(f"target < {TARGET_SECONDS:g} s and agreement: {'met' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
