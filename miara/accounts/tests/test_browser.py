"""The user-management page and the password pages in a real browser, checked with axe."""

import re

import pytest
from django.core import mail

from miara.accounts.models import User
from miara.testing.a11y import assert_accessible
from miara.testing.browser import log_in, shot, skip_without_chromium

skip_without_chromium()

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_invites_and_deactivates_a_user(page, live_server, alice, bob):
    log_in(page, live_server, "alice")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
    bob_row = page.get_by_role("row").filter(has=page.get_by_role("link", name="bob"))
    expect(bob_row).to_contain_text("Unit editor")
    expect(bob_row).to_contain_text("Alpha")
    assert_accessible(page)
    shot(page, "users")

    page.get_by_role("link", name="Invite a user").click()
    page.get_by_label("User name").fill("dora")
    page.get_by_label("E-mail address").fill("dora@alpha.example")
    page.get_by_label("Role").select_option("editor")
    page.get_by_role("button", name="Send the invitation").click()
    # No unit for an editor: a clear refusal, the typed values kept.
    expect(page.get_by_role("alert")).to_contain_text("act for at least one unit")
    expect(page.get_by_label("User name")).to_have_value("dora")
    assert_accessible(page)
    shot(page, "user-invite-error")

    page.get_by_role("group", name="Units").get_by_label("Alpha (A1)").check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text("sent to dora@alpha.example")
    expect(page.get_by_role("heading", level=1)).to_have_text("dora")
    expect(page.get_by_text("invited, no password yet")).to_be_visible()
    assert_accessible(page)
    shot(page, "user-edit")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dora@alpha.example"]

    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status")).to_contain_text("dora can no longer log in.")
    expect(page.get_by_role("button", name="Reactivate")).to_be_visible()
    assert not User.objects.get(username="dora").is_active


def test_a_user_changes_a_password_and_asks_for_a_reset(page, live_server, bob):
    log_in(page, live_server, "bob")
    page.goto(live_server.url + "/profile/")
    page.get_by_role("link", name="Change password").click()
    page.get_by_label("Old password").fill("Correct-horse-42")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password confirmation").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_text(re.compile("too short"))).to_be_visible()
    assert_accessible(page)
    shot(page, "password-change-error")

    page.get_by_role("button", name="Log out").click()
    page.goto(live_server.url + "/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Email").fill("bob@alpha.example")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    assert_accessible(page)
