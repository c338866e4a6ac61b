"""The publication page in a real browser, checked with axe."""

import pytest

from miara.testing.a11y import assert_accessible
from miara.testing.browser import log_in, shot, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_checks_the_audit_publishes_and_retracts(page, live_server, coordinator):
    log_in(page, live_server, "cora")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Publication").click()
    expect(page.get_by_role("heading", name="Publication", level=1)).to_be_visible()
    expect(page.get_by_text("Nothing is published yet.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Period").select_option("2024")
    page.get_by_label("Public threshold k").fill("5")
    page.get_by_role("button", name="Check what would be withheld").click()
    withheld = page.get_by_role("table", name="Groups the public will not see, and why")
    expect(withheld).to_contain_text("withheld to protect a smaller group")
    expect(withheld).to_contain_text("fewer units than the threshold")
    assert_accessible(page)
    shot(page, "publication-preview")

    page.get_by_role("button", name="Publish 2024").click()
    expect(page.get_by_role("status").first).to_contain_text("2024 is published.")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="2024"))
    expect(row).to_contain_text("1 too small, 1 to protect a smaller group")
    assert_accessible(page)

    row.get_by_label("Why is it retracted?").fill("A unit's cases were misreported")
    row.get_by_role("button", name="Retract 2024").click()
    expect(page.get_by_role("status").first).to_contain_text("is retracted")
    expect(page.get_by_role("row").filter(has_text="misreported")).to_be_visible()
    assert_accessible(page)
    shot(page, "publication-list")
