"""Malmquist productivity index between two periods (methodology.md, "Productivity change
over time"; Färe, Grosskopf, Norris & Zhang 1994, as DEAP 2.1 reports it).

D^s(t) is a unit's distance at period t's data against period s's frontier, read as the
score `miara dea` reports (output orientation: 1/φ*; input orientation: θ*):

* effch = D^{t+1}(t+1) / D^t(t) under constant returns (catching up with the frontier);
* techch = √[ D^t(t+1) / D^{t+1}(t+1) × D^t(t) / D^{t+1}(t) ] (the frontier moving);
* pech = the same ratio as effch under variable returns; sech = effch / pech;
* tfpch = effch × techch; above 1 is progress.

The frontier of each period is drawn by the units present with complete positive data in
both periods (a balanced panel, as DEAP requires), so each index compares like with like.
A distance whose programme is infeasible is reported as such and the unit's figures that
need it are left empty, never filled with a number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from miara.engine.dea import (
    OPTIMAL,
    DeaInputError,
    DeaModel,
    Exclusion,
    Warning_,
    chunks,
    model_warnings,
    prepare,
    radial_distances,
    run_parallel_tasks,
)

FIGURES = ("effch", "techch", "pech", "sech", "tfpch")


@dataclass(frozen=True)
class UnitProductivity:
    """One unit's index and decomposition; `status` is `optimal` or `infeasible` (then the
    figures are None and `infeasible` names the distances that failed)."""

    unit: str
    status: str
    effch: float | None = None
    techch: float | None = None
    pech: float | None = None
    sech: float | None = None
    tfpch: float | None = None
    distances: dict[str, float | None] | None = None
    infeasible: tuple[str, ...] = ()


@dataclass(frozen=True)
class MalmquistResult:
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    orientation: str
    units: list[UnitProductivity]
    excluded: list[Exclusion]
    warnings: list[Warning_]

    def frame(self) -> pl.DataFrame:
        """unit, effch, techch, pech, sech, tfpch (contracts.md), then status."""
        rows = [
            {"unit": u.unit, **{f: getattr(u, f) for f in FIGURES}, "status": u.status}
            for u in self.units
        ]
        schema = {"unit": pl.String, **{f: pl.Float64 for f in FIGURES}, "status": pl.String}
        return pl.DataFrame(rows, schema=schema)


def malmquist(
    before: pl.DataFrame,
    after: pl.DataFrame,
    inputs,
    outputs,
    orientation: str = "output",
    unit_column: str = "unit",
    workers: int = 1,
) -> MalmquistResult:
    """The index from period t (`before`) to t+1 (`after`) for every unit with complete
    positive data in both; the others are listed with the reason (the first period in which
    they fall short)."""
    model = DeaModel(tuple(inputs), tuple(outputs), orientation, "constant")
    first = prepare(before, model, unit_column)
    second = prepare(after, model, unit_column)
    excluded = list(first.excluded)
    seen = {e.unit for e in excluded}
    excluded += [e for e in second.excluded if e.unit not in seen]
    seen = {e.unit for e in excluded}
    in_first, in_second = set(first.units), set(second.units)
    for code in first.units:
        if code not in in_second and code not in seen:
            excluded.append(Exclusion(code, "", "absent_after"))
    for code in second.units:
        if code not in in_first and code not in seen:
            excluded.append(Exclusion(code, "", "absent_before"))
    units = [code for code in first.units if code in in_second]
    if not units:
        raise DeaInputError("no unit has positive values of every input and output in both periods")
    i1 = [first.units.index(c) for c in units]
    i2 = {c: k for k, c in enumerate(second.units)}
    i2 = [i2[c] for c in units]
    x0, y0 = first.x[i1], first.y[i1]
    x1, y1 = second.x[i2], second.y[i2]
    scored = productivity(units, x0, y0, x1, y1, orientation, workers)
    return MalmquistResult(
        model.inputs,
        model.outputs,
        orientation,
        scored,
        excluded,
        model_warnings(len(units), model),
    )


def _scores(distances, orientation: str):
    """The `miara dea` score from each radial distance; None where there is no optimum."""
    out = []
    for status, value, _ in distances:
        if status != OPTIMAL or value is None or value <= 0:
            out.append(None)
        else:
            out.append(value if orientation == "input" else 1.0 / value)
    return out


def productivity(
    units, x0, y0, x1, y1, orientation: str = "output", workers: int = 1
) -> list[UnitProductivity]:
    """The six distances per unit and the figures built from them (module docstring).

    A cross-period distance measures a point that is not in the reference set, so the
    frontier may be drawn by the units found efficient within their own period only: the
    technology they span is the same (Ali 1993), and the programmes are much smaller.
    `workers` > 1 shares the programmes between processes (the same results).
    """
    n = len(units)
    within = [
        ("crs_t_t", x0, y0, x0, y0, False),
        ("crs_t1_t1", x1, y1, x1, y1, False),
        ("vrs_t_t", x0, y0, x0, y0, True),
        ("vrs_t1_t1", x1, y1, x1, y1, True),
    ]
    d = _distances(within, orientation, n, workers)
    front0 = _efficient(d["crs_t_t"])
    front1 = _efficient(d["crs_t1_t1"])
    cross = [
        # period t+1 data against period t's frontier, and the other way round
        ("crs_t_t1", x0[front0], y0[front0], x1, y1, False),
        ("crs_t1_t", x1[front1], y1[front1], x0, y0, False),
    ]
    d |= _distances(cross, orientation, n, workers)
    return [_unit(code, {k: d[k][o] for k in DISTANCES}) for o, code in enumerate(units)]


DISTANCES = ("crs_t_t", "crs_t1_t1", "crs_t_t1", "crs_t1_t", "vrs_t_t", "vrs_t1_t1")


def _distances(tasks, orientation: str, n: int, workers: int) -> dict[str, list]:
    """Scores of each task's points against its frontier, the points of every task split
    between the workers."""
    parts = chunks(n, max(1, workers // len(tasks)) if workers > len(tasks) else 1)
    arguments, names = [], []
    for name, x_ref, y_ref, x_eval, y_eval, vrs in tasks:
        for part in parts:
            arguments.append((x_ref, y_ref, x_eval[part], y_eval[part], orientation, vrs))
            names.append(name)
    flat = run_parallel_tasks(radial_distances, arguments, workers)
    out: dict[str, list] = {name: [] for name, *_ in tasks}
    for name, answers in zip(names, flat, strict=True):
        out[name] += _scores(answers, orientation)
    return out


def _efficient(scores) -> np.ndarray:
    """Indices of the units on their own period's frontier (generously: one too many
    costs time, not accuracy)."""
    return np.array([j for j, s in enumerate(scores) if s is not None and s >= 1 - 1e-6])


def _unit(code: str, dist: dict[str, float | None]) -> UnitProductivity:
    missing = tuple(k for k, v in dist.items() if v is None)
    if missing:
        return UnitProductivity(code, "infeasible", distances=dist, infeasible=missing)
    effch = dist["crs_t1_t1"] / dist["crs_t_t"]
    techch = math.sqrt(dist["crs_t_t1"] / dist["crs_t1_t1"] * (dist["crs_t_t"] / dist["crs_t1_t"]))
    pech = dist["vrs_t1_t1"] / dist["vrs_t_t"]
    return UnitProductivity(
        code,
        OPTIMAL,
        effch=float(effch),
        techch=float(techch),
        pech=float(pech),
        sech=float(effch / pech),
        tfpch=float(effch * techch),
        distances=dist,
    )


def geometric_means(result: MalmquistResult) -> dict[str, float | None]:
    """The geometric mean of each figure over the scored units (DEAP's summary line)."""
    means: dict[str, float | None] = {}
    for figure in FIGURES:
        values = np.array(
            [getattr(u, figure) for u in result.units if getattr(u, figure) is not None]
        )
        means[figure] = float(np.exp(np.log(values).mean())) if len(values) else None
    return means
