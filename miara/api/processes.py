"""The process-managed office: an office's processes, its costing of a period (the rows of
`miara export costing`), and its costing data written as JSON (the costing workbook's
three sheets, contracts.md).

The same rules as the pages: the process map is read by whoever sees the unit; the
costing by the office's own users, and by the programme's coordinators and experts only
where the office shares it; an office that is hidden, or whose costing is not shared,
is the same 404 as a missing one.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from openpyxl import Workbook

from miara.accounts.scope import access_unit
from miara.api.auth import protected
from miara.api.schemas import Code, ErrorOut, PeriodCode, UnitCode, ValidationErrorOut
from miara.fileio import FileProblem
from miara.processes.errors import CellConflict, CostingNotWritten, ProcessRequestError
from miara.processes.selectors import costing_periods, costing_result, process_map
from miara.processes.services import costing_load, may_read_costing, period_code
from miara.processes.survey import allocation_cell_save

router = Router(tags=["processes"], auth=protected)


class CostingInputErrors(Exception):
    """Rows of a costing that cannot be stored; answered as 422, one entry each."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__(f"{len(errors)} row(s) cannot be stored")


class ProcessOut(Schema):
    code: str
    name: str
    group: str | None = Field(description="Its process group")
    owner: str | None = Field(description="The owning department's code")
    output: str = Field(description='What it is measured by, e.g. "decisions issued"')
    legal_deadline_days: int | None
    cost_variable: str | None = Field(
        description="The catalogue variable that receives its computed cost"
    )
    output_variable: str | None = Field(
        description="The catalogue variable that receives its output volume"
    )


class CostingRowOut(Schema):
    process: str
    department_cost: float
    support_cost: float
    direct_cost: float
    cost: float
    output: float | None
    unit_cost: float | None = Field(description="Empty when the output is 0 or missing")
    unit_cost_reason: str | None = Field(description="output_zero, output_missing or empty")


class CostingOut(Schema):
    unit: str
    period: str
    rows: list[CostingRowOut]
    unassigned: float = Field(description="Unused capacity: cost allocated to no process")
    total_pools: float
    total_direct: float


class DepartmentIn(Schema):
    department: Annotated[str, Field(min_length=1, max_length=40)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    kind: str = Field(description="primary or support")
    fte: float
    personnel_cost: float
    other_cost: float


class AllocationIn(Schema):
    department: Annotated[str, Field(min_length=1, max_length=40)]
    process: Code
    percent: float = Field(description="0–100; a department's row adds up to at most 100")


class OutputIn(Schema):
    process: Code
    output: float | None = None
    direct_cost: float | None = 0


class CostingIn(Schema):
    departments: list[DepartmentIn] = Field(max_length=2000)
    allocation: list[AllocationIn] = Field(max_length=200_000)
    outputs: list[OutputIn] = Field(max_length=10_000)


class CostingWrittenOut(Schema):
    summary: str


class CellIn(Schema):
    department: Annotated[str, Field(min_length=1, max_length=40)]
    process: Code
    percent: float | None = Field(description="0–100; null empties the cell")
    read_percent: float | None = Field(
        description="The cell as you read it (null: empty); its version: when the stored "
        "cell differs, someone changed it meanwhile and the answer is 409"
    )


class CellOut(Schema):
    percent: float | None
    row_total: float = Field(description="The department's row after the change, in percent")


class CellConflictOut(Schema):
    detail: str
    stored: float | None = Field(description="The cell as it is stored now")


def _costing_unit(user, code: str):
    unit = access_unit(user, code)
    if not may_read_costing(user, unit):
        raise Http404(f"There is no unit with the code “{code}”.")
    return unit


@router.get(
    "/processes",
    response={200: list[ProcessOut], 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="The processes of an office",
)
def processes_list(request, unit: Annotated[UnitCode, Query(description="Unit code")]):
    """The office's process map, by code. A unit you may not see is a 404, as is one
    that does not exist."""
    office = access_unit(request.auth, unit)
    return [
        {
            "code": p.code,
            "name": p.name,
            "group": p.group.name if p.group else None,
            "owner": p.owner.code if p.owner else None,
            "output": p.output,
            "legal_deadline_days": p.legal_deadline_days,
            "cost_variable": p.cost_variable.code if p.cost_variable else None,
            "output_variable": p.output_variable.code if p.output_variable else None,
        }
        for p in process_map(unit=office, acting_user=request.auth).select_related(
            "cost_variable", "output_variable"
        )
    ]


@router.get(
    "/costing",
    response={200: CostingOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="The costing of an office in a period",
)
def costing_get(
    request,
    unit: Annotated[UnitCode, Query(description="Unit code")],
    period: Annotated[PeriodCode, Query(description="2025, 2025-Q1 or 2025-03")],
):
    """One row per process of the map, as `miara export costing` writes them, with the
    unassigned cost (unused capacity) and the totals, so that rows + unassigned = pools +
    direct costs. 404 for a unit you may not see, one whose costing is not shared with
    you, and a period without costing data."""
    office = _costing_unit(request.auth, unit)
    if period not in costing_periods(unit=office, acting_user=request.auth):
        raise Http404(f"{office.code} has no costing data for {period}")
    result = costing_result(unit=office, period=period, acting_user=request.auth)
    return {
        "unit": office.code,
        "period": period,
        "rows": result.processes.select(list(CostingRowOut.model_fields)).to_dicts(),
        "unassigned": result.unassigned,
        "total_pools": result.total_pools,
        "total_direct": result.total_direct,
    }


@router.post(
    "/costing",
    response={
        200: CostingWrittenOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Replace an office's costing data of a period, all or nothing",
)
def costing_post(
    request,
    payload: CostingIn,
    unit: Annotated[UnitCode, Query(description="Unit code")],
    period: Annotated[PeriodCode, Query(description="2025, 2025-Q1 or 2025-03")],
):
    """The costing workbook's three sheets as JSON (contracts.md, "Costing workbook"):
    checked as `miara load costing` checks the workbook, and every problem is a 422 entry
    whose `index` is the item's position in its list (`field` names the list and the
    column). The office's managers and the coordinators may write; the computed costs go
    into the map's variables in the same transaction (409 when they cannot be written,
    e.g. a closed data collection; then nothing is stored)."""
    office = access_unit(request.auth, unit)
    sheets = {
        "departments": (
            ["department", "name", "kind", "fte", "personnel_cost", "other_cost"],
            payload.departments,
        ),
        "allocation": (["department", "process", "percent"], payload.allocation),
        "outputs": (["process", "output", "direct_cost"], payload.outputs),
    }
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, (columns, items) in sheets.items():
        sheet = workbook.create_sheet(title)
        sheet.append(columns)
        for item in items:
            sheet.append([getattr(item, column) for column in columns])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "costing.xlsx"
        workbook.save(path)
        try:
            report = costing_load(
                path=path,
                unit_code=office.code,
                period=period_code(period),
                acting_user=request.auth,
                channel="api",
            )
        except FileProblem as problem:
            # Row n of a sheet is item n - 2 of its list (row 1 is the header).
            raise CostingInputErrors(
                [
                    {
                        "index": p.line - 2 if p.line else None,
                        "field": ".".join(x for x in (p.sheet, p.column) if x) or "costing",
                        "message": p.message,
                    }
                    for p in problem.problems
                ]
            ) from None
        except ProcessRequestError as error:
            return Status(409, {"detail": str(error)})
    return {"summary": report.summary()}


@router.post(
    "/costing/allocation",
    response={
        200: CellOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: CellConflictOut | ErrorOut,
        422: ValidationErrorOut | ErrorOut,
    },
    summary="Set one cell of the time-allocation survey",
)
def allocation_post(
    request,
    payload: CellIn,
    unit: Annotated[UnitCode, Query(description="Unit code")],
    period: Annotated[PeriodCode, Query(description="2025, 2025-Q1 or 2025-03")],
):
    """The share of a primary department's time spent on a process, as the survey page
    saves a cell: 0–100, the department's row at most 100 %, no support department (422
    with the reason otherwise). `read_percent` is the cell as you read it: 409 with the
    stored cell when someone changed it meanwhile, or when the recomputed costs cannot be
    written into the map's variables; then nothing is stored."""
    office = _costing_unit(request.auth, unit)
    try:
        saved = allocation_cell_save(
            acting_user=request.auth,
            unit=office,
            period=period_code(period),
            department=payload.department,
            process=payload.process,
            percent=payload.percent,
            read_percent=payload.read_percent,
            channel="api",
        )
    except CellConflict as conflict:
        return Status(409, {"detail": str(conflict), "stored": conflict.stored})
    except CostingNotWritten as refused:
        return Status(409, {"detail": str(refused)})
    except ProcessRequestError as refused:
        return Status(422, {"detail": str(refused)})
    return {"percent": saved.percent, "row_total": saved.row_total}
