"""The demo's process-managed offices: the Czech town office (departments, process map,
three years of costing, monthly cases) and the costing of five Polish offices, whose
unit costs are benchmarked. Numbers are checked against a plain-Python costing written
here from methodology.md, not against the engine."""

from __future__ import annotations

import math
import re
from collections import defaultdict

import polars as pl
import pytest

from miara.demo import catalogue as cat
from miara.demo.generator import PERIODS, demo_catalogue
from miara.demo.offices import (
    CZECH_MONTHS,
    CZECH_PERIODS,
    CZECH_UNIT,
    POLISH_OFFICES,
    czech_cases,
    czech_costing,
    czech_departments,
    czech_process_map,
    czech_values,
    polish_costing,
    polish_process_map,
)
from miara.engine.quality import ValidationRule, VariableRule, check_values

CZECH_LETTERS = set("áčďéěíňóřšťúůýž")


def reference_costing(departments, allocation, outputs) -> tuple[dict[str, float], float]:
    """Process costs and the unassigned cost by methodology.md, "Process costing"."""
    pool = {d: personnel + other for d, _n, _k, _f, personnel, other in departments}
    fte = {d: f for d, _n, _k, f, _p, _o in departments}
    support = sum(pool[d] for d, _n, kind, *_r in departments if kind == "support")
    cost: dict[str, float] = defaultdict(float)
    staff: dict[str, float] = defaultdict(float)
    used: dict[str, float] = defaultdict(float)
    for department, process, percent in allocation:
        cost[process] += pool[department] * percent / 100
        staff[process] += fte[department] * percent / 100
        used[department] += percent / 100
    total_staff = sum(staff.values())
    for process in staff:
        cost[process] += support * staff[process] / total_staff
    for process, _output, direct in outputs:
        cost[process] += direct
    unassigned = sum(
        pool[d] * (1 - used[d]) for d, _n, kind, *_r in departments if kind == "primary"
    )
    return dict(cost), unassigned


# --- the Czech office: its map ------------------------------------------------------------


def test_the_czech_office_is_an_orp_with_about_twelve_departments_in_czech():
    assert CZECH_UNIT["country"] == "CZ" and CZECH_UNIT["type"] == "orp"
    assert re.fullmatch(r"\d{6}", CZECH_UNIT["code"])
    departments = czech_departments()
    assert 11 <= len(departments) <= 13
    kinds = [kind for _code, _name, kind in departments]
    assert kinds.count("support") == 2
    names = {name for _code, name, _kind in departments}
    assert {"Odbor stavební úřad", "Živnostenský úřad", "Odbor informatiky"} <= names
    assert CZECH_LETTERS & set(" ".join(names).lower())


def test_the_czech_process_map_has_about_forty_processes_in_a_tree_of_groups():
    rows = czech_process_map()
    assert 36 <= len(rows) <= 45
    assert len({r["code"] for r in rows}) == len(rows)
    kinds = {code: kind for code, _name, kind in czech_departments()}
    # Every process has an owner, a primary department (support departments' cost is
    # spread over processes, they own none).
    assert all(kinds[r["owner"]] == "primary" for r in rows)
    parents = {r["group"]: r["parent_group"] or None for r in rows}
    groups = set(parents) | {parent for parent in parents.values() if parent}
    assert 7 <= len(groups) <= 10
    for group in groups:  # a tree: every chain of parents ends at a top group
        seen = set()
        while group is not None:
            assert group not in seen
            seen.add(group)
            group = parents.get(group)
    assert all(r["output"] and CZECH_LETTERS & set(r["name"] + r["output"]) for r in rows[:5])
    deadlines = {int(r["legal_deadline_days"]) for r in rows if r["legal_deadline_days"]}
    assert {30, 60} <= deadlines
    # The key processes name their catalogue variables: cost and cases closed (output).
    variables = {v["code"] for v in demo_catalogue()["variables"]}
    keyed = [r for r in rows if r["cost_variable"]]
    assert len(keyed) == len(cat.CZECH_KEY_PROCESSES)
    for row in keyed:
        assert row["cost_variable"].endswith("_COST") and row["cost_variable"] in variables
        assert row["output_variable"].endswith("_CLOSED") and row["output_variable"] in variables


# --- the Czech office: costing ------------------------------------------------------------


@pytest.mark.parametrize("period", CZECH_PERIODS)
def test_the_czech_costing_keeps_the_rules_of_a_costing_workbook(period):
    departments, allocation, outputs = czech_costing(period)
    kinds = {d: kind for d, _n, kind, *_r in departments}
    processes = {r["code"] for r in czech_process_map()}
    totals: dict[str, float] = defaultdict(float)
    for department, process, percent in allocation:
        assert kinds[department] == "primary"
        assert process in processes
        assert 0 < percent <= 100
        totals[department] += percent
    assert max(totals.values()) <= 100 + 1e-9
    # Some capacity is unused, and shown apart: no department is fully allocated.
    assert all(total < 99 for total in totals.values())
    assert all(f > 0 and p > 0 and o >= 0 for _d, _n, _k, f, p, o in departments)
    # Realistic CZK: 100-125 FTE, 0.6-1.0 million CZK of personnel cost per FTE.
    fte = sum(f for _d, _n, _k, f, _p, _o in departments)
    personnel = sum(p for _d, _n, _k, _f, p, _o in departments)
    assert 100 <= fte <= 125
    assert 600_000 <= personnel / fte <= 1_000_000
    assert {p for p, *_r in outputs} == processes


def test_the_czech_costing_conserves_and_grows_with_wages():
    pools = []
    for period in CZECH_PERIODS:
        departments, allocation, outputs = czech_costing(period)
        cost, unassigned = reference_costing(departments, allocation, outputs)
        pool = sum(p + o for _d, _n, _k, _f, p, o in departments)
        direct = sum(d for _p, _o, d in outputs)
        assert math.isclose(sum(cost.values()) + unassigned, pool + direct, rel_tol=1e-12)
        assert 0.03 < unassigned / pool < 0.12
        pools.append(pool)
    assert pools[0] < pools[1] < pools[2]


def test_czech_outputs_change_plausibly_and_a_zero_output_is_kept():
    by_year = {p: {code: out for code, out, _d in czech_costing(p)[2]} for p in CZECH_PERIODS}
    for code in by_year["2023"]:
        a, b, c = (by_year[p][code] for p in CZECH_PERIODS)
        if a and b and c:
            assert 0.7 < b / a < 1.3 and 0.7 < c / b < 1.3, code
    assert by_year["2024"]["SU_ODSTRANENI"] == 0  # no unit cost, and the page says why


def test_key_processes_output_is_the_sum_of_their_months():
    cases = czech_cases()
    assert cases.height == len(cat.CZECH_KEY_PROCESSES) * 36
    assert sorted(cases["period"].unique()) == list(CZECH_MONTHS)
    assert (cases["in_deadline"] <= cases["closed"]).all()
    assert (cases["closed"] >= 0).all() and (cases["lead_days"] > 0).all()
    key = {process: prefix for prefix, process, _names in cat.CZECH_KEY_PROCESSES}
    for period in CZECH_PERIODS:
        outputs = {code: out for code, out, _d in czech_costing(period)[2]}
        for process, prefix in key.items():
            months = cases.filter(
                (pl.col("prefix") == prefix) & pl.col("period").str.starts_with(period)
            )
            assert months.height == 12
            assert outputs[process] == months["closed"].sum()


def test_the_czech_values_keep_the_catalogue_rules_and_kinds():
    catalogue = demo_catalogue()
    values = czech_values()
    variables = {v["code"]: v for v in catalogue["variables"]}
    assert set(values["variable"]) <= set(variables)
    found = check_values(
        values,
        variables={
            c: VariableRule(c, min=v.get("min"), max=v.get("max"), kind=v["kind"])
            for c, v in variables.items()
        },
        rules=[
            ValidationRule.from_text(r["code"], r["rule"], severity=r["severity"])
            for r in catalogue["validation_rules"]
        ],
    )
    broken = found.filter(pl.col("check").is_in(["rule", "kind", "range", "not_finite"]))
    assert broken.is_empty(), broken.head(10).to_dicts()
    # Months for the cases; years for the yearly totals and the office's context.
    months = values.filter(pl.col("period").str.len_chars() == 7)
    assert months.height == len(cat.CZECH_KEY_PROCESSES) * 5 * 36
    population = values.filter(pl.col("variable") == "POPULATION")["value"]
    assert all(20_000 <= p <= 24_000 for p in population)


def test_the_demo_offices_are_deterministic():
    assert czech_costing("2024") == czech_costing("2024")
    assert czech_values().equals(czech_values())
    assert polish_costing() == polish_costing()


# --- the Polish offices ---------------------------------------------------------------------


def test_polish_offices_share_the_codes_and_variables_of_common_processes():
    assert 3 <= len(POLISH_OFFICES) <= 5
    shared = {process: prefix for process, prefix, _names in cat.SHARED_PROCESSES}
    for unit in POLISH_OFFICES:
        rows = {r["code"]: r for r in polish_process_map(unit)}
        for process, prefix in shared.items():
            if process in rows:
                assert rows[process]["cost_variable"] == f"{prefix}_COST"
                assert rows[process]["output_variable"] == f"{prefix}_OUTPUT"
    # Building permits and vehicle registration are in every office's map.
    assert all(
        "BUD_POZWOLENIE" in {r["code"] for r in polish_process_map(u)} for u in POLISH_OFFICES
    )


def test_polish_costing_conserves_and_gives_comparable_unit_costs():
    workbooks = polish_costing()
    assert set(workbooks) == {(u, p) for u in POLISH_OFFICES for p in PERIODS}
    permit_costs = []
    for (_unit, _period), (departments, allocation, outputs) in workbooks.items():
        totals: dict[str, float] = defaultdict(float)
        for department, _process, percent in allocation:
            totals[department] += percent
        assert max(totals.values()) <= 100
        cost, unassigned = reference_costing(departments, allocation, outputs)
        pool = sum(p + o for _d, _n, _k, _f, p, o in departments)
        direct = sum(d for _p, _o, d in outputs)
        assert math.isclose(sum(cost.values()) + unassigned, pool + direct, rel_tol=1e-12)
        output = {p: o for p, o, _d in outputs}["BUD_POZWOLENIE"]
        if output:
            permit_costs.append(cost["BUD_POZWOLENIE"] / output)
    # PLN per decision: same order of magnitude in every office and year.
    assert min(permit_costs) > 300 and max(permit_costs) < 5_000
    assert max(permit_costs) / min(permit_costs) < 4


# --- loaded by the demo ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_loads_the_offices_costing_cases_and_benchmarks_unit_costs():
    from miara.accounts.models import User
    from miara.accounts.scope import OPERATOR, manages_unit
    from miara.analytics.models import UnitResult
    from miara.collection.models import Value
    from miara.demo.setup import demo_prepare
    from miara.processes.models import CostPool, Department, Process, ProcessGroup, ProcessOutput
    from miara.processes.selectors import costing_result
    from miara.units.models import Unit

    logins = {
        username: role for username, role, _password in demo_prepare(progress=lambda text: None)
    }
    assert logins["tajemnik"] == "manager" and logins["kvalita"] == "manager"
    office = Unit.objects.get(code=CZECH_UNIT["code"])
    assert (office.name, office.country, office.type) == ("Lipová nad Odrou", "CZ", "orp")
    assert manages_unit(User.objects.get(username="tajemnik"), office.pk)
    assert User.objects.get(username="kvalita").units.filter(pk=office.pk).exists()

    assert Department.objects.filter(unit=office).count() == 12
    assert Process.objects.filter(unit=office).count() == len(czech_process_map())
    assert 7 <= ProcessGroup.objects.filter(unit=office).count() <= 10
    assert ProcessGroup.objects.filter(unit=office, parent__isnull=False).exists()
    assert not Process.objects.filter(unit=office, owner__isnull=True).exists()

    for period in CZECH_PERIODS:
        costing = costing_result(unit=office, period=period, acting_user=OPERATOR)
        pools = sum(
            p.personnel_cost + p.other_cost
            for p in CostPool.objects.filter(unit=office, period=period)
        )
        direct = sum(
            o.direct_cost for o in ProcessOutput.objects.filter(unit=office, period=period)
        )
        assert pools > 80_000_000  # CZK
        assert math.isclose(
            costing.processes["cost"].sum() + costing.unassigned, pools + direct, rel_tol=1e-9
        )
        assert costing.unassigned > 0
        # The key processes' cost and output went into their catalogue variables.
        stored = dict(
            Value.objects.filter(unit=office, period=period).values_list("variable__code", "value")
        )
        rows = {r["process"]: r for r in costing.processes.to_dicts()}
        for prefix, process, _names in cat.CZECH_KEY_PROCESSES:
            assert math.isclose(stored[f"{prefix}_COST"], rows[process]["cost"], abs_tol=0.01)
            assert stored[f"{prefix}_CLOSED"] == rows[process]["output"]

    monthly = Value.objects.filter(unit=office, period__in=CZECH_MONTHS)
    assert monthly.count() == len(cat.CZECH_KEY_PROCESSES) * 5 * 36
    assert set(monthly.values_list("period", flat=True)) == set(CZECH_MONTHS)
    share = UnitResult.objects.filter(
        unit=office, indicator__code="CZ_BUILD_DEADLINE_SHARE", result_set__is_current=True
    )
    assert {r.result_set.period for r in share.select_related("result_set")} >= set(CZECH_MONTHS)

    # The full cost of one building-permit decision, benchmarked across Polish offices:
    # the indicator's value is the costing's unit cost of the shared process.
    results = UnitResult.objects.filter(
        indicator__code="PROC_PERMIT_UNIT_COST",
        result_set__is_current=True,
        result_set__period="2024",
    ).select_related("unit")
    by_unit = {r.unit.code: r.value for r in results}
    assert len(by_unit) >= 4 and set(by_unit) <= set(POLISH_OFFICES)
    for code, value in by_unit.items():
        unit = Unit.objects.get(code=code)
        costing = costing_result(unit=unit, period="2024", acting_user=OPERATOR)
        row = costing.processes.filter(pl.col("process") == "BUD_POZWOLENIE").row(0, named=True)
        # The cost is written to the cent.
        assert math.isclose(value, row["cost"] / row["output"], rel_tol=1e-7)
    assert UnitResult.objects.filter(
        indicator__code="PROC_VEHREG_UNIT_COST", result_set__period="2024"
    ).values("unit").distinct().count() == len(POLISH_OFFICES)


@pytest.mark.django_db
def test_a_demo_database_made_before_the_offices_gets_them(monkeypatch):
    from miara.accounts.models import User
    from miara.analytics.models import ResultSet
    from miara.demo import setup
    from miara.processes.models import Process
    from miara.units.models import Unit

    # The demo as it was: no offices, no Czech logins.
    monkeypatch.setattr(setup, "demo_offices_load", lambda directory: None)
    monkeypatch.setattr(setup, "demo_costing_share", lambda: None)
    monkeypatch.setattr(setup, "DEMO_LOGINS", setup.DEMO_LOGINS[:4])
    setup.demo_prepare(progress=lambda text: None)
    assert not Unit.objects.filter(code=CZECH_UNIT["code"]).exists()
    monkeypatch.undo()

    logins = setup.demo_prepare(progress=lambda text: None)
    assert {"tajemnik", "kvalita"} <= {username for username, _role, _password in logins}
    office = Unit.objects.get(code=CZECH_UNIT["code"])
    assert Process.objects.filter(unit=office).count() == len(czech_process_map())
    assert User.objects.get(username="tajemnik").units.filter(pk=office.pk).exists()
    statuses = dict(ResultSet.objects.filter(is_current=True).values_list("period", "status"))
    # The years the offices' costs changed are revised; the cycle's year stays provisional.
    assert {statuses[p] for p in PERIODS} == {"revised"}
    assert statuses["2025"] == "provisional"
    assert {statuses[m] for m in CZECH_MONTHS} == {"final"}


def test_key_processes_name_their_criteria():
    # The map's `criteria` column: each Czech key process its five indicators; the other
    # processes none (processes_load refuses an unknown code, so loading the demo checks
    # that they exist).
    from miara.demo import catalogue as cat
    from miara.demo.offices import czech_process_map

    rows = {r["code"]: r for r in czech_process_map()}
    for prefix, process, _names in cat.CZECH_KEY_PROCESSES:
        criteria = rows[process]["criteria"].split(";")
        assert criteria == [
            f"{prefix}_UNIT_COST",
            f"{prefix}_DEADLINE_SHARE",
            f"{prefix}_LEAD_TIME",
            f"{prefix}_COMPLAINT_RATE",
            f"{prefix}_CLEARANCE",
        ]
    assert sum(1 for r in rows.values() if r["criteria"]) == len(cat.CZECH_KEY_PROCESSES)
