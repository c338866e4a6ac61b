"""Provisional results say so on every page and export; final ones do not."""

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from miara.analytics.services import compute
from miara.api.tests.conftest import client_for
from miara.reports.services import report_build
from miara.units.models import Unit

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-horse-42"
NOTE = 'data-results-status="provisional"'


def pages(client):
    return {
        "scorecard": reverse("analytics:benchmark", args=["A1"]) + "?period=2024",
        "indicator": reverse("analytics:indicator", args=["WASTE_PC"]) + "?period=2024",
        "similar": reverse("analytics:similar", args=["A1"]) + "?period=2024",
        "compare": reverse("analytics:compare") + "?units=A1,B2&indicators=WASTE_PC&period=2024",
    }


@pytest.fixture
def logged_in(client, alice):
    client.login(username="alice", password=PASSWORD)
    return client


def test_every_results_page_marks_provisional_results(logged_in):
    # The fixture programme is computed as `miara compute` does: provisional.
    for name, url in pages(logged_in).items():
        response = logged_in.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert NOTE in html, name
        assert "Provisional results for 2024, computed from the loaded values" in html, name


def test_final_results_carry_no_provisional_mark(logged_in):
    compute(periods=["2024"], kind="final")
    for name, url in pages(logged_in).items():
        assert NOTE not in logged_in.get(url).content.decode(), name


def test_page_csvs_say_provisional_in_their_file_name(logged_in):
    urls = [
        reverse("analytics:benchmark_csv", args=["A1"]) + "?period=2024",
        reverse("analytics:indicator_csv", args=["WASTE_PC"]) + "?period=2024",
        reverse("analytics:similar_csv", args=["A1"]) + "?period=2024",
        reverse("analytics:compare_csv") + "?units=A1,B2&indicators=WASTE_PC&period=2024",
    ]
    for url in urls:
        response = logged_in.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        disposition = response["Content-Disposition"]
        assert "2024" in disposition and "-provisional.csv" in disposition, url
    compute(periods=["2024"], kind="final")
    for url in urls:
        assert "provisional" not in logged_in.get(url)["Content-Disposition"], url


def test_api_result_rows_carry_the_status(alice):
    compute(periods=["2023"], kind="final")
    rows = client_for(alice).get("/api/v1/results?indicator=POP&group=all&unit=A1").json()["items"]
    assert {(r["period"], r["status"]) for r in rows} == {
        ("2023", "final"),
        ("2024", "provisional"),
    }


def test_reports_mark_provisional_results(alice):
    unit = Unit.objects.get(code="A1")
    workbook = load_workbook(
        io.BytesIO(
            report_build(
                user=alice, unit=unit, period="2024", group="all", language="en", fmt="xlsx"
            )
        )
    )
    cells = [c.value for row in workbook.worksheets[0].iter_rows() for c in row if c.value]
    assert any("Provisional results for 2024" in str(v) for v in cells)
    assert "provisional results" in workbook.worksheets[1]["A2"].value
    pdf = report_build(user=alice, unit=unit, period="2024", group="all", language="en", fmt="pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Provisional results for 2024" in text
    assert text.count("provisional results") >= 1


def test_the_results_export_has_a_status_column(tmp_path, programme):
    from miara.analytics.selectors import iter_results

    frame = next(iter(iter_results(periods=["2024"])))
    assert set(frame.get_column("status").to_list()) == {"provisional"}
    assert json.dumps(frame.head(1).to_dicts())  # serialisable as the JSON export
