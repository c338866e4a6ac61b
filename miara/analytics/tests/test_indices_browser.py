"""A real browser through the composite-index pages, with axe-core checks: the ranking,
a unit's breakdown and the rank ranges, each chart drawn and each page accessible.

Screenshots land in test-artifacts/ (gitignored) for a person to judge the design.
"""

import textwrap

import pytest

from miara.testing.a11y import assert_accessible
from miara.testing.browser import log_in, shot, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INDEX = textwrap.dedent(
    """
    indices:
      - code: GREEN
        name: {en: Green index}
        components:
          - pillar: WASTE_PILLAR
            name: {en: Waste}
            components:
              - {indicator: RECYCLING_RATE}
              - {indicator: WASTE_PC, weight: 2}
          - {indicator: PERMIT_COST}
    """
)


@pytest.fixture
def green(programme, tmp_path):
    from miara.analytics.services import compute
    from miara.catalogue.services import catalogue_load

    path = tmp_path / "index.yaml"
    path.write_text(INDEX, encoding="utf-8")
    catalogue_load(path=path)
    compute()


def test_a_coordinator_walks_from_the_ranking_to_a_breakdown_and_the_rank_ranges(
    page, live_server, alice, green
):
    log_in(page, live_server, "alice")
    page.goto(live_server.url + "/indices/")
    expect(page.locator('table[data-definition="GREEN"]')).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Ranking of Green index").click()
    expect(page.locator("#chart-index-ranking.chart--drawn svg")).to_be_visible()
    # D4 has no permit cost (no permits): 1 of 3 indicators missing is over 30 %.
    expect(page.locator("table[data-ranking] tbody tr")).to_have_count(3)
    expect(page.get_by_role("heading", name="Units without a score")).to_be_visible()
    assert_accessible(page)
    shot(page, "index-ranking")

    page.get_by_role("link", name="What makes up the score of Beta").click()
    expect(page.locator("#chart-index-breakdown.chart--drawn svg")).to_be_visible()
    expect(page.locator("table[data-breakdown] tbody tr")).to_have_count(3)
    assert_accessible(page)
    shot(page, "index-breakdown")

    page.goto(live_server.url + "/indices/GREEN/sensitivity/")
    expect(page.locator("#chart-index-ranges.chart--drawn svg")).to_be_visible()
    expect(page.locator("table[data-alternatives] tbody tr").first).to_be_visible()
    assert_accessible(page)
    shot(page, "index-sensitivity")
