"""The Excel questionnaire: build, fill in Excel (openpyxl here), upload, and every way
an upload can be wrong."""

import io
import re
import zipfile

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from miara.accounts.models import AuditEntry
from miara.catalogue.models import ServiceArea, Variable
from miara.collection.cycles import cycle_open
from miara.collection.excel import (
    problems_workbook,
    template_build,
    template_import,
    template_read,
)
from miara.collection.models import QuestionnaireItem, Submission, Value, ValueHistory
from miara.collection.services import OPERATOR, ValuesLocked, values_save
from miara.fileio import FileProblem, Problem
from miara.testing.cycles import cycle_2024
from miara.testing.workbooks import validations_by_cell

pytestmark = pytest.mark.django_db
VARIABLES = ["WASTE_T", "RECYCLED_T", "POPULATION", "PERMITS_ISSUED", "PERMIT_STAFF_COST"]


@pytest.fixture
def cycle(alice):
    return cycle_2024(alice, VARIABLES)


def submission(cycle, unit="A1"):
    return Submission.objects.get(cycle=cycle, unit__code=unit)


def rows_by_code(sheet) -> dict[str, int]:
    return {
        sheet.cell(r, 8).value: r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 8).value
    }


def edit(data: bytes, change) -> bytes:
    """Open the workbook as Excel would, let `change(sheet, rows)` edit the data sheet, save."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[1]
    change(sheet, rows_by_code(sheet))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fill(data: bytes, values: dict) -> bytes:
    """Set value (and comment) cells: {code: value} or {code: (value, comment)}."""

    def change(sheet, rows):
        for code, given in values.items():
            value, comment = given if isinstance(given, tuple) else (given, None)
            sheet.cell(rows[code], 5).value = value
            if comment is not None:
                sheet.cell(rows[code], 6).value = comment

    return edit(data, change)


def stored(unit="A1", period="2024") -> dict[str, tuple]:
    return {
        v.variable.code: (v.value, v.comment)
        for v in Value.objects.filter(unit__code=unit, period=period).select_related("variable")
    }


def snapshot():
    return (
        sorted(Value.objects.values_list("unit_id", "variable_id", "period", "value", "comment")),
        ValueHistory.objects.count(),
    )


def refused(data: bytes, sub, user) -> FileProblem:
    """Import must fail with a FileProblem and change nothing; returns the error."""
    before = snapshot()
    with pytest.raises(FileProblem) as caught:
        template_import(path_or_bytes=data, submission=sub, user=user, filename="q.xlsx")
    assert snapshot() == before
    return caught.value


def messages(error: FileProblem) -> list[tuple]:
    return [(p.cell, p.message) for p in error.problems]


# --- building ----------------------------------------------------------------------------


def test_it_prefills_stored_and_previous_values(cycle):
    Value.objects.filter(unit__code="A1", period="2024", variable__code="WASTE_T").update(
        comment="new landfill"
    )
    book = load_workbook(io.BytesIO(template_build(submission=submission(cycle), language="en")))
    assert book.sheetnames == ["Instructions", "Data", "miara"]
    sheet = book["Data"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == [
        "Service area",
        "Variable",
        "Unit of measure",
        "Previous period (2023)",
        "Value 2024",
        "Comment",
    ]
    rows = rows_by_code(sheet)
    assert sorted(rows) == sorted(VARIABLES)
    waste = [c.value for c in sheet[rows["WASTE_T"]]]
    assert waste[:7] == [
        "Municipal waste",
        "Municipal waste collected",
        "t",
        1000,
        1010,
        "new landfill",
        "A1",
    ]
    assert waste[8:10] == ["2024", 1]
    # Grouped by service area, in the catalogue's order; no area last.
    areas = [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)]
    assert areas == ["Municipal waste"] * 2 + ["Building permits"] * 2 + ["General information"]
    assert book["miara"].sheet_state == "veryHidden"
    meta = {r[0].value: r[1].value for r in book["miara"].iter_rows()}
    assert meta["marker"] == "miara-questionnaire"
    assert meta["cycle"] == str(cycle.pk) and meta["unit"] == "A1"
    instructions = " ".join(
        str(c.value) for row in book["Instructions"].iter_rows() for c in row if c.value
    )
    assert "Alpha (A1)" in instructions and "2024" in instructions
    assert "empty" in instructions and "comma" in instructions


def test_it_protects_everything_but_the_value_and_comment_cells(cycle):
    book = load_workbook(io.BytesIO(template_build(submission=submission(cycle), language="en")))
    sheet = book["Data"]
    assert sheet.protection.sheet
    assert sheet.freeze_panes == "A2"
    for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row, max_col=11):
        for cell in row:
            unlocked = cell.row > 1 and cell.column in (5, 6)
            assert cell.protection.locked is not unlocked, cell.coordinate
    assert all(sheet.column_dimensions[letter].hidden for letter in "GHIJK")
    assert not any(sheet.column_dimensions[letter].hidden for letter in "ABCDEF")
    assert sheet.column_dimensions["B"].width >= 40


def test_it_validates_value_cells_with_the_variables_bounds(cycle):
    Variable.objects.filter(code="RECYCLED_T").update(max_value=100000)
    book = load_workbook(io.BytesIO(template_build(submission=submission(cycle), language="en")))
    sheet = book["Data"]
    rows = rows_by_code(sheet)
    checks = validations_by_cell(sheet)
    recycled = checks[f"E{rows['RECYCLED_T']}"]
    assert (recycled.type, recycled.operator, recycled.formula1, recycled.formula2) == (
        "decimal",
        "between",
        "0",
        "100000",
    )
    assert recycled.error == "Enter a number from 0 to 100000."
    waste = checks[f"E{rows['WASTE_T']}"]
    assert (waste.type, waste.operator, waste.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert waste.allow_blank and waste.showErrorMessage and waste.showInputMessage
    assert "formula" in waste.prompt
    assert checks["F2:F6"].type == "textLength"


@pytest.mark.parametrize(
    ("language", "sheets", "value", "name", "area"),
    [
        (
            "pl",
            ["Instrukcja", "Dane"],
            "Wartość 2024",
            "Zebrane odpady komunalne",
            "Gospodarka odpadami",
        ),
        ("cs", ["Pokyny", "Data"], "Hodnota 2024", "Počet obyvatel", "Odpadové hospodářství"),
    ],
)
def test_it_labels_the_workbook_in_the_language(cycle, language, sheets, value, name, area):
    data = template_build(submission=submission(cycle), language=language)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[:2] == sheets
    sheet = book.worksheets[1]
    assert sheet.cell(1, 5).value == value
    names = [sheet.cell(r, 2).value for r in range(2, sheet.max_row + 1)]
    assert name in names
    assert sheet.cell(2, 1).value == area
    # The language of the file does not matter for reading it back.
    filled = fill(data, {"WASTE_T": 1111})
    assert template_read(path_or_bytes=filled, submission=submission(cycle))["value"].to_list() == [
        "1111"
    ]


# --- round trip --------------------------------------------------------------------------


def test_it_round_trips_values_and_comments(cycle, bob):
    data = template_build(submission=submission(cycle), language="en")
    filled = fill(
        data,
        {
            "WASTE_T": (1234.5, "a new landfill opened"),
            "RECYCLED_T": 123456.789012345,  # Excel keeps 15 significant digits
            "POPULATION": None,  # emptied: not available
        },
    )
    result = template_import(
        path_or_bytes=filled, submission=submission(cycle), user=bob, filename="alpha.xlsx"
    )
    assert (result["created"], result["updated"], result["unchanged"], result["rows"]) == (
        0,
        3,
        2,
        5,
    )
    values = stored()
    assert values["WASTE_T"] == (1234.5, "a new landfill opened")
    assert values["RECYCLED_T"] == (123456.789012345, "")
    assert values["POPULATION"] == (None, "")
    assert values["PERMITS_ISSUED"] == (401, "")
    history = ValueHistory.objects.filter(variable__code="WASTE_T", period="2024", unit__code="A1")
    latest = history.first()
    assert (latest.channel, latest.source, latest.old_value, latest.new_value) == (
        "excel",
        "alpha.xlsx",
        1010,
        1234.5,
    )
    assert latest.user == bob
    assert (
        Value.objects.get(unit__code="A1", period="2024", variable__code="WASTE_T").channel
        == "excel"
    )
    entry = AuditEntry.objects.get(action="values.excel")
    assert entry.user == bob and "alpha.xlsx" in entry.summary
    # The findings after the import: the required POPULATION is now missing.
    assert ("required", "POPULATION", "error") in [
        (f["check"], f["variable"], f["severity"]) for f in result["findings"]
    ]
    assert result["errors"] >= 1


def test_it_writes_nothing_for_an_unchanged_file(cycle, bob):
    data = template_build(submission=submission(cycle), language="en")
    before = snapshot()
    result = template_import(path_or_bytes=data, submission=submission(cycle), user=bob)
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 5)
    assert snapshot() == before
    assert not AuditEntry.objects.filter(action="values.excel").exists()


def test_it_creates_values_that_were_not_stored(cycle, bob):
    # A value never written: neither stored nor in the history (whose versions are unique).
    key = {"unit__code": "A1", "period": "2024", "variable__code": "POPULATION"}
    Value.objects.filter(**key).delete()
    ValueHistory.objects.filter(**key).delete()
    data = template_build(submission=submission(cycle), language="en")
    result = template_import(
        path_or_bytes=fill(data, {"POPULATION": 120500}), submission=submission(cycle), user=bob
    )
    assert (result["created"], result["updated"]) == (1, 0)
    assert stored()["POPULATION"] == (120500, "")


def test_it_reads_from_a_path(cycle, bob, tmp_path):
    path = tmp_path / "alpha-2024.xlsx"
    path.write_bytes(
        fill(template_build(submission=submission(cycle), language="en"), {"WASTE_T": 5})
    )
    template_import(path_or_bytes=path, submission=submission(cycle), user=bob)
    assert ValueHistory.objects.filter(source="alpha-2024.xlsx").count() == 1


def test_it_matches_rows_by_code_not_by_position(cycle, bob):
    data = template_build(submission=submission(cycle), language="en")

    def swap(sheet, rows):
        first, second = rows["WASTE_T"], rows["POPULATION"]
        for column in range(1, 12):
            a, b = sheet.cell(first, column), sheet.cell(second, column)
            a.value, b.value = b.value, a.value
        sheet.cell(first, 5).value = 999  # now the POPULATION row
        sheet.cell(second, 5).value = 1500  # now the WASTE_T row

    template_import(path_or_bytes=edit(data, swap), submission=submission(cycle), user=bob)
    assert stored()["POPULATION"][0] == 999 and stored()["WASTE_T"][0] == 1500


def test_it_keeps_a_newer_value_of_a_row_left_untouched(cycle, bob, carol):
    data = template_build(submission=submission(cycle), language="en")
    write("A1", "RECYCLED_T", 350)  # someone changes it in miara after the download
    template_import(
        path_or_bytes=fill(data, {"WASTE_T": 1500}), submission=submission(cycle), user=bob
    )
    assert stored()["RECYCLED_T"][0] == 350 and stored()["WASTE_T"][0] == 1500


def test_it_refuses_a_change_to_a_value_someone_changed_meanwhile(cycle, bob):
    data = template_build(submission=submission(cycle), language="en")
    write("A1", "WASTE_T", 1100)
    error = refused(fill(data, {"WASTE_T": 1500}), submission(cycle), bob)
    row = rows_by_code(load_workbook(io.BytesIO(data))["Data"])["WASTE_T"]
    assert error.problems[0].cell == f"E{row}"
    assert "changed in miara after the file was downloaded" in error.problems[0].message
    assert "1100" in error.problems[0].message


def write(unit, variable, value):
    frame = pl.DataFrame(
        {
            "unit": [unit],
            "variable": [variable],
            "period": ["2024"],
            "value": [str(value)],
            "__line": [1],
        }
    )
    values_save(acting_user=OPERATOR, rows=frame, channel="form", source="test")


# --- permissions and locks ---------------------------------------------------------------


def test_it_refuses_an_editor_of_another_unit(cycle, bob):
    data = fill(template_build(submission=submission(cycle, "B2"), language="en"), {"WASTE_T": 1})
    before = snapshot()
    with pytest.raises(PermissionDenied):
        template_import(path_or_bytes=data, submission=submission(cycle, "B2"), user=bob)
    assert snapshot() == before


def test_it_lets_the_coordinator_import_any_unit(cycle, alice):
    data = fill(template_build(submission=submission(cycle, "B2"), language="en"), {"WASTE_T": 1})
    template_import(path_or_bytes=data, submission=submission(cycle, "B2"), user=alice)
    assert stored("B2")["WASTE_T"][0] == 1


def test_it_refuses_a_submitted_questionnaire(cycle, bob):
    data = fill(template_build(submission=submission(cycle), language="en"), {"WASTE_T": 1})
    Submission.objects.filter(pk=submission(cycle).pk).update(state="submitted")
    before = snapshot()
    with pytest.raises(ValuesLocked):
        template_import(path_or_bytes=data, submission=submission(cycle), user=bob)
    assert snapshot() == before


# --- files that are not the questionnaire ------------------------------------------------


def test_it_refuses_a_file_that_is_not_an_xlsx(cycle, bob):
    error = refused(b"unit,variable,period,value\nA1,WASTE_T,2024,1\n", submission(cycle), bob)
    assert "not an Excel .xlsx workbook" in error.problems[0].message


def test_it_refuses_a_foreign_workbook(cycle, bob):
    book = Workbook()
    book.active.append(["unit", "variable", "period", "value"])
    book.active.append(["A1", "WASTE_T", "2024", 1])
    out = io.BytesIO()
    book.save(out)
    error = refused(out.getvalue(), submission(cycle), bob)
    assert "not a questionnaire downloaded from miara" in error.problems[0].message


def test_it_refuses_the_questionnaire_of_another_unit(cycle, bob):
    data = fill(template_build(submission=submission(cycle, "B2"), language="en"), {"WASTE_T": 1})
    error = refused(data, submission(cycle), bob)
    assert error.problems[0].message.startswith(
        "this is the questionnaire of B2 for 2024, not of A1"
    )


def test_it_refuses_the_questionnaire_of_another_cycle(cycle, alice, bob):
    other = cycle_open(
        period="2024", name="Repeat", variable_codes=VARIABLES, unit_codes=["A1"], acting_user=alice
    )
    data = fill(template_build(submission=submission(other), language="en"), {"WASTE_T": 1})
    error = refused(data, submission(cycle), bob)
    assert "not of A1 for 2024 (Year 2024)" in error.problems[0].message


def test_it_refuses_a_file_made_before_the_questionnaire_changed(cycle, bob):
    data = fill(template_build(submission=submission(cycle), language="en"), {"WASTE_T": 1})
    QuestionnaireItem.objects.filter(cycle=cycle, variable__code="POPULATION").delete()
    error = refused(data, submission(cycle), bob)
    assert "list of variables of this questionnaire has changed" in error.problems[0].message


def test_it_refuses_a_zip_bomb(cycle, bob, settings):
    data = template_build(submission=submission(cycle), language="en")
    settings.UPLOAD_MAX_UNCOMPRESSED_MB = 0
    error = refused(data, submission(cycle), bob)
    assert "inflates to more than" in error.problems[0].message


def test_it_refuses_a_sheet_of_more_than_ten_thousand_rows(cycle, bob):
    data = template_build(submission=submission(cycle), language="en")
    error = refused(
        edit(data, lambda sheet, rows: sheet.cell(10_010, 5, 1)), submission(cycle), bob
    )
    assert "more than 10,000 rows" in error.problems[0].message


def test_it_refuses_moved_columns(cycle, bob):
    data = template_build(submission=submission(cycle), language="en")
    error = refused(edit(data, lambda sheet, rows: sheet.insert_cols(3)), submission(cycle), bob)
    assert "columns of the sheet" in error.problems[0].message


# --- bad cells: each named, nothing stored -----------------------------------------------


@pytest.fixture
def template(cycle):
    data = template_build(submission=submission(cycle), language="en")
    return data, rows_by_code(load_workbook(io.BytesIO(data))["Data"])


def test_it_refuses_text_in_a_value_cell(template, cycle, bob):
    data, rows = template
    error = refused(
        fill(data, {"WASTE_T": "about 1000", "RECYCLED_T": "1,5", "POPULATION": "12"}),
        submission(cycle),
        bob,
    )
    assert messages(error) == [
        (f"E{rows['WASTE_T']}", "“about 1000” is text, not a number; enter the number only"),
        (f"E{rows['RECYCLED_T']}", "“1,5” is text, not a number; enter it as a number (e.g. 1.5)"),
        (f"E{rows['POPULATION']}", "“12” is a number stored as text; enter it again as a number"),
    ]
    assert error.problems[0].column == "Value 2024"
    assert error.problems[0].line == rows["WASTE_T"]
    assert f"q.xlsx, line {rows['WASTE_T']}, cell E{rows['WASTE_T']}, column Value 2024" in str(
        error
    )


def test_it_refuses_values_out_of_range(template, cycle, bob):
    data, rows = template
    Variable.objects.filter(code="RECYCLED_T").update(max_value=5000)
    error = refused(fill(data, {"WASTE_T": -5, "RECYCLED_T": 6000}), submission(cycle), bob)
    assert messages(error) == [
        (f"E{rows['WASTE_T']}", "-5 is below the minimum of WASTE_T, 0"),
        (f"E{rows['RECYCLED_T']}", "6000 is above the maximum of RECYCLED_T, 5000"),
    ]


def test_it_refuses_formulas_in_input_cells(template, cycle, bob):
    data, rows = template
    error = refused(
        fill(data, {"WASTE_T": "=1000+10", "RECYCLED_T": (1, "=A1")}), submission(cycle), bob
    )
    assert messages(error) == [
        (f"E{rows['WASTE_T']}", "the cell holds a formula; enter the number itself, not a formula"),
        (
            f"F{rows['RECYCLED_T']}",
            "the cell holds a formula; enter the text itself, not a formula",
        ),
    ]


def test_it_refuses_merged_cells(template, cycle, bob):
    data, rows = template
    line = rows["WASTE_T"]
    error = refused(
        edit(data, lambda sheet, rows: sheet.merge_cells(f"E{line}:F{line}")),
        submission(cycle),
        bob,
    )
    assert messages(error) == [
        (f"E{line}:F{line}", f"the cells E{line}:F{line} are merged; unmerge them")
    ]


def test_it_refuses_a_comment_that_is_too_long(template, cycle, bob):
    data, rows = template
    error = refused(fill(data, {"WASTE_T": (1, "x" * 2001)}), submission(cycle), bob)
    assert messages(error) == [
        (f"F{rows['WASTE_T']}", "the comment has 2001 characters, more than 2000")
    ]
    assert error.problems[0].column == "Comment"


def test_it_refuses_deleted_rows(template, cycle, bob):
    data, _ = template
    error = refused(
        edit(data, lambda sheet, rows: sheet.delete_rows(rows["POPULATION"])),
        submission(cycle),
        bob,
    )
    assert messages(error) == [
        (None, "the row of the variable POPULATION is missing; rows must not be deleted")
    ]


def test_it_refuses_duplicate_rows(template, cycle, bob):
    data, rows = template

    def duplicate(sheet, rows):
        sheet.cell(rows["RECYCLED_T"], 8).value = "WASTE_T"

    error = refused(edit(data, duplicate), submission(cycle), bob)
    assert messages(error) == [
        (
            f"H{rows['RECYCLED_T']}",
            f"the row of WASTE_T appears twice (first in row {rows['WASTE_T']})",
        ),
        (None, "the row of the variable RECYCLED_T is missing; rows must not be deleted"),
    ]


def test_it_refuses_values_in_added_rows_and_changed_codes(template, cycle, bob):
    data, rows = template
    last = max(rows.values())

    def change(sheet, rows):
        sheet.cell(last + 1, 5).value = 7
        sheet.cell(rows["WASTE_T"], 7).value = "B2"

    error = refused(edit(data, change), submission(cycle), bob)
    assert [cell for cell, _ in messages(error)] == [f"G{rows['WASTE_T']}", f"H{last + 1}"]
    assert "hidden unit code" in error.problems[0].message
    assert "not a row of the questionnaire" in error.problems[1].message


def test_it_refuses_non_finite_numbers_and_error_values(template, cycle, bob):
    data, rows = template
    data = fill(data, {"WASTE_T": 1.25, "RECYCLED_T": 2.25})
    data = patch_sheet(data, rb"<v>1.25</v>", b"<v>INF</v>")
    data = patch_sheet(data, rb'( t=")n("><v>)2.25(</v>)', rb"\1e\2#DIV/0!\3")
    error = refused(data, submission(cycle), bob)
    assert messages(error) == [
        (f"E{rows['WASTE_T']}", "the value is not a finite number"),
        (f"E{rows['RECYCLED_T']}", "the cell holds an Excel error value, not a number"),
    ]


def test_it_refuses_a_corrupt_workbook(template, cycle, bob):
    data, _ = template
    data = fill(data, {"RECYCLED_T": 2.25})
    data = patch_sheet(data, rb'( t=")n("><v>2.25</v>)', rb"\1e\2")  # an error that is no error
    assert "cannot read the workbook" in refused(data, submission(cycle), bob).problems[0].message


def patch_sheet(data: bytes, pattern: bytes, replacement: bytes) -> bytes:
    """Edit the data sheet's XML directly, for what Excel can store but openpyxl cannot write."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                content, count = re.subn(pattern, replacement, content, count=1)
                assert count == 1
            target.writestr(info, content)
    return out.getvalue()


def test_it_reports_every_bad_cell_at_once(template, cycle, bob):
    data, rows = template
    error = refused(
        fill(data, {"WASTE_T": -1, "RECYCLED_T": "x", "PERMITS_ISSUED": "=2"}),
        submission(cycle),
        bob,
    )
    assert [cell for cell, _ in messages(error)] == [
        f"E{rows['WASTE_T']}",
        f"E{rows['RECYCLED_T']}",
        f"E{rows['PERMITS_ISSUED']}",
    ]


# --- the error report --------------------------------------------------------------------


def test_it_writes_the_problems_as_a_workbook():
    problems = [
        Problem("“x” is text, not a number", line=3, column="Value 2024", cell="E3"),
        Problem("the row of the variable POPULATION is missing"),
    ]
    book = load_workbook(io.BytesIO(problems_workbook(problems, "pl")))
    sheet = book.active
    assert sheet.title == "Problemy"
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Komórka", "Kolumna", "Wiersz", "Problem"],
        ["E3", "Value 2024", 3, "“x” is text, not a number"],
        [None, None, None, "the row of the variable POPULATION is missing"],
    ]


# --- a large questionnaire ---------------------------------------------------------------


def test_it_imports_a_questionnaire_of_300_variables(programme, bob, alice):
    area = ServiceArea.objects.create(code="BIG", name={"en": "Big"}, position=9)
    Variable.objects.bulk_create(
        Variable(
            code=f"V{i:03d}", name={"en": f"Variable {i}"}, unit="count", area=area, min_value=0
        )
        for i in range(300)
    )
    codes = [f"V{i:03d}" for i in range(300)]
    big = cycle_open(
        period="2024", name="Big", variable_codes=codes, unit_codes=["A1"], acting_user=alice
    )
    data = template_build(submission=submission(big), language="pl")
    filled = fill(
        data, {code: (i * 1.5, "ok" if i % 10 == 0 else None) for i, code in enumerate(codes)}
    )
    result = template_import(path_or_bytes=filled, submission=submission(big), user=bob)
    assert (result["created"], result["updated"], result["rows"]) == (300, 0, 300)
    assert stored()["V299"] == (448.5, "") and stored()["V010"] == (15.0, "ok")
