"""A real browser: the coordinator computes final results from the cycle board and
watches the background job reach "done" and the result set's state appear."""

import pytest

from miara.reports import runner
from miara.testing.browser import shot, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

from miara.collection.cycles import cycle_open  # noqa: E402
from miara.collection.models import Submission, SubmissionState  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def background_runner(settings):
    # The live server's process runs the job in its runner thread, as `miara serve` does.
    settings.REPORTS_IN_BACKGROUND = True
    yield
    runner.stop()


@pytest.fixture
def cycle(alice):
    cycle = cycle_open(
        period="2024",
        name="Year 2024",
        variable_codes=["WASTE_T", "RECYCLED_T", "POPULATION"],
        unit_codes=["A1", "B2", "C3", "D4"],
        acting_user=alice,
    )
    Submission.objects.filter(cycle=cycle, unit__code__in=["A1", "B2"]).update(
        state=SubmissionState.ACCEPTED
    )
    return cycle


def test_alice_computes_final_results_from_the_board(page, live_server, cycle, background_runner):
    page.goto(live_server.url + "/login/")
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill("Correct-horse-42")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/collection/cycles/{cycle.pk}/")
    # The fixture's computation (all loaded values) is the current, provisional set.
    expect(page.locator(".result-state")).to_have_text("Provisional")

    page.get_by_role("button", name="Compute final results").click()
    expect(page.locator("#compute-job progress")).to_be_visible()
    shot(page, "board-compute-progress")
    # The page follows the job (polling, then a reload) until it is done.
    expect(page.locator('#compute-job [data-field="state_label"]')).to_have_text(
        "done", timeout=60_000
    )
    expect(page.locator(".result-state")).to_have_text("Final")
    expect(page.locator('[data-field="included"]')).to_have_text("2 submissions")
    expect(page.locator('[data-field="changes"]')).to_contain_text("2 units removed: C3, D4")
    expect(page.get_by_role("button", name="Compute final results")).to_be_enabled()
    shot(page, "board-compute-done")
