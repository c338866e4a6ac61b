"""API tokens may expire: set at creation (profile page, `miara token create --expires-in-days
N`), refused with a clear 401 afterwards; the profile shows expiry and last use."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from miara.accounts.models import ApiToken
from miara.accounts.services import AccountError, token_create
from miara.cli import main

pytestmark = pytest.mark.django_db


def api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_an_expired_token_answers_401_with_a_clear_message(bob):
    token = token_create(user=bob, expires_in_days=30)
    assert api(token).get("/api/v1/units").status_code == 200
    ApiToken.objects.filter(user=bob).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api(token).get("/api/v1/units")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    assert "create a new one" in response.json()["detail"]


def test_a_token_without_expiry_works_until_revoked(bob):
    token = token_create(user=bob)
    assert ApiToken.objects.get(user=bob).expires_at is None
    assert api(token).get("/api/v1/units").status_code == 200


def test_it_records_when_a_token_was_last_used(bob):
    token = token_create(user=bob, expires_in_days=1)
    assert ApiToken.objects.get(user=bob).last_used_at is None
    api(token).get("/api/v1/units")
    assert ApiToken.objects.get(user=bob).last_used_at is not None


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_it_refuses_an_expiry_out_of_range(bob, days):
    with pytest.raises(AccountError):
        token_create(user=bob, expires_in_days=days)
    assert not ApiToken.objects.filter(user=bob).exists()


def test_the_cli_creates_tokens_with_and_without_expiry(bob, capsys):
    assert main(["token", "create", "bob"]) == 0
    plain = capsys.readouterr().out.strip()
    assert main(["token", "create", "bob", "--expires-in-days", "7"]) == 0
    expiring = capsys.readouterr().out.strip()
    assert plain.startswith("miara_") and expiring.startswith("miara_")
    assert ApiToken.objects.get(digest=ApiToken.digest_of(plain)).expires_at is None
    expires_at = ApiToken.objects.get(digest=ApiToken.digest_of(expiring)).expires_at
    assert abs(expires_at - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)
    assert main(["token", "create", "bob", "--expires-in-days", "0"]) == 1
    assert "1 to 3650 days" in capsys.readouterr().err


def test_the_profile_sets_and_shows_expiry_and_last_use(bob):
    client = Client()
    client.force_login(bob)
    response = client.post(reverse("token_new"), {"name": "monthly", "expires_in_days": "30"})
    assert response.status_code == 200
    stored = ApiToken.objects.get(user=bob)
    assert abs(stored.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    api(response.context["new_token"]).get("/api/v1/units")
    page = client.get(reverse("profile")).content.decode()
    assert "Expires" in page and "Last used" in page
    assert "<td>never</td>" not in page  # neither "expires never" nor "never used"
    assert stored.expires_at.strftime("%Y") in page


def test_the_profile_refuses_an_expiry_not_offered(bob):
    client = Client()
    client.force_login(bob)
    response = client.post(reverse("token_new"), {"name": "x", "expires_in_days": "100000"})
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=bob).exists()
