"""Which data a result set uses (methodology.md): accepted submissions for final results,
submitted + accepted for provisional ones, every loaded value where no cycle collected."""

import pytest

from miara.analytics.models import ResultSet, UnitResult
from miara.analytics.services import ComputeError, compute
from miara.collection.cycles import cycle_open
from miara.collection.models import Submission, SubmissionState

pytestmark = pytest.mark.django_db

VARIABLES = ["WASTE_T", "RECYCLED_T", "POPULATION", "PERMITS_ISSUED", "PERMIT_STAFF_COST"]


@pytest.fixture
def cycle_2024(alice):
    """A 2024 cycle over the fixture's values: A1 accepted, B2 submitted, C3 returned,
    D4 still a draft (states set directly: the workflow has its own tests)."""
    cycle = cycle_open(
        period="2024",
        name="2024 round",
        variable_codes=VARIABLES,
        unit_codes=["A1", "B2", "C3", "D4"],
        acting_user=alice,
    )
    states = {
        "A1": SubmissionState.ACCEPTED,
        "B2": SubmissionState.SUBMITTED,
        "C3": SubmissionState.RETURNED,
        "D4": SubmissionState.DRAFT,
    }
    for unit, state in states.items():
        Submission.objects.filter(cycle=cycle, unit__code=unit).update(state=state)
    return cycle


def units_of(result_set: ResultSet) -> set[str]:
    return set(
        UnitResult.objects.filter(result_set=result_set).values_list("unit__code", flat=True)
    )


def test_draft_and_returned_data_do_not_feed_the_default_computation(cycle_2024):
    # Today's `miara compute --period 2024` took every stored value, drafts included.
    (result_set,) = compute(periods=["2024"])
    assert units_of(result_set) == {"A1", "B2"}
    assert result_set.status == ResultSet.Status.PROVISIONAL


def test_final_results_contain_only_accepted_submissions_units(cycle_2024):
    (result_set,) = compute(periods=["2024"], kind="final")
    assert result_set.status == ResultSet.Status.FINAL
    assert units_of(result_set) == {"A1"}
    assert result_set.basis == "cycle"
    accepted = Submission.objects.get(cycle=cycle_2024, unit__code="A1")
    assert result_set.submissions == [{"id": accepted.pk, "unit": "A1", "state": "accepted"}]
    assert result_set.submission_counts == {
        "accepted": 1,
        "submitted": 1,
        "returned": 1,
        "draft": 1,
    }


def test_provisional_results_record_submitted_and_accepted_submissions(cycle_2024):
    (result_set,) = compute(periods=["2024"], kind="provisional")
    assert result_set.is_provisional
    assert [(s["unit"], s["state"]) for s in result_set.submissions] == [
        ("A1", "accepted"),
        ("B2", "submitted"),
    ]
    assert result_set.submission_count == 2


def test_a_period_without_a_cycle_uses_every_loaded_value(cycle_2024):
    (result_set,) = compute(periods=["2023"], kind="final")
    assert units_of(result_set) == {"A1", "B2", "C3", "D4"}
    assert result_set.basis == "loaded"
    assert result_set.submissions == []


def test_the_previous_periods_change_still_uses_the_loaded_year(cycle_2024):
    (result_set,) = compute(periods=["2024"], kind="final")
    change = UnitResult.objects.get(
        result_set=result_set, unit__code="A1", group="all", indicator__code="POP"
    ).change
    assert change == pytest.approx(100.0)


def test_recomputing_a_final_period_as_final_makes_a_revised_set(cycle_2024):
    (final,) = compute(periods=["2024"], kind="final")
    Submission.objects.filter(cycle=cycle_2024, unit__code="B2").update(
        state=SubmissionState.ACCEPTED
    )
    (revised,) = compute(periods=["2024"], kind="final")
    assert revised.status == ResultSet.Status.REVISED
    assert ResultSet.objects.filter(pk=final.pk, status="final", is_current=False).exists()
    assert units_of(revised) == {"A1", "B2"}


def test_it_records_what_changed_since_the_previous_set(cycle_2024):
    (first,) = compute(periods=["2024"], kind="final")
    Submission.objects.filter(cycle=cycle_2024, unit__code="B2").update(
        state=SubmissionState.ACCEPTED
    )
    (second,) = compute(periods=["2024"], kind="final")
    assert second.changes["previous"]["id"] == first.pk
    assert second.changes["units_added"] == ["B2"]
    assert second.changes["units_removed"] == []
    # A1's values are the same, B2's four indicators (PERMIT_COST too) are new.
    assert second.changes["values_added"] == 4
    assert second.changes["values_changed"] == 0


def test_a_period_without_accepted_data_is_a_clear_error(cycle_2024):
    Submission.objects.filter(cycle=cycle_2024).update(state=SubmissionState.DRAFT)
    with pytest.raises(ComputeError, match="2024 has no accepted submission"):
        compute(periods=["2024"], kind="final")


def test_an_unknown_kind_is_refused(programme):
    with pytest.raises(ComputeError, match="unknown kind"):
        compute(periods=["2024"], kind="published")
