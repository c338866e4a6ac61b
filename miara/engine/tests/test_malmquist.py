"""Malmquist index against published results and against its definition.

Reference: the two-period, 1-input, 1-output example of DataEnvelopmentAnalysis.jl
(Barbero & Zofío), whose documented results for the Färe et al. (1994) index are
M = (2, 1.5, 1.25, 1.3333, 0.6), EC = (1.3333, 1, 0.8333, 0.8889, 0.4), TC = 1.5.
"""

import math

import numpy as np
import polars as pl
import pytest

from miara.engine.dea import DeaModel, solve
from miara.engine.malmquist import geometric_means, malmquist


def periods():
    before = pl.DataFrame({"unit": list("ABCDE"), "x": [2.0, 3, 5, 4, 4], "y": [1.0, 4, 6, 3, 5]})
    after = pl.DataFrame({"unit": list("ABCDE"), "x": [1.0, 2, 4, 3, 4], "y": [1.0, 4, 6, 3, 3]})
    return before, after


@pytest.mark.parametrize("orientation", ["output", "input"])
def test_published_two_period_example(orientation):
    result = malmquist(*periods(), ["x"], ["y"], orientation)
    frame = result.frame()
    assert frame.columns[:6] == ["unit", "effch", "techch", "pech", "sech", "tfpch"]
    assert frame["tfpch"].to_list() == pytest.approx([2.0, 1.5, 1.25, 4 / 3, 0.6], abs=1e-9)
    assert frame["effch"].to_list() == pytest.approx([4 / 3, 1.0, 5 / 6, 8 / 9, 0.4], abs=1e-9)
    assert frame["techch"].to_list() == pytest.approx([1.5] * 5, abs=1e-9)
    for row in frame.iter_rows(named=True):
        assert row["sech"] * row["pech"] == pytest.approx(row["effch"])


def test_decomposition_from_separately_solved_distances():
    """Each figure rebuilt from DEA scores solved one by one against the named frontier."""
    rng = np.random.default_rng(3)
    n = 30
    x0, y0 = rng.uniform(1, 50, (n, 2)), rng.uniform(1, 50, (n, 2))
    x1, y1 = x0 * rng.uniform(0.8, 1.1, (n, 2)), y0 * rng.uniform(0.9, 1.3, (n, 2))
    units = [f"U{i}" for i in range(n)]

    def frame(x, y):
        return pl.DataFrame({"unit": units, "a": x[:, 0], "b": x[:, 1], "c": y[:, 0], "d": y[:, 1]})

    result = malmquist(frame(x0, y0), frame(x1, y1), ["a", "b"], ["c", "d"])

    def own(x, y, returns):
        return [
            u.score for u in solve(units, x, y, DeaModel(("a", "b"), ("c", "d"), "output", returns))
        ]

    def cross(x_ref, y_ref, x, y):
        # the point as an extra unit: its score against the reference units plus itself
        # equals the score against the reference alone only if it is not on the frontier,
        # so solve with it excluded (super-efficiency on the stacked data).
        scores = []
        for o in range(n):
            xs, ys = np.vstack([x_ref, x[o]]), np.vstack([y_ref, y[o]])
            model = DeaModel(("a", "b"), ("c", "d"), "output", "constant", True)
            out = solve([*units, "P"], xs, ys, model)
            scores.append(out[-1].score)
        return scores

    d00, d11 = own(x0, y0, "constant"), own(x1, y1, "constant")
    v00, v11 = own(x0, y0, "variable"), own(x1, y1, "variable")
    d01, d10 = cross(x0, y0, x1, y1), cross(x1, y1, x0, y0)
    by = {u.unit: u for u in result.units}
    for o, code in enumerate(units):
        u = by[code]
        assert u.effch == pytest.approx(d11[o] / d00[o], rel=1e-7)
        assert u.techch == pytest.approx(math.sqrt(d01[o] / d11[o] * d00[o] / d10[o]), rel=1e-7)
        assert u.pech == pytest.approx(v11[o] / v00[o], rel=1e-7)
        assert u.tfpch == pytest.approx(u.effch * u.techch)
    means = geometric_means(result)
    assert means["tfpch"] == pytest.approx(math.exp(np.mean(np.log([by[c].tfpch for c in units]))))


def test_units_missing_in_either_period_are_listed_not_scored():
    before, after = periods()
    after = after.with_columns(
        pl.when(pl.col("unit") == "B").then(None).otherwise(pl.col("y")).alias("y")
    ).filter(pl.col("unit") != "C")
    result = malmquist(before, after, ["x"], ["y"])
    assert [u.unit for u in result.units] == ["A", "D", "E"]
    reasons = {e.unit: e.reason for e in result.excluded}
    assert reasons == {"B": "missing", "C": "absent_after"}


def test_two_processes_give_the_same_index_as_one():
    rng = np.random.default_rng(5)
    units = [f"U{i}" for i in range(40)]

    def frame(shift):
        return pl.DataFrame(
            {"unit": units, "x": rng.uniform(1, 9, 40) * shift, "y": rng.uniform(1, 9, 40)}
        )

    before, after = frame(1.0), frame(0.9)
    one = malmquist(before, after, ["x"], ["y"], workers=1).frame()
    two = malmquist(before, after, ["x"], ["y"], workers=2).frame()
    assert one["unit"].to_list() == two["unit"].to_list()
    for figure in ("effch", "techch", "pech", "sech", "tfpch"):
        assert one[figure].to_list() == pytest.approx(two[figure].to_list(), abs=1e-9)
