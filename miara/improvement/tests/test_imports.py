"""Projects and tasks loaded from a spreadsheet on the board: the downloads read back
change nothing, edits and new rows go through the services, a bad file loads nothing and
names its rows and columns."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from miara.accounts.models import AuditEntry
from miara.improvement.models import Project, Task
from miara.improvement.services import ProjectData, project_create, task_create

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def planned(mike, bob):
    first = project_create(
        acting_user=mike,
        unit_code="A1",
        data=ProjectData(
            title="Recycle more",
            start_date=datetime.date(2024, 3, 1),
            due_date=datetime.date(2026, 12, 31),
            state="active",
            owner="mike",
            team=["bob", "mike"],
            budget="12500.50",
            currency="PLN",
            indicators=["RECYCLING_RATE", "WASTE_PC"],
            problem="Below the median.",
        ),
    )
    project_create(
        acting_user=mike,
        unit_code="A1",
        data=ProjectData(
            title="=Faster permits",  # a CSV download makes it inert; read back as typed
            start_date=datetime.date(2025, 1, 1),
            due_date=datetime.date(2025, 6, 30),
        ),
    )
    task_create(acting_user=mike, project_id=first.pk, title="Sort bins", owner="bob")
    task_create(
        acting_user=mike,
        project_id=first.pk,
        title="Buy containers",
        state="doing",
        due_date=datetime.date(2025, 5, 1),
    )
    return first


def upload(client, name: str, content: bytes):
    return client.post(
        "/units/A1/projects/upload/", {"file": SimpleUploadedFile(name, content)}, follow=True
    )


def snapshot():
    return (
        sorted(Project.objects.values_list("pk", "title", "version", "state", "problem")),
        sorted(Task.objects.values_list("pk", "title", "version", "state", "due_date")),
    )


@pytest.mark.parametrize(
    ("what", "fmt"),
    [("projects", "csv"), ("projects", "xlsx"), ("tasks", "csv"), ("tasks", "xlsx")],
)
def test_a_download_uploaded_back_changes_nothing(planned, mike, what, fmt):
    client = logged_in(mike)
    content = client.get(f"/units/A1/projects/{what}.{fmt}").content
    before, writes = snapshot(), AuditEntry.objects.count()
    page = upload(client, f"{what}.{fmt}", content)
    assert page.status_code == 200
    count = 2
    assert f"0 {what} added, 0 changed, {count} unchanged" in page.text
    assert snapshot() == before
    assert AuditEntry.objects.count() == writes + 1  # only the load itself
    assert AuditEntry.objects.order_by("-id").first().action == f"improvement.{what}_load"


def test_edited_and_new_rows_go_through_the_services(planned, mike):
    client = logged_in(mike)
    text = client.get("/units/A1/projects/projects.csv").content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    edited = [line.replace("'=Faster permits", "Faster permit decisions") for line in lines]
    edited.append(",A1,Share bins,proposed,mike,,2025-02-01,2025-12-31,,,,,")
    page = upload(client, "projects.csv", "\n".join(edited).encode())
    assert "1 projects added, 1 changed, 1 unchanged" in page.text
    changed = Project.objects.get(title="Faster permit decisions")
    assert changed.version == 2
    new = Project.objects.get(title="Share bins")
    assert new.owner.username == "mike" and new.state == "proposed"
    assert Project.objects.get(pk=planned.pk).problem == "Below the median."  # kept
    # Tasks named by their project's title, new and changed.
    tasks = "project,project_title,title,owner,state,due_date\n,Share bins,Order bins,bob,todo,2025-03-01\n"
    page = upload(client, "tasks.csv", tasks.encode())
    assert "1 tasks added, 0 changed, 0 unchanged" in page.text
    assert Task.objects.get(title="Order bins").project == new


def test_a_bad_file_loads_nothing_and_names_rows_and_columns(planned, mike):
    client = logged_in(mike)
    before = snapshot()
    bad = (
        "id,unit,title,state,owner,team,start_date,due_date,budget,currency,indicators,expected_effect,version\n"
        ",A1,Good new project,proposed,mike,,2025-01-01,2025-12-31,,,,,\n"
        ",A1,Bad dates,proposed,mike,,2025-01-01,31.12.2025,,,,,\n"
        ",A1,Stranger,proposed,carol,,2025-01-01,2025-12-31,,,,,\n"
        ",A1,Nonsense,flying,,,2025-01-01,2025-12-31,,,,,\n"
        f"{planned.pk},B2,Elsewhere,active,,,2025-01-01,2025-12-31,,,,,\n"
        "999999,A1,Missing,active,,,2025-01-01,2025-12-31,,,,,\n"
    )
    page = upload(client, "projects.csv", bad.encode())
    assert page.status_code == 400
    text = page.text
    assert "Nothing was loaded" in text
    assert "line 3, column due_date" in text
    assert "line 4, column owner" in text
    assert "line 5, column state" in text
    assert "line 6, column unit" in text
    assert "line 7, column id" in text
    assert "line 2," not in text  # the good row has nothing wrong...
    assert snapshot() == before  # ...and is not saved either
    assert not Project.objects.filter(title="Good new project").exists()
    # Stale versions are named as well.
    content = client.get("/units/A1/projects/projects.csv").content.decode("utf-8-sig")
    Project.objects.filter(pk=planned.pk).update(version=7)
    edited = content.replace("Recycle more", "Recycle much more")
    page = upload(client, "projects.csv", edited.encode())
    assert page.status_code == 400 and "column version" in page.text


def test_only_managers_load_and_the_form_is_theirs(planned, mike, bob):
    assert 'action="/units/A1/projects/upload/"' in logged_in(mike).get("/units/A1/projects/").text
    assert (
        'action="/units/A1/projects/upload/"' not in logged_in(bob).get("/units/A1/projects/").text
    )
    refused = logged_in(bob).post(
        "/units/A1/projects/upload/", {"file": SimpleUploadedFile("p.csv", b"title\nX\n")}
    )
    assert refused.status_code == 403
    assert not Project.objects.filter(title="X").exists()


def test_an_xlsx_with_an_edit_is_read_by_sheet_cells(planned, mike):
    client = logged_in(mike)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/units/A1/projects/tasks.xlsx").content))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    state = header.index("state") + 1
    sheet.cell(row=2, column=state, value="done")
    out = io.BytesIO()
    book.save(out)
    page = upload(client, "tasks.xlsx", out.getvalue())
    assert "0 tasks added, 1 changed, 1 unchanged" in page.text
    assert Task.objects.filter(state="done").count() == 1


def test_problems_are_told_in_polish_and_czech(planned, mike):
    bad = "title,state,start_date,due_date\nX,proposed,2025-01-01,jutro\n"
    for language, words in (("pl", "nie jest datą"), ("cs", "není datum")):
        page = logged_in(mike).post(
            "/units/A1/projects/upload/",
            {"file": SimpleUploadedFile("p.csv", bad.encode())},
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert page.status_code == 400 and words in page.text
