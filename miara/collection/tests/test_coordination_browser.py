"""A real browser through the coordinator's path: the cycles, the completion board, the
review of a submitted unit, returning it with a note on one value, and accepting it once
the unit has submitted again. Also the open-a-cycle form and the quality report.

Screenshots land in test-artifacts/ (gitignored) for a person to judge the design.
"""

import re

import pytest

from miara.testing.browser import log_in as browser_log_in
from miara.testing.browser import shot, skip_without_chromium

skip_without_chromium()

import polars as pl  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from miara.collection.cycles import cycle_open, submission_submit  # noqa: E402
from miara.collection.models import ReviewNote, Submission  # noqa: E402
from miara.collection.services import OPERATOR, values_save  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VARIABLES = ["WASTE_T", "RECYCLED_T", "POPULATION", "PERMITS_ISSUED", "PERMIT_STAFF_COST"]


def log_in(page, live_server, username="alice"):
    browser_log_in(page, live_server, username)


def write(unit, variable, value, comment=None):
    frame = pl.DataFrame(
        {
            "unit": [unit],
            "variable": [variable],
            "period": ["2024"],
            "value": [None if value is None else str(value)],
            "comment": [comment],
            "__line": [1],
        },
        schema_overrides={"value": pl.String, "comment": pl.String},
    )
    values_save(acting_user=OPERATOR, rows=frame, channel="form", source="test")


@pytest.fixture
def cycle(alice, mike):
    # Something for the quality report: a missing required value and two big changes,
    # one of them explained.
    write("C3", "POPULATION", None)
    write("B2", "RECYCLED_T", 1500, comment="A new sorting plant opened in March.")
    write("D4", "WASTE_T", 2000)
    cycle = cycle_open(
        period="2024",
        name="Benchmarking 2024",
        variable_codes=VARIABLES,
        unit_codes=["A1", "B2", "C3", "D4"],
        acting_user=alice,
    )
    submission_submit(
        submission=Submission.objects.get(cycle=cycle, unit__code="A1"), acting_user=mike
    )
    return cycle


def test_the_coordinator_returns_a_submission_with_a_note_then_accepts_it(
    page, live_server, cycle, alice, mike
):
    log_in(page, live_server)
    page.goto(live_server.url + "/collection/cycles/")
    expect(page.get_by_role("heading", name="Collection cycles")).to_be_visible()
    shot(page, "coord-cycles")

    page.get_by_role("link", name="Benchmarking 2024").click()
    expect(page.get_by_role("heading", name="Benchmarking 2024")).to_be_visible()
    row = page.locator('tr[data-unit="A1"]')
    expect(row.locator('[data-col="state"]')).to_have_text("Submitted")
    expect(row.locator('[data-col="filled"]')).to_contain_text("5 / 5")
    shot(page, "coord-board")

    row.get_by_role("link", name="Review Alpha").click()
    expect(page.get_by_role("heading", name=re.compile("Alpha"))).to_be_visible()
    expect(page.get_by_role("button", name="Accept the data")).to_be_visible()
    shot(page, "coord-review")

    page.locator('textarea[name="note-WASTE_T"]').fill("Is this in tonnes? It is 1% up.")
    page.get_by_label("General comment").fill("Please confirm the waste figure.")
    page.get_by_role("button", name="Return the data to the unit").click()
    expect(page.locator(".message--success")).to_contain_text("returned to the unit with 1 note")
    expect(page.get_by_role("heading", name="History of this submission")).to_be_visible()
    expect(page.locator(".event-list")).to_contain_text("Please confirm the waste figure.")
    expect(page.locator('tr[data-variable="WASTE_T"]')).to_contain_text("Is this in tonnes?")
    shot(page, "coord-review-returned")
    assert list(ReviewNote.objects.values_list("variable__code", flat=True)) == ["WASTE_T"]

    # The unit answers and submits again.
    submission_submit(
        submission=Submission.objects.get(cycle=cycle, unit__code="A1"), acting_user=mike
    )
    page.reload()
    page.get_by_role("button", name="Accept the data").click()
    expect(page.locator(".message--success")).to_contain_text("the data are accepted")
    expect(page.get_by_role("heading", name="Reopen accepted data")).to_be_visible()
    shot(page, "coord-review-accepted")

    # Reopening without a reason is refused in words, not silently.
    page.get_by_label("Reason (required)").evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name="Reopen for changes").click()
    expect(page.locator(".message--error")).to_contain_text("needs a reason")
    assert Submission.objects.get(cycle=cycle, unit__code="A1").state == "accepted"

    page.get_by_role("link", name="Benchmarking 2024").click()
    expect(page.locator('tr[data-unit="A1"] [data-col="state"]')).to_have_text("Accepted")
    page.get_by_label("State").select_option("draft")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("tbody tr")).to_have_count(3)
    page.get_by_role("link", name="Unit", exact=True).click()  # sorted by unit: reverse it
    expect(page).to_have_url(re.compile(r"state=draft&sort=unit&dir=desc"))
    expect(page.locator("tbody tr").first).to_have_attribute("data-unit", "C3")
    shot(page, "coord-board-drafts")

    page.get_by_role("link", name="Data quality").click()
    expect(page.get_by_role("heading", name="Benchmarking 2024")).to_be_visible()
    expect(page.locator('tr[data-unit="C3"][data-check="required"]')).to_be_visible()
    shot(page, "coord-quality")
    page.get_by_label("Only open findings (not justified)").check()
    page.get_by_role("button", name="Show").click()
    expect(page.locator('tr[data-unit="B2"]')).to_have_count(0)
    expect(page.locator('tr[data-unit="D4"][data-check="change"]')).to_be_visible()


def test_the_coordinator_opens_a_cycle_and_sees_field_errors(page, live_server, alice):
    log_in(page, live_server)
    page.goto(live_server.url + "/collection/cycles/new/")
    shot(page, "coord-cycle-new")
    page.get_by_label("Period").fill("2025-13")
    page.get_by_role("button", name="Open the cycle").click()
    expect(page.locator(".notice--error")).to_be_focused()
    expect(page.locator(".field-errors").first).to_contain_text("is not a period")
    expect(page.get_by_label("Period")).to_have_attribute("aria-invalid", "true")
    shot(page, "coord-cycle-new-errors")

    page.get_by_label("Period").fill("2025")
    page.get_by_label("Name").fill("Benchmarking 2025")
    page.get_by_label("Select all in Municipal waste").check()
    expect(page.locator('input[name="variables"][value="WASTE_T"]')).to_be_checked()
    page.get_by_label("Show units of type").select_option("city_county")
    page.get_by_label("Select all shown units").check()
    expect(page.locator('input[name="units"][value="A1"]')).to_be_checked()
    expect(page.locator('input[name="units"][value="C3"]')).not_to_be_checked()
    page.get_by_role("button", name="Open the cycle").click()
    expect(page.get_by_role("heading", name="Benchmarking 2025")).to_be_visible()
    expect(page.locator(".message--success")).to_contain_text("is open for 2 units")
    expect(page.locator("tbody tr")).to_have_count(2)
    shot(page, "coord-board-new")
