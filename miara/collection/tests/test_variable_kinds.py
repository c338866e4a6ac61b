"""A variable's kind (engine.kinds) is enforced on every channel before anything is written:
a file, the questionnaire (whole form and one field), and the API refuse "12,5 decisions",
a negative count and a percentage above 100, naming the variable and the value."""

import json
import re

import pytest
from django.urls import reverse

from miara.api.tests.conftest import client_for
from miara.catalogue.models import Variable
from miara.catalogue.services import catalogue_load
from miara.collection.models import Value, ValueHistory
from miara.collection.services import values_load
from miara.fileio import FileProblem
from miara.testing.cycles import cycle_2024
from miara.testing.workbooks import validations_by_cell

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-horse-42"
KINDS_YAML = """
variables:
  - {code: PERMITS_ISSUED, name: {en: Building-permit decisions issued, pl: Wydane decyzje}, unit: count, area: PERMITS, min: 0, kind: count}
  - {code: RECYCLED_T, name: Recycled waste, unit: '%', area: WASTE, kind: percentage}
"""


@pytest.fixture
def kinds(programme, tmp_path):
    path = tmp_path / "kinds.yaml"
    path.write_text(KINDS_YAML, encoding="utf-8")
    catalogue_load(path=path)
    return path


def snapshot():
    return (
        sorted(Value.objects.values_list("unit_id", "variable_id", "period", "value")),
        ValueHistory.objects.count(),
    )


def load(tmp_path, *lines):
    path = tmp_path / "values.csv"
    path.write_text("unit,variable,period,value\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return values_load(path=path)


def test_the_catalogue_file_sets_the_kind_and_defaults_to_amount(kinds):
    assert Variable.objects.get(code="PERMITS_ISSUED").kind == "count"
    assert Variable.objects.get(code="RECYCLED_T").kind == "percentage"
    assert Variable.objects.get(code="WASTE_T").kind == "amount"


def test_a_file_with_a_fraction_of_a_count_is_refused_whole(kinds, tmp_path):
    before = snapshot()
    with pytest.raises(FileProblem) as problem:
        load(tmp_path, "A1,WASTE_T,2024,999.5", "A1,PERMITS_ISSUED,2024,12.5")
    [message] = [p.message for p in problem.value.problems]
    assert "12.5" in message and "PERMITS_ISSUED" in message and "whole number" in message
    assert problem.value.problems[0].line == 3
    assert snapshot() == before


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("A1,PERMITS_ISSUED,2024,-3", "is negative"),
        ("A1,RECYCLED_T,2024,100.5", "is above 100"),
        ("A1,RECYCLED_T,2024,-0.1", "is negative"),
    ],
)
def test_a_negative_count_and_a_percentage_out_of_0_to_100_are_refused(
    kinds, tmp_path, line, words
):
    before = snapshot()
    with pytest.raises(FileProblem) as problem:
        load(tmp_path, line)
    assert any(words in p.message for p in problem.value.problems)
    assert snapshot() == before


def test_whole_counts_fractional_amounts_and_percentages_within_bounds_are_stored(kinds, tmp_path):
    load(
        tmp_path,
        "A1,PERMITS_ISSUED,2024,12",
        "A1,RECYCLED_T,2024,100",
        "A1,WASTE_T,2024,999.5",
    )
    stored = dict(
        Value.objects.filter(unit__code="A1", period="2024").values_list("variable__code", "value")
    )
    assert (stored["PERMITS_ISSUED"], stored["RECYCLED_T"], stored["WASTE_T"]) == (12, 100, 999.5)


@pytest.fixture
def cycle(alice, kinds):
    return cycle_2024(alice, ["WASTE_T", "PERMITS_ISSUED"])


def test_the_questionnaire_field_refuses_12_5_decisions_in_polish(client, cycle, bob):
    client.login(username="bob", password=PASSWORD)
    before = snapshot()
    response = client.post(
        reverse("collection:entry_field", args=[cycle.pk, "A1"]),
        {"variable": "PERMITS_ISSUED", "value": "12,5", "comment": "", "version": "1"},
        HTTP_ACCEPT_LANGUAGE="pl",
    )
    assert response.status_code in (400, 422), response.content
    message = response.json()["message"]
    assert "12" in message and "Wydane decyzje" in message and "liczbą całkowitą" in message
    assert snapshot() == before


def test_the_whole_questionnaire_refuses_a_fraction_of_a_count_at_its_field(client, cycle, bob):
    client.login(username="bob", password=PASSWORD)
    before = snapshot()
    url = reverse("collection:entry_form", args=[cycle.pk, "A1"])
    html = client.get(url).content.decode()
    data = {}
    for code in ("WASTE_T", "PERMITS_ISSUED"):
        for part in ("value", "version", "shown"):
            data[f"{code}-{part}"] = re.search(
                rf'name="{code}-{part}" value="([^"]*)"', html
            ).group(1)
        data[f"{code}-comment"] = ""
    data["PERMITS_ISSUED-value"] = "12,5"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "12,5 is not a whole number" in response.content.decode()
    assert snapshot() == before


def test_the_api_refuses_a_fraction_of_a_count_with_422(bob, kinds):
    before = snapshot()
    response = client_for(bob).post(
        "/api/v1/values",
        json.dumps(
            {
                "values": [
                    {"unit": "A1", "variable": "PERMITS_ISSUED", "period": "2024", "value": 12.5}
                ]
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert "PERMITS_ISSUED" in response.content.decode()
    assert "whole number" in response.content.decode()
    assert snapshot() == before


def test_an_unknown_kind_in_the_catalogue_is_refused(programme, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("variables:\n  - {code: WASTE_T, name: Waste, kind: litres}\n", "utf-8")
    with pytest.raises(FileProblem) as problem:
        catalogue_load(path=path)
    text = problem.value.problems[0].message
    assert "kind 'litres' must be one of count, amount, percentage, share, duration" in text
    assert Variable.objects.get(code="WASTE_T").kind == "amount"


def test_a_size_variable_the_catalogue_does_not_know_is_refused(programme, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("variables:\n  - {code: WASTE_T, name: Waste, per: NOWHERE}\n", "utf-8")
    with pytest.raises(FileProblem) as problem:
        catalogue_load(path=path)
    assert "per names an unknown variable NOWHERE" in problem.value.problems[0].message
    assert Variable.objects.get(code="WASTE_T").per is None


def test_a_size_variable_is_set_by_the_catalogue_file(programme, tmp_path):
    path = tmp_path / "sized.yaml"
    path.write_text(
        "variables:\n  - {code: WASTE_T, name: Waste, unit: t, per: POPULATION, min: 0}\n", "utf-8"
    )
    report = catalogue_load(path=path)
    assert Variable.objects.get(code="WASTE_T").per.code == "POPULATION"
    assert report.updated == {"variables": 1}


def test_the_excel_questionnaire_asks_whole_numbers_for_a_count_and_0_to_100_for_a_percentage(
    cycle,
):
    import io

    from openpyxl import load_workbook

    from miara.collection.excel import COL_UNIT_OF_MEASURE, template_build
    from miara.collection.models import Submission
    from miara.collection.tests.test_excel import rows_by_code

    Variable.objects.filter(code="WASTE_T").update(kind="percentage")
    Variable.objects.filter(code="PERMITS_ISSUED").update(
        unit_name={"en": "count", "pl": "liczba", "cs": "počet"}
    )
    submission = Submission.objects.get(cycle=cycle, unit__code="A1")
    book = load_workbook(io.BytesIO(template_build(submission=submission, language="pl")))
    sheet = book["Dane"] if "Dane" in book.sheetnames else book.worksheets[0]
    rows = rows_by_code(sheet)
    checks = validations_by_cell(sheet)
    permits = checks[f"E{rows['PERMITS_ISSUED']}"]
    assert (permits.type, permits.operator, permits.formula1) == (
        "whole",
        "greaterThanOrEqual",
        "0",
    )
    assert permits.error.startswith("Wpisz liczbę całkowitą.")
    waste = checks[f"E{rows['WASTE_T']}"]
    assert (waste.type, waste.formula1, waste.formula2) == ("decimal", "0", "100")
    # The workbook's language, not the request's (English here), names the unit.
    assert sheet.cell(rows["PERMITS_ISSUED"], COL_UNIT_OF_MEASURE).value == "liczba"
