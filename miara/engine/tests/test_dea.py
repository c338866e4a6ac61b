"""DEA against published results and against an independent formulation.

Published references:
* Coelli, T. (1996) "A Guide to DEAP Version 2.1", CEPA Working Paper 96/08, example 1
  (5 firms, 1 output, 2 inputs, input-oriented CRS): scores, peers and weights, slacks
  and targets as printed in the guide's eg1-out.txt.
* The 11-unit, 2-input, 1-output data of Fried, Lovell & Schmidt (eds., 2008), "The
  Measurement of Productive Efficiency and Productivity Growth", with the results of the
  R package Benchmarking as recorded in the test suite of DataEnvelopmentAnalysis.jl
  (Barbero & Zofío): scores, λ and slacks for CRS/VRS, input/output orientation.
The independent check solves the multiplier (dual) form with scipy.optimize.linprog.
"""

import numpy as np
import polars as pl
import pytest
from scipy.optimize import linprog

from miara.engine.dea import INFEASIBLE, DeaInputError, DeaModel, dea, prepare, solve

FLS_X = [
    [5, 13],
    [16, 12],
    [16, 26],
    [17, 15],
    [18, 14],
    [23, 6],
    [25, 10],
    [27, 22],
    [37, 14],
    [42, 25],
    [5, 17],
]
FLS_Y = [12, 14, 25, 26, 8, 9, 27, 30, 31, 26, 12]
UNITS = [f"U{i + 1}" for i in range(11)]


def fls_frame():
    return pl.DataFrame(
        {
            "unit": UNITS,
            "X1": [float(x[0]) for x in FLS_X],
            "X2": [float(x[1]) for x in FLS_X],
            "Y": [float(y) for y in FLS_Y],
        }
    )


# Benchmarking (R) results; output orientation given as φ (miara's score is 1/φ).
FLS_EXPECTED = {
    ("input", "constant"): [
        1.0,
        0.6222896791,
        0.8198562444,
        1.0,
        0.3103709311,
        0.5555555556,
        1.0,
        0.7576690896,
        0.8201058201,
        0.4905660377,
        1.0,
    ],
    ("output", "constant"): [
        1.0,
        1.606968641,
        1.219726027,
        1.0,
        3.221951220,
        1.8,
        1.0,
        1.319837398,
        1.219354839,
        2.038461538,
        1.0,
    ],
    ("input", "variable"): [
        1.0,
        0.8699861687,
        1.0,
        1.0,
        0.7116402116,
        1.0,
        1.0,
        1.0,
        1.0,
        0.4931209269,
        1.0,
    ],
    ("output", "variable"): [
        1.0,
        1.507518797,
        1.0,
        1.0,
        3.203947368,
        1.0,
        1.0,
        1.0,
        1.0,
        1.192307692,
        1.0,
    ],
}
FLS_X_SLACKS = {
    ("input", "constant"): {"U6": (4.444444444, 0), "U9": (1.640211640, 0), "U11": (0, 4)},
    ("output", "constant"): {"U6": (8, 0), "U9": (2, 0), "U11": (0, 4)},
    ("input", "variable"): {"U11": (0, 4)},
    ("output", "variable"): {"U10": (5, 11), "U11": (0, 4)},
}
FLS_Y_SLACKS = {("input", "variable"): {"U5": 2.698412698}}


@pytest.mark.parametrize("orientation,returns", list(FLS_EXPECTED))
def test_fls_scores_and_slacks_match_benchmarking(orientation, returns):
    result = dea(fls_frame(), DeaModel(("X1", "X2"), ("Y",), orientation, returns))
    expected = FLS_EXPECTED[(orientation, returns)]
    if orientation == "output":
        expected = [1 / phi for phi in expected]
    assert [u.score for u in result.units] == pytest.approx(expected, abs=1e-8)
    for u in result.units:
        sx = FLS_X_SLACKS[(orientation, returns)].get(u.unit, (0, 0))
        sy = FLS_Y_SLACKS.get((orientation, returns), {}).get(u.unit, 0)
        assert (u.slacks["X1"], u.slacks["X2"]) == pytest.approx(sx, abs=1e-6), u.unit
        assert u.slacks["Y"] == pytest.approx(sy, abs=1e-6), u.unit


def test_fls_peer_weights_match_benchmarking():
    crs = {u.unit: u.peers for u in dea(fls_frame(), DeaModel(("X1", "X2"), ("Y",))).units}
    assert crs["U2"] == pytest.approx({"U4": 0.4249783174, "U7": 0.10928013877})
    assert crs["U3"] == pytest.approx({"U1": 1.134321653, "U4": 0.4380053908})
    assert crs["U10"] == pytest.approx({"U4": 0.4905660377, "U7": 0.49056603774})
    vrs = dea(fls_frame(), DeaModel(("X1", "X2"), ("Y",), "input", "variable"))
    peers = {u.unit: u.peers for u in vrs.units}
    assert peers["U2"] == pytest.approx(
        {"U1": 0.52558782849, "U6": 0.2842323651, "U7": 0.1901798064}
    )


def deap_eg1():
    # Coelli (1996), eg1-dta.txt: output y, inputs x1, x2.
    return pl.DataFrame(
        {
            "unit": ["1", "2", "3", "4", "5"],
            "y": [1.0, 2, 3, 1, 2],
            "x1": [2.0, 2, 6, 3, 6],
            "x2": [5.0, 4, 6, 2, 2],
        }
    )


def test_deap_example_1():
    result = dea(deap_eg1(), DeaModel(("x1", "x2"), ("y",)))
    by = {u.unit: u for u in result.units}
    assert [by[c].score for c in "12345"] == pytest.approx(
        [0.5, 1.0, 5 / 6, 5 / 7, 1.0], abs=1e-9
    )  # printed as 0.500, 1.000, 0.833, 0.714, 1.000
    assert by["1"].slacks["x2"] == pytest.approx(0.5)
    assert by["1"].peers == pytest.approx({"2": 0.5})
    assert by["3"].peers == pytest.approx({"2": 1.0, "5": 0.5})
    assert by["4"].peers == pytest.approx({"2": 0.214, "5": 0.286}, abs=5e-4)
    targets = {c: by[c].targets for c in "12345"}
    assert targets["1"] == pytest.approx({"x1": 1.0, "x2": 2.0, "y": 1.0})
    assert targets["3"] == pytest.approx({"x1": 5.0, "x2": 5.0, "y": 3.0})
    assert targets["4"] == pytest.approx({"x1": 2.143, "x2": 1.429, "y": 1.0}, abs=5e-4)
    assert [by[c].efficient for c in "12345"] == [False, True, False, False, True]


def test_targets_are_the_peers_combination_and_consistent_with_slacks():
    """Σ λ x = target = θ x − s⁻ (input) and Σ λ y = target = y + s⁺, for every model."""
    frame = fls_frame()
    data = {row["unit"]: row for row in frame.iter_rows(named=True)}
    for orientation in ("input", "output"):
        for returns in ("constant", "variable"):
            result = dea(frame, DeaModel(("X1", "X2"), ("Y",), orientation, returns))
            for u in result.units:
                for var in ("X1", "X2", "Y"):
                    combo = sum(w * data[p][var] for p, w in u.peers.items())
                    assert u.targets[var] == pytest.approx(combo, abs=1e-7)
                    own = data[u.unit][var]
                    radial = u.radial if (var == "Y") == (orientation == "output") else 1.0
                    if var == "Y":
                        expected = radial * own + u.slacks[var]
                    else:
                        expected = radial * own - u.slacks[var]
                    assert u.targets[var] == pytest.approx(expected, abs=1e-7)
                if returns == "variable":
                    assert sum(u.peers.values()) == pytest.approx(1.0)


def multiplier_score(x, y, o, orientation, vrs, exclude_self=False):
    """The dual (multiplier) programme, built independently: weights u (outputs), v
    (inputs) and, under variable returns, the free intercept."""
    n, m = x.shape
    s = y.shape[1]
    rows = [j for j in range(n) if not (exclude_self and j == o)]
    extra = 1 if vrs else 0
    # variables: u (s), v (m), [w free]
    a_ub = np.array([np.r_[y[j], -x[j], [-1.0] * extra] for j in rows])
    b_ub = np.zeros(len(rows))
    bounds = [(0, None)] * (s + m) + [(None, None)] * extra
    if orientation == "input":
        c = -np.r_[y[o], np.zeros(m), [-1.0] * extra]  # max u·y_o − w
        a_eq = [np.r_[np.zeros(s), x[o], [0.0] * extra]]
    else:
        c = np.r_[np.zeros(s), x[o], [1.0] * extra]  # min v·x_o + w
        a_eq = [np.r_[y[o], np.zeros(m), [0.0] * extra]]
        a_ub = np.array([np.r_[y[j], -x[j], [-1.0] * extra] for j in rows])
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0], bounds=bounds, method="highs")
    if res.status == 3:  # the dual unbounded: the envelopment programme is infeasible
        return None
    assert res.status == 0, res.message
    value = -res.fun if orientation == "input" else res.fun
    return value if orientation == "input" else 1.0 / value


@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("returns", ["constant", "variable"])
@pytest.mark.parametrize("super_", [False, True])
def test_envelopment_agrees_with_the_multiplier_form(orientation, returns, super_):
    rng = np.random.default_rng(7)
    x = rng.uniform(1, 100, size=(40, 2))
    y = rng.uniform(1, 100, size=(40, 3))
    units = [f"D{i}" for i in range(40)]
    model = DeaModel(("A", "B"), ("C", "D", "E"), orientation, returns, super_)
    results = solve(units, x, y, model)
    infeasible = 0
    for o, u in enumerate(results):
        expected = multiplier_score(x, y, o, orientation, returns == "variable", super_)
        if expected is None:
            infeasible += 1
            assert u.status == INFEASIBLE and u.score is None
        else:
            assert u.score == pytest.approx(expected, abs=1e-6)
    if super_ and returns == "variable":
        assert infeasible > 0  # the data were chosen so that some are infeasible


def test_super_efficiency_ranks_efficient_units_and_reports_infeasible():
    base = dea(deap_eg1(), DeaModel(("x1", "x2"), ("y",)))
    sup = dea(deap_eg1(), DeaModel(("x1", "x2"), ("y",), super_efficiency=True))
    for plain, s in zip(base.units, sup.units, strict=True):
        if plain.score < 1 - 1e-9:
            assert s.score == pytest.approx(plain.score)
        else:
            assert s.score >= 1
    vrs = dea(deap_eg1(), DeaModel(("x1", "x2"), ("y",), "input", "variable", True))
    unit3 = next(u for u in vrs.units if u.unit == "3")
    assert unit3.status == INFEASIBLE and unit3.score is None  # the largest output
    frame = vrs.frame()
    assert frame.filter(pl.col("unit") == "3")["score"].to_list() == [None]


def test_bad_data_is_excluded_with_reasons_and_few_units_warned():
    frame = pl.DataFrame(
        {
            "unit": ["A", "B", "C", "D", "E"],
            "x": [1.0, 0.0, 2.0, None, 3.0],
            "y": [1.0, 2.0, -1.0, 1.0, 2.0],
        }
    )
    result = dea(frame, DeaModel(("x",), ("y",)))
    assert [u.unit for u in result.units] == ["A", "E"]
    assert [(e.unit, e.variable, e.reason) for e in result.excluded] == [
        ("B", "x", "not_positive"),
        ("C", "y", "not_positive"),
        ("D", "x", "missing"),
    ]
    assert [w.code for w in result.warnings] == ["few_units"]
    assert "D: no value of x" in result.excluded[2].describe()


def test_models_that_make_no_sense_are_refused():
    with pytest.raises(DeaInputError, match="at least one input"):
        DeaModel((), ("y",))
    with pytest.raises(DeaInputError, match="both an input and an output"):
        DeaModel(("y",), ("y",))
    with pytest.raises(DeaInputError, match="orientation"):
        DeaModel(("x",), ("y",), orientation="sideways")
    with pytest.raises(DeaInputError, match="no data for Z"):
        prepare(deap_eg1(), DeaModel(("Z",), ("y",)))
    empty = pl.DataFrame(
        {"unit": ["A"], "x": [None], "y": [1.0]},
        schema={"unit": pl.String, "x": pl.Float64, "y": pl.Float64},
    )
    with pytest.raises(DeaInputError, match="no unit"):
        dea(empty, DeaModel(("x",), ("y",)))


@pytest.mark.parametrize("super_", [False, True])
def test_two_processes_give_the_same_results_as_one(super_):
    rng = np.random.default_rng(11)
    x, y = rng.uniform(1, 100, size=(60, 2)), rng.uniform(1, 100, size=(60, 2))
    units = [f"D{i}" for i in range(60)]
    model = DeaModel(("A", "B"), ("C", "D"), "input", "variable", super_)
    one = solve(units, x, y, model, workers=1)
    two = solve(units, x, y, model, workers=2)
    assert [u.status for u in one] == [u.status for u in two]
    for a, b in zip(one, two, strict=True):
        assert (a.score is None) == (b.score is None)
        if a.score is not None:
            # the same optimum; each process starts from another basis, hence round-off
            assert a.score == pytest.approx(b.score, abs=1e-9)
            assert a.peers == pytest.approx(b.peers, abs=1e-9)
            assert a.targets == pytest.approx(b.targets, abs=1e-9)
