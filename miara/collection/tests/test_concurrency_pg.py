"""Racing writers on PostgreSQL: real threads, each with its own database connection.

Optimistic locking must hold when writes really overlap: of writers that give the same
version exactly one wins and the others get the conflict; writers without a version
queue up (each stores the next version, the history links old → new without a gap);
racing first writes of a new key never fail with a database error.

SQLite is skipped: it lets one writer at a time into the database
(`transaction_mode = IMMEDIATE`), so nothing can overlap there, and its in-memory test
database shared between threads answers "table is locked" instead of waiting. CI runs
these tests on PostgreSQL (`make test-postgres`).
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter

import polars as pl
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from miara.collection.cycles import cycle_open
from miara.collection.models import Value, ValueHistory
from miara.collection.services import SMALL_FRAME, ValueConflict, _values_store, parse_values
from miara.fileio.tables import LINE

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: concurrent writers cannot overlap on SQLite "
        "(run with MIARA_DATABASE_URL=postgresql://...)",
    ),
    pytest.mark.django_db(transaction=True),
]

WRITERS = 20
PASSWORD = "Correct-horse-42"


def race(work, count: int = WRITERS) -> list:
    """Run `work(i)` in `count` threads released together; return each outcome in order.

    An outcome is what `work` returned, or the exception it raised. Every thread uses
    (and at the end closes) its own database connection.
    """
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[i] = work(i)
        except BaseException as error:  # the test inspects it
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished"
    return outcomes


def write(*, value: float, version: int | None, variable="WASTE_T", period="2024"):
    """One value of A1 through the write path, in its own transaction, as a form saves it."""
    return write_keys([("A1", variable, period)], value=value, version=version)


def write_keys(keys: list[tuple[str, str, str]], *, value: float, version: int | None = None):
    """The same value for every (unit, variable, period) key, all or nothing."""
    frame = pl.DataFrame(
        {
            "unit": [k[0] for k in keys],
            "variable": [k[1] for k in keys],
            "period": [k[2] for k in keys],
            "value": [str(value)] * len(keys),
            "comment": [""] * len(keys),
            LINE: list(range(1, len(keys) + 1)),
        }
    )
    with transaction.atomic():
        rows = parse_values(frame, source="race")
        if version is not None:
            rows = rows.with_columns(pl.lit(version, pl.Int64).alias("version"))
        return _values_store(rows=rows, user=None, channel="api", source="race")


def outcome_kind(outcome) -> str:
    if isinstance(outcome, ValueConflict):
        return "conflict"
    if isinstance(outcome, BaseException):
        return f"error: {outcome!r}"
    return "written"


def stored(variable="WASTE_T", period="2024") -> Value:
    return Value.objects.get(unit__code="A1", variable__code=variable, period=period)


def history(variable="WASTE_T", period="2024") -> list[ValueHistory]:
    return list(
        ValueHistory.objects.filter(
            unit__code="A1", variable__code=variable, period=period
        ).order_by("version", "id")
    )


def assert_history_is_a_chain(rows: list[ValueHistory], value: Value) -> None:
    """Versions 1..n, each once; each change starts from the value the previous one left."""
    assert [h.version for h in rows] == list(range(1, len(rows) + 1))
    assert rows[0].old_value is None
    for before, after in itertools.pairwise(rows):
        assert after.old_value == before.new_value, (before.version, after.version)
    assert rows[-1].version == value.version
    assert rows[-1].new_value == value.value


def test_of_writers_giving_the_same_version_exactly_one_wins(programme):
    start = stored()
    outcomes = race(lambda i: write(value=5000 + i, version=start.version))
    kinds = Counter(outcome_kind(o) for o in outcomes)
    assert kinds == {"written": 1, "conflict": WRITERS - 1}
    winner = next(i for i, o in enumerate(outcomes) if outcome_kind(o) == "written")
    value = stored()
    assert (value.value, value.version) == (5000 + winner, start.version + 1)
    assert_history_is_a_chain(history(), value)


def test_writers_without_a_version_each_store_the_next_version(programme):
    start = stored()
    outcomes = race(lambda i: write(value=6000 + i, version=None))
    assert Counter(outcome_kind(o) for o in outcomes) == {"written": WRITERS}
    value = stored()
    assert value.version == start.version + WRITERS
    rows = history()
    assert len(rows) == start.version + WRITERS
    assert_history_is_a_chain(rows, value)
    assert sorted(h.new_value for h in rows[start.version :]) == [6000 + i for i in range(WRITERS)]


def test_racing_first_writes_of_a_new_key_queue_up_without_an_error(programme):
    outcomes = race(lambda i: write(value=7000 + i, version=None, period="2030"))
    assert Counter(outcome_kind(o) for o in outcomes) == {"written": WRITERS}
    assert (
        Value.objects.filter(unit__code="A1", variable__code="WASTE_T", period="2030").count() == 1
    )
    value = stored(period="2030")
    assert value.version == WRITERS
    assert_history_is_a_chain(history(period="2030"), value)
    created = [o for o in outcomes if o.created]
    assert len(created) == 1


def test_racing_first_writes_expecting_no_value_let_one_create(programme):
    """Version 0 says "I expect no value yet": only the first creator is right."""
    outcomes = race(lambda i: write(value=8000 + i, version=0, period="2030"))
    kinds = Counter(outcome_kind(o) for o in outcomes)
    assert kinds == {"written": 1, "conflict": WRITERS - 1}
    value = stored(period="2030")
    winner = next(i for i, o in enumerate(outcomes) if outcome_kind(o) == "written")
    assert (value.value, value.version) == (8000 + winner, 1)
    assert_history_is_a_chain(history(period="2030"), value)


# --- Loads larger than a form's (COPY and a temporary table) ------------------------------

MONTHS = [f"2031-{m:02d}" for m in range(1, 13)]
UNITS = ["A1", "B2", "C3", "D4"]
VARIABLES = ["WASTE_T", "RECYCLED_T", "POPULATION", "PERMITS_ISSUED", "PERMIT_STAFF_COST"]


def test_a_large_load_and_form_saves_of_the_same_value_take_turns(programme):
    keys = [("A1", "WASTE_T", "2024")] + [
        (u, v, m) for u in ("B2", "C3") for v in VARIABLES for m in MONTHS
    ]
    assert len(keys) > SMALL_FRAME
    start = stored()

    def work(i: int):
        if i == 0:
            return write_keys(keys, value=4444)
        return write(value=4000 + i, version=None)

    outcomes = race(work, count=10)
    assert Counter(outcome_kind(o) for o in outcomes) == {"written": 10}
    value = stored()
    assert value.version == start.version + 10
    assert_history_is_a_chain(history(), value)


def test_racing_large_loads_of_the_same_new_keys_take_turns(programme):
    keys = [(u, v, m) for u in UNITS for v in VARIABLES for m in MONTHS][:150]
    assert len(keys) > SMALL_FRAME
    outcomes = race(lambda i: write_keys(keys, value=100 + i), count=4)
    assert Counter(outcome_kind(o) for o in outcomes) == {"written": 4}
    assert sorted(o.created for o in outcomes) == [0, 0, 0, 150]
    assert Value.objects.filter(period__in=MONTHS).count() == 150
    assert set(Value.objects.filter(period__in=MONTHS).values_list("version", flat=True)) == {4}
    assert_history_is_a_chain(history(period="2031-01"), stored(period="2031-01"))


# --- Through the real views ---------------------------------------------------------------


def open_2024(alice):
    """Editors write through the API the periods of an open collection of their unit."""
    return cycle_open(
        period="2024", name="Year 2024", variable_codes=["WASTE_T"], unit_codes=["A1"],
        acting_user=alice,
    )  # fmt: skip


def test_racing_api_writes_with_the_same_version_give_one_200_and_409s(alice, bob):
    from miara.accounts.services import token_create

    open_2024(alice)
    token = token_create(user=bob)
    start = stored()

    def post(i: int) -> int:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        item = {
            "unit": "A1",
            "variable": "WASTE_T",
            "period": "2024",
            "value": 9000 + i,
            "version": start.version,
        }
        return client.post(
            "/api/v1/values", {"values": [item]}, content_type="application/json"
        ).status_code

    statuses = race(post)
    assert Counter(statuses) == {200: 1, 409: WRITERS - 1}
    value = stored()
    assert (value.value, value.version) == (9000 + statuses.index(200), start.version + 1)
    assert_history_is_a_chain(history(), value)


def test_an_api_write_without_a_comment_never_erases_a_racing_comment(alice, bob):
    """Omitting `comment` keeps the stored one: the one stored when the write takes its
    turn, not an older one read before another writer's comment arrived."""
    from miara.accounts.services import token_create

    open_2024(alice)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=bob)}")
    lost = []
    for round_ in range(10):
        comment = f"checked, round {round_}"

        def work(i: int, round_=round_, comment=comment):
            if i == 0:
                item = {"unit": "A1", "variable": "WASTE_T", "period": "2024", "value": round_}
                answer = client.post(
                    "/api/v1/values", {"values": [item]}, content_type="application/json"
                )
                return answer.status_code
            frame = pl.DataFrame(
                {
                    "unit": ["A1"],
                    "variable": ["WASTE_T"],
                    "period": ["2024"],
                    "value": [str(1000 + round_)],
                    "comment": [comment],
                    LINE: [1],
                }
            )
            with transaction.atomic():
                rows = parse_values(frame, source="race")
                return _values_store(rows=rows, user=None, channel="form", source="race")

        outcomes = race(work, count=2)
        assert outcomes[0] == 200 and outcome_kind(outcomes[1]) == "written", outcomes
        if stored().comment != comment:
            lost.append(round_)
    assert lost == []
    assert_history_is_a_chain(history(), stored())


def test_two_autosaves_of_the_same_field_and_version_give_one_200_and_one_409(alice, bob):
    cycle = cycle_open(
        period="2024",
        name="Year 2024",
        variable_codes=["WASTE_T", "RECYCLED_T", "POPULATION"],
        unit_codes=["A1"],
        acting_user=alice,
    )
    url = reverse("collection:entry_field", args=[cycle.pk, "A1"])
    tabs = [Client(), Client()]  # two browser tabs: two sessions of the same editor
    for tab in tabs:
        assert tab.login(username=bob.username, password=PASSWORD)
    for round_ in range(10):
        version = stored().version

        def save(i: int, version=version, round_=round_) -> int:
            data = {"variable": "WASTE_T", "value": str(3000 + 10 * round_ + i)}
            return tabs[i].post(url, data | {"version": str(version)}).status_code

        statuses = race(save, count=2)
        assert sorted(statuses) == [200, 409], f"round {round_}: {statuses}"
        assert stored().version == version + 1
    assert_history_is_a_chain(history(), stored())
