"""A real browser: a manager follows "set a target" from the scorecard, sets the target on
the targets page and sees its status; axe-core checks both pages.

Screenshots land in test-artifacts/ (gitignored) for a person to judge the design.
"""

import re

import pytest

from miara.testing.a11y import assert_accessible
from miara.testing.browser import log_in, shot, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_sets_a_target_and_sees_its_status(page, live_server, mike):
    log_in(page, live_server, "mike")
    page.goto(live_server.url + "/units/A1/benchmark/")
    row = page.locator('tr[data-indicator="RECYCLING_RATE"]')
    row.get_by_role("link", name="set a target").click()
    expect(page).to_have_url(re.compile(r"/units/A1/targets/\?indicator=RECYCLING_RATE"))
    expect(page.get_by_role("heading", name="Set a target")).to_be_visible()
    assert_accessible(page)

    form = page.locator("form[action$='/targets/set/']")
    expect(form.get_by_label("Indicator")).to_have_value("RECYCLING_RATE")
    form.get_by_label("Period (or the start of a trajectory)").fill("2023")
    form.get_by_label("Target in that period").fill("30")
    form.get_by_label("Final period (for a trajectory)").fill("2025")
    form.get_by_label("Final target").fill("50")
    form.get_by_label("Owner").select_option("mike")
    form.get_by_role("button", name="Save the target").click()

    expect(page.get_by_role("status")).to_contain_text("The target of RECYCLING_RATE was saved.")
    # 2024's target is 40 (30 to 50 over 2023-2025); 31.68 < 40, and the line through 30
    # and 31.68 reaches 33.4 in 2025, short of 50: off track.
    target_row = page.locator("#target-RECYCLING_RATE")
    expect(target_row.locator('[data-col="status"]')).to_have_text("✗ off track")
    expect(target_row).to_contain_text("2023: 30.0 → 2025: 50.0")
    expect(page.locator(".target-history")).to_contain_text("version 1")
    assert_accessible(page)
    shot(page, "targets-page")

    page.goto(live_server.url + "/units/A1/benchmark/")
    expect(page.locator('tr[data-indicator="RECYCLING_RATE"] [data-col="target"]')).to_contain_text(
        "off track"
    )
    assert_accessible(page)
