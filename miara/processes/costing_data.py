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


def costing_frames(
    unit: Unit, period: str, *, processes: list[tuple[int, str]] | None = None
) -> CostingFrames:
    """Read the stored cost pools, time allocation and outputs of the period.

    `processes`: the office's processes as (id, code) in code order, when the caller has
    read them already (one query fewer)."""
    if processes is None:
        processes = list(
            Process.objects.filter(unit=unit).order_by("code").values_list("pk", "code")
        )
    department_codes = dict(Department.objects.filter(unit=unit).values_list("pk", "code"))
    pools = CostPool.objects.filter(unit=unit, period=period).values_list(
        "department_id", "kind", "fte", "personnel_cost", "other_cost"
    )
    departments = pl.DataFrame(
        [
            (department_codes[department], kind, fte, personnel + other)
            for department, kind, fte, personnel, other in pools
        ],
        schema={"department": pl.String, "kind": pl.String, "fte": pl.Float64, "cost": pl.Float64},
        orient="row",
    )
    # The allocation is the big part (departments × processes, 6,000 cells for a large
    # office): read it as a frame in one go, not as model rows. An ordinary fetch, not
    # COPY: psycopg hands COPY's output over row by row, slower at this size (measured:
    # benchmarks/costing.py). Ids, not codes: joining the codes in the query and sending
    # 6,000 pairs of strings took 10 ms, the ids 4 ms; the codes of the few departments
    # and processes are put in by the frame.
    allocation = fetch_frame(
        f"SELECT department_id, process_id, percent / 100.0 FROM {TimeAllocation._meta.db_table} "
        "WHERE unit_id = %s AND period = %s",
        [unit.pk, period],
        {"department": pl.Int64, "process": pl.Int64, "share": pl.Float64},
        few=True,
    ).with_columns(
        pl.col("department").replace_strict(department_codes, return_dtype=pl.String),
        pl.col("process").replace_strict(dict(processes), return_dtype=pl.String),
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
    return CostingFrames(departments, allocation, outputs, [code for _pk, code in processes])


def costing_of(frames: CostingFrames) -> Costing:
    return compute_costing(
        frames.departments, frames.allocation, frames.outputs, processes=frames.processes
    )


def flows_of(frames: CostingFrames) -> pl.DataFrame:
    return cost_flows(frames.departments, frames.allocation, frames.outputs)


def process_map(unit: Unit) -> list[tuple[int, str, str | None, str | None]]:
    """The office's processes in code order: (id, code, cost variable, output variable)."""
    return list(
        Process.objects.filter(unit=unit)
        .order_by("code")
        .values_list("pk", "code", "cost_variable__code", "output_variable__code")
    )


def costing_values_write(
    *,
    unit: Unit,
    period: str,
    acting_user,
    channel: str,
    mapping: list[tuple[int, str, str | None, str | None]] | None = None,
) -> tuple[int, int]:
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

    `mapping`: `process_map(unit)` when the caller has read it already in the same
    transaction. The period's data are read once, after the caller's change, so the
    costs are those of what is stored; only figures that differ from the stored values
    (compared in one read) are passed on, in one call of `values_save`.
    """
    if mapping is None:
        mapping = process_map(unit)
    targets = [(process, cost) for _pk, process, cost, _output in mapping if cost]
    outputs_to = [(process, output) for _pk, process, _cost, output in mapping if output]
    if not targets and not outputs_to:
        return 0, 0
    frames = costing_frames(unit, period, processes=[(pk, process) for pk, process, *_v in mapping])
    if not frames.has_data:
        return 0, 0
    _refuse_shared_variables(targets + outputs_to)
    result = costing_of(frames).processes.select("process", "cost", "output")
    cost_of = dict(zip(result["process"].to_list(), result["cost"].to_list(), strict=True))
    output_of = dict(zip(result["process"].to_list(), result["output"].to_list(), strict=True))
    rows = [(process, variable, cost_of[process]) for process, variable in targets]
    rows += [(process, variable, output_of[process]) for process, variable in outputs_to]
    # Only what differs from the stored values goes on (compared in one read): a survey
    # cell moves some costs, and a reload of the same figures writes nothing.
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
