"""Kept findings never miss a write that commits late, on PostgreSQL with real
connections: a slow writer draws its history ids before a fast one and commits after the
board has taken the fast one in. SQLite is skipped (one writer at a time there)."""

from __future__ import annotations

import threading

import polars as pl
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from miara.collection.cycles import cycle_open
from miara.collection.findings import cycle_checked
from miara.collection.models import ValueHistory
from miara.collection.services import OPERATOR, values_save
from miara.engine.quality import ORDER
from miara.fileio.tables import LINE

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: writers cannot overlap on SQLite",
    ),
    pytest.mark.django_db(transaction=True),
]


def rows(unit: str, value: str):
    frame = pl.DataFrame(
        {
            "unit": [unit, unit],
            "variable": ["WASTE_T", "RECYCLED_T"],
            "period": ["2024", "2024"],
            "value": [value, value],
            "comment": ["", ""],
            LINE: [1, 2],
        }
    )
    return frame


def test_a_write_that_commits_after_a_later_one_reaches_the_board(programme, alice):
    cycle = cycle_open(
        period="2024",
        name="Year 2024",
        variable_codes=["WASTE_T", "RECYCLED_T", "POPULATION"],
        unit_codes=["A1", "B2", "C3"],
        acting_user=alice,
    )
    cache.clear()
    cycle_checked(cycle=cycle)  # the board's state, kept
    written, release, failures = threading.Event(), threading.Event(), []

    def slow_writer():
        try:
            with transaction.atomic():
                values_save(
                    acting_user=OPERATOR, rows=rows("B2", "12345"), channel="form", source="late"
                )
                written.set()
                assert release.wait(timeout=60)
        except BaseException as error:  # the test inspects it
            failures.append(error)
            written.set()
        finally:
            connection.close()

    slow = threading.Thread(target=slow_writer)
    slow.start()
    assert written.wait(timeout=60)
    with transaction.atomic():  # the fast writer draws higher ids and commits first
        values_save(acting_user=OPERATOR, rows=rows("A1", "777"), channel="form", source="late")
    fast_ids = ValueHistory.objects.filter(unit__code="A1", period="2024", new_value=777)
    fast_first = min(fast_ids.values_list("id", flat=True))
    seen, _findings = cycle_checked(cycle=cycle)
    assert seen["A1"][0] >= 2 and "B2" in seen
    release.set()
    slow.join(timeout=60)
    assert not failures and not slow.is_alive()
    slow_ids = ValueHistory.objects.filter(unit__code="B2", period="2024", new_value=12345)
    assert max(slow_ids.values_list("id", flat=True)) < fast_first  # it committed late
    after, found = cycle_checked(cycle=cycle)
    cache.clear()
    scratch, scratch_found = cycle_checked(cycle=cycle)
    assert after == scratch
    assert found.sort(ORDER).to_dicts() == scratch_found.sort(ORDER).to_dicts()
    assert after["B2"] != seen["B2"]  # the late write reached the board
