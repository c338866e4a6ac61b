#!/usr/bin/env python
"""Server time of the public site's pages at national scale, cached and not (PostgreSQL).

    python benchmarks/public.py                       # build the database once, then measure
    python benchmarks/public.py --skip-build          # measure again on the same database
    python benchmarks/public.py --units 630 --indicators 40 --variables 50   # small scale

The public pages read only the published group statistics of each period, never the
units' values, so the database is built for what they read: the national data set of
`benchmarks/national.py` (its generator and its catalogue and units files: 6,300 units,
200 indicators, 10 periods, groups `all` + 6 unit types + 5 population classes), loaded
with the real command line (`miara migrate`, `load units`, `load catalogue`), and the group
statistics of every indicator, period and group computed from the generator's indicator
values with Polars and stored as one final result set per period — what
`miara.publication.selectors` reads as published. (A real `miara compute --final` at this
scale takes about 13 minutes and writes 35 M per-unit rows the public pages never read.)

Each page is then requested in this process through Django's test client (the whole
middleware stack, no network), `--repeat` times per address, first with the public
cache off (MIARA_PUBLIC_CACHE_SECONDS=0: every request builds the page), then with it on
(after one request that fills it), and finally as a harvester's revalidation
(If-None-Match with the page's ETag: 304). Reported: the median and p95 server time per
kind of page. Issue 13's bar: a median under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import national  # noqa: E402  (the national data set's generator)

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/miara_bench_public"


def log(message: str) -> None:
    national.log(message)


def build(args, meta: dict, files: Path) -> None:
    """A fresh database with the units, the catalogue and the published group figures."""
    name = args.database_url.rsplit("/", 1)[1]
    log(f"postgresql: dropping and creating the database {name}")
    national.postgres_admin(
        args.database_url,
        [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"],
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    code = "import sys; from miara.cli import main; sys.argv[0] = 'miara'; sys.exit(main())"
    for arguments in (
        ["migrate"],
        ["load", "units", str(files / "units.csv")],
        ["load", "catalogue", str(files / "catalogue.yaml")],
    ):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, *arguments], env=env, cwd=REPO, check=True)
        log(f"miara {' '.join(arguments[:2])}: {time.perf_counter() - started:.1f} s")
    publish_statistics(args, meta)


def group_statistics(args) -> pl.DataFrame:
    """n, mean, median, q1, q3, min, max, std per indicator, period and group."""
    folder = national.dataset_dir(args)
    values = pl.scan_parquet(folder / "indicator_values.parquet")
    members = pl.scan_parquet(folder / "memberships.parquet")
    grouped = pl.concat(
        [
            values.with_columns(pl.lit("all").alias("group")),
            values.join(members, on=["unit", "period"]),
        ],
        how="diagonal",
    )
    return (
        grouped.group_by("indicator", "period", "group")
        .agg(
            pl.len().alias("n"),
            pl.col("value").mean().alias("mean"),
            pl.col("value").median().alias("median"),
            pl.col("value").quantile(0.25, "linear").alias("q1"),
            pl.col("value").quantile(0.75, "linear").alias("q3"),
            pl.col("value").min().alias("min"),
            pl.col("value").max().alias("max"),
            pl.col("value").std().alias("std"),
        )
        .collect()
    )


def publish_statistics(args, meta: dict) -> None:
    from django.db import transaction

    from miara.analytics.models import GroupStatistic, ResultSet
    from miara.catalogue.models import Indicator
    from miara.units.models import Programme

    started = time.perf_counter()
    figures = group_statistics(args)
    ids = dict(Indicator.objects.values_list("code", "id"))
    with transaction.atomic():
        programme = Programme.current()
        programme.name = {"en": "National benchmark", "pl": "Benchmark krajowy"}
        programme.save()
        for period in meta["periods"]:
            result_set = ResultSet.objects.create(
                period=period,
                status=ResultSet.Status.FINAL,
                indicator_count=len(ids),
                basis="loaded",
            )
            rows = figures.filter(pl.col("period") == period).iter_rows(named=True)
            GroupStatistic.objects.bulk_create(
                (
                    GroupStatistic(
                        result_set=result_set,
                        indicator_id=ids[r["indicator"]],
                        group=r["group"],
                        n=r["n"],
                        mean=r["mean"],
                        median=r["median"],
                        q1=r["q1"],
                        q3=r["q3"],
                        min=r["min"],
                        max=r["max"],
                        std=r["std"],
                    )
                    for r in rows
                ),
                batch_size=5000,
            )
    log(
        f"{figures.height:,} group rows published as {len(meta['periods'])} final result sets "
        f"in {time.perf_counter() - started:.1f} s"
    )


def addresses(meta: dict, sample: int, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    codes = rng.sample([s["code"] for s in meta["indicators"]], sample)
    periods = meta["periods"]
    latest = periods[-1]
    return {
        "home": ["/public/"],
        "catalogue": ["/public/indicators/"],
        "indicator": [f"/public/indicators/{c}/" for c in codes],
        "indicator+period": [f"/public/indicators/{c}/{rng.choice(periods)}/" for c in codes],
        "periods": ["/public/periods/"],
        "period": [f"/public/periods/{latest}/", f"/public/periods/{periods[0]}/?group=POP_1"],
        "search": ["/public/search/?q=Indicator+01", f"/public/search/?q={latest}"],
        "period.csv": [f"/public/periods/{latest}.csv"],
        "period.json": [f"/public/periods/{latest}.json"],
        "indicator.csv": [f"/public/indicators/{c}.csv" for c in codes[:5]],
    }


def measure(client, urls: dict[str, list[str]], repeat: int, etags=None) -> dict[str, list]:
    """(wall ms, CPU ms of this process) per request, per kind of page; with `etags`
    (address -> ETag) each request revalidates and must get a 304. The CPU time leaves
    out PostgreSQL's own work but not the waits of a machine shared with other work."""
    times: dict[str, list[tuple[float, float]]] = {}
    for kind, paths in urls.items():
        for path in paths:
            headers = {"HTTP_IF_NONE_MATCH": etags[path]} if etags else {}
            for _ in range(repeat):
                started, cpu = time.perf_counter(), time.process_time()
                response = client.get(path, **headers)
                elapsed = (time.perf_counter() - started) * 1000
                cpu = (time.process_time() - cpu) * 1000
                if response.status_code != (304 if etags else 200):
                    raise SystemExit(f"{path}: {response.status_code}")
                times.setdefault(kind, []).append((elapsed, cpu))
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--units", type=int, default=6300)
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--variables", type=int, default=250)
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=10, help="requests per address")
    parser.add_argument("--sample", type=int, default=10, help="indicators sampled")
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("--database-url must name a PostgreSQL database (it is dropped)")

    national.OUT.mkdir(exist_ok=True)
    meta = national.generate(args)
    files = national.write_e2e_files(args, meta)
    os.environ["MIARA_DATABASE_URL"] = args.database_url
    os.environ.setdefault("MIARA_SECRET_KEY", "benchmark-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miara.settings")
    import django

    django.setup()
    if not args.skip_build:
        build(args, meta, files)
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    urls = addresses(meta, args.sample, args.seed)
    load_before = os.getloadavg()[0]
    client = Client(HTTP_ACCEPT_LANGUAGE="pl")

    settings.PUBLIC_CACHE_SECONDS = 0
    measure(client, urls, 1)  # the process's first requests: imports, templates, connections
    uncached = measure(client, urls, args.repeat)
    settings.PUBLIC_CACHE_SECONDS = 3600
    measure(client, urls, 1)  # fills the cache
    cached = measure(client, urls, args.repeat)
    etags = {path: client.get(path)["ETag"] for paths in urls.values() for path in paths}
    revalidated = measure(client, urls, args.repeat, etags=etags)

    load = os.getloadavg()[0]
    lines = [
        f"public pages, {args.units} units, {args.indicators} indicators, {args.periods} "
        f"periods, PostgreSQL ({args.database_url.rsplit('/', 1)[1]}); {args.repeat} requests "
        f"per address through Django's test client in one process; load average "
        f"{load_before:.1f} before, {load:.1f} after, on {os.cpu_count()} cores",
        "median (p95) in ms: wall = server time, CPU = this process's CPU time",
        f"{'page':<17}{'n':>4}{'uncached wall':>17}{'CPU':>8}{'cached wall':>16}{'CPU':>7}"
        f"{'304 wall':>14}",
    ]

    def cell(values: list[tuple[float, float]], which: int, p: bool = True) -> str:
        picked = [v[which] for v in values]
        median = statistics.median(picked)
        return f"{median:.1f} ({p95(picked):.0f})" if p else f"{median:.1f}"

    for kind in urls:
        u, c, r = uncached[kind], cached[kind], revalidated[kind]
        lines.append(
            f"{kind:<17}{len(u):>4}{cell(u, 0):>17}{cell(u, 1, False):>8}{cell(c, 0):>16}"
            f"{cell(c, 1, False):>7}{cell(r, 0):>14}"
        )
    every_u = [t for v in uncached.values() for t in v]
    every_c = [t for v in cached.values() for t in v]
    every_r = [t for v in revalidated.values() for t in v]
    lines.append(
        f"{'all pages':<17}{len(every_u):>4}{cell(every_u, 0):>17}{cell(every_u, 1, False):>8}"
        f"{cell(every_c, 0):>16}{cell(every_c, 1, False):>7}{cell(every_r, 0):>14}"
    )
    text = "\n".join(lines)
    (national.dataset_dir(args) / "public_summary.txt").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
