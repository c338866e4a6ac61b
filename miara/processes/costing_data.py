"""An office's stored costing data of one period as the engine takes it, and the one
place where computed costs go on into the catalogue's variables.

No permission is checked here: the selectors (reads) and the services (writes) that call
these functions have authorised the acting user already. Kept apart from both, so that
the services can write the costs into variables without importing the selectors.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from django.utils.translation import gettext as _

from miara.collection.models import Channel, Value
from miara.collection.services import ValueConflict, ValuesLocked, WriteRefused, values_save
from miara.engine.costing import Costing, compute_costing, cost_flows
from miara.fileio import FileProblem
from miara.fileio.numbers import number_text
from miara.fileio.tables import LINE
from miara.lib.bulk import fetch_frame
from miara.processes.errors import CostingNotWritten
from miara.processes.models import CostPool, Department, Process, ProcessOutput, TimeAllocation
from miara.units.models import Unit

# The channel of the values a costing writes, by the channel of what the costing came
# from: the command line is a file import, the page an Excel upload or the survey form.
VALUE_CHANNEL = {
    "cli": Channel.IMPORT,
    "import": Channel.IMPORT,
    "web": Channel.FORM,
    "excel": Channel.EXCEL,
    "api": Channel.API,
}


@dataclass(frozen=True)
class CostingFrames:
    """The engine's input frames of one office and period (engine.costing)."""

    departments: pl.DataFrame
    allocation: pl.DataFrame
    outputs: pl.DataFrame
    processes: list[str]

    @property
    def has_data(self) -> bool:
        """Whether the period has costing data at all (cost pools): without them the
        costs would be zeros that look like costs."""
        return not self.departments.is_empty()


def costing_frames(unit: Unit, period: str) -> CostingFrames:
    """Read the stored cost pools, time allocation and outputs of the period."""
    pools = CostPool.objects.filter(unit=unit, period=period).values_list(
        "department__code", "kind", "fte", "personnel_cost", "other_cost"
    )
    departments = pl.DataFrame(
        [(code, kind, fte, personnel + other) for code, kind, fte, personnel, other in pools],
        schema={"department": pl.String, "kind": pl.String, "fte": pl.Float64, "cost": pl.Float64},
        orient="row",
    )
    # The allocation is the big part (departments × processes, 6,000 cells for a large
    # office): read it as a frame in one go, not as model rows. An ordinary fetch, not
    # COPY: psycopg hands COPY's output over row by row, slower at this size (measured:
    # benchmarks/costing.py).
    allocation = fetch_frame(
        f"SELECT d.code, p.code, a.percent / 100.0 FROM {TimeAllocation._meta.db_table} a "
        f"JOIN {Department._meta.db_table} d ON d.id = a.department_id "
        f"JOIN {Process._meta.db_table} p ON p.id = a.process_id "
        "WHERE a.unit_id = %s AND a.period = %s",
        [unit.pk, period],
        {"department": pl.String, "process": pl.String, "share": pl.Float64},
        few=True,
    )
    outputs = pl.DataFrame(
        list(
            ProcessOutput.objects.filter(unit=unit, period=period).values_list(
                "process__code", "output", "direct_cost"
            )
        ),
        schema={"process": pl.String, "output": pl.Float64, "direct_cost": pl.Float64},
        orient="row",
    )
    processes = Process.objects.filter(unit=unit).order_by("code").values_list("code", flat=True)
    return CostingFrames(departments, allocation, outputs, list(processes))


def costing_of(frames: CostingFrames) -> Costing:
    return compute_costing(
        frames.departments, frames.allocation, frames.outputs, processes=frames.processes
    )


def flows_of(frames: CostingFrames) -> pl.DataFrame:
    return cost_flows(frames.departments, frames.allocation, frames.outputs)


def costing_values_write(*, unit: Unit, period: str, acting_user, channel: str) -> tuple[int, int]:
    """Write each process's total cost into its `cost_variable` and its output volume
    into its `output_variable`, for the unit and period, through the one write path of
    values (`collection.services.values_save`: permission by
    `collection.cycles.values_write_refusals`, validation, history, audit).

    Call inside the transaction of the costing's change: a refusal (a closed data
    collection, a submitted questionnaire, a value the variable does not admit) raises
    CostingNotWritten and the caller's transaction stores nothing. Processes without
    variables are skipped; a period without cost pools writes nothing, and so does a
    costing whose figures the variables hold already. Returns the numbers of values
    created and changed.
    """
    targets = list(
        Process.objects.filter(unit=unit)
        .filter(cost_variable__isnull=False)
        .values_list("code", "cost_variable__code")
    )
    outputs_to = list(
        Process.objects.filter(unit=unit)
        .filter(output_variable__isnull=False)
        .values_list("code", "output_variable__code")
    )
    if not targets and not outputs_to:
        return 0, 0
    frames = costing_frames(unit, period)
    if not frames.has_data:
        return 0, 0
    _refuse_shared_variables(targets + outputs_to)
    result = {row["process"]: row for row in costing_of(frames).processes.iter_rows(named=True)}
    rows = [(process, variable, result[process]["cost"]) for process, variable in targets]
    rows += [(process, variable, result[process]["output"]) for process, variable in outputs_to]
    # Only what differs from the stored values goes on: a survey cell moves some costs,
    # and a write of a few rows takes values_save's quick path for small writes.
    stored = dict(
        Value.objects.filter(
            unit=unit, period=period, variable__code__in=[v for _p, v, _x in rows]
        ).values_list("variable__code", "value")
    )
    rows = [
        row
        for row in rows
        if row[1] not in stored or number_text(stored[row[1]]) != number_text(row[2])
    ]
    if not rows:
        return 0, 0
    frame = pl.DataFrame(
        {
            "unit": [unit.code] * len(rows),
            "variable": [variable for _p, variable, _v in rows],
            "period": [period] * len(rows),
            "value": [number_text(value) for _p, _v, value in rows],
            LINE: list(range(1, len(rows) + 1)),
        },
        schema={
            "unit": pl.String,
            "variable": pl.String,
            "period": pl.String,
            "value": pl.String,
            LINE: pl.Int64,
        },
    )
    reason = None
    try:
        report = values_save(
            acting_user=acting_user,
            rows=frame,
            channel=VALUE_CHANNEL.get(channel, Channel.IMPORT),
            source=f"costing {unit.code} {period}",
            about=f"costing {unit.code} {period}",
            details={"unit": unit.code, "period": period, "costing": True},
        )
    except WriteRefused as refused:
        reason = "; ".join(sorted(set(refused.refusals.values()))) or str(refused)
    except ValuesLocked:
        reason = _(
            "the values of %(unit)s for %(period)s belong to a submitted or accepted "
            "questionnaire and are locked; the coordinator must return or reopen it first"
        ) % {"unit": unit.code, "period": period}
    except ValueConflict:
        reason = _("someone changed these values meanwhile; try again")
    except FileProblem as problem:
        reason = "; ".join(
            _("process %(process)s, variable %(variable)s: %(message)s")
            % {
                "process": rows[p.line - 1][0],
                "variable": rows[p.line - 1][1],
                "message": p.message,
            }
            if p.line
            else p.message
            for p in problem.problems
        )
    if reason is not None:
        raise CostingNotWritten(
            _(
                "Nothing of the costing was stored: the process costs and outputs of "
                "%(unit)s for %(period)s go into catalogue variables, and they cannot be "
                "written: %(reason)s."
            )
            % {"unit": unit.code, "period": period, "reason": reason}
        )
    return report.created, report.updated


def _refuse_shared_variables(targets: list[tuple[str, str]]) -> None:
    """Two processes writing one variable would overwrite each other's figures."""
    first: dict[str, str] = {}
    for process, variable in targets:
        if variable in first:
            raise CostingNotWritten(
                _(
                    "Nothing of the costing was stored: processes %(first)s and %(second)s "
                    "both write into the variable %(variable)s; give each its own variable "
                    "in the process map."
                )
                % {"first": first[variable], "second": process, "variable": variable}
            )
        first[variable] = process
