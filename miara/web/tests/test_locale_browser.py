"""Charts speak the page's language: Vega gets the page's number and date locale.

The server writes "120 000" beside a Polish chart; the chart's own axis must not say
"120,000".
"""

import re

import pytest

from miara.testing.browser import skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NBSP = "\u00a0"


def axis_labels(page, chart_id):
    expect(page.locator(f"#{chart_id}.chart--drawn svg")).to_be_visible()
    return page.locator(f"#{chart_id} svg .role-axis-label text").all_text_contents()


def open_population_page(page, live_server, language):
    # The charts must draw under the Content-Security-Policy (no eval, no inline script).
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(live_server.url + "/login/")
    page.locator("input[name=username]").fill("erin")
    page.locator("input[name=password]").fill("Correct-horse-42")
    page.locator("input[name=password]").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(live_server.url + "/indicators/POP/?period=2024")
    labels = axis_labels(page, "chart-ranking") + axis_labels(page, "chart-distribution")
    assert not refused, refused
    return labels


@pytest.mark.parametrize("language", ["pl", "cs"])
def test_it_groups_thousands_with_a_space_and_no_comma(page, live_server, erin, language):
    labels = open_population_page(page, live_server, language)
    grouped = [t for t in labels if re.fullmatch(r"\d{1,3}([ \u00a0\u202f]\d{3})+", t)]
    assert grouped, labels
    assert not [t for t in labels if re.search(r"\d,\d{3}", t)], labels


def test_it_keeps_english_grouping_in_english(page, live_server, erin):
    labels = open_population_page(page, live_server, "en")
    assert [t for t in labels if re.fullmatch(r"\d{1,3}(,\d{3})+", t)], labels
    assert not [t for t in labels if NBSP in t], labels
