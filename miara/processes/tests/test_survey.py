"""The survey's one service: allocation_cell_save checks a cell as the workbook's load
checks the allocation sheet, refuses a cell changed meanwhile, audits each change."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from miara.accounts.models import AuditEntry
from miara.processes.errors import CellConflict
from miara.processes.models import TimeAllocation
from miara.processes.services import costing_load, processes_load
from miara.processes.survey import CellRefused, allocation_cell_save, survey_grid
from miara.processes.tests.files import costing_file, map_file
from miara.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(mike, tmp_path):
    processes_load(path=map_file(tmp_path), unit_code="A1", acting_user=mike)
    costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=mike)
    return Unit.objects.get(code="A1")


def save(user, unit, department="BUILD", process="ARCHIVE", percent="10", read=""):
    return allocation_cell_save(
        acting_user=user,
        unit=unit,
        period="2025",
        department=department,
        process=process,
        percent=percent,
        read_percent=read,
    )


def cell(process="ARCHIVE", department="BUILD"):
    found = TimeAllocation.objects.filter(
        department__code=department, process__code=process, period="2025"
    ).first()
    return found.percent if found else None


def test_it_saves_a_cell_and_answers_the_rows_total(office, mike):
    saved = save(mike, office, percent="12,5")
    assert (saved.percent, saved.row_total) == (12.5, 92.5)
    assert cell() == 12.5
    entry = AuditEntry.objects.get(action="costing.allocation")
    assert entry.user == mike and entry.details["new"] == 12.5 and entry.details["old"] is None


def test_an_empty_cell_clears_it(office, mike):
    saved = save(mike, office, process="ZONING", percent="", read="30")
    assert saved.percent is None and saved.row_total == 50
    assert cell("ZONING") is None


def test_the_same_value_changes_nothing(office, mike):
    save(mike, office, process="PERMIT", percent="50", read="50")
    assert not AuditEntry.objects.filter(action="costing.allocation").exists()


@pytest.mark.parametrize(
    "percent,message",
    [
        ("abc", "is not a number"),
        ("-1", "is not a percent from 0 to 100"),
        ("101", "is not a percent from 0 to 100"),
        ("25", "would add up to 105 %, more than 100 %"),
    ],
)
def test_it_refuses_what_is_no_share_of_the_row(office, mike, percent, message):
    with pytest.raises(CellRefused, match=message):
        save(mike, office, percent=percent)
    assert cell() is None


def test_it_refuses_a_support_department(office, mike):
    with pytest.raises(CellRefused, match="IT is a support department"):
        save(mike, office, department="IT")


def test_it_refuses_unknown_codes(office, mike):
    with pytest.raises(CellRefused, match="NOPE is not a department"):
        save(mike, office, department="NOPE")
    with pytest.raises(CellRefused, match="NOPE is not a process"):
        save(mike, office, process="NOPE")


def test_it_refuses_a_cell_someone_changed_meanwhile(office, mike):
    save(mike, office, process="PERMIT", percent="40", read="50")  # someone else
    with pytest.raises(CellConflict) as conflict:
        save(mike, office, process="PERMIT", percent="45", read="50")
    assert conflict.value.stored == 40
    assert "Someone else changed this cell meanwhile" in str(conflict.value)
    assert cell("PERMIT") == 40


def test_an_editor_may_not_change_the_survey(office, bob):
    with pytest.raises(PermissionDenied):
        save(bob, office)
    assert cell() is None


def test_the_grid_has_primary_departments_and_every_process(office, bob):
    grid = survey_grid(unit=office, period="2025", acting_user=bob)
    assert [r.code for r in grid.rows] == ["BUILD", "REG"]
    assert [p for p, _name in grid.processes] == ["ARCHIVE", "PERMIT", "REGISTER", "ZONING"]
    assert grid.rows[0].cells == {"PERMIT": 50, "ZONING": 30} and grid.rows[0].total == 80
    assert grid.support == [("IT", "Information technology")]
    assert not grid.editable


def test_an_office_outside_the_years_collection_keeps_its_survey(office, mike, alice):
    # The programme collects 2025 from B2 only: A1's process costs are no questionnaire's
    # variables, so its manager's survey still writes them (and the costs follow).
    from miara.collection.cycles import cycle_open
    from miara.collection.models import Value

    cycle_open(
        period="2025",
        name="2025",
        variable_codes=["WASTE_T"],
        unit_codes=["B2"],
        acting_user=alice,
    )
    before = Value.objects.filter(unit__code="A1", period="2025").count()
    saved = save(mike, office, percent="11")
    assert saved.percent == 11 and cell() == 11
    assert Value.objects.filter(unit__code="A1", period="2025").count() >= before > 0
