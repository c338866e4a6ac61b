"""Search: words (substrings on SQLite, full-text on PostgreSQL), service area, indicator,
type of office, and "offices in the best quartile of the indicator"."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from miara.practices import selectors
from miara.practices.services import practice_act, practice_create

from .conftest import practice_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def dora(programme):
    from miara.accounts.services import user_add

    user, _ = user_add(
        username="dora", role="editor", unit_codes=["D4"], password="Correct-horse-42"
    )
    return user


def publish(user, alice, unit, **changes):
    practice = practice_create(
        acting_user=user, unit_code=unit, data=practice_data(**changes), submit=True
    )
    return practice_act(acting_user=alice, practice_id=practice.pk, action="publish", version=1)


@pytest.fixture
def library(carol, dora, alice):
    return {
        "bins": publish(carol, alice, "B2"),  # B2: 2nd quarter of RECYCLING_RATE in 2024
        "yards": publish(
            dora,
            alice,
            "D4",
            title="Collection yards",
            problem="Bulky waste left on pavements.",
            what_was_done="Three new yards open on Saturdays.",
        ),  # D4: the best of RECYCLING_RATE in 2024
        "permits": publish(
            carol,
            alice,
            "B2",
            title="Permits online",
            problem="Queues at the counter.",
            what_was_done="An online form for building permits.",
            results="Decisions take 10 days fewer.",
            area="PERMITS",
            indicators=["PERMIT_COST"],
        ),
    }


def found(filters, user=None) -> set[str]:
    practices = selectors.practices_for(user=user) if user else selectors.published_practices()
    return {p.title for p in selectors.search(practices, filters)}


def test_words_area_indicator_and_type(library):
    F = selectors.Filters
    assert found(F(query="online")) == {"Permits online"}
    assert found(F(query="SATURDAYS")) == {"Collection yards"}  # case does not matter
    assert found(F(query="yards saturdays")) == {"Collection yards"}  # every word
    assert found(F(query="yards permits")) == set()
    assert found(F(area="PERMITS")) == {"Permits online"}
    assert found(F(indicator="RECYCLING_RATE")) == {
        "Sorting bins at the source",
        "Collection yards",
    }
    assert found(F(unit_type="gmina_urban")) == {"Collection yards"}  # D4
    assert found(F(query="bins", area="PERMITS")) == set()


def test_only_offices_in_the_best_quartile(library):
    best = selectors.Filters(indicator="RECYCLING_RATE", best=True)
    assert found(best) == {"Collection yards"}  # B2 was not in the best quarter in 2024


def test_the_search_page_and_the_public_one(library, bob):
    client = Client()
    client.force_login(bob)
    page = client.get("/practices/?q=online")
    assert page.status_code == 200
    assert "Permits online" in page.text and "Collection yards" not in page.text
    public = Client().get("/public/practices/?indicator=RECYCLING_RATE&best=on")
    assert public.status_code == 200
    assert "Collection yards" in public.text and "Sorting bins" not in public.text
    assert "Licence: CC BY 4.0" in public.text and "Cite as:" in public.text
    unknown = Client().get("/public/practices/?area=NOPE")
    assert unknown.status_code == 200 and "Select a valid choice." in unknown.text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_full_text_search_on_postgresql(library):
    F = selectors.Filters
    assert found(F(query="online -queues")) == set()
    assert found(F(query='"new yards"')) == {"Collection yards"}
    assert found(F(query="online")) == {"Permits online"}
