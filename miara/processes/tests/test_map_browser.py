"""The process map in a real browser, in Polish, Czech and English, checked with axe-core;
and one process's page with its chart drawn.

Screenshots land in test-artifacts/ (gitignored) for a person to judge the design.
"""

import pytest

from miara.testing.a11y import assert_accessible
from miara.testing.browser import log_in, shot, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAP = (
    "code,name,group,parent_group,owner,output,legal_deadline_days,criteria\n"
    "PERMIT,Building permits,Construction,Public services,BUILD,decisions issued,60,"
    "PERMIT_COST;RECYCLING_RATE\n"
    "ZONING,Zoning decisions,Construction,Public services,BUILD,decisions issued,30,\n"
    "ARCHIVE,Archive,Internal,,REG,files kept,,\n"
)
HEADINGS = {"en": "Process map", "pl": "Mapa procesów", "cs": "Procesní mapa"}


@pytest.fixture
def programme(programme_with_results):
    return programme_with_results


@pytest.fixture
def office(mike, tmp_path):
    from miara.processes.services import processes_load
    from miara.processes.tests.files import map_file

    processes_load(path=map_file(tmp_path, MAP), unit_code="A1", acting_user=mike)


def test_the_manager_reads_the_map_in_three_languages(page, live_server, office):
    log_in(page, live_server, "mike")
    page.goto(live_server.url + "/units/A1/benchmark/")
    page.get_by_role("link", name="Processes").click()
    expect(page.get_by_role("heading", level=1, name="Alpha")).to_be_visible()
    expect(page.locator('tr[data-process="PERMIT"] [data-trend="better"]').first).to_be_visible()
    for language in ("pl", "cs", "en"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto(live_server.url + "/units/A1/processes/")
        expect(page.locator(".eyebrow")).to_have_text(HEADINGS[language])
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.get_by_role("heading", level=2).first).to_be_visible()
        assert_accessible(page)
        shot(page, f"process-map-{language}")

    page.get_by_role("link", name="Building permits").click()
    expect(page.get_by_role("heading", level=1, name="Building permits")).to_be_visible()
    expect(page.locator("#chart-criterion-PERMIT_COST.chart--drawn svg")).to_be_visible()
    assert_accessible(page)
    shot(page, "process-page")
