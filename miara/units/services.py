"""Writes to units. All-or-nothing loads, audited."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from django.db import transaction

from miara.accounts.audit import load_recorded
from miara.fileio import FileProblem, LoadReport, Problem, read_table
from miara.fileio.tables import LINE
from miara.units.models import Unit

FIELDS = ("name", "type", "country")


def units_load(*, path: str | Path, user=None, channel: str = "cli") -> LoadReport:
    """Create or update units from a CSV/XLSX file with `code,name,type[,parent,country]`."""
    path = Path(path)
    frame = read_table(path, required=["code", "name", "type"], optional=["parent", "country"])
    problems: list[Problem] = []
    if frame.is_empty():
        raise FileProblem(path.name, [Problem("the file has a header but no units")])
    rows = frame.to_dicts()
    first_line: dict[str, int] = {}
    existing = {u.code: u for u in Unit.objects.select_related("parent")}
    for row in rows:
        line, code = row[LINE], row["code"]
        if not code:
            problems.append(Problem("the unit code is empty", line=line, column="code"))
            continue
        if len(code) > 40:
            problems.append(
                Problem(
                    f"the code {code[:50]!r} is longer than 40 characters", line=line, column="code"
                )
            )
        if code in first_line:
            problems.append(
                Problem(
                    f"unit {code} appears twice (first on line {first_line[code]})",
                    line=line,
                    column="code",
                )
            )
        first_line.setdefault(code, line)
        if not row["name"]:
            problems.append(Problem(f"unit {code} has no name", line=line, column="name"))
        country = row.get("country") or ""
        if country and (len(country) != 2 or not country.isalpha()):
            problems.append(
                Problem(
                    f"country {country!r} must be a two-letter code such as PL or CZ",
                    line=line,
                    column="country",
                )
            )
    for row in rows:
        parent = row.get("parent")
        if parent and parent not in first_line and parent not in existing:
            problems.append(
                Problem(
                    f"parent {parent!r} is not a unit in this file or in miara",
                    line=row[LINE],
                    column="parent",
                )
            )
        if parent and parent == row["code"]:
            problems.append(
                Problem("a unit cannot be its own parent", line=row[LINE], column="parent")
            )
    problems += _parent_cycles(rows, existing)
    if problems:
        raise FileProblem(path.name, problems)

    report = LoadReport()
    with transaction.atomic():
        for row in rows:
            fields = {
                "name": row["name"],
                "type": row["type"] or "",
                "country": (row.get("country") or "").upper(),
            }
            unit = existing.get(row["code"])
            if unit is None:
                unit = Unit.objects.create(code=row["code"], **fields)
                existing[unit.code] = unit
                report.count("units", "created")
            elif any(getattr(unit, k) != v for k, v in fields.items()):
                Unit.objects.filter(pk=unit.pk).update(**fields)
                report.count("units", "updated")
            else:
                report.count("units", "unchanged")
        # Parents second: a parent may come later in the file than its children.
        for row in rows:
            if "parent" not in row:
                continue
            unit = existing[row["code"]]
            parent_id = existing[row["parent"]].pk if row["parent"] else None
            if unit.parent_id != parent_id:
                Unit.objects.filter(pk=unit.pk).update(parent_id=parent_id)
                unit.parent_id = parent_id
                report.updated.setdefault("parents", 0)
                report.updated["parents"] += 1
        if report.changed:
            load_recorded(
                user=user, action="units.load", channel=channel, file=path.name, report=report
            )
    return report


def _parent_cycles(rows: list[dict], existing: dict[str, Unit]) -> list[Problem]:
    parent_of = {code: (u.parent.code if u.parent_id else None) for code, u in existing.items()}
    for row in rows:
        if "parent" in row:
            parent_of[row["code"]] = row["parent"] or None
    problems = []
    for row in rows:
        seen, code = [], row["code"]
        while code is not None and code not in seen:
            seen.append(code)
            code = parent_of.get(code)
        if code is not None and code == row["code"]:
            problems.append(
                Problem(
                    "parents form a cycle: " + " -> ".join([*seen, code]),
                    line=row[LINE],
                    column="parent",
                )
            )
    return problems


def units_frame() -> pl.DataFrame:
    """All units as `unit, type` for the engine's group rules."""
    rows = list(Unit.objects.values_list("code", "type"))
    return pl.DataFrame(rows, schema={"unit": pl.String, "type": pl.String}, orient="row")
