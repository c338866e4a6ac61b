"""Loading units: all-or-nothing, parents in any order, clear errors."""

import pytest

from miara.fileio import FileProblem
from miara.units.models import Unit
from miara.units.services import units_load

pytestmark = pytest.mark.django_db


def write(tmp_path, text, name="units.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_it_loads_units_with_parents_given_after_children(tmp_path):
    units_load(
        path=write(
            tmp_path,
            "code,name,type,parent,country\nD1,Wydział,department,O1,pl\nO1,Urząd,gmina_urban,,PL\n",
        )
    )
    department = Unit.objects.get(code="D1")
    assert department.parent.code == "O1"
    assert department.country == "PL"


def test_it_changes_nothing_when_loaded_twice(tmp_path):
    path = write(tmp_path, "code,name,type\nA1,Alpha,city_county\n")
    units_load(path=path)
    report = units_load(path=path)
    assert report.unchanged == {"units": 1} and not report.changed


def test_it_reads_windows_1250_with_semicolons(tmp_path):
    units_load(
        path=write(
            tmp_path,
            "code;name;type\n2466011;Gliwice – Urząd Miejski;city_county\n",
            encoding="cp1250",
        )
    )
    assert Unit.objects.get(code="2466011").name == "Gliwice – Urząd Miejski"


def test_it_reads_xlsx(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["code", "name", "type"])
    workbook.active.append([2466011, "Gliwice", "city_county"])
    path = tmp_path / "units.xlsx"
    workbook.save(path)
    units_load(path=path)
    assert Unit.objects.get(code="2466011").name == "Gliwice"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("code,name\nA,B\n", "missing column 'type'"),
        ("code,name,type\n", "no units"),
        (
            "code,name,type\nA,Alpha,x\nA,Again,x\n",
            "line 3, column code: unit A appears twice (first on line 2)",
        ),
        (
            "code,name,type,parent\nA,Alpha,x,ZZ\n",
            "line 2, column parent: parent 'ZZ' is not a unit",
        ),
        ("code,name,type,parent\nA,Alpha,x,B\nB,Beta,x,A\n", "parents form a cycle"),
        ("code,name,type\n,Alpha,x\n", "line 2, column code: the unit code is empty"),
        ("code,name,type,country\nA,Alpha,x,Poland\n", "two-letter code"),
        ("", "the file is empty"),
    ],
)
def test_it_rejects_bad_files_and_stores_nothing(tmp_path, text, expected):
    with pytest.raises(FileProblem) as caught:
        units_load(path=write(tmp_path, text))
    assert expected in caught.value.report()
    assert not Unit.objects.exists()
