#!/usr/bin/env python
"""Time of the differencing audit (engine.disclosure.audit) for one indicator at national size.

    python benchmarks/disclosure.py                      # 6,300 units, 5 types, 15 listed groups
    python benchmarks/disclosure.py --units 2000 --listed 30 --repeat 5

Builds `all`, one group per unit type (a partition), `--listed` listed groups of 5..400
random units, and for a third of them a near copy missing 1..3 units (the differencing
holes the audit must close), then reports the median time of `--repeat` audits and what
was withheld. The audit runs once per indicator structure when a period is published,
never per request (indicators with the same members are audited once); target: under
3 s per structure. Deterministic (fixed seed).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from miara.engine import disclosure


def programme(units: int, listed: int, seed: int = 7) -> dict[str, set[str]]:
    rng = random.Random(seed)
    codes = [f"U{i:05d}" for i in range(units)]
    groups: dict[str, set[str]] = {"all": set(codes)}
    for kind in "ABCDE":
        groups[f"TYPE_{kind}"] = {c for c in codes if rng.choice("ABCDE") == kind}
    for j in range(listed):
        groups[f"LIST_{j}"] = set(rng.sample(codes, rng.randint(5, 400)))
        if j % 3 == 0:
            base = sorted(groups[f"LIST_{j}"])
            groups[f"NEAR_{j}"] = set(base[: -rng.randint(1, 3)])
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--units", type=int, default=6300)
    parser.add_argument("--listed", type=int, default=15)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    groups = programme(args.units, args.listed)
    times, withheld = [], {}
    for _ in range(args.repeat):
        started = time.perf_counter()
        withheld = disclosure.audit(groups, args.k)
        times.append(time.perf_counter() - started)
    reasons = {r: sum(v == r for v in withheld.values()) for r in set(withheld.values())}
    print(f"groups\t{len(groups)}")
    print(f"withheld\t{reasons}")
    print(f"audit (median of {args.repeat})\t{statistics.median(times):.3f} s")


if __name__ == "__main__":
    main()
