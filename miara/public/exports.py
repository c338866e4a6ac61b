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


JSONSTAT_STATISTICS = ("n", "mean", "median", "q1", "q3")


def jsonstat_dataset(rows: list[dict], *, about: dict, labels: dict) -> dict:
    """The rows as one JSON-stat 2.0 dataset (https://json-stat.org/format/): dimensions
    period × indicator × group × statistic, values in that order (the last dimension
    varying fastest), null where a group is withheld or a quartile not published; each
    withheld cell's `status` says why. `labels`: {"indicator": {code: name}, "group":
    {code: name}} in the reader's language."""
    periods = list(dict.fromkeys(r["period"] for r in rows))
    indicators = list(dict.fromkeys(r["indicator"] for r in rows))
    groups = list(dict.fromkeys(r["group"] for r in rows))
    size = [len(periods), len(indicators), len(groups), len(JSONSTAT_STATISTICS)]
    values: list = [None] * (size[0] * size[1] * size[2] * size[3])
    status: dict[str, str] = {}
    position = {
        "period": {p: i for i, p in enumerate(periods)},
        "indicator": {c: i for i, c in enumerate(indicators)},
        "group": {g: i for i, g in enumerate(groups)},
    }
    for row in rows:
        base = (
            (position["period"][row["period"]] * size[1] + position["indicator"][row["indicator"]])
            * size[2]
            + position["group"][row["group"]]
        ) * size[3]
        for offset, name in enumerate(JSONSTAT_STATISTICS):
            values[base + offset] = row[name]
            if row["withheld"]:
                status[str(base + offset)] = row["withheld"]

    def dimension(codes, names):
        return {
            "category": {
                "index": codes,
                "label": {code: names.get(code, code) for code in codes},
            }
        }

    dataset = {
        "version": "2.0",
        "class": "dataset",
        "label": about.get("source", ""),
        "source": about.get("source", ""),
        "href": about.get("url", ""),
        "id": ["period", "indicator", "group", "statistic"],
        "size": size,
        "dimension": {
            "period": dimension(periods, {}),
            "indicator": dimension(indicators, labels.get("indicator", {})),
            "group": dimension(groups, labels.get("group", {})),
            "statistic": dimension(list(JSONSTAT_STATISTICS), {}),
        },
        "value": values,
        "extension": {"licence": about.get("licence"), "licence_url": about.get("licence_url")},
    }
    if status:
        dataset["status"] = status
    return dataset


def jsonstat_download(rows: list[dict], *, about: dict, labels: dict) -> HttpResponse:
    return HttpResponse(
        json.dumps(jsonstat_dataset(rows, about=about, labels=labels), ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
