"""Collection cycles: who may move a submission where, what blocks it, what it locks."""

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied

from miara.accounts.models import AuditEntry
from miara.catalogue.models import ValidationRule
from miara.collection.cycles import (
    SubmissionBlocked,
    WorkflowError,
    cycle_open,
    submission_accept,
    submission_reopen,
    submission_return,
    submission_submit,
)
from miara.collection.models import ReviewNote, Submission, SubmissionEvent
from miara.collection.services import (
    OPERATOR,
    ValuesLocked,
    values_save,
)
from miara.testing.cycles import cycle_2024

pytestmark = pytest.mark.django_db
VARIABLES = ["WASTE_T", "RECYCLED_T", "POPULATION"]


@pytest.fixture
def cycle(alice):
    return cycle_2024(alice, VARIABLES)


def a1(cycle):
    return Submission.objects.get(cycle=cycle, unit__code="A1")


def write(unit, variable, period, value, comment=None):
    frame = pl.DataFrame(
        {
            "unit": [unit],
            "variable": [variable],
            "period": [period],
            "value": [None if value is None else str(value)],
            "comment": [comment],
            "__line": [1],
        },
        schema_overrides={"value": pl.String, "comment": pl.String},
    )
    return values_save(acting_user=OPERATOR, rows=frame, channel="form", source="test")


def test_it_opens_a_cycle_with_a_draft_for_every_unit(cycle):
    assert sorted(cycle.submissions.values_list("unit__code", "state")) == [
        ("A1", "draft"),
        ("B2", "draft"),
    ]
    assert [i.variable.code for i in cycle.items.all()] == VARIABLES
    assert AuditEntry.objects.filter(action="cycle.open").exists()


def test_only_a_coordinator_opens_a_cycle(bob):
    with pytest.raises(PermissionDenied):
        cycle_open(
            period="2024", name="x", variable_codes=VARIABLES, unit_codes=["A1"], acting_user=bob
        )


def test_the_manager_submits_and_the_coordinator_accepts(cycle, mike, alice):
    submission_submit(submission=a1(cycle), acting_user=mike)
    submission_accept(submission=a1(cycle), acting_user=alice)
    assert a1(cycle).state == "accepted"
    assert list(SubmissionEvent.objects.values_list("from_state", "to_state")) == [
        ("draft", "submitted"),
        ("submitted", "accepted"),
    ]


def test_an_editor_cannot_submit_nor_a_manager_of_another_unit(cycle, bob, mike):
    with pytest.raises(PermissionDenied):
        submission_submit(submission=a1(cycle), acting_user=bob)
    with pytest.raises(PermissionDenied):
        submission_submit(
            submission=Submission.objects.get(cycle=cycle, unit__code="B2"), acting_user=mike
        )


def test_errors_block_submission(cycle, mike):
    ValidationRule.objects.create(
        code="RECYCLED_LE_WASTE",
        name={"en": "Recycled ≤ collected"},
        expression="RECYCLED_T <= WASTE_T",
        severity="error",
    )
    write("A1", "RECYCLED_T", "2024", 5000)
    with pytest.raises(SubmissionBlocked) as caught:
        submission_submit(submission=a1(cycle), acting_user=mike)
    rule = [f for f in caught.value.findings if f["check"] == "rule"]
    assert [(f["variable"], f["severity"], f["blocking"]) for f in rule] == [
        ("RECYCLED_LE_WASTE", "error", True)
    ]
    assert a1(cycle).state == "draft"


def test_a_missing_required_value_blocks_submission(cycle, mike):
    write("A1", "POPULATION", "2024", None)
    with pytest.raises(SubmissionBlocked) as caught:
        submission_submit(submission=a1(cycle), acting_user=mike)
    assert ("required", "POPULATION") in [
        (f["check"], f["variable"]) for f in caught.value.findings
    ]


def test_a_warning_blocks_until_justified(cycle, mike):
    write("A1", "WASTE_T", "2024", 5000)  # was 1000 in 2023: a change above 50 %
    with pytest.raises(SubmissionBlocked) as caught:
        submission_submit(submission=a1(cycle), acting_user=mike)
    assert [f["check"] for f in caught.value.findings] == ["change"]
    write("A1", "WASTE_T", "2024", 5000, comment="New landfill contract from January")
    assert submission_submit(submission=a1(cycle), acting_user=mike).state == "submitted"


def test_submitted_and_accepted_values_are_locked(cycle, mike, alice):
    submission_submit(submission=a1(cycle), acting_user=mike)
    with pytest.raises(ValuesLocked, match="A1 WASTE_T 2024"):
        write("A1", "WASTE_T", "2024", 1)
    write("B2", "WASTE_T", "2024", 1)  # another unit's draft stays open
    write("A1", "PERMITS_ISSUED", "2024", 7)  # not in the questionnaire
    submission_accept(submission=a1(cycle), acting_user=alice)
    with pytest.raises(ValuesLocked):
        write("A1", "WASTE_T", "2024", 1)


def test_returning_needs_a_reason_and_keeps_notes_per_value(cycle, mike, alice):
    submission_submit(submission=a1(cycle), acting_user=mike)
    with pytest.raises(WorkflowError, match="say why"):
        submission_return(submission=a1(cycle), acting_user=alice, comment=" ")
    submission_return(
        submission=a1(cycle),
        acting_user=alice,
        comment="Please check waste",
        notes={"WASTE_T": "Twice the county average?"},
    )
    assert a1(cycle).state == "returned"
    assert ReviewNote.objects.get().variable.code == "WASTE_T"
    write("A1", "WASTE_T", "2024", 1020)  # unlocked again
    assert submission_submit(submission=a1(cycle), acting_user=mike).state == "submitted"


def test_reopening_needs_a_reason_and_is_recorded(cycle, mike, alice):
    submission_submit(submission=a1(cycle), acting_user=mike)
    submission_accept(submission=a1(cycle), acting_user=alice)
    with pytest.raises(WorkflowError, match="needs a reason"):
        submission_reopen(submission=a1(cycle), acting_user=alice, reason="")
    with pytest.raises(PermissionDenied):
        submission_reopen(submission=a1(cycle), acting_user=mike, reason="typo")
    submission_reopen(
        submission=a1(cycle), acting_user=alice, reason="Correction from the statistical office"
    )
    event = SubmissionEvent.objects.last()
    assert (event.to_state, event.comment) == ("reopened", "Correction from the statistical office")
    write("A1", "WASTE_T", "2024", 1011)


def test_impossible_transitions_are_refused(cycle, alice):
    with pytest.raises(WorkflowError, match="cannot be accept"):
        submission_accept(submission=a1(cycle), acting_user=alice)


def test_a_rule_warning_is_justified_by_a_comment_on_a_value_it_reads(cycle, mike):
    ValidationRule.objects.create(
        code="RECYCLING_PLAUSIBLE",
        name={"en": "Recycling below 90 %"},
        expression="RECYCLED_T < WASTE_T * 0.9",
        severity="warning",
    )
    write("A1", "RECYCLED_T", "2024", 950)
    write("A1", "WASTE_T", "2024", 1000)
    with pytest.raises(SubmissionBlocked) as caught:
        submission_submit(submission=a1(cycle), acting_user=mike)
    assert ("rule", "RECYCLING_PLAUSIBLE") in [
        (f["check"], f["variable"]) for f in caught.value.findings
    ]
    write(
        "A1", "RECYCLED_T", "2024", 950, comment="New sorting plant: almost everything is recycled"
    )
    write("A1", "WASTE_T", "2024", 1000, comment="Checked with the contractor")
    assert submission_submit(submission=a1(cycle), acting_user=mike).state == "submitted"
