"""Write a frame as CSV, XLSX or JSON: the three export formats of contracts.md."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from miara.fileio.formulas import xlsx_row
from miara.fileio.problems import FileProblem, Problem

FORMATS = ("csv", "xlsx", "json")
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header row


def format_of(path: Path, given: str | None) -> str:
    fmt = (given or path.suffix.lstrip(".") or "csv").lower()
    if fmt not in FORMATS:
        raise FileProblem(path.name, [Problem(f"unknown format {fmt!r}; use csv, xlsx or json")])
    return fmt


def write_frame(frame: pl.DataFrame, path: str | Path, fmt: str, *, sheet: str = "data") -> Path:
    """Write atomically: a half-written export never replaces a good one."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise FileProblem(str(path), [Problem(f"the folder {path.parent} does not exist")])
    temporary = path.with_name(f".{path.name}.partial")
    if fmt == "csv":
        frame.write_csv(temporary)
    elif fmt == "json":
        frame.write_json(temporary)
    else:
        if frame.height > XLSX_MAX_ROWS:
            raise FileProblem(
                path.name,
                [
                    Problem(
                        f"{frame.height:,} rows do not fit in an Excel sheet (at most {XLSX_MAX_ROWS:,}); export CSV instead, or choose fewer periods"
                    )
                ],
            )
        _write_xlsx(frame, temporary, sheet)
    temporary.replace(path)
    return path


def _write_xlsx(frame: pl.DataFrame, path: Path, sheet: str) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.freeze_panes = "A2"
    header = []
    for name in frame.columns:
        cell = WriteOnlyCell(worksheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    worksheet.append(header)
    for row in frame.iter_rows():
        worksheet.append(xlsx_row(worksheet, row))
    workbook.save(path)


def write_frames(
    frames: Iterable[pl.DataFrame], path: str | Path, fmt: str, *, schema: dict, sheet: str = "data"
) -> int:
    """Write frames one after another, so an export never holds all its rows at once.

    CSV and JSON stream batch by batch; XLSX collects (it is capped at Excel's row limit).
    Returns the number of rows written. Atomic like `write_frame`.
    """
    path = Path(path)
    if fmt == "xlsx":
        collected, total = [], 0
        for frame in frames:
            total += frame.height
            if total > XLSX_MAX_ROWS:
                raise FileProblem(
                    path.name,
                    [
                        Problem(
                            f"more than {XLSX_MAX_ROWS:,} rows do not fit in an Excel sheet; export CSV instead, or choose fewer periods or indicators"
                        )
                    ],
                )
            collected.append(frame)
        write_frame(
            pl.concat(collected) if collected else pl.DataFrame(schema=schema),
            path,
            fmt,
            sheet=sheet,
        )
        return total
    if path.parent and not path.parent.exists():
        raise FileProblem(str(path), [Problem(f"the folder {path.parent} does not exist")])
    temporary = path.with_name(f".{path.name}.partial")
    total = 0
    with open(temporary, "wb") as out:
        if fmt == "json":
            out.write(b"[")
        for frame in frames:
            if frame.is_empty():
                continue
            if fmt == "csv":
                frame.write_csv(out, include_header=total == 0)
            else:
                body = frame.write_json().encode()[1:-1]  # the records, without the array brackets
                out.write((b"," if total else b"") + body)
            total += frame.height
        if fmt == "csv" and total == 0:
            pl.DataFrame(schema=schema).write_csv(out)
        if fmt == "json":
            out.write(b"]")
    temporary.replace(path)
    return total
