"""Every public table as CSV and JSON: the rows of PUBLIC_TABLE_SCHEMA at full precision
(like every export), with their lineage (the indicator's formula, the result set and its
state) and, in JSON, the source, licence and address to cite.

A withheld group keeps its row with its figures empty and `withheld` saying why, so a
harvester can tell "withheld" from "not computed". Nothing else than what the selector
returns is written: no unit, no min, max or best.
"""

from __future__ import annotations

import json

import polars as pl
from django.http import HttpResponse

from miara.catalogue.models import Indicator
from miara.presentation.downloads import csv_response
from miara.presentation.numbers import exact

COLUMNS = (
    "indicator",
    "period",
    "group",
    "n",
    "mean",
    "median",
    "q1",
    "q3",
    "withheld",
    "formula",
    "result_set",
    "result_state",
)
FIGURES = ("n", "mean", "median", "q1", "q3")


def with_lineage(frame: pl.DataFrame) -> list[dict]:
    """The frame's rows with each indicator's formula; a withheld row's figures empty."""
    codes = frame.get_column("indicator").unique().to_list() if frame.height else []
    formulas = dict(Indicator.objects.filter(code__in=codes).values_list("code", "formula"))
    rows = []
    for row in frame.iter_rows(named=True):
        if row["withheld"]:
            row.update({name: None for name in FIGURES})
        row["formula"] = formulas.get(row["indicator"], "")
        rows.append({name: row.get(name) for name in COLUMNS})
    return rows


def csv_download(rows: list[dict], filename: str) -> HttpResponse:
    response, writer = csv_response(filename)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            ["" if row[c] is None else exact(row[c]) if c in FIGURES else row[c] for c in COLUMNS]
        )
    return response


def json_download(rows: list[dict], *, about: dict) -> HttpResponse:
    """`{"about": {...}, "columns": [...], "rows": [{...}]}`; numbers as JSON numbers."""
    payload = {"about": about, "columns": list(COLUMNS), "rows": rows}
    return HttpResponse(
        json.dumps(payload, ensure_ascii=False, allow_nan=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
