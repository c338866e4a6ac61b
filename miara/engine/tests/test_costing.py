"""Process costing (methodology.md): hand-worked examples, an independent reference
implementation in plain Python, conservation, and the edge cases."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from miara.engine.costing import OUTPUT_MISSING, OUTPUT_ZERO, compute_costing


def frames(departments, allocation, outputs):
    """Frames from plain rows: (department, kind, fte, cost), (department, process,
    share), (process, output, direct_cost)."""
    return (
        pl.DataFrame(
            departments,
            schema={
                "department": pl.String,
                "kind": pl.String,
                "fte": pl.Float64,
                "cost": pl.Float64,
            },
            orient="row",
        ),
        pl.DataFrame(
            allocation,
            schema={"department": pl.String, "process": pl.String, "share": pl.Float64},
            orient="row",
        ),
        pl.DataFrame(
            outputs,
            schema={"process": pl.String, "output": pl.Float64, "direct_cost": pl.Float64},
            orient="row",
        ),
    )


def rows_by_process(costing) -> dict[str, dict]:
    return {row["process"]: row for row in costing.processes.to_dicts()}


def test_it_costs_a_hand_worked_office():
    # Two primary departments, one support department, three processes.
    #   BUILD: primary, 4 FTE, cost 400 000; 50 % on PERMIT, 30 % on ZONING (80 % used)
    #   REG:   primary, 2 FTE, cost 100 000; 100 % on REGISTER
    #   IT:    support, 1 FTE, cost  60 000
    # Department cost:  PERMIT   = 400 000 · 0.5 = 200 000
    #                   ZONING   = 400 000 · 0.3 = 120 000
    #                   REGISTER = 100 000 · 1.0 = 100 000
    # Allocated staff:  PERMIT 4 · 0.5 = 2, ZONING 4 · 0.3 = 1.2, REGISTER 2 · 1 = 2; Σh = 5.2
    # Support cost:     PERMIT 60 000 · 2 / 5.2 = 23 076.923…, ZONING 60 000 · 1.2 / 5.2
    #                   = 13 846.153…, REGISTER = 23 076.923…
    # Direct costs:     PERMIT 5 000, ZONING 0 (not listed), REGISTER 1 000
    # Process cost:     PERMIT 228 076.923…, ZONING 133 846.153…, REGISTER 124 076.923…
    # Output:           PERMIT 400 → unit cost 570.192…; ZONING 0 → none; REGISTER missing → none
    # Unassigned:       400 000 · (1 − 0.8) = 80 000
    # Conservation:     228 076.92 + 133 846.15 + 124 076.92 + 80 000 = 566 000
    #                   = pools 560 000 + direct 6 000
    costing = compute_costing(
        *frames(
            [
                ("BUILD", "primary", 4, 400_000),
                ("REG", "primary", 2, 100_000),
                ("IT", "support", 1, 60_000),
            ],
            [("BUILD", "PERMIT", 0.5), ("BUILD", "ZONING", 0.3), ("REG", "REGISTER", 1.0)],
            [("PERMIT", 400, 5_000), ("ZONING", 0, None), ("REGISTER", None, 1_000)],
        ),
        processes=["PERMIT", "ZONING", "REGISTER"],
    )
    rows = rows_by_process(costing)
    assert costing.processes["process"].to_list() == ["PERMIT", "ZONING", "REGISTER"]
    assert rows["PERMIT"]["department_cost"] == pytest.approx(200_000)
    assert rows["PERMIT"]["staff"] == pytest.approx(2)
    assert rows["PERMIT"]["support_cost"] == pytest.approx(60_000 * 2 / 5.2)
    assert rows["PERMIT"]["cost"] == pytest.approx(200_000 + 60_000 * 2 / 5.2 + 5_000)
    assert rows["PERMIT"]["unit_cost"] == pytest.approx((200_000 + 60_000 * 2 / 5.2 + 5_000) / 400)
    assert rows["PERMIT"]["unit_cost_reason"] is None
    assert rows["ZONING"]["cost"] == pytest.approx(120_000 + 60_000 * 1.2 / 5.2)
    assert (rows["ZONING"]["unit_cost"], rows["ZONING"]["unit_cost_reason"]) == (None, OUTPUT_ZERO)
    assert rows["REGISTER"]["cost"] == pytest.approx(100_000 + 60_000 * 2 / 5.2 + 1_000)
    assert (rows["REGISTER"]["unit_cost"], rows["REGISTER"]["unit_cost_reason"]) == (
        None,
        OUTPUT_MISSING,
    )
    assert costing.unassigned_primary == pytest.approx(80_000)
    assert costing.unassigned_support == 0
    assert costing.total_pools == 560_000 and costing.total_direct == 6_000
    assert costing.processes["cost"].sum() + costing.unassigned == pytest.approx(566_000)


def test_a_process_with_only_direct_costs_costs_its_direct_costs():
    # PRINT gets no staff time: department cost 0, support 0 (h = 0), cost = 300 direct.
    # DESK: 1 FTE · 100 % → department cost 1 000, all support 500 → 1 500; 3 outputs → 500.
    costing = compute_costing(
        *frames(
            [("D", "primary", 1, 1_000), ("S", "support", 1, 500)],
            [("D", "DESK", 1.0)],
            [("DESK", 3, 0), ("PRINT", 10, 300)],
        ),
        processes=["DESK", "PRINT"],
    )
    rows = rows_by_process(costing)
    assert rows["DESK"]["cost"] == pytest.approx(1_500)
    assert rows["DESK"]["unit_cost"] == pytest.approx(500)
    assert (rows["PRINT"]["cost"], rows["PRINT"]["unit_cost"]) == (
        pytest.approx(300),
        pytest.approx(30),
    )
    assert costing.unassigned == 0


def test_support_cost_with_no_allocated_staff_goes_to_the_unassigned_line():
    # Σh = 0: nothing allocated at all. Support 900 has no key → unassigned; the primary
    # department's 2 000 is all unused capacity → unassigned 2 900 = pools 2 900.
    costing = compute_costing(
        *frames([("D", "primary", 2, 2_000), ("S", "support", 1, 900)], [], []),
        processes=["A", "B"],
    )
    assert costing.processes["cost"].to_list() == [0.0, 0.0]
    assert costing.processes["unit_cost_reason"].to_list() == [OUTPUT_MISSING] * 2
    assert costing.unassigned_primary == pytest.approx(2_000)
    assert costing.unassigned_support == pytest.approx(900)
    assert costing.unassigned == pytest.approx(costing.total_cost)


def test_support_cost_is_unassigned_when_the_allocated_departments_have_no_staff():
    # D has cost but 0 FTE, all of it on A: department cost of A = 1 000, h_A = 0, Σh = 0,
    # so the support's 400 cannot be spread: cost of A = 1 000, unassigned = 400.
    costing = compute_costing(
        *frames([("D", "primary", 0, 1_000), ("S", "support", 2, 400)], [("D", "A", 1.0)], []),
        processes=["A"],
    )
    assert rows_by_process(costing)["A"]["support_cost"] == 0
    assert rows_by_process(costing)["A"]["cost"] == pytest.approx(1_000)
    assert (costing.unassigned_primary, costing.unassigned_support) == (0, pytest.approx(400))


def test_an_office_with_no_support_departments_spreads_nothing():
    costing = compute_costing(
        *frames([("D", "primary", 1, 100)], [("D", "A", 0.25), ("D", "B", 0.75)], []),
        processes=["A", "B"],
    )
    assert costing.processes["cost"].to_list() == pytest.approx([25, 75])
    assert costing.processes["support_cost"].to_list() == [0, 0]
    assert costing.unassigned == 0


def test_a_negative_output_still_divides_and_zero_does_not():
    # The service refuses negative outputs; the engine divides what it is given, but
    # never by zero and never emits NaN or infinity.
    costing = compute_costing(
        *frames([("D", "primary", 1, 100)], [("D", "A", 1.0)], [("A", 0.0, 0.0)]),
        processes=["A"],
    )
    values = costing.processes.row(0, named=True)
    assert values["unit_cost"] is None and values["unit_cost_reason"] == OUTPUT_ZERO


def test_processes_named_only_in_the_data_are_added_after_the_map():
    costing = compute_costing(
        *frames([("D", "primary", 1, 100)], [("D", "X", 0.5)], [("Y", 1, 1)]),
        processes=["A"],
    )
    assert costing.processes["process"].to_list() == ["A", "X", "Y"]


def test_an_empty_office_costs_nothing():
    costing = compute_costing(*frames([], [], []))
    assert costing.processes.is_empty()
    assert costing.unassigned == 0 and costing.total_cost == 0


# --- against an independent reference ----------------------------------------------


def reference(departments, allocation, outputs, processes):
    """methodology.md "Process costing" in plain Python, one loop per formula."""
    kind = {d: k for d, k, _f, _c in departments}
    fte = {d: f for d, _k, f, _c in departments}
    cost = {d: c for d, _k, _f, c in departments}
    order = list(
        dict.fromkeys([*processes, *(p for _d, p, _s in allocation), *(p for p, _o, _c in outputs)])
    )
    k_dep = dict.fromkeys(order, 0.0)
    h = dict.fromkeys(order, 0.0)
    used = {d: 0.0 for d in cost if kind[d] == "primary"}
    for d, p, share in allocation:
        if kind.get(d) != "primary":
            continue
        k_dep[p] += cost[d] * share
        h[p] += fte[d] * share
        used[d] += share
    support = sum(c for d, c in cost.items() if kind[d] == "support")
    total_h = sum(h.values())
    direct = dict.fromkeys(order, 0.0)
    output = dict.fromkeys(order)
    for p, out, dc in outputs:
        direct[p] += dc or 0.0
        output[p] = out
    result = {}
    for p in order:
        support_p = support * (h[p] / total_h) if total_h > 1e-9 else 0.0
        k = k_dep[p] + support_p + direct[p]
        unit = k / output[p] if output[p] not in (None, 0) else None
        result[p] = (k_dep[p], h[p], support_p, direct[p], k, unit)
    unassigned = sum(cost[d] * (1 - used[d]) for d in used) + (support if total_h <= 1e-9 else 0.0)
    return result, unassigned


money = st.floats(min_value=0, max_value=1e7, allow_nan=False)
staff = st.one_of(st.just(0.0), st.floats(min_value=0, max_value=50, allow_nan=False))


@st.composite
def offices(draw):
    processes = [f"P{i}" for i in range(draw(st.integers(0, 8)))]
    n_departments = draw(st.integers(0, 6))
    departments = [
        (f"D{i}", draw(st.sampled_from(["primary", "support"])), draw(staff), draw(money))
        for i in range(n_departments)
    ]
    allocation = []
    for d, kind, _f, _c in departments:
        if kind != "primary" or not processes:
            continue
        chosen = draw(st.lists(st.sampled_from(processes), unique=True, max_size=len(processes)))
        weights = [draw(st.floats(min_value=0, max_value=1)) for _ in chosen]
        budget = draw(st.floats(min_value=0, max_value=1))  # the share of time used at all
        total = sum(weights)
        for p, w in zip(chosen, weights, strict=True):
            allocation.append((d, p, budget * w / total if total else 0.0))
    outputs = [
        (
            p,
            draw(st.one_of(st.none(), st.just(0.0), st.floats(min_value=0.5, max_value=1e5))),
            draw(st.one_of(st.none(), money)),
        )
        for p in processes
        if draw(st.booleans())
    ]
    return departments, allocation, outputs, processes


@settings(max_examples=200, deadline=None)
@given(offices())
def test_it_agrees_with_the_plain_python_reference(office):
    departments, allocation, outputs, processes = office
    costing = compute_costing(*frames(departments, allocation, outputs), processes=processes)
    expected, unassigned = reference(departments, allocation, outputs, processes)
    rows = rows_by_process(costing)
    assert list(rows) == list(expected)
    for p, (k_dep, h, support, direct, k, unit) in expected.items():
        row = rows[p]
        got = (
            row["department_cost"],
            row["staff"],
            row["support_cost"],
            row["direct_cost"],
            row["cost"],
        )
        assert got == pytest.approx((k_dep, h, support, direct, k), rel=1e-9, abs=1e-6)
        if unit is None:
            assert row["unit_cost"] is None and row["unit_cost_reason"] is not None
        else:
            assert row["unit_cost"] == pytest.approx(unit, rel=1e-9, abs=1e-9)
    assert costing.unassigned == pytest.approx(unassigned, rel=1e-9, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(offices())
def test_costs_are_conserved(office):
    departments, allocation, outputs, processes = office
    costing = compute_costing(*frames(departments, allocation, outputs), processes=processes)
    pools = sum(c for _d, _k, _f, c in departments)
    direct = sum(dc or 0.0 for _p, _o, dc in outputs)
    total = costing.processes["cost"].sum() + costing.unassigned
    assert math.isclose(total, pools + direct, rel_tol=1e-9, abs_tol=1e-6)
    assert costing.unassigned >= -1e-6
    for value in costing.processes["unit_cost"].drop_nulls():
        assert math.isfinite(value)


def test_it_costs_forty_departments_by_150_processes_well_within_a_second():
    import time

    departments = [(f"D{i}", "primary" if i < 34 else "support", 5.0, 1e6) for i in range(40)]
    allocation = [(f"D{i}", f"P{p}", 1 / 150) for i in range(34) for p in range(150)]
    outputs = [(f"P{p}", 100.0, 10.0) for p in range(150)]
    started = time.perf_counter()
    costing = compute_costing(*frames(departments, allocation, outputs))
    assert time.perf_counter() - started < 1.0
    assert costing.processes.height == 150


# --- where the money goes (cost_flows) ---------------------------------------------------

FLOW_OFFICE = frames(
    [
        ("BUILD", "primary", 4, 400_000),
        ("REG", "primary", 2, 100_000),
        ("IT", "support", 1, 40_000),
        ("HR", "support", 0.5, 20_000),
    ],
    [("BUILD", "PERMIT", 0.5), ("BUILD", "ZONING", 0.3), ("REG", "REGISTER", 1.0)],
    [("PERMIT", 400, 5_000), ("REGISTER", None, 1_000)],
)


def test_the_flows_of_a_hand_worked_office():
    from miara.engine.costing import cost_flows

    flows = {(s, p): a for s, _k, p, a in cost_flows(*FLOW_OFFICE).iter_rows()}
    # Σh = 5.2; IT gives PERMIT 40 000 · 2 / 5.2, HR 20 000 · 2 / 5.2.
    assert flows[("BUILD", "PERMIT")] == pytest.approx(200_000)
    assert flows[("BUILD", None)] == pytest.approx(80_000)  # unused capacity
    assert flows[("IT", "PERMIT")] == pytest.approx(40_000 * 2 / 5.2)
    assert flows[("HR", "ZONING")] == pytest.approx(20_000 * 1.2 / 5.2)
    assert flows[("direct", "REGISTER")] == pytest.approx(1_000)
    assert ("REG", None) not in flows  # REG's time is all allocated


def test_the_flows_add_up_to_the_costing():
    from miara.engine.costing import cost_flows

    costing = compute_costing(*FLOW_OFFICE)
    flows = cost_flows(*FLOW_OFFICE)
    per_process = dict(
        flows.filter(pl.col("process").is_not_null())
        .group_by("process")
        .agg(pl.col("amount").sum())
        .iter_rows()
    )
    for row in costing.processes.iter_rows(named=True):
        assert per_process.get(row["process"], 0.0) == pytest.approx(row["cost"])
    unassigned = flows.filter(pl.col("process").is_null())["amount"].sum()
    assert unassigned == pytest.approx(costing.unassigned)
    assert flows["amount"].sum() == pytest.approx(costing.total_cost)


def test_support_cost_without_allocated_staff_flows_to_no_process():
    from miara.engine.costing import cost_flows

    departments, _allocation, outputs = FLOW_OFFICE
    empty = pl.DataFrame(
        schema={"department": pl.String, "process": pl.String, "share": pl.Float64}
    )
    flows = cost_flows(departments, empty, outputs)
    assert flows.filter(pl.col("process").is_null())["amount"].sum() == pytest.approx(
        compute_costing(departments, empty, outputs).unassigned
    )
