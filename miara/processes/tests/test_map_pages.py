"""The process map page, its upload and downloads, the adoption of the programme's model
catalogue and one process's page: status codes, who sees what (the same 404 as a unit
that does not exist for everyone else), round trips of the map file."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from miara.accounts.models import AuditEntry
from miara.cli import main
from miara.processes.models import (
    Department,
    ModelProcess,
    Process,
    ProcessCriterion,
    ProcessGroup,
)
from miara.processes.services import (
    MAP_COLUMNS,
    model_catalogue_load,
    process_settings_update,
    processes_load,
)
from miara.processes.tests.files import map_file

pytestmark = pytest.mark.django_db

MAP = (
    "code,name,group,parent_group,owner,output,legal_deadline_days,cost_variable,"
    "output_variable,criteria\n"
    "PERMIT,Building permits,Construction,Public services,BUILD,decisions issued,60,"
    "PERMIT_STAFF_COST,PERMITS_ISSUED,PERMIT_COST;POP\n"
    "ZONING,Zoning decisions,Construction,Public services,BUILD,decisions issued,30,,,\n"
    "REGISTER,Population register,Registers,Public services,REG,entries,,,,POP\n"
    "ARCHIVE,Archive,Internal,,REG,files kept,,,,\n"
)

MODEL = (
    "code,name,group,parent_group,output,legal_deadline_days,criteria\n"
    "PERMIT,Building permit,Construction,Public services,decisions issued,60,PERMIT_COST\n"
    "COMPLAINT,Complaints,Customer care,Public services,answers given,30,\n"
)


@pytest.fixture
def programme(programme_with_results):
    return programme_with_results


@pytest.fixture
def office(mike, tmp_path):
    processes_load(path=map_file(tmp_path, MAP), unit_code="A1", acting_user=mike)
    return Process.objects.get(code="PERMIT").unit


def page_of(client, user, url):
    client.force_login(user)
    return client.get(url)


def without_tokens(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def map_url(code="A1"):
    return reverse("processes:map", args=[code])


def stored() -> tuple:
    return (
        sorted(Process.objects.values_list("code", "name", "group__name", "owner__code")),
        sorted(ProcessCriterion.objects.values_list("process__code", "indicator__code", "order")),
        sorted(ProcessGroup.objects.values_list("name", "parent__name")),
        sorted(Department.objects.values_list("code", "name")),
    )


# --- who sees the map ------------------------------------------------------------------


def test_the_offices_staff_see_its_map_as_a_tree(client, office, bob):
    response = page_of(client, bob, map_url())
    assert response.status_code == 200
    text = response.content.decode()
    # Groups within their parent group, each process with owner, output, deadline.
    assert text.index("Public services") < text.index("Construction") < text.index("Registers")
    assert "Building permits" in text and "decisions issued" in text and "60 days" in text
    assert 'data-criterion="PERMIT_COST"' in text
    assert "better" in text  # PERMIT_COST fell from 2023 to 2024: a status in words
    assert "Upload the process map" not in text  # bob edits, he does not manage the map
    # PERMIT_COST (fell: better) and POP (context: neither) of PERMIT, POP of REGISTER.
    for stat, count in (("criteria", 3), ("better", 1), ("worse", 0), ("no_data", 0)):
        assert f'data-stat="{stat}">{count}</dd>' in text


def test_an_office_without_a_map_is_told_how_to_start(client, programme, mike):
    response = page_of(client, mike, map_url())
    assert response.status_code == 200
    text = response.content.decode()
    assert "The office has no process map yet." in text
    assert "Upload the process map" in text


def test_the_manager_sees_the_upload_form(client, office, mike):
    response = page_of(client, mike, map_url())
    assert "Upload the process map" in response.content.decode()


@pytest.mark.parametrize("who", ["carol", "alice", "erin"])
def test_everyone_else_gets_the_404_of_a_unit_that_does_not_exist(client, office, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    for url in (
        map_url(),
        reverse("processes:map_csv", args=["A1"]),
        reverse("processes:map_xlsx", args=["A1"]),
        reverse("processes:process", args=["A1", "PERMIT"]),
    ):
        hidden = client.get(url)
        missing = client.get(url.replace("/A1/", "/NOPE/"))
        assert hidden.status_code == missing.status_code == 404
        assert without_tokens(hidden).replace("A1", "NOPE") == without_tokens(missing)
    refused = client.post(reverse("processes:model_adopt", args=["A1"]))
    assert refused.status_code == 404


def test_coordinators_and_experts_see_it_once_the_office_shares_it(
    client, office, mike, alice, erin
):
    process_settings_update(unit=office, shares_costing=True, acting_user=mike)
    assert page_of(client, alice, map_url()).status_code == 200
    assert page_of(client, erin, map_url()).status_code == 200


def test_the_scorecard_and_the_unit_list_link_to_the_map_for_those_allowed(
    client, office, bob, carol
):
    link = f'href="{map_url()}"'
    assert (
        link in page_of(client, bob, reverse("analytics:benchmark", args=["A1"])).content.decode()
    )
    assert link in page_of(client, bob, reverse("units:list")).content.decode()
    assert link not in page_of(client, carol, reverse("units:list")).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, office):
    response = client.get(map_url())
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- upload ----------------------------------------------------------------------------


def upload(client, user, name: str, content: bytes, code="A1"):
    client.force_login(user)
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("processes:map_upload", args=[code]), {"file": file})


def test_the_manager_uploads_a_map(client, programme, mike):
    response = upload(client, mike, "map.csv", MAP.encode())
    assert response.status_code == 302
    assert Process.objects.filter(unit__code="A1").count() == 4
    entry = AuditEntry.objects.get(action="processes.load")
    assert entry.user == mike and entry.channel == "web"


def test_an_editor_may_not_upload(client, office, bob):
    before = stored()
    response = upload(client, bob, "map.csv", MAP.replace("Archive", "Attic").encode())
    assert response.status_code == 403
    assert stored() == before


def test_a_bad_upload_lists_each_problem_by_row_and_column_and_stores_nothing(client, office, mike):
    before = stored()
    bad = MAP.replace(",60,", ",sixty,").replace("PERMIT_COST;POP", "PERMIT_COST;NOPE")
    response = upload(client, mike, "map.csv", bad.encode())
    assert response.status_code == 400
    text = response.content.decode()
    assert "map.csv was not loaded: nothing was saved" in text
    assert '<th scope="row">2</th><td>legal_deadline_days</td>' in text
    assert '<th scope="row">2</th><td>criteria</td>' in text
    assert "“NOPE” is not an indicator of the catalogue" in text
    assert stored() == before


def test_a_file_of_another_kind_is_refused_by_the_form(client, office, mike):
    response = upload(client, mike, "map.pdf", b"%PDF")
    assert response.status_code == 400
    assert "Upload a .csv or .xlsx file." in response.content.decode()


# --- download and round trip -------------------------------------------------------------


def test_the_csv_download_loads_back_without_a_change(client, office, bob, mike, tmp_path):
    response = page_of(client, bob, reverse("processes:map_csv", args=["A1"]))
    assert response.status_code == 200
    assert 'filename="process-map-A1.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == MAP_COLUMNS
    assert rows[1:] == sorted(list(csv.reader(io.StringIO(MAP)))[1:])
    before = stored()
    path = tmp_path / "download.csv"
    path.write_bytes(response.content)
    report = processes_load(path=path, unit_code="A1", acting_user=mike)
    assert not report.changed
    assert stored() == before


def test_the_excel_download_loads_back_without_a_change_through_the_page(client, office, mike):
    response = page_of(client, mike, reverse("processes:map_xlsx", args=["A1"]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert list(values[0]) == MAP_COLUMNS
    assert values[1][:7] == ("ARCHIVE", "Archive", "Internal", None, "REG", "files kept", None)
    before = stored()
    entries = AuditEntry.objects.count()
    again = upload(client, mike, "process-map-A1.xlsx", response.content)
    assert again.status_code == 302
    assert stored() == before
    assert AuditEntry.objects.count() == entries  # nothing changed, nothing recorded


# --- the model catalogue ---------------------------------------------------------------


@pytest.fixture
def model(programme, tmp_path):
    assert main(["load", "processes", str(map_file(tmp_path, MODEL, "model.csv")), "--model"]) == 0
    return ModelProcess.objects.order_by("code")


def test_the_model_catalogue_loads_from_the_command_line(model):
    assert [(m.code, m.group.name, m.criteria) for m in model] == [
        ("COMPLAINT", "Customer care", []),
        ("PERMIT", "Construction", ["PERMIT_COST"]),
    ]
    assert AuditEntry.objects.filter(action="processes.model_load").count() == 1


def test_the_command_takes_model_or_unit_not_both(programme, tmp_path, capsys):
    path = str(map_file(tmp_path, MODEL, "model.csv"))
    assert main(["load", "processes", path, "--model", "--unit", "A1"]) == 2
    assert "--model or --unit, not both" in capsys.readouterr().err
    assert not ModelProcess.objects.exists() and not Process.objects.exists()


def test_a_model_catalogue_names_no_owners(programme, tmp_path, alice):
    from miara.fileio import FileProblem

    with pytest.raises(FileProblem) as caught:
        model_catalogue_load(
            path=map_file(tmp_path, "code,name,owner\nPERMIT,Permit,BUILD\n"), acting_user=alice
        )
    assert [(p.line, p.column) for p in caught.value.problems] == [(2, "owner")]


def test_only_coordinators_load_the_model_catalogue(programme, tmp_path, mike):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        model_catalogue_load(path=map_file(tmp_path, MODEL), acting_user=mike)


def test_the_manager_adopts_the_model_and_keeps_the_offices_own(client, office, model, mike):
    response = page_of(client, mike, map_url())
    assert "Adopt the model catalogue" in response.content.decode()
    response = client.post(reverse("processes:model_adopt", args=["A1"]))
    assert response.status_code == 302
    permit = Process.objects.get(code="PERMIT")
    complaint = Process.objects.get(code="COMPLAINT")
    assert permit.model_process.code == "PERMIT" and complaint.model_process.code == "COMPLAINT"
    # The model's name and criteria first, the office's owner and extra criterion kept.
    assert permit.name == "Building permit" and permit.owner.code == "BUILD"
    assert [c.indicator.code for c in permit.criteria.order_by("order")] == ["PERMIT_COST", "POP"]
    assert permit.cost_variable.code == "PERMIT_STAFF_COST"  # the model names none
    assert complaint.group.name == "Customer care"
    assert complaint.group.parent.name == "Public services"
    # The office's own processes stay: it extends the model.
    assert Process.objects.filter(unit=office).count() == 5
    assert Process.objects.get(code="ARCHIVE").model_process is None
    entry = AuditEntry.objects.get(action="processes.adopt")
    assert entry.user == mike and entry.details["unit"] == "A1"

    before = stored()
    client.post(reverse("processes:model_adopt", args=["A1"]))
    assert stored() == before
    assert AuditEntry.objects.filter(action="processes.adopt").count() == 1


def test_an_editor_may_not_adopt(client, office, model, bob):
    client.force_login(bob)
    assert client.post(reverse("processes:model_adopt", args=["A1"])).status_code == 403
    assert not Process.objects.filter(model_process__isnull=False).exists()


def test_adopting_without_a_model_says_so(client, office, mike):
    client.force_login(mike)
    response = client.post(reverse("processes:model_adopt", args=["A1"]), follow=True)
    assert "has not published a model process catalogue" in response.content.decode()


# --- one process -----------------------------------------------------------------------


def test_the_process_page_shows_criteria_over_time_and_operational_data(
    client, office, bob, tmp_path
):
    values = tmp_path / "monthly.csv"
    values.write_text(
        "unit,variable,period,value\n"
        "A1,PERMITS_ISSUED,2025-01,40\nA1,PERMIT_STAFF_COST,2025-01,6000\n"
        "A1,PERMITS_ISSUED,2025-02,35\nA1,PERMIT_STAFF_COST,2025-02,7000\n",
        encoding="utf-8",
    )
    assert main(["load", "values", str(values)]) == 0
    response = page_of(client, bob, reverse("processes:process", args=["A1", "PERMIT"]))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="chart-criterion-PERMIT_COST"' in text  # two monthly points: a chart
    assert "From 2025-01 to 2025-02: Alpha 150.00 → 200.00." in text
    assert 'data-period="2025-02"' in text and 'data-period="2024"' in text
    assert "Building-permit decisions issued" in text  # a variable PERMIT_COST reads


def test_an_unknown_process_is_a_404(client, office, bob):
    response = page_of(client, bob, reverse("processes:process", args=["A1", "NOPE"]))
    assert response.status_code == 404


@pytest.mark.parametrize("language", ["pl", "cs"])
def test_the_map_speaks_polish_and_czech(client, office, bob, language):
    client.cookies["django_language"] = language
    text = page_of(client, bob, map_url()).content.decode()
    expected = {"pl": "Mapa procesów", "cs": "Procesní mapa"}[language]
    assert expected in text
