"""A visitor without a login walks the public site in Polish, Czech and English, with
axe-core checks on every page. Screenshots land in test-artifacts/ (gitignored)."""

from __future__ import annotations

import re

import pytest

from miara.testing.a11y import assert_accessible
from miara.testing.browser import shot, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What each language calls the parts the walk clicks through.
WORDS = {
    "en": {
        "public": "Public results",
        "indicators": "Indicators",
        "periods": "Periods",
        "search": "Search",
        "indicator": "Recycling rate",
        "cite": "Source: Test programme",
        "period_heading": "Results of 2024",
        "change": "Change language",
    },
    "pl": {
        "public": "Wyniki publiczne",
        "indicators": "Wskaźniki",
        "periods": "Okresy",
        "search": "Szukaj",
        "indicator": "Poziom recyklingu",
        "cite": "Źródło: Program testowy",
        "period_heading": "Wyniki za 2024",
        "change": "Zmień język",
    },
    "cs": {
        "public": "Veřejné výsledky",
        "indicators": "Ukazatele",
        "periods": "Období",
        "search": "Hledat",
        "indicator": "Míra recyklace",
        "cite": "Zdroj: Testovací program",
        "period_heading": "Výsledky za 2024",
        "change": "Změnit jazyk",
    },
}


def _checked(page, name: str, words: dict) -> None:
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".citation-text")).to_contain_text(words["cite"])
    assert_accessible(page)
    shot(page, name)


@pytest.mark.parametrize("language", ["pl", "cs", "en"])
def test_a_visitor_walks_the_public_site(page, live_server, public, language):
    words = WORDS[language]
    page.goto(live_server.url + "/public/")
    if language != "en":
        page.get_by_label("Language").select_option(language)
        page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(words["public"])
    _checked(page, f"public-home-{language}", words)

    nav = page.get_by_role("navigation", name=words["public"])
    nav.get_by_role("link", name=words["indicators"]).click()
    expect(page).to_have_url(re.compile(r"/public/indicators/$"))
    _checked(page, f"public-catalogue-{language}", words)

    page.get_by_role("link", name=words["indicator"]).first.click()
    expect(page).to_have_url(re.compile(r"/public/indicators/RECYCLING_RATE/$"))
    expect(page.locator("#public-trend.chart--drawn svg")).to_be_visible()
    _checked(page, f"public-indicator-{language}", words)

    page.get_by_role("link", name="2024", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/public/indicators/RECYCLING_RATE/2024/$"))
    _checked(page, f"public-indicator-period-{language}", words)

    nav = page.get_by_role("navigation", name=words["public"])
    nav.get_by_role("link", name=words["periods"]).click()
    _checked(page, f"public-periods-{language}", words)
    page.get_by_role("link", name="2024", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["period_heading"])
    _checked(page, f"public-period-{language}", words)

    nav = page.get_by_role("navigation", name=words["public"])
    nav.get_by_role("link", name=words["search"]).click()
    page.locator("#q").fill(words["indicator"].split()[0])
    page.get_by_role("main").get_by_role("button", name=words["search"]).click()
    expect(page.get_by_role("main").get_by_role("link", name=words["indicator"])).to_be_visible()
    _checked(page, f"public-search-{language}", words)

    # Still nobody: no session or CSRF cookie was ever needed.
    names = {c["name"] for c in page.context.cookies()}
    assert not names & {"sessionid", "csrftoken"}, names
