"""Loading values: all-or-nothing, history of every change, errors naming line and column."""

import polars as pl
import pytest
from django.db import IntegrityError, transaction

from miara.catalogue.services import catalogue_load
from miara.collection.models import Value, ValueHistory
from miara.collection.selectors import values_frame
from miara.collection.services import values_load
from miara.fileio import FileProblem
from miara.units.services import units_load

pytestmark = pytest.mark.django_db

HEADER = "unit,variable,period,value\n"


@pytest.fixture
def catalogue(programme_files):
    units_load(path=programme_files["units"])
    catalogue_load(path=programme_files["catalogue"])
    return programme_files


def write(tmp_path, text, name="values.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_it_loads_values_and_records_history(catalogue):
    report = values_load(path=catalogue["values"])
    assert report.created == Value.objects.count() == 40
    assert ValueHistory.objects.count() == 40
    stored = Value.objects.get(unit__code="A1", variable__code="WASTE_T", period="2024")
    assert stored.value == 1010 and stored.version == 1 and stored.channel == "import"


def test_it_changes_nothing_when_the_same_file_is_loaded_again(catalogue):
    values_load(path=catalogue["values"])
    report = values_load(path=catalogue["values"])
    assert (report.created, report.updated, report.unchanged) == (0, 0, 40)
    assert ValueHistory.objects.count() == 40


def test_it_versions_a_changed_value_and_keeps_the_old_one_in_history(catalogue, tmp_path):
    values_load(path=catalogue["values"])
    report = values_load(path=write(tmp_path, HEADER + "A1,WASTE_T,2024,999.5\n"))
    assert report.updated == 1
    stored = Value.objects.get(unit__code="A1", variable__code="WASTE_T", period="2024")
    assert (stored.value, stored.version) == (999.5, 2)
    change = (
        ValueHistory.objects.filter(unit__code="A1", variable__code="WASTE_T", period="2024")
        .order_by("-version")
        .first()
    )
    assert (change.old_value, change.new_value, change.version, change.source) == (
        1010,
        999.5,
        2,
        "values.csv",
    )


def test_history_refuses_a_second_row_for_the_same_version(catalogue):
    values_load(path=catalogue["values"])
    change = ValueHistory.objects.filter(unit__code="A1", variable__code="WASTE_T").first()
    change.pk, change.new_value = None, 1.0
    with pytest.raises(IntegrityError), transaction.atomic():
        change.save()


def test_it_treats_an_empty_value_as_not_available(catalogue, tmp_path):
    values_load(path=write(tmp_path, HEADER + "A1,WASTE_T,2024,\n"))
    assert Value.objects.get(unit__code="A1", variable__code="WASTE_T").value is None


def test_it_keeps_comments_unless_the_file_has_a_comment_column(catalogue, tmp_path):
    values_load(
        path=write(tmp_path, "unit,variable,period,value,comment\nA1,WASTE_T,2024,5,estimated\n")
    )
    values_load(path=write(tmp_path, HEADER + "A1,WASTE_T,2024,6\n", "second.csv"))
    assert Value.objects.get(unit__code="A1", variable__code="WASTE_T").comment == "estimated"


def test_it_accepts_windows_1250_semicolons_and_a_bom(catalogue, tmp_path):
    text = "unit;variable;period;value;comment\nA1;WASTE_T;2024;5;szacunek – źródło: GUS\n"
    values_load(path=write(tmp_path, text, encoding="cp1250"))
    assert Value.objects.get().comment == "szacunek – źródło: GUS"
    values_load(path=write(tmp_path, "\ufeff" + HEADER + "A1,WASTE_T,2023,7\n", "bom.csv"))
    assert Value.objects.count() == 2


def test_it_keeps_full_precision(catalogue, tmp_path):
    values_load(
        path=write(
            tmp_path, HEADER + "A1,WASTE_T,2024,0.30000000000000004\nA1,RECYCLED_T,2024,1e-300\n"
        )
    )
    frame = values_frame().sort("variable")
    assert frame["value"].to_list() == [1e-300, 0.30000000000000004]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("ZZ,WASTE_T,2024,1\n", "line 2, column unit: unknown unit 'ZZ'"),
        ("A1,NOPE,2024,1\n", "line 2, column variable: unknown variable 'NOPE'"),
        ("A1,WASTE_T,24,1\n", "line 2, column period: '24' is not a period"),
        ("A1,WASTE_T,2024-13,1\n", "'2024-13' is not a period"),
        ("A1,WASTE_T,2024,abc\n", "line 2, column value: 'abc' is not a number"),
        (
            'A1,WASTE_T,2024,"1,5"\n',
            "'1,5' uses a decimal comma; write numbers with a dot, e.g. 1.5",
        ),
        ("A1,WASTE_T,2024,inf\n", "'inf' is not a finite number"),
        ("A1,WASTE_T,2024,NaN\n", "'NaN' is not a finite number"),
        ("A1,WASTE_T,2024,-5\n", "-5 is below the minimum of WASTE_T"),
        (
            "A1,WASTE_T,2024,1\nA1,WASTE_T,2024,2\n",
            "line 3: A1 WASTE_T 2024 appears twice (first on line 2)",
        ),
    ],
)
def test_it_rejects_bad_lines_and_stores_nothing(catalogue, tmp_path, rows, expected):
    good = "B2,WASTE_T,2024,100\n"
    with pytest.raises(FileProblem) as caught:
        values_load(path=write(tmp_path, HEADER + rows + good))
    assert expected in caught.value.report()
    assert not Value.objects.exists() and not ValueHistory.objects.exists()


def test_it_reports_every_bad_line_in_order(catalogue, tmp_path):
    text = HEADER + "A1,WASTE_T,2024,1\nA1,WASTE_T,2023,x\nZZ,WASTE_T,2024,1\n"
    with pytest.raises(FileProblem) as caught:
        values_load(path=write(tmp_path, text))
    assert [p.line for p in caught.value.problems] == [3, 4]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"unit,variable,period\nA1,WASTE_T,2024\n", "missing column 'value'"),
        (b"unit,variable,period,value\n", "no values"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a text file"),
    ],
)
def test_it_rejects_unusable_files(catalogue, tmp_path, content, expected):
    path = tmp_path / "values.csv"
    path.write_bytes(content)
    with pytest.raises(FileProblem, match=expected):
        values_load(path=path)


def test_it_names_the_cell_in_a_workbook(catalogue, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["unit", "variable", "period", "value"])
    sheet.append(["A1", "WASTE_T", 2024, 10.25])
    sheet.append(["A1", "RECYCLED_T", 2024, "lots"])
    path = tmp_path / "values.xlsx"
    workbook.save(path)
    with pytest.raises(FileProblem) as caught:
        values_load(path=path)
    assert "line 3, cell D3, column value: 'lots' is not a number" in caught.value.report()
    sheet["D3"] = 3.5
    workbook.save(path)
    values_load(path=path)
    assert values_frame().sort("variable")["value"].to_list() == [3.5, 10.25]


def test_it_refuses_a_zip_bomb_disguised_as_a_workbook(catalogue, tmp_path):
    import zipfile

    path = tmp_path / "values.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (600 * 1024 * 1024))
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(FileProblem, match="inflates to more than 500 MB"):
        values_load(path=path)


def test_it_handles_a_large_file_of_errors_without_flooding(catalogue, tmp_path):
    """A ~50 MB file of garbage gets a bounded report naming the first lines."""
    line = "A1,WASTE_T,2024," + "x" * 60 + "\n"
    text = HEADER + line * (50 * 1024 * 1024 // len(line))
    with pytest.raises(FileProblem) as caught:
        values_load(path=write(tmp_path, text))
    report = caught.value.report()
    assert "line 2, column value" in report and "more problems" in report
    assert len(report) < 100_000
    assert not Value.objects.exists()


def test_exported_values_load_back_unchanged(catalogue, tmp_path):
    from miara.cli import main

    values_load(path=catalogue["values"])
    out = tmp_path / "out.csv"
    assert main(["export", "values", "-o", str(out)]) == 0
    exported = pl.read_csv(out)
    assert exported.columns == ["unit", "variable", "period", "value", "comment"]
    assert exported.height == 40
    report = values_load(path=out)
    assert (report.created, report.updated) == (0, 0)


def test_it_names_the_right_cell_when_columns_are_moved(catalogue, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["period", "value", "unit", "variable"])
    workbook.active.append([2024, "n/a", "A1", "WASTE_T"])
    path = tmp_path / "moved.xlsx"
    workbook.save(path)
    with pytest.raises(FileProblem) as caught:
        values_load(path=path)
    assert "line 2, cell B2, column value: 'n/a' is not a number" in caught.value.report()
