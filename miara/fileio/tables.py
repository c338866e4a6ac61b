"""Read a CSV or XLSX file into a frame of strings, plus the line each row came from.

Everything is read as text: parsing numbers and codes is the caller's job, because only
the caller knows what a column means and can say what is wrong with a cell.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import polars as pl
from django.utils.translation import gettext

from miara.fileio.numbers import number_text
from miara.fileio.problems import FileProblem, Problem
from miara.fileio.workbooks import CLI_LIMITS, checked_workbook

LINE = "__line"


def read_table(
    path: str | Path,
    *,
    required: list[str],
    optional: list[str] = (),
    positions: dict | None = None,
) -> pl.DataFrame:
    """The file as strings with normalised lower-case headers and a `__line` column.

    `positions`, when given, is filled with each known column's 0-based position in the
    file, so errors can name spreadsheet cells even when columns were moved.
    Raises FileProblem when the file is missing, empty, of the wrong kind, undecodable,
    or lacks a required column.
    """
    path = Path(path)
    source = path.name
    if not path.exists():
        raise FileProblem(str(path), [Problem("file not found")])
    if path.is_dir():
        raise FileProblem(str(path), [Problem("this is a folder, not a file")])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        frame, first_data_line = _read_xlsx(path, source), 2
    elif suffix in (".csv", ".txt", ".tsv", ""):
        frame, first_data_line = _read_csv(path, source), 2
    else:
        raise FileProblem(source, [Problem(f"unsupported file type {suffix!r}; use .csv or .xlsx")])

    renamed = {c: str(c).strip().lower() for c in frame.columns}
    frame = frame.rename(renamed)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        header = ", ".join(frame.columns) or "(nothing)"
        raise FileProblem(
            source,
            [
                Problem(f"missing column {c!r}; the header row has: {header}", line=1)
                for c in missing
            ],
        )
    known = [*required, *optional]
    if positions is not None:
        positions.update({c: i for i, c in enumerate(frame.columns) if c in known})
    frame = frame.select([c for c in known if c in frame.columns])
    frame = frame.with_columns(pl.col(c).str.strip_chars() for c in frame.columns)
    frame = frame.with_row_index(LINE, offset=first_data_line).with_columns(
        pl.col(LINE).cast(pl.Int64)
    )
    # Rows where every cell is empty are ignored, as a spreadsheet user would expect.
    return frame.filter(
        ~pl.all_horizontal(
            pl.col(c).is_null() | (pl.col(c) == "") for c in known if c in frame.columns
        )
    )


# Letters and signs a Polish or Czech table may hold beyond ASCII. Windows-1250 and
# ISO-8859-2 agree on most of them; where they differ, reading one as the other yields
# signs outside this set (¦ © « » ± ¶ Ľ ľ, or C1 control codes), which is how a
# wrong guess shows.
_LETTERS = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻáčďéěíňóřšťúůýžÁČĎÉĚÍŇÓŘŠŤÚŮÝŽäöüßÄÖÜôÔ")
_SIGNS = set("\u00a0„”“‚‘’–—…€°§×·")
LEGACY_ENCODINGS = ("cp1250", "iso-8859-2")


def _implausible(text: str) -> int | None:
    """The offset of the first character no Polish or Czech table would hold, or None."""
    for offset, char in enumerate(text):
        if char.isascii():
            if char.isprintable() or char in "\t\r\n":
                continue
            return offset
        if char not in _LETTERS and char not in _SIGNS:
            return offset
    return None


def _decode(raw: bytes, source: str) -> bytes:
    """UTF-8 (with or without BOM), else Windows-1250 or ISO-8859-2, as UTF-8 for Polars.

    A legacy encoding is accepted only when exactly one reading gives plausible Polish or
    Czech text (or both give the same text); otherwise the file is refused, naming the
    line, rather than silently garbled.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw[:65536]:
        raise FileProblem(
            source,
            [Problem("this is not a text file (it contains binary data); save it as CSV or XLSX")],
        )
    try:
        raw.decode("utf-8")
        return raw
    except UnicodeDecodeError:
        pass
    readings, first_bad = {}, None
    for encoding in LEGACY_ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as error:
            offset = error.start
        else:
            offset = _implausible(text)
            if offset is None:
                readings[encoding] = text
                continue
            offset = len(text[:offset].encode(encoding))
        first_bad = offset if first_bad is None else max(first_bad, offset)
    texts = set(readings.values())
    if len(texts) == 1:
        return texts.pop().encode("utf-8")
    if not texts:
        line = raw[:first_bad].count(b"\n") + 1
        raise FileProblem(
            source,
            [
                Problem(
                    "the file is neither UTF-8 nor Windows-1250 nor ISO-8859-2 text; "
                    "save it as CSV UTF-8",
                    line=line,
                )
            ],
        )
    # Both legacy readings look like text but differ: say where, and what each would mean.
    one, other = (readings[e].splitlines() for e in LEGACY_ENCODINGS)
    line = next((i for i, (a, b) in enumerate(zip(one, other, strict=True)) if a != b), 0)
    raise FileProblem(
        source,
        [
            Problem(
                f"cannot tell whether this line is Windows-1250 ({one[line][:80]!r}) or ISO-8859-2 "
                f"({other[line][:80]!r}); save the file as CSV UTF-8",
                line=line + 1,
            )
        ],
    )


def _read_csv(path: Path, source: str) -> pl.DataFrame:
    raw = _decode(path.read_bytes(), source)
    if not raw.strip():
        raise FileProblem(source, [Problem("the file is empty")])
    header = raw.split(b"\n", 1)[0]
    separator = ";" if header.count(b";") > header.count(b",") else ","
    try:
        return pl.read_csv(
            io.BytesIO(raw), separator=separator, infer_schema=False, has_header=True
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as error:
        message = str(error).split("\n")[0]
        raise FileProblem(source, [Problem(f"cannot read the file as CSV: {message}")]) from None


def _read_xlsx(path: Path, source: str) -> pl.DataFrame:
    from python_calamine import CalamineWorkbook

    # The reader only ever sees the checked, uncompressed copy (miara.fileio.workbooks).
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as copy:
        checked_workbook(source, path, CLI_LIMITS, copy)
        copy.flush()
        try:
            rows = (
                CalamineWorkbook.from_path(copy.name)
                .get_sheet_by_index(0)
                .to_python(skip_empty_area=False)
            )
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # calamine's own errors, and Rust panics
            raise FileProblem(source, [Problem(f"cannot read the workbook: {error}")]) from None
    if not rows or not any(cell not in ("", None) for cell in rows[0]):
        raise FileProblem(source, [Problem("the first sheet is empty")])
    return _rows_frame(rows)


def _rows_frame(rows: list[list]) -> pl.DataFrame:
    """A sheet's rows (the first is the header) as a frame of strings."""
    header = [_cell_text(cell) or f"column {i + 1}" for i, cell in enumerate(rows[0])]
    width = len(header)
    body = [
        [_cell_text(cell) for cell in row[:width]] + [None] * (width - len(row)) for row in rows[1:]
    ]
    return pl.DataFrame(body, schema=dict.fromkeys(header, pl.String), orient="row")


def _cell_text(cell) -> str | None:
    """A cell as text; floats keep full precision (repr), whole numbers lose the '.0'."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, bool):
        return str(cell).upper()
    if isinstance(cell, float):
        return number_text(cell)
    return str(cell)


def read_sheets(
    path: str | Path,
    sheets: dict[str, tuple[list[str], list[str]]],
    *,
    positions: dict[str, dict[str, int]] | None = None,
) -> dict[str, pl.DataFrame]:
    """Several named sheets of one .xlsx workbook, each read as `read_table` reads a file.

    `sheets` maps each sheet's name to its (required, optional) columns; sheet names
    match whatever their case. Each frame holds strings under lower-case headers and a
    `__line` column (the sheet's row number). `positions`, when given, is filled with
    each sheet's known columns' 0-based positions, so errors can name cells. Raises
    FileProblem naming every missing sheet and every missing column (sheet, row 1,
    column).
    """
    from python_calamine import CalamineWorkbook

    path = Path(path)
    source = path.name
    if not path.exists():
        raise FileProblem(str(path), [Problem(gettext("file not found"))])
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise FileProblem(
            source, [Problem(gettext("this must be an Excel .xlsx workbook with named sheets"))]
        )
    read: dict[str, list[list]] = {}
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as copy:
        checked_workbook(source, path, CLI_LIMITS, copy)
        copy.flush()
        try:
            workbook = CalamineWorkbook.from_path(copy.name)
            names = {name.strip().lower(): name for name in workbook.sheet_names}
            for wanted in sheets:
                if wanted in names:
                    read[wanted] = workbook.get_sheet_by_name(names[wanted]).to_python(
                        skip_empty_area=False
                    )
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # calamine's own errors, and Rust panics
            message = gettext("cannot read the workbook: %(error)s") % {"error": error}
            raise FileProblem(source, [Problem(message)]) from None
    problems: list[Problem] = []
    frames: dict[str, pl.DataFrame] = {}
    for wanted, (required, optional) in sheets.items():
        if wanted not in read:
            problems.append(
                Problem(
                    gettext("the workbook has no sheet “%(sheet)s”") % {"sheet": wanted},
                    sheet=wanted,
                )
            )
            continue
        rows = read[wanted]
        if not rows or not any(cell not in ("", None) for cell in rows[0]):
            rows = [[]]
        names = [(_cell_text(c) or "").strip().lower() for c in rows[0]]
        known = [*required, *optional]
        twice = sorted({c for c in names if c in known and names.count(c) > 1})
        problems += [
            Problem(
                gettext("the column “%(column)s” appears twice in the header row") % {"column": c},
                sheet=wanted,
                line=1,
                column=c,
            )
            for c in twice
        ]
        if twice:
            continue
        # Columns miara does not read may repeat (two "notes"): number them apart.
        header = [
            name if name and names.index(name) == i else f"column {i + 1}"
            for i, name in enumerate(names)
        ]
        frame = _rows_frame([header, *rows[1:]]) if rows[0] else pl.DataFrame()
        missing = [c for c in required if c not in frame.columns]
        header = ", ".join(frame.columns) or gettext("(nothing)")
        problems += [
            Problem(
                gettext("missing column “%(column)s”; the header row has: %(header)s")
                % {"column": c, "header": header},
                sheet=wanted,
                line=1,
                column=c,
            )
            for c in missing
        ]
        if missing:
            continue
        if positions is not None:
            positions[wanted] = {c: i for i, c in enumerate(frame.columns) if c in known}
        frame = frame.select([c for c in known if c in frame.columns])
        frame = frame.with_columns(pl.col(c).str.strip_chars() for c in frame.columns)
        frame = frame.with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64))
        frames[wanted] = frame.filter(
            ~pl.all_horizontal(
                pl.col(c).is_null() | (pl.col(c) == "") for c in known if c in frame.columns
            )
        )
    if problems:
        raise FileProblem(source, problems)
    return frames
