"""A real browser through the scorecard and the indicator page, with axe-core checks.

Screenshots land in test-artifacts/ (gitignored) for a person to judge the design.
"""

import re

import pytest

from miara.testing.a11y import assert_accessible, axe_violations
from miara.testing.browser import log_in as browser_log_in
from miara.testing.browser import shot, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username="bob"):
    browser_log_in(page, live_server, username)


def indicator_rows(page):
    return page.locator("tr[data-indicator]").evaluate_all(
        "rows => rows.map(r => r.dataset.indicator)"
    )


def charts_drawn(page, *ids):
    for chart_id in ids:
        expect(page.locator(f"#{chart_id}.chart--drawn svg")).to_be_visible()


def test_it_walks_bob_from_his_scorecard_to_an_indicator(page, live_server, bob):
    log_in(page, live_server)
    page.goto(live_server.url + "/units/A1/benchmark/")
    expect(page.locator('tr[data-indicator="RECYCLING_RATE"] svg.strip')).to_be_visible()
    expect(page.locator('tr[data-indicator="RECYCLING_RATE"] svg.sparkline-svg')).to_be_visible()
    assert indicator_rows(page) == ["RECYCLING_RATE", "WASTE_PC", "PERMIT_COST", "POP"]
    assert_accessible(page)
    shot(page, "scorecard")

    page.get_by_label("Service area", exact=True).select_option(label="Municipal waste")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"area=WASTE"))
    assert indicator_rows(page) == ["RECYCLING_RATE", "WASTE_PC"]
    shot(page, "scorecard-waste")

    page.get_by_label("Service area", exact=True).select_option("")
    page.get_by_label("Order", exact=True).select_option("gap")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"sort=gap"))
    expect(page.locator(".area-row")).to_contain_text("largest shortfall")
    # Neutral indicators have no gap: they come last.
    assert indicator_rows(page)[-1] == "POP"
    assert_accessible(page)
    shot(page, "scorecard-by-gap")

    page.get_by_label("Order", exact=True).select_option("area")
    page.get_by_label("Compared with").select_option("CITIES")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"group=CITIES"))
    expect(page.locator('tr[data-indicator="RECYCLING_RATE"] [data-col="rank"]')).to_contain_text(
        "of 2"
    )

    page.locator('tr[data-indicator="RECYCLING_RATE"]').get_by_role(
        "link", name="Recycling rate"
    ).click()
    expect(page).to_have_url(
        re.compile(r"/indicators/RECYCLING_RATE/\?unit=A1&period=2024&group=CITIES")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Recycling rate")
    charts_drawn(page, "chart-distribution", "chart-ranking", "chart-trend")
    expect(page.locator(".lineage")).to_contain_text("RECYCLED_T")
    expect(page.locator(".group-table")).to_contain_text("Alpha")
    expect(page.locator(".group-table")).not_to_contain_text("Beta")
    assert_accessible(page)
    shot(page, "indicator")

    page.get_by_text("The trend as a table").click()
    expect(page.locator(".trend-table")).to_be_visible()
    shot(page, "indicator-trend-table")

    page.set_viewport_size({"width": 820, "height": 1180})
    shot(page, "indicator-tablet")
    page.emulate_media(media="print")
    expect(page.locator(".filter-bar")).to_be_hidden()
    shot(page, "indicator-print")


def test_it_shows_a_coordinator_the_indicator_page_in_polish(page, live_server, alice):
    log_in(page, live_server, "alice")
    page.goto(live_server.url + "/catalogue/")
    page.get_by_role("link", name="Cost of one building-permit decision").click()
    expect(page).to_have_url(re.compile(r"/indicators/PERMIT_COST/$"))
    charts_drawn(page, "chart-distribution", "chart-ranking", "chart-trend")
    expect(page.locator(".group-table")).to_contain_text("Beta")
    page.get_by_label("Seen from").select_option("B2")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".lineage")).to_contain_text("PERMIT_STAFF_COST")
    assert_accessible(page)
    shot(page, "indicator-coordinator")

    page.get_by_label("Language", exact=True).select_option("pl")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.get_by_role("heading", name="Rozkład w grupie")).to_be_visible()
    charts_drawn(page, "chart-distribution")
    assert_accessible(page)
    shot(page, "indicator-pl")

    page.goto(live_server.url + "/units/B2/benchmark/?sort=gap")
    expect(page.get_by_role("columnheader", name="Odstęp od mediany")).to_be_visible()
    shot(page, "scorecard-pl")


@pytest.mark.parametrize("username", ["bob", "alice"])
def test_the_main_pages_have_no_wcag_violations(page, live_server, username, request):
    request.getfixturevalue(username)
    log_in(page, live_server, username)
    for path in ("/", "/units/", "/catalogue/", "/units/A1/benchmark/", "/indicators/WASTE_PC/"):
        page.goto(live_server.url + path)
        if path.startswith("/indicators/"):
            charts_drawn(page, "chart-distribution")
        assert_accessible(page)
    page.goto(live_server.url + "/indicators/NOPE/")
    assert_accessible(page)


def test_the_accessibility_check_reports_what_is_wrong(page):
    page.set_content('<html><body><img src="x.png"><p style="color:#ddd">faint</p></body></html>')
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "color-contrast", "html-has-lang"} <= found
    with pytest.raises(AssertionError, match=r"image-alt \(critical\).*\n    at img"):
        assert_accessible(page)


def test_it_refuses_bob_another_units_indicator_page(page, live_server, bob, carol):
    log_in(page, live_server)
    response = page.goto(live_server.url + "/indicators/WASTE_PC/?unit=B2")
    # As for a unit that does not exist: 404, so that codes cannot be probed.
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("We could not find that")


def test_a_large_group_is_drawn_as_a_histogram(page, live_server, alice, monkeypatch):
    """Bars as tall as their counts (a bar mark with x and x2 once drew thin lines)."""
    from miara.analytics import indicator_detail

    monkeypatch.setattr(indicator_detail, "DOTS_UP_TO", 2)
    monkeypatch.setattr(indicator_detail, "HISTOGRAM_BINS", 3)
    log_in(page, live_server, "alice")
    page.goto(live_server.url + "/indicators/RECYCLING_RATE/?unit=A1&period=2024")
    charts_drawn(page, "chart-distribution")
    counts = page.locator(".histogram-table [data-col=count]").evaluate_all(
        "cells => cells.map(c => Number(c.textContent))"
    )
    # The bins' layer is the second rect layer (the first is the Q1–Q3 band).
    heights = (
        page.locator("#chart-distribution g.mark-rect")
        .nth(1)
        .locator("path")
        .evaluate_all("paths => paths.map(p => p.getBBox().height)")
    )
    assert len(heights) == len(counts) == 3
    tallest = max(heights)
    assert tallest > 30
    for height, count in zip(heights, counts, strict=True):
        assert height == pytest.approx(tallest * count / max(counts), abs=1.5)
    assert_accessible(page)
    shot(page, "indicator-histogram")
