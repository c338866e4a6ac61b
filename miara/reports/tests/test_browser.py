"""A real browser asks for a unit's PDF, watches it being prepared and downloads it."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from miara.testing.browser import log_in, shot, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bob_requests_his_units_pdf_and_downloads_it(
    page, live_server, bob, background_runner, tmp_path
):
    log_in(page, live_server, "bob")
    page.goto(live_server.url + "/units/A1/benchmark/")
    page.get_by_role("link", name="Report (PDF, Excel)").click()
    expect(page).to_have_url(re.compile(r"/units/A1/report/\?period=2024&group=all$"))
    expect(page.get_by_role("heading", name="Report for Alpha")).to_be_visible()
    page.get_by_label("Language of the report").select_option("pl")
    page.get_by_label("PDF", exact=True).check()
    shot(page, "report-form")
    page.set_viewport_size({"width": 820, "height": 1180})
    shot(page, "report-form-tablet")
    page.set_viewport_size({"width": 1366, "height": 900})

    page.get_by_role("button", name="Prepare the report").click()
    expect(page).to_have_url(re.compile(r"/reports/jobs/\d+/$"))
    expect(page.locator("progress")).to_be_visible()
    shot(page, "report-job-progress")
    # The page follows the job by itself (polling) until the download is offered.
    link = page.get_by_role("link", name="Download the PDF")
    expect(link).to_be_visible(timeout=60_000)
    expect(page.locator(".job-state")).to_have_text("done")
    shot(page, "report-job-done")

    with page.expect_download() as info:
        link.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.suffix == ".pdf"
    content = target.read_bytes()
    assert content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(target).pages)
    assert "Alpha" in text and "Metodologia" in text

    page.goto(live_server.url + "/reports/")
    expect(page.get_by_role("heading", name="Your reports", level=1)).to_be_visible()
    expect(page.locator("tr[data-job]")).to_have_count(1)
    shot(page, "reports-list")


def test_alice_starts_the_whole_programme(page, live_server, alice, background_runner):
    log_in(page, live_server, "alice")
    page.goto(live_server.url + "/reports/")
    expect(page.get_by_role("heading", name="Reports for the whole programme")).to_be_visible()
    page.get_by_label("Excel workbook", exact=True).check()
    page.get_by_role("button", name="Prepare the reports").click()
    expect(page.get_by_role("link", name="Download the zip file")).to_be_visible(timeout=60_000)
    expect(page.locator(".job__facts")).to_contain_text("Alpha")
    shot(page, "report-programme-done")
