"""A real browser: a manager goes from the targets page to the year in review, picks a
year and reads what moved; the board's upload form loads a projects file; axe-core checks
the pages in English, Polish and Czech.

Screenshots land in test-artifacts/ (gitignored) for a person to judge the design.
"""

import datetime

import pytest

from miara.testing.a11y import assert_accessible
from miara.testing.browser import log_in, shot, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_reads_what_moved_and_loads_a_projects_file(page, live_server, mike, tmp_path):
    from miara.improvement.services import ProjectData, project_create
    from miara.targets.services import target_set

    target_set(
        acting_user=mike,
        indicator_code="RECYCLING_RATE",
        unit_code="A1",
        points=[("2023", 29.0), ("2024", 31.0)],
    )
    project_create(
        acting_user=mike,
        unit_code="A1",
        data=ProjectData(
            title="Recycle more",
            start_date=datetime.date(2024, 3, 1),
            due_date=datetime.date(2026, 12, 31),
            state="active",
            indicators=["RECYCLING_RATE"],
        ),
    )
    log_in(page, live_server, "mike")
    page.goto(live_server.url + "/units/A1/targets/")
    page.get_by_role("link", name="What moved").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2024")
    page.get_by_label("Year").select_option("2023")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2023")
    page.get_by_label("Year").select_option("2024")
    page.get_by_role("button", name="Show").click()
    moves = page.locator('.year-moves tr[data-indicator="RECYCLING_RATE"]')
    # (320/1010 − 300/1000) / (300/1000) = +5.6 %, better as higher is better.
    expect(moves.locator('[data-col="change"]')).to_have_text("+5.6 %")
    expect(moves.locator('[data-col="judged"]')).to_contain_text("better")
    expect(moves).to_contain_text("Recycle more")
    assert_accessible(page)
    shot(page, "year-review")
    for language, heading in (("pl", "Co się zmieniło"), ("cs", "Co se změnilo")):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto(live_server.url + "/units/A1/year/")
        expect(page.locator(".eyebrow")).to_have_text(heading)
        assert_accessible(page)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    sheet = tmp_path / "projects.csv"
    sheet.write_text(
        "title,state,start_date,due_date,owner\nShare bins,proposed,2025-02-01,2025-12-31,mike\n"
        "Broken,proposed,2025-02-01,someday,mike\n",
        encoding="utf-8",
    )
    page.goto(live_server.url + "/units/A1/projects/")
    page.get_by_label("Projects or tasks file (.csv or .xlsx)").set_input_files(str(sheet))
    page.get_by_role("button", name="Load the file").click()
    expect(page.get_by_role("alert")).to_contain_text("line 3, column due_date")
    assert_accessible(page)
    sheet.write_text(
        "title,state,start_date,due_date,owner\nShare bins,proposed,2025-02-01,2025-12-31,mike\n",
        encoding="utf-8",
    )
    page.get_by_label("Projects or tasks file (.csv or .xlsx)").set_input_files(str(sheet))
    page.get_by_role("button", name="Load the file").click()
    expect(page.get_by_role("status")).to_contain_text("1 projects added")
    expect(page.locator('[data-state="proposed"]')).to_contain_text("Share bins")
