#!/usr/bin/env python
"""National-scale benchmark of miara: the engine against DuckDB SQL and pandas, then the
real command line end to end on SQLite and PostgreSQL.

    python benchmarks/national.py                      # 6,300 units, 200 indicators, 250 variables, 10 periods
    python benchmarks/national.py --units 630 --indicators 40 --variables 50   # make bench-small
    python benchmarks/national.py --skip-e2e           # only engine vs DuckDB vs pandas
    python benchmarks/national.py --only e2e --skip-postgres

Every measured method runs in its own subprocess (this script re-invoked with
`--method NAME`) that reads the same Parquet inputs under `benchmarks/out/`, so that each
one's peak memory (max RSS, from `wait4`) is its own. The statistics are those of
docs/methodology.md ("Statistics of a group"); all three methods must give the same
figures, which is checked on every row of a few indicators (to 1e-9) and on exact
checksums (row counts, sums of ranks and quartiles) of all rows.

Progress goes to stderr; the summary table to stdout. Data are deterministic (numpy
`default_rng` with a fixed seed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
SEED = 20_251_122
GENERATOR_VERSION = 4  # bump when the generated data change
TOLERANCE = 1e-9
STARTED = time.perf_counter()

# name, share of units, median population
UNIT_TYPES = [
    ("city_county", 0.02, 150_000),
    ("gmina_urban", 0.10, 25_000),
    ("gmina_mixed", 0.24, 12_000),
    ("gmina_rural", 0.42, 6_000),
    ("county", 0.12, 60_000),
    ("obec", 0.10, 2_500),
]
# population classes [low, high): POP_1 .. POP_5
POPULATION_BOUNDS = [5_000, 10_000, 20_000, 50_000]
GROUP_KEY = ["indicator", "period", "group"]
GROUP_FIGURES = ["n", "mean", "median", "q1", "q3", "min", "max", "best", "std"]
UNIT_FIGURES = [
    "value",
    "rank",
    "percentile",
    "quartile",
    "zscore",
    "gap_to_median",
    "gap_to_best",
    "change",
]
METHODS = ["engine", "duckdb", "pandas"]
EXTRA_METHODS = ["evaluate", "engine-periods"]


def log(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    """This process's own peak RSS in MiB: VmHWM of /proc/self/status.

    Not `ru_maxrss`: Python starts children with vfork, and Linux records the parent's
    high-water mark into the child's `ru_maxrss` at exec, so a child of a big parent
    would report the parent's peak. VmHWM belongs to the child's own address space."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Runs `miara` exactly as the console script does (`sys.exit(miara.cli.main())`), and
# writes its own peak RSS to $BENCH_PEAK_FILE on the way out.
MIARA_WRAPPER = """
import atexit, os, sys
def _peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            open(os.environ["BENCH_PEAK_FILE"], "w").write(line.split()[1])
atexit.register(_peak)
from miara.cli import main
sys.argv[0] = "miara"
sys.exit(main())
"""


# --------------------------------------------------------------------------- data


def dataset_dir(args) -> Path:
    return OUT / f"u{args.units}_i{args.indicators}_v{args.variables}_p{args.periods}"


def period_codes(n: int) -> list[str]:
    return [str(2024 - n + 1 + i) for i in range(n)]


def make_formulas(rng: np.random.Generator, n_indicators: int, variables: list[str]):
    """Indicator definitions: mostly ratios and products, a few with prev() or coalesce()."""
    pool = [v for v in variables if v != "POPULATION"]
    directions = ["higher", "lower", "higher", "lower", "higher", "lower", "higher", "lower"]
    directions += ["higher", "neutral"]
    specs = []
    for k in range(n_indicators):
        a, b, c = (pool[i] for i in rng.choice(len(pool), size=3, replace=False))
        kind = k % 20
        if kind < 11:
            spec = ("ratio", (a, b), f"{a} / {b}")
        elif kind < 14:
            spec = ("per_capita", (a,), f"{a} / POPULATION * 1000")
        elif kind < 16:
            spec = ("product", (a, b), f"{a} * {b} / 1000")
        elif kind < 18:
            spec = ("sum_ratio", (a, b, c), f"({a} + {b}) / {c}")
        elif kind < 19:
            spec = ("growth", (a,), f"({a} - prev({a})) / prev({a})")
        else:
            spec = ("coalesce", (a, b, c), f"coalesce({a}, {b}) / {c}")
        code = f"IND{k + 1:03d}"
        specs.append(
            {
                "code": code,
                "kind": spec[0],
                "inputs": list(spec[1]),
                "formula": spec[2],
                "direction": directions[k % len(directions)],
            }
        )
    return specs


def directions_used(specs: list[dict]) -> list[str]:
    return sorted({s["direction"] for s in specs})


def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den == 0, np.nan, num / den)


def reference_indicator(spec: dict, cube: np.ndarray, index: dict[str, int]) -> np.ndarray:
    """The indicator over (period, unit), NaN = missing; same IEEE operations in the same
    order as the formula, so the engine must match to the bit."""
    x = [cube[:, :, index[v]] for v in spec["inputs"]]
    with np.errstate(all="ignore"):
        if spec["kind"] == "ratio":
            out = _divide(x[0], x[1])
        elif spec["kind"] == "per_capita":
            out = _divide(x[0], cube[:, :, index["POPULATION"]]) * 1000
        elif spec["kind"] == "product":
            out = x[0] * x[1] / 1000
        elif spec["kind"] == "sum_ratio":
            out = _divide(x[0] + x[1], x[2])
        elif spec["kind"] == "growth":
            prev = np.concatenate([np.full((1, x[0].shape[1]), np.nan), x[0][:-1]])
            out = _divide(x[0] - prev, prev)
        else:  # coalesce
            out = _divide(np.where(np.isnan(x[0]), x[1], x[0]), x[2])
    return np.where(np.isfinite(out), out, np.nan)


def generate(args) -> dict:
    """Write the inputs as Parquet under out/<scale>/ (reused when already there)."""
    folder = dataset_dir(args)
    meta_path = folder / "dataset.json"
    key = {
        "units": args.units,
        "indicators": args.indicators,
        "variables": args.variables,
        "periods": args.periods,
        "seed": SEED,
        "version": GENERATOR_VERSION,
    }
    if meta_path.exists() and not args.regenerate:
        meta = json.loads(meta_path.read_text())
        if meta.get("key") == key:
            log(f"reusing the data set in {folder.relative_to(REPO)}")
            return meta
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    n_u, n_v, n_p = args.units, args.variables, args.periods
    periods = period_codes(n_p)
    units = [f"U{i + 1:05d}" for i in range(n_u)]
    variables = [f"VAR{i + 1:03d}" for i in range(n_v - 1)] + ["POPULATION"]
    log(f"generating {n_u} units x {n_v} variables x {n_p} periods = {n_u * n_v * n_p:,} values")

    shares = np.array([t[1] for t in UNIT_TYPES])
    unit_type = rng.choice(len(UNIT_TYPES), size=n_u, p=shares / shares.sum())
    medians = np.array([t[2] for t in UNIT_TYPES], dtype=float)[unit_type]
    base = medians * np.exp(rng.normal(0.0, 0.6, n_u))
    growth = rng.normal(0.0, 0.015, n_u)
    steps = np.arange(n_p)[:, None]
    population = np.round(
        base[None, :] * (1 + growth[None, :]) ** steps * np.exp(rng.normal(0, 0.01, (n_p, n_u)))
    )
    population = np.maximum(population, 100.0)

    # Other variables: a per-1000-inhabitants rate per variable, noise per unit and period.
    rate = np.exp(rng.normal(3.0, 1.5, n_v - 1))
    cube = np.empty((n_p, n_u, n_v), dtype=np.float64)
    for p in range(n_p):
        noise = np.exp(rng.normal(0.0, 0.35, (n_u, n_v - 1)))
        block = rate[None, :] * population[p][:, None] / 1000 * noise
        block = np.maximum(np.round(block, 2), 0.01)
        draw = rng.random((n_u, n_v - 1))
        block[draw < 0.001] = 0.0  # a few zeros: divisions by zero in the formulas
        block[draw > 0.97] = np.nan  # 3 % not available (empty in the file)
        cube[p, :, : n_v - 1] = block
        cube[p, :, n_v - 1] = population[p]

    values = pl.DataFrame(
        {
            "unit": pl.Series(units).gather(np.tile(np.repeat(np.arange(n_u), n_v), n_p)),
            "variable": pl.Series(variables).gather(np.tile(np.arange(n_v), n_u * n_p)),
            "period": pl.Series(periods).gather(np.repeat(np.arange(n_p), n_u * n_v)),
            "value": pl.Series(cube.reshape(-1), nan_to_null=True),
        }
    )
    values.write_parquet(folder / "values.parquet")
    n_values, n_missing = values.height, values.get_column("value").null_count()
    del values

    specs = make_formulas(rng, args.indicators, variables)
    index = {v: i for i, v in enumerate(variables)}
    parts = []
    for spec in specs:
        result = reference_indicator(spec, cube, index)
        p_idx, u_idx = np.nonzero(~np.isnan(result))
        parts.append(
            pl.DataFrame(
                {
                    "indicator": pl.repeat(spec["code"], len(p_idx), eager=True),
                    "unit": pl.Series(units).gather(u_idx),
                    "period": pl.Series(periods).gather(p_idx),
                    "value": result[p_idx, u_idx],
                }
            )
        )
    indicator_values = pl.concat(parts)
    indicator_values.write_parquet(folder / "indicator_values.parquet")
    n_indicator_values = indicator_values.height
    del indicator_values, parts

    type_names = [t[0] for t in UNIT_TYPES]
    type_groups = [f"TYPE_{name.upper()}" for name in type_names]
    pop_class = np.searchsorted(POPULATION_BOUNDS, population, side="right")  # (period, unit)
    memberships = pl.concat(
        [
            pl.DataFrame(
                {
                    "group": pl.Series(type_groups).gather(np.tile(unit_type, n_p)),
                    "period": pl.Series(periods).gather(np.repeat(np.arange(n_p), n_u)),
                    "unit": pl.Series(units).gather(np.tile(np.arange(n_u), n_p)),
                }
            ),
            pl.DataFrame(
                {
                    "group": pl.Series([f"POP_{i + 1}" for i in range(5)]).gather(
                        pop_class.reshape(-1)
                    ),
                    "period": pl.Series(periods).gather(np.repeat(np.arange(n_p), n_u)),
                    "unit": pl.Series(units).gather(np.tile(np.arange(n_u), n_p)),
                }
            ),
        ]
    )
    memberships.write_parquet(folder / "memberships.parquet")
    pl.DataFrame(
        {"code": units, "name": units, "type": [type_names[t] for t in unit_type]}
    ).with_columns(pl.col("name").str.replace("U", "Unit ")).write_parquet(folder / "units.parquet")

    directions = {s["code"]: s["direction"] for s in specs}
    # sample indicators for the cross-check: a prev() one, a lower and a neutral one
    by_direction = {
        d: [s["code"] for s in specs if s["direction"] == d] for d in directions_used(specs)
    }
    growth_codes = [s["code"] for s in specs if s["kind"] == "growth"]
    samples = growth_codes[:1] or by_direction.get("higher", [])[-1:]
    for direction in ("lower", "neutral"):
        picked = by_direction.get(direction, [])
        if picked:
            samples.append(picked[len(picked) // 2])
    samples = sorted(set(samples))
    meta = {
        "key": key,
        "periods": periods,
        "variables": variables,
        "unit_types": type_names,
        "type_groups": type_groups,
        "population_bounds": POPULATION_BOUNDS,
        "indicators": specs,
        "directions": directions,
        "samples": samples,
        "values": n_values,
        "values_missing": n_missing,
        "indicator_values": n_indicator_values,
        "memberships": memberships.height,
        "seconds": time.perf_counter() - started,
    }
    meta_path.write_text(json.dumps(meta, indent=1))
    log(
        f"data set ready in {meta['seconds']:.1f} s: {n_values:,} values ({n_missing:,} empty), "
        f"{n_indicator_values:,} indicator values, {memberships.height:,} memberships"
    )
    return meta


# --------------------------------------------------------------------------- methods
# Each returns per-batch (groups, units) frames through `consume`; the timing covers the
# computation and the materialisation of every output row (not writing it anywhere).


class Collector:
    """Checksums of every output row, and all rows of the sample indicators."""

    def __init__(self, samples: list[str]):
        self.samples = samples
        self.group_rows = 0
        self.unit_rows = 0
        self.rank_sum = 0
        self.quartile_sum = 0
        self.n_sum = 0
        self.sample_groups: list[pl.DataFrame] = []
        self.sample_units: list[pl.DataFrame] = []

    def consume(self, groups: pl.DataFrame, units: pl.DataFrame) -> None:
        self.group_rows += groups.height
        self.unit_rows += units.height
        self.n_sum += int(groups.get_column("n").sum() or 0)
        self.rank_sum += int(units.get_column("rank").sum() or 0)
        self.quartile_sum += int(units.get_column("quartile").sum() or 0)
        wanted = pl.col("indicator").cast(pl.String).is_in(self.samples)
        self.sample_groups.append(groups.filter(wanted))
        self.sample_units.append(units.filter(wanted))

    def save(self, folder: Path, method: str) -> dict:
        if not self.sample_units:  # formula evaluation: no statistics
            return {}

        def normal(frames: list[pl.DataFrame], columns: list[str]) -> pl.DataFrame:
            frame = pl.concat([f.select(columns) for f in frames], how="vertical_relaxed")
            return frame.with_columns(
                pl.col(c).cast(pl.String)
                for c in ["indicator", "period", "group", "unit"]
                if c in columns
            ).with_columns(
                pl.col(c).cast(pl.Float64)
                for c in columns
                if c not in ("indicator", "period", "group", "unit")
            )

        normal(self.sample_groups, [*GROUP_KEY, *GROUP_FIGURES]).write_parquet(
            folder / f"sample_{method}_groups.parquet"
        )
        normal(self.sample_units, [*GROUP_KEY, "unit", *UNIT_FIGURES]).write_parquet(
            folder / f"sample_{method}_units.parquet"
        )
        return {
            "group_rows": self.group_rows,
            "unit_rows": self.unit_rows,
            "n_sum": self.n_sum,
            "rank_sum": self.rank_sum,
            "quartile_sum": self.quartile_sum,
        }


def batches(codes: list[str], size: int) -> list[list[str]]:
    return [codes[i : i + size] for i in range(0, len(codes), size)]


def run_engine(folder: Path, meta: dict, batch_size: int, out: Collector) -> dict:
    from miara.engine import stats

    started = time.perf_counter()
    values = pl.read_parquet(folder / "indicator_values.parquet")
    members = pl.read_parquet(folder / "memberships.parquet")
    loaded = time.perf_counter()
    for result in stats.iter_statistics(values, members, meta["directions"], batch_size=batch_size):
        out.consume(result.groups, result.units)
        log(f"  engine: {out.unit_rows:,} unit rows")
    return {"load": loaded - started, "compute": time.perf_counter() - loaded}


def run_engine_periods(folder: Path, meta: dict, batch_size: int, out: Collector) -> dict:
    """As the compute service calls it: one `compute_statistics` per period."""
    from miara.engine import stats

    started = time.perf_counter()
    values = pl.read_parquet(folder / "indicator_values.parquet")
    members = pl.read_parquet(folder / "memberships.parquet")
    loaded = time.perf_counter()
    periods = meta["periods"]
    for i, period in enumerate(periods):
        current = values.filter(pl.col("period") == period)
        previous = values.filter(pl.col("period") == (periods[i - 1] if i else "none"))
        result = stats.compute_statistics(
            current,
            members.filter(pl.col("period") == period),
            meta["directions"],
            previous=previous,
        )
        out.consume(result.groups, result.units)
        log(f"  engine per period: {period}, {out.unit_rows:,} unit rows")
    return {"load": loaded - started, "compute": time.perf_counter() - loaded}


def run_evaluate(folder: Path, meta: dict, batch_size: int, out: Collector) -> dict:
    """The engine's formula evaluation, checked against the generator's own arithmetic."""
    from miara.engine import formula

    started = time.perf_counter()
    values = pl.read_parquet(folder / "values.parquet")
    loaded = time.perf_counter()
    formulas = {s["code"]: s["formula"] for s in meta["indicators"]}
    evaluation = formula.evaluate(values, formulas)
    evaluated = time.perf_counter()
    peak_evaluate = peak_rss_mb()  # before the check below, which needs memory of its own
    got = evaluation.values
    log(f"  evaluate: {got.height:,} indicator values, {evaluation.issues.height:,} issues")
    del values
    expected = pl.read_parquet(folder / "indicator_values.parquet")
    joined = expected.join(
        got.select(pl.col(c).cast(pl.String) for c in ("indicator", "unit", "period")).with_columns(
            got.get_column("value").alias("got")
        ),
        on=["indicator", "unit", "period"],
        how="full",
        coalesce=True,
    )
    bad = joined.filter(~_close(pl.col("value"), pl.col("got")))
    out.group_rows, out.unit_rows = got.height, evaluation.issues.height
    return {
        "load": loaded - started,
        "compute": evaluated - loaded,
        "peak_compute_mb": peak_evaluate,
        "evaluate_rows": got.height,
        "evaluate_expected_rows": expected.height,
        "evaluate_issues": evaluation.issues.height,
        "evaluate_mismatches": bad.height,
        "evaluate_mismatch_examples": [list(map(str, r)) for r in bad.head(5).rows()],
    }


DUCKDB_SQL = """
CREATE OR REPLACE TEMP TABLE rows AS
WITH v AS (
    SELECT indicator, unit, period, value FROM iv
    WHERE indicator IN (SELECT code FROM batch) AND isfinite(value)
), vc AS (
    SELECT v.indicator, v.unit, v.period, v.value, v.value - p.value AS change
    FROM v
    LEFT JOIN period_map pm ON pm.period = v.period
    LEFT JOIN v AS p ON p.indicator = v.indicator AND p.unit = v.unit AND p.period = pm.prev
)
SELECT indicator, period, 'all' AS "group", unit, value, change FROM vc
UNION ALL
SELECT vc.indicator, vc.period, m."group", vc.unit, vc.value, vc.change
FROM vc JOIN members m ON m.period = vc.period AND m.unit = vc.unit;

CREATE OR REPLACE TEMP TABLE g AS
SELECT indicator, period, "group", n, mean, qs[2] AS median, qs[1] AS q1, qs[3] AS q3,
       "min", "max",
       CASE WHEN sign < 0 THEN "max" WHEN sign > 0 THEN "min" END AS best,
       CASE WHEN n < 2 THEN NULL WHEN "min" = "max" THEN 0.0 ELSE sd END AS std,
       sign
FROM (
    SELECT r.indicator, r.period, r."group", count(*) AS n, avg(r.value) AS mean,
           quantile_cont(r.value, [0.25, 0.5, 0.75]) AS qs,
           min(r.value) AS "min", max(r.value) AS "max", stddev_samp(r.value) AS sd,
           any_value(d.sign) AS sign
    FROM rows r JOIN directions d ON d.indicator = r.indicator
    GROUP BY r.indicator, r.period, r."group"
);
"""

DUCKDB_UNITS = """
SELECT indicator, period, "group", unit, value, rank, percentile,
       CASE WHEN percentile >= 75 THEN 1 WHEN percentile >= 50 THEN 2
            WHEN percentile >= 25 THEN 3 WHEN percentile IS NOT NULL THEN 4 END AS quartile,
       zscore, gap_to_median, gap_to_best, change
FROM (
    SELECT *, CASE WHEN n >= 2 THEN 100.0 * (n - rank) / (n - 1) END AS percentile
    FROM (
        SELECT r.indicator, r.period, r."group", r.unit, r.value, r.change, g.n,
               CASE WHEN g.sign IS NOT NULL THEN
                   rank() OVER (PARTITION BY r.indicator, r.period, r."group"
                                ORDER BY r.value * g.sign + 0.0) END AS rank,
               CASE WHEN g.std > 0 THEN (r.value - g.mean) / g.std END AS zscore,
               r.value - g.median AS gap_to_median,
               r.value - g.best AS gap_to_best
        FROM rows r JOIN g USING (indicator, period, "group")
    )
)
"""


def run_duckdb(folder: Path, meta: dict, batch_size: int, out: Collector) -> dict:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET threads = {os.cpu_count() or 1}")
    con.execute(f"SET temp_directory = '{folder / 'duckdb.tmp'}'")
    con.execute(
        f"CREATE TABLE iv AS SELECT * FROM read_parquet('{folder / 'indicator_values.parquet'}')"
    )
    con.execute(
        f"CREATE TABLE members AS SELECT * FROM read_parquet('{folder / 'memberships.parquet'}')"
    )
    sign = {"higher": -1.0, "lower": 1.0, "neutral": None}
    directions = pl.DataFrame(
        {
            "indicator": list(meta["directions"]),
            "sign": [sign[d] for d in meta["directions"].values()],
        },
        schema={"indicator": pl.String, "sign": pl.Float64},
    )
    periods = meta["periods"]
    period_map = pl.DataFrame(
        {"period": periods, "prev": [str(int(p) - 1) for p in periods]}
    )  # yearly periods
    con.register("directions_src", directions.to_arrow())
    con.register("period_map_src", period_map.to_arrow())
    con.execute("CREATE TABLE directions AS SELECT * FROM directions_src")
    con.execute("CREATE TABLE period_map AS SELECT * FROM period_map_src")
    loaded = time.perf_counter()
    for codes in batches(sorted(meta["directions"]), batch_size):
        con.register("batch_src", pl.DataFrame({"code": codes}).to_arrow())
        con.execute("CREATE OR REPLACE TEMP TABLE batch AS SELECT * FROM batch_src")
        con.execute(DUCKDB_SQL)
        groups = pl.from_arrow(
            con.execute(
                'SELECT indicator, period, "group", n, mean, median, q1, q3, "min", "max", best, std FROM g'
            ).to_arrow_table()
        )
        units = pl.from_arrow(con.execute(DUCKDB_UNITS).to_arrow_table())
        out.consume(groups, units)
        log(f"  duckdb: {out.unit_rows:,} unit rows")
    return {"load": loaded - started, "compute": time.perf_counter() - loaded}


def run_pandas(folder: Path, meta: dict, batch_size: int, out: Collector) -> dict:
    import pandas as pd

    started = time.perf_counter()
    periods = meta["periods"]
    all_periods = [str(int(periods[0]) - 1), *periods]
    period_type = pd.CategoricalDtype(all_periods)
    iv = pd.read_parquet(folder / "indicator_values.parquet")
    members = pd.read_parquet(folder / "memberships.parquet")
    units_type = pd.CategoricalDtype(sorted(set(members["unit"]) | set(iv["unit"].unique())))
    group_type = pd.CategoricalDtype(["all", *sorted(members["group"].unique())])
    iv = iv.astype({"indicator": "category", "unit": units_type, "period": period_type})
    members = members.astype({"group": group_type, "unit": units_type, "period": period_type})
    sign_of = {"higher": -1.0, "lower": 1.0, "neutral": np.nan}
    signs = pd.Series({code: sign_of[d] for code, d in meta["directions"].items()})
    prev_of = dict(zip(periods, all_periods[:-1], strict=True))
    loaded = time.perf_counter()
    keys = ["indicator", "period", "group"]
    for codes in batches(sorted(meta["directions"]), batch_size):
        v = iv[iv["indicator"].isin(codes) & np.isfinite(iv["value"])]
        v = v.assign(indicator=v["indicator"].cat.remove_unused_categories())
        # change: join on the previous period
        lookup = v.rename(columns={"period": "prev", "value": "prev_value"})
        v = v.assign(prev=v["period"].map(prev_of).astype(period_type))
        v = v.merge(lookup, on=["indicator", "unit", "prev"], how="left")
        v["change"] = v["value"] - v["prev_value"]
        v = v.drop(columns=["prev", "prev_value"])
        rows = pd.concat(
            [
                v.assign(group=pd.Categorical(["all"] * len(v), dtype=group_type)),
                v.merge(members, on=["period", "unit"]),
            ],
            ignore_index=True,
        )
        rows["sign"] = rows["indicator"].map(signs).astype(float)
        grouped = rows.groupby(keys, observed=True, sort=True)
        value = grouped["value"]
        stats = pd.DataFrame(
            {
                "n": value.size(),
                "mean": value.mean(),
                "median": value.quantile(0.5),
                "q1": value.quantile(0.25),
                "q3": value.quantile(0.75),
                "min": value.min(),
                "max": value.max(),
                "std": value.std(ddof=1),
                "sign": grouped["sign"].first(),
            }
        )
        stats["std"] = stats["std"].where(stats["min"] != stats["max"], 0.0)
        stats["std"] = stats["std"].where(stats["n"] >= 2)
        stats["best"] = np.where(
            stats["sign"] < 0, stats["max"], np.where(stats["sign"] > 0, stats["min"], np.nan)
        )
        # per-unit figures: the group's figures gathered by group number
        gid = grouped.ngroup().to_numpy()
        rows["signed"] = rows["value"] * rows["sign"] + 0.0
        rank = rows.groupby(keys, observed=True, sort=False)["signed"].rank(method="min")
        n = stats["n"].to_numpy()[gid].astype(float)
        std = stats["std"].to_numpy()[gid]
        value_arr = rows["value"].to_numpy()
        percentile = np.where(n >= 2, 100 * (n - rank.to_numpy()) / (n - 1), np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            zscore = np.where(std > 0, (value_arr - stats["mean"].to_numpy()[gid]) / std, np.nan)
        quartile = np.select(
            [percentile >= 75, percentile >= 50, percentile >= 25, ~np.isnan(percentile)],
            [1, 2, 3, 4],
            0,
        )
        units = pd.DataFrame(
            {
                "indicator": rows["indicator"],
                "period": rows["period"],
                "group": rows["group"],
                "unit": rows["unit"],
                "value": value_arr,
                "rank": rank,
                "percentile": percentile,
                "quartile": pd.arrays.IntegerArray(quartile.astype("int64"), quartile == 0),
                "zscore": zscore,
                "gap_to_median": value_arr - stats["median"].to_numpy()[gid],
                "gap_to_best": value_arr - stats["best"].to_numpy()[gid],
                "change": rows["change"],
            }
        )
        groups = stats.drop(columns=["sign"]).reset_index()
        out.consume(
            pl.from_pandas(groups[[*keys, *GROUP_FIGURES]]),
            pl.from_pandas(units),
        )
        log(f"  pandas: {out.unit_rows:,} unit rows")
    return {"load": loaded - started, "compute": time.perf_counter() - loaded}


RUNNERS = {
    "engine": run_engine,
    "engine-periods": run_engine_periods,
    "evaluate": run_evaluate,
    "duckdb": run_duckdb,
    "pandas": run_pandas,
}


def child(args) -> int:
    """`--method NAME`: run one method, write out/<scale>/result_<name>.json."""
    folder = dataset_dir(args)
    meta = json.loads((folder / "dataset.json").read_text())
    out = Collector(meta["samples"])
    started = time.perf_counter()
    try:
        timings = RUNNERS[args.method](folder, meta, args.batch, out)
        result = {"ok": True, **timings, **out.save(folder, args.method)}
    except ImportError as error:
        result = {"ok": False, "error": f"not available: {error}"}
    result["wall_in_child"] = time.perf_counter() - started
    result["peak_rss_self_mb"] = peak_rss_mb()
    (folder / f"result_{args.method}.json").write_text(json.dumps(result, indent=1))
    return 0 if result["ok"] else 3


# --------------------------------------------------------------------------- subprocesses


def run_measured(
    command: list[str], *, cwd: Path, env: dict | None = None, log_to: Path, timeout: float
) -> dict:
    """Run a subprocess, wait for it with wait4: wall seconds, its own peak RSS, exit code."""
    started = time.perf_counter()
    with open(log_to, "wb") as output:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.1)
    process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "seconds": time.perf_counter() - started,
        "peak_mb": usage.ru_maxrss / 1024,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "load_average": os.getloadavg()[0],
        "rc": process.returncode,
        "timed_out": time.perf_counter() - started > timeout,
        "log": str(log_to),
    }


def tail(path: str | Path, lines: int = 8) -> str:
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return ""
    # progress bars write \r; keep the last state of each line
    cleaned = [line.split("\r")[-1].strip() for line in text.splitlines()]
    return " | ".join([line for line in cleaned if line][-lines:])


def run_methods(args, meta: dict) -> dict:
    folder = dataset_dir(args)
    results = {}
    methods = list(METHODS) + (["evaluate"] if not args.skip_evaluate else [])
    methods += ["engine-periods"] if args.engine_periods else []
    if args.only and args.only != "methods":
        methods = [m for m in methods if m == args.only]
    for method in methods:
        log(f"{method}: running in a subprocess")
        (folder / f"result_{method}.json").unlink(missing_ok=True)
        command = [sys.executable, str(Path(__file__).resolve()), "--method", method]
        command += ["--units", str(args.units), "--indicators", str(args.indicators)]
        command += ["--variables", str(args.variables), "--periods", str(args.periods)]
        command += ["--batch", str(args.batch)]
        env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        measured = run_measured(
            command, cwd=REPO, env=env, log_to=folder / f"log_{method}.txt", timeout=args.timeout
        )
        path = folder / f"result_{method}.json"
        result = json.loads(path.read_text()) if path.exists() else {"ok": False}
        result.update(measured)
        result["peak_mb"] = result.get(
            "peak_compute_mb", result.get("peak_rss_self_mb", measured["peak_mb"])
        )
        if not result.get("ok"):
            result.setdefault("error", f"exit {measured['rc']}: {tail(measured['log'])}")
            log(f"{method}: FAILED {result['error']}")
        else:
            log(
                f"{method}: compute {result['compute']:.1f} s (load {result['load']:.1f} s), "
                f"wall {measured['seconds']:.1f} s, peak {measured['peak_mb']:,.0f} MB"
            )
        results[method] = result
    return results


# --------------------------------------------------------------------------- comparison


def _close(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    both_null = a.is_null() & b.is_null()
    scale = pl.max_horizontal(pl.lit(1.0), a.abs(), b.abs())
    return both_null | ((a - b).abs() <= TOLERANCE * scale).fill_null(False)


def compare(folder: Path, reference: str, other: str) -> dict:
    """All sample rows of `other` against `reference`: same keys, figures within 1e-9."""
    report = {"rows": 0, "mismatches": 0, "columns": [], "examples": []}
    for kind, key, figures in (
        ("groups", GROUP_KEY, GROUP_FIGURES),
        ("units", [*GROUP_KEY, "unit"], UNIT_FIGURES),
    ):
        a = pl.read_parquet(folder / f"sample_{reference}_{kind}.parquet")
        b = pl.read_parquet(folder / f"sample_{other}_{kind}.parquet")
        joined = a.join(b, on=key, how="full", coalesce=True, suffix="_other")
        report["rows"] += joined.height
        ok = pl.lit(True)
        for column in figures:
            good = _close(pl.col(column), pl.col(f"{column}_other"))
            bad = joined.filter(~good).height
            if bad:
                report["columns"].append(f"{kind}.{column}: {bad}")
                report["examples"] += [
                    str(r)
                    for r in joined.filter(~good)
                    .select(*key, column, f"{column}_other")
                    .head(2)
                    .rows()
                ]
            ok = ok & good
        report["mismatches"] += joined.filter(~ok).height
    return report


# --------------------------------------------------------------------------- end to end


def write_e2e_files(args, meta: dict) -> Path:
    """catalogue.yaml, units.csv and values.csv for the command line (reused when there)."""
    import yaml

    folder = dataset_dir(args) / "files"
    done = folder / "done.json"
    if done.exists() and json.loads(done.read_text()) == meta["key"]:
        log(f"reusing the command-line files in {folder.relative_to(REPO)}")
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    catalogue = {
        "service_areas": [{"code": "BENCH", "name": {"en": "Benchmark", "pl": "Benchmark"}}],
        "variables": [
            {
                "code": v,
                "name": {"en": "Population" if v == "POPULATION" else f"Variable {v[3:]}"},
                "unit": "persons" if v == "POPULATION" else "count",
                "area": "BENCH",
                "min": 0,
            }
            for v in meta["variables"]
        ],
        "indicators": [
            {
                "code": s["code"],
                "name": {"en": f"Indicator {s['code'][3:]}"},
                "formula": s["formula"],
                "direction": s["direction"],
                "decimals": 2,
                "area": "BENCH",
            }
            for s in meta["indicators"]
        ],
        "peer_groups": [
            {"code": group, "name": {"en": f"Units of type {kind}"}, "unit_types": [kind]}
            for group, kind in zip(meta["type_groups"], meta["unit_types"], strict=True)
        ],
    }
    bounds = [None, *meta["population_bounds"], None]
    for i in range(len(bounds) - 1):
        group = {"code": f"POP_{i + 1}", "name": {"en": f"Population class {i + 1}"}}
        group["variable"] = "POPULATION"
        if bounds[i] is not None:
            group["min"] = bounds[i]
        if bounds[i + 1] is not None:
            group["max"] = bounds[i + 1]
        if bounds[i] is None:
            group["min"] = 0
        catalogue["peer_groups"].append(group)
    (folder / "catalogue.yaml").write_text(
        yaml.safe_dump(catalogue, sort_keys=False, allow_unicode=True)
    )
    units = pl.read_parquet(dataset_dir(args) / "units.parquet")
    units.with_columns(pl.lit("PL").alias("country")).write_csv(folder / "units.csv")
    values = pl.read_parquet(dataset_dir(args) / "values.parquet")
    values.write_csv(folder / "values.csv")
    done.write_text(json.dumps(meta["key"]))
    size = (folder / "values.csv").stat().st_size
    log(
        f"command-line files written in {time.perf_counter() - started:.1f} s (values.csv {size / 1e6:,.0f} MB)"
    )
    return folder


def miara_command() -> list[str]:
    """`.venv/bin/miara`, as a wrapper that reports its peak memory (see MIARA_WRAPPER);
    PYTHONPATH points at the source tree in case miara is not installed in the venv."""
    return [sys.executable, "-c", MIARA_WRAPPER]


def postgres_admin(url: str, sql: list[str], database: str = "test"):
    import psycopg

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/{database}", autocommit=True) as connection:
        rows = []
        for statement in sql:
            cursor = connection.execute(statement)
            rows.append(cursor.fetchall() if cursor.description else None)
        return rows


def database_size(backend: str, url: str, workdir: Path) -> int | None:
    if backend == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        path = path if path.is_absolute() else workdir / path
        extra = [Path(f"{path}-wal"), Path(f"{path}-shm")]
        return sum(p.stat().st_size for p in [path, *extra] if p.exists())
    name = url.rsplit("/", 1)[1]
    return postgres_admin(url, [f"SELECT pg_database_size('{name}')"])[0][0][0]


def run_e2e(args, meta: dict, backend: str, files: Path) -> dict:
    workdir = dataset_dir(args) / f"e2e_{backend}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'miara.sqlite3'}"
    else:
        url = args.pg_url
        name = url.rsplit("/", 1)[1]
        log(f"postgresql: dropping and creating the database {name}")
        postgres_admin(
            url, [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"]
        )
    env = dict(
        os.environ,
        BENCH_PEAK_FILE=str(workdir / "peak_kib"),
        MIARA_DATABASE_URL=url,
        MIARA_SECRET_KEY="benchmark-not-secret",
        PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    )
    steps = [
        ("migrate", ["migrate"]),
        ("load units", ["load", "units", str(files / "units.csv")]),
        ("load catalogue", ["load", "catalogue", str(files / "catalogue.yaml")]),
        ("load values", ["load", "values", str(files / "values.csv")]),
        ("compute", ["compute"]),
        ("export results", ["export", "results", "-o", str(workdir / "results.csv")]),
    ]
    report = {"backend": backend, "url": url, "steps": [], "ok": True}
    for name, arguments in steps:
        log(f"{backend}: miara {' '.join(arguments)}")
        measured = run_measured(
            [*miara_command(), *arguments],
            cwd=workdir,
            env=env,
            log_to=workdir / f"{name.replace(' ', '_')}.log",
            timeout=args.timeout,
        )
        measured["step"] = name
        measured["output"] = tail(measured["log"], 3)
        peak_file = workdir / "peak_kib"
        if peak_file.exists():
            measured["peak_mb"] = int(peak_file.read_text()) / 1024
            peak_file.unlink()
        try:
            measured["db_bytes"] = database_size(backend, url, workdir)
        except Exception as error:  # the database may not exist after a failed migrate
            measured["db_bytes"] = None
            measured["db_error"] = str(error)
        report["steps"].append(measured)
        (workdir / "report.json").write_text(json.dumps(report, indent=1, default=str))
        status = "ok" if measured["rc"] == 0 else f"FAILED (exit {measured['rc']})"
        log(
            f"{backend}: {name} {status} in {measured['seconds']:.1f} s, "
            f"peak {measured['peak_mb']:,.0f} MB; {measured['output']}"
        )
        if measured["rc"] != 0:
            report["ok"] = False
            break
    results = workdir / "results.csv"
    if results.exists():
        report["result_rows"] = (
            pl.scan_csv(results, infer_schema=False).select(pl.len()).collect().item()
        )
        report["sample_check"] = check_export(args, meta, results)
    report["db_bytes"] = report["steps"][-1].get("db_bytes") if report["steps"] else None
    return report


def check_export(args, meta: dict, path: Path) -> dict | None:
    """The exported rows of the sample indicators against the engine's own sample."""
    folder = dataset_dir(args)
    if not (folder / "sample_engine_units.parquet").exists():
        return None
    figures = [c for c in UNIT_FIGURES + GROUP_FIGURES if c != "value"] + ["value"]
    exported = (
        pl.scan_csv(path, infer_schema=False)
        .filter(pl.col("indicator").is_in(meta["samples"]))
        .collect()
        .with_columns(pl.col(c).cast(pl.Float64) for c in figures)
    )
    exported.select(*GROUP_KEY, *GROUP_FIGURES).unique(GROUP_KEY).write_parquet(
        folder / "sample_export_groups.parquet"
    )
    exported.select(*GROUP_KEY, "unit", *UNIT_FIGURES).write_parquet(
        folder / "sample_export_units.parquet"
    )
    return compare(folder, "engine", "export")


# --------------------------------------------------------------------------- report


def human_mb(mb: float | None) -> str:
    if mb is None:
        return "-"
    return f"{mb / 1024:.2f} GB" if mb >= 1024 else f"{mb:.0f} MB"


def table(rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            str(c).rjust(widths[i]) if i in right else str(c).ljust(widths[i])
            for i, c in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def summary(args, meta: dict, methods: dict, checks: dict, e2e: list[dict]) -> str:
    lines = []
    key = meta["key"]
    lines.append(
        f"miara national benchmark, {dt.date.today().isoformat()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, polars {pl.__version__}"
    )
    lines.append(
        f"data: {key['units']:,} units x {key['variables']} variables x {key['periods']} periods = "
        f"{meta['values']:,} values ({meta['values_missing']:,} empty); {key['indicators']} indicators "
        f"-> {meta['indicator_values']:,} indicator values; groups all + {len(meta['unit_types'])} "
        f"types + 5 population classes ({meta['memberships']:,} memberships)"
    )
    if methods:
        lines.append("")
        lines.append(
            f"statistics and per-unit figures, same inputs, batches of {args.batch} indicators "
            "(seconds; peak = max RSS of the method's own process)"
        )
        engine = methods.get("engine", {})
        base = engine.get("compute") if engine.get("ok") else None
        rows = [
            [
                "method",
                "load s",
                "compute s",
                "process s",
                "CPU s",
                "peak RSS",
                "x engine",
                "group rows",
                "unit rows",
            ]
        ]
        labels = {
            "engine": "miara engine (iter_statistics)",
            "engine-periods": "miara engine (per period)",
            "duckdb": "DuckDB SQL",
            "pandas": "pandas",
            "evaluate": "miara formula.evaluate",
        }
        for name in ["engine", "engine-periods", "duckdb", "pandas", "evaluate"]:
            r = methods.get(name)
            if r is None:
                continue
            if not r.get("ok"):
                rows.append(
                    [
                        labels[name],
                        "-",
                        "-",
                        f"{r.get('seconds', 0):.1f}",
                        "-",
                        human_mb(r.get("peak_mb")),
                        "failed",
                        "-",
                        "-",
                    ]
                )
                continue
            ratio = (
                f"{r['compute'] / base:.2f}"
                if base and name in ("duckdb", "pandas", "engine-periods")
                else ""
            )
            if name == "evaluate":
                group_rows, unit_rows = "-", f"{r['evaluate_rows']:,} values"
            else:
                group_rows, unit_rows = f"{r['group_rows']:,}", f"{r['unit_rows']:,}"
            rows.append(
                [
                    labels[name],
                    f"{r['load']:.1f}",
                    f"{r['compute']:.1f}",
                    f"{r['seconds']:.1f}",
                    f"{r['cpu_seconds']:.1f}",
                    human_mb(r["peak_mb"]),
                    ratio,
                    group_rows,
                    unit_rows,
                ]
            )
        lines.append(table(rows, right={1, 2, 3, 4, 5, 6, 7, 8}))
        loads = [f"{n} {r['load_average']:.1f}" for n, r in methods.items() if "load_average" in r]
        lines.append(
            "(process s = wall time of the whole subprocess; CPU s = its user+system time; "
            f"1-minute load average at the end: {', '.join(loads)})"
        )
        lines.extend(checks.values())
        failed = [f"{n}: {r.get('error')}" for n, r in methods.items() if not r.get("ok")]
        for text in failed:
            lines.append(f"FAILED {text}")
    for report in e2e:
        lines.append("")
        lines.append(f"end to end, miara command line on {report['backend']} ({report['url']})")
        rows = [["step", "seconds", "CPU s", "peak RSS", "database", "output"]]
        for step in report["steps"]:
            output = step["output"].split(" | ")[-1]
            if output.startswith("/") and ": " in output:  # "/path/results.csv: N rows"
                output = Path(output.split(": ")[0]).name + ": " + output.split(": ", 1)[1]
            output = output if len(output) <= 60 else output[:57] + "..."
            if step["rc"] != 0:
                output = f"FAILED exit {step['rc']}" + (" (timed out)" if step["timed_out"] else "")
            rows.append(
                [
                    step["step"],
                    f"{step['seconds']:.1f}",
                    f"{step['cpu_seconds']:.1f}",
                    human_mb(step["peak_mb"]),
                    human_mb(step["db_bytes"] / 2**20) if step.get("db_bytes") else "-",
                    output,
                ]
            )
        total = sum(s["seconds"] for s in report["steps"])
        rows.append(["total", f"{total:.1f}", "", "", "", ""])
        lines.append(table(rows, right={1, 2, 3, 4}))
        if "result_rows" in report:
            lines.append(f"results.csv: {report['result_rows']:,} rows")
        check = report.get("sample_check")
        if check is not None:
            verdict = (
                "agree"
                if check["mismatches"] == 0
                else f"DISAGREE on {check['mismatches']} rows {check['columns']}"
            )
            lines.append(
                f"exported rows of {', '.join(meta['samples'])} and the engine's own {verdict} "
                f"({check['rows']:,} rows compared, tolerance {TOLERANCE:g})"
            )
        if "postgresql" in report["url"]:
            lines.append("(peak RSS is the miara process only, not the PostgreSQL server)")
    return "\n".join(lines)


def check_methods(meta: dict, methods: dict, folder: Path) -> dict:
    checks = {}
    engine = methods.get("engine", {})
    for name in ("duckdb", "pandas", "engine-periods"):
        other = methods.get(name, {})
        if not (engine.get("ok") and other.get("ok")):
            continue
        report = compare(folder, "engine", name)
        same_sums = all(
            engine[k] == other[k]
            for k in ("group_rows", "unit_rows", "n_sum", "rank_sum", "quartile_sum")
        )
        if report["mismatches"] == 0 and same_sums:
            checks[name] = (
                f"check: {name} and the engine agree on all {report['rows']:,} rows of "
                f"{', '.join(meta['samples'])} (within {TOLERANCE:g}) and on the checksums of all "
                f"rows (counts, sums of n, rank, quartile)"
            )
        else:
            checks[name] = (
                f"check: {name} and the engine DISAGREE: {report['mismatches']} of {report['rows']:,} "
                f"sample rows {report['columns']} {report['examples'][:4]}; checksums "
                + ", ".join(
                    f"{k} {engine[k]} vs {other[k]}"
                    for k in ("group_rows", "unit_rows", "n_sum", "rank_sum", "quartile_sum")
                )
            )
    evaluation = methods.get("evaluate", {})
    if evaluation.get("ok"):
        if evaluation["evaluate_mismatches"] == 0:
            checks["evaluate"] = (
                f"check: formula.evaluate gives the same {evaluation['evaluate_rows']:,} indicator "
                f"values as the generator's numpy arithmetic ({evaluation['evaluate_issues']:,} issues reported)"
            )
        else:
            checks["evaluate"] = (
                f"check: formula.evaluate DIFFERS from numpy on {evaluation['evaluate_mismatches']:,} "
                f"values, e.g. {evaluation['evaluate_mismatch_examples']}"
            )
    for text in checks.values():
        log(text)
    return checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=6300)
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--variables", type=int, default=250, help="including POPULATION")
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--batch", type=int, default=20, help="indicators per batch")
    parser.add_argument("--skip-e2e", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-evaluate", action="store_true")
    parser.add_argument(
        "--engine-periods",
        action="store_true",
        help="also time the engine per period, as the compute service calls it",
    )
    parser.add_argument("--only", choices=["methods", "e2e", *METHODS, *EXTRA_METHODS])
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/miara_bench")
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="seconds per subprocess")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--method", choices=list(RUNNERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.method:
        return child(args)

    OUT.mkdir(exist_ok=True)
    meta = generate(args)
    folder = dataset_dir(args)
    methods, checks, e2e = {}, {}, []
    if args.only != "e2e":
        methods = run_methods(args, meta)
        checks = check_methods(meta, methods, folder)
    if not args.skip_e2e and (args.only in (None, "e2e")):
        files = write_e2e_files(args, meta)
        backends = ([] if args.skip_sqlite else ["sqlite"]) + (
            [] if args.skip_postgres else ["postgresql"]
        )
        for backend in backends:
            e2e.append(run_e2e(args, meta, backend, files))
    text = summary(args, meta, methods, checks, e2e)
    (folder / "summary.txt").write_text(text + "\n")
    (folder / "summary.json").write_text(
        json.dumps({"methods": methods, "checks": checks, "e2e": e2e}, indent=1, default=str)
    )
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
