"""Guessing passwords: the login and the admin's login lock an account and an address
after a few failures, with a message that says why and for how long."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

PASSWORD = "Correct-horse-42"  # the fixture users' password (miara/conftest.py)
LIMIT = 10  # MIARA_LOGIN_FAILURE_LIMIT's default


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """Dozens of log-ins per test: a cheap hasher keeps the tests quick (set before the
    fixture users are created, so their passwords use it)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def attempt(client, username, password, address, url=None, **headers):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_passwords_lock_the_account_and_the_address(client, bob, carol):
    for n in range(1, LIMIT + 1):
        wrong = attempt(client, "bob", "not-the-password", "10.0.0.1")
        # The form again until the failure that reaches the limit, which locks.
        assert wrong.status_code == (200 if n < LIMIT else 429) and not logged_in(client)
    refused = attempt(client, "bob", PASSWORD, "10.0.0.1")
    assert refused.status_code == 429
    assert b"Too many failed log-in attempts" in refused.content
    assert b"Try again in 15 minutes" in refused.content
    assert not logged_in(client)
    # Per account: the right password from another address is refused too ...
    assert attempt(client, "bob", PASSWORD, "10.0.0.2").status_code == 429
    # ... and per address: another account from the guessing address.
    assert attempt(client, "carol", PASSWORD, "10.0.0.1").status_code == 429
    assert not logged_in(client)
    # Neither the account nor the address: in.
    assert attempt(client, "carol", PASSWORD, "10.0.0.2").status_code == 302
    assert logged_in(client)


def test_an_address_guessing_many_accounts_is_locked(client, bob, carol):
    for n in range(LIMIT):
        attempt(client, f"someone{n}", "guess", "10.0.0.9")
    refused = attempt(client, "carol", PASSWORD, "10.0.0.9")
    assert refused.status_code == 429 and not logged_in(client)


def test_the_lock_ends_after_the_cool_off(client, bob):
    from axes.models import AccessAttempt

    for _ in range(LIMIT):
        attempt(client, "bob", "not-the-password", "10.0.0.1")
    assert attempt(client, "bob", PASSWORD, "10.0.0.1").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    assert attempt(client, "bob", PASSWORD, "10.0.0.1").status_code == 302


@pytest.mark.parametrize(
    ("language", "text"),
    [("pl", "Zbyt wiele nieudanych prób logowania"), ("cs", "Příliš mnoho neúspěšných pokusů")],
)
def test_the_message_is_translated(client, bob, language, text):
    for _ in range(LIMIT):
        attempt(client, "bob", "not-the-password", "10.0.0.1")
    refused = attempt(client, "bob", PASSWORD, "10.0.0.1", HTTP_ACCEPT_LANGUAGE=language)
    assert refused.status_code == 429 and text in refused.content.decode()


def test_the_admin_login_is_throttled_too(client, alice):
    url = reverse("admin:login")
    for n in range(1, LIMIT + 1):
        wrong = attempt(client, "alice", "not-the-password", "10.0.0.3", url=url)
        assert wrong.status_code == (200 if n < LIMIT else 429)
    refused = attempt(client, "alice", PASSWORD, "10.0.0.3", url=url)
    assert refused.status_code == 429 and not logged_in(client)


def test_a_forwarded_address_counts_only_from_a_trusted_proxy(client, bob, carol, settings):
    # Without MIARA_TRUSTED_PROXIES a client cannot pick its own address by a header.
    for n in range(LIMIT):
        attempt(client, "bob", "guess", "10.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert attempt(client, "carol", PASSWORD, "10.0.0.1").status_code == 429
    # Behind a trusted proxy, the address it forwards is the one that counts.
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    for _ in range(LIMIT):
        attempt(client, "dave", "guess", "10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert (
        attempt(
            client, "carol", PASSWORD, "10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7"
        ).status_code
        == 429
    )
    assert (
        attempt(
            client, "carol", PASSWORD, "10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.8"
        ).status_code
        == 302
    )
