"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Test modules call `skip_without_chromium()` at import; the fixtures (`browser`, `context`,
`page`, `background_runner`) are registered in miara/conftest.py. Screenshots land in test-artifacts/
(gitignored) for a person to judge the design.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Without the networking flags Chromium keeps calling Google's hosts, which a closed office
# network (and this CI) refuses.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_without_chromium() -> None:
    """Skip a browser test module on a machine without Chromium, but never in CI.

    A skipped browser test in CI would let a broken page land, so there it fails.
    """
    if CHROMIUM is None:
        if _in_ci():
            pytest.fail(
                "chromium is not installed, and CI must run the browser tests", pytrace=False
            )
        pytest.skip("chromium is not installed; .ci/run installs it", allow_module_level=True)


def log_in(page, live_server, username: str) -> None:
    """Log in through the login page as one of the named test users (miara.conftest)."""
    from playwright.sync_api import expect

    page.goto(live_server.url + "/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password", exact=True).fill("Correct-horse-42")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    skip_without_chromium()
    # Playwright's sync API runs an event loop in this thread; the live server's database
    # work happens in its own thread, and the tests' ORM calls here are plain sync code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser):
    ARTIFACTS.mkdir(exist_ok=True)
    opened = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="en-GB", accept_downloads=True
    )
    yield opened
    opened.close()


@pytest.fixture
def background_runner(settings):
    """The live server's process runs jobs in its runner thread, as `miara serve` does."""
    from miara.reports import runner

    settings.REPORTS_IN_BACKGROUND = True
    yield
    runner.stop()


@pytest.fixture
def page(context):
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    return opened
