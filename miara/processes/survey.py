"""The time-allocation survey of an office and period: the grid of primary departments ×
processes that the survey page shows, the one service that saves a cell of it, and the
costing workbook's template (contracts.md, "Costing workbook") pre-filled from the map.

A cell is the percent of a department's working time spent on a process (methodology.md,
"Process costing"). Saving one checks what `costing_load` checks for the whole workbook
(0–100, the department's row at most 100 %, no support department), refuses a cell that
someone else changed since the editor read it, and writes the recomputed costs into the
map's variables in the same transaction (`costing_data.costing_values_write`).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from miara.accounts.audit import audit_record
from miara.processes.costing_data import costing_values_write, process_map
from miara.processes.errors import CellConflict, ProcessRequestError
from miara.processes.models import CostPool, Department, Process, ProcessOutput, TimeAllocation
from miara.processes.services import (
    PERCENT_SLACK,
    _authorise_change,
    may_manage_processes,
    may_read_costing,
)
from miara.units.models import Unit


class CellRefused(ProcessRequestError):
    """A cell that cannot be saved (not a percent, a support department, a row over
    100 %, an unknown department or process); nothing was written."""


# --- reading the grid ---------------------------------------------------------------------


@dataclass
class SurveyRow:
    code: str
    name: str
    fte: float | None
    cost: float | None
    cells: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.cells.values())


@dataclass
class SurveyGrid:
    unit: Unit
    period: str
    rows: list[SurveyRow]
    processes: list[tuple[str, str]]  # (code, name), by code
    support: list[tuple[str, str]]  # support departments (code, name): no row of their own
    editable: bool
    has_pools: bool


def _period_kinds(unit: Unit, period: str) -> dict[int, str]:
    """Each department's kind in the period: its cost pool's, else the department's."""
    kinds = dict(Department.objects.filter(unit=unit).values_list("pk", "kind"))
    kinds.update(
        CostPool.objects.filter(unit=unit, period=period).values_list("department_id", "kind")
    )
    return kinds


def survey_grid(*, unit: Unit, period: str, acting_user) -> SurveyGrid:
    """The survey of the office's primary departments × its processes in a period.

    The caller has established that the user reads this office's costing
    (`services.may_read_costing`); `editable` says whether they may change it.
    """
    if not may_read_costing(acting_user, unit):
        raise ProcessRequestError(_("there is no such unit"))
    kinds = _period_kinds(unit, period)
    pools = {
        department: (fte, personnel + other)
        for department, fte, personnel, other in CostPool.objects.filter(
            unit=unit, period=period
        ).values_list("department_id", "fte", "personnel_cost", "other_cost")
    }
    rows: dict[int, SurveyRow] = {}
    support: list[tuple[str, str]] = []
    for pk, code, name in (
        Department.objects.filter(unit=unit).order_by("code").values_list("pk", "code", "name")
    ):
        if kinds[pk] == Department.Kind.SUPPORT:
            support.append((code, name))
            continue
        fte, cost = pools.get(pk, (None, None))
        rows[pk] = SurveyRow(code=code, name=name, fte=fte, cost=cost)
    for department, process, percent in TimeAllocation.objects.filter(
        unit=unit, period=period
    ).values_list("department_id", "process__code", "percent"):
        if department in rows:
            rows[department].cells[process] = percent
    processes = list(Process.objects.filter(unit=unit).order_by("code").values_list("code", "name"))
    return SurveyGrid(
        unit=unit,
        period=period,
        rows=list(rows.values()),
        processes=processes,
        support=support,
        editable=may_manage_processes(acting_user, unit),
        has_pools=bool(pools),
    )


# --- saving a cell ------------------------------------------------------------------------


@dataclass(frozen=True)
class CellSaved:
    percent: float | None  # None: the cell is empty now
    row_total: float
    values_written: int


def percent_of(text) -> float | None:
    """The percent typed into a cell (a dot or a comma as the decimal separator), None for
    an empty cell; CellRefused when it is no number from 0 to 100."""
    if text is None:
        return None
    if isinstance(text, int | float):
        value = float(text)
    else:
        cleaned = str(text).strip().replace("\u00a0", "").replace(" ", "").rstrip("%")
        if cleaned == "":
            return None
        try:
            value = float(cleaned.replace(",", "."))
        except ValueError:
            raise CellRefused(
                _("“%(text)s” is not a number; write a percent from 0 to 100")
                % {"text": str(text)[:40]}
            ) from None
    if not math.isfinite(value) or value < 0 or value > 100:
        raise CellRefused(_("%(value)s is not a percent from 0 to 100") % {"value": f"{value:g}"})
    return value


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= PERCENT_SLACK


def allocation_cell_save(
    *,
    acting_user,
    unit: Unit,
    period: str,
    department: str,
    process: str,
    percent,
    read_percent,
    channel: str = "web",
) -> CellSaved:
    """Save one cell of the survey: the percent of `department`'s time spent on `process`
    in `period` (text or a number; empty clears the cell).

    `read_percent` is the cell as the editor last read it (its version: None or "" for an
    empty cell). When the stored cell differs, someone else changed it meanwhile:
    CellConflict with the stored percent, and nothing is written. Otherwise the cell is
    checked (CellRefused: 0–100, the row at most 100 %, no support department), written,
    audited, and the costs that follow from it go into the map's variables in the same
    transaction (CostingNotWritten when they cannot be: then nothing is stored).
    """
    _authorise_change(acting_user, unit)
    value = percent_of(percent)
    expected = percent_of(read_percent)
    with transaction.atomic():
        # The department's row is the unit of consistency (its total): lock it, so two
        # editors of one row save one after the other and each sees the other's cells.
        # Its kind in the period (its cost pool's, else its own) comes in the same query.
        found = (
            Department.objects.select_for_update(of=("self",))
            .filter(unit=unit, code=department)
            .annotate(
                pool_kind=Subquery(
                    CostPool.objects.filter(department_id=OuterRef("pk"), period=period).values(
                        "kind"
                    )[:1]
                )
            )
            .values_list("pk", "kind", "pool_kind")
            .first()
        )
        if found is None:
            raise CellRefused(
                _("%(code)s is not a department of this office") % {"code": department}
            )
        department_id, kind, pool_kind = found
        if (pool_kind or kind) == Department.Kind.SUPPORT:
            raise CellRefused(
                _(
                    "%(code)s is a support department; its cost is spread over processes "
                    "by staff, so it has no allocation"
                )
                % {"code": department}
            )
        # The map (read once: the process's id here, the variables for the costs below).
        mapping = process_map(unit)
        process_id = next((pk for pk, code, *_v in mapping if code == process), None)
        if process_id is None:
            raise CellRefused(
                _("%(code)s is not a process of this office's process map") % {"code": process}
            )
        # The department's row in one read: the cell and the total of the others.
        cell_id, stored, others = None, None, 0.0
        for pk, row_process, row_percent in TimeAllocation.objects.filter(
            department_id=department_id, period=period
        ).values_list("pk", "process_id", "percent"):
            if row_process == process_id:
                cell_id, stored = pk, row_percent
            else:
                others += row_percent
        if not _same(stored, expected):
            raise CellConflict(
                _(
                    "Someone else changed this cell meanwhile: it now holds %(stored)s. "
                    "Check it and enter your value again."
                )
                % {"stored": _("nothing") if stored is None else f"{stored:g} %"},
                stored=stored,
            )
        total = others + (value or 0.0)
        if total > 100 + PERCENT_SLACK:
            raise CellRefused(
                _(
                    "department %(code)s's time would add up to %(total)s %%, more than "
                    "100 %%; lower another process of the row first"
                )
                % {"code": department, "total": f"{total:g}"}
            )
        if _same(stored, value):
            return CellSaved(percent=stored, row_total=others + (stored or 0.0), values_written=0)
        if value is None:
            TimeAllocation.objects.filter(pk=cell_id).delete()
        elif cell_id is None:
            TimeAllocation.objects.create(
                unit=unit,
                period=period,
                department_id=department_id,
                process_id=process_id,
                percent=value,
            )
        else:
            TimeAllocation.objects.filter(pk=cell_id).update(percent=value)
        audit_record(
            user=acting_user,
            action="costing.allocation",
            channel=channel,
            summary=f"{unit.code} {period} {department} × {process}: "
            f"{'' if stored is None else f'{stored:g}'} → {'' if value is None else f'{value:g}'}",
            details={
                "unit": unit.code,
                "period": period,
                "department": department,
                "process": process,
                "old": stored,
                "new": value,
            },
        )
        created, updated = costing_values_write(
            unit=unit, period=period, acting_user=acting_user, channel=channel, mapping=mapping
        )
    return CellSaved(percent=value, row_total=total, values_written=created + updated)


# --- the workbook template ----------------------------------------------------------------


def costing_template(*, unit: Unit, period: str, acting_user) -> bytes:
    """The costing workbook of the period (contracts.md: sheets `departments`,
    `allocation`, `outputs`), pre-filled with the map's departments and processes and
    with what is stored for the period; loaded back by `costing_load`, it changes nothing.
    Numbers not yet given are 0, so even the empty template loads."""
    from openpyxl import Workbook

    if not may_read_costing(acting_user, unit):
        raise ProcessRequestError(_("there is no such unit"))
    kinds = _period_kinds(unit, period)
    pools = {p.department_id: p for p in CostPool.objects.filter(unit=unit, period=period)}
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheet = workbook.create_sheet("departments")
    sheet.append(["department", "name", "kind", "fte", "personnel_cost", "other_cost"])
    for department in Department.objects.filter(unit=unit).order_by("code"):
        pool = pools.get(department.pk)
        sheet.append(
            [
                department.code,
                department.name,
                kinds[department.pk],
                pool.fte if pool else 0,
                pool.personnel_cost if pool else 0,
                pool.other_cost if pool else 0,
            ]
        )
    sheet = workbook.create_sheet("allocation")
    sheet.append(["department", "process", "percent"])
    for department, process, percent in (
        TimeAllocation.objects.filter(unit=unit, period=period)
        .order_by("department__code", "process__code")
        .values_list("department__code", "process__code", "percent")
    ):
        sheet.append([department, process, percent])
    sheet = workbook.create_sheet("outputs")
    sheet.append(["process", "output", "direct_cost"])
    outputs = {o.process_id: o for o in ProcessOutput.objects.filter(unit=unit, period=period)}
    for process in Process.objects.filter(unit=unit).order_by("code"):
        stored = outputs.get(process.pk)
        sheet.append(
            [process.code, stored.output if stored else None, stored.direct_cost if stored else 0]
        )
    for sheet in workbook.worksheets:
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
