"""Writes of the process-managed office: its process map and its costing data.

Each function authorises the acting user (the office's managers, or a coordinator; the
operator at the command line acts for every unit, as in every `miara` command), checks
the whole input first, writes in one transaction and records an audit entry. A load is
all-or-nothing, and loading the same file again changes nothing (contracts.md,
"Process map file" and "Costing workbook").

Departments come from two places: the process map names each process's owner
department, which is created (as a primary department named by its code) when the
office has none of that code yet, and the costing workbook's `departments` sheet gives
every department its name and kind. So the map can be loaded first, and the costing
workbook, whose allocation names the map's processes, after it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from miara.accounts.audit import audit_record, load_recorded
from miara.accounts.scope import can_see_unit, is_coordinator, is_operator, manages_unit
from miara.catalogue.models import Indicator, Variable
from miara.catalogue.services import LoadReport
from miara.engine.errors import PeriodError
from miara.engine.periods import Period
from miara.fileio import FileProblem, Problem, read_table
from miara.fileio.tables import LINE, read_sheets
from miara.processes.models import (
    CostPool,
    Department,
    ModelProcess,
    ModelProcessGroup,
    Process,
    ProcessCriterion,
    ProcessGroup,
    ProcessOutput,
    ProcessSettings,
    TimeAllocation,
)
from miara.units.models import Programme, Unit

CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
MAP_OPTIONAL = [
    "group",
    "parent_group",
    "owner",
    "output",
    "legal_deadline_days",
    "cost_variable",
    "output_variable",
    "criteria",
]
# The indicators of a process's `criteria` cell are separated by this.
CRITERIA_SEPARATOR = ";"
COSTING_SHEETS = {
    "departments": (["department", "name", "kind", "fte", "personnel_cost", "other_cost"], []),
    "allocation": (["department", "process", "percent"], []),
    "outputs": (["process", "output", "direct_cost"], []),
}
# Percentages are typed by people; a sum of 100.00000000001 from binary fractions is 100.
PERCENT_SLACK = 1e-9


class ProcessRequestError(ValueError):
    """A request that names no unit the user may act for, or a period that is not one."""


# --- who may do what -----------------------------------------------------------------


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def may_manage_processes(user, unit: Unit) -> bool:
    """The office's managers and the coordinators keep its process map and costing."""
    return is_operator(user) or is_coordinator(user) or manages_unit(user, unit.pk)


def may_read_costing(user, unit: Unit) -> bool:
    """An office's costing is its own: its users read it; coordinators and experts of the
    programme read it only where the office shares it (`ProcessSettings.shares_costing`)."""
    if not _active(user):
        return False
    if is_operator(user):
        return True
    if user.units.filter(pk=unit.pk).exists():
        return True
    if user.sees_all_units:
        return ProcessSettings.objects.filter(unit=unit, shares_costing=True).exists()
    return False


def may_read_process_map(user, unit: Unit) -> bool:
    """The process map is read like the costing (`may_read_costing`): by the office's
    own users, and by the programme's coordinators and experts where the office shares
    its process data with the programme."""
    return may_read_costing(user, unit)


def unit_for(*, unit_code: str, acting_user) -> Unit:
    """The unit of that code, if the user may see it; an unknown and a hidden unit get the
    same answer, so the refusal tells nothing about other offices."""
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None or not (is_operator(acting_user) or can_see_unit(acting_user, unit)):
        raise ProcessRequestError(
            _("there is no unit with the code “%(code)s”") % {"code": unit_code}
        )
    return unit


def period_code(text: str) -> str:
    """The period's code (`2024`, `2024-Q1`, `2024-03`), or ProcessRequestError."""
    try:
        return Period.parse(text).code
    except PeriodError:
        raise ProcessRequestError(
            _(
                "“%(period)s” is not a period; write a year (2024), a quarter (2024-Q1) "
                "or a month (2024-03)"
            )
            % {"period": text}
        ) from None


def _authorise_change(acting_user, unit: Unit) -> None:
    if not may_manage_processes(acting_user, unit):
        raise PermissionDenied(
            _(
                "Only the office's managers and the coordinators may change the processes of %(unit)s."
            )
            % {"unit": unit.code}
        )


# --- reading cells ---------------------------------------------------------------------


def _quote(text, limit: int = 40) -> str:
    text = str(text)
    return "“" + (text if len(text) <= limit else text[:limit] + "…") + "”"


def _cells(path: Path, positions: dict[str, int], sheet: str | None = None) -> Callable:
    """A function (line, column) -> Problem fields naming the sheet, the cell and the
    column (the cell only in a workbook, where it helps to find the place)."""
    from openpyxl.utils import get_column_letter

    workbook = path.suffix.lower() in (".xlsx", ".xlsm")

    def where(line: int, column: str) -> dict:
        cell = None
        if workbook and column in positions:
            cell = f"{get_column_letter(positions[column] + 1)}{line}"
        return {"sheet": sheet, "line": line, "column": column, "cell": cell}

    return where


def _number(text: str | None) -> float | None:
    """The number in a cell (a dot as the decimal separator), None when empty; raises
    ValueError when the text is no finite number."""
    if text is None or text == "":
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


# --- the process map -------------------------------------------------------------------


@dataclass
class _MapRow:
    line: int
    code: str
    name: str
    group: str
    parent_group: str | None
    owner: str
    output: str
    legal_deadline_days: int | None
    cost_variable: str
    output_variable: str
    criteria: list[str]


@dataclass
class _MapFile:
    """A process map file as read and checked: its rows, its columns, and where a cell is."""

    rows: list[_MapRow]
    columns: set[str]
    at: Callable
    variables: dict[str, int]
    indicators: dict[str, int]


def _map_read(path: Path, problems: list[Problem], *, model: bool = False) -> _MapFile:
    """Read and check a process map file (an office's, or with `model` a programme's
    model catalogue, which names no owners); problems are added to `problems`."""
    positions: dict[str, int] = {}
    frame = read_table(path, required=["code", "name"], optional=MAP_OPTIONAL, positions=positions)
    if frame.is_empty():
        raise FileProblem(path.name, [Problem(_("the file has a header but no processes"))])
    at = _cells(path, positions)
    columns = set(frame.columns)
    variables = dict(Variable.objects.values_list("code", "id"))
    indicators = dict(Indicator.objects.values_list("code", "id"))
    rows: list[_MapRow] = []
    first_line: dict[str, int] = {}
    for raw in frame.to_dicts():
        line = raw[LINE]
        code = raw["code"] or ""
        if not CODE.match(code) or len(code) > 60:
            problems.append(
                Problem(
                    _(
                        "%(code)s is not a process code: upper-case letters, digits and _, "
                        "starting with a letter, at most 60"
                    )
                    % {"code": _quote(code)},
                    **at(line, "code"),
                )
            )
        elif code in first_line:
            problems.append(
                Problem(
                    _("process %(code)s appears twice (first on line %(line)s)")
                    % {"code": code, "line": first_line[code]},
                    **at(line, "code"),
                )
            )
        first_line.setdefault(code, line)
        name = raw["name"] or ""
        if not name:
            problems.append(Problem(_("the process has no name"), **at(line, "name")))
        for column, limit in (
            ("name", 300),
            ("group", 200),
            ("parent_group", 200),
            ("owner", 40),
            ("output", 300),
        ):
            if len(raw.get(column) or "") > limit:
                problems.append(
                    Problem(
                        _("the text is longer than %(limit)s characters") % {"limit": limit},
                        **at(line, column),
                    )
                )
        if model and raw.get("owner"):
            problems.append(
                Problem(
                    _(
                        "a model process catalogue names no owner departments: each office "
                        "names its own when it adopts the catalogue"
                    ),
                    **at(line, "owner"),
                )
            )
        elif not model and "owner" in columns and not raw.get("owner"):
            problems.append(
                Problem(
                    _("process %(code)s has no owner department") % {"code": code},
                    **at(line, "owner"),
                )
            )
        deadline = None
        if raw.get("legal_deadline_days"):
            text = raw["legal_deadline_days"]
            if text.isdigit() and int(text) <= 100_000:
                deadline = int(text)
            else:
                problems.append(
                    Problem(
                        _("%(text)s is not a number of days (a whole number, 0 or more)")
                        % {"text": _quote(text)},
                        **at(line, "legal_deadline_days"),
                    )
                )
        for column in ("cost_variable", "output_variable"):
            variable = raw.get(column) or ""
            if variable and variable not in variables:
                problems.append(
                    Problem(
                        _("%(code)s is not a variable of the catalogue")
                        % {"code": _quote(variable)},
                        **at(line, column),
                    )
                )
        criteria = _criteria_read(raw.get("criteria") or "", indicators, at(line, "criteria"))
        problems += criteria[1]
        group = raw.get("group") or ""
        parent = raw.get("parent_group") or None
        if parent and not group:
            problems.append(
                Problem(_("a parent group is given but no group"), **at(line, "parent_group"))
            )
        rows.append(
            _MapRow(
                line=line,
                code=code,
                name=name,
                group=group,
                parent_group=parent,
                owner=raw.get("owner") or "",
                output=raw.get("output") or "",
                legal_deadline_days=deadline,
                cost_variable=raw.get("cost_variable") or "",
                output_variable=raw.get("output_variable") or "",
                criteria=criteria[0],
            )
        )
    return _MapFile(rows=rows, columns=columns, at=at, variables=variables, indicators=indicators)


def _criteria_read(text: str, indicators: dict[str, int], where: dict) -> tuple[list, list]:
    """The indicator codes of a `criteria` cell (separated by `;`) and its problems."""
    codes: list[str] = []
    problems: list[Problem] = []
    for part in text.split(CRITERIA_SEPARATOR):
        code = part.strip()
        if not code:
            continue
        if code not in indicators:
            problems.append(
                Problem(
                    _("%(code)s is not an indicator of the catalogue") % {"code": _quote(code)},
                    **where,
                )
            )
        elif code in codes:
            problems.append(
                Problem(
                    _("indicator %(code)s is named twice as a criterion") % {"code": code},
                    **where,
                )
            )
        else:
            codes.append(code)
    return codes, problems


def processes_load(
    *, path: str | Path, unit_code: str, acting_user, channel: str = "cli"
) -> LoadReport:
    """Create or update an office's processes, process groups and owner departments from
    a process map file (CSV/XLSX: `code,name` and optionally `group, parent_group, owner,
    output, legal_deadline_days, cost_variable, output_variable, criteria`).

    `parent_group` places the row's group in the tree of groups; `criteria` names the
    process's quality and performance criteria, indicator codes separated by `;`, which
    then replace the process's criteria (in that order). Processes that the file does
    not list are kept (they may hold costing data). All or nothing, audited.
    """
    path = Path(path)
    unit = unit_for(unit_code=unit_code, acting_user=acting_user)
    _authorise_change(acting_user, unit)
    problems: list[Problem] = []
    read = _map_read(path, problems)
    rows, columns, at = read.rows, read.columns, read.at
    stored_groups = {g.name: g for g in ProcessGroup.objects.filter(unit=unit)}
    stated = _group_parents(rows, at, problems) if "parent_group" in columns else {}
    problems += _group_cycles(rows, stored_groups, stated, at)
    if problems:
        raise FileProblem(path.name, problems)

    report = LoadReport()
    with transaction.atomic():
        _map_write(unit, read, stored_groups, stated, report)
        if report.changed:
            load_recorded(
                user=acting_user,
                action="processes.load",
                channel=channel,
                file=path.name,
                report=report,
                about=unit.code,
                details={"unit": unit.code},
            )
    return report


def _map_write(
    unit: Unit,
    read: _MapFile,
    stored_groups: dict[str, ProcessGroup],
    stated: dict[str, str | None],
    report: LoadReport,
    model_of: dict[str, int] | None = None,
) -> dict[str, Process]:
    """Write checked map rows into the office's map (inside the caller's transaction).
    `model_of`: process code -> model process id, for an adopted catalogue, whose empty
    fields leave what an office's process of the same code has."""
    rows, columns, variables = read.rows, read.columns, read.variables
    groups = _groups_write({"unit": unit}, rows, stored_groups, stated, report)
    departments = {d.code: d for d in Department.objects.filter(unit=unit)}
    for owner in dict.fromkeys(r.owner for r in rows if r.owner):
        if owner not in departments:
            departments[owner] = Department.objects.create(unit=unit, code=owner, name=owner)
            report.count("departments", "created")
    stored = {p.code: p for p in Process.objects.filter(unit=unit)}
    for row in rows:
        fields = {
            "name": row.name,
            "group_id": groups[row.group].pk if row.group else None,
            "owner_id": departments[row.owner].pk if row.owner else None,
            "output": row.output,
            "legal_deadline_days": row.legal_deadline_days,
            "cost_variable_id": variables.get(row.cost_variable),
            "output_variable_id": variables.get(row.output_variable),
        }
        # A column the file does not have leaves what is stored alone.
        for column, field in (
            ("group", "group_id"),
            ("owner", "owner_id"),
            ("output", "output"),
            ("legal_deadline_days", "legal_deadline_days"),
            ("cost_variable", "cost_variable_id"),
            ("output_variable", "output_variable_id"),
        ):
            if column not in columns:
                fields.pop(field)
        process = stored.get(row.code)
        if model_of is not None:
            fields["model_process_id"] = model_of.get(row.code)
            if process is not None:
                fields = {k: v for k, v in fields.items() if v not in (None, "")}
        if process is None:
            process = Process(unit=unit, code=row.code, **fields)
            process.save()
            stored[row.code] = process
            report.count("processes", "created")
        elif any(getattr(process, k) != v for k, v in fields.items()):
            Process.objects.filter(pk=process.pk).update(**fields)
            report.count("processes", "updated")
        else:
            report.count("processes", "unchanged")
    if "criteria" in columns:
        _criteria_write(stored, rows, read.indicators, report, keep_own=model_of is not None)
    return stored


def _criteria_write(
    processes: dict[str, Process],
    rows: list[_MapRow],
    indicators: dict[str, int],
    report,
    keep_own: bool = False,
) -> None:
    """Make each row's process's criteria exactly the row's, in its order (`keep_own`:
    the row's first, then the process's others, as when a model is adopted)."""
    ids = [processes[r.code].pk for r in rows]
    before: dict[int, list[int]] = {}
    for process_id, indicator_id in (
        ProcessCriterion.objects.filter(process_id__in=ids)
        .order_by("order")
        .values_list("process_id", "indicator_id")
    ):
        before.setdefault(process_id, []).append(indicator_id)
    for row in rows:
        process_id = processes[row.code].pk
        wanted = [indicators[code] for code in row.criteria]
        if keep_own:
            wanted += [i for i in before.get(process_id, []) if i not in wanted]
        if before.get(process_id, []) == wanted:
            continue
        ProcessCriterion.objects.filter(process_id=process_id).delete()
        ProcessCriterion.objects.bulk_create(
            ProcessCriterion(process_id=process_id, indicator_id=indicator, order=position)
            for position, indicator in enumerate(wanted)
        )
        report.count("process criteria", "updated")


def _group_parents(rows: list[_MapRow], at, problems: list[Problem]) -> dict[str, str | None]:
    """Each group's parent as the file states it (None: a top group)."""
    stated: dict[str, tuple[str | None, int]] = {}
    for row in rows:
        if not row.group:
            continue
        if row.parent_group == row.group:
            problems.append(
                Problem(
                    _("group %(group)s cannot be its own parent") % {"group": _quote(row.group)},
                    **at(row.line, "parent_group"),
                )
            )
            continue
        before = stated.get(row.group)
        if before is None or before[0] is None:
            stated[row.group] = (row.parent_group, row.line)
        elif row.parent_group and row.parent_group != before[0]:
            problems.append(
                Problem(
                    _(
                        "group %(group)s has the parent group %(before)s on line %(line)s "
                        "and %(parent)s here; a group has one parent"
                    )
                    % {
                        "group": _quote(row.group),
                        "before": _quote(before[0]),
                        "line": before[1],
                        "parent": _quote(row.parent_group),
                    },
                    **at(row.line, "parent_group"),
                )
            )
    return {group: parent for group, (parent, _line) in stated.items()}


def _group_cycles(
    rows: list[_MapRow], stored: dict[str, ProcessGroup], stated: dict[str, str | None], at
) -> list[Problem]:
    by_id = {g.pk: g.name for g in stored.values()}
    parent_of = {name: by_id.get(g.parent_id) for name, g in stored.items()}
    parent_of.update(stated)
    problems, reported = [], set()
    for row in rows:
        if not row.group or row.group not in stated or row.group in reported:
            continue
        seen, name = [], row.group
        while name is not None and name not in seen:
            seen.append(name)
            name = parent_of.get(name)
        if name == row.group:
            reported.update(seen)
            problems.append(
                Problem(
                    _("process groups form a cycle: %(cycle)s")
                    % {"cycle": " → ".join([*seen, name])},
                    **at(row.line, "parent_group"),
                )
            )
    return problems


def _groups_write(
    owner: dict,
    rows: list[_MapRow],
    groups: dict,
    stated: dict[str, str | None],
    report: LoadReport,
    model=ProcessGroup,
) -> dict:
    """Create the rows' groups and set the file's parents; `owner` is the groups' unit
    (`{"unit": unit}`) or, for the model catalogue, their programme."""
    names = [r.group for r in rows if r.group] + [p for p in stated.values() if p]
    for name in dict.fromkeys(names):
        if name not in groups:
            groups[name] = model.objects.create(name=name, **owner)
            report.count("process groups", "created")
    # Parents second: a parent may come later in the file than its children. No cycle
    # can arise: the file's parents were checked against the stored tree.
    for name, parent in stated.items():
        group = groups[name]
        parent_id = groups[parent].pk if parent else None
        if group.parent_id != parent_id:
            model.objects.filter(pk=group.pk).update(parent_id=parent_id)
            group.parent_id = parent_id
            report.count("process groups", "updated")
    return groups


# --- the map as a file -----------------------------------------------------------------

MAP_COLUMNS = ["code", "name", *MAP_OPTIONAL]


def process_map_rows(processes) -> list[list]:
    """The rows of a process map file (MAP_COLUMNS, header first) for these processes
    (with group__parent, owner, the variables and criteria at hand): loading them back
    changes nothing."""
    rows: list[list] = [list(MAP_COLUMNS)]
    for process in processes:
        group = process.group
        rows.append(
            [
                process.code,
                process.name,
                group.name if group else "",
                group.parent.name if group and group.parent else "",
                process.owner.code if process.owner else "",
                process.output,
                process.legal_deadline_days if process.legal_deadline_days is not None else "",
                process.cost_variable.code if process.cost_variable else "",
                process.output_variable.code if process.output_variable else "",
                CRITERIA_SEPARATOR.join(c.indicator.code for c in process.criteria.all()),
            ]
        )
    return rows


# --- the programme's model process catalogue -----------------------------------------


def _authorise_model(acting_user) -> None:
    if not (is_operator(acting_user) or is_coordinator(acting_user)):
        raise PermissionDenied(
            _("Only the programme's coordinators may change its model process catalogue.")
        )


def model_catalogue_load(
    *, path: str | Path, acting_user, programme: Programme | None = None, channel: str = "cli"
) -> LoadReport:
    """Create or update the programme's model process catalogue from a file in the
    format of a process map, without owners (`miara load processes FILE --model`).
    Model processes the file does not list are kept. All or nothing, audited."""
    path = Path(path)
    _authorise_model(acting_user)
    programme = programme or Programme.current()
    problems: list[Problem] = []
    read = _map_read(path, problems, model=True)
    rows, columns, at = read.rows, read.columns, read.at
    stored_groups = {g.name: g for g in ModelProcessGroup.objects.filter(programme=programme)}
    stated = _group_parents(rows, at, problems) if "parent_group" in columns else {}
    problems += _group_cycles(rows, stored_groups, stated, at)
    if problems:
        raise FileProblem(path.name, problems)

    report = LoadReport()
    with transaction.atomic():
        groups = _groups_write(
            {"programme": programme}, rows, stored_groups, stated, report, ModelProcessGroup
        )
        stored = {p.code: p for p in ModelProcess.objects.filter(programme=programme)}
        for row in rows:
            fields = {
                "name": row.name,
                "group_id": groups[row.group].pk if row.group else None,
                "output": row.output,
                "legal_deadline_days": row.legal_deadline_days,
                "cost_variable_id": read.variables.get(row.cost_variable),
                "output_variable_id": read.variables.get(row.output_variable),
                "criteria": row.criteria,
            }
            for column, field in (
                ("group", "group_id"),
                ("output", "output"),
                ("legal_deadline_days", "legal_deadline_days"),
                ("cost_variable", "cost_variable_id"),
                ("output_variable", "output_variable_id"),
                ("criteria", "criteria"),
            ):
                if column not in columns:
                    fields.pop(field)
            process = stored.get(row.code)
            if process is None:
                ModelProcess(programme=programme, code=row.code, **fields).save()
                report.count("model processes", "created")
            elif any(getattr(process, k) != v for k, v in fields.items()):
                ModelProcess.objects.filter(pk=process.pk).update(**fields)
                report.count("model processes", "updated")
            else:
                report.count("model processes", "unchanged")
        if report.changed:
            load_recorded(
                user=acting_user,
                action="processes.model_load",
                channel=channel,
                file=path.name,
                report=report,
                about=str(programme.pk),
                details={"programme": programme.pk},
            )
    return report


def model_catalogue_adopt(*, unit: Unit, acting_user, channel: str = "web") -> LoadReport:
    """Copy the programme's model process catalogue into an office's map, each process
    linked to its model (`Process.model_process`) so it is comparable across offices.

    A process of the model's code that the office already has is linked and takes the
    model's name, group, output, deadline and criteria (the model's first, then the
    office's own); what the model leaves empty (variables, deadline) and the office's
    owner department stay. The office's other processes are kept: it extends the model.
    Adopting again brings the model's later changes and otherwise changes nothing.
    """
    _authorise_change(acting_user, unit)
    programme = Programme.current()
    models = list(
        ModelProcess.objects.filter(programme=programme)
        .select_related("group__parent", "cost_variable", "output_variable")
        .order_by("code")
    )
    if not models:
        raise ProcessRequestError(_("The programme has not published a model process catalogue."))
    indicators = dict(Indicator.objects.values_list("code", "id"))
    rows = [
        _MapRow(
            line=0,
            code=m.code,
            name=m.name,
            group=m.group.name if m.group else "",
            parent_group=m.group.parent.name if m.group and m.group.parent else None,
            owner="",
            output=m.output,
            legal_deadline_days=m.legal_deadline_days,
            cost_variable=m.cost_variable.code if m.cost_variable else "",
            output_variable=m.output_variable.code if m.output_variable else "",
            criteria=[code for code in m.criteria if code in indicators],
        )
        for m in models
    ]
    stated = {}
    for m in models:
        if m.group:
            stated[m.group.name] = m.group.parent.name if m.group.parent else None
            if m.group.parent and m.group.parent.name not in stated:
                stated[m.group.parent.name] = None
    read = _MapFile(
        rows=rows,
        columns=set(MAP_COLUMNS) - {"owner"},
        at=lambda line, column: {"column": column},
        variables=dict(Variable.objects.values_list("code", "id")),
        indicators=indicators,
    )
    with transaction.atomic():
        stored_groups = {
            g.name: g for g in ProcessGroup.objects.filter(unit=unit).select_for_update()
        }
        cycles = _group_cycles(rows, stored_groups, stated, read.at)
        if cycles:
            raise ProcessRequestError(
                _("The model's groups cannot be placed in the office's tree of groups: %(why)s")
                % {"why": "; ".join(p.message for p in cycles)}
            )
        report = LoadReport()
        _map_write(
            unit,
            read,
            stored_groups,
            stated,
            report,
            model_of={m.code: m.pk for m in models},
        )
        if report.changed:
            audit_record(
                user=acting_user,
                action="processes.adopt",
                channel=channel,
                summary=f"{unit.code}: model process catalogue adopted: {report.summary()}",
                details={
                    "unit": unit.code,
                    "programme": programme.pk,
                    "created": report.created,
                    "updated": report.updated,
                },
            )
    return report


# --- the costing workbook --------------------------------------------------------------


def costing_load(
    *, path: str | Path, unit_code: str, period: str, acting_user, channel: str = "cli"
) -> LoadReport:
    """Replace an office's costing data of one period with a costing workbook's
    (contracts.md: sheets `departments`, `allocation`, `outputs`).

    Departments are created or renamed as the workbook says; the period's cost pools,
    time allocation and outputs become exactly the workbook's. Every problem is named
    by sheet, row and column, and then nothing is stored. Loading the same workbook
    again writes nothing (and records nothing).
    """
    path = Path(path)
    unit = unit_for(unit_code=unit_code, acting_user=acting_user)
    period = period_code(period)
    _authorise_change(acting_user, unit)
    positions: dict[str, dict[str, int]] = {}
    sheets = read_sheets(path, COSTING_SHEETS, positions=positions)
    problems: list[Problem] = []
    if sheets["departments"].is_empty():
        problems.append(
            Problem(_("the sheet has a header but no departments"), sheet="departments")
        )
    processes = dict(Process.objects.filter(unit=unit).values_list("code", "id"))
    departments = _departments_read(
        sheets["departments"], _cells(path, positions["departments"], "departments"), problems
    )
    allocation = _allocation_read(
        sheets["allocation"],
        _cells(path, positions["allocation"], "allocation"),
        departments,
        processes,
        problems,
    )
    outputs = _outputs_read(
        sheets["outputs"], _cells(path, positions["outputs"], "outputs"), processes, problems
    )
    if problems:
        raise FileProblem(path.name, problems)

    report = LoadReport()
    with transaction.atomic():
        stored = {d.code: d for d in Department.objects.filter(unit=unit).select_for_update()}
        for code, (name, kind, *_numbers) in departments.items():
            department = stored.get(code)
            if department is None:
                stored[code] = Department.objects.create(unit=unit, code=code, name=name, kind=kind)
                report.count("departments", "created")
            elif (department.name, department.kind) != (name, kind):
                Department.objects.filter(pk=department.pk).update(name=name, kind=kind)
                report.count("departments", "updated")
        code_of = {d.pk: code for code, d in stored.items()}
        process_of = {pk: code for code, pk in processes.items()}
        before = _costing_stored(unit, period, code_of, process_of)
        after = (
            {code: (kind, *numbers) for code, (_name, kind, *numbers) in departments.items()},
            {key: percent for key, (percent, _line) in allocation.items()},
            outputs,
        )
        if before != after:
            for model in (TimeAllocation, ProcessOutput, CostPool):
                model.objects.filter(unit=unit, period=period).delete()
            CostPool.objects.bulk_create(
                CostPool(
                    unit=unit,
                    period=period,
                    department=stored[code],
                    kind=kind,
                    fte=fte,
                    personnel_cost=personnel,
                    other_cost=other,
                )
                for code, (kind, fte, personnel, other) in after[0].items()
            )
            TimeAllocation.objects.bulk_create(
                TimeAllocation(
                    unit=unit,
                    period=period,
                    department=stored[department],
                    process_id=processes[process],
                    percent=percent,
                )
                for (department, process), percent in after[1].items()
            )
            ProcessOutput.objects.bulk_create(
                ProcessOutput(
                    unit=unit,
                    period=period,
                    process_id=processes[process],
                    output=output,
                    direct_cost=direct,
                )
                for process, (output, direct) in outputs.items()
            )
            outcome = "updated" if any(before) else "created"
            report.created.update({} if outcome == "updated" else _costing_counts(after))
            report.updated.update({} if outcome == "created" else _costing_counts(after))
        else:
            report.unchanged.update(_costing_counts(after))
        if report.changed:
            load_recorded(
                user=acting_user,
                action="costing.load",
                channel=channel,
                file=path.name,
                report=report,
                about=f"{unit.code} {period}",
                details={"unit": unit.code, "period": period},
            )
    return report


def _costing_counts(data) -> dict[str, int]:
    pools, allocation, outputs = data
    return {"cost pools": len(pools), "allocations": len(allocation), "outputs": len(outputs)}


def _costing_stored(unit: Unit, period: str, code_of: dict, process_of: dict):
    pools = {
        code_of[p.department_id]: (p.kind, p.fte, p.personnel_cost, p.other_cost)
        for p in CostPool.objects.filter(unit=unit, period=period)
    }
    allocation = {
        (code_of[a.department_id], process_of[a.process_id]): a.percent
        for a in TimeAllocation.objects.filter(unit=unit, period=period)
    }
    outputs = {
        process_of[o.process_id]: (o.output, o.direct_cost)
        for o in ProcessOutput.objects.filter(unit=unit, period=period)
    }
    return pools, allocation, outputs


def _amount(raw: dict, column: str, where, problems: list[Problem], *, empty_allowed: bool):
    """A cell that must hold a number of 0 or more; None when empty (if allowed)."""
    text = raw.get(column)
    try:
        value = _number(text)
    except ValueError:
        problems.append(
            Problem(
                _("%(text)s is not a number (write it with a dot as the decimal separator)")
                % {"text": _quote(text)},
                **where(raw[LINE], column),
            )
        )
        return None
    if value is None:
        if not empty_allowed:
            problems.append(
                Problem(
                    _("the cell is empty; write 0 if there is none"), **where(raw[LINE], column)
                )
            )
        return None
    if value < 0:
        problems.append(
            Problem(
                _("%(value)s is negative; it must be 0 or more") % {"value": _quote(text)},
                **where(raw[LINE], column),
            )
        )
    return value


def _duplicate(key, first: dict, line: int, what: str, where, column: str, problems) -> bool:
    if key in first:
        problems.append(
            Problem(
                _("%(what)s appears twice (first on row %(line)s)")
                % {"what": what, "line": first[key]},
                **where(line, column),
            )
        )
        return True
    first[key] = line
    return False


def _departments_read(frame, where, problems: list[Problem]) -> dict[str, tuple]:
    """code -> (name, kind, fte, personnel_cost, other_cost)."""
    departments: dict[str, tuple] = {}
    first: dict[str, int] = {}
    for raw in frame.to_dicts():
        line, code = raw[LINE], raw["department"] or ""
        if not code or len(code) > 40:
            problems.append(
                Problem(
                    _("the department code is empty or longer than 40 characters"),
                    **where(line, "department"),
                )
            )
            continue
        duplicate = _duplicate(
            code,
            first,
            line,
            _("department %(code)s") % {"code": code},
            where,
            "department",
            problems,
        )
        name = raw["name"] or ""
        if not name or len(name) > 200:
            problems.append(
                Problem(
                    _("the department's name is empty or longer than 200 characters"),
                    **where(line, "name"),
                )
            )
        kind = (raw["kind"] or "").lower()
        if kind not in (Department.Kind.PRIMARY, Department.Kind.SUPPORT):
            problems.append(
                Problem(
                    _("%(kind)s is not a kind of department; write primary or support")
                    % {"kind": _quote(raw["kind"] or "")},
                    **where(line, "kind"),
                )
            )
        numbers = [
            _amount(raw, column, where, problems, empty_allowed=False)
            for column in ("fte", "personnel_cost", "other_cost")
        ]
        if not duplicate:
            departments[code] = (name, kind, *numbers, line)
    return {code: values[:-1] for code, values in departments.items()}


def _allocation_read(frame, where, departments: dict, processes: dict, problems) -> dict:
    """(department, process) -> (percent, row)."""
    allocation: dict[tuple[str, str], tuple[float, int]] = {}
    first: dict[tuple[str, str], int] = {}
    for raw in frame.to_dicts():
        line = raw[LINE]
        department, process = raw["department"] or "", raw["process"] or ""
        known = True
        if department not in departments:
            known = False
            problems.append(
                Problem(
                    _("%(code)s is not a department of the sheet “departments”")
                    % {"code": _quote(department)},
                    **where(line, "department"),
                )
            )
        elif departments[department][1] == Department.Kind.SUPPORT:
            known = False
            problems.append(
                Problem(
                    _(
                        "%(code)s is a support department; its cost is spread over processes "
                        "by staff, so it has no allocation"
                    )
                    % {"code": department},
                    **where(line, "department"),
                )
            )
        if process not in processes:
            known = False
            problems.append(
                Problem(
                    _("%(code)s is not a process of this office's process map")
                    % {"code": _quote(process)},
                    **where(line, "process"),
                )
            )
        percent = _amount(raw, "percent", where, problems, empty_allowed=False)
        if percent is not None and percent > 100:
            problems.append(
                Problem(
                    _("%(value)s is over 100 %%") % {"value": _quote(raw["percent"])},
                    **where(line, "percent"),
                )
            )
            percent = None
        key = (department, process)
        what = _("department %(department)s and process %(process)s") % {
            "department": department,
            "process": process,
        }
        if _duplicate(key, first, line, what, where, "process", problems) or not known:
            continue
        if percent is not None:
            allocation[key] = (percent, line)
    totals: dict[str, float] = {}
    for (department, _process), (percent, line) in allocation.items():
        before = totals.get(department, 0.0)
        totals[department] = before + percent
        if before <= 100 + PERCENT_SLACK < totals[department]:
            problems.append(
                Problem(
                    _(
                        "department %(code)s's time adds up to more than 100 %% by this row "
                        "(%(total)s %%)"
                    )
                    % {"code": department, "total": f"{totals[department]:g}"},
                    **where(line, "percent"),
                )
            )
    return allocation


def _outputs_read(frame, where, processes: dict, problems) -> dict[str, tuple]:
    """process -> (output or None, direct_cost)."""
    outputs: dict[str, tuple] = {}
    first: dict[str, int] = {}
    for raw in frame.to_dicts():
        line, process = raw[LINE], raw["process"] or ""
        known = process in processes
        if not known:
            problems.append(
                Problem(
                    _("%(code)s is not a process of this office's process map")
                    % {"code": _quote(process)},
                    **where(line, "process"),
                )
            )
        output = _amount(raw, "output", where, problems, empty_allowed=True)
        direct = _amount(raw, "direct_cost", where, problems, empty_allowed=True)
        what = _("process %(code)s") % {"code": process}
        if _duplicate(process, first, line, what, where, "process", problems) or not known:
            continue
        outputs[process] = (output, direct or 0.0)
    return outputs


# --- settings --------------------------------------------------------------------------


def process_settings_update(
    *, unit: Unit, shares_costing: bool, acting_user, channel: str = "web"
) -> ProcessSettings:
    """Whether the office shares its costing with the programme's coordinators and
    experts. Only the office's own managers decide it."""
    if not manages_unit(acting_user, unit.pk):
        raise PermissionDenied(
            _("Only the office's managers may decide whether %(unit)s shares its costing.")
            % {"unit": unit.code}
        )
    with transaction.atomic():
        settings, _created = ProcessSettings.objects.select_for_update().get_or_create(unit=unit)
        if settings.shares_costing != shares_costing:
            settings.shares_costing = shares_costing
            settings.save(update_fields=["shares_costing"])
            audit_record(
                user=acting_user,
                action="processes.settings",
                channel=channel,
                summary=f"{unit.code}: shares costing {'on' if shares_costing else 'off'}",
                details={"unit": unit.code, "shares_costing": shares_costing},
            )
    return settings
