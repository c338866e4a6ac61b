"""GET /results: the results export's rows, for the units the caller may see."""

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from miara.analytics.selectors import EXTRA_COLUMNS, RESULT_COLUMNS, RESULT_SCHEMA, results_frame

pytestmark = pytest.mark.django_db


def rows(response) -> pl.DataFrame:
    assert response.status_code == 200, response.content
    return pl.DataFrame(response.json()["items"], schema=RESULT_SCHEMA, orient="row")


def test_it_answers_the_export_fields_in_order(as_alice):
    item = as_alice.get("/api/v1/results").json()["items"][0]
    assert list(item) == RESULT_COLUMNS + EXTRA_COLUMNS


@pytest.mark.parametrize(
    "query, filters",
    [
        ("", {}),
        (
            "?indicator=RECYCLING_RATE&period=2024&group=all",
            {"indicators": ["RECYCLING_RATE"], "periods": ["2024"], "groups": ["all"]},
        ),
        (
            "?indicator=WASTE_PC&indicator=PERMIT_COST&group=CITIES",
            {"indicators": ["WASTE_PC", "PERMIT_COST"], "groups": ["CITIES"]},
        ),
        ("?unit=C3&period=2023", {"units": ["C3"], "periods": ["2023"]}),
    ],
)
def test_it_equals_results_frame_at_full_precision(alice, as_alice, query, filters):
    got = rows(as_alice.get("/api/v1/results" + query))
    expected = results_frame(user=alice, **filters)
    assert not expected.is_empty()
    # Exact equality: JSON floats round-trip, so no digit may be lost on the way.
    assert_frame_equal(got.sort("indicator", "period", "group", "unit"), expected, check_exact=True)


def test_it_shows_an_editor_only_their_units(bob, as_bob):
    got = rows(as_bob.get("/api/v1/results?limit=10000"))
    assert set(got["unit"]) == {"A1"}
    assert_frame_equal(
        got.sort("indicator", "period", "group", "unit"), results_frame(user=bob), check_exact=True
    )


def test_it_never_shows_an_editor_another_units_rows(as_bob, as_carol):
    assert "B2" not in set(rows(as_bob.get("/api/v1/results?group=CITIES"))["unit"])
    assert set(rows(as_carol.get("/api/v1/results"))["unit"]) == {"B2"}


def test_it_answers_404_when_an_editor_asks_for_another_unit(as_bob):
    """As for a unit that does not exist (it answered 403 before), so codes cannot be probed."""
    response = as_bob.get("/api/v1/results?unit=B2")
    assert response.status_code == 404
    assert "B2" in response.json()["detail"]
    missing = as_bob.get("/api/v1/results?unit=ZZ9")
    assert response.json()["detail"].replace("B2", "?") == missing.json()["detail"].replace(
        "ZZ9", "?"
    )
    assert as_bob.get("/api/v1/results?unit=A1&unit=B2").status_code == 404


def test_it_shows_experts_every_unit(as_erin):
    assert set(rows(as_erin.get("/api/v1/results"))["unit"]) == {"A1", "B2", "C3", "D4"}


@pytest.mark.parametrize(
    "query, words",
    [
        ("indicator=NOPE", "unknown indicator NOPE"),
        ("period=2019", "no computed results for period 2019"),
        ("group=NOPE", "unknown group NOPE"),
        ("unit=ZZ9", "unknown unit ZZ9"),
    ],
)
def test_it_answers_404_naming_an_unknown_code(as_alice, query, words):
    response = as_alice.get("/api/v1/results?" + query)
    assert response.status_code == 404
    assert words in response.json()["detail"]


def test_it_answers_422_for_a_malformed_period(as_alice):
    response = as_alice.get("/api/v1/results?period=2024-13")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "period"
    assert "is not a period" in response.json()["detail"][0]["message"]


def test_it_pages_the_rows(alice, as_alice):
    everything = results_frame(user=alice)
    first = as_alice.get("/api/v1/results?limit=7").json()
    second = as_alice.get("/api/v1/results?limit=7&offset=7").json()
    assert first["count"] == second["count"] == everything.height
    assert (first["limit"], first["offset"], len(first["items"])) == (7, 0, 7)
    keys = [
        (r["indicator"], r["period"], r["group"], r["unit"])
        for r in first["items"] + second["items"]
    ]
    assert len(set(keys)) == 14
    assert keys == sorted(keys)
    beyond = as_alice.get(f"/api/v1/results?offset={everything.height}").json()
    assert beyond["items"] == [] and beyond["count"] == everything.height


@pytest.mark.parametrize("query", ["limit=10001", "limit=0", "offset=-1", "limit=abc"])
def test_it_answers_422_for_a_bad_page(as_alice, query):
    response = as_alice.get("/api/v1/results?" + query)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] in {"limit", "offset"}


def test_it_needs_authentication(anonymous):
    assert anonymous.get("/api/v1/results?unit=A1").status_code == 401
