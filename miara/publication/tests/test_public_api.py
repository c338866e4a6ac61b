"""The open-data endpoints as an outsider uses them: nothing smaller than k units, not even
by adding and subtracting published groups; embargoes, retractions and revisions; polling."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.test import Client
from django.utils import timezone

from miara.accounts.scope import OPERATOR
from miara.analytics.services import compute
from miara.engine import disclosure
from miara.publication.services import memberships, publication_publish, publication_retract
from miara.publication.tests.conftest import CITIES, NORTH, VALUES, K

pytestmark = pytest.mark.django_db

URL = "/api/v1/public/aggregates"


def harvest(client: Client) -> list[dict]:
    """Every figure the public endpoints give, asked every way a harvester could."""
    rows = []
    for period in [p["period"] for p in client.get("/api/v1/public/periods").json()]:
        rows += client.get(f"{URL}?period={period}").json()["items"]
        for group in ("all", "CITIES", "RURAL", "NORTH"):
            rows += client.get(f"{URL}?period={period}&group={group}").json()["items"]
    return rows


def small_totals(rows: list[dict], publication) -> list[tuple[frozenset[str], float]]:
    """Every ±1/0 combination of published totals n × mean that is the total of 1..k-1
    units, with that total: what an outsider who knows the groups' definitions learns."""
    members = memberships(publication.result_set)
    found = []
    published = {
        (r["group"]): r["n"] * r["mean"]
        for r in rows
        if "withheld" not in r and r["period"] == publication.period
    }
    groups = sorted(published)
    member_sets = {
        g: frozenset(members.filter(members["group"] == g).get_column("unit").to_list())
        for g in groups
    }
    universe = sorted(set().union(*member_sets.values())) if groups else []
    for signs in itertools.product((-1, 0, 1), repeat=len(groups)):
        weight = {
            u: sum(s for s, g in zip(signs, groups, strict=True) if u in member_sets[g])
            for u in universe
        }
        if all(w in (0, 1) for w in weight.values()):
            chosen = frozenset(u for u, w in weight.items() if w == 1)
            if 0 < len(chosen) < publication.threshold:
                total = sum(s * published[g] for s, g in zip(signs, groups, strict=True))
                found.append((chosen, total))
    return found


def test_no_total_of_fewer_than_k_units_follows_from_the_published_groups(coordinator):
    publication = publication_publish(
        acting_user=coordinator, period="2024", threshold=K
    ).publication
    rows = harvest(Client())
    assert any(r["group"] == "NORTH" and r["n"] == 7 for r in rows)  # it does publish
    assert small_totals(rows, publication) == []
    # Nothing per unit: only group figures (a median of an odd group is some unit's
    # value by nature, which methodology.md allows; whose it is stays unknown).
    allowed = {"indicator", "period", "group", "n", "mean", "median", "q1", "q3", "lineage"}
    assert all(set(r) <= allowed | {"withheld", "withheld_note"} for r in rows)
    assert not any(u in str(rows) for u in VALUES)  # no unit code anywhere


def test_without_the_audit_the_same_harvest_gives_away_a_unit(coordinator, monkeypatch):
    """The check above can fail: with the differencing audit switched off, CITIES − NORTH
    is U08's value, and `all` − CITIES the total of the four rural units."""
    monkeypatch.setattr(disclosure, "disclosures", lambda *args, **kwargs: [])
    publication = publication_publish(
        acting_user=coordinator, period="2024", threshold=K
    ).publication
    leaks = dict(small_totals(harvest(Client()), publication))
    [unit] = set(CITIES) - set(NORTH)
    assert leaks[frozenset({unit})] == pytest.approx(VALUES[unit])


def test_a_withheld_group_answers_with_its_reason_and_no_figures(coordinator):
    publication_publish(acting_user=coordinator, period="2024", threshold=K)
    response = Client().get(f"{URL}?period=2024&group=CITIES&indicator=UNIT_COST")
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["withheld"] == "differencing"
    assert item["withheld_note"] == "withheld to protect a smaller group"
    assert not {"n", "mean", "median", "q1", "q3"} & set(item)
    assert "n" not in item["lineage"]


def test_every_record_carries_its_lineage(coordinator):
    publication = publication_publish(
        acting_user=coordinator, period="2024", threshold=K
    ).publication
    [item] = Client().get(f"{URL}?period=2024&group=NORTH").json()["items"]
    assert item["lineage"] == {
        "formula": "COST / CASES",
        "variables": ["CASES", "COST"],
        "n": 7,
        "result_set": publication.result_set_id,
        "result_state": "final",
    }


@pytest.mark.parametrize("path", [f"{URL}?period=2024", "/api/v1/public/periods"])
def test_an_embargoed_period_is_invisible_until_its_date(coordinator, monkeypatch, path):
    until = timezone.localdate() + dt.timedelta(days=2)
    publication_publish(acting_user=coordinator, period="2024", threshold=K, embargo_until=until)
    never = Client().get(f"{URL}?period=2023")
    response = Client().get(path)
    if path.startswith(URL):
        # Word for word what a never-published period answers: nothing tells it is waiting.
        assert response.status_code == 404
        assert response.json()["detail"] == never.json()["detail"].replace("2023", "2024")
    else:
        assert response.json() == []
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: until)
    assert Client().get(path).status_code == 200
    assert "2024" in Client().get(path).content.decode()


def test_a_retracted_period_says_so_without_figures(coordinator):
    publication_publish(acting_user=coordinator, period="2024", threshold=K)
    publication_retract(acting_user=coordinator, period="2024", reason="Wrong cost of U03")
    response = Client().get(f"{URL}?period=2024")
    assert response.status_code == 404
    assert (
        "retracted" in response.json()["detail"]
        and "Wrong cost of U03" in response.json()["detail"]
    )
    [period] = Client().get("/api/v1/public/periods").json()
    assert (period["state"], period["retraction_reason"]) == ("retracted", "Wrong cost of U03")


def test_a_revision_says_when_and_what_it_replaced(coordinator):
    first = publication_publish(acting_user=coordinator, period="2024", threshold=K).publication
    compute(periods=["2024"], kind="final")
    second = publication_publish(acting_user=coordinator, period="2024", threshold=K).publication
    body = Client().get(f"{URL}?period=2024&group=all").json()
    assert body["status"] == "revised" and body["result_set"] == second.result_set_id
    assert body["previous_result_set"] == first.result_set_id
    assert body["revised_on"] and body["previous_published_on"]


def test_harvesters_poll_with_etag_and_last_modified(coordinator):
    publication_publish(acting_user=coordinator, period="2024", threshold=K)
    client = Client()
    first = client.get(f"{URL}?period=2024")
    assert first.status_code == 200 and first["Cache-Control"].startswith("public")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get(f"{URL}?period=2024", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(f"{URL}?period=2024", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get(f"{URL}?period=2024&group=all", HTTP_IF_NONE_MATCH=etag).status_code == 200
    publication_retract(acting_user=coordinator, period="2024", reason="check")
    publication_publish(acting_user=OPERATOR, period="2024", threshold=6)
    again = client.get(f"{URL}?period=2024", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag
