"""Quality and performance criteria of processes: the map file's `criteria` column, and
each criterion's current value, trend and position among the offices, checked against
numbers worked out by hand from the programme's values (miara/conftest.py).

Hand computation (PERMIT_COST = PERMIT_STAFF_COST / PERMITS_ISSUED, lower is better;
RECYCLING_RATE = RECYCLED_T / WASTE_T * 100, higher is better):

  A1 2023  80 000 / 400 = 200            2024  80 000 / 401 = 199.501 246 9…
  B2 2023  90 000 / 500 = 180            2024  90 000 / 501 = 179.640 718 6…
  C3 2023  15 000 /  50 = 300            2024  15 000 /  51 = 294.117 647 1…
  D4 no permits: no value (division by zero)
  A1 in 2024: 2nd of 3 (B2 179.6 < A1 199.5 < C3 294.1), change −0.4988 → better

  A1 RECYCLING_RATE 2023  300 / 1000 · 100 = 30     2024  320 / 1010 · 100 = 31.683 168…
  all four offices in 2024: D4 300/710 = 42.25, B2 620/1510 = 41.06,
  A1 31.68, C3 80/310 = 25.81 → A1 3rd of 4, change +1.6832 → better

Monthly operational data of A1 for PERMIT_COST (loaded with `miara load values`):
  2025-01  6 000 / 40 = 150      2025-02  7 000 / 35 = 200
  the latest period is 2025-02: 200, against 2025-01 +50 → worse (lower is better);
  no result set for 2025-02, so no position among the offices.
"""

from __future__ import annotations

import pytest

from miara.cli import main
from miara.fileio import FileProblem
from miara.processes.models import Process, ProcessCriterion
from miara.processes.selectors import (
    BETTER,
    NO_TREND,
    WORSE,
    period_order,
    process_criteria,
    process_map,
)
from miara.processes.services import processes_load
from miara.processes.tests.files import map_file

pytestmark = pytest.mark.django_db

MAP = (
    "code,name,group,owner,output,legal_deadline_days,criteria\n"
    "PERMIT,Building permits,Construction,BUILD,decisions issued,60,PERMIT_COST; RECYCLING_RATE\n"
    "ARCHIVE,Archive,Internal,REG,files kept,,\n"
)


@pytest.fixture
def programme(programme_with_results):
    return programme_with_results


@pytest.fixture
def office(programme, mike, tmp_path):
    processes_load(path=map_file(tmp_path, MAP), unit_code="A1", acting_user=mike)
    return Process.objects.get(code="PERMIT").unit


def statuses(unit, user):
    processes = list(process_map(unit=unit, acting_user=user))
    found = process_criteria(unit=unit, acting_user=user, processes=processes)
    return {p.code: found[p.pk] for p in processes}


def test_the_criteria_column_names_the_criteria_in_order(office):
    permit = Process.objects.get(code="PERMIT")
    assert [c.indicator.code for c in permit.criteria.order_by("order")] == [
        "PERMIT_COST",
        "RECYCLING_RATE",
    ]
    assert not Process.objects.get(code="ARCHIVE").criteria.exists()


def test_reloading_the_criteria_changes_nothing_and_a_new_list_replaces_them(
    office, mike, tmp_path
):
    report = processes_load(path=map_file(tmp_path, MAP), unit_code="A1", acting_user=mike)
    assert not report.changed
    changed = MAP.replace("PERMIT_COST; RECYCLING_RATE", "POP")
    report = processes_load(path=map_file(tmp_path, changed), unit_code="A1", acting_user=mike)
    assert report.updated == {"process criteria": 1}
    assert [c.indicator.code for c in ProcessCriterion.objects.all()] == ["POP"]


def test_a_map_without_the_criteria_column_keeps_the_criteria(office, mike, tmp_path):
    without = "code,name\nPERMIT,Building permits\n"
    processes_load(path=map_file(tmp_path, without), unit_code="A1", acting_user=mike)
    assert ProcessCriterion.objects.count() == 2


def test_an_unknown_criterion_is_named_by_row_and_column_and_nothing_is_stored(
    programme, mike, tmp_path
):
    bad = MAP.replace("PERMIT_COST; RECYCLING_RATE", "PERMIT_COST;NO_SUCH;PERMIT_COST")
    with pytest.raises(FileProblem) as caught:
        processes_load(path=map_file(tmp_path, bad), unit_code="A1", acting_user=mike)
    found = [(p.line, p.column, p.message) for p in caught.value.problems]
    assert found == [
        (2, "criteria", "“NO_SUCH” is not an indicator of the catalogue"),
        (2, "criteria", "indicator PERMIT_COST is named twice as a criterion"),
    ]
    assert not Process.objects.exists() and not ProcessCriterion.objects.exists()


def test_each_criterion_has_its_value_trend_and_position_as_worked_by_hand(office, bob):
    cost, recycling = statuses(office, bob)["PERMIT"]
    assert cost.indicator.code == "PERMIT_COST"
    assert cost.period == "2024"
    assert cost.value == pytest.approx(80_000 / 401)
    assert cost.previous_period == "2023" and cost.previous == pytest.approx(200)
    assert cost.change == pytest.approx(80_000 / 401 - 200)
    assert cost.trend == BETTER  # lower is better, and it fell
    assert (cost.rank, cost.n) == (2, 3)
    assert cost.quartile in (2, 3)  # the middle of three
    assert [p for p, _v in cost.series] == ["2023", "2024"]

    assert recycling.value == pytest.approx(320 / 1010 * 100)
    assert recycling.change == pytest.approx(320 / 1010 * 100 - 30)
    assert recycling.trend == BETTER
    assert (recycling.rank, recycling.n) == (3, 4)


def test_the_position_is_the_one_the_scorecard_reads_from_the_stored_results(office, bob):
    from miara.analytics.models import UnitResult

    cost, _recycling = statuses(office, bob)["PERMIT"]
    stored = UnitResult.objects.get(
        result_set__is_current=True,
        result_set__period="2024",
        group="all",
        unit=office,
        indicator__code="PERMIT_COST",
    )
    assert (cost.rank, cost.quartile, cost.percentile) == (
        stored.rank,
        stored.quartile,
        stored.percentile,
    )


def test_monthly_operational_data_become_the_current_value(office, bob, tmp_path, capsys):
    # Outside any collection cycle: the command line (the operator) stores monthly
    # values of an office through the one write path.
    values = tmp_path / "monthly.csv"
    values.write_text(
        "unit,variable,period,value\n"
        "A1,PERMITS_ISSUED,2025-01,40\nA1,PERMIT_STAFF_COST,2025-01,6000\n"
        "A1,PERMITS_ISSUED,2025-02,35\nA1,PERMIT_STAFF_COST,2025-02,7000\n",
        encoding="utf-8",
    )
    assert main(["load", "values", str(values)]) == 0
    cost, _recycling = statuses(office, bob)["PERMIT"]
    assert (cost.period, cost.value) == ("2025-02", pytest.approx(200))
    assert (cost.previous_period, cost.previous) == ("2025-01", pytest.approx(150))
    assert cost.change == pytest.approx(50)
    assert cost.trend == WORSE
    assert (cost.rank, cost.n, cost.quartile) == (None, None, None)
    assert cost.series == [("2025-01", pytest.approx(150)), ("2025-02", pytest.approx(200))]


def test_a_criterion_without_values_has_no_value_and_no_trend(office, mike, tmp_path):
    processes_load(
        path=map_file(tmp_path, "code,name,criteria\nARCHIVE,Archive,WASTE_PC\n"),
        unit_code="A1",
        acting_user=mike,
    )
    from miara.collection.models import Value

    Value.objects.filter(unit=office, variable__code="WASTE_T").delete()
    (waste,) = statuses(office, mike)["ARCHIVE"]
    assert (waste.value, waste.period, waste.trend) == (None, None, NO_TREND)


def test_periods_are_ordered_in_time_across_kinds():
    codes = ["2025-03", "2024", "2025-Q1", "2024-12", "2025-01", "2024-Q4"]
    assert sorted(codes, key=period_order) == [
        "2024-12",
        "2024-Q4",
        "2024",
        "2025-01",
        "2025-03",
        "2025-Q1",
    ]


def monthly_rows(period: str):
    import polars as pl

    return pl.DataFrame(
        {
            "unit": ["A1", "A1"],
            "variable": ["PERMITS_ISSUED", "PERMIT_STAFF_COST"],
            "period": [period, period],
            "value": ["40", "6000"],
            "__line": [1, 2],
        }
    )


def test_an_office_writes_its_monthly_data_itself_where_the_programme_runs_no_cycles(office, mike):
    # The API's and the form's rule (collection.cycles.values_write_refusals): a
    # programme without collection cycles leaves offices their own periods, months too.
    from miara.collection.models import Value
    from miara.collection.services import values_save

    values_save(acting_user=mike, rows=monthly_rows("2025-03"), channel="api")
    assert Value.objects.filter(unit=office, period="2025-03").count() == 2


def test_where_the_programme_runs_yearly_cycles_an_office_writes_its_months_itself(
    office, mike, alice
):
    # Yearly cycles collect years: months are the office's own running data (its
    # cases per month), which its staff load, even of variables a questionnaire asks
    # for; an earlier year of such variables stays the coordinators'.
    from miara.collection.cycles import cycle_open
    from miara.collection.models import Value
    from miara.collection.services import WriteRefused, values_save

    cycle_open(
        period="2024",
        name="2024",
        variable_codes=["PERMITS_ISSUED", "PERMIT_STAFF_COST"],
        unit_codes=["A1"],
        acting_user=alice,
    )
    values_save(acting_user=mike, rows=monthly_rows("2025-03"), channel="api")
    assert Value.objects.filter(unit=office, period="2025-03").count() == 2
    with pytest.raises(WriteRefused):
        values_save(acting_user=mike, rows=monthly_rows("2019"), channel="api")
    assert not Value.objects.filter(unit=office, period="2019").exists()


def test_where_the_programme_collects_months_only_coordinators_write_other_months(
    office, mike, alice
):
    from miara.collection.cycles import cycle_open
    from miara.collection.models import Cycle, Value
    from miara.collection.services import WriteRefused, values_save

    cycle = cycle_open(
        period="2025-01",
        name="2025-01",
        variable_codes=["PERMITS_ISSUED", "PERMIT_STAFF_COST"],
        unit_codes=["A1"],
        acting_user=alice,
    )
    Cycle.objects.filter(pk=cycle.pk).update(is_open=False)
    with pytest.raises(WriteRefused):
        values_save(acting_user=mike, rows=monthly_rows("2025-03"), channel="api")
    values_save(acting_user=alice, rows=monthly_rows("2025-03"), channel="api")
    assert Value.objects.filter(unit=office, period="2025-03").count() == 2
