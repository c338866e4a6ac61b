"""Efficiency frontier by data envelopment analysis (methodology.md, "Efficiency frontier").

For units j = 1..n with inputs x_ij and outputs y_rj, unit o's radial efficiency is found
by one linear programme in envelopment form (Charnes, Cooper & Rhodes 1978; Banker,
Charnes & Cooper 1984):

* input orientation: minimise θ with Σ λ_j x_ij ≤ θ x_io, Σ λ_j y_rj ≥ y_ro, λ ≥ 0; the
  score is θ*;
* output orientation: maximise φ with Σ λ_j x_ij ≤ x_io, Σ λ_j y_rj ≥ φ y_ro; the score
  is 1/φ*;
* variable returns add Σ λ_j = 1.

A second stage keeps θ* (or φ*) fixed and maximises the sum of the slacks, so the reported
peers (λ_j > 0) and targets (Σ λ_j x_ij, Σ λ_j y_rj) lie on the efficient part of the
frontier, not on a weakly efficient face (Cooper, Seiford & Tone 2007, ch. 3). The
super-efficiency score (Andersen & Petersen 1993) is the same model with unit o left out
of its own reference set; under variable returns it may be infeasible, and then it is
reported as such, never as a number.

The programmes are solved with HiGHS (highspy). One model is built per reference set and
re-solved for each evaluated unit after changing only the coefficients and bounds that
depend on that unit, so the simplex starts from the previous optimal basis: thousands of
units take seconds, not minutes. Each variable is divided by its mean before solving
(which changes neither θ nor λ) and the slack objective is weighted back, so the second
stage still maximises the sum of the slacks in the data's own units.

Pure: numpy arrays and Polars frames in, dataclasses and frames out.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import highspy
import numpy as np
import polars as pl

from miara.engine.errors import EngineError

ORIENTATIONS = ("input", "output")
RETURNS = ("constant", "variable")

# λ below this is read as zero: HiGHS returns non-basic columns as exact zeros, and basic
# ones this small are round-off, not a peer.
LAMBDA_TOLERANCE = 1e-9
# A score within this of 1 with every slack (relative to its variable) below it is efficient
# (HiGHS works to 1e-7 on the scaled data, so round-off stays well below it).
EFFICIENCY_TOLERANCE = 1e-6

OPTIMAL = "optimal"
INFEASIBLE = "infeasible"


class DeaInputError(EngineError, ValueError):
    """A model that cannot be solved as asked (no inputs, a variable on both sides, ...)."""


@dataclass(frozen=True)
class DeaModel:
    """What an expert chooses: the variables on each side, the returns and the orientation."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    orientation: str = "input"
    returns: str = "constant"
    super_efficiency: bool = False

    def __post_init__(self):
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "outputs", tuple(self.outputs))
        check_model(self)

    @property
    def variables(self) -> tuple[str, ...]:
        return self.inputs + self.outputs


def check_model(model: DeaModel) -> None:
    """Raise DeaInputError naming what is wrong with the model's definition."""
    if not model.inputs:
        raise DeaInputError("a DEA model needs at least one input")
    if not model.outputs:
        raise DeaInputError("a DEA model needs at least one output")
    seen: set[str] = set()
    for code in model.variables:
        if code in seen:
            both = code in model.inputs and code in model.outputs
            where = "both an input and an output" if both else "named twice"
            raise DeaInputError(f"{code} is {where}")
        seen.add(code)
    if model.orientation not in ORIENTATIONS:
        raise DeaInputError(f"orientation must be input or output, not {model.orientation!r}")
    if model.returns not in RETURNS:
        raise DeaInputError(f"returns must be constant or variable, not {model.returns!r}")


@dataclass(frozen=True)
class Exclusion:
    """A unit left out of the model and why: `missing` or `not_positive` value of
    `variable`; for the Malmquist index also `absent_before` / `absent_after` (the unit has
    complete data in one period only)."""

    unit: str
    variable: str
    reason: str

    def describe(self) -> str:
        if self.reason == "missing":
            return f"{self.unit}: no value of {self.variable}"
        if self.reason == "absent_before":
            return f"{self.unit}: no complete data in the first period"
        if self.reason == "absent_after":
            return f"{self.unit}: no complete data in the second period"
        return f"{self.unit}: {self.variable} is zero or negative (DEA needs positive values)"


@dataclass(frozen=True)
class Warning_:
    """A caution about the whole model: `few_units` (n below 3 × (inputs + outputs))."""

    code: str
    units: int
    minimum: int

    def describe(self) -> str:
        return (
            f"only {self.units} units for {self.minimum // 3} inputs and outputs; "
            f"with fewer than {self.minimum} the model discriminates weakly "
            f"(many units come out efficient)"
        )


@dataclass(frozen=True)
class UnitEfficiency:
    """One unit's result. `score` is None exactly when `status` is infeasible."""

    unit: str
    status: str
    score: float | None = None
    radial: float | None = None  # θ* (input) or φ* (output)
    peers: dict[str, float] = field(default_factory=dict)
    slacks: dict[str, float] = field(default_factory=dict)
    targets: dict[str, float] = field(default_factory=dict)
    efficient: bool = False


@dataclass(frozen=True)
class DeaResult:
    model: DeaModel
    units: list[UnitEfficiency]
    excluded: list[Exclusion]
    warnings: list[Warning_]

    def frame(self) -> pl.DataFrame:
        """One row per scored unit with the columns of contracts.md ("DEA export") first."""
        return result_frame(self)


@dataclass(frozen=True)
class Prepared:
    """The units with complete positive data and their matrices (rows = units)."""

    units: list[str]
    x: np.ndarray
    y: np.ndarray
    excluded: list[Exclusion]


def prepare(frame: pl.DataFrame, model: DeaModel, unit_column: str = "unit") -> Prepared:
    """Split a wide frame (one row per unit, one column per variable) into the units that
    can be scored and those that cannot, each with its reason.

    A unit with any variable missing (null or NaN) or not positive is excluded: the
    envelopment programme needs positive data for every unit to be comparable (a zero
    input would make a unit efficient by construction, a zero output leaves its score
    undefined under output orientation).
    """
    absent = [code for code in model.variables if code not in frame.columns]
    if absent:
        raise DeaInputError(f"no data for {', '.join(absent)}")
    if unit_column not in frame.columns:
        raise DeaInputError(f"the data has no {unit_column!r} column")
    units: list[str] = []
    rows: list[list[float]] = []
    excluded: list[Exclusion] = []
    for record in frame.select(unit_column, *model.variables).iter_rows():
        code, values = str(record[0]), record[1:]
        problem = _first_problem(code, model.variables, values)
        if problem is not None:
            excluded.append(problem)
            continue
        units.append(code)
        rows.append([float(v) for v in values])
    data = np.array(rows, dtype=float).reshape(len(rows), len(model.variables))
    k = len(model.inputs)
    return Prepared(units, data[:, :k], data[:, k:], excluded)


def _first_problem(unit: str, variables, values) -> Exclusion | None:
    for code, value in zip(variables, values, strict=True):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return Exclusion(unit, code, "missing")
    for code, value in zip(variables, values, strict=True):
        if not math.isfinite(float(value)) or float(value) <= 0:
            return Exclusion(unit, code, "not_positive")
    return None


def model_warnings(n_units: int, model: DeaModel) -> list[Warning_]:
    """The rule of thumb (Cooper, Seiford & Tone 2007, §4.9): n ≥ 3 × (inputs + outputs)."""
    minimum = 3 * (len(model.inputs) + len(model.outputs))
    return [Warning_("few_units", n_units, minimum)] if n_units < minimum else []


def dea(
    frame: pl.DataFrame, model: DeaModel, unit_column: str = "unit", workers: int = 1
) -> DeaResult:
    """Score every unit of `frame` that has complete positive data (methodology.md);
    `workers` processes share the programmes (solve)."""
    prepared = prepare(frame, model, unit_column)
    if not prepared.units:
        raise DeaInputError("no unit has positive values of every input and output")
    units = solve(prepared.units, prepared.x, prepared.y, model, workers)
    return DeaResult(model, units, prepared.excluded, model_warnings(len(prepared.units), model))


def solve(
    units: list[str], x: np.ndarray, y: np.ndarray, model: DeaModel, workers: int = 1
) -> list[UnitEfficiency]:
    """Both stages for every unit against the frontier of all of them (itself left out of
    its own reference set when the model asks for super-efficiency).

    The second stage draws its peers from the units the first stage found radially
    efficient only: any combination that uses an inefficient unit can swap it for the
    efficient units that dominate it and keep at least the same slacks (Ali 1993), so
    the maximal slacks are unchanged and the programmes are several times smaller.
    Not so for super-efficiency, where leaving a unit out can make a dominated unit
    efficient: that keeps every unit.

    `workers` > 1 splits the units between that many processes (each stage in turn);
    the results are the same as with one.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    vrs = model.returns == "variable"
    n = len(units)
    first = run_parallel(
        radial_distances,
        [
            (
                x,
                y,
                x[chunk],
                y[chunk],
                model.orientation,
                vrs,
                chunk if model.super_efficiency else None,
            )
            for chunk in chunks(n, workers)
        ],
        workers,
    )
    if model.super_efficiency:
        columns = np.arange(n)
    else:
        columns = np.array(
            [
                j
                for j, (status, value, _) in enumerate(first)
                if status == OPTIMAL and _radially_efficient(value, model.orientation)
            ],
            dtype=int,
        )
    second = run_parallel(
        _slack_stage,
        [
            (
                x,
                y,
                model.orientation,
                vrs,
                columns,
                chunk,
                [first[o] for o in chunk],
                model.super_efficiency,
            )
            for chunk in chunks(n, workers)
        ],
        workers,
    )
    results = []
    answers = iter(second)
    for o, code in enumerate(units):
        status, value, _ = first[o]
        if status != OPTIMAL:
            next(answers)
            results.append(UnitEfficiency(code, status))
            continue
        peers, s_minus, s_plus = next(answers)
        results.append(_unit_result(code, model, x[o], y[o], value, peers, s_minus, s_plus, units))
    return results


def chunks(n: int, workers: int) -> list[np.ndarray]:
    """Contiguous slices of range(n), one per worker (one slice with one worker)."""
    parts = max(1, min(int(workers), n))
    return [part for part in np.array_split(np.arange(n), parts) if len(part)]


def run_parallel_tasks(function, argument_lists: list[tuple], workers: int) -> list:
    """`function(*arguments)` for each argument list, in order; in `workers` fresh
    processes when more than one (spawned, not forked: safe beside threads)."""
    if workers <= 1 or len(argument_lists) <= 1:
        return [function(*arguments) for arguments in argument_lists]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(function, *arguments) for arguments in argument_lists]
        return [future.result() for future in futures]


def run_parallel(function, argument_lists: list[tuple], workers: int) -> list:
    """As run_parallel_tasks, each answer a list: the lists concatenated in order."""
    answers = run_parallel_tasks(function, argument_lists, workers)
    return [item for answer in answers for item in answer]


def _sparse(lambdas: np.ndarray | None):
    if lambdas is None:
        return None
    index = np.flatnonzero(lambdas > LAMBDA_TOLERANCE)
    return index, lambdas[index]


def radial_distances(x_ref, y_ref, x_eval, y_eval, orientation, vrs, exclude=None) -> list:
    """(status, θ* or φ*, sparse λ) of each evaluated point against the reference set;
    `exclude[k]` is the reference unit left out for point k (super-efficiency)."""
    frontier = Frontier(x_ref, y_ref, orientation, vrs)
    out = []
    for k in range(len(x_eval)):
        left_out = int(exclude[k]) if exclude is not None else None
        status, value, lambdas = frontier.distance(x_eval[k], y_eval[k], exclude=left_out)
        out.append((status, value, _sparse(lambdas)))
    return out


def _slack_stage(x, y, orientation, vrs, columns, chunk, first, super_efficiency) -> list:
    """The second stage of the units in `chunk`: (peers {index: λ}, s⁻, s⁺), or None for a
    unit whose first stage had no optimum."""
    stage = _SlackStage(x, y, orientation, vrs, columns)
    out = []
    for o, (status, value, sparse) in zip(chunk, first, strict=True):
        if status != OPTIMAL:
            out.append(None)
            continue
        dense = np.zeros(len(x))
        dense[sparse[0]] = sparse[1]
        exclude = int(o) if super_efficiency else None
        lambdas, s_minus, s_plus = stage.solve(x[o], y[o], value, dense, exclude)
        index = np.flatnonzero(lambdas > LAMBDA_TOLERANCE)
        out.append(
            (dict(zip(index.tolist(), lambdas[index].tolist(), strict=True)), s_minus, s_plus)
        )
    return out


def _radially_efficient(value: float, orientation: str) -> bool:
    """θ* = 1 (or φ* = 1), generously: keeping a unit too many costs time, not accuracy."""
    return value >= 1 - 1e-6 if orientation == "input" else value <= 1 + 1e-6


def _unit_result(code, model, xo, yo, value, peers, s_minus, s_plus, units) -> UnitEfficiency:
    if model.orientation == "input":
        target_x, target_y = value * xo - s_minus, yo + s_plus
        score = value
    else:
        target_x, target_y = xo - s_minus, value * yo + s_plus
        score = 1.0 / value
    named_peers = {units[j]: float(weight) for j, weight in peers.items()}
    slack_values = dict(zip(model.variables, np.r_[s_minus, s_plus].tolist(), strict=True))
    targets = dict(zip(model.variables, np.r_[target_x, target_y].tolist(), strict=True))
    relative = np.r_[s_minus / xo, s_plus / yo]
    efficient = abs(score - 1.0) <= EFFICIENCY_TOLERANCE and bool(
        np.all(relative <= EFFICIENCY_TOLERANCE)
    )
    if model.super_efficiency:
        efficient = score >= 1.0 - EFFICIENCY_TOLERANCE
    return UnitEfficiency(
        code, OPTIMAL, float(score), float(value), named_peers, slack_values, targets, efficient
    )


_BANNER_LOCK = threading.Lock()
_banner_shown = False


def _highs() -> highspy.Highs:
    """A silent HiGHS instance.

    HiGHS writes its copyright banner straight to file descriptor 1 when the first instance
    of a process is created, before any option can switch output off; that would corrupt
    the standard output of `miara dea -o -` and friends, so the first creation happens with
    descriptor 1 pointed at the null device.
    """
    global _banner_shown
    with _BANNER_LOCK:
        if _banner_shown:
            h = highspy.Highs()
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            try:
                with open(os.devnull, "wb") as null:
                    os.dup2(null.fileno(), 1)
                    h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
            _banner_shown = True
    h.setOptionValue("output_flag", False)
    return h


def _pass_dense(h: highspy.Highs, a: np.ndarray, cost, col_lower, col_upper, row_lower, row_upper):
    """Hand HiGHS a dense constraint matrix (few rows, many columns) column by column."""
    lp = highspy.HighsLp()
    rows, cols = a.shape
    lp.num_col_, lp.num_row_ = cols, rows
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.asarray(col_lower, dtype=float)
    lp.col_upper_ = np.asarray(col_upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lower, dtype=float)
    lp.row_upper_ = np.asarray(row_upper, dtype=float)
    mask = a != 0
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.r_[0, np.cumsum(mask.sum(axis=0))].astype(np.int32)
    lp.a_matrix_.index_ = np.nonzero(mask.T)[1].astype(np.int32)
    lp.a_matrix_.value_ = a.T[mask.T].astype(float)
    h.passModel(lp)


def _status(h: highspy.Highs) -> str:
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return OPTIMAL
    if status in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        return INFEASIBLE
    return h.modelStatusToString(status)


class Frontier:
    """The radial (first-stage) programme against one reference set, re-solved per point.

    Columns: [θ or φ, λ_1..λ_n]; rows: one per input, one per output, and Σλ = 1 under
    variable returns. Only the evaluated point's coefficients and bounds change between
    solves, so HiGHS restarts from the last optimal basis.
    """

    def __init__(self, x_ref: np.ndarray, y_ref: np.ndarray, orientation: str, vrs: bool):
        x_ref, y_ref = np.asarray(x_ref, float), np.asarray(y_ref, float)
        self.n, self.m = x_ref.shape
        self.s = y_ref.shape[1]
        self.orientation = orientation
        self.x_scale = x_ref.mean(axis=0)
        self.y_scale = y_ref.mean(axis=0)
        xs, ys = x_ref / self.x_scale, y_ref / self.y_scale
        m, s, n, inf = self.m, self.s, self.n, highspy.kHighsInf
        rows = m + s + (1 if vrs else 0)
        a = np.zeros((rows, n + 1))
        a[:m, 1:] = xs.T
        a[m : m + s, 1:] = ys.T
        if vrs:
            a[-1, 1:] = 1.0
        # The first column is a placeholder 1 so HiGHS keeps its slot; distance() sets it.
        a[: m + s, 0] = 1.0
        sign = 1.0 if orientation == "input" else -1.0  # HiGHS minimises: max φ = min −φ
        cost = np.r_[sign, np.zeros(n)]
        vrs_row = [1.0] if vrs else []
        row_lower = np.r_[np.full(m, -inf), np.zeros(s), vrs_row]
        row_upper = np.r_[np.zeros(m), np.full(s, inf), vrs_row]
        self.h = _highs()
        _pass_dense(self.h, a, cost, np.zeros(n + 1), np.full(n + 1, inf), row_lower, row_upper)
        if orientation == "input":
            for r in range(s):
                self.h.changeCoeff(m + r, 0, 0.0)
        else:
            for i in range(m):
                self.h.changeCoeff(i, 0, 0.0)

    def distance(self, xo, yo, exclude: int | None = None):
        """(status, θ* or φ*, λ) for the point (xo, yo); `exclude` leaves that reference
        unit out (super-efficiency)."""
        h, m, s, inf = self.h, self.m, self.s, highspy.kHighsInf
        xo = np.asarray(xo, float) / self.x_scale
        yo = np.asarray(yo, float) / self.y_scale
        if self.orientation == "input":
            for i in range(m):
                h.changeCoeff(i, 0, -xo[i])
            for r in range(s):
                h.changeRowBounds(m + r, yo[r], inf)
        else:
            for i in range(m):
                h.changeRowBounds(i, -inf, xo[i])
            for r in range(s):
                h.changeCoeff(m + r, 0, -yo[r])
        if exclude is not None:
            h.changeColBounds(exclude + 1, 0.0, 0.0)
        h.run()
        status = _status(h)
        value, lambdas = None, None
        if status == OPTIMAL:
            col = np.asarray(h.getSolution().col_value)
            value, lambdas = float(col[0]), col[1:].copy()
        if exclude is not None:
            h.changeColBounds(exclude + 1, 0.0, inf)
        return status, value, lambdas


class _SlackStage:
    """The second stage: at fixed θ* (φ*), maximise the sum of slacks.

    Columns: [λ_j for the reference units `columns`, s⁻_1..s⁻_m, s⁺_1..s⁺_s]; rows are
    equalities Σλx + s⁻ = θ* x_o (or x_o) and Σλy − s⁺ = y_o (or φ* y_o), with Σλ = 1
    under variable returns. The data are scaled by their means, so slack s'_i = s_i / c_i
    and the objective weights c_i restore the sum in the data's own units. λ is returned
    over all units (zero outside `columns`).
    """

    def __init__(self, x_all, y_all, orientation: str, vrs: bool, columns):
        self.x_all, self.y_all = np.asarray(x_all, float), np.asarray(y_all, float)
        self.columns = np.asarray(columns, dtype=int)
        self.position = {int(j): k for k, j in enumerate(self.columns)}
        x_ref, y_ref = self.x_all[self.columns], self.y_all[self.columns]
        self.n, self.m = x_ref.shape
        self.s = y_ref.shape[1]
        self.orientation = orientation
        self.x_scale = self.x_all.mean(axis=0)
        self.y_scale = self.y_all.mean(axis=0)
        n, m, s, inf = self.n, self.m, self.s, highspy.kHighsInf
        rows = m + s + (1 if vrs else 0)
        a = np.zeros((rows, n + m + s))
        a[:m, :n] = (x_ref / self.x_scale).T
        a[m : m + s, :n] = (y_ref / self.y_scale).T
        a[:m, n : n + m] = np.eye(m)
        a[m : m + s, n + m :] = -np.eye(s)
        if vrs:
            a[-1, :n] = 1.0
        cost = -np.r_[np.zeros(n), self.x_scale, self.y_scale]
        vrs_row = [1.0] if vrs else []
        bounds = np.r_[np.zeros(m + s), vrs_row]
        self.h = _highs()
        _pass_dense(self.h, a, cost, np.zeros(n + m + s), np.full(n + m + s, inf), bounds, bounds)

    def solve(self, xo, yo, value, lambdas_first, exclude):
        """(λ, s⁻, s⁺) in the data's units; falls back on the first stage's λ (slacks as
        its residuals) should round-off make the fixed-score programme infeasible."""
        h, n, m = self.h, self.n, self.m
        xo, yo = np.asarray(xo, float), np.asarray(yo, float)
        if self.orientation == "input":
            rhs_x, rhs_y = value * xo, yo
        else:
            rhs_x, rhs_y = xo, value * yo
        rhs = np.r_[rhs_x / self.x_scale, rhs_y / self.y_scale]
        for row, bound in enumerate(rhs):
            h.changeRowBounds(row, bound, bound)
        column = self.position.get(exclude) if exclude is not None else None
        if column is not None:
            h.changeColBounds(column, 0.0, 0.0)
        h.run()
        status = _status(h)
        if column is not None:
            h.changeColBounds(column, 0.0, highspy.kHighsInf)
        if status != OPTIMAL:
            return self._residuals(lambdas_first, rhs_x, rhs_y)
        col = np.asarray(h.getSolution().col_value)
        lambdas = np.zeros(len(self.x_all))
        lambdas[self.columns] = col[:n]
        s_minus = np.maximum(col[n : n + m], 0.0) * self.x_scale
        s_plus = np.maximum(col[n + m :], 0.0) * self.y_scale
        return lambdas, s_minus, s_plus

    def _residuals(self, lambdas, rhs_x, rhs_y):
        used_x = lambdas @ self.x_all
        used_y = lambdas @ self.y_all
        return lambdas, np.maximum(rhs_x - used_x, 0.0), np.maximum(used_y - rhs_y, 0.0)


def format_pairs(pairs: dict[str, float]) -> str:
    """`CODE:value;CODE:value` at full precision (contracts.md, "DEA export")."""
    return ";".join(f"{code}:{value!r}" for code, value in pairs.items())


def result_frame(result: DeaResult) -> pl.DataFrame:
    """unit, score, peers, targets (contracts.md), then status and efficient."""
    rows = [
        {
            "unit": u.unit,
            "score": u.score,
            "peers": format_pairs(u.peers) if u.status == OPTIMAL else None,
            "targets": format_pairs(u.targets) if u.status == OPTIMAL else None,
            "status": u.status,
            "efficient": u.efficient if u.status == OPTIMAL else None,
        }
        for u in result.units
    ]
    schema = {
        "unit": pl.String,
        "score": pl.Float64,
        "peers": pl.String,
        "targets": pl.String,
        "status": pl.String,
        "efficient": pl.Boolean,
    }
    return pl.DataFrame(rows, schema=schema)
