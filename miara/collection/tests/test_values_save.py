"""values_save, the one write path of values: who may write, one audit entry per change,
and every channel (form, Excel upload, API, `miara load values`) going through it."""

import io
import json

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from miara.accounts.models import AuditEntry
from miara.accounts.services import token_create
from miara.collection.cycles import cycle_open
from miara.collection.excel import template_build, template_import
from miara.collection.models import Cycle, Submission, Value, ValueHistory
from miara.collection.services import (
    OPERATOR,
    WriteRefused,
    values_load,
    values_save,
)
from miara.fileio import FileProblem, Problem

pytestmark = pytest.mark.django_db
VARIABLES = ["WASTE_T", "RECYCLED_T"]
PASSWORD = "Correct-horse-42"


@pytest.fixture
def cycle(alice):
    """The 2024 collection from A1 and B2 (the programme's values were loaded before)."""
    return cycle_open(
        period="2024",
        name="Year 2024",
        variable_codes=VARIABLES,
        unit_codes=["A1", "B2"],
        acting_user=alice,
    )


def text_rows(*rows, comment=True) -> pl.DataFrame:
    """Rows `(unit, variable, period, value)` as a channel gives them, lines from 1."""
    frame = pl.DataFrame(
        [row[:4] for row in rows],
        schema=["unit", "variable", "period", "value"],
        orient="row",
    ).with_columns(pl.Series("__line", range(1, len(rows) + 1), dtype=pl.Int64))
    if comment:
        frame = frame.with_columns(pl.lit("", pl.String).alias("comment"))
    return frame


def saves():
    """The audit entries of saves of values since the programme was loaded."""
    return AuditEntry.objects.filter(action__startswith="values.").exclude(
        action="values.load", user=None, summary__startswith="values.csv:"
    )


def snapshot():
    return (
        sorted(Value.objects.values_list("unit_id", "variable_id", "period", "value", "comment")),
        ValueHistory.objects.count(),
        saves().count(),
    )


def stored(unit="A1", variable="WASTE_T", period="2024") -> Value:
    return Value.objects.get(unit__code=unit, variable__code=variable, period=period)


# --- permission ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "unit", "message"),
    [
        ("erin", "A1", "your role may not write values"),
        ("bob", "B2", "you may not write values of unit B2"),
        ("nobody", "A1", "your role may not write values"),
    ],
)
def test_it_refuses_a_user_who_may_not_write_and_changes_nothing(
    cycle, erin, bob, who, unit, message
):
    user = {"erin": erin, "bob": bob, "nobody": None}[who]
    before = snapshot()
    with pytest.raises(WriteRefused) as refused:
        values_save(
            acting_user=user, rows=text_rows((unit, "WASTE_T", "2024", "5")), channel="form"
        )
    assert str(refused.value) == message
    assert isinstance(refused.value, PermissionDenied)
    assert snapshot() == before


def test_it_refuses_a_closed_collection_naming_unit_period_and_reason(cycle, alice, bob):
    Cycle.objects.filter(pk=cycle.pk).update(is_open=False)
    before = snapshot()
    for user in (bob, alice):
        with pytest.raises(WriteRefused) as refused:
            values_save(
                acting_user=user, rows=text_rows(("A1", "WASTE_T", "2024", "5")), channel="api"
            )
        assert list(refused.value.refusals) == [("A1", "2024")]
        assert str(refused.value).startswith("A1 2024: the data collection of 2024 is closed")
    assert snapshot() == before


def test_it_refuses_before_it_checks_the_rows(cycle, bob):
    """A refused caller learns nothing from the answer: not even that a value is bad."""
    with pytest.raises(WriteRefused):
        values_save(
            acting_user=bob,
            rows=text_rows(("B2", "WASTE_T", "2024", "not a number")),
            channel="api",
        )


def test_it_reads_a_channels_file_only_once_the_user_may_write(cycle, erin, bob):
    scope = [(Submission.objects.get(cycle=cycle, unit__code="A1").unit_id, "2024")]
    read = []

    def rows():
        read.append(True)
        return text_rows(("A1", "WASTE_T", "2024", "5"))

    with pytest.raises(WriteRefused):
        values_save(acting_user=erin, rows=rows, scope=scope, channel="excel")
    assert read == []
    values_save(acting_user=bob, rows=rows, scope=scope, channel="excel")
    assert read == [True] and stored().value == 5


def test_the_operator_writes_any_unit_and_period_without_a_user(cycle):
    Cycle.objects.filter(pk=cycle.pk).update(is_open=False)
    values_save(
        acting_user=OPERATOR,
        rows=text_rows(("B2", "WASTE_T", "2024", "7"), ("D4", "WASTE_T", "1999-Q3", "8")),
        channel="import",
        source="fix.csv",
    )
    assert stored("B2").value == 7 and stored("D4", period="1999-Q3").value == 8
    entry = saves().get()
    assert entry.user is None and entry.summary == "fix.csv: 1 new, 1 changed, 0 unchanged values"


# --- parsing ---------------------------------------------------------------------------


def test_it_names_every_bad_line_with_the_channels_own_problems(cycle, bob):
    before = snapshot()
    with pytest.raises(FileProblem) as caught:
        values_save(
            acting_user=bob,
            rows=text_rows(("A1", "WASTE_T", "2024", "-5"), ("A1", "RECYCLED_T", "2024", "1")),
            channel="api",
            problems=[Problem("not a JSON number", line=2, column="value")],
        )
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (1, "-5 is below the minimum of WASTE_T"),
        (2, "not a JSON number"),
    ]
    assert snapshot() == before


def test_rows_without_a_comment_column_keep_the_stored_comments(cycle, bob):
    values_save(
        acting_user=bob,
        rows=text_rows(("A1", "WASTE_T", "2024", "5")).with_columns(
            pl.lit("estimated").alias("comment")
        ),
        channel="form",
    )
    values_save(
        acting_user=bob,
        rows=text_rows(("A1", "WASTE_T", "2024", "6"), comment=False),
        channel="form",
    )
    assert (stored().value, stored().comment) == (6, "estimated")


def test_it_reports_the_version_of_every_row_after_the_write(cycle, bob):
    report = values_save(
        acting_user=bob,
        rows=text_rows(
            ("A1", "WASTE_T", "2024", "5"),  # changed: version 2
            ("A1", "RECYCLED_T", "2024", "320"),  # unchanged: version 1
        ),
        channel="form",
    )
    assert report.versions.sort("__line").select("__line", "version").rows() == [(1, 2), (2, 1)]


# --- the audit entry -------------------------------------------------------------------


def test_one_changing_save_records_one_audit_entry(cycle, bob):
    values_save(
        acting_user=bob,
        rows=text_rows(("A1", "WASTE_T", "2024", "5"), ("A1", "RECYCLED_T", "2024", "6")),
        channel="form",
        about="A1 2024",
        details={"submission": 1},
    )
    entry = saves().get()
    assert (entry.action, entry.channel, entry.user) == ("values.form", "web", bob)
    assert entry.summary == "A1 2024: 0 new, 2 changed, 0 unchanged values"
    assert entry.details == {"submission": 1, "created": 0, "updated": 2, "unchanged": 0}


def test_an_unchanged_save_records_no_audit_entry(cycle, bob):
    report = values_save(
        acting_user=bob, rows=text_rows(("A1", "WASTE_T", "2024", "1010")), channel="form"
    )
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert not saves().exists()


# --- every channel goes through values_save ----------------------------------------------


def logged_in(user) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


def test_the_form_saves_through_values_save(cycle, bob, erin):
    url = reverse("collection:entry_field", args=[cycle.pk, "A1"])
    field = {"variable": "WASTE_T", "value": "5", "version": "1"}
    before = snapshot()
    assert logged_in(erin).post(url, field).status_code == 403
    assert snapshot() == before
    assert logged_in(bob).post(url, field).json()["status"] == "saved"
    entry = saves().get()
    assert (entry.action, entry.channel, entry.user) == ("values.form", "web", bob)
    assert ValueHistory.objects.filter(channel="form").count() == 1


def test_the_excel_upload_saves_through_values_save(cycle, bob, erin):
    submission = Submission.objects.get(cycle=cycle, unit__code="A1")
    book = load_workbook(io.BytesIO(template_build(submission=submission, language="en")))
    sheet = book.worksheets[1]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 8).value == "WASTE_T")
    sheet.cell(row, 5).value = 5
    buffer = io.BytesIO()
    book.save(buffer)
    before = snapshot()
    with pytest.raises(WriteRefused):
        template_import(path_or_bytes=buffer.getvalue(), submission=submission, user=erin)
    # Refused before the file is read: a file that is not even a workbook is not looked at.
    with pytest.raises(WriteRefused):
        template_import(path_or_bytes=b"not a workbook", submission=submission, user=erin)
    assert snapshot() == before
    template_import(path_or_bytes=buffer.getvalue(), submission=submission, user=bob)
    entry = saves().get()
    assert (entry.action, entry.channel, entry.user) == ("values.excel", "web", bob)
    assert stored().value == 5


def test_the_api_saves_through_values_save(cycle, bob, erin):
    body = json.dumps(
        {"values": [{"unit": "A1", "variable": "WASTE_T", "period": "2024", "value": 5}]}
    )
    before = snapshot()
    for user, status in ((erin, 403), (bob, 200)):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)}")
        response = client.post("/api/v1/values", body, content_type="application/json")
        assert response.status_code == status, response.content
        if status == 403:
            assert snapshot() == before
    entry = saves().get()
    assert (entry.action, entry.channel, entry.user) == ("values.write", "api", bob)


def test_the_load_command_saves_through_values_save(cycle, erin, tmp_path):
    path = tmp_path / "fix.csv"
    path.write_text("unit,variable,period,value\nA1,WASTE_T,2024,5\n")
    before = snapshot()
    with pytest.raises(WriteRefused):
        values_load(path=path, acting_user=erin)
    assert snapshot() == before
    values_load(path=path)  # the command line: the operator
    entry = saves().get()
    assert (entry.action, entry.channel, entry.user) == ("values.load", "import", None)
    assert entry.details["file"] == "fix.csv"
    assert stored().value == 5
