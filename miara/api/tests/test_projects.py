"""/api/v1/projects: reads scoped to the caller, the same 404 for hidden and missing
projects, writes with versions (409) and 422 naming the field."""

from __future__ import annotations

import json

import pytest

from miara.api.tests.conftest import client_for
from miara.improvement.models import Project
from miara.improvement.services import sharing_set

pytestmark = pytest.mark.django_db


def body(**changes):
    base = {
        "unit": "A1",
        "title": "Recycle more",
        "start_date": "2024-03-01",
        "due_date": "2026-12-31",
        "state": "active",
        "owner": "mike",
        "budget": 5000,
        "currency": "PLN",
        "indicators": [{"indicator": "RECYCLING_RATE"}],
    }
    base.update(changes)
    return base


def send(client, method, url, data):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def as_mike(mike):
    return client_for(mike)


def test_a_manager_creates_reads_and_changes_a_project(as_mike):
    created = send(as_mike, "post", "/api/v1/projects", body())
    assert created.status_code == 200, created.content
    project = created.json()
    assert project["unit"] == "A1" and project["version"] == 1
    assert project["indicators"] == ["RECYCLING_RATE"] and project["tasks"] == []
    pid = project["id"]
    task = send(
        as_mike,
        "post",
        f"/api/v1/projects/{pid}/tasks",
        {"title": "Bins", "due_date": "2025-01-31"},
    )
    assert task.status_code == 200
    (row,) = task.json()["tasks"]
    assert row["title"] == "Bins" and row["state"] == "todo" and row["version"] == 1
    listed = as_mike.get("/api/v1/projects?unit=A1").json()["items"]
    assert [p["title"] for p in listed] == ["Recycle more"]
    changed = send(as_mike, "put", f"/api/v1/projects/{pid}", body(title="Renamed", version=1))
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = send(as_mike, "put", f"/api/v1/projects/{pid}", body(title="Again", version=1))
    assert stale.status_code == 409
    assert stale.json()["given_version"] == 1 and stale.json()["stored_version"] == 2
    assert Project.objects.get().title == "Renamed"
    task_done = send(
        as_mike,
        "put",
        f"/api/v1/projects/tasks/{row['id']}",
        {"title": "Bins", "state": "done", "version": 1},
    )
    assert task_done.status_code == 200 and task_done.json()["tasks"][0]["state"] == "done"
    stale_task = send(
        as_mike,
        "put",
        f"/api/v1/projects/tasks/{row['id']}",
        {"title": "Bins", "state": "todo", "version": 1},
    )
    assert stale_task.status_code == 409


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"due_date": "2024-01-01"}, "due_date"),
        ({"indicators": [{"indicator": "RECYCLING_RATE", "unit": "B2"}]}, "indicators"),
        ({"owner": "carol"}, "owner"),
        ({"currency": ""}, "currency"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(as_mike, carol, changes, field):
    response = send(as_mike, "post", "/api/v1/projects", body(**changes))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == field
    assert not Project.objects.exists()


def test_a_task_due_after_the_project_is_a_422(as_mike):
    pid = send(as_mike, "post", "/api/v1/projects", body()).json()["id"]
    response = send(
        as_mike,
        "post",
        f"/api/v1/projects/{pid}/tasks",
        {"title": "Late", "due_date": "2027-01-01"},
    )
    assert response.status_code == 422
    assert "after its project ends" in response.json()["detail"][0]["message"]


def test_strangers_get_the_same_404_and_editors_a_403(as_mike, carol, bob, alice, mike):
    pid = send(as_mike, "post", "/api/v1/projects", body()).json()["id"]
    for user in (carol, alice):
        client = client_for(user)
        hidden = client.get(f"/api/v1/projects/{pid}")
        missing = client.get(f"/api/v1/projects/{pid + 1000}")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()
        assert client.get("/api/v1/projects").json()["items"] == []
    sharing_set(acting_user=mike, unit_code="A1", shared=True)
    assert client_for(alice).get(f"/api/v1/projects/{pid}").status_code == 200
    as_bob = client_for(bob)
    assert as_bob.get(f"/api/v1/projects/{pid}").status_code == 200
    assert send(as_bob, "post", "/api/v1/projects", body()).status_code == 403
    assert client_for(carol).get("/api/v1/projects?unit=A1").status_code == 404
