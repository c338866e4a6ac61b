"""Coordinator pages: who may open them, opening a cycle, the board, the review decisions."""

import datetime as dt
import re

import polars as pl
import pytest
from django.urls import reverse

from miara.accounts.models import AuditEntry
from miara.collection.cycles import submission_accept, submission_submit
from miara.collection.findings import cycle_board
from miara.collection.models import (
    Cycle,
    QuestionnaireItem,
    ReviewNote,
    Submission,
    SubmissionEvent,
)
from miara.collection.services import OPERATOR, values_save
from miara.testing.cycles import FOUR_UNITS, cycle_2024

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-horse-42"
VARIABLES = ["WASTE_T", "RECYCLED_T", "POPULATION", "PERMITS_ISSUED"]


@pytest.fixture
def cycle(alice):
    return cycle_2024(
        alice,
        VARIABLES,
        FOUR_UNITS,
        required_codes=["WASTE_T", "POPULATION"],
        deadline=dt.date(2030, 3, 31),
    )


def submission(cycle, unit="A1") -> Submission:
    return Submission.objects.get(cycle=cycle, unit__code=unit)


@pytest.fixture
def submitted(cycle, mike):
    return submission_submit(submission=submission(cycle), acting_user=mike)


def write(unit, variable, period, value, comment=None):
    frame = pl.DataFrame(
        {
            "unit": [unit],
            "variable": [variable],
            "period": [period],
            "value": [None if value is None else str(value)],
            "comment": [comment],
            "__line": [1],
        },
        schema_overrides={"value": pl.String, "comment": pl.String},
    )
    values_save(acting_user=OPERATOR, rows=frame, channel="form", source="test")


def logged_in(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def routes(cycle):
    s = submission(cycle)
    return {
        "get": [
            reverse("collection:coord_cycles"),
            reverse("collection:coord_cycle_new"),
            reverse("collection:coord_board", args=[cycle.pk]),
            reverse("collection:coord_quality", args=[cycle.pk]),
            reverse("collection:coord_quality_csv", args=[cycle.pk]),
            reverse("collection:coord_review", args=[s.pk]),
            reverse("collection:coord_value_history", args=[s.pk, "WASTE_T"]),
        ],
        "post": [
            reverse("collection:coord_cycle_new"),
            reverse("collection:coord_remind", args=[cycle.pk]),
            reverse("collection:coord_accept", args=[s.pk]),
            reverse("collection:coord_return", args=[s.pk]),
            reverse("collection:coord_reopen", args=[s.pk]),
        ],
    }


# --- permissions ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, cycle):
    for method, urls in routes(cycle).items():
        for url in urls:
            response = getattr(client, method)(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/login/"), url


@pytest.mark.parametrize("who", ["bob", "mike"])
def test_editors_and_managers_get_403_everywhere(client, cycle, who, request):
    logged_in(client, request.getfixturevalue(who))
    for method, urls in routes(cycle).items():
        for url in urls:
            assert getattr(client, method)(url).status_code == 403, (method, url)


def test_the_expert_reads_the_board_and_the_quality_report_but_cannot_act(client, cycle, erin):
    logged_in(client, erin)
    readable = {
        reverse("collection:coord_board", args=[cycle.pk]),
        reverse("collection:coord_quality", args=[cycle.pk]),
        reverse("collection:coord_quality_csv", args=[cycle.pk]),
        reverse("collection:coord_value_history", args=[submission(cycle).pk, "WASTE_T"]),
    }
    for url in routes(cycle)["get"]:
        assert client.get(url).status_code == (200 if url in readable else 403), url
    for url in routes(cycle)["post"]:
        assert client.post(url, {"reason": "x", "comment": "x"}).status_code == 403, url
    board = client.get(reverse("collection:coord_board", args=[cycle.pk])).content.decode()
    assert "Send reminders" not in board
    assert "/review/" not in board


def test_the_coordinator_opens_every_page(client, cycle, alice):
    logged_in(client, alice)
    for url in routes(cycle)["get"]:
        assert client.get(url).status_code == 200, url


# --- opening a cycle -----------------------------------------------------------------------


def test_it_opens_a_cycle_through_the_form(client, alice):
    logged_in(client, alice)
    page = client.get(reverse("collection:coord_cycle_new")).content.decode()
    assert "Municipal waste" in page and "Building permits" in page
    response = client.post(
        reverse("collection:coord_cycle_new"),
        {
            "period": "2025",
            "name": "Year 2025",
            "deadline": "2031-04-30",
            "variables": ["WASTE_T", "RECYCLED_T", "PERMITS_ISSUED"],
            "required": ["WASTE_T", "PERMITS_ISSUED", "POPULATION"],  # POPULATION not asked
            "units": ["A1", "C3"],
        },
    )
    cycle = Cycle.objects.get(period="2025")
    assert response.status_code == 302
    assert response["Location"] == reverse("collection:coord_board", args=[cycle.pk])
    assert cycle.name == "Year 2025" and cycle.deadline == dt.date(2031, 4, 30)
    # In the order the form shows them: by service area, then by code.
    assert list(cycle.items.values_list("variable__code", "required")) == [
        ("RECYCLED_T", False),
        ("WASTE_T", True),
        ("PERMITS_ISSUED", True),
    ]
    assert sorted(cycle.submissions.values_list("unit__code", "state")) == [
        ("A1", "draft"),
        ("C3", "draft"),
    ]
    assert AuditEntry.objects.filter(action="cycle.open", user=alice).exists()
    board = client.get(response["Location"]).content.decode()
    assert "is open for 2 units" in board


def test_bad_input_shows_field_errors_and_opens_nothing(client, alice):
    logged_in(client, alice)
    response = client.post(
        reverse("collection:coord_cycle_new"),
        {"period": "2025-13", "name": "  ", "deadline": "not a date", "variables": ["NOPE"]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not a period" in page
    assert "This field is required." in page  # the blank name
    assert "Enter a valid date." in page
    assert "Select a valid choice. NOPE is not one of the available choices." in page
    assert "Choose at least one unit." in page
    assert 'aria-invalid="true"' in page
    assert not Cycle.objects.exists() and not QuestionnaireItem.objects.exists()
    assert not Submission.objects.exists()
    # What was typed is kept, so that only the wrong field has to be corrected.
    assert 'value="2025-13"' in page


def test_it_refuses_a_deadline_in_the_past_and_an_empty_questionnaire(client, alice):
    logged_in(client, alice)
    response = client.post(
        reverse("collection:coord_cycle_new"),
        {"period": "2025", "name": "Year", "deadline": "2001-01-01", "units": ["A1"]},
    )
    page = response.content.decode()
    assert "The deadline is in the past." in page
    assert "Choose at least one variable." in page
    assert not Cycle.objects.exists()


def test_the_cycle_list_counts_submissions_by_state(client, submitted, alice):
    logged_in(client, alice)
    page = client.get(reverse("collection:coord_cycles")).content.decode()
    assert "Year 2024" in page
    row = re.search(r'<tr data-cycle="\d+">.*?</tr>', page, re.S).group(0)
    assert re.search(r'Draft</span>\s*<span class="state-counts__n">3<', row)
    assert re.search(r'Submitted</span>\s*<span class="state-counts__n">1<', row)


# --- the board -----------------------------------------------------------------------------


def _cells(page: str, unit: str) -> dict[str, str]:
    row = re.search(rf'<tr data-unit="{unit}".*?</tr>', page, re.S).group(0)
    return {
        col: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
        for col, html in re.findall(r'data-col="(\w+)"[^>]*>(.*?)</td>', row, re.S)
    }


def test_the_board_shows_the_counts_the_database_holds(client, cycle, alice):
    write("A1", "WASTE_T", "2024", None)  # required value missing: an error
    write("C3", "POPULATION", "2024", None)  # another
    write("B2", "RECYCLED_T", "2024", 5000, comment="new sorting plant")  # justified change
    write("D4", "RECYCLED_T", "2024", 2000)  # a change warning, not justified
    logged_in(client, alice)
    page = client.get(reverse("collection:coord_board", args=[cycle.pk])).content.decode()
    rows = {row["unit"].code: row for row in cycle_board(cycle=cycle)}
    for unit in ("A1", "B2", "C3", "D4"):
        cells = _cells(page, unit)
        row = rows[unit]
        assert cells["filled"].startswith(f"{row['required_filled']} / 2"), (unit, cells)
        assert cells["errors"] == str(row["errors"])
        assert cells["warnings"] == str(row["warnings"])
        assert cells["state"] == "Draft"
    # The figures themselves, from the database rather than from the selector.
    assert rows["A1"]["errors"] == 1
    assert rows["C3"]["filled"] == 3 and rows["C3"]["required_filled"] == 1
    assert rows["C3"]["errors"] == 1
    assert rows["B2"]["warnings"] == 0 and rows["D4"]["warnings"] >= 1
    assert rows["A1"]["filled"] == 3 and rows["A1"]["items"] == 4
    from miara.collection.models import Value

    for unit in ("A1", "B2", "C3", "D4"):
        stored = Value.objects.filter(
            unit__code=unit, period="2024", variable__code__in=VARIABLES, value__isnull=False
        ).count()
        assert rows[unit]["filled"] == stored


def test_the_board_filters_by_state_and_sorts(client, submitted, alice):
    logged_in(client, alice)
    url = reverse("collection:coord_board", args=[submitted.cycle_id])
    page = client.get(url, {"state": "submitted"}).content.decode()
    assert re.findall(r'<tr data-unit="(\w+)"', page) == ["A1"]
    page = client.get(url, {"sort": "unit", "dir": "desc"}).content.decode()
    assert re.findall(r'<tr data-unit="(\w+)"', page) == ["C3", "D4", "B2", "A1"]  # by name
    assert 'aria-sort="descending"' in page
    page = client.get(url, {"sort": "state"}).content.decode()
    assert re.findall(r'<tr data-unit="(\w+)"', page)[-1] == "A1"
    assert client.get(url, {"sort": "nonsense", "state": "nope"}).status_code == 200


def test_the_board_sends_reminders_and_confirms(client, cycle, alice, bob, mike, mailoutbox):
    for user in (bob, mike):
        user.email = f"{user.username}@a1.example"
        user.save()
    logged_in(client, alice)
    response = client.post(reverse("collection:coord_remind", args=[cycle.pk]), follow=True)
    assert "2 reminders sent by email." in response.content.decode()
    assert sorted(m.to[0] for m in mailoutbox) == ["bob@a1.example", "mike@a1.example"]


# --- the quality report --------------------------------------------------------------------


def test_the_quality_report_lists_filters_and_downloads_findings(client, cycle, erin):
    write("A1", "WASTE_T", "2024", None)
    write("D4", "RECYCLED_T", "2024", 2000, comment="a new plant")
    logged_in(client, erin)
    url = reverse("collection:coord_quality", args=[cycle.pk])
    page = client.get(url).content.decode()
    assert 'data-unit="A1" data-variable="WASTE_T" data-check="required"' in page
    assert 'data-unit="D4" data-variable="RECYCLED_T" data-check="change"' in page
    page = client.get(url, {"severity": "error"}).content.decode()
    assert 'data-check="change"' not in page and 'data-check="required"' in page
    page = client.get(url, {"open": "1"}).content.decode()
    assert 'data-unit="D4" data-variable="RECYCLED_T" data-check="change"' not in page
    response = client.get(reverse("collection:coord_quality_csv", args=[cycle.pk]))
    lines = response.content.decode().splitlines()
    assert lines[0] == "unit,unit_name,variable,period,check,severity,value,detail,justified"
    assert "A1,Alpha,WASTE_T,2024,required,error,,required value missing,no" in lines
    assert any(line.startswith("D4,Delta,RECYCLED_T,2024,change,warning,") for line in lines)
    assert next(line for line in lines if "D4,Delta,RECYCLED_T" in line).endswith(",yes")


def test_the_quality_report_words_findings_in_the_readers_language(client, cycle, erin):
    write("D4", "RECYCLED_T", "2024", 2000)
    logged_in(client, erin)
    url = reverse("collection:coord_quality", args=[cycle.pk])
    english = client.get(url).content.decode()
    assert "from last year" in english and "exceeds" not in english
    polish = client.get(url, headers={"accept-language": "pl"}).content.decode()
    assert "from last year" not in polish and "exceeds" not in polish


# --- review decisions ----------------------------------------------------------------------


def test_the_review_shows_values_last_period_findings_and_comments(client, cycle, alice):
    write("A1", "RECYCLED_T", "2024", 900, comment="new sorting plant")
    s = submission_submit(submission=submission(cycle), acting_user=alice)
    logged_in(client, alice)
    page = client.get(reverse("collection:coord_review", args=[s.pk])).content.decode()
    row = re.search(r'<tr data-variable="RECYCLED_T".*?</tr>', page, re.S).group(0)
    assert '<td class="num value-now">900</td>' in row  # this period
    assert '<td class="num muted">300</td>' in row  # and the previous one
    assert "new sorting plant" in row
    assert "warning, justified" in row and "change +200.0% vs 2023 exceeds 50.0%" in row
    assert 'name="note-RECYCLED_T"' in row
    assert reverse("collection:coord_value_history", args=[s.pk, "RECYCLED_T"]) in row
    assert "Accept the data" in page and "Return the data to the unit" in page


def test_the_coordinator_returns_with_a_note_and_then_accepts(client, submitted, alice, mike):
    logged_in(client, alice)
    url = reverse("collection:coord_return", args=[submitted.pk])
    response = client.post(
        url,
        {
            "comment": "Please check the waste figures.",
            "note-WASTE_T": "Is this tonnes?",
            "note-RECYCLED_T": "  ",
            "note-NOT_ASKED": "ignored",
        },
        follow=True,
    )
    assert "returned to the unit with 1 note on values" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == "returned"
    event = SubmissionEvent.objects.filter(submission=submitted).last()
    assert (event.from_state, event.to_state, event.user, event.comment) == (
        "submitted",
        "returned",
        alice,
        "Please check the waste figures.",
    )
    assert list(ReviewNote.objects.values_list("variable__code", "text")) == [
        ("WASTE_T", "Is this tonnes?")
    ]
    page = client.get(reverse("collection:coord_review", args=[submitted.pk])).content.decode()
    assert "Is this tonnes?" in page and "Please check the waste figures." in page

    submission_submit(submission=submitted, acting_user=mike)
    response = client.post(reverse("collection:coord_accept", args=[submitted.pk]), follow=True)
    assert "the data are accepted" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == "accepted"
    assert list(
        SubmissionEvent.objects.filter(submission=submitted).values_list("to_state", flat=True)
    ) == ["submitted", "returned", "submitted", "accepted"]


def test_returning_without_any_comment_is_refused_plainly(client, submitted, alice):
    logged_in(client, alice)
    response = client.post(
        reverse("collection:coord_return", args=[submitted.pk]), {"comment": " "}, follow=True
    )
    assert "Say why the submission is returned." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_accepting_a_draft_is_refused_plainly(client, cycle, alice):
    logged_in(client, alice)
    s = submission(cycle)
    response = client.post(reverse("collection:coord_accept", args=[s.pk]), follow=True)
    assert "This submission is draft; it cannot be accept now." in response.content.decode()
    s.refresh_from_db()
    assert s.state == "draft"


def test_reopening_needs_a_reason(client, submitted, alice):
    submission_accept(submission=submitted, acting_user=alice)
    logged_in(client, alice)
    url = reverse("collection:coord_reopen", args=[submitted.pk])
    response = client.post(url, {"reason": "   "}, follow=True)
    assert "Reopening accepted data needs a reason." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == "accepted"

    response = client.post(url, {"reason": "Population was revised by the office."}, follow=True)
    submitted.refresh_from_db()
    assert submitted.state == "reopened"
    event = SubmissionEvent.objects.filter(submission=submitted).last()
    assert event.comment == "Population was revised by the office." and event.user == alice
    assert "Population was revised by the office." in response.content.decode()


def test_only_accepted_data_offer_reopening(client, submitted, alice):
    logged_in(client, alice)
    page = client.get(reverse("collection:coord_review", args=[submitted.pk])).content.decode()
    assert "Reopen for changes" not in page
    submission_accept(submission=submitted, acting_user=alice)
    page = client.get(reverse("collection:coord_review", args=[submitted.pk])).content.decode()
    assert "Reopen for changes" in page and "Accept the data" not in page


def test_unknown_ids_are_404(client, alice):
    logged_in(client, alice)
    assert client.get(reverse("collection:coord_board", args=[999])).status_code == 404
    assert client.get(reverse("collection:coord_review", args=[999])).status_code == 404


def test_the_cycle_wide_findings_agree_with_each_submissions_own(cycle):
    """One pass over the cycle must judge exactly as the per-submission check that gates
    submitting, including a rule warning explained by a comment on a value it reads."""
    from miara.catalogue.models import ValidationRule
    from miara.collection.findings import findings as cycle_findings
    from miara.collection.findings import submission_findings

    ValidationRule.objects.create(
        code="RECYCLED_WITHIN_WASTE",
        name={"en": "Recycled within collected"},
        expression="RECYCLED_T <= WASTE_T",
        severity="warning",
    )
    write("A1", "RECYCLED_T", "2024", 1500, comment="includes construction waste")
    write("B2", "RECYCLED_T", "2024", 1600)
    write("C3", "POPULATION", "2024", None)
    findings = cycle_findings(cycle=cycle)
    keys = ["unit", "variable", "check", "severity", "detail", "justified", "blocking"]
    together = sorted(tuple(row[k] for k in keys) for row in findings.iter_rows(named=True))
    alone = sorted(
        tuple(f[k] for k in keys) for s in cycle.submissions.all() for f in submission_findings(s)
    )
    assert together == alone
    assert ("A1", "RECYCLED_WITHIN_WASTE", "rule", "warning") in [t[:4] for t in together]
    assert {t[0]: t[5] for t in together if t[2] == "rule"} == {"A1": True, "B2": False}
