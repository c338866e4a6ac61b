"""A real browser through similar units and comparisons, with an axe-core check of WCAG 2.1
AA on every page. Screenshots land in test-artifacts/ for a person to judge the design."""

import re

import pytest

from miara.testing.browser import log_in, shot, skip_without_chromium

skip_without_chromium()

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def assert_accessible(page) -> None:
    """No WCAG 2.1 A/AA violation that axe-core can find on the page as it is now.

    A small local check until miara/testing/a11y.py is merged (same rule tags).
    """
    page.wait_for_load_state("networkidle")
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()


def wait_for_charts(page, count):
    expect(page.locator(".chart--drawn")).to_have_count(count)


def test_it_finds_similar_units_and_benchmarks_within_them(page, live_server, bob):
    log_in(page, live_server, "bob")
    page.goto(live_server.url + "/units/A1/benchmark/")
    page.get_by_role("link", name="Similar units").click()
    expect(page).to_have_url(re.compile(r"/units/A1/similar/"))
    expect(page.get_by_role("heading", name="Alpha")).to_be_visible()

    page.get_by_label("Number of units").fill("3")
    page.get_by_role("checkbox", name="Population").check()
    page.get_by_role("button", name="Find similar units").click()
    expect(page).to_have_url(re.compile(r"k=3"))
    expect(page.locator(".similar-table tbody tr")).to_have_count(4)  # the unit and three
    expect(page.locator(".context-line")).to_contain_text("3 nearest by Population")
    wait_for_charts(page, 1)  # anonymised: the distances only, no values' profile
    expect(page.locator(".similar-table")).not_to_contain_text("Beta")
    assert_accessible(page)
    shot(page, "similar-units")
    page.set_viewport_size({"width": 820, "height": 1180})
    page.reload()  # charts take the container's width when drawn
    wait_for_charts(page, 1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
    shot(page, "similar-units-tablet")
    page.emulate_media(media="print")
    expect(page.locator(".similar-form")).to_be_hidden()
    expect(page.locator(".similar-table")).to_be_visible()
    shot(page, "similar-units-print")
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1366, "height": 900})

    page.get_by_role("link", name="Benchmark within these units").click()
    expect(page).to_have_url(re.compile(r"/units/A1/benchmark/\?.*group=similar"))
    expect(page.get_by_label("Compared with")).to_have_value("similar")
    expect(page.locator(".context-line")).to_contain_text("Similar units (3 nearest by Population)")
    expect(page.locator('tr[data-indicator="RECYCLING_RATE"] [data-col="rank"]')).to_contain_text(
        "of 4"
    )
    # Switching the period keeps the choice of similar units.
    page.get_by_label("Period", exact=True).select_option("2023")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"period=2023.*k=3"))
    expect(page.locator(".context-line")).to_contain_text("3 nearest by Population")
    shot(page, "benchmark-similar")


def test_it_builds_saves_and_reopens_a_comparison(page, live_server, alice):
    log_in(page, live_server, "alice")
    page.get_by_role("link", name="Compare", exact=True).click()
    expect(page.get_by_role("heading", name="Compare units")).to_be_visible()
    assert_accessible(page)
    shot(page, "compare-empty")

    for name in ("Alpha", "Beta", "Gamma"):
        page.get_by_role("checkbox", name=name, exact=True).check()
    for name in ("Recycling rate", "Waste per inhabitant"):
        page.get_by_role("checkbox", name=name).check()
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page).to_have_url(re.compile(r"units=A1&units=B2&units=C3"))
    expect(page.locator(".compare-table thead th")).to_have_count(5)  # indicator, 3, median
    wait_for_charts(page, 2)
    page.locator("details summary").first.click()
    expect(page.locator(".small-multiple table").first).to_be_visible()
    assert_accessible(page)
    shot(page, "compare-units")

    share = page.get_by_label("Link to this comparison").input_value()
    assert "units=A1,B2,C3" in share and "indicators=RECYCLING_RATE,WASTE_PC" in share
    page.get_by_label("Save as").fill("Three offices")
    page.get_by_role("button", name="Save comparison").click()
    expect(page.locator(".messages")).to_contain_text("Saved “Three offices”")

    page.get_by_role("link", name=re.compile("Saved comparisons")).click()
    expect(page.get_by_role("link", name="Three offices")).to_be_visible()
    assert_accessible(page)
    shot(page, "compare-saved")
    page.get_by_role("link", name="Three offices").click()
    expect(page.locator(".compare-table")).to_contain_text("Gamma")

    page.goto(share)  # the shared link opens the same comparison
    expect(page.locator(".compare-table thead")).to_contain_text("Beta")
    wait_for_charts(page, 2)

    page.set_viewport_size({"width": 820, "height": 1180})
    page.reload()
    wait_for_charts(page, 2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
    shot(page, "compare-tablet")
    page.emulate_media(media="print")
    expect(page.locator(".compare-form")).to_be_hidden()
    shot(page, "compare-print")


def test_a_participant_compares_with_the_median_of_anonymous_peers(page, live_server, bob):
    log_in(page, live_server, "bob")
    page.goto(live_server.url + "/compare/")
    expect(page.get_by_role("checkbox", name="Beta")).to_have_count(0)
    page.get_by_label("With its peers").select_option("similar")
    page.get_by_role("checkbox", name="Recycling rate").check()
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page.locator(".compare-table thead")).to_contain_text("Alpha")
    # Anonymised: the own unit against the similar units' median, no other unit's column.
    expect(page.locator(".compare-table thead")).not_to_contain_text("Unit ")
    expect(page.locator("main")).to_contain_text("other units are not shown one by one")
    expect(page.locator("main")).not_to_contain_text("Beta")
    wait_for_charts(page, 1)
    svg_text = page.locator(".small-multiple svg").first.text_content()
    assert "Beta" not in svg_text and "B2" not in svg_text
    assert_accessible(page)
    shot(page, "compare-anonymised")

    response = page.goto(live_server.url + "/compare/?units=A1,B2&indicators=RECYCLING_RATE")
    assert response.status == 404  # as for a code that does not exist
    expect(page.locator("main")).not_to_contain_text("Beta")


def test_it_shows_bad_input_helpfully_in_polish(page, live_server, alice):
    log_in(page, live_server, "alice")
    page.get_by_label("Language", exact=True).select_option("pl")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    response = page.goto(live_server.url + "/compare/?units=A1&indicators=NOPE")
    assert response.status == 404
    expect(page.locator("main")).to_contain_text("Nie ma wskaźnika o kodzie „NOPE”")
    shot(page, "compare-404-pl")
    page.goto(live_server.url + "/units/A1/similar/?variables=POPULATION&k=3")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha")
    expect(page.locator(".eyebrow")).to_have_text("Podobne jednostki")
    wait_for_charts(page, 2)
    assert_accessible(page)
    shot(page, "similar-units-pl")
