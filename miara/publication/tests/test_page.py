"""The coordinator's publication page, through Django's test client."""

from __future__ import annotations

import pytest

from miara.accounts.models import AuditEntry
from miara.publication.models import Publication
from miara.publication.services import publication_publish

pytestmark = pytest.mark.django_db

PAGE = "/publication/"


def test_it_exists_only_for_coordinators(client, bob, erin):
    for user in (bob, erin):
        client.force_login(user)
        assert client.get(PAGE).status_code == 404
        assert client.post("/publication/publish/", {"period": "2024"}).status_code == 404
        assert (
            client.post("/publication/retract/", {"period": "2024", "reason": "x"}).status_code
            == 404
        )
    client.logout()
    assert client.get(PAGE).status_code in (302, 404)
    assert not Publication.objects.exists()


def test_the_menu_offers_it_to_coordinators(client, alice, bob):
    client.force_login(alice)
    assert b'href="/publication/"' in client.get("/").content
    client.force_login(bob)
    assert b'href="/publication/"' not in client.get("/").content


def test_it_shows_the_audit_before_publishing(client, coordinator):
    client.force_login(coordinator)
    page = client.get(PAGE, {"period": "2024", "visibility": "anonymised", "threshold": 5})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Before you publish 2024" in text
    assert "withheld to protect a smaller group" in text and "Cities" in text
    assert "computed first" in text
    assert not Publication.objects.exists()  # looking changes nothing
    done = client.post(
        "/publication/publish/", {"period": "2024", "visibility": "anonymised", "threshold": 5}
    )
    assert done.status_code == 302
    publication = Publication.objects.get()
    assert publication.published_by == coordinator and publication.threshold == 5
    listing = client.get(PAGE).content.decode()
    assert "1 too small, 1 to protect a smaller group" in listing


def test_bad_input_is_explained_and_nothing_is_written(client, alice):
    client.force_login(alice)
    page = client.post(
        "/publication/publish/",
        {"period": "2024", "visibility": "named", "threshold": 5, "embargo_until": "2001-01-01"},
    )
    assert page.status_code == 400
    assert "not in the future" in page.content.decode()
    page = client.post(
        "/publication/publish/", {"period": "2024", "visibility": "named", "threshold": 1}
    )
    assert page.status_code == 400
    assert not Publication.objects.exists()


def test_a_coordinator_retracts_with_a_reason(client, alice):
    publication_publish(acting_user=alice, period="2024", threshold=3)
    client.force_login(alice)
    client.post("/publication/retract/", {"period": "2024", "reason": ""})
    assert not Publication.objects.get().is_retracted
    response = client.post(
        "/publication/retract/", {"period": "2024", "reason": "Wrong A1 data"}, follow=True
    )
    assert "is retracted" in response.content.decode()
    assert Publication.objects.get().retraction_reason == "Wrong A1 data"
    assert AuditEntry.objects.filter(action="publication.retract", user=alice).exists()
