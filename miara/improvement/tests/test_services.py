"""Tests of the project services: who plans and who reads, refusals named by field,
stale versions, the audit trail, reminders."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from miara.accounts.models import AuditEntry
from miara.accounts.scope import OPERATOR
from miara.improvement import selectors
from miara.improvement.models import Project, Task
from miara.improvement.reminders import task_reminders_send
from miara.improvement.services import (
    ProjectConflict,
    ProjectData,
    ProjectInputError,
    ProjectNotFound,
    may_read_projects,
    project_create,
    project_for,
    project_state_set,
    project_update,
    sharing_set,
    task_create,
    task_update,
)
from miara.targets.services import target_set

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def _team(bob):
    """bob (an editor of A1) is on the team of the projects below."""
    return bob


def data(**changes) -> ProjectData:
    base = {
        "title": "Faster permits",
        "problem": "Decisions cost twice the median.",
        "owner": "mike",
        "team": ["bob"],
        "start_date": D(2024, 1, 1),
        "due_date": D(2025, 6, 30),
        "state": "active",
        "budget": "12500,50",
        "currency": "pln",
        "indicators": ["PERMIT_COST"],
    }
    base.update(changes)
    return ProjectData(**base)


def test_a_manager_creates_a_project_of_their_unit_and_it_is_audited(mike):
    project = project_create(acting_user=mike, unit_code="A1", data=data())
    assert project.unit.code == "A1" and project.version == 1
    assert str(project.budget) == "12500.50" and project.currency == "PLN"
    assert [i.code for i in project.indicators.all()] == ["PERMIT_COST"]
    assert [u.username for u in project.team.all()] == ["bob"]
    entry = AuditEntry.objects.get(action="improvement.project_create")
    assert entry.user == mike and "Faster permits" in entry.summary


def test_only_the_units_managers_plan(mike, bob, carol, alice):
    for user in (bob, carol, alice):
        with pytest.raises((PermissionDenied, ProjectInputError)):
            project_create(acting_user=user, unit_code="A1", data=data())
    assert not Project.objects.exists()
    project_create(acting_user=OPERATOR, unit_code="A1", data=data())


def test_a_coordinator_reads_only_what_an_office_shares(mike, alice, carol):
    project = project_create(acting_user=mike, unit_code="A1", data=data())
    assert not may_read_projects(alice, project.unit)
    with pytest.raises(ProjectNotFound):
        project_for(acting_user=alice, project_id=project.pk)
    with pytest.raises(ProjectNotFound):
        project_for(acting_user=carol, project_id=project.pk)
    assert list(selectors.projects_for(user=alice)) == []
    sharing_set(acting_user=mike, unit_code="A1", shared=True)
    assert project_for(acting_user=alice, project_id=project.pk) == project
    assert list(selectors.projects_for(user=alice)) == [project]
    # A stranger from another office still does not see it.
    with pytest.raises(ProjectNotFound):
        project_for(acting_user=carol, project_id=project.pk)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"due_date": D(2023, 12, 31)}, "due_date", "before the start date"),
        ({"indicators": ["B2:PERMIT_COST"]}, "indicators", "values of another office"),
        ({"indicators": ["NOPE"]}, "indicators", "no indicator with the code"),
        ({"owner": "carol"}, "owner", "carol has no access to A1"),
        ({"team": ["carol"]}, "team", "carol has no access to A1"),
        ({"title": "  "}, "title", "needs a title"),
        ({"budget": "lots"}, "budget", "is not an amount"),
        ({"budget": "-5"}, "budget", "at least zero"),
        ({"currency": ""}, "currency", "three-letter code"),
        ({"state": "dreaming"}, "state", "is not a state"),
        ({"expected_effect": "PERMIT_COST"}, "expected_effect", "has no target of PERMIT_COST"),
        ({"processes": ["P1"]}, "processes", "no process with the code"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_saved(mike, carol, changes, field, words):
    with pytest.raises(ProjectInputError) as refused:
        project_create(acting_user=mike, unit_code="A1", data=data(**changes))
    assert refused.value.field == field
    assert words in str(refused.value)
    assert (
        not Project.objects.exists()
        and not AuditEntry.objects.filter(action__startswith="improvement").exists()
    )


def test_own_unit_indicator_links_and_an_expected_target_are_accepted(mike):
    target_set(
        acting_user=mike, indicator_code="PERMIT_COST", unit_code="A1", points=[("2025", 150)]
    )
    project = project_create(
        acting_user=mike,
        unit_code="A1",
        data=data(indicators=["A1:PERMIT_COST", "WASTE_PC"], expected_effect="PERMIT_COST"),
    )
    assert sorted(i.code for i in project.indicators.all()) == ["PERMIT_COST", "WASTE_PC"]
    assert project.expected_effect.indicator.code == "PERMIT_COST"


def test_a_stale_version_is_refused_and_nothing_is_overwritten(mike):
    project = project_create(acting_user=mike, unit_code="A1", data=data())
    project_update(acting_user=mike, project_id=project.pk, data=data(title="First"), version=1)
    with pytest.raises(ProjectConflict) as conflict:
        project_update(
            acting_user=mike, project_id=project.pk, data=data(title="Second"), version=1
        )
    assert "you had version 1, stored is version 2" in str(conflict.value)
    assert Project.objects.get().title == "First"
    with pytest.raises(ProjectConflict):
        project_state_set(acting_user=mike, project_id=project.pk, state="done", version=1)
    done = project_state_set(acting_user=mike, project_id=project.pk, state="done", version=2)
    assert done.state == "done" and done.version == 3


def test_a_task_due_after_its_project_ends_is_refused(mike):
    project = project_create(acting_user=mike, unit_code="A1", data=data())
    with pytest.raises(ProjectInputError) as refused:
        task_create(acting_user=mike, project_id=project.pk, title="Map", due_date=D(2025, 7, 1))
    assert refused.value.field == "due_date"
    assert "after its project ends on 2025-06-30" in str(refused.value)
    task_create(acting_user=mike, project_id=project.pk, title="Map", due_date=D(2025, 6, 1))
    # Nor may the project end before one of its tasks is due.
    with pytest.raises(ProjectInputError) as refused:
        project_update(
            acting_user=mike, project_id=project.pk, data=data(due_date=D(2025, 5, 1)), version=1
        )
    assert "the task “Map” is due on 2025-06-01" in str(refused.value)


def test_an_editor_updates_the_tasks_they_own_and_no_others(mike, bob):
    project = project_create(acting_user=mike, unit_code="A1", data=data())
    mine = task_create(acting_user=mike, project_id=project.pk, title="Mine", owner="bob")
    other = task_create(acting_user=mike, project_id=project.pk, title="Other", owner="mike")
    with pytest.raises(PermissionDenied):
        task_create(acting_user=bob, project_id=project.pk, title="Sneaky")
    updated = task_update(acting_user=bob, task_id=mine.pk, version=1, state="doing")
    assert updated.state == "doing" and updated.version == 2
    with pytest.raises(PermissionDenied):
        task_update(acting_user=bob, task_id=other.pk, version=1, state="done")
    with pytest.raises(PermissionDenied):  # handing it on is the managers' call
        task_update(acting_user=bob, task_id=mine.pk, version=2, owner="mike")
    with pytest.raises(ProjectConflict):
        task_update(acting_user=mike, task_id=mine.pk, version=1, state="done")
    assert Task.objects.get(pk=mine.pk).state == "doing"
    assert AuditEntry.objects.filter(action="improvement.task_update").count() == 1


def test_reminders_go_to_owners_of_due_and_overdue_tasks(mike, bob):
    bob.email, mike.email = "bob@example.org", "mike@example.org"
    bob.save(), mike.save()
    project = project_create(acting_user=mike, unit_code="A1", data=data())
    task_create(
        acting_user=mike, project_id=project.pk, title="Late", owner="bob", due_date=D(2025, 1, 10)
    )
    task_create(
        acting_user=mike, project_id=project.pk, title="Soon", owner="bob", due_date=D(2025, 1, 20)
    )
    task_create(
        acting_user=mike, project_id=project.pk, title="Later", owner="mike", due_date=D(2025, 5, 1)
    )
    done = task_create(
        acting_user=mike, project_id=project.pk, title="Done", owner="mike", due_date=D(2025, 1, 1)
    )
    task_update(acting_user=mike, task_id=done.pk, version=1, state="done")
    with pytest.raises(PermissionDenied):
        task_reminders_send(acting_user=bob, on=D(2025, 1, 15))
    sent = task_reminders_send(acting_user=OPERATOR, on=D(2025, 1, 15), within_days=7)
    assert sent == 1 and len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bob@example.org"]
    assert "Late (Faster permits, A1): overdue 2025-01-10" in message.body
    assert "Soon (Faster permits, A1): due 2025-01-20" in message.body
    assert "Later" not in message.body
    overdue = selectors.overdue_tasks(user=mike, on=D(2025, 1, 15))
    assert [t.title for t in overdue] == ["Late"]
    assert AuditEntry.objects.filter(action="improvement.remind").exists()


def test_the_command_line_sends_the_reminders(mike, bob, capsys):
    from miara import commands
    from miara.cli import _parser

    bob.email = "bob@example.org"
    bob.save()
    project = project_create(acting_user=mike, unit_code="A1", data=data())
    task_create(
        acting_user=mike, project_id=project.pk, title="Late", owner="bob", due_date=D(2024, 2, 1)
    )
    args = _parser().parse_args(["remind", "tasks", "--base-url", "https://miara.example.org/"])
    assert commands.run(args) == 0
    assert "1 reminder(s) of project tasks sent" in capsys.readouterr().out
    (message,) = mail.outbox
    assert f"https://miara.example.org/projects/{project.pk}/" in message.body


def test_a_project_links_its_own_offices_processes_only(mike, tmp_path):
    from miara.processes.services import processes_load

    process_map = tmp_path / "map.csv"
    process_map.write_text("code,name\nPERMIT,Building permits\n", encoding="utf-8")
    processes_load(path=process_map, unit_code="A1", acting_user=OPERATOR)
    processes_load(path=process_map, unit_code="B2", acting_user=OPERATOR)
    project = project_create(acting_user=mike, unit_code="A1", data=data(processes=["PERMIT"]))
    (process,) = project.processes.all()
    assert process.unit.code == "A1"
