"""GET /public/aggregates: what anyone may see, and only of published periods."""

import pytest
from django.test import Client

from miara.analytics.models import GroupStatistic, ResultSet
from miara.units.models import Programme

pytestmark = pytest.mark.django_db

URL = "/api/v1/public/aggregates"
PUBLIC_FIELDS = {"indicator", "period", "group", "n", "mean", "median", "q1", "q3"}


def publish(period="2024", status=ResultSet.Status.FINAL):
    ResultSet.objects.filter(period=period, is_current=True).update(status=status)


def threshold(k):
    programme = Programme.current()
    programme.public_threshold = k
    programme.save()


def test_it_answers_404_for_an_unpublished_period(programme):
    response = Client().get(URL + "?period=2024")
    assert response.status_code == 404
    assert response.json() == {"detail": "period 2024 is not published"}


@pytest.mark.parametrize("status", [ResultSet.Status.FINAL, ResultSet.Status.REVISED])
def test_it_shows_aggregates_of_a_published_period_without_authentication(programme, status):
    publish(status=status)
    threshold(3)
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
    threshold(3)
    rows = Client().get(URL + "?period=2024").json()["items"]
    assert rows and all(r["n"] >= 3 for r in rows)
    # CITIES (A1, B2) and LARGE (A1, B2) have two units: too few to publish.
    assert {r["group"] for r in rows} == {"all"}
    assert GroupStatistic.objects.filter(group="CITIES", n__lt=3).exists()
    threshold(5)
    assert Client().get(URL + "?period=2024").json()["items"] == []


def test_it_never_shows_min_max_best_or_ranks(programme):
    publish()
    threshold(1)
    rows = Client().get(URL + "?period=2024").json()["items"]
    assert rows
    for row in rows:
        assert set(row) == PUBLIC_FIELDS


def test_it_shows_quartiles_only_from_eight_units(programme):
    publish()
    threshold(1)
    rows = Client().get(URL + "?period=2024").json()["items"]
    assert all(r["n"] < 8 and r["q1"] is None and r["q3"] is None for r in rows)
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
