#!/usr/bin/env python
"""Efficiency frontier (DEA) and Malmquist index at the size of issue 16's targets.

    python benchmarks/dea.py                    # 2,500 units, 3 inputs, 3 outputs
    python benchmarks/dea.py --units 500 --reference-units 500

Measures the engine alone (frames in memory, one process):

* with `--workers` processes (default 2, the target's two cores; CPU seconds are this
  process's own, so with workers they show the coordination, not the solving):
* `engine.dea.dea` for CCR (constant returns) and BCC (variable returns), input
  orientation, both stages (radial score, then the maximal slacks), and the
  super-efficiency variant of each;
* `engine.malmquist.malmquist` between two periods (six distances per unit);
* beside them, a plain loop of `scipy.optimize.linprog(method="highs")`, one programme
  per unit for the radial stage only (the textbook way), on `--reference-units` units;
  its scores must agree with the engine's to 1e-6.

Targets (issue 16): DEA < 30 s, Malmquist < 60 s, on two cores. The data are
deterministic (numpy `default_rng`, fixed seed): a Cobb-Douglas frontier with a
half-normal inefficiency, so that a realistic share of units is efficient.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import polars as pl
from scipy.optimize import linprog

from miara.engine.dea import DeaModel, dea
from miara.engine.malmquist import malmquist

SEED = 20_261_203
INPUTS = ("STAFF_COST", "OTHER_COST", "OFFICES")
OUTPUTS = ("CASES", "DECISIONS", "VISITS")


def generate(n: int, rng, shift: float = 1.0) -> pl.DataFrame:
    x = rng.uniform(10, 1000, size=(n, 3))
    size = np.prod(x ** np.array([0.3, 0.2, 0.4]), axis=1) * shift
    mix = rng.dirichlet(np.ones(3), size=n)
    inefficiency = np.exp(-np.abs(rng.normal(0, 0.3, size=n)))
    y = (size * inefficiency)[:, None] * (0.5 + mix)
    columns = {"unit": [f"U{i:05d}" for i in range(n)]}
    columns |= {code: x[:, i] for i, code in enumerate(INPUTS)}
    columns |= {code: y[:, r] for r, code in enumerate(OUTPUTS)}
    return pl.DataFrame(columns)


def scipy_loop(frame: pl.DataFrame, n: int, vrs: bool) -> list[float]:
    """Input-oriented radial scores, one linprog per unit, nothing reused."""
    x = frame.select(INPUTS).to_numpy()[:n]
    y = frame.select(OUTPUTS).to_numpy()[:n]
    scores = []
    for o in range(n):
        c = np.r_[1.0, np.zeros(n)]
        a_ub = np.vstack([np.c_[-x[o][:, None], x.T], np.c_[np.zeros((3, 1)), -y.T]])
        b_ub = np.r_[np.zeros(3), -y[o]]
        a_eq = [np.r_[0.0, np.ones(n)]] if vrs else None
        res = linprog(
            c,
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=a_eq,
            b_eq=[1.0] if vrs else None,
            bounds=[(0, None)] * (n + 1),
            method="highs",
        )
        scores.append(res.fun)
    return scores


def timed(label: str, function, rows: list):
    print(f"{label} ...", file=sys.stderr, flush=True)
    start, cpu = time.perf_counter(), time.process_time()
    out = function()
    rows.append((label, time.perf_counter() - start, time.process_time() - cpu))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2500)
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument(
        "--reference-units",
        type=int,
        default=2500,
        help="units for the plain scipy loop (0 to skip it)",
    )
    args = parser.parse_args()
    rng = np.random.default_rng(SEED)
    before = generate(args.units, rng)
    after = generate(args.units, rng, shift=1.05)
    rows: list[tuple[str, float, float]] = []
    results = {}
    for returns, name in (("constant", "CCR"), ("variable", "BCC")):
        model = DeaModel(INPUTS, OUTPUTS, "input", returns)
        results[name] = timed(
            f"DEA {name}, both stages", lambda m=model: dea(before, m, workers=args.workers), rows
        )
        sup = DeaModel(INPUTS, OUTPUTS, "input", returns, super_efficiency=True)
        timed(
            f"DEA {name}, super-efficiency",
            lambda m=sup: dea(before, m, workers=args.workers),
            rows,
        )
    timed(
        "Malmquist, two periods",
        lambda: malmquist(before, after, INPUTS, OUTPUTS, workers=args.workers),
        rows,
    )
    n_ref = min(args.reference_units, args.units)
    if n_ref:
        sample = before.head(n_ref)
        for name, vrs in (("CCR", False), ("BCC", True)):
            reference = timed(
                f"plain scipy linprog loop, {name}, radial stage only, {n_ref} units",
                lambda v=vrs: scipy_loop(sample, n_ref, v),
                rows,
            )
            engine = (
                results[name]
                if n_ref == args.units
                else dea(
                    sample, DeaModel(INPUTS, OUTPUTS, "input", "variable" if vrs else "constant")
                )
            )
            gap = max(abs(u.score - r) for u, r in zip(engine.units, reference, strict=True))
            print(f"  {name}: largest difference engine vs scipy loop {gap:.2e}", file=sys.stderr)
            assert gap < 1e-6, gap
    efficient = {k: sum(u.efficient for u in v.units) for k, v in results.items()}
    print(
        f"{args.units} units, 3 inputs x 3 outputs, {args.workers} worker(s); "
        f"efficient units: {efficient}"
    )
    print("| step | seconds | CPU seconds |\n|---|---:|---:|")
    for label, seconds, cpu in rows:
        print(f"| {label} | {seconds:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
