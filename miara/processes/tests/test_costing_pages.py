"""The costing pages: the survey grid (a cell saved through the one service), the
workbook's template and upload, the costing page, its downloads and the sharing control;
who sees what (an office only its own; a coordinator only where shared; a stranger the
404 of a missing unit)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from miara.processes.models import CostPool, ProcessSettings, TimeAllocation
from miara.processes.services import costing_load, processes_load
from miara.processes.tests.files import EXPECTED, costing_file, map_file
from miara.units.models import Unit

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-horse-42"


@pytest.fixture
def office(mike, tmp_path):
    processes_load(path=map_file(tmp_path), unit_code="A1", acting_user=mike)
    costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=mike)
    return Unit.objects.get(code="A1")


def logged_in(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_costing_page_shows_costs_unit_costs_and_unused_capacity(client, office, mike):
    response = logged_in(client, "mike").get("/units/A1/costing/?period=2025")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Costs of processes, 2025" in html
    assert 'data-process="PERMIT"' in html
    assert "570.19" in html  # PERMIT's unit cost
    assert "no unit cost: the output is 0" in html  # ZONING
    assert "no unit cost: no output was given" in html  # REGISTER
    assert "80,000" in html  # unused capacity
    assert 'data-chart="chart-money"' in html
    assert "Share the costing with the programme" in html


def test_the_previous_period_is_shown_beside(client, office, mike, tmp_path):
    costing_load(path=costing_file(tmp_path), unit_code="A1", period="2024", acting_user=mike)
    html = logged_in(client, "mike").get("/units/A1/costing/?period=2025").content.decode()
    assert "Cost in 2024" in html and "Unit cost in 2024" in html


def test_the_downloads_hold_the_rows_of_the_export(client, office, mike):
    client = logged_in(client, "mike")
    response = client.get("/units/A1/costing/costing.csv?period=2025")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == [
        "process",
        "department_cost",
        "support_cost",
        "direct_cost",
        "cost",
        "output",
        "unit_cost",
    ]
    by_process = {row["process"]: row for row in rows}
    for process, expected in EXPECTED.items():
        row = by_process[process]
        read = [
            float(row[c]) if row[c] != "" else None
            for c in (
                "department_cost",
                "support_cost",
                "direct_cost",
                "cost",
                "output",
                "unit_cost",
            )
        ]
        assert [None if e is None else pytest.approx(e, rel=1e-12) for e in expected] == read
    response = client.get("/units/A1/costing/costing.xlsx?period=2025")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "process"
    permit = next(v for v in values if v[0] == "PERMIT")
    assert permit[4] == pytest.approx(EXPECTED["PERMIT"][3], rel=1e-12)


def test_the_template_loads_back_unchanged(client, office, mike, tmp_path):
    response = logged_in(client, "mike").get("/units/A1/costing/template.xlsx?period=2025")
    assert response.status_code == 200
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    sheets = load_workbook(path)
    assert sheets.sheetnames == ["departments", "allocation", "outputs"]
    assert [r[0] for r in sheets["outputs"].iter_rows(min_row=2, values_only=True)] == [
        "ARCHIVE",
        "PERMIT",
        "REGISTER",
        "ZONING",
    ]
    report = costing_load(path=path, unit_code="A1", period="2025", acting_user=mike)
    assert not report.changed


def test_the_empty_template_of_a_new_period_lists_the_map(client, office, mike, tmp_path):
    response = logged_in(client, "mike").get("/units/A1/costing/template.xlsx?period=2026")
    sheets = load_workbook(io.BytesIO(response.content))
    assert [r[0] for r in sheets["departments"].iter_rows(min_row=2, values_only=True)] == [
        "BUILD",
        "IT",
        "REG",
    ]


def test_uploading_the_workbook_on_the_page_loads_it(client, office, mike, tmp_path):
    path = costing_file(
        tmp_path, allocation=[["department", "process", "percent"], ["BUILD", "PERMIT", 10]]
    )
    with path.open("rb") as workbook:
        response = logged_in(client, "mike").post(
            "/units/A1/costing/survey/", {"period": "2025", "workbook": workbook}
        )
    assert response.status_code == 302
    assert TimeAllocation.objects.filter(period="2025").count() == 1


def test_a_bad_workbook_names_sheet_row_and_column_and_stores_nothing(client, office, tmp_path):
    path = costing_file(
        tmp_path, allocation=[["department", "process", "percent"], ["IT", "PERMIT", 10]]
    )
    with path.open("rb") as workbook:
        response = logged_in(client, "mike").post(
            "/units/A1/costing/survey/", {"period": "2025", "workbook": workbook}
        )
    assert response.status_code == 400
    assert "sheet allocation, row 2" in response.content.decode()
    assert TimeAllocation.objects.filter(period="2025").count() == 3


def test_the_survey_shows_primary_departments_by_processes(client, office):
    html = logged_in(client, "mike").get("/units/A1/costing/survey/?period=2025").content.decode()
    assert 'data-department="BUILD"' in html and 'data-department="REG"' in html
    assert 'data-department="IT"' not in html  # a support department has no row
    assert 'data-process="PERMIT" aria-labelledby' in html
    assert "processes/survey.js" in html


def test_a_cell_saved_answers_the_row_total(client, office):
    response = logged_in(client, "mike").post(
        "/units/A1/costing/survey/cell/",
        {
            "period": "2025",
            "department": "BUILD",
            "process": "ARCHIVE",
            "percent": "15",
            "read": "",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["row_total"] == pytest.approx(95)
    assert TimeAllocation.objects.get(process__code="ARCHIVE", period="2025").percent == 15


def test_a_cell_over_the_row_is_refused_with_a_message(client, office):
    response = logged_in(client, "mike").post(
        "/units/A1/costing/survey/cell/",
        {
            "period": "2025",
            "department": "BUILD",
            "process": "ARCHIVE",
            "percent": "25",
            "read": "",
        },
    )
    assert response.status_code == 400
    assert "more than 100 %" in response.json()["error"]


def test_a_cell_changed_meanwhile_answers_409_with_the_stored_value(client, office):
    response = logged_in(client, "mike").post(
        "/units/A1/costing/survey/cell/",
        {
            "period": "2025",
            "department": "BUILD",
            "process": "PERMIT",
            "percent": "40",
            "read": "45",
        },
    )
    assert response.status_code == 409
    assert response.json()["stored"] == 50


def test_an_editor_reads_the_survey_but_may_not_save_a_cell(client, office, bob):
    client = logged_in(client, "bob")
    html = client.get("/units/A1/costing/survey/?period=2025").content.decode()
    assert "readonly" in html and "processes/survey.js" not in html
    response = client.post(
        "/units/A1/costing/survey/cell/",
        {"period": "2025", "department": "BUILD", "process": "ARCHIVE", "percent": "5", "read": ""},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/units/A1/costing/?period=2025",
        "/units/A1/costing/survey/?period=2025",
        "/units/A1/costing/costing.csv?period=2025",
        "/units/A1/costing/template.xlsx?period=2025",
    ],
)
def test_a_stranger_gets_the_404_of_a_missing_unit(client, office, carol, url):
    client = logged_in(client, "carol")
    hidden = client.get(url)
    missing = client.get(url.replace("A1", "ZZ"))
    assert hidden.status_code == missing.status_code == 404
    assert page_text(hidden).replace("A1", "ZZ") == page_text(missing)


def page_text(response) -> str:
    """The page without its CSRF tokens (new on every answer)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def test_a_coordinator_sees_the_costing_only_where_it_is_shared(client, office, alice, mike):
    client = logged_in(client, "alice")
    assert client.get("/units/A1/costing/?period=2025").status_code == 404
    process_settings_update_by(mike, shares=True)
    assert client.get("/units/A1/costing/?period=2025").status_code == 200


def process_settings_update_by(user, *, shares):
    from miara.processes.services import process_settings_update

    process_settings_update(
        unit=Unit.objects.get(code="A1"), shares_costing=shares, acting_user=user
    )


def test_the_manager_shares_the_costing_from_the_page(client, office, mike):
    response = logged_in(client, "mike").post(
        "/units/A1/costing/sharing/", {"shares_costing": "1", "period": "2025"}
    )
    assert response.status_code == 302
    assert ProcessSettings.objects.get(unit__code="A1").shares_costing


def test_an_editor_may_not_share_the_costing(client, office, bob):
    response = logged_in(client, "bob").post("/units/A1/costing/sharing/", {"shares_costing": "1"})
    assert response.status_code == 403
    assert not ProcessSettings.objects.filter(unit__code="A1", shares_costing=True).exists()


@pytest.mark.parametrize("language,word", [("pl", "Koszty procesów"), ("cs", "Náklady procesů")])
def test_the_pages_speak_polish_and_czech(client, office, language, word):
    client = logged_in(client, "mike")
    client.cookies["django_language"] = language
    html = client.get("/units/A1/costing/?period=2025").content.decode()
    assert word in html


def test_a_percent_sign_in_a_translated_template_string_shows_once(client, office):
    client = logged_in(client, "mike")
    client.cookies["django_language"] = "cs"
    html = client.get("/units/A1/costing/survey/?period=2025").content.decode()
    assert "Celkem %<" in html and "%%" not in html


def test_the_overview_links_an_office_user_to_the_costing(client, office, bob):
    html = logged_in(client, "bob").get("/").content.decode()
    assert 'href="/units/A1/costing/"' in html


def test_the_chart_places_all_the_money(client, office):
    import json

    html = logged_in(client, "mike").get("/units/A1/costing/?period=2025").content.decode()
    spec = json.loads(
        re.search(
            r'<script type="application/json" data-chart="chart-money">(.*?)</script>', html
        ).group(1)
    )
    rows = spec["data"]["values"]
    # All pools (560 000) and direct costs (6 000), each bar's parts adding up to its
    # department: BUILD 400 000 of which 80 000 unused, IT spread over three processes.
    assert sum(r["amount"] for r in rows) == pytest.approx(566_000, abs=0.05)
    build = {r["process"]: r["amount"] for r in rows if r["department"] == "Construction office"}
    assert build == {"PERMIT": 200_000, "ZONING": 120_000, "unused capacity": 80_000}
    it = [r for r in rows if r["department"] == "Information technology (support)"]
    assert sum(r["amount"] for r in it) == pytest.approx(60_000, abs=0.05)


def test_the_survey_page_has_every_pool_and_output_to_correct(client, office):
    html = logged_in(client, "mike").get("/units/A1/costing/survey/?period=2025").content.decode()
    assert 'id="pool-figures"' in html and 'id="output-figures"' in html
    assert '<tr data-key="IT">' in html  # support departments have a pool too
    assert 'name="personnel_cost" data-field="personnel_cost" value="300000"' in html
    assert '<tr data-key="ARCHIVE">' in html and "processes/figures.js" in html


def test_a_pool_figure_saved_answers_the_stored_figure(client, office):
    response = logged_in(client, "mike").post(
        "/units/A1/costing/survey/pool/",
        {"period": "2025", "key": "BUILD", "field": "fte", "value": "4,5", "read": "4"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["value"] == 4.5
    assert CostPool.objects.get(department__code="BUILD", period="2025").fte == 4.5


def test_an_output_figure_refused_names_the_field(client, office):
    response = logged_in(client, "mike").post(
        "/units/A1/costing/survey/output/",
        {"period": "2025", "key": "PERMIT", "field": "output", "value": "-2", "read": "400"},
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("output: -2 is not a number of zero or more")


def test_a_figure_changed_meanwhile_answers_409_with_the_stored_figure(client, office):
    response = logged_in(client, "mike").post(
        "/units/A1/costing/survey/output/",
        {"period": "2025", "key": "PERMIT", "field": "direct_cost", "value": "1", "read": "4000"},
    )
    assert response.status_code == 409
    assert response.json()["stored"] == 5000


def test_an_editor_may_not_correct_a_figure(client, office, bob):
    client = logged_in(client, "bob")
    html = client.get("/units/A1/costing/survey/?period=2025").content.decode()
    assert "processes/figures.js" not in html and " disabled" in html
    response = client.post(
        "/units/A1/costing/survey/pool/",
        {"period": "2025", "key": "BUILD", "field": "fte", "value": "5", "read": "4"},
    )
    assert response.status_code == 403
    assert CostPool.objects.get(department__code="BUILD", period="2025").fte == 4


@pytest.mark.parametrize("what", ["pool", "output"])
def test_a_stranger_posting_a_figure_gets_the_404_of_a_missing_unit(client, office, carol, what):
    client = logged_in(client, "carol")
    data = {"period": "2025", "key": "BUILD", "field": "fte", "value": "5", "read": "4"}
    hidden = client.post(f"/units/A1/costing/survey/{what}/", data)
    missing = client.post(f"/units/ZZ/costing/survey/{what}/", data)
    assert hidden.status_code == missing.status_code == 404
    assert CostPool.objects.get(department__code="BUILD", period="2025").fte == 4
