"""The scorecard points a weak row to practices of offices in the best quartile of that
indicator; the kept scorecard table changes when such a practice is published."""

from __future__ import annotations

import pytest
from django.test import Client

from miara.practices.services import practice_act, practice_create

from .conftest import practice_data

pytestmark = pytest.mark.django_db

HINT = "units in the best quartile describe these practices"


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


def row(text: str, code: str) -> str:
    start = text.index(f'data-indicator="{code}"')
    return text[start : text.index("</tr>", start)]


def test_a_weak_row_links_to_practices_of_the_best_quartile(bob, carol, dora, alice, settings):
    settings.PAGE_CACHE_SECONDS = 300  # the table is kept: its key must move
    client = Client()
    client.force_login(bob)
    url = "/units/A1/benchmark/?period=2024"
    # B2 (2nd quarter of RECYCLING_RATE, 1st of WASTE_PC) describes practices on both.
    publish(carol, alice, "B2", indicators=["RECYCLING_RATE", "WASTE_PC"])
    page = client.get(url).content.decode()
    assert HINT not in row(page, "RECYCLING_RATE")  # B2 is not in the best quarter
    assert HINT not in row(page, "WASTE_PC")  # A1 is better than the median there

    publish(dora, alice, "D4", title="Collection yards")  # D4: best quarter of RECYCLING_RATE
    page = client.get(url).content.decode()
    recycling = row(page, "RECYCLING_RATE")
    assert HINT in recycling
    assert "/practices/?indicator=RECYCLING_RATE&amp;best=1" in recycling
    assert HINT not in row(page, "WASTE_PC")

    listing = client.get("/practices/?indicator=RECYCLING_RATE&best=1").content.decode()
    assert "Collection yards" in listing and "Sorting bins" not in listing
