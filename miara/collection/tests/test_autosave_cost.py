"""The autosave of one field is a handful of small queries (issue 3: < 50 ms server
time), and the small-write paths it uses store exactly what the bulk paths store."""

import polars as pl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from miara.collection.models import Value, ValueHistory
from miara.collection.services import parse_values, values_save
from miara.fileio import FileProblem
from miara.lib import bulk
from miara.testing.cycles import FOUR_UNITS, cycle_2024

pytestmark = pytest.mark.django_db
VARIABLES = ["WASTE_T", "RECYCLED_T", "POPULATION", "PERMITS_ISSUED", "PERMIT_STAFF_COST"]
# Session and user, access (cycle, unit, scope, submission, the one write rule's open
# collections), the field's variable, the
# write (codes, stored values, locks, update, history, audit), the stored value, the
# checks (catalogue, history since the last computation, variables, participants,
# values) and the progress: 27 on PostgreSQL, where the transaction's BEGIN and COMMIT
# are queries too, and so is the lock of the field's key that makes concurrent saves
# take turns. The first save of a page computes the whole questionnaire once.
MAX_QUERIES = 27


@pytest.fixture
def cycle(alice):
    cache.clear()
    return cycle_2024(alice, VARIABLES, FOUR_UNITS)


def version_of(variable):
    return (
        Value.objects.filter(unit__code="A1", variable__code=variable, period="2024")
        .values_list("version", flat=True)
        .first()
    )


def save(client, cycle, variable, value, comment="", version=None):
    version = version_of(variable) if version is None else version
    response = client.post(
        reverse("collection:entry_field", args=[cycle.pk, "A1"]),
        {"variable": variable, "value": value, "comment": comment, "version": version or 0},
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_an_autosave_takes_a_fixed_handful_of_queries(client, cycle, bob):
    client.force_login(bob)
    save(client, cycle, "WASTE_T", "1111")  # the first save computes the whole questionnaire
    for variable, value in (("WASTE_T", "1200"), ("RECYCLED_T", "9999"), ("WASTE_T", "1300")):
        version = version_of(variable)
        with CaptureQueriesContext(connection) as queries:
            answer = save(client, cycle, variable, value, version=version)
        assert answer["status"] == "saved"
        assert len(queries.captured_queries) <= MAX_QUERIES, [
            q["sql"][:120] for q in queries.captured_queries
        ]
    assert stored_history("WASTE_T") == [1111.0, 1200.0, 1300.0]


def stored_history(variable):
    return list(
        ValueHistory.objects.filter(
            unit__code="A1", variable__code=variable, period="2024", channel="form"
        )
        .order_by("id")
        .values_list("new_value", flat=True)
    )


def test_the_progress_answered_counts_the_required_values_filled(client, cycle, bob):
    cycle.items.exclude(variable__code__in=["WASTE_T", "POPULATION"]).update(required=False)
    client.force_login(bob)
    answer = save(client, cycle, "WASTE_T", "")
    assert answer["progress"]["required"] == 2
    assert answer["progress"]["filled"] == 1  # POPULATION is stored, WASTE_T now empty
    answer = save(client, cycle, "WASTE_T", "5")
    assert answer["progress"]["filled"] == 2


def write_rows(alice, rows):
    frame = pl.DataFrame(
        rows, schema=["unit", "variable", "period", "value", "comment"], orient="row"
    ).with_row_index("__line", offset=1)
    frame = frame.with_columns(pl.col("__line").cast(pl.Int64))
    return values_save(acting_user=alice, rows=frame, channel="form", source="test")


def stored_rows():
    return sorted(
        Value.objects.values_list(
            "unit__code", "variable__code", "period", "value", "comment", "version"
        )
    )


def history_rows():
    return sorted(
        ValueHistory.objects.values_list(
            "unit__code",
            "variable__code",
            "period",
            "version",
            "old_value",
            "new_value",
            "old_comment",
            "new_comment",
        )
    )


@pytest.mark.parametrize("small_write", [0, 1_000])
def test_small_and_bulk_writes_store_the_same(programme, alice, monkeypatch, small_write):
    """With SMALL_WRITE 0 every write takes the bulk path (COPY on PostgreSQL), with
    1,000 the ordinary one; a missing comment is stored as "" either way."""
    monkeypatch.setattr(bulk, "SMALL_WRITE", small_write)
    report = write_rows(
        alice,
        [
            ("A1", "WASTE_T", "2024", "1", None),  # changed, comment kept empty
            ("A1", "RECYCLED_T", "2024", "", "unknown this year"),  # emptied, explained
            ("A1", "POPULATION", "2025", "120500", None),  # new
        ],
    )
    assert (report.created, report.updated) == (1, 2)
    values = [row for row in stored_rows() if row[0] == "A1" and row[2] in ("2024", "2025")]
    assert ("A1", "WASTE_T", "2024", 1.0, "", 2) in values
    assert ("A1", "RECYCLED_T", "2024", None, "unknown this year", 2) in values
    assert ("A1", "POPULATION", "2025", 120500.0, "", 1) in values
    history = [row for row in history_rows() if row[0] == "A1" and row[5] != row[4]]
    assert ("A1", "POPULATION", "2025", 1, None, 120500.0, "", "") in history
    assert ("A1", "RECYCLED_T", "2024", 2, 320.0, None, "", "unknown this year") in history


def test_a_small_write_still_names_every_problem(programme, alice):
    frame = pl.DataFrame(
        [
            ("A1", "WASTE_T", "2024", "-5", ""),
            ("ZZ", "WASTE_T", "2024", "1", ""),
            ("A1", "NOPE", "2024", "1,5", ""),
        ],
        schema=["unit", "variable", "period", "value", "comment"],
        orient="row",
    ).with_row_index("__line", offset=1)
    with pytest.raises(FileProblem) as caught:
        parse_values(frame.with_columns(pl.col("__line").cast(pl.Int64)), source="form")
    messages = [p.message for p in caught.value.problems]
    assert messages == [
        "-5 is below the minimum of WASTE_T",
        "unknown unit 'ZZ'",
        "unknown variable 'NOPE'",
        "'1,5' uses a decimal comma; write numbers with a dot, e.g. 1.5",
    ]
