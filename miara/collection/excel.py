"""The Excel questionnaire: a protected workbook per unit and cycle, and its upload.

`template_build()` writes one unit's questionnaire of a cycle as an .xlsx workbook:
a sheet of instructions, a sheet of data in a fixed layout (below) and a very hidden
sheet whose signature ties the file to its cycle, unit and list of variables.

`template_read()` reads such a workbook back, checks every cell and raises one
`FileProblem` naming every bad cell (all-or-nothing); `template_import()` then writes
through `values_save()` (channel "excel") and answers with the data-quality findings.
`problems_workbook()` turns the problems into a downloadable report.

Layout of the data sheet (row 1 is the header, one row per variable from row 2):

    A service area | B variable | C unit of measure | D previous period (read-only)
    E value (input) | F comment (input)
    G unit code | H variable code | I period | J version | K fingerprint   (hidden)

Rows are matched by the hidden variable code, never by position. `J` holds the stored
version of the value when the file was made and `K` a fingerprint of the value and
comment it showed; together they tell which rows the person changed, and whether
someone else changed the same value in miara meanwhile (a conflict, refused).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from miara.collection.findings import submission_findings
from miara.collection.models import Channel, Submission
from miara.collection.selectors import values_frame
from miara.collection.services import (
    MAX_COMMENT,
    ValueConflict,
    ValuesLocked,
    values_save,
)
from miara.engine import kinds as variable_kinds
from miara.engine.periods import Period
from miara.fileio import FileProblem, Problem
from miara.fileio.formulas import xlsx_inert
from miara.fileio.numbers import number_text
from miara.fileio.tables import LINE
from miara.fileio.workbooks import checked_workbook, upload_limits
from miara.lib.translations import pick

MARKER = "miara-questionnaire"
FORMAT_VERSION = "1"
META_SHEET = "miara"
# Excel keeps 15 significant digits: values equal to that precision are the same value.
PRECISION = 15

# Columns of the data sheet (1-based), see the module docstring.
COL_AREA, COL_NAME, COL_UNIT_OF_MEASURE, COL_PREVIOUS, COL_VALUE, COL_COMMENT = 1, 2, 3, 4, 5, 6
COL_UNIT, COL_VARIABLE, COL_PERIOD, COL_VERSION, COL_FINGERPRINT = 7, 8, 9, 10, 11
WIDTH = COL_FINGERPRINT
TECHNICAL_HEADER = {
    COL_UNIT: "unit",
    COL_VARIABLE: "variable",
    COL_PERIOD: "period",
    COL_VERSION: "version",
    COL_FINGERPRINT: "fingerprint",
}
LETTERS = "ABCDEFGHIJK"

# The template's own labels, extracted by makemessages like any other string and
# translated in the .po files.
L_INSTRUCTIONS = gettext_noop("Instructions")
L_DATA = gettext_noop("Data")
L_PROBLEMS = gettext_noop("Problems")
L_TITLE = gettext_noop("Questionnaire: %(name)s")
L_UNIT = gettext_noop("Unit")
L_PERIOD = gettext_noop("Period")
L_DEADLINE = gettext_noop("Deadline")
L_NONE = gettext_noop("none")
L_HOW = gettext_noop("How to fill in this questionnaire")
L_AREA = gettext_noop("Service area")
L_VARIABLE = gettext_noop("Variable")
L_UNIT_OF_MEASURE = gettext_noop("Unit of measure")
L_VALUE = gettext_noop("Value %(period)s")
L_PREVIOUS = gettext_noop("Previous period (%(period)s)")
L_COMMENT = gettext_noop("Comment")
L_OTHER_AREA = gettext_noop("General information")
L_CELL = gettext_noop("Cell")
L_COLUMN = gettext_noop("Column")
L_LINE = gettext_noop("Row")
L_MESSAGE = gettext_noop("Problem")
L_PROMPT_TITLE = gettext_noop("Value")
L_PROMPT = gettext_noop(
    "Enter the number itself (not a formula), or leave the cell empty if the value is not available."
)
L_ERROR_TITLE = gettext_noop("Not a valid value")
L_ERROR_ANY = gettext_noop("Enter a number.")
L_ERROR_BETWEEN = gettext_noop("Enter a number from %(min)s to %(max)s.")
L_ERROR_MIN = gettext_noop("Enter a number of at least %(min)s.")
L_ERROR_MAX = gettext_noop("Enter a number of at most %(max)s.")
L_ERROR_WHOLE = gettext_noop("Enter a whole number.")
L_COMMENT_ERROR = gettext_noop("A comment has at most %(max)d characters.")
RULES = [
    gettext_noop(
        "Enter each value in the column “%(value)s” of the sheet “%(data)s”. Only the value "
        "and comment cells can be changed; the other cells are protected."
    ),
    gettext_noop(
        "Value cells are numbers: type them as usual in your Excel, with a decimal comma or "
        "a decimal dot, whichever your computer uses; both are fine."
    ),
    gettext_noop("Leave the value cell empty when the value is not available."),
    gettext_noop(
        "Enter the number itself: no formulas, no units, no text, no thousands separators "
        "typed as spaces."
    ),
    gettext_noop(
        "A comment explains a value. Write one to justify a value that miara flags with a "
        "warning, e.g. a large change from the previous period (at most 2000 characters)."
    ),
    gettext_noop(
        "Do not add, delete, move or merge rows or columns and do not rename the sheets: "
        "miara recognises the rows by hidden codes."
    ),
    gettext_noop(
        "Upload the file on the questionnaire page in miara. The whole file is checked "
        "first: if any cell is wrong, nothing is saved and you get the list of cells to "
        "correct."
    ),
]


def _t(message: str, **params) -> str:
    """`gettext` in the active language, with `params` filled in."""
    text = gettext(message)
    return text % params if params else text


# --- building --------------------------------------------------------------------------


@dataclass
class _Row:
    code: str
    name: str
    area: str
    unit_of_measure: str
    min_value: float | None
    max_value: float | None
    help: str
    kind: str = "amount"


def _tighter(given: float | None, implied: float | None, choose) -> float | None:
    """The tighter of a variable's own bound and the one its kind implies."""
    if given is None or implied is None:
        return implied if given is None else given
    return choose(given, implied)


def _questionnaire(submission: Submission, language: str) -> list[_Row]:
    """The cycle's variables grouped by service area (in the catalogue's area order),
    keeping the questionnaire's order within an area; variables without an area last."""
    items = list(submission.cycle.items.select_related("variable", "variable__area"))

    def order(item):
        area = item.variable.area
        if area is None:
            return (1, 0, "", item.position, item.pk)
        return (0, area.position, area.code, item.position, item.pk)

    rows = []
    for item in sorted(items, key=order):
        variable = item.variable
        rows.append(
            _Row(
                code=variable.code,
                name=pick(variable.name, language, default=variable.code),
                area=pick(variable.area.name, language, default=variable.area.code)
                if variable.area
                else _t(L_OTHER_AREA),
                unit_of_measure=pick(variable.unit_name, language),
                min_value=variable.min_value,
                max_value=variable.max_value,
                help=pick(item.help, language) if isinstance(item.help, dict) else "",
                kind=variable.kind,
            )
        )
    return rows


def variables_hash(codes) -> str:
    """Signature of a questionnaire's list of variables (order does not matter)."""
    return hashlib.sha256("\n".join(sorted(codes)).encode()).hexdigest()[:16]


def _fingerprint(value: float | None, comment: str) -> str:
    return hashlib.sha256(f"{_canonical(value)}\x1f{comment}".encode()).hexdigest()[:16]


def _canonical(value: float | None) -> str:
    return "" if value is None else f"{value:.{PRECISION}g}"


def _normal_comment(text) -> str:
    return "" if text is None else str(text).replace("\r\n", "\n").strip()


def _formula_number(x: float) -> str:
    return f"{x:.{PRECISION}g}"


def _value_text(x: float | None) -> str | None:
    """A value for `parse_values`: at full precision, whole numbers without '.0'."""
    return None if x is None else number_text(x)


def _display_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:.{PRECISION}g}"


def data_sheet_name(language: str) -> str:
    with translation.override(language):
        return _t(L_DATA)


def template_build(*, submission: Submission, language: str) -> bytes:
    """The questionnaire of `submission` (one unit, one cycle) as .xlsx bytes."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    cycle, unit = submission.cycle, submission.unit
    period = cycle.period
    previous = Period.parse(period).previous().code
    with translation.override(language):
        rows = _questionnaire(submission, language)
        codes = [r.code for r in rows]
        stored = {
            r["variable"]: r
            for r in values_frame(
                periods=[period], units=[unit.code], variables=codes, with_comment=True
            ).iter_rows(named=True)
        }
        earlier = {
            r["variable"]: r["value"]
            for r in values_frame(periods=[previous], units=[unit.code], variables=codes).iter_rows(
                named=True
            )
        }

        workbook = Workbook()
        bold = Font(bold=True)
        wrap = Alignment(wrap_text=True, vertical="top")
        top = Alignment(vertical="top")
        header_fill = PatternFill("solid", fgColor="DDE4EE")
        input_fill = PatternFill("solid", fgColor="FFF8DC")
        unlocked = Protection(locked=False)

        # Instructions.
        intro = workbook.active
        intro.title = _t(L_INSTRUCTIONS)[:31]
        data_name = _t(L_DATA)[:31]
        value_label = _t(L_VALUE, period=period)
        intro.append([_t(L_TITLE, name=cycle.name)])
        intro["A1"].font = Font(bold=True, size=14)
        intro.append([])
        intro.append([_t(L_UNIT), f"{unit.name} ({unit.code})"])
        intro.append([_t(L_PERIOD), period])
        intro.append([_t(L_DEADLINE), cycle.deadline.isoformat() if cycle.deadline else _t(L_NONE)])
        for row in range(3, 6):
            intro.cell(row, 1).font = bold
        intro.append([])
        intro.append([_t(L_HOW)])
        intro.cell(intro.max_row, 1).font = bold
        for number, rule in enumerate(RULES, start=1):
            intro.append([f"{number}.", _t(rule, value=value_label, data=data_name)])
            intro.cell(intro.max_row, 2).alignment = wrap
        extra = cycle.instructions
        extra_text = pick(extra, language) if isinstance(extra, dict) else str(extra or "")
        if extra_text:
            intro.append([])
            for paragraph in str(extra_text).splitlines():
                intro.append(["", paragraph])
                intro.cell(intro.max_row, 2).alignment = wrap
        intro.column_dimensions["A"].width = 14
        intro.column_dimensions["B"].width = 100
        intro.protection.sheet = True

        # Data.
        sheet = workbook.create_sheet(data_name)
        header = [
            _t(L_AREA),
            _t(L_VARIABLE),
            _t(L_UNIT_OF_MEASURE),
            _t(L_PREVIOUS, period=previous),
            value_label,
            _t(L_COMMENT),
            *TECHNICAL_HEADER.values(),
        ]
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = bold
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        validations: dict[tuple, list[str]] = {}
        for line, row in enumerate(rows, start=2):
            current = stored.get(row.code) or {}
            value = current.get("value")
            comment = _normal_comment(current.get("comment"))
            sheet.append(
                [
                    row.area,
                    row.name,
                    row.unit_of_measure,
                    earlier.get(row.code),
                    value,
                    comment or None,
                    unit.code,
                    row.code,
                    period,
                    int(current.get("version") or 0),
                    _fingerprint(value, comment),
                ]
            )
            for column in (COL_AREA, COL_UNIT_OF_MEASURE, COL_PREVIOUS):
                sheet.cell(line, column).alignment = top
            sheet.cell(line, COL_NAME).alignment = wrap
            for column in (COL_VALUE, COL_COMMENT):
                cell = sheet.cell(line, column)
                cell.protection = unlocked
                cell.fill = input_fill
                cell.alignment = wrap if column == COL_COMMENT else top
            if row.help:
                sheet.cell(line, COL_NAME).comment = Comment(row.help[:2000], "miara")
            # Excel checks what the kind admits too (engine.kinds): whole numbers for a
            # count, 0 to 100 for a percentage; the upload is checked again anyway.
            kind = variable_kinds.KINDS.get(row.kind, variable_kinds.KINDS["amount"])
            low = _tighter(row.min_value, kind.low, max)
            high = _tighter(row.max_value, kind.high, min)
            validations.setdefault((low, high, kind.whole), []).append(f"E{line}")

        for (low, high, whole), cells in validations.items():
            if low is not None and high is not None:
                options = dict(
                    operator="between",
                    formula1=_formula_number(low),
                    formula2=_formula_number(high),
                )
                error = _t(L_ERROR_BETWEEN, min=_display_number(low), max=_display_number(high))
            elif low is not None:
                options = dict(operator="greaterThanOrEqual", formula1=_formula_number(low))
                error = _t(L_ERROR_MIN, min=_display_number(low))
            elif high is not None:
                options = dict(operator="lessThanOrEqual", formula1=_formula_number(high))
                error = _t(L_ERROR_MAX, max=_display_number(high))
            else:
                options = dict(operator="between", formula1="-1E+300", formula2="1E+300")
                error = _t(L_ERROR_ANY)
            if whole:
                error = _t(L_ERROR_WHOLE) + " " + error
            validation = DataValidation(
                type="whole" if whole else "decimal",
                allow_blank=True,
                showInputMessage=True,
                showErrorMessage=True,
                errorStyle="stop",
                promptTitle=_t(L_PROMPT_TITLE)[:32],
                prompt=_t(L_PROMPT)[:255],
                errorTitle=_t(L_ERROR_TITLE)[:32],
                error=error[:255],
                **options,
            )
            validation.sqref = " ".join(cells)  # type: ignore[assignment]
            sheet.add_data_validation(validation)
        if rows:
            comments = DataValidation(
                type="textLength",
                operator="lessThanOrEqual",
                formula1=str(MAX_COMMENT),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=_t(L_ERROR_TITLE)[:32],
                error=_t(L_COMMENT_ERROR, max=MAX_COMMENT)[:255],
            )
            comments.sqref = f"F2:F{len(rows) + 1}"  # type: ignore[assignment]
            sheet.add_data_validation(comments)

        for letter, width in zip("ABCDEF", (26, 50, 14, 18, 18, 50), strict=True):
            sheet.column_dimensions[letter].width = width
        for column in TECHNICAL_HEADER:
            sheet.column_dimensions[LETTERS[column - 1]].hidden = True
        sheet.freeze_panes = "A2"
        protection = sheet.protection
        protection.sheet = True
        protection.formatColumns = False  # people may widen columns and rows
        protection.formatRows = False
        protection.selectLockedCells = False
        protection.selectUnlockedCells = False
        workbook.active = 1

        # Signature: ties the file to the cycle, the unit and the list of variables.
        meta = workbook.create_sheet(META_SHEET)
        meta.sheet_state = "veryHidden"
        for key, value in (
            ("marker", MARKER),
            ("format", FORMAT_VERSION),
            ("cycle", str(cycle.pk)),
            ("period", period),
            ("unit", unit.code),
            ("variables", variables_hash(codes)),
            ("data_sheet", data_name),
            ("language", language),
            ("created", timezone.now().isoformat(timespec="seconds")),
        ):
            meta.append([key, value])
        meta.protection.sheet = True
        workbook.properties.title = f"{cycle.name}: {unit.name} ({unit.code})"
        workbook.properties.subject = MARKER
        workbook.properties.keywords = f"{MARKER} cycle={cycle.pk} unit={unit.code}"
        workbook.properties.creator = "miara"

        xlsx_inert(workbook)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


# --- reading ---------------------------------------------------------------------------


def _source_and_bytes(path_or_bytes, filename: str | None) -> tuple[str, bytes]:
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        return filename or "questionnaire.xlsx", bytes(path_or_bytes)
    if hasattr(path_or_bytes, "read"):  # an uploaded file
        name = filename or Path(getattr(path_or_bytes, "name", "") or "questionnaire.xlsx").name
        return name, path_or_bytes.read()
    path = Path(path_or_bytes)
    if not path.is_file():
        raise FileProblem(str(path), [Problem(gettext("file not found"))])
    return filename or path.name, path.read_bytes()


def _cell(column: int, line: int) -> str:
    return f"{LETTERS[column - 1]}{line}"


def _quote(text, limit: int = 40) -> str:
    text = str(text)
    return "“" + (text if len(text) <= limit else text[:limit] + "…") + "”"


def _open(source: str, raw: bytes):
    """The workbook opened by calamine from a checked copy of `raw` (no zip bomb, rows
    and columns within the upload limits, no damaged part), whether any sheet holds a
    formula or an error value, and the checked bytes themselves."""
    from python_calamine import CalamineWorkbook

    limits = upload_limits(settings.UPLOAD_MAX_ROWS, settings.UPLOAD_MAX_UNCOMPRESSED_MB)
    copy = io.BytesIO()
    checked_workbook(source, raw, limits, copy)
    raw = copy.getvalue()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            raise FileProblem(
                source,
                [Problem(gettext("this is not an Excel .xlsx workbook; save the file as .xlsx"))],
            )
        # Formulas and error values are invisible to calamine (it reads cached results, and
        # errors as empty cells): note whether there are any, for openpyxl to find them.
        suspicious = any(
            re.search(rb"<(?:\w+:)?f[\s>/]|\st=[\"']e[\"']", archive.read(name))
            for name in names
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(raw)), suspicious, raw
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # calamine's own errors, and Rust panics
        raise FileProblem(
            source, [Problem(gettext("cannot read the workbook: %(error)s") % {"error": error})]
        ) from None


def _rows(source: str, read):
    try:
        return read()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # calamine's own errors, for cells it cannot decode
        raise FileProblem(
            source, [Problem(gettext("cannot read the workbook: %(error)s") % {"error": error})]
        ) from None


def _sheet_part(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The zip member holding the worksheet called `sheet_name`."""
    from xml.etree import ElementTree

    relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in relationships}
    for sheet in ElementTree.fromstring(archive.read("xl/workbook.xml")).iter():
        if sheet.tag.rsplit("}", 1)[-1] == "sheet" and sheet.get("name") == sheet_name:
            rid = next((v for k, v in sheet.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
            target = targets.get(rid, "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _suspicious_cells(raw: bytes, sheet_name: str, columns: set[int]) -> list[tuple[str, str]]:
    """(coordinate, "formula" or "error") of the cells of `columns` in the data sheet that
    hold a formula or an Excel error value, read from the sheet's XML (no value is parsed,
    so a cell calamine or openpyxl would choke on cannot hide a formula)."""
    from xml.etree import ElementTree

    wanted = {LETTERS[c - 1] for c in columns}
    found = []
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        part = _sheet_part(archive, sheet_name)
        if part is None or part not in archive.namelist():
            return found
        with archive.open(part) as stream:
            for _, element in ElementTree.iterparse(stream):
                if element.tag.rsplit("}", 1)[-1] != "c":
                    continue
                reference = element.get("r", "")
                if reference.rstrip("0123456789") in wanted:
                    if any(child.tag.rsplit("}", 1)[-1] == "f" for child in element):
                        found.append((reference, "formula"))
                    elif element.get("t") == "e":
                        found.append((reference, "error"))
                element.clear()
    return found


def _number(cell) -> tuple[float | None, str | None]:
    """A value cell as a number, or why it is not one (in words a person can act on)."""
    if cell is None or cell == "":
        return None, None
    if isinstance(cell, bool):
        return None, gettext("%(text)s is a logical value, not a number") % {
            "text": "TRUE" if cell else "FALSE"
        }
    if isinstance(cell, (int, float)):
        number = float(cell)
        if not math.isfinite(number):
            return None, gettext("the value is not a finite number")
        return number, None
    if isinstance(cell, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return None, gettext(
            "%(text)s is a date or time, not a number; format the cell as a number"
        ) % {"text": _quote(cell)}
    text = str(cell)
    stripped = text.replace("\u00a0", " ").strip()
    if not stripped:
        return None, None
    if stripped.startswith("#"):
        return None, gettext("%(text)s is an Excel error, not a number") % {
            "text": _quote(stripped)
        }
    compact = re.sub(r"\s", "", stripped)
    if re.fullmatch(r"-?\d+,\d+", compact):
        return None, gettext(
            "%(text)s is text, not a number; enter it as a number (e.g. %(number)s)"
        ) % {"text": _quote(text), "number": compact.replace(",", ".")}
    try:
        float(compact)
    except ValueError:
        return None, gettext("%(text)s is text, not a number; enter the number only") % {
            "text": _quote(text)
        }
    return None, gettext("%(text)s is a number stored as text; enter it again as a number") % {
        "text": _quote(text)
    }


def _text(cell) -> str:
    if cell is None or cell == "":
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return _display_number(cell) if math.isfinite(cell) else str(cell)
    return str(cell)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return _canonical(a) == _canonical(b)


FRAME_SCHEMA = {
    "unit": pl.String,
    "variable": pl.String,
    "period": pl.String,
    "value": pl.String,
    "comment": pl.String,
    LINE: pl.Int64,
    "version": pl.Int64,
}


def template_read(
    *, path_or_bytes, submission: Submission, filename: str | None = None
) -> pl.DataFrame:
    """Read and check an uploaded questionnaire of `submission`; all-or-nothing.

    Returns the rows the person changed, as strings in the long format `parse_values`
    expects: `unit, variable, period, value, comment, __line` (the Excel row) plus
    `version` (the value's version when the file was made, 0 if it had none, for
    `values_save` to detect a conflict). A row counts as changed when it differs both
    from what the file showed when it was made and from what is stored now; rows left
    as they were are not returned, so a newer value entered in miara by someone else
    is kept. Every cell is checked all the same.

    Raises FileProblem, one Problem per bad cell (cell, column label, reason), when the
    file is not an xlsx or not miara's questionnaire of this unit and cycle, when the
    questionnaire changed since, or when any cell is wrong.
    """
    source, raw = _source_and_bytes(path_or_bytes, filename)
    cycle, unit = submission.cycle, submission.unit
    period = cycle.period
    workbook, suspicious, raw = _open(source, raw)

    def refuse(message: str, **where) -> FileProblem:
        return FileProblem(source, [Problem(message, **where)])

    foreign = gettext(
        "this is not a questionnaire downloaded from miara; download the questionnaire of "
        "%(unit)s for %(period)s and enter the values in it"
    ) % {"unit": unit.code, "period": period}
    if META_SHEET not in workbook.sheet_names:
        raise refuse(foreign)
    meta = {}
    for row in _rows(source, lambda: workbook.get_sheet_by_name(META_SHEET).to_python()[:50]):
        if len(row) >= 2:
            meta[_text(row[0])] = _text(row[1])
    if meta.get("marker") != MARKER:
        raise refuse(foreign)
    if meta.get("format") != FORMAT_VERSION:
        raise refuse(
            gettext("this questionnaire was made by another version of miara; download it again")
        )
    if meta.get("cycle") != str(cycle.pk) or meta.get("unit") != unit.code:
        raise refuse(
            gettext(
                "this is the questionnaire of %(file_unit)s for %(file_period)s, not of "
                "%(unit)s for %(period)s (%(cycle)s); download the right one"
            )
            % {
                "file_unit": meta.get("unit") or "?",
                "file_period": meta.get("period") or "?",
                "unit": unit.code,
                "period": period,
                "cycle": cycle.name,
            }
        )
    items = list(
        cycle.items.values_list("variable__code", "variable__min_value", "variable__max_value")
    )
    bounds = {code: (low, high) for code, low, high in items}
    if meta.get("variables") != variables_hash(bounds):
        raise refuse(
            gettext(
                "the list of variables of this questionnaire has changed since the file was "
                "downloaded; download it again and copy your values into the new file"
            )
        )
    sheet_name = meta.get("data_sheet", "")
    if sheet_name not in workbook.sheet_names:
        raise refuse(
            gettext("the sheet %(sheet)s is missing; do not rename or delete sheets")
            % {"sheet": _quote(sheet_name)}
        )
    sheet = _rows(source, lambda: workbook.get_sheet_by_name(sheet_name))
    if sheet.height > settings.UPLOAD_MAX_ROWS + 1:
        raise refuse(
            gettext(
                "the sheet %(sheet)s has %(rows)d rows, more than %(max)d: this is not a "
                "miara questionnaire"
            )
            % {
                "sheet": _quote(sheet_name),
                "rows": sheet.height - 1,
                "max": settings.UPLOAD_MAX_ROWS,
            }
        )
    grid = _rows(source, lambda: sheet.to_python(skip_empty_area=False))
    header = [_text(c) for c in (grid[0] if grid else [])]
    expected = [TECHNICAL_HEADER[c] for c in sorted(TECHNICAL_HEADER)]
    if header[COL_UNIT - 1 : WIDTH] != expected or len(header) > WIDTH:
        raise refuse(
            gettext(
                "the columns of the sheet %(sheet)s were changed (moved, added or deleted); "
                "download the questionnaire again"
            )
            % {"sheet": _quote(sheet_name)},
            line=1,
        )

    with translation.override(meta.get("language") or translation.get_language()):
        labels = {
            COL_VALUE: _t(L_VALUE, period=period),
            COL_COMMENT: _t(L_COMMENT),
            COL_UNIT: "unit",
            COL_VARIABLE: "variable",
            COL_PERIOD: "period",
            COL_VERSION: "version",
            COL_FINGERPRINT: "fingerprint",
        }
    problems: list[tuple[int, int, Problem]] = []

    def report(line: int, column: int | None, message: str) -> None:
        problems.append(
            (
                line,
                column or 0,
                Problem(
                    message,
                    line=line,
                    column=labels.get(column) if column else None,
                    cell=_cell(column, line) if column else None,
                ),
            )
        )

    for (first_row, first_col), (last_row, last_col) in sheet.merged_cell_ranges or []:
        if first_col < WIDTH:
            area = f"{_cell(first_col + 1, first_row + 1)}:{_cell(min(last_col, WIDTH - 1) + 1, last_row + 1)}"
            problems.append(
                (
                    first_row + 1,
                    first_col + 1,
                    Problem(
                        gettext("the cells %(area)s are merged; unmerge them") % {"area": area},
                        line=first_row + 1,
                        cell=area,
                    ),
                )
            )
    if suspicious:
        watched = {COL_VALUE, COL_COMMENT, *TECHNICAL_HEADER}
        for coordinate, kind in _suspicious_cells(raw, sheet_name, watched):
            column = LETTERS.index(re.match(r"[A-Z]+", coordinate).group()) + 1
            if kind == "error":
                message = gettext("the cell holds an Excel error value, not a number")
            elif column == COL_VALUE:
                message = gettext(
                    "the cell holds a formula; enter the number itself, not a formula"
                )
            else:
                message = gettext("the cell holds a formula; enter the text itself, not a formula")
            report(int(coordinate.lstrip(LETTERS)), column, message)
    formula_cells = {(p.line, p.cell) for _, _, p in problems if p.cell}

    stored = {
        r["variable"]: r
        for r in values_frame(
            periods=[period], units=[unit.code], variables=list(bounds), with_comment=True
        ).iter_rows(named=True)
    }
    seen: dict[str, int] = {}
    out: list[tuple] = []
    for index in range(1, len(grid)):
        line = index + 1
        cells = list(grid[index][:WIDTH]) + [""] * (WIDTH - len(grid[index][:WIDTH]))
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        code = _text(cells[COL_VARIABLE - 1]).strip()
        if not code:
            if _text(cells[COL_VALUE - 1]).strip() or _text(cells[COL_COMMENT - 1]).strip():
                report(
                    line,
                    COL_VARIABLE,
                    gettext(
                        "this row is not a row of the questionnaire (its hidden code is "
                        "missing); enter values only in the questionnaire's rows"
                    ),
                )
            continue
        if code not in bounds:
            report(
                line,
                COL_VARIABLE,
                gettext("%(code)s is not a variable of this questionnaire")
                % {"code": _quote(code)},
            )
            continue
        if code in seen:
            report(
                line,
                COL_VARIABLE,
                gettext("the row of %(code)s appears twice (first in row %(first)d)")
                % {"code": code, "first": seen[code]},
            )
            continue
        seen[code] = line
        if _text(cells[COL_UNIT - 1]).strip() != unit.code:
            report(line, COL_UNIT, gettext("the hidden unit code of this row was changed"))
        if _text(cells[COL_PERIOD - 1]).strip() != period:
            report(line, COL_PERIOD, gettext("the hidden period of this row was changed"))

        value, error = _number(cells[COL_VALUE - 1])
        if (line, _cell(COL_VALUE, line)) in formula_cells:
            error = None  # already reported as a formula
        elif error:
            report(line, COL_VALUE, error)
        elif value is not None:
            low, high = bounds[code]
            if low is not None and value < low:
                report(
                    line,
                    COL_VALUE,
                    gettext("%(value)s is below the minimum of %(code)s, %(min)s")
                    % {"value": _display_number(value), "code": code, "min": _display_number(low)},
                )
            if high is not None and value > high:
                report(
                    line,
                    COL_VALUE,
                    gettext("%(value)s is above the maximum of %(code)s, %(max)s")
                    % {"value": _display_number(value), "code": code, "max": _display_number(high)},
                )
        comment = _normal_comment(_text(cells[COL_COMMENT - 1]))
        if len(comment) > MAX_COMMENT:
            report(
                line,
                COL_COMMENT,
                gettext("the comment has %(length)d characters, more than %(max)d")
                % {"length": len(comment), "max": MAX_COMMENT},
            )
        version_cell = cells[COL_VERSION - 1]
        version = int(version_cell) if isinstance(version_cell, (int, float)) else None
        if version is None and not isinstance(version_cell, bool):
            try:
                version = int(str(version_cell).strip())
            except ValueError:
                version = None
        if version is None or version < 0:
            report(line, COL_VERSION, gettext("the hidden version of this row was changed"))
            continue
        now = stored.get(code) or {}
        stored_value, stored_comment = now.get("value"), _normal_comment(now.get("comment"))
        touched = _fingerprint(value, comment) != _text(cells[COL_FINGERPRINT - 1]).strip()
        differs = not _same(value, stored_value) or comment != stored_comment
        if not (touched and differs):
            continue
        stored_version = int(now.get("version") or 0)
        if stored_version != version:
            shown = "—" if stored_value is None else _display_number(stored_value)
            report(
                line,
                COL_VALUE,
                gettext(
                    "this value was changed in miara after the file was downloaded (it is "
                    "now %(value)s); download the questionnaire again and enter your change there"
                )
                % {"value": shown},
            )
            continue
        out.append(
            (
                unit.code,
                code,
                period,
                _value_text(value),
                comment,
                line,
                version,
            )
        )
    for code in bounds:
        if code not in seen:
            problems.append(
                (
                    len(grid) + 1,
                    0,
                    Problem(
                        gettext(
                            "the row of the variable %(code)s is missing; rows must not be deleted"
                        )
                        % {"code": code}
                    ),
                )
            )
    if problems:
        problems.sort(key=lambda p: (p[0], p[1]))
        raise FileProblem(source, [p for _, _, p in problems])
    return pl.DataFrame(out, schema=FRAME_SCHEMA, orient="row")


# --- importing -------------------------------------------------------------------------


def template_import(
    *,
    path_or_bytes,
    submission: Submission,
    user,
    filename: str | None = None,
) -> dict:
    """Check an uploaded questionnaire and store the changed values; all-or-nothing.

    Through `values_save` (channel "excel"): WriteRefused (a PermissionDenied) when
    `user` may not write the unit's period, before the file is read; ValuesLocked when
    the submission is submitted or accepted; FileProblem when the file or a cell is
    wrong (also when someone changed one of the values in miara since the file was
    made). Returns `{"file", "rows", "created", "updated", "unchanged", "findings",
    "errors", "warnings"}`, the findings being those of `submission_findings` after
    the import.
    """

    submission.refresh_from_db()
    cycle, unit = submission.cycle, submission.unit
    source, raw = _source_and_bytes(path_or_bytes, filename)
    read: list[pl.DataFrame] = []

    def rows() -> pl.DataFrame:
        # Called by values_save once the user may write the questionnaire.
        if submission.is_locked:
            codes = list(cycle.items.values_list("variable__code", flat=True))
            raise ValuesLocked([(unit.code, code, cycle.period) for code in codes])
        read.append(template_read(path_or_bytes=raw, submission=submission, filename=source))
        return read[0]

    columns = {"unit": COL_UNIT, "variable": COL_VARIABLE, "period": COL_PERIOD}
    columns |= {"value": COL_VALUE, "comment": COL_COMMENT}

    def cell_of(line, column):
        return _cell(columns[column], line) if column in columns else None

    try:
        report = values_save(
            acting_user=user,
            rows=rows,
            channel=Channel.EXCEL,
            source=source,
            about=f"{source}: {unit.code} {cycle.period}",
            details={"file": source, "submission": submission.pk},
            scope=[(unit.pk, cycle.period)],
            cell_of=cell_of,
        )
    except ValueConflict as conflict:
        lines = dict(zip(read[0]["variable"], read[0][LINE], strict=True))
        raise FileProblem(
            source,
            [
                Problem(
                    gettext(
                        "this value was changed in miara after the file was downloaded; "
                        "download the questionnaire again and enter your change there"
                    ),
                    line=lines.get(c.variable),
                    cell=_cell(COL_VALUE, lines[c.variable]) if c.variable in lines else None,
                )
                for c in conflict.conflicts
            ],
        ) from None
    total_rows = cycle.items.count()
    findings = submission_findings(submission)
    return {
        "file": source,
        "rows": total_rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": total_rows - report.created - report.updated,
        "findings": findings,
        "errors": sum(f["severity"] == "error" for f in findings),
        "warnings": sum(f["severity"] == "warning" for f in findings),
    }


# --- the error report ------------------------------------------------------------------


def problems_workbook(problems: list[Problem], language: str) -> bytes:
    """The problems of an upload as an .xlsx a person can work through: cell, column, row,
    problem."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    with translation.override(language):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _t(L_PROBLEMS)[:31]
        sheet.append([_t(L_CELL), _t(L_COLUMN), _t(L_LINE), _t(L_MESSAGE)])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="F4CCCC")
        for problem in problems:
            sheet.append([problem.cell, problem.column, problem.line, problem.message])
            sheet.cell(sheet.max_row, 4).alignment = Alignment(wrap_text=True, vertical="top")
        for letter, width in zip("ABCD", (12, 24, 8, 100), strict=True):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = "A2"
        xlsx_inert(workbook)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
