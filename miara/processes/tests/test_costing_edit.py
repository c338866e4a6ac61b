"""Correcting one figure of the costing in the page: a cost pool's figure or a process's
output and direct cost, each through one audited service that checks it, refuses a
figure changed meanwhile and writes the recomputed costs into the map's variables."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from miara.accounts.models import AuditEntry
from miara.collection.models import Value
from miara.processes.costing_edit import (
    FigureRefused,
    cost_pool_figure_save,
    process_output_figure_save,
)
from miara.processes.errors import CostingNotWritten, FigureConflict
from miara.processes.models import CostPool, ProcessOutput
from miara.processes.services import costing_load, processes_load
from miara.processes.tests.files import costing_file, map_file
from miara.testing.cycles import cycle_2024
from miara.units.models import Unit

pytestmark = pytest.mark.django_db

SUPPORT = 60_000  # IT's pool (files.py)
SIGMA_H = 5.2  # staff allocated to processes: BUILD 4 · 80 % + REG 2 · 100 %


@pytest.fixture
def office(mike, tmp_path):
    processes_load(path=map_file(tmp_path), unit_code="A1", acting_user=mike)
    costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=mike)
    return Unit.objects.get(code="A1")


def value(variable: str):
    return Value.objects.get(unit__code="A1", variable__code=variable, period="2025").value


def pool(user, unit, field, new, read, department="BUILD"):
    return cost_pool_figure_save(
        acting_user=user,
        unit=unit,
        period="2025",
        department=department,
        field=field,
        value=new,
        read_value=read,
    )


def output(user, unit, field, new, read, process="PERMIT"):
    return process_output_figure_save(
        acting_user=user,
        unit=unit,
        period="2025",
        process=process,
        field=field,
        value=new,
        read_value=read,
    )


def test_a_personnel_cost_moves_the_process_cost_in_its_variable(office, mike):
    # PERMIT takes 50 % of BUILD's pool: 310 000 + 100 000 → 205 000, plus its support
    # share and its direct cost (files.py).
    assert value("PERMIT_STAFF_COST") == pytest.approx(200_000 + SUPPORT * 2 / SIGMA_H + 5_000)
    saved = pool(mike, office, "personnel_cost", "310 000", "300000")
    assert saved.value == 310_000 and saved.values_written == 1
    assert CostPool.objects.get(department__code="BUILD", period="2025").personnel_cost == 310_000
    assert value("PERMIT_STAFF_COST") == pytest.approx(205_000 + SUPPORT * 2 / SIGMA_H + 5_000)
    entry = AuditEntry.objects.get(action="costing.pool")
    assert entry.user == mike
    assert entry.details["field"] == "personnel_cost"
    assert (entry.details["old"], entry.details["new"]) == (300_000, 310_000)


def test_a_support_departments_cost_is_spread_by_staff(office, mike):
    pool(mike, office, "other_cost", "22000", "10000", department="IT")
    assert value("PERMIT_STAFF_COST") == pytest.approx(200_000 + 72_000 * 2 / SIGMA_H + 5_000)


def test_staff_of_a_primary_department_change_every_support_share(office, mike):
    # BUILD 5 FTE · 80 % + REG 2 → Σh 6; PERMIT's staff 5 · 50 % = 2.5
    pool(mike, office, "fte", "5", "4")
    assert value("PERMIT_STAFF_COST") == pytest.approx(200_000 + SUPPORT * 2.5 / 6 + 5_000)


def test_output_and_direct_cost(office, mike):
    output(mike, office, "output", "500", "400")
    assert value("PERMITS_ISSUED") == 500
    output(mike, office, "direct_cost", "7000,5", "5000")
    assert value("PERMIT_STAFF_COST") == pytest.approx(200_000 + SUPPORT * 2 / SIGMA_H + 7_000.5)
    row = ProcessOutput.objects.get(process__code="PERMIT", period="2025")
    assert (row.output, row.direct_cost) == (500, 7_000.5)
    assert AuditEntry.objects.filter(action="costing.output").count() == 2


def test_an_empty_output_means_none_known(office, mike):
    saved = output(mike, office, "output", "", "400")
    assert saved.value is None
    assert ProcessOutput.objects.get(process__code="PERMIT", period="2025").output is None


def test_a_figure_for_a_process_without_a_row_creates_it(office, mike):
    output(mike, office, "output", "12", "", process="ARCHIVE")
    row = ProcessOutput.objects.get(process__code="ARCHIVE", period="2025")
    assert (row.output, row.direct_cost) == (12, 0)


def test_the_same_figure_changes_nothing(office, mike):
    assert pool(mike, office, "fte", "4", "4").values_written == 0
    assert output(mike, office, "direct_cost", "", "", process="ZONING").values_written == 0
    assert not AuditEntry.objects.filter(action__in=["costing.pool", "costing.output"]).exists()


@pytest.mark.parametrize(
    "field,text,message",
    [
        ("personnel_cost", "-1", "personnel cost: -1 is not a number of zero or more"),
        ("other_cost", "abc", "other cost: “abc” is not a number"),
        ("fte", "inf", "FTE: inf is not a number of zero or more"),
        ("kind", "boss", "kind: “boss” is no department kind"),
        ("name", "x", "name is no figure of a cost pool"),
    ],
)
def test_it_refuses_what_is_no_figure_and_names_the_field(office, mike, field, text, message):
    with pytest.raises(FigureRefused, match=message):
        pool(mike, office, field, text, "")
    assert CostPool.objects.get(department__code="BUILD", period="2025").personnel_cost == 300_000


def test_it_refuses_a_negative_output_and_unknown_codes(office, mike):
    with pytest.raises(FigureRefused, match="output: -3 is not a number of zero or more"):
        output(mike, office, "output", "-3", "400")
    with pytest.raises(FigureRefused, match="NOPE is not a process"):
        output(mike, office, "output", "3", "", process="NOPE")
    with pytest.raises(FigureRefused, match="NOPE is not a department"):
        pool(mike, office, "fte", "3", "", department="NOPE")


def test_a_department_with_time_allocated_cannot_become_support(office, mike):
    with pytest.raises(FigureRefused, match="BUILD has time allocated to processes"):
        pool(mike, office, "kind", "support", "primary")
    assert CostPool.objects.get(department__code="BUILD", period="2025").kind == "primary"


def test_it_refuses_a_figure_someone_changed_meanwhile(office, mike):
    pool(mike, office, "fte", "5", "4")  # someone else
    with pytest.raises(FigureConflict) as conflict:
        pool(mike, office, "fte", "6", "4")
    assert conflict.value.stored == 5
    assert "Someone else changed FTE meanwhile: it now holds 5" in str(conflict.value)
    output(mike, office, "output", "450", "400")
    with pytest.raises(FigureConflict):
        output(mike, office, "output", "460", "400")
    assert ProcessOutput.objects.get(process__code="PERMIT", period="2025").output == 450


def test_an_editor_may_not_change_the_costing(office, bob):
    with pytest.raises(PermissionDenied):
        pool(bob, office, "fte", "5", "4")
    with pytest.raises(PermissionDenied):
        output(bob, office, "output", "5", "400")
    assert CostPool.objects.get(department__code="BUILD", period="2025").fte == 4


def test_costs_that_cannot_be_written_store_nothing(office, mike, alice):
    # The programme's questionnaires ask for the permits' cost (its 2024 cycle), and
    # 2025 is collected from no one now: the office may not write that variable then.
    cycle_2024(alice, ["PERMIT_STAFF_COST", "PERMITS_ISSUED"])
    with pytest.raises(CostingNotWritten):
        pool(mike, office, "personnel_cost", "310000", "300000")
    assert CostPool.objects.get(department__code="BUILD", period="2025").personnel_cost == 300_000
    assert not AuditEntry.objects.filter(action="costing.pool").exists()
