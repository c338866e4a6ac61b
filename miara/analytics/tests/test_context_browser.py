"""A real browser through the context-fair comparison, with axe-core checks."""

import re

import pytest

from miara.analytics.tests.test_context_page import wider  # noqa: F401
from miara.testing.a11y import assert_accessible
from miara.testing.browser import log_in, shot, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_chooses_the_context_and_reads_the_chart(page, live_server, alice, wider):  # noqa: F811
    log_in(page, live_server, "alice")
    page.goto(live_server.url + "/indicators/RECYCLING_RATE/?unit=A1&period=2024")
    expect(page.locator('[data-stat="expectation"]')).to_contain_text("than expected")
    page.get_by_role("link", name=re.compile("Context-fair comparison")).click()
    expect(page).to_have_url(re.compile(r"/indicators/RECYCLING_RATE/context/"))
    expect(page.locator("#chart-context.chart--drawn svg")).to_be_visible()
    expect(page.locator(".context-table tbody tr")).to_have_count(10)
    assert_accessible(page)
    shot(page, "context-comparison")

    page.get_by_label("Population").uncheck()
    page.get_by_role("button", name="Show").click()
    # No variable chosen: the default (population) again, never an empty fit.
    expect(page.locator('[data-stat="n"]')).to_have_text("10")


def test_an_editor_sees_their_own_unit_only(page, live_server, bob, wider):  # noqa: F811
    log_in(page, live_server, "bob")
    page.goto(live_server.url + "/indicators/RECYCLING_RATE/context/?period=2024")
    expect(page.locator(".context-table tbody tr")).to_have_count(1)
    expect(page.locator('[data-why="own-only"]')).to_be_visible()
    assert_accessible(page)
