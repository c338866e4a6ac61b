"""A real browser through the main flow: log in, read the benchmark, switch, translate.

Screenshots land in test-artifacts/ (gitignored) for a person to judge the design.
"""

import re

import pytest

from miara.testing.browser import ARTIFACTS, shot, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username="bob"):
    page.goto(live_server.url + "/login/")
    shot(page, "login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill("Correct-horse-42")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_it_walks_bob_through_his_benchmark(page, live_server, bob):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()
    shot(page, "welcome")
    log_in(page, live_server)
    expect(page.get_by_role("link", name="Alpha")).to_be_visible()
    shot(page, "home")

    page.get_by_role("link", name="Alpha").click()
    expect(page).to_have_url(re.compile(r"/units/A1/benchmark/$"))
    expect(page.get_by_role("heading", name="Alpha")).to_be_visible()
    expect(page.locator('tr[data-indicator="RECYCLING_RATE"]')).to_contain_text("Recycling rate")
    shot(page, "benchmark")

    page.get_by_label("Period", exact=True).select_option("2023")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"period=2023"))
    expect(page.locator(".context-line")).to_contain_text("2023")

    page.get_by_label("Compared with").select_option("CITIES")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"group=CITIES"))
    expect(page.locator(".context-line")).to_contain_text("Cities with county rights")
    expect(page.locator('tr[data-indicator="RECYCLING_RATE"] [data-col="rank"]')).to_contain_text(
        "of 2"
    )
    shot(page, "benchmark-2023-cities")

    page.get_by_label("Language", exact=True).select_option("pl")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page).to_have_url(re.compile(r"/units/A1/benchmark/\?period=2023&group=CITIES"))
    expect(page.get_by_role("columnheader", name="Mediana")).to_be_visible()
    expect(page.locator('tr[data-indicator="RECYCLING_RATE"]')).to_contain_text("Poziom recyklingu")
    expect(page.get_by_role("link", name="Jednostki", exact=True)).to_be_visible()
    shot(page, "benchmark-pl")

    page.set_viewport_size({"width": 820, "height": 1180})
    shot(page, "benchmark-tablet")

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".filter-bar")).to_be_hidden()
    shot(page, "benchmark-print")


def test_it_shows_where_the_keyboard_focus_is(page, live_server, bob):
    log_in(page, live_server)
    page.goto(live_server.url + "/units/A1/benchmark/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert _outline(page) != "none"
    shot(page, "focus-skip-link")

    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")  # Overview
    expect(page.get_by_role("link", name="Overview")).to_be_focused()
    assert _outline(page) != "none"
    page.get_by_label("Period", exact=True).focus()
    assert _outline(page) != "none"
    page.screenshot(path=str(ARTIFACTS / "focus-select.png"))


def test_it_shows_the_other_pages(page, live_server, alice):
    log_in(page, live_server, "alice")
    for path, name in (
        ("/units/", "units"),
        ("/catalogue/", "catalogue"),
        ("/profile/", "profile"),
        ("/units/D4/benchmark/", "benchmark-no-data"),
        ("/no-such-page/", "404"),
    ):
        page.goto(live_server.url + path)
        shot(page, name)
    page.goto(live_server.url + "/profile/")
    page.get_by_label("Token name (optional)").fill("nightly import")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#new-token")).to_contain_text("miara_")
    shot(page, "profile-new-token")


def test_it_refuses_bob_another_units_benchmark(page, live_server, bob, carol):
    log_in(page, live_server)
    response = page.goto(live_server.url + "/units/B2/benchmark/")
    # As for a unit that does not exist: 404, so that codes cannot be probed.
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("We could not find that")
    expect(page.locator("main")).not_to_contain_text("Beta")
    # A page bob's role may not open is still a 403.
    response = page.goto(live_server.url + "/collection/cycles/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_contain_text("You may not open this page")
    shot(page, "403")


def _outline(page) -> str:
    return page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle === 'none' ? 'none' : s.outlineStyle + ' ' + s.outlineWidth; }"
    )
