"""The practice services: who proposes, reviews and publishes; the states; stale versions;
refusals named by field; the audit trail."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from miara.accounts.models import AuditEntry
from miara.practices import selectors
from miara.practices.models import Practice, ReviewEntry
from miara.practices.services import (
    PracticeConflict,
    PracticeInputError,
    PracticeNotFound,
    allowed_actions,
    practice_act,
    practice_create,
    practice_for,
    practice_update,
)

from .conftest import practice_data

pytestmark = pytest.mark.django_db


def test_an_editor_proposes_a_draft_of_their_unit_and_it_is_audited(carol):
    practice = practice_create(acting_user=carol, unit_code="B2", data=practice_data())
    assert practice.state == "draft" and practice.unit.code == "B2"
    assert str(practice.cost) == "12500.50" and practice.currency == "PLN"
    assert [i.code for i in practice.indicators.all()] == ["RECYCLING_RATE"]
    entry = AuditEntry.objects.get(action="practice.create")
    assert entry.user == carol and entry.details["practice"] == practice.pk


def test_nobody_proposes_for_another_unit(carol, erin, alice):
    with pytest.raises(PracticeInputError) as refused:  # A1 is hidden from carol
        practice_create(acting_user=carol, unit_code="A1", data=practice_data())
    assert refused.value.field == "unit"
    for reviewer in (erin, alice):  # reviewers see A1 but do not write its practices
        with pytest.raises(PermissionDenied):
            practice_create(acting_user=reviewer, unit_code="A1", data=practice_data())
    assert not Practice.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"cost": "a lot"}, "cost"),
        ({"cost": "-5"}, "cost"),
        ({"currency": "zł"}, "currency"),
        ({"currency": ""}, "currency"),
        ({"area": "NOPE"}, "area"),
        ({"indicators": ["NOPE"]}, "indicators"),
        ({"problem": "x" * 20_001}, "problem"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_written(carol, changes, field):
    with pytest.raises(PracticeInputError) as refused:
        practice_create(acting_user=carol, unit_code="B2", data=practice_data(**changes))
    assert refused.value.field == field
    assert (
        not Practice.objects.exists()
        and not AuditEntry.objects.filter(action__startswith="practice.").exists()
    )


def test_the_review_path_submit_return_resubmit_accept_publish(carol, erin, alice):
    practice = practice_create(acting_user=carol, unit_code="B2", data=practice_data())
    assert allowed_actions(erin, practice) == []  # a draft is not for review yet
    with pytest.raises(PracticeNotFound):
        practice_for(acting_user=erin, practice_id=practice.pk)

    practice = practice_act(acting_user=carol, practice_id=practice.pk, action="submit", version=1)
    assert practice.state == "submitted" and practice.version == 2
    assert allowed_actions(erin, practice) == ["comment", "return", "accept"]
    assert allowed_actions(alice, practice) == ["comment", "return", "accept", "publish"]
    assert allowed_actions(carol, practice) == ["withdraw"]

    with pytest.raises(PracticeInputError) as refused:  # a return needs its reason
        practice_act(acting_user=erin, practice_id=practice.pk, action="return", version=2)
    assert refused.value.field == "text"
    practice = practice_act(
        acting_user=erin, practice_id=practice.pk, action="return", text="Add the cost.", version=2
    )
    assert practice.state == "returned"
    practice = practice_update(
        acting_user=carol,
        practice_id=practice.pk,
        data=practice_data(title="Sorting bins, with the cost"),
        version=practice.version,
    )
    practice = practice_act(
        acting_user=carol, practice_id=practice.pk, action="submit", version=practice.version
    )
    with pytest.raises(PermissionDenied):  # an expert accepts; only a coordinator publishes
        practice_act(
            acting_user=erin, practice_id=practice.pk, action="publish", version=practice.version
        )
    practice = practice_act(
        acting_user=erin, practice_id=practice.pk, action="accept", version=practice.version
    )
    assert practice.state == "accepted" and practice.published_at is None
    practice = practice_act(
        acting_user=alice, practice_id=practice.pk, action="publish", version=practice.version
    )
    assert practice.state == "published" and practice.published_at is not None
    kinds = list(practice.reviews.values_list("kind", flat=True))
    assert kinds == ["submit", "return", "submit", "accept", "publish"]
    assert ReviewEntry.objects.get(kind="return").text == "Add the cost."
    actions = set(
        AuditEntry.objects.filter(action__startswith="practice.").values_list("action", flat=True)
    )
    assert actions == {
        "practice.create",
        "practice.submit",
        "practice.return",
        "practice.update",
        "practice.accept",
        "practice.publish",
    }


def test_a_published_practice_cannot_be_edited_and_the_author_withdraws_it(published, carol):
    with pytest.raises(PracticeInputError) as refused:
        practice_update(
            acting_user=carol,
            practice_id=published.pk,
            data=practice_data(),
            version=published.version,
        )
    assert refused.value.field == "state"
    practice = practice_act(
        acting_user=carol, practice_id=published.pk, action="withdraw", version=published.version
    )
    assert practice.state == "withdrawn"
    assert not selectors.published_practices().exists()


def test_a_stale_version_is_refused_and_nothing_changes(carol, dave):
    practice = practice_create(acting_user=carol, unit_code="B2", data=practice_data())
    practice_update(
        acting_user=dave, practice_id=practice.pk, data=practice_data(title="Dave's"), version=1
    )
    with pytest.raises(PracticeConflict) as conflict:
        practice_update(
            acting_user=carol,
            practice_id=practice.pk,
            data=practice_data(title="Carol's"),
            version=1,
        )
    assert conflict.value.given == 1 and conflict.value.stored == 2
    assert Practice.objects.get().title == "Dave's"
    with pytest.raises(PracticeConflict):
        practice_act(acting_user=carol, practice_id=practice.pk, action="submit", version=1)
    assert Practice.objects.get().state == "draft"


def test_another_participant_reads_only_published_practices(carol, bob, published):
    draft = practice_create(
        acting_user=carol, unit_code="B2", data=practice_data(title="Not yet"), submit=True
    )
    readable = set(selectors.practices_for(user=bob).values_list("pk", flat=True))
    assert readable == {published.pk}
    with pytest.raises(PracticeNotFound):
        practice_for(acting_user=bob, practice_id=draft.pk)
    with pytest.raises(PermissionDenied):
        practice_act(acting_user=bob, practice_id=published.pk, action="withdraw", version=None)


def test_started_on_must_be_a_date(carol):
    with pytest.raises(PracticeInputError) as refused:
        practice_create(
            acting_user=carol, unit_code="B2", data=practice_data(started_on="2024-03-01")
        )
    assert refused.value.field == "started_on"
    assert isinstance(practice_data().started_on, datetime.date)
