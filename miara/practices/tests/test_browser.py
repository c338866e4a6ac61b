"""A real browser: an editor proposes a practice, a coordinator publishes it, the public
reads it without logging in; axe-core checks each page.

Screenshots land in test-artifacts/ (gitignored) for a person to judge the design.
"""

import pytest

from miara.testing.a11y import assert_accessible
from miara.testing.browser import log_in, shot, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_propose_publish_and_read_a_practice(page, live_server, carol, alice):
    log_in(page, live_server, "carol")
    page.goto(live_server.url + "/practices/")
    assert_accessible(page)
    page.get_by_role("link", name="Propose a practice").click()
    expect(page.get_by_role("heading", name="Propose a practice")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Title").fill("Sorting bins at the source")
    page.get_by_label("The problem").fill("Too little was **recycled**.")
    page.get_by_label("What was done").fill("Bins in every yard.")
    page.get_by_label("Started on").fill("2024-03-01")
    page.get_by_label("Service area").select_option("WASTE")
    page.get_by_label("Recycling rate (RECYCLING_RATE)").check()
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.get_by_role("status")).to_contain_text("The practice was saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sorting bins at the source")
    evidence = page.locator('.evidence-table tr[data-indicator="RECYCLING_RATE"]')
    expect(evidence.locator('[data-col="before"]')).to_have_text("+14.3 %")
    assert_accessible(page)
    url = page.url

    page.context.clear_cookies()
    log_in(page, live_server, "alice")
    page.goto(url)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("The practice was published.")
    assert_accessible(page)

    page.context.clear_cookies()
    page.goto(live_server.url + "/public/practices/")
    assert_accessible(page)
    page.get_by_role("link", name="Sorting bins at the source").click()
    expect(page.locator('[data-field="author"]')).to_have_text(
        "an office (city with county rights)"
    )
    expect(page.get_by_text("Licence: CC BY 4.0")).to_be_visible()
    assert_accessible(page)
    shot(page, "practice-public-page")
