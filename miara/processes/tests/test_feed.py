"""Costs feed the benchmark: computing an office's costing writes each process's cost and
output into the variables its map names, through the one write path of values, in the
costing's transaction. Hand-worked office of tests/files.py: PERMIT writes its cost
(228 076.923…) into PERMIT_STAFF_COST and its output (400) into PERMITS_ISSUED, so the
indicator PERMIT_COST = PERMIT_STAFF_COST / PERMITS_ISSUED is PERMIT's unit cost."""

from __future__ import annotations

import pytest

from miara.accounts.models import AuditEntry
from miara.accounts.scope import OPERATOR
from miara.catalogue.models import Indicator, Variable
from miara.collection.cycles import submission_submit
from miara.collection.models import Submission, Value
from miara.engine.formula.parser import parse
from miara.engine.formula.scalar_eval import evaluate_scalar
from miara.processes.errors import CostingNotWritten
from miara.processes.models import CostPool, Process
from miara.processes.selectors import costing_result
from miara.processes.services import costing_load, processes_load
from miara.processes.survey import allocation_cell_save
from miara.processes.tests.files import EXPECTED, MAP, OUTPUTS, costing_file, map_file
from miara.processes.tests.test_load import stored
from miara.testing.cycles import cycle_2024
from miara.units.models import Unit

pytestmark = pytest.mark.django_db

PERMIT_COST = 200_000 + 60_000 * 2 / 5.2 + 5_000  # 228 076.923…


def value(variable: str, period: str = "2025"):
    return Value.objects.get(unit__code="A1", variable__code=variable, period=period).value


@pytest.fixture
def mapped(mike, tmp_path):
    processes_load(path=map_file(tmp_path), unit_code="A1", acting_user=mike)
    return Unit.objects.get(code="A1")


def test_the_costing_writes_the_cost_and_output_into_the_maps_variables(mapped, mike, tmp_path):
    costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=mike)
    assert value("PERMIT_STAFF_COST") == pytest.approx(PERMIT_COST, rel=1e-12)
    assert value("PERMITS_ISSUED") == 400
    # Processes without variables are skipped: only PERMIT's two values exist.
    assert Value.objects.filter(unit__code="A1", period="2025").count() == 2
    written = Value.objects.get(unit__code="A1", variable__code="PERMITS_ISSUED", period="2025")
    assert written.updated_by == mike and written.channel == "import"
    entry = AuditEntry.objects.get(action="values.load")
    assert entry.user == mike and "costing A1 2025" in entry.summary


def test_the_indicator_cost_per_output_is_the_unit_cost(mapped, mike, tmp_path):
    costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=mike)
    formula = Indicator.objects.get(code="PERMIT_COST").formula
    env = {code: value(code) for code in ("PERMIT_STAFF_COST", "PERMITS_ISSUED")}
    indicator = evaluate_scalar(parse(formula), env)
    unit_cost = (
        costing_result(unit=mapped, period="2025", acting_user=mike)
        .processes.filter(process="PERMIT")["unit_cost"]
        .item()
    )
    assert indicator == pytest.approx(unit_cost, rel=1e-12) == pytest.approx(EXPECTED["PERMIT"][5])
    assert indicator == pytest.approx(PERMIT_COST / 400, rel=1e-12)


def test_a_missing_output_empties_the_output_variable(mapped, mike, tmp_path):
    costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=mike)
    outputs = [OUTPUTS[0], ["PERMIT", None, 5_000], *OUTPUTS[2:]]
    costing_load(
        path=costing_file(tmp_path, outputs=outputs, name="b.xlsx"),
        unit_code="A1",
        period="2025",
        acting_user=mike,
    )
    assert value("PERMITS_ISSUED") is None
    assert value("PERMIT_STAFF_COST") == pytest.approx(PERMIT_COST, rel=1e-12)


def test_a_grid_cell_rewrites_the_costs(mapped, mike, tmp_path):
    costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=mike)
    allocation_cell_save(
        acting_user=mike,
        unit=mapped,
        period="2025",
        department="BUILD",
        process="PERMIT",
        percent="60",
        read_percent="50",
    )
    # BUILD 60 % → 240 000; staff PERMIT 2.4, ZONING 1.2, REGISTER 2: Σh = 5.6.
    expected = 240_000 + 60_000 * 2.4 / 5.6 + 5_000
    assert value("PERMIT_STAFF_COST") == pytest.approx(expected, rel=1e-12)


def test_a_submitted_questionnaire_refuses_the_costing_and_nothing_is_stored(
    mapped, mike, alice, tmp_path
):
    from miara.collection.cycles import cycle_open

    cycle = cycle_open(
        period="2025",
        name="Year 2025",
        variable_codes=["PERMITS_ISSUED", "PERMIT_STAFF_COST"],
        unit_codes=["A1"],
        required_codes=[],
        acting_user=alice,
    )
    submission_submit(
        submission=Submission.objects.get(cycle=cycle, unit__code="A1"), acting_user=mike
    )
    before = stored()
    with pytest.raises(CostingNotWritten) as refused:
        costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=mike)
    message = str(refused.value)
    assert "Nothing of the costing was stored" in message
    assert "submitted or accepted questionnaire" in message
    assert stored() == before
    assert not CostPool.objects.filter(period="2025").exists()
    assert not Value.objects.filter(period="2025").exists()


def test_a_period_no_collection_gathers_is_refused_to_the_manager(mapped, mike, alice, tmp_path):
    cycle_2024(alice, ["PERMITS_ISSUED"])  # the programme collects through cycles
    with pytest.raises(CostingNotWritten) as refused:
        costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=mike)
    assert "2025 is not collected from this unit now" in str(refused.value)
    assert not CostPool.objects.filter(period="2025").exists()
    # The operator at the command line loads the programme's data outside collections.
    costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=OPERATOR)
    assert value("PERMITS_ISSUED") == 400


def test_a_value_the_variable_refuses_names_process_and_variable(mapped, mike, tmp_path):
    Variable.objects.filter(code="PERMIT_STAFF_COST").update(max_value=1000)
    with pytest.raises(CostingNotWritten) as refused:
        costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=mike)
    assert "process PERMIT, variable PERMIT_STAFF_COST" in str(refused.value)
    assert "above the maximum" in str(refused.value)
    assert not CostPool.objects.exists()


def test_two_processes_writing_one_variable_are_refused(mike, tmp_path):
    shared = MAP.replace("decisions issued,30,,", "decisions issued,30,PERMIT_STAFF_COST,")
    processes_load(path=map_file(tmp_path, shared), unit_code="A1", acting_user=mike)
    with pytest.raises(CostingNotWritten) as refused:
        costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=mike)
    assert "PERMIT and ZONING both write into the variable PERMIT_STAFF_COST" in str(refused.value)
    assert not CostPool.objects.exists()


def test_a_refused_grid_cell_stores_nothing(mapped, mike, alice, tmp_path):
    costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=mike)
    # A questionnaire asks for the permits' cost, and 2025 is collected from no one.
    cycle_2024(alice, ["PERMIT_STAFF_COST", "PERMITS_ISSUED"])
    with pytest.raises(CostingNotWritten):
        allocation_cell_save(
            acting_user=mike,
            unit=mapped,
            period="2025",
            department="BUILD",
            process="PERMIT",
            percent="60",
            read_percent="50",
        )
    assert Process.objects.get(code="PERMIT")  # the map is untouched
    from miara.processes.models import TimeAllocation

    assert TimeAllocation.objects.get(process__code="PERMIT", period="2025").percent == 50
