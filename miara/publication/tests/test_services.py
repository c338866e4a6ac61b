"""Publishing and retracting: who may, what is refused, what is written, what the public sees."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from miara.accounts.models import AuditEntry
from miara.accounts.scope import OPERATOR
from miara.analytics.models import ResultSet
from miara.analytics.services import compute
from miara.publication import selectors
from miara.publication.models import Publication, WithheldGroup
from miara.publication.services import (
    PublicationError,
    publication_preview,
    publication_publish,
    publication_retract,
)
from miara.testing.cycles import cycle_2024
from miara.units.models import Programme

pytestmark = pytest.mark.django_db


def test_only_coordinators_publish(alice, bob, erin, mike):
    for user in (bob, erin, mike):
        with pytest.raises(PermissionDenied):
            publication_publish(acting_user=user, period="2024")
        with pytest.raises(PermissionDenied):
            publication_retract(acting_user=user, period="2024", reason="x")
    assert not Publication.objects.exists()
    assert publication_publish(acting_user=alice, period="2024").created


def test_publishing_loaded_values_computes_the_final_results_first(alice):
    assert ResultSet.objects.get(period="2024", is_current=True).is_provisional
    done = publication_publish(acting_user=alice, period="2024", threshold=3)
    assert done.computed is not None and done.computed.status == "final"
    assert done.publication.result_set == done.computed
    entry = AuditEntry.objects.get(action="publication.publish")
    assert entry.user == alice and entry.details["result_set"] == done.computed.pk
    assert AuditEntry.objects.filter(action="results.compute").exists()


def test_a_period_with_unaccepted_submissions_is_refused_naming_how_many(alice):
    cycle_2024(alice, ["WASTE_T"])  # A1 and B2 in draft
    with pytest.raises(PublicationError) as refused:
        publication_publish(acting_user=alice, period="2024")
    assert "2 submissions of 2024 are not accepted yet" in str(refused.value)
    assert "miara compute --final --period 2024" in str(refused.value)
    assert not Publication.objects.exists()
    assert not ResultSet.objects.filter(period="2024", status="final").exists()


@pytest.mark.parametrize(
    "options, field",
    [
        ({"period": "2024-13"}, "period"),
        ({"period": "2031"}, "period"),  # nothing computed
        ({"period": "2024", "threshold": 2}, "threshold"),
        ({"period": "2024", "threshold": "five"}, "threshold"),
        ({"period": "2024", "embargo_until": "2024-02-30"}, "embargo_until"),
        ({"period": "2024", "embargo_until": "2000-01-01"}, "embargo_until"),
        ({"period": "2024", "visibility": "public"}, "visibility"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(alice, options, field):
    with pytest.raises(PublicationError) as refused:
        publication_publish(acting_user=alice, **options)
    assert refused.value.field == field and str(refused.value)
    assert not Publication.objects.exists()
    assert not AuditEntry.objects.filter(action="publication.publish").exists()


def test_the_audit_runs_once_and_its_withheld_groups_are_stored(coordinator):
    preview = publication_preview(acting_user=coordinator, period="2024", threshold=5)
    assert sorted(preview.withheld.rows()) == [
        ("UNIT_COST", "CITIES", "differencing"),
        ("UNIT_COST", "RURAL", "threshold"),
    ]
    publication = publication_publish(
        acting_user=coordinator, period="2024", threshold=5
    ).publication
    stored = {
        (w.indicator, w.group, w.reason)
        for w in WithheldGroup.objects.filter(publication=publication)
    }
    assert stored == {("UNIT_COST", "CITIES", "differencing"), ("UNIT_COST", "RURAL", "threshold")}
    assert publication.audit_summary["differencing"] == 1
    rows = selectors.public_aggregates("2024").to_dicts()
    by_group = {r["group"]: r for r in rows}
    assert by_group["CITIES"]["withheld"] == "differencing" and by_group["CITIES"]["n"] is None
    assert by_group["RURAL"]["withheld"] == "threshold" and by_group["RURAL"]["mean"] is None
    assert by_group["NORTH"]["n"] == 7 and by_group["all"]["n"] == 12


def test_publishing_the_same_thing_again_changes_nothing(alice):
    first = publication_publish(acting_user=alice, period="2024", threshold=3)
    again = publication_publish(acting_user=alice, period="2024", threshold=3)
    assert not again.created and again.publication == first.publication
    assert Publication.objects.count() == 1


def test_the_visibility_chosen_is_the_programmes(alice):
    publication_publish(acting_user=alice, period="2024", visibility="named")
    assert Programme.current().visibility == "named"
    assert Publication.objects.get().visibility == "named"


def test_an_embargoed_period_is_invisible_until_its_date(alice, monkeypatch):
    until = timezone.localdate() + dt.timedelta(days=3)
    publication_publish(acting_user=alice, period="2024", threshold=3, embargo_until=until)
    assert selectors.published_period("2024") is None
    assert selectors.published_periods() == []
    assert selectors.public_aggregates("2024").is_empty()
    assert selectors.public_stamp() == ""
    later = timezone.localdate() + dt.timedelta(days=3)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: later)
    assert selectors.published_period("2024").state == "published"
    assert not selectors.public_aggregates("2024").is_empty()


def test_a_retracted_period_says_so_and_shows_no_figures(alice):
    publication_publish(acting_user=alice, period="2024", threshold=3)
    with pytest.raises(PublicationError):
        publication_retract(acting_user=alice, period="2024", reason="  ")
    publication_retract(acting_user=alice, period="2024", reason="A unit's waste was misreported")
    found = selectors.published_period("2024")
    assert found.state == "retracted" and found.retraction_reason.startswith("A unit's")
    assert selectors.public_aggregates("2024").is_empty()
    with pytest.raises(PublicationError, match="already retracted"):
        publication_retract(acting_user=alice, period="2024", reason="again")
    with pytest.raises(PublicationError, match="not published"):
        publication_retract(acting_user=alice, period="2023", reason="never was")
    assert AuditEntry.objects.filter(action="publication.retract").count() == 1


def test_a_revised_result_set_is_published_as_a_revision(alice):
    first = publication_publish(acting_user=alice, period="2024", threshold=3).publication
    compute(periods=["2024"], kind="final")  # a correction: the period's revised results
    second = publication_publish(acting_user=alice, period="2024", threshold=3).publication
    assert second.previous == first and second.result_set.status == "revised"
    found = selectors.published_period("2024")
    assert found.result_set == second.result_set_id
    assert found.revised_on == second.published_at
    assert (found.previous_result_set, found.previous_published_on) == (
        first.result_set_id,
        first.published_at,
    )


def test_a_cycle_with_every_submission_accepted_is_published_from_them(alice):
    from miara.collection.cycles import submission_accept, submission_submit

    cycle = cycle_2024(alice, ["WASTE_T"], unit_codes=["A1"])
    submission = cycle.submissions.get()
    submission_submit(submission=submission, acting_user=alice)
    with pytest.raises(PublicationError, match="1 submission of 2024 is not accepted yet"):
        publication_publish(acting_user=alice, period="2024", threshold=3)
    submission_accept(submission=cycle.submissions.get(), acting_user=alice)
    done = publication_publish(acting_user=alice, period="2024", threshold=3)
    assert done.computed.basis == "cycle" and done.computed.status == "final"
    assert [s["unit"] for s in done.computed.submissions] == ["A1"]


def test_the_operator_at_the_command_line_publishes(programme):
    done = publication_publish(acting_user=OPERATOR, period="2024", channel="cli")
    assert done.created and done.publication.published_by is None


def test_the_series_runs_over_published_periods_oldest_first(alice):
    publication_publish(acting_user=alice, period="2024", threshold=3)
    assert selectors.public_series("RECYCLING_RATE")["period"].unique().to_list() == ["2024"]
    publication_publish(acting_user=alice, period="2023", threshold=3)
    series = selectors.public_series("RECYCLING_RATE", groups=["all", "CITIES"])
    assert series.select("period", "group").rows() == [
        ("2023", "CITIES"),
        ("2023", "all"),
        ("2024", "CITIES"),
        ("2024", "all"),
    ]
    assert series.filter(pl.col("group") == "CITIES")["withheld"].to_list() == ["threshold"] * 2
    publication_retract(acting_user=alice, period="2023", reason="wrong")
    assert selectors.public_series("RECYCLING_RATE")["period"].unique().to_list() == ["2024"]


def test_two_coordinators_publishing_at_once_get_a_clear_answer(alice, monkeypatch):
    from miara.publication import services

    first = publication_publish(acting_user=alice, period="2024", threshold=3).publication
    publication_publish(acting_user=alice, period="2024", threshold=4)
    # The slower one still believes `first` is the period's newest publication.
    monkeypatch.setattr(services, "current_publication", lambda period: first)
    with pytest.raises(PublicationError, match="by someone else meanwhile"):
        publication_publish(acting_user=alice, period="2024", threshold=5)
    assert Publication.objects.count() == 2
