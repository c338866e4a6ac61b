"""The project pages through Django's test client: the board, a project with its evidence,
the forms, the same 404 for strangers, the exports read back."""

from __future__ import annotations

import datetime
import io
import re

import openpyxl
import polars as pl
import pytest
from django.test import Client

from miara.improvement.models import Project, Task
from miara.improvement.services import ProjectData, project_create, sharing_set, task_create

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def same_page(text: str, project_id: int) -> str:
    """The page without what differs by request (the CSRF token, the address itself)."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return text.replace(f"/projects/{project_id}/", "/projects/N/")


def a_project(mike, **changes) -> Project:
    fields = {
        "title": "Recycle more",
        "start_date": datetime.date(2024, 3, 1),
        "due_date": datetime.date(2026, 12, 31),
        "state": "active",
        "owner": "mike",
        "indicators": ["RECYCLING_RATE"],
    }
    fields.update(changes)
    return project_create(acting_user=mike, unit_code="A1", data=ProjectData(**fields))


def test_a_manager_starts_a_project_from_the_form(mike, bob):
    client = logged_in(mike)
    page = client.get("/units/A1/projects/new/?indicator=RECYCLING_RATE")
    assert page.status_code == 200
    assert re.search(r'value="RECYCLING_RATE"[^>]*checked', page.text)  # from the scorecard
    response = client.post(
        "/units/A1/projects/new/",
        {
            "title": "Recycle more",
            "problem": "Below the median.",
            "owner": "mike",
            "team": ["bob"],
            "start_date": "2024-03-01",
            "due_date": "2026-12-31",
            "state": "active",
            "budget": "10 000,00",
            "currency": "PLN",
            "indicators": ["RECYCLING_RATE"],
        },
    )
    project = Project.objects.get()
    assert response.status_code == 302 and response.url == f"/projects/{project.pk}/"
    assert str(project.budget) == "10000.00"
    page = client.get(response.url)
    assert page.status_code == 200
    assert "The project was created." in page.text
    assert "Before and after, against the group median" in page.text
    assert "evidence, not proof" in page.text


def test_the_evidence_table_shows_the_gap_before_and_after(mike):
    # Started in 2024: before is 2023, A1 30.0 % against a median of all four units of
    # (20, 30, 40, 40) → 35.0: gap (30 − 35)/35 = −14.3 %. Latest is 2024: A1 320/1010 =
    # 31.68 %; the others 620/1510 = 41.06, 80/310 = 25.81, 300/710 = 42.25; median
    # (31.68 + 41.06)/2 = 36.37; gap −12.9 %: +1.4 points. The median rose 1.37 (3.9 %).
    project = a_project(mike)
    page = logged_in(mike).get(f"/projects/{project.pk}/").text
    a1_2024 = 320 / 1010 * 100
    median_2024 = (a1_2024 + 620 / 1510 * 100) / 2
    before = (30 - 35) / 35 * 100
    after = (a1_2024 - median_2024) / median_2024 * 100
    assert f"−{abs(before):.1f}".replace(".", ".") in page
    assert f"−{abs(after):.1f}" in page
    assert f"+{after - before:.1f}" in page
    assert f"+{median_2024 - 35:.1f}" in page


def test_strangers_get_the_same_404_as_for_a_missing_project(mike, carol, alice):
    project = a_project(mike)
    task = task_create(acting_user=mike, project_id=project.pk, title="Sort bins")
    missing = project.pk + 1000
    for user in (carol, alice):
        client = logged_in(user)
        for url in (
            f"/projects/{project.pk}/",
            f"/projects/{project.pk}/edit/",
            f"/tasks/{task.pk}/edit/",
        ):
            hidden = client.get(url)
            assert hidden.status_code == 404, (user, url)
        assert client.get(f"/projects/{missing}/").status_code == 404
        assert same_page(client.get(f"/projects/{missing}/").text, missing) == same_page(
            client.get(f"/projects/{project.pk}/").text, project.pk
        )
    sharing_set(acting_user=mike, unit_code="A1", shared=True)
    assert logged_in(alice).get(f"/projects/{project.pk}/").status_code == 200
    assert logged_in(alice).get(f"/projects/{project.pk}/edit/").status_code == 403
    assert logged_in(carol).get(f"/projects/{project.pk}/").status_code == 404


def test_tasks_are_added_and_a_late_one_is_refused_on_the_page(mike):
    project = a_project(mike)
    client = logged_in(mike)
    late = client.post(
        f"/projects/{project.pk}/tasks/add/",
        {"task-title": "Too late", "task-state": "todo", "task-due_date": "2027-01-31"},
    )
    assert late.status_code == 422
    assert "after its project ends on 2026-12-31" in late.text
    assert not Task.objects.exists()
    added = client.post(
        f"/projects/{project.pk}/tasks/add/",
        {
            "task-title": "Sort bins",
            "task-owner": "mike",
            "task-state": "todo",
            "task-due_date": "2024-04-30",
        },
    )
    assert added.status_code == 302
    page = client.get(f"/projects/{project.pk}/").text
    assert "Sort bins" in page and "overdue" in page  # 2024-04-30 has passed
    board = client.get("/units/A1/projects/").text
    assert "Recycle more" in board and "Sort bins" in board  # the overdue list


def test_a_stale_edit_gets_a_message_and_changes_nothing(mike):
    project = a_project(mike)
    form = {
        "title": "Renamed",
        "start_date": "2024-03-01",
        "due_date": "2026-12-31",
        "state": "active",
        "indicators": ["RECYCLING_RATE"],
        "version": "1",
    }
    client = logged_in(mike)
    assert client.post(f"/projects/{project.pk}/edit/", form).status_code == 302
    stale = client.post(f"/projects/{project.pk}/edit/", {**form, "title": "Again"})
    assert stale.status_code == 409
    assert "was changed meanwhile" in stale.text
    assert Project.objects.get().title == "Renamed"


def test_an_editor_changes_their_own_task(mike, bob):
    project = a_project(mike)
    task = task_create(acting_user=mike, project_id=project.pk, title="Sort bins", owner="bob")
    other = task_create(acting_user=mike, project_id=project.pk, title="Other", owner="mike")
    client = logged_in(bob)
    assert client.get(f"/tasks/{other.pk}/edit/").status_code == 403
    response = client.post(
        f"/tasks/{task.pk}/edit/",
        {"title": "Sort bins", "state": "done", "due_date": "", "version": "1"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == "done" and task.owner.username == "bob"


def test_exports_read_back(mike):
    project = a_project(mike, title="=HYPERLINK(1)")
    task_create(acting_user=mike, project_id=project.pk, title="Sort bins", owner="mike")
    client = logged_in(mike)
    csv = client.get("/units/A1/projects/tasks.csv")
    assert csv.status_code == 200
    tasks = pl.read_csv(io.BytesIO(csv.content))
    assert tasks["title"].to_list() == ["Sort bins"]
    assert tasks["project_title"].to_list() == ["'=HYPERLINK(1)"]  # made inert
    xlsx = client.get("/units/A1/projects/projects.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("id", "unit", "title", "state")
    assert rows[1][1:4] == ("A1", "=HYPERLINK(1)", "active")
    assert sheet.cell(2, 3).data_type == "s"
    assert client.get("/units/A1/projects/secrets.csv").status_code == 404


def test_the_portfolio_of_a_coordinator_lists_only_sharing_offices(mike, alice):
    a_project(mike, title="Shared later")
    client = logged_in(alice)
    assert "Shared later" not in client.get("/projects/").text
    sharing_set(acting_user=mike, unit_code="A1", shared=True)
    page = client.get("/projects/")
    assert page.status_code == 200 and "Shared later" in page.text


def test_a_weak_scorecard_row_offers_to_start_a_project_and_the_indicator_page_lists_it(mike, bob):
    # A1's recycling rate (31.7 %) is below the median of all units (36.4 %): weak; its
    # waste per inhabitant (lower is better) 8.4 kg is better than the median.
    client = logged_in(mike)
    scorecard = client.get("/units/A1/benchmark/").text
    link = '<a class="start-project" href="/units/A1/projects/new/?indicator=RECYCLING_RATE">'
    assert link in scorecard
    assert "/projects/new/?indicator=WASTE_PC" not in scorecard
    # An editor may not start one: no link.
    assert "start-project" not in logged_in(bob).get("/units/A1/benchmark/").text
    project = a_project(mike)
    page = client.get("/indicators/RECYCLING_RATE/?unit=A1").text
    assert "Improvement projects of Alpha about this indicator" in page
    assert f'<a href="/projects/{project.pk}/">Recycle more</a>' in page


def test_a_milestone_is_added_and_marked_reached(mike, carol):
    project = a_project(mike)
    client = logged_in(mike)
    added = client.post(
        f"/projects/{project.pk}/milestones/add/",
        {"milestone-title": "Pilot done", "milestone-due_date": "2025-06-30"},
    )
    assert added.status_code == 302
    milestone = project.milestones.get()
    url = f"/projects/{project.pk}/milestones/{milestone.pk}/reached/"
    assert logged_in(carol).post(url, {"reached": "1"}).status_code == 404
    assert client.post(url, {"reached": "1"}).status_code == 302
    milestone.refresh_from_db()
    assert milestone.reached
    late = client.post(
        f"/projects/{project.pk}/milestones/add/",
        {"milestone-title": "After", "milestone-due_date": "2027-06-30"},
    )
    assert late.status_code == 422 and "after its project ends" in late.text
