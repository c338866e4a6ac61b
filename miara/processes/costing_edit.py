"""Inline corrections of an office's costing data of one period, one figure at a time:
a department's cost pool (personnel cost, other cost, FTE, kind) and a process's output
and direct cost. So an office corrects one figure in the page instead of uploading the
whole costing workbook again.

Each save checks the figure as `costing_load` checks the workbook (a non-negative
number; a support department has no time allocation), refuses a figure that someone
else changed since the editor read it (FigureConflict, like the survey's cells), writes
it, records an audit entry and writes the recomputed costs into the map's variables in
the same transaction (`costing_data.costing_values_write`): all or nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from miara.accounts.audit import audit_record
from miara.processes.costing_data import costing_values_write
from miara.processes.errors import FigureConflict, ProcessRequestError
from miara.processes.models import CostPool, Department, Process, ProcessOutput, TimeAllocation
from miara.processes.services import PERCENT_SLACK, _authorise_change, may_read_costing
from miara.units.models import Unit


class FigureRefused(ProcessRequestError):
    """A figure that cannot be saved (no number, negative, an unknown field, department
    or process, a support department with time allocated); nothing was written."""


POOL_FIELDS = {
    "personnel_cost": gettext_lazy("personnel cost"),
    "other_cost": gettext_lazy("other cost"),
    "fte": gettext_lazy("FTE"),
    "kind": gettext_lazy("kind"),
}
OUTPUT_FIELDS = {
    "output": gettext_lazy("output"),
    "direct_cost": gettext_lazy("direct cost"),
}


@dataclass(frozen=True)
class PoolFigures:
    code: str
    name: str
    kind: str  # the pool's kind in the period, else the department's
    fte: float | None  # None: no cost pool in the period
    personnel_cost: float | None
    other_cost: float | None


@dataclass(frozen=True)
class OutputFigures:
    code: str
    name: str
    output: float | None
    direct_cost: float  # 0 where the period has no row


def costing_figures(
    *, unit: Unit, period: str, acting_user
) -> tuple[list[PoolFigures], list[OutputFigures]]:
    """Every department's cost pool and every process's output and direct cost in the
    period, by code, as the page shows them for correcting."""
    if not may_read_costing(acting_user, unit):
        raise ProcessRequestError(_("there is no such unit"))
    pools = {p.department_id: p for p in CostPool.objects.filter(unit=unit, period=period)}
    departments = [
        PoolFigures(
            code=d.code,
            name=d.name,
            kind=pools[d.pk].kind if d.pk in pools else d.kind,
            fte=pools[d.pk].fte if d.pk in pools else None,
            personnel_cost=pools[d.pk].personnel_cost if d.pk in pools else None,
            other_cost=pools[d.pk].other_cost if d.pk in pools else None,
        )
        for d in Department.objects.filter(unit=unit).order_by("code")
    ]
    outputs = {o.process_id: o for o in ProcessOutput.objects.filter(unit=unit, period=period)}
    processes = [
        OutputFigures(
            code=p.code,
            name=p.name,
            output=outputs[p.pk].output if p.pk in outputs else None,
            direct_cost=outputs[p.pk].direct_cost if p.pk in outputs else 0.0,
        )
        for p in Process.objects.filter(unit=unit).order_by("code")
    ]
    return departments, processes


@dataclass(frozen=True)
class FigureSaved:
    value: float | str | None  # the figure now (None: an output left empty)
    values_written: int


def figure_of(text, label, *, empty=None) -> float | None:
    """The non-negative number typed for the field `label` (a dot or a comma as the
    decimal separator, spaces between thousands), `empty` for an empty entry;
    FigureRefused naming the field otherwise."""
    if text is None:
        return empty
    if isinstance(text, int | float):
        value = float(text)
    else:
        cleaned = str(text).strip().replace("\u00a0", "").replace(" ", "")
        if cleaned == "":
            return empty
        try:
            value = float(cleaned.replace(",", "."))
        except ValueError:
            raise FigureRefused(
                _("%(field)s: “%(text)s” is not a number")
                % {"field": label, "text": str(text)[:40]}
            ) from None
    if not math.isfinite(value) or value < 0:
        raise FigureRefused(
            _("%(field)s: %(value)s is not a number of zero or more")
            % {"field": label, "value": f"{value:g}"}
        )
    return value


def _kind_of(text, label) -> str:
    kind = str(text or "").strip().lower()
    if kind not in Department.Kind.values:
        raise FigureRefused(
            _("%(field)s: “%(text)s” is no department kind; choose primary or support")
            % {"field": label, "text": str(text or "")[:40]}
        )
    return kind


def _same(a, b) -> bool:
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return a == b
    return abs(a - b) <= PERCENT_SLACK * max(1.0, abs(a), abs(b))


def _conflict(label, stored) -> FigureConflict:
    shown = _("nothing") if stored is None else stored if isinstance(stored, str) else f"{stored:g}"
    return FigureConflict(
        _(
            "Someone else changed %(field)s meanwhile: it now holds %(stored)s. "
            "Check it and enter your value again."
        )
        % {"field": label, "stored": shown},
        stored=stored,
    )


def cost_pool_figure_save(
    *,
    acting_user,
    unit: Unit,
    period: str,
    department: str,
    field: str,
    value,
    read_value,
    channel: str = "web",
) -> FigureSaved:
    """Save one figure of `department`'s cost pool in `period`: `field` is
    personnel_cost, other_cost, fte (non-negative numbers) or kind (primary/support).

    `read_value` is the figure as the editor last read it ("" or None where the period
    has no cost pool of the department yet: then one is created, its other figures 0
    and its kind the department's). A department whose time is allocated to processes
    in the period cannot become a support department (its allocation must be cleared
    first), as the workbook's load refuses a support department in the allocation.
    """
    _authorise_change(acting_user, unit)
    if field not in POOL_FIELDS:
        raise FigureRefused(_("%(field)s is no figure of a cost pool") % {"field": field})
    label = POOL_FIELDS[field]
    if field == "kind":
        new = _kind_of(value, label)
        expected = None if read_value in (None, "") else _kind_of(read_value, label)
    else:
        new = figure_of(value, label, empty=0.0)
        expected = figure_of(read_value, label)
    with transaction.atomic():
        # The department's row is locked: two editors of its pool save one after the
        # other, and a pool created by one is seen by the other.
        found = (
            Department.objects.select_for_update()
            .filter(unit=unit, code=department)
            .values_list("pk", "kind")
            .first()
        )
        if found is None:
            raise FigureRefused(
                _("%(code)s is not a department of this office") % {"code": department}
            )
        department_id, department_kind = found
        pool = CostPool.objects.filter(department_id=department_id, period=period).first()
        stored = getattr(pool, field) if pool else None
        if not _same(stored, expected):
            raise _conflict(label, stored)
        if pool is not None and _same(stored, new):
            return FigureSaved(value=stored, values_written=0)
        if (
            field == "kind"
            and new == Department.Kind.SUPPORT
            and TimeAllocation.objects.filter(department_id=department_id, period=period).exists()
        ):
            raise FigureRefused(
                _(
                    "%(field)s: %(code)s has time allocated to processes in %(period)s; a "
                    "support department has none, so clear its row of the survey first"
                )
                % {"field": label, "code": department, "period": period}
            )
        if pool is None:
            pool = CostPool(
                unit=unit,
                period=period,
                department_id=department_id,
                kind=department_kind,
                fte=0.0,
                personnel_cost=0.0,
                other_cost=0.0,
            )
        setattr(pool, field, new)
        pool.save()
        audit_record(
            user=acting_user,
            action="costing.pool",
            channel=channel,
            summary=f"{unit.code} {period} {department} {field}: "
            f"{'' if stored is None else stored} → {new}",
            details={
                "unit": unit.code,
                "period": period,
                "department": department,
                "field": field,
                "old": stored,
                "new": new,
            },
        )
        created, updated = costing_values_write(
            unit=unit, period=period, acting_user=acting_user, channel=channel
        )
    return FigureSaved(value=new, values_written=created + updated)


def process_output_figure_save(
    *,
    acting_user,
    unit: Unit,
    period: str,
    process: str,
    field: str,
    value,
    read_value,
    channel: str = "web",
) -> FigureSaved:
    """Save `process`'s output volume or its direct cost in `period` (`field`: output,
    direct_cost; non-negative numbers). An empty output means none is known (no unit
    cost); an empty direct cost is 0. `read_value` is the figure as the editor last read
    it ("" or None for none)."""
    _authorise_change(acting_user, unit)
    if field not in OUTPUT_FIELDS:
        raise FigureRefused(_("%(field)s is no figure of a process output") % {"field": field})
    label = OUTPUT_FIELDS[field]
    empty = None if field == "output" else 0.0
    new = figure_of(value, label, empty=empty)
    expected = figure_of(read_value, label, empty=empty)
    with transaction.atomic():
        process_id = (
            Process.objects.select_for_update()
            .filter(unit=unit, code=process)
            .values_list("pk", flat=True)
            .first()
        )
        if process_id is None:
            raise FigureRefused(
                _("%(code)s is not a process of this office's process map") % {"code": process}
            )
        row = ProcessOutput.objects.filter(process_id=process_id, period=period).first()
        # No row reads as no output and no direct cost (0), as the costing reads it.
        stored = getattr(row, field) if row else empty
        if not _same(stored, expected):
            raise _conflict(label, stored)
        if _same(stored, new):
            return FigureSaved(value=stored, values_written=0)
        if row is None:
            row = ProcessOutput(unit=unit, period=period, process_id=process_id)
        setattr(row, field, new)
        row.save()
        audit_record(
            user=acting_user,
            action="costing.output",
            channel=channel,
            summary=f"{unit.code} {period} {process} {field}: "
            f"{'' if stored is None else f'{stored:g}'} → {'' if new is None else f'{new:g}'}",
            details={
                "unit": unit.code,
                "period": period,
                "process": process,
                "field": field,
                "old": stored,
                "new": new,
            },
        )
        created, updated = costing_values_write(
            unit=unit, period=period, acting_user=acting_user, channel=channel
        )
    return FigureSaved(value=new, values_written=created + updated)
