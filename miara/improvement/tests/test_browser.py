"""A real browser: a manager follows "start a project" from a weak scorecard row, creates
the project, adds a task and sees both on the office's board; axe-core checks the pages
in English, Polish and Czech.

Screenshots land in test-artifacts/ (gitignored) for a person to judge the design.
"""

import re

import pytest

from miara.testing.a11y import assert_accessible
from miara.testing.browser import log_in, shot, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_starts_a_project_adds_a_task_and_sees_it_on_the_board(
    page, live_server, mike, bob
):
    log_in(page, live_server, "mike")
    page.goto(live_server.url + "/units/A1/benchmark/")
    row = page.locator('tr[data-indicator="RECYCLING_RATE"]')
    row.get_by_role("link", name="start a project").click()
    expect(page).to_have_url(re.compile(r"/units/A1/projects/new/\?indicator=RECYCLING_RATE"))
    expect(page.get_by_role("heading", name="Start a project")).to_be_visible()
    assert_accessible(page)

    expect(page.get_by_label("Recycling rate (RECYCLING_RATE)")).to_be_checked()
    page.get_by_label("Title").fill("Recycle more")
    page.get_by_label("The problem").fill("Below the median of all units.")
    page.get_by_label("Start date").fill("2024-03-01")
    page.get_by_label("Due date").fill("2026-12-31")
    page.get_by_label("State").select_option("active")
    page.get_by_label("bob").check()
    page.get_by_role("button", name="Save the project").click()

    expect(page.get_by_role("status")).to_contain_text("The project was created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Recycle more")
    evidence = page.locator('.evidence-table tr[data-indicator="RECYCLING_RATE"]')
    # Before (2023): 30 against 35, −14.3 %; latest (2024): 31.68 against 36.37, −12.9 %.
    expect(evidence.locator('[data-col="before"]')).to_have_text("−14.3 %")
    expect(evidence.locator('[data-col="after"]')).to_have_text("−12.9 %")

    form = page.locator("form[action$='/tasks/add/']")
    form.get_by_label("Task").fill("Sort bins at the source")
    form.get_by_label("Owner").select_option("bob")
    form.get_by_label("Due date").fill("2024-04-30")
    form.get_by_role("button", name="Add the task").click()
    expect(page.get_by_role("status")).to_contain_text("The task was added.")
    task_row = page.locator(".tasks-table tbody tr").first
    expect(task_row).to_contain_text("Sort bins at the source")
    expect(task_row).to_contain_text("overdue")
    assert_accessible(page)
    shot(page, "project-page")

    page.goto(live_server.url + "/units/A1/projects/")
    expect(page.locator('[data-state="active"]')).to_contain_text("Recycle more")
    expect(page.locator(".overdue-list")).to_contain_text("Sort bins at the source")
    assert_accessible(page)
    shot(page, "projects-board")

    project_url = page.locator('[data-state="active"] a').first.get_attribute("href")
    for language, heading in (("pl", "Według stanu"), ("cs", "Podle stavu")):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto(live_server.url + "/units/A1/projects/")
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        assert_accessible(page)
        page.goto(live_server.url + project_url)
        expect(page.locator(".tasks-table")).to_contain_text("Sort bins at the source")
        assert_accessible(page)
