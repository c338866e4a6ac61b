"""Loading a process map and a costing workbook: hand-worked office, every bad input
named by sheet, row and column with nothing stored, idempotent reloads, permissions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from miara.accounts.models import AuditEntry
from miara.fileio import FileProblem
from miara.processes.models import (
    CostPool,
    Department,
    Process,
    ProcessGroup,
    ProcessOutput,
    TimeAllocation,
)
from miara.processes.selectors import costing_result, process_map
from miara.processes.services import (
    ProcessRequestError,
    costing_load,
    process_settings_update,
    processes_load,
)
from miara.processes.tests.files import (
    ALLOCATION,
    DEPARTMENTS,
    EXPECTED,
    OUTPUTS,
    costing_file,
    map_file,
)
from miara.units.models import Unit

pytestmark = pytest.mark.django_db


def stored() -> tuple:
    """Everything the process app holds, to show that a refused load stored nothing."""
    return tuple(
        tuple(sorted(map(repr, model.objects.values_list(*fields))))
        for model, fields in (
            (Department, ("unit__code", "code", "name", "kind")),
            (ProcessGroup, ("unit__code", "name", "parent__name")),
            (Process, ("unit__code", "code", "name", "group__name", "owner__code")),
            (
                CostPool,
                ("period", "department__code", "kind", "fte", "personnel_cost", "other_cost"),
            ),
            (TimeAllocation, ("period", "department__code", "process__code", "percent")),
            (ProcessOutput, ("period", "process__code", "output", "direct_cost")),
        )
    )


@pytest.fixture
def office(mike, tmp_path):
    """A1's map and its 2025 costing, loaded by its manager."""
    processes_load(path=map_file(tmp_path), unit_code="A1", acting_user=mike)
    costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=mike)
    return Unit.objects.get(code="A1")


# --- the process map ---------------------------------------------------------------


def test_the_map_creates_processes_groups_and_owner_departments(mike, tmp_path):
    report = processes_load(path=map_file(tmp_path), unit_code="A1", acting_user=mike)
    assert report.created == {"process groups": 4, "departments": 2, "processes": 4}
    permit = Process.objects.get(unit__code="A1", code="PERMIT")
    assert (permit.name, permit.group.name, permit.group.parent.name) == (
        "Building permits",
        "Construction",
        "Public services",
    )
    assert (permit.owner.code, permit.output, permit.legal_deadline_days) == (
        "BUILD",
        "decisions issued",
        60,
    )
    assert (permit.cost_variable.code, permit.output_variable.code) == (
        "PERMIT_STAFF_COST",
        "PERMITS_ISSUED",
    )
    assert ProcessGroup.objects.get(name="Internal").parent is None
    assert Department.objects.get(code="BUILD").kind == "primary"
    entry = AuditEntry.objects.get(action="processes.load")
    assert entry.user == mike and entry.details["unit"] == "A1"
    assert [p.code for p in process_map(unit=permit.unit, acting_user=mike)] == [
        "ARCHIVE",
        "PERMIT",
        "REGISTER",
        "ZONING",
    ]


def test_loading_the_same_map_twice_changes_nothing(mike, tmp_path):
    path = map_file(tmp_path)
    processes_load(path=path, unit_code="A1", acting_user=mike)
    before = stored()
    report = processes_load(path=path, unit_code="A1", acting_user=mike)
    assert not report.changed and report.unchanged == {"processes": 4}
    assert stored() == before
    assert AuditEntry.objects.filter(action="processes.load").count() == 1


def test_a_second_map_updates_and_keeps_what_it_does_not_name(mike, tmp_path):
    processes_load(path=map_file(tmp_path), unit_code="A1", acting_user=mike)
    report = processes_load(
        path=map_file(tmp_path, "code,name\nPERMIT,Building-permit decisions\n", "two.csv"),
        unit_code="A1",
        acting_user=mike,
    )
    assert report.updated == {"processes": 1}
    permit = Process.objects.get(code="PERMIT")
    # Columns the file leaves out keep their stored values.
    assert (permit.name, permit.owner.code, permit.group.name) == (
        "Building-permit decisions",
        "BUILD",
        "Construction",
    )
    assert Process.objects.count() == 4


BAD_MAPS = [
    ("code,name\npermit,Permits\n", "line 2, column code: “permit” is not a process code"),
    (
        "code,name\nP1,One\nP1,Again\n",
        "line 3, column code: process P1 appears twice (first on line 2)",
    ),
    ("code,name\nP1,\n", "line 2, column name: the process has no name"),
    (
        "code,name,owner\nP1,One,D\nP2,Two,\n",
        "line 3, column owner: process P2 has no owner department",
    ),
    (
        "code,name,cost_variable\nP1,One,NOPE\n",
        "line 2, column cost_variable: “NOPE” is not a variable",
    ),
    (
        "code,name,legal_deadline_days\nP1,One,-3\n",
        "line 2, column legal_deadline_days: “-3” is not a number of days",
    ),
    (
        "code,name,group,parent_group\nP1,One,A,B\nP2,Two,B,A\n",
        "line 2, column parent_group: process groups form a cycle: A → B → A",
    ),
    (
        "code,name,group,parent_group\nP1,One,A,A\n",
        "line 2, column parent_group: group “A” cannot be its own parent",
    ),
    (
        "code,name,group,parent_group\nP1,One,A,B\nP2,Two,A,C\n",
        "line 3, column parent_group: group “A” has the parent group “B” on line 2 and “C” here",
    ),
    (
        "code,name,parent_group\nP1,One,B\n",
        "line 2, column parent_group: a parent group is given but no group",
    ),
    ("name\nOne\n", "line 1: missing column 'code'"),
    ("code,name\n", "the file has a header but no processes"),
]


@pytest.mark.parametrize(("text", "message"), BAD_MAPS)
def test_a_bad_map_is_refused_naming_line_and_column_and_nothing_is_stored(
    mike, tmp_path, text, message
):
    with pytest.raises(FileProblem) as caught:
        processes_load(path=map_file(tmp_path, text), unit_code="A1", acting_user=mike)
    assert message in caught.value.report()
    assert stored() == ((),) * 6
    assert not AuditEntry.objects.filter(action="processes.load").exists()


def test_a_cycle_with_the_stored_tree_of_groups_is_refused(mike, tmp_path):
    processes_load(path=map_file(tmp_path), unit_code="A1", acting_user=mike)
    before = stored()
    with pytest.raises(FileProblem) as caught:
        processes_load(
            path=map_file(
                tmp_path, "code,name,group,parent_group\nX,X,Public services,Construction\n"
            ),
            unit_code="A1",
            acting_user=mike,
        )
    assert "process groups form a cycle: Public services → Construction → Public services" in (
        caught.value.report()
    )
    assert stored() == before


def test_a_map_names_its_cells_in_a_workbook(mike, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["name", "code"])
    workbook.active.append(["One", "bad code"])
    workbook.save(tmp_path / "map.xlsx")
    with pytest.raises(FileProblem) as caught:
        processes_load(path=tmp_path / "map.xlsx", unit_code="A1", acting_user=mike)
    assert "map.xlsx, line 2, cell B2, column code: “bad code” is not a process code" in (
        caught.value.report()
    )


# --- the costing workbook ----------------------------------------------------------


def test_the_hand_worked_office_costs_as_worked_by_hand(office, mike):
    costing = costing_result(unit=office, period="2025", acting_user=mike)
    rows = {row["process"]: row for row in costing.processes.to_dicts()}
    assert list(rows) == ["ARCHIVE", "PERMIT", "REGISTER", "ZONING"]
    columns = ("department_cost", "support_cost", "direct_cost", "cost", "output", "unit_cost")
    for process, expected in EXPECTED.items():
        for column, want in zip(columns, expected, strict=True):
            got = rows[process][column]
            assert got == (None if want is None else pytest.approx(want, rel=1e-12)), column
    assert rows["ZONING"]["unit_cost_reason"] == "output_zero"
    assert rows["REGISTER"]["unit_cost_reason"] == "output_missing"
    assert costing.unassigned == pytest.approx(80_000)
    assert costing.processes["cost"].sum() + costing.unassigned == pytest.approx(566_000)
    assert Department.objects.get(code="IT").kind == "support"
    assert Department.objects.get(code="BUILD").name == "Construction office"


def test_loading_the_same_workbook_twice_changes_nothing(office, mike, tmp_path):
    before = stored()
    report = costing_load(
        path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=mike
    )
    assert not report.changed
    assert report.unchanged == {"cost pools": 3, "allocations": 3, "outputs": 3}
    assert stored() == before
    assert AuditEntry.objects.filter(action="costing.load").count() == 1


def test_a_new_workbook_replaces_the_period_and_leaves_other_periods(office, mike, tmp_path):
    costing_load(path=costing_file(tmp_path), unit_code="A1", period="2024", acting_user=mike)
    report = costing_load(
        path=costing_file(tmp_path, allocation=ALLOCATION[:2], name="less.xlsx"),
        unit_code="A1",
        period="2025",
        acting_user=mike,
    )
    assert report.updated == {"cost pools": 3, "allocations": 1, "outputs": 3}
    assert TimeAllocation.objects.filter(period="2025").count() == 1
    assert TimeAllocation.objects.filter(period="2024").count() == 3
    costing = costing_result(unit=office, period="2025", acting_user=mike)
    assert costing.unassigned == pytest.approx(400_000 * 0.5 + 100_000)


def test_periods_are_stored_by_their_code(office, mike, tmp_path):
    costing_load(
        path=costing_file(tmp_path), unit_code="A1", period=" 2025-q1 ".upper(), acting_user=mike
    )
    assert CostPool.objects.filter(period="2025-Q1").count() == 3


def replace(rows, row, column, value):
    rows = [list(r) for r in rows]
    rows[row][column] = value
    return rows


BAD_WORKBOOKS = [
    # (sheets to change, the expected words)
    (
        {"allocation": [*ALLOCATION, ["BUILD", "REGISTER", 25]]},
        "sheet allocation, row 5, cell C5, column percent: department BUILD's time adds up to "
        "more than 100 % by this row (105 %)",
    ),
    (
        {"allocation": replace(ALLOCATION, 3, 2, 101)},
        "sheet allocation, row 4, cell C4, column percent: “101” is over 100 %",
    ),
    (
        {"departments": replace(DEPARTMENTS, 2, 4, -5)},
        "sheet departments, row 3, cell E3, column personnel_cost: “-5” is negative",
    ),
    (
        {"departments": replace(DEPARTMENTS, 1, 3, -1)},
        "sheet departments, row 2, cell D2, column fte: “-1” is negative",
    ),
    (
        {"outputs": replace(OUTPUTS, 1, 2, -1)},
        "sheet outputs, row 2, cell C2, column direct_cost: “-1” is negative",
    ),
    (
        {"allocation": replace(ALLOCATION, 1, 1, "NOPE")},
        "sheet allocation, row 2, cell B2, column process: “NOPE” is not a process of this "
        "office's process map",
    ),
    (
        {"outputs": replace(OUTPUTS, 2, 0, "NOPE")},
        "sheet outputs, row 3, cell A3, column process: “NOPE” is not a process",
    ),
    (
        {"allocation": replace(ALLOCATION, 3, 0, "HR")},
        "sheet allocation, row 4, cell A4, column department: “HR” is not a department of the "
        "sheet “departments”",
    ),
    (
        {"allocation": [*ALLOCATION, ["IT", "PERMIT", 10]]},
        "sheet allocation, row 5, cell A5, column department: IT is a support department",
    ),
    ({"outputs": None}, "costing.xlsx, sheet outputs: the workbook has no sheet “outputs”"),
    (
        {"departments": [row[:5] for row in DEPARTMENTS]},
        "sheet departments, row 1, column other_cost: missing column “other_cost”",
    ),
    (
        {"departments": [*DEPARTMENTS, ["REG", "Again", "primary", 1, 1, 1]]},
        "sheet departments, row 5, cell A5, column department: department REG appears twice "
        "(first on row 3)",
    ),
    (
        {"allocation": [*ALLOCATION, ["BUILD", "PERMIT", 1]]},
        "sheet allocation, row 5, cell B5, column process: department BUILD and process PERMIT "
        "appears twice (first on row 2)",
    ),
    (
        {"outputs": [*OUTPUTS, ["PERMIT", 1, 1]]},
        "sheet outputs, row 5, cell A5, column process: process PERMIT appears twice",
    ),
    (
        {"departments": replace(DEPARTMENTS, 1, 2, "core")},
        "sheet departments, row 2, cell C2, column kind: “core” is not a kind of department",
    ),
    (
        {"departments": replace(DEPARTMENTS, 1, 5, "1,5")},
        "sheet departments, row 2, cell F2, column other_cost: “1,5” is not a number",
    ),
    (
        {"departments": DEPARTMENTS[:1]},
        "costing.xlsx, sheet departments: the sheet has a header but no departments",
    ),
    (
        {"outputs": [["process", "output", "direct_cost", "output"], *OUTPUTS[1:]]},
        "sheet outputs, row 1, column output: the column “output” appears twice",
    ),
    (
        {"departments": replace(DEPARTMENTS, 1, 5, None)},
        "sheet departments, row 2, cell F2, column other_cost: the cell is empty",
    ),
]


@pytest.mark.parametrize(("sheets", "message"), BAD_WORKBOOKS)
def test_a_bad_workbook_is_refused_naming_sheet_row_and_column(
    office, mike, tmp_path, sheets, message
):
    before = stored()
    path = costing_file(
        tmp_path,
        **{"departments": DEPARTMENTS, "allocation": ALLOCATION, "outputs": OUTPUTS, **sheets},
    )
    with pytest.raises(FileProblem) as caught:
        costing_load(path=path, unit_code="A1", period="2026", acting_user=mike)
    assert message in caught.value.report()
    assert stored() == before
    assert AuditEntry.objects.filter(action="costing.load").count() == 1


def test_a_bad_period_is_refused(office, mike, tmp_path):
    with pytest.raises(ProcessRequestError, match="“2025-13” is not a period"):
        costing_load(
            path=costing_file(tmp_path), unit_code="A1", period="2025-13", acting_user=mike
        )


def test_a_csv_is_no_costing_workbook(office, mike, tmp_path):
    with pytest.raises(FileProblem, match=r"must be an Excel \.xlsx workbook"):
        costing_load(path=map_file(tmp_path), unit_code="A1", period="2026", acting_user=mike)


# --- who may do what -----------------------------------------------------------------


def test_another_offices_editor_cannot_load_and_learns_nothing(carol, tmp_path):
    with pytest.raises(ProcessRequestError, match="no unit with the code “A1”"):
        processes_load(path=map_file(tmp_path), unit_code="A1", acting_user=carol)
    with pytest.raises(ProcessRequestError, match="no unit with the code “A1”"):
        costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=carol)
    assert stored() == ((),) * 6


@pytest.mark.parametrize("who", ["bob", "erin"])
def test_editors_and_experts_cannot_change_the_map(who, request, tmp_path):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        processes_load(path=map_file(tmp_path), unit_code="A1", acting_user=user)
    assert stored() == ((),) * 6


def test_a_coordinator_may_load_an_offices_map_and_costing(alice, tmp_path):
    processes_load(path=map_file(tmp_path), unit_code="A1", acting_user=alice)
    costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=alice)
    assert CostPool.objects.count() == 3


def test_the_office_reads_its_costing_and_the_programme_only_when_shared(
    office, mike, bob, alice, erin, carol
):
    assert costing_result(unit=office, period="2025", acting_user=bob).processes.height == 4
    for outsider in (alice, erin, carol):
        with pytest.raises(PermissionDenied):
            costing_result(unit=office, period="2025", acting_user=outsider)
    process_settings_update(unit=office, shares_costing=True, acting_user=mike)
    assert costing_result(unit=office, period="2025", acting_user=alice).processes.height == 4
    assert costing_result(unit=office, period="2025", acting_user=erin).processes.height == 4
    with pytest.raises(PermissionDenied):
        costing_result(unit=office, period="2025", acting_user=carol)
    assert AuditEntry.objects.filter(action="processes.settings").count() == 1


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_only_the_offices_managers_decide_to_share(office, who, request):
    with pytest.raises(PermissionDenied):
        process_settings_update(
            unit=office, shares_costing=True, acting_user=request.getfixturevalue(who)
        )
    assert not AuditEntry.objects.filter(action="processes.settings").exists()


def test_the_map_is_read_by_the_office_and_by_coordinators_where_shared(
    office, alice, bob, carol, mike
):
    assert process_map(unit=office, acting_user=bob).count() == 4
    for outsider in (alice, carol):
        with pytest.raises(PermissionDenied):
            process_map(unit=office, acting_user=outsider)
    process_settings_update(unit=office, shares_costing=True, acting_user=mike)
    assert process_map(unit=office, acting_user=alice).count() == 4
