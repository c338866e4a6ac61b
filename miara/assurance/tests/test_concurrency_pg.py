"""Racing edits of one finding and one risk, and racing first answers to one checklist
item, on PostgreSQL (real threads, each its own connection): of writers naming the same
version exactly one wins and the others get the conflict; racing first answers make one
answer, never a constraint error. Skipped on SQLite, which lets one writer in at a time
(CI runs it on PostgreSQL, `make test-postgres`)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.conf import settings

from miara.assurance.models import ChecklistAnswer, Finding, Risk, RiskChange
from miara.assurance.services import (
    RiskData,
    answer_set,
    checklist_items,
    finding_update,
    risk_create,
    risk_update,
)
from miara.assurance.tests.conftest import finding_data
from miara.collection.tests.test_concurrency_pg import race

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: concurrent writers cannot overlap on SQLite",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_of_writers_naming_one_version_one_wins(finding, audit, mike, bob):
    outcomes = race(
        lambda i: (
            finding_update(
                acting_user=mike, finding_id=finding.pk, data=finding_data(title=f"T{i}"), version=1
            ).version
        ),
        count=6,
    )
    assert Counter(type(o).__name__ for o in outcomes) == {"int": 1, "AssuranceConflict": 5}
    assert Finding.objects.get().version == 2

    risk = risk_create(acting_user=mike, unit_code="A1", data=RiskData("Flood", 2, 5))
    outcomes = race(
        lambda i: (
            risk_update(
                acting_user=mike, risk_id=risk.pk, data=RiskData(f"Flood {i}", 3, 5), version=1
            ).version
        ),
        count=6,
    )
    assert Counter(type(o).__name__ for o in outcomes) == {"int": 1, "AssuranceConflict": 5}
    assert Risk.objects.get().version == 2 and RiskChange.objects.count() == 2

    item = checklist_items(audit).first()
    outcomes = race(
        lambda i: (
            answer_set(acting_user=bob, audit_id=audit.pk, item_id=item.pk, answer="conforms").pk
        ),
        count=6,
    )
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert ChecklistAnswer.objects.filter(audit=audit, item=item).count() == 1
