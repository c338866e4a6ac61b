"""A real browser through the costing pages: the manager edits a cell of the survey grid,
sees the row's total follow and the value saved, and reads the costing page with its
chart, in English, Polish and Czech; axe-core finds nothing to fix.

Screenshots land in test-artifacts/ (gitignored) for a person to judge the design.
"""

import pytest

from miara.testing.a11y import assert_accessible
from miara.testing.browser import log_in, shot, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

from miara.collection.models import Value  # noqa: E402
from miara.processes.models import CostPool, ProcessOutput, TimeAllocation  # noqa: E402
from miara.processes.services import costing_load, processes_load  # noqa: E402
from miara.processes.tests.files import costing_file, map_file  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def office(mike, tmp_path):
    processes_load(path=map_file(tmp_path), unit_code="A1", acting_user=mike)
    costing_load(path=costing_file(tmp_path), unit_code="A1", period="2024", acting_user=mike)
    costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=mike)


def refused_by_csp(page) -> list[str]:
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def cell(page, department, process):
    return page.locator(f'tr[data-department="{department}"] input[data-process="{process}"]')


def test_the_manager_edits_the_survey_grid(page, live_server, office):
    refused = refused_by_csp(page)
    log_in(page, live_server, "mike")
    page.goto(live_server.url + "/units/A1/costing/survey/?period=2025")
    expect(page.get_by_role("heading", name="Time-allocation survey, 2025")).to_be_visible()
    total = page.locator('tr[data-department="BUILD"] [data-total]')
    expect(total).to_have_text("80.0")

    archive = cell(page, "BUILD", "ARCHIVE")
    expect(archive).to_have_accessible_name("Construction office BUILD ARCHIVE")
    archive.fill("15")
    expect(total).to_have_text("95.0")  # while typing, before the server answers
    archive.press("Tab")
    expect(page.locator("#grid-status")).to_have_text("Saved.")
    expect(archive).to_have_attribute("data-saved", "")
    saved = TimeAllocation.objects.get(process__code="ARCHIVE", period="2025")
    assert saved.percent == 15

    # Over 100 %: marked at once, not sent; the server would refuse it too.
    permit = cell(page, "BUILD", "PERMIT")
    permit.fill("60")
    expect(total).to_have_text("105.0")
    expect(total).to_have_attribute("data-over", "")
    permit.press("Tab")
    expect(page.locator("#grid-status")).to_contain_text("more than 100 %")
    assert TimeAllocation.objects.get(process__code="PERMIT", period="2025").percent == 50
    shot(page, "costing-survey")
    assert_accessible(page)
    assert not refused, refused


def test_the_manager_corrects_a_pool_and_an_output(page, live_server, office):
    refused = refused_by_csp(page)
    log_in(page, live_server, "mike")
    page.goto(live_server.url + "/units/A1/costing/survey/?period=2025")
    status = page.locator("#figures-status")

    personnel = page.locator(
        '#pool-figures tr[data-key="BUILD"] input[data-field="personnel_cost"]'
    )
    expect(personnel).to_have_accessible_name("Construction office BUILD Personnel cost")
    personnel.fill("310000")
    personnel.press("Tab")
    expect(status).to_have_text("Saved.")
    expect(personnel).to_have_attribute("data-saved", "")
    assert CostPool.objects.get(department__code="BUILD", period="2025").personnel_cost == 310_000
    cost = Value.objects.get(variable__code="PERMIT_STAFF_COST", period="2025").value
    assert cost == pytest.approx(205_000 + 60_000 * 2 / 5.2 + 5_000)

    # A negative output: refused with the field named, nothing stored.
    output = page.locator('#output-figures tr[data-key="PERMIT"] input[data-field="output"]')
    output.fill("-5")
    output.press("Tab")
    expect(status).to_contain_text("output: -5 is not a number of zero or more")
    expect(output).to_have_attribute("aria-invalid", "true")
    assert ProcessOutput.objects.get(process__code="PERMIT", period="2025").output == 400
    output.fill("500")
    output.press("Tab")
    expect(status).to_have_text("Saved.")
    assert ProcessOutput.objects.get(process__code="PERMIT", period="2025").output == 500
    shot(page, "costing-figures")
    assert_accessible(page)
    assert not refused, refused


@pytest.mark.parametrize(
    "language,heading,unused",
    [
        ("en", "Costs of processes, 2025", "Unassigned cost (unused capacity)"),
        ("pl", "Koszty procesów, 2025", "Koszt nieprzypisany (niewykorzystane moce)"),
        ("cs", "Náklady procesů, 2025", "Nepřiřazené náklady (nevyužitá kapacita)"),
    ],
)
def test_the_costing_page_draws_where_the_money_goes(
    page, live_server, office, language, heading, unused
):
    refused = refused_by_csp(page)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(live_server.url + "/login/")
    page.locator("input[name=username]").fill("mike")
    page.locator("input[name=password]").fill("Correct-horse-42")
    page.locator("input[name=password]").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(live_server.url + "/units/A1/costing/?period=2025")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator("dt", has_text=unused)).to_be_visible()
    expect(page.locator("#chart-money.chart--drawn svg")).to_be_visible()
    expect(page.locator('tr[data-process="PERMIT"] [data-unit-cost]')).not_to_be_empty()
    shot(page, f"costing-page-{language}")
    assert_accessible(page)
    assert not refused, refused

    page.goto(live_server.url + "/units/A1/costing/survey/?period=2025")
    expect(page.locator("#survey")).to_be_visible()
    assert_accessible(page)
