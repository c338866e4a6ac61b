"""The API of the process-managed office: the processes of a unit, the costing of a
period (the rows of the export), the costing data written as JSON; the same
permissions as the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from miara.processes.models import TimeAllocation
from miara.processes.services import costing_load, process_settings_update, processes_load
from miara.processes.tests.files import EXPECTED, costing_file, map_file
from miara.units.models import Unit

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    from miara.accounts.services import token_create

    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)}")


@pytest.fixture
def office(mike, tmp_path):
    processes_load(path=map_file(tmp_path), unit_code="A1", acting_user=mike)
    costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=mike)
    return Unit.objects.get(code="A1")


COSTING_JSON = {
    "departments": [
        {
            "department": "BUILD",
            "name": "Construction office",
            "kind": "primary",
            "fte": 4,
            "personnel_cost": 300000,
            "other_cost": 100000,
        },
        {
            "department": "REG",
            "name": "Registry office",
            "kind": "primary",
            "fte": 2,
            "personnel_cost": 80000,
            "other_cost": 20000,
        },
        {
            "department": "IT",
            "name": "Information technology",
            "kind": "support",
            "fte": 1,
            "personnel_cost": 50000,
            "other_cost": 10000,
        },
    ],
    "allocation": [
        {"department": "BUILD", "process": "PERMIT", "percent": 50},
        {"department": "BUILD", "process": "ZONING", "percent": 30},
        {"department": "REG", "process": "REGISTER", "percent": 100},
    ],
    "outputs": [
        {"process": "PERMIT", "output": 400, "direct_cost": 5000},
        {"process": "ZONING", "output": 0},
        {"process": "REGISTER", "output": None, "direct_cost": 1000},
    ],
}


def test_it_lists_the_processes_of_a_unit(office, bob):
    response = client_for(bob).get("/api/v1/processes?unit=A1")
    assert response.status_code == 200
    permit = next(p for p in response.json() if p["code"] == "PERMIT")
    assert permit == {
        "code": "PERMIT",
        "name": "Building permits",
        "group": "Construction",
        "owner": "BUILD",
        "output": "decisions issued",
        "legal_deadline_days": 60,
        "cost_variable": "PERMIT_STAFF_COST",
        "output_variable": "PERMITS_ISSUED",
    }


def test_it_gives_the_costing_rows_of_the_export(office, bob):
    response = client_for(bob).get("/api/v1/costing?unit=A1&period=2025")
    assert response.status_code == 200
    body = response.json()
    rows = {row["process"]: row for row in body["rows"]}
    columns = ("department_cost", "support_cost", "direct_cost", "cost", "output", "unit_cost")
    for process, expected in EXPECTED.items():
        got = [rows[process][c] for c in columns]
        assert [None if e is None else pytest.approx(e, rel=1e-12) for e in expected] == got
    assert rows["ZONING"]["unit_cost_reason"] == "output_zero"
    assert body["unassigned"] == pytest.approx(80_000)
    total = sum(r["cost"] for r in body["rows"]) + body["unassigned"]
    assert (
        total == pytest.approx(body["total_pools"] + body["total_direct"]) == pytest.approx(566_000)
    )


def test_a_period_without_costing_is_a_404(office, bob):
    assert client_for(bob).get("/api/v1/costing?unit=A1&period=2019").status_code == 404


def test_a_stranger_gets_the_404_of_a_missing_unit(office, carol):
    client = client_for(carol)
    hidden = client.get("/api/v1/costing?unit=A1&period=2025")
    missing = client.get("/api/v1/costing?unit=ZZ&period=2025")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace("A1", "ZZ") == missing.json()["detail"]
    assert client.get("/api/v1/processes?unit=A1").status_code == 404


def test_a_coordinator_reads_the_costing_only_where_it_is_shared(office, alice, mike):
    client = client_for(alice)
    assert client.get("/api/v1/costing?unit=A1&period=2025").status_code == 404
    process_settings_update(unit=office, shares_costing=True, acting_user=mike)
    assert client.get("/api/v1/costing?unit=A1&period=2025").status_code == 200


def test_the_manager_writes_the_costing_as_json(office, mike):
    TimeAllocation.objects.all().delete()
    response = client_for(mike).post(
        "/api/v1/costing?unit=A1&period=2026", COSTING_JSON, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    got = client_for(mike).get("/api/v1/costing?unit=A1&period=2026").json()
    permit = next(r for r in got["rows"] if r["process"] == "PERMIT")
    assert permit["unit_cost"] == pytest.approx(EXPECTED["PERMIT"][5], rel=1e-12)


def test_bad_rows_are_named_by_list_index_and_column(office, mike):
    bad = {
        **COSTING_JSON,
        "allocation": [
            *COSTING_JSON["allocation"],
            {"department": "IT", "process": "PERMIT", "percent": 5},
        ],
    }
    response = client_for(mike).post(
        "/api/v1/costing?unit=A1&period=2026", bad, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["index"] == 3
    assert response.json()["detail"][0]["field"] == "allocation.department"
    assert not TimeAllocation.objects.filter(period="2026").exists()


def test_an_editor_may_not_write_the_costing(office, bob):
    response = client_for(bob).post(
        "/api/v1/costing?unit=A1&period=2026", COSTING_JSON, content_type="application/json"
    )
    assert response.status_code == 403


def test_the_endpoints_are_in_the_openapi_schema(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"get"} <= set(paths["/api/v1/processes"])
    assert {"get", "post"} <= set(paths["/api/v1/costing"])


def cell(client, **body):
    data = {"department": "BUILD", "process": "ARCHIVE", "percent": 15, "read_percent": None}
    return client.post(
        "/api/v1/costing/allocation?unit=A1&period=2025",
        data | body,
        content_type="application/json",
    )


def test_the_manager_sets_a_cell_of_the_survey(office, mike):
    response = cell(client_for(mike))
    assert response.status_code == 200, response.content
    assert response.json() == {"percent": 15.0, "row_total": 95.0}
    assert TimeAllocation.objects.get(process__code="ARCHIVE", period="2025").percent == 15


def test_a_cell_changed_meanwhile_is_a_409_with_the_stored_cell(office, mike):
    response = cell(client_for(mike), process="PERMIT", percent=40, read_percent=45)
    assert response.status_code == 409
    assert response.json()["stored"] == 50


def test_a_refused_cell_is_a_422_with_the_reason(office, mike):
    response = cell(client_for(mike), department="IT")
    assert response.status_code == 422
    assert "support department" in response.json()["detail"]
    response = cell(client_for(mike), percent=25)
    assert "more than 100 %" in response.json()["detail"]


def test_an_editor_may_not_set_a_cell(office, bob):
    assert cell(client_for(bob)).status_code == 403
    assert not TimeAllocation.objects.filter(process__code="ARCHIVE").exists()


def test_a_stranger_setting_a_cell_gets_the_404_of_a_missing_unit(office, carol):
    assert cell(client_for(carol)).status_code == 404
