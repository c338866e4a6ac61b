"""Who may call: bearer tokens, browser sessions with CSRF, and 401 for everyone else."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from miara.accounts.models import ApiToken
from miara.accounts.services import token_create

pytestmark = pytest.mark.django_db

PROTECTED = ["/api/v1/units", "/api/v1/results", "/api/v1/values"]
SECRET = "a" * 32  # a CSRF secret has 32 characters
WRITE = {"values": [{"unit": "A1", "variable": "WASTE_T", "period": "2022", "value": 1.0}]}


@pytest.mark.parametrize("path", PROTECTED)
def test_it_answers_401_to_anonymous_readers(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_it_answers_401_to_anonymous_writers(anonymous):
    response = anonymous.post("/api/v1/values", WRITE, content_type="application/json")
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize("path", PROTECTED)
def test_it_answers_401_to_a_bad_token(programme, path):
    response = Client(HTTP_AUTHORIZATION="Bearer miara_not-a-token").get(path)
    assert response.status_code == 401
    assert "not valid" in response.json()["detail"]


def test_it_answers_401_to_a_token_of_an_inactive_user(bob):
    token = token_create(user=bob)
    bob.is_active = False
    bob.save()
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/units")
    assert response.status_code == 401


def test_it_prefers_a_bad_token_over_a_good_session(bob):
    client = Client(HTTP_AUTHORIZATION="Bearer wrong")
    client.force_login(bob)
    assert client.get("/api/v1/units").status_code == 401


def test_it_accepts_a_token(bob):
    token = token_create(user=bob)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/units")
    assert response.status_code == 200


def test_it_records_when_a_token_was_last_used_at_most_once_a_minute(bob):
    token = token_create(user=bob)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.get("/api/v1/units")
    first = ApiToken.objects.get(user=bob).last_used_at
    assert first is not None
    client.get("/api/v1/units")
    assert ApiToken.objects.get(user=bob).last_used_at == first
    ApiToken.objects.filter(user=bob).update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/v1/units")
    assert ApiToken.objects.get(user=bob).last_used_at > first - timedelta(seconds=1)
    assert ApiToken.objects.get(user=bob).last_used_at <= timezone.now()


def test_it_accepts_a_browser_session_for_reading(bob):
    client = Client()
    client.force_login(bob)
    assert client.get("/api/v1/units").status_code == 200


def test_it_refuses_a_session_write_without_csrf_token(bob):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    response = client.post("/api/v1/values", WRITE, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def open_2022(alice):
    """Editors write the periods of an open collection of their unit."""
    from miara.collection.cycles import cycle_open

    cycle_open(
        period="2022", name="2022", variable_codes=["WASTE_T"], unit_codes=["A1"], acting_user=alice
    )


def test_it_accepts_a_session_write_with_csrf_token(bob, alice):
    open_2022(alice)
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    # What a page's JavaScript does: echo the csrftoken cookie in the X-CSRFToken header.
    client.cookies["csrftoken"] = SECRET
    response = client.post(
        "/api/v1/values", WRITE, content_type="application/json", HTTP_X_CSRFTOKEN=SECRET
    )
    assert response.status_code == 200, response.content


def test_it_needs_no_csrf_token_with_a_bearer_token(bob, alice):
    open_2022(alice)
    token = token_create(user=bob)
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.post("/api/v1/values", WRITE, content_type="application/json")
    assert response.status_code == 200
