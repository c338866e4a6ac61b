"""A real browser: a manager plans an audit, answers a checklist item with evidence,
records a finding, finds it in the register and adds a risk to the register; axe-core
checks each page.

Screenshots land in test-artifacts/ (gitignored) for a person to judge the design.
"""

import re

import pytest

from miara.assurance.tests.conftest import PDF
from miara.testing.a11y import assert_accessible
from miara.testing.browser import log_in, shot, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_audits_records_a_finding_and_keeps_the_risk_register(
    page, live_server, mike, bob
):
    log_in(page, live_server, "mike")
    page.goto(live_server.url + "/units/A1/audits/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audits of Alpha")
    assert_accessible(page)
    page.get_by_role("link", name="Plan an audit").click()
    page.get_by_label("Title").fill("Permits audit")
    page.get_by_label("Year of the audit plan").fill("2025")
    page.get_by_label("Start date").fill("2025-03-01")
    page.get_by_label("End date").fill("2025-03-31")
    page.get_by_label("Lead auditor").select_option("bob")
    page.get_by_role("button", name="Save the audit").click()
    expect(page.get_by_role("status")).to_contain_text("The audit was planned.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Permits audit")

    item = page.locator('li[data-item="A4"]')
    item.get_by_label("Answer A4").select_option("partly")
    item.get_by_label("Note").fill("No written delegation")
    item.get_by_role("button", name="Save the answer").click()
    expect(page.get_by_role("status")).to_contain_text("The answer was saved.")
    item = page.locator('li[data-item="A4"]')
    expect(item.locator('[data-field="answer"]')).to_have_text("partly conforms")
    item.locator("summary").click()
    item.get_by_label("Evidence file A4").set_input_files(
        {"name": "delegation.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    item.get_by_role("button", name="Attach").click()
    expect(page.get_by_role("status")).to_contain_text("The evidence was attached.")
    expect(page.locator('li[data-item="A4"]')).to_contain_text("delegation.pdf")
    assert_accessible(page)
    shot(page, "audit-page")

    page.get_by_role("link", name="Record a finding").click()
    page.get_by_label("Title").fill("Signing rights not delegated")
    page.get_by_label("Severity").select_option("minor")
    page.get_by_label("Checklist item").select_option("A4")
    page.get_by_label("Owner").select_option("mike")
    page.get_by_label("Deadline").fill("2020-01-31")
    page.get_by_role("button", name="Save the finding").click()
    expect(page.get_by_role("status")).to_contain_text("The finding was recorded.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Signing rights not delegated")
    assert_accessible(page)

    page.goto(live_server.url + "/units/A1/findings/?overdue=1")
    expect(page.locator(".overdue-banner")).to_contain_text("1 finding is past its deadline")
    expect(page.locator(".findings-table")).to_contain_text("Signing rights not delegated")
    assert_accessible(page)

    page.goto(live_server.url + "/units/A1/risks/")
    page.get_by_role("link", name="Add a risk").click()
    page.get_by_label("Title").fill("Staff leave")
    page.get_by_label("Likelihood before the response (1–5)").select_option("4")
    page.get_by_label("Impact before the response (1–5)").select_option("5")
    page.get_by_role("button", name="Save the risk").click()
    expect(page.get_by_role("status")).to_contain_text("The risk was added to the register.")
    expect(page).to_have_url(re.compile(r"/risks/\d+/$"))
    page.get_by_role("link", name="Risk register · Alpha").click()
    expect(page.locator('[data-map="inherent"] [data-cell="4-5"]')).to_have_text("1")
    assert_accessible(page)
    shot(page, "risk-register")
