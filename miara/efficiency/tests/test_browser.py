"""A real browser: an expert defines a model in the form, reads the ranked scores with the
frontier drawn, and opens a unit's page; axe-core checks each page.

Screenshots land in test-artifacts/ (gitignored) for a person to judge the design.
"""

import pytest

from miara.testing.a11y import assert_accessible
from miara.testing.browser import log_in, shot, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_expert_defines_a_model_and_reads_it(page, live_server, erin):
    log_in(page, live_server, "erin")
    page.goto(live_server.url + "/efficiency/")
    page.get_by_role("link", name="New model").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Waste recycling")
    page.get_by_label("Inputs (what the service uses, e.g. staff cost)").select_option("WASTE_T")
    page.get_by_label("Outputs (what the service delivers, e.g. decisions issued)").select_option(
        "RECYCLED_T"
    )
    page.get_by_label("Period (for the Malmquist index: from)").fill("2024")
    page.get_by_role("button", name="Save and compute").click()

    expect(page.get_by_role("heading", name="Waste recycling")).to_be_visible()
    expect(page.locator("#efficiency-frontier svg, #efficiency-frontier canvas")).to_be_visible()
    expect(page.locator("figcaption")).to_contain_text("efficient units: Delta")
    assert_accessible(page)
    shot(page, "efficiency-model")

    page.get_by_role("link", name="Alpha").click()
    expect(page.locator(".efficiency-sentence")).to_contain_text(
        "To be efficient like 1.07 × Delta, Alpha would need 25.0 % less"
    )
    assert_accessible(page)
    shot(page, "efficiency-unit")
