"""Projects and tasks as CSV or XLSX downloads, for offices that plan in spreadsheets.

The rows come from the scoped selectors; text a spreadsheet would run as a formula is
made inert (`fileio.formulas`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
from django.http import Http404, HttpResponse

from miara.fileio.formulas import csv_text
from miara.fileio.writing import write_frame
from miara.improvement.selectors import projects_for, tasks_for

PROJECT_SCHEMA = {
    "id": pl.Int64,
    "unit": pl.String,
    "title": pl.String,
    "state": pl.String,
    "owner": pl.String,
    "team": pl.String,
    "start_date": pl.String,
    "due_date": pl.String,
    "budget": pl.Float64,
    "currency": pl.String,
    "indicators": pl.String,
    "expected_effect": pl.String,
    "version": pl.Int64,
}
TASK_SCHEMA = {
    "id": pl.Int64,
    "project": pl.Int64,
    "unit": pl.String,
    "project_title": pl.String,
    "title": pl.String,
    "owner": pl.String,
    "state": pl.String,
    "due_date": pl.String,
    "version": pl.Int64,
}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def projects_frame(*, user, unit=None) -> pl.DataFrame:
    rows = [
        {
            "id": p.pk,
            "unit": p.unit.code,
            "title": p.title,
            "state": p.state,
            "owner": p.owner.username if p.owner else "",
            "team": " ".join(sorted(u.username for u in p.team.all())),
            "start_date": p.start_date.isoformat(),
            "due_date": p.due_date.isoformat(),
            "budget": float(p.budget) if p.budget is not None else None,
            "currency": p.currency,
            "indicators": " ".join(sorted(i.code for i in p.indicators.all())),
            "expected_effect": p.expected_effect.indicator.code if p.expected_effect else "",
            "version": p.version,
        }
        for p in projects_for(user=user, unit=unit)
    ]
    return pl.DataFrame(rows, schema=PROJECT_SCHEMA)


def tasks_frame(*, user, unit=None) -> pl.DataFrame:
    rows = [
        {
            "id": t.pk,
            "project": t.project_id,
            "unit": t.project.unit.code,
            "project_title": t.project.title,
            "title": t.title,
            "owner": t.owner.username if t.owner else "",
            "state": t.state,
            "due_date": t.due_date.isoformat() if t.due_date else "",
            "version": t.version,
        }
        for t in tasks_for(user=user, unit=unit)
    ]
    return pl.DataFrame(rows, schema=TASK_SCHEMA)


def _inert(frame: pl.DataFrame) -> pl.DataFrame:
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.col(c).map_elements(csv_text, return_dtype=pl.String) for c in text
    )


def projects_response(*, user, unit, fmt: str, what: str = "projects") -> HttpResponse:
    """The unit's projects (or tasks) as a download; `fmt` is csv or xlsx."""
    if fmt not in CONTENT_TYPES or what not in ("projects", "tasks"):
        raise Http404
    frame = (projects_frame if what == "projects" else tasks_frame)(user=user, unit=unit)
    if fmt == "csv":
        frame = _inert(frame)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{fmt}"
        write_frame(frame, path, fmt, sheet=what)
        content = path.read_bytes()
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = f"{what}-{unit.code}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
