"""Racing edits of one target on PostgreSQL (real threads, each its own connection): of
writers naming the same version exactly one wins and the others get the conflict; racing
first writes never fail with a database error. Skipped on SQLite, which lets one writer
in at a time (CI runs it on PostgreSQL, `make test-postgres`)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.conf import settings

from miara.collection.tests.test_concurrency_pg import race
from miara.targets.models import Target, TargetChange
from miara.targets.services import TargetConflict, target_set

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: concurrent writers cannot overlap on SQLite",
    ),
    pytest.mark.django_db(transaction=True),
]


def set_value(user, value: float, version: int | None):
    return target_set(
        acting_user=user,
        indicator_code="WASTE_PC",
        unit_code="A1",
        points=[("2024", value)],
        version=version,
    ).version


def test_of_writers_naming_one_version_one_wins(mike):
    set_value(mike, 9.0, 0)
    outcomes = race(lambda i: set_value(mike, 10.0 + i, 1), count=8)
    kinds = Counter(type(o).__name__ for o in outcomes)
    assert kinds == {"int": 1, "TargetConflict": 7}
    assert all(o.stored == 2 for o in outcomes if isinstance(o, TargetConflict))
    assert Target.objects.get().version == 2
    assert TargetChange.objects.count() == 2


def test_racing_first_writes_create_once(mike):
    outcomes = race(lambda i: set_value(mike, 10.0 + i, 0), count=8)
    kinds = Counter(type(o).__name__ for o in outcomes)
    assert kinds == {"int": 1, "TargetConflict": 7}
    outcomes = race(lambda i: set_value(mike, 20.0 + i, None), count=8)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert sorted(outcomes) == list(range(2, 10))
    assert Target.objects.count() == 1
