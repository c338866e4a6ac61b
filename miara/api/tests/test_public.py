"""GET /public/aggregates: what anyone may see, and only of published periods."""

import pytest
from django.test import Client

from miara.accounts.scope import OPERATOR
from miara.analytics.models import GroupStatistic, ResultSet
from miara.analytics.services import compute
from miara.publication.services import publication_publish

pytestmark = pytest.mark.django_db

URL = "/api/v1/public/aggregates"
PUBLIC_FIELDS = {"indicator", "period", "group", "n", "mean", "median", "q1", "q3", "lineage"}
WITHHELD_FIELDS = {"indicator", "period", "group", "withheld", "withheld_note", "lineage"}


def publish(period="2024", status=ResultSet.Status.FINAL, k=3):
    if status == ResultSet.Status.REVISED:
        publication_publish(acting_user=OPERATOR, period=period, threshold=k)
        compute(periods=[period], kind="final")
    publication_publish(acting_user=OPERATOR, period=period, threshold=k)


def test_it_answers_404_for_an_unpublished_period(programme):
    response = Client().get(URL + "?period=2024")
    assert response.status_code == 404
    assert response.json() == {"detail": "period 2024 is not published"}


@pytest.mark.parametrize("status", [ResultSet.Status.FINAL, ResultSet.Status.REVISED])
def test_it_shows_aggregates_of_a_published_period_without_authentication(programme, status):
    publish(status=status)
    response = Client().get(URL + "?period=2024&indicator=RECYCLING_RATE&group=all")
    assert response.status_code == 200
    body = response.json()
    assert (body["period"], body["status"], body["threshold"]) == ("2024", status, 3)
    [row] = body["items"]
    stat = GroupStatistic.objects.get(
        result_set__period="2024",
        result_set__is_current=True,
        indicator__code="RECYCLING_RATE",
        group="all",
    )
    assert (row["n"], row["mean"], row["median"]) == (4, stat.mean, stat.median)


def test_it_never_shows_a_group_below_the_threshold(programme):
    publish()
    rows = Client().get(URL + "?period=2024").json()["items"]
    shown = [r for r in rows if "withheld" not in r]
    assert shown and all(r["n"] >= 3 for r in shown)
    # CITIES (A1, B2) and LARGE (A1, B2) have two units: too few to publish.
    assert {r["group"] for r in shown} == {"all"}
    withheld = [r for r in rows if "withheld" in r]
    assert {r["group"] for r in withheld} == {"CITIES", "LARGE"}
    assert all(set(r) == WITHHELD_FIELDS and r["withheld"] == "threshold" for r in withheld)
    assert GroupStatistic.objects.filter(group="CITIES", n__lt=3).exists()
    publication_publish(acting_user=OPERATOR, period="2024", threshold=5)
    rows = Client().get(URL + "?period=2024").json()["items"]
    assert rows and all("n" not in r and r["withheld"] == "threshold" for r in rows)


def test_it_never_shows_min_max_best_or_ranks(programme):
    publish()
    rows = [r for r in Client().get(URL + "?period=2024").json()["items"] if "withheld" not in r]
    assert rows
    for row in rows:
        assert set(row) == PUBLIC_FIELDS
        assert set(row["lineage"]) == {"formula", "variables", "n", "result_set", "result_state"}


def test_it_shows_quartiles_only_from_eight_units(programme):
    publish()
    rows = [r for r in Client().get(URL + "?period=2024").json()["items"] if "withheld" not in r]
    assert rows and all(r["n"] < 8 and r["q1"] is None and r["q3"] is None for r in rows)
    stat = GroupStatistic.objects.filter(result_set__period="2024", group="all").first()
    GroupStatistic.objects.filter(pk=stat.pk).update(n=8)
    [row] = [
        r
        for r in Client().get(URL + "?period=2024&group=all").json()["items"]
        if r["indicator"] == stat.indicator.code
    ]
    assert (row["q1"], row["q3"]) == (stat.q1, stat.q3)


def test_it_does_not_publish_other_periods(programme):
    publish("2024")
    assert Client().get(URL + "?period=2023").status_code == 404


@pytest.mark.parametrize(
    "query, status",
    [
        ("", 422),
        ("period=24", 422),
        ("period=2024&indicator=NOPE", 404),
        ("period=2024&group=NOPE", 404),
    ],
)
def test_it_explains_bad_parameters(programme, query, status):
    publish()
    response = Client().get(URL + "?" + query)
    assert response.status_code == status
    assert response.json()["detail"]
