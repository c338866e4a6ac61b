"""Racing edits of one project and one task on PostgreSQL (real threads, each its own
connection): of writers naming the same version exactly one wins and the others get the
conflict. Skipped on SQLite, which lets one writer in at a time (CI runs it on
PostgreSQL, `make test-postgres`)."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.conf import settings

from miara.collection.tests.test_concurrency_pg import race
from miara.improvement.models import Project, Task
from miara.improvement.services import (
    ProjectConflict,
    ProjectData,
    project_create,
    project_update,
    task_create,
    task_update,
)

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: concurrent writers cannot overlap on SQLite",
    ),
    pytest.mark.django_db(transaction=True),
]


def data(title: str) -> ProjectData:
    return ProjectData(
        title=title, start_date=datetime.date(2024, 1, 1), due_date=datetime.date(2025, 1, 1)
    )


def test_of_writers_naming_one_version_one_wins(mike):
    project = project_create(acting_user=mike, unit_code="A1", data=data("First"))
    outcomes = race(
        lambda i: (
            project_update(
                acting_user=mike, project_id=project.pk, data=data(f"Title {i}"), version=1
            ).version
        ),
        count=6,
    )
    kinds = Counter(type(o).__name__ for o in outcomes)
    assert kinds == {"int": 1, "ProjectConflict": 5}
    assert all(o.stored == 2 for o in outcomes if isinstance(o, ProjectConflict))
    assert Project.objects.get().version == 2

    task = task_create(acting_user=mike, project_id=project.pk, title="Task")
    outcomes = race(
        lambda i: (
            task_update(acting_user=mike, task_id=task.pk, version=1, title=f"Task {i}").version
        ),
        count=6,
    )
    assert Counter(type(o).__name__ for o in outcomes) == {"int": 1, "ProjectConflict": 5}
    assert Task.objects.get().version == 2
