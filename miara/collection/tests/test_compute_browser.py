"""A real browser: the coordinator computes final results from the cycle board and
watches the background job reach "done" and the result set's state appear."""

import pytest

from miara.testing.browser import log_in, shot, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

from miara.collection.models import Submission, SubmissionState  # noqa: E402
from miara.testing.cycles import FOUR_UNITS, cycle_2024  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cycle(alice):
    cycle = cycle_2024(alice, ["WASTE_T", "RECYCLED_T", "POPULATION"], FOUR_UNITS)
    Submission.objects.filter(cycle=cycle, unit__code__in=["A1", "B2"]).update(
        state=SubmissionState.ACCEPTED
    )
    return cycle


def test_alice_computes_final_results_from_the_board(page, live_server, cycle, background_runner):
    log_in(page, live_server, "alice")
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
