"""A real browser through the questionnaire: the editor fills it in, a warning appears and
is explained, a bad Excel upload is reported cell by cell, and the manager submits.

Screenshots land in test-artifacts/ (gitignored) for a person to judge the design.
"""

import io
import re
from pathlib import Path

import pytest

from miara.testing.browser import log_in as browser_log_in
from miara.testing.browser import shot, skip_without_chromium

skip_without_chromium()

from openpyxl import load_workbook  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from miara.collection.models import Submission, Value  # noqa: E402
from miara.testing.cycles import FOUR_UNITS, cycle_2024  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VARIABLES = ["WASTE_T", "RECYCLED_T", "POPULATION", "PERMITS_ISSUED", "PERMIT_STAFF_COST"]


@pytest.fixture
def cycle(alice):
    return cycle_2024(alice, VARIABLES, FOUR_UNITS)


def log_in(page, live_server, username="bob"):
    browser_log_in(page, live_server, username)


def log_out(page):
    page.get_by_role("button", name="Log out").click()


def field(page, code):
    return page.locator(f"#field-{code}")


def test_the_editor_fills_in_uploads_and_the_manager_submits(
    page, live_server, cycle, bob, mike, tmp_path
):
    log_in(page, live_server)
    page.goto(live_server.url + "/collection/")
    expect(page.get_by_role("heading", name="My questionnaires")).to_be_visible()
    shot(page, "entry-list")
    page.get_by_role("link", name=re.compile("Fill in")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alpha")
    shot(page, "entry-form")

    # A large change: the server's warning appears next to the field, in words.
    value = page.get_by_label("Municipal waste collected", exact=True)
    value.fill("3300")
    value.press("Tab")
    waste = field(page, "WASTE_T")
    expect(waste.locator(".entry-status")).to_contain_text("Saved")
    expect(waste.locator(".finding--warning")).to_contain_text(
        "changed by +230 % from last year (1,000 → 3,300): explain in the comment"
    )
    expect(page.locator("[data-progress=open_warnings]")).to_have_text("1")
    expect(page.locator("#entry-announce")).to_contain_text("Municipal waste collected: Saved")
    shot(page, "entry-warning")

    # Explained in the comment: the warning is kept, marked as explained.
    page.get_by_role("textbox", name="Comment — Municipal waste collected").fill(
        "A new landfill opened in March; the figure is correct."
    )
    page.keyboard.press("Tab")
    expect(waste.locator(".finding--explained")).to_contain_text("Explained:")
    expect(page.locator("[data-progress=open_warnings]")).to_have_text("0")
    assert Value.objects.get(unit__code="A1", variable__code="WASTE_T", period="2024").value == 3300

    # While typing, only "is it a number" is checked, in the browser.
    recycled = page.get_by_label("Recycled waste", exact=True)
    recycled.fill("3o0")
    expect(field(page, "RECYCLED_T").locator(".entry-hint")).to_contain_text("not a number")
    expect(recycled).to_have_attribute("aria-invalid", "true")
    assert _outline(page) != "none"
    shot(page, "entry-typing")
    recycled.fill("320,5")
    expect(field(page, "RECYCLED_T").locator(".entry-hint")).to_be_hidden()
    recycled.press("Tab")
    expect(field(page, "RECYCLED_T").locator(".entry-status")).to_contain_text("Saved")

    # An Excel file with one bad cell: the report lists it, nothing is stored.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Excel template").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book["Data"]
    rows = {sheet.cell(r, 8).value: r for r in range(2, sheet.max_row + 1)}
    sheet.cell(rows["POPULATION"], 5).value = "about 120 thousand"
    sheet.cell(rows["PERMITS_ISSUED"], 5).value = 410
    filled = tmp_path / "alpha-2024.xlsx"
    book.save(filled)
    page.get_by_label("Filled-in Excel questionnaire (.xlsx)").set_input_files(str(filled))
    page.get_by_role("button", name="Upload Excel").click()
    report = page.locator("#upload-report")
    expect(report).to_contain_text("alpha-2024.xlsx was not uploaded: nothing was saved")
    expect(report.locator("tbody tr")).to_have_count(1)
    expect(report.locator("tbody tr")).to_contain_text(f"E{rows['POPULATION']}")
    expect(report).to_be_focused()
    assert (
        Value.objects.get(unit__code="A1", variable__code="PERMITS_ISSUED", period="2024").value
        == 401
    )
    shot(page, "entry-upload-report")
    with page.expect_download() as problems:
        report.get_by_role("link", name="Download this list as Excel").click()
    assert (
        load_workbook(io.BytesIO(Path(problems.value.path()).read_bytes())).active.cell(2, 1).value
        == f"E{rows['POPULATION']}"
    )

    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(page.url.split("upload")[0])
    shot(page, "entry-form-tablet")
    page.set_viewport_size({"width": 1366, "height": 900})

    # The manager submits.
    log_out(page)
    log_in(page, live_server, "mike")
    page.goto(live_server.url + f"/collection/{cycle.pk}/A1/")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Submitted.")
    expect(page.locator(".entry-readonly")).to_contain_text("has been submitted")
    expect(page.get_by_label("Municipal waste collected", exact=True)).to_have_count(0)
    assert Submission.objects.get(cycle=cycle, unit__code="A1").state == "submitted"
    shot(page, "entry-submitted")


def test_submitting_with_problems_links_to_the_fields(page, live_server, cycle, mike):
    Value.objects.filter(unit__code="A1", variable__code="POPULATION", period="2024").update(
        value=None
    )
    log_in(page, live_server, "mike")
    page.goto(live_server.url + f"/collection/{cycle.pk}/A1/")
    page.get_by_role("button", name="Submit", exact=True).click()
    blocked = page.locator("#blocked")
    expect(blocked).to_contain_text("The questionnaire was not submitted")
    expect(blocked).to_be_focused()
    shot(page, "entry-blocked")
    blocked.get_by_role("link", name="Population").click()
    expect(page).to_have_url(re.compile(r"#POPULATION-value$"))


def test_the_form_works_without_javascript(browser, live_server, cycle, bob):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, live_server)
        page.goto(live_server.url + f"/collection/{cycle.pk}/A1/")
        expect(page.get_by_text("Nothing is saved until you press this button.")).to_be_visible()
        page.get_by_label("Municipal waste collected", exact=True).fill("1 020,5")
        page.get_by_label("Population", exact=True).fill("-3")
        page.get_by_role("button", name="Save all changes").click()
        expect(field(page, "POPULATION").locator(".entry-errors")).to_contain_text(
            "below the minimum 0"
        )
        expect(page.get_by_label("Population", exact=True)).to_have_attribute(
            "aria-invalid", "true"
        )
        shot(page, "entry-nojs-error")
        assert (
            Value.objects.get(unit__code="A1", variable__code="WASTE_T", period="2024").value
            == 1010
        )
        page.get_by_label("Population", exact=True).fill("120200")
        page.get_by_role("button", name="Save all changes").click()
        expect(page.locator(".messages")).to_contain_text("Saved: 2 values changed.")
        assert (
            Value.objects.get(unit__code="A1", variable__code="WASTE_T", period="2024").value
            == 1020.5
        )
        expect(page.get_by_label("Municipal waste collected", exact=True)).to_have_value("1020.5")
    finally:
        context.close()


def _outline(page) -> str:
    return page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle === 'none' ? 'none' : s.outlineStyle + ' ' + s.outlineWidth; }"
    )
