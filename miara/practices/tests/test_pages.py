"""The practice pages and the API through Django's test client: propose from the form,
a stale edit is a 409 with a message, review steps, the same 404 for strangers, the
public pages without login."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from miara.accounts.services import token_create
from miara.practices.models import Practice
from miara.practices.services import practice_create

from .conftest import practice_data

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


FORM = {
    "unit": "B2",
    "title": "Sorting bins",
    "problem": "Too little **recycled**.",
    "what_was_done": "Bins in every yard.",
    "results": "",
    "cost": "1 000,50",
    "currency": "PLN",
    "effort": "2 person-months",
    "contact": "",
    "area": "WASTE",
    "indicators": ["RECYCLING_RATE"],
    "started_on": "2024-03-01",
}


def test_an_editor_proposes_submits_and_a_coordinator_publishes(carol, alice):
    client = logged_in(carol)
    form = client.get("/practices/new/?indicator=RECYCLING_RATE")
    assert form.status_code == 200
    assert re.search(r'value="RECYCLING_RATE"[^>]*checked', form.text)
    response = client.post("/practices/new/", {**FORM, "submit": "1"})
    practice = Practice.objects.get()
    assert response.status_code == 302 and response.url == f"/practices/{practice.pk}/"
    assert practice.state == "submitted" and str(practice.cost) == "1000.50"
    page = client.get(response.url)
    assert "The practice was saved." in page.text and "<strong>recycled</strong>" in page.text
    # Evidence of B2 (started 2024-03): +14.3 % before, +12.9 % latest, −1.4 points.
    assert "+14.3 %" in page.text and "+12.9 %" in page.text and "−1.4" in page.text

    coordinator = logged_in(alice)
    refused = coordinator.post(
        f"/practices/{practice.pk}/review/", {"action": "return", "version": "1", "text": ""}
    )
    assert refused.status_code == 422 and "Say why the practice is returned." in refused.text
    done = coordinator.post(
        f"/practices/{practice.pk}/review/", {"action": "publish", "version": "1"}, follow=True
    )
    assert "The practice was published." in done.text
    assert Client().get(f"/public/practices/{practice.pk}/").status_code == 200


def test_a_form_with_mistakes_names_them_and_saves_nothing(carol):
    response = logged_in(carol).post("/practices/new/", {**FORM, "cost": "much", "title": ""})
    assert response.status_code == 422
    assert "Nothing was saved." in response.text
    assert not Practice.objects.exists()


def test_a_stale_edit_is_a_conflict_with_a_message(carol, programme):
    practice = practice_create(acting_user=carol, unit_code="B2", data=practice_data())
    client = logged_in(carol)
    first = client.post(f"/practices/{practice.pk}/edit/", {**FORM, "version": "1"})
    assert first.status_code == 302
    second = client.post(
        f"/practices/{practice.pk}/edit/", {**FORM, "title": "Mine", "version": "1"}
    )
    assert second.status_code == 409
    assert "was changed meanwhile (you had version 1, stored is version 2)" in second.text
    assert Practice.objects.get().title == "Sorting bins"


def test_strangers_get_the_same_404_as_for_a_missing_practice(carol, bob, erin):
    draft = practice_create(acting_user=carol, unit_code="B2", data=practice_data())
    missing = draft.pk + 100
    for client in (logged_in(bob), logged_in(erin)):  # a draft is its office's alone
        for url in (f"/practices/{draft.pk}/", f"/practices/{missing}/"):
            assert client.get(url).status_code == 404
        assert (
            client.post(f"/practices/{draft.pk}/review/", {"action": "withdraw"}).status_code == 404
        )
    for url in (f"/public/practices/{draft.pk}/", f"/public/practices/{missing}/"):
        assert Client().get(url).status_code == 404
    assert Client().get("/practices/").status_code == 302  # the internal library needs a login
    assert logged_in(erin).get("/practices/new/").status_code == 403  # experts review
    form = logged_in(bob).get("/practices/new/").text  # bob proposes for A1 only
    assert '<option value="A1"' in form and '<option value="B2"' not in form


def test_the_api_lists_and_proposes(carol, bob):
    token = token_create(user=carol)
    api = Client(headers={"Authorization": f"Bearer {token}"})
    body = {
        "unit": "B2",
        "title": "Permits online",
        "started_on": "2024-01-01",
        "indicators": ["PERMIT_COST"],
        "cost": 100,
        "currency": "CZK",
        "submit": True,
    }
    created = api.post("/api/v1/practices", body, content_type="application/json")
    assert created.status_code == 200, created.content
    assert created.json()["state"] == "submitted" and created.json()["unit"] == "B2"
    bad = api.post(
        "/api/v1/practices", {**body, "indicators": ["NOPE"]}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "indicators"
    hidden = api.post("/api/v1/practices", {**body, "unit": "A1"}, content_type="application/json")
    assert hidden.status_code == 404
    listed = api.get("/api/v1/practices").json()["items"]
    assert [p["title"] for p in listed] == ["Permits online"]
    other = Client(headers={"Authorization": f"Bearer {token_create(user=bob)}"})
    assert other.get("/api/v1/practices").json()["items"] == []  # not published yet
    assert Client().get("/api/v1/practices").status_code == 401
