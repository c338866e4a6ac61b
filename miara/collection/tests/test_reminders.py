"""Email reminders: to the editors and managers of the units still owing data, and no one else."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from miara.accounts.models import AuditEntry
from miara.accounts.services import user_add
from miara.collection.cycles import (
    submission_accept,
    submission_return,
    submission_submit,
)
from miara.collection.models import Submission
from miara.collection.reminders import cycle_send_reminders
from miara.testing.cycles import FOUR_UNITS, cycle_2024

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(alice, erin, bob, carol, mike):
    for user in (alice, erin, bob, carol, mike):
        user.email = f"{user.username}@example.org"
        user.save()
    # An editor of C3 without an address, and a former editor of D4 no longer active.
    user_add(username="nora", role="editor", unit_codes=["C3"], password="Correct-horse-42")
    dora, _ = user_add(
        username="dora", role="editor", unit_codes=["D4"], password="Correct-horse-42"
    )
    dora.email, dora.is_active = "dora@example.org", False
    dora.save()
    return {"alice": alice, "bob": bob, "carol": carol, "mike": mike}


@pytest.fixture
def cycle(people):
    return cycle_2024(
        people["alice"], ["WASTE_T", "POPULATION"], FOUR_UNITS, deadline=dt.date(2030, 3, 31)
    )


def of(cycle, unit):
    return Submission.objects.get(cycle=cycle, unit__code=unit)


def test_it_reminds_the_editors_and_managers_of_waiting_units(cycle, people):
    sent = cycle_send_reminders(cycle, people["alice"], base_url="https://miara.example")
    assert sent == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "bob@example.org",
        "carol@example.org",
        "mike@example.org",
    ]
    message = next(m for m in mail.outbox if m.to == ["bob@example.org"])
    assert message.subject == "Reminder: data for Year 2024"
    assert "Alpha (A1)" in message.body and "Beta" not in message.body
    assert "31 March 2030" in message.body
    assert "https://miara.example/" in message.body
    assert not message.alternatives  # plain text only


def test_units_that_submitted_or_were_accepted_are_left_alone(cycle, people):
    alice, mike = people["alice"], people["mike"]
    submission_submit(submission=of(cycle, "A1"), acting_user=mike)
    submission_submit(submission=of(cycle, "B2"), acting_user=alice)
    submission_accept(submission=of(cycle, "B2"), acting_user=alice)
    assert cycle_send_reminders(cycle, alice) == 0
    assert mail.outbox == []

    # A returned submission is waiting again.
    submission_return(submission=of(cycle, "A1"), acting_user=alice, comment="check waste")
    assert cycle_send_reminders(cycle, alice) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@example.org", "mike@example.org"]
    assert "returned" in mail.outbox[0].body


def test_it_records_an_audit_entry(cycle, people):
    cycle_send_reminders(cycle, people["alice"])
    entry = AuditEntry.objects.get(action="cycle.remind")
    assert entry.user == people["alice"]
    assert entry.details["sent"] == 3
    assert entry.details["recipients"] == ["bob", "carol", "mike"]
    assert entry.details["units"] == ["A1", "B2"]


def test_only_a_coordinator_sends_reminders(cycle, people, erin):
    for user in (people["bob"], people["mike"], erin):
        with pytest.raises(PermissionDenied):
            cycle_send_reminders(cycle, user)
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action="cycle.remind").exists()
