import pytest
from django.urls import reverse

from miara.accounts.models import ApiToken, AuditEntry

pytestmark = pytest.mark.django_db


class TestProfile:
    def test_it_needs_a_login(self, client):
        response = client.get(reverse("profile"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_it_shows_role_and_units(self, client, bob):
        client.force_login(bob)
        page = client.get(reverse("profile")).content.decode()
        assert "Unit editor" in page
        assert "Alpha" in page
        assert "Beta" not in page

    def test_it_says_coordinators_see_all_units(self, client, alice):
        client.force_login(alice)
        page = client.get(reverse("profile")).content.decode()
        assert "All units of the programme" in page

    def test_it_creates_a_token_and_shows_it_once(self, client, bob):
        client.force_login(bob)
        response = client.post(reverse("token_new"), {"name": "import script"})
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        token = response.context["new_token"]
        assert token.startswith("miara_")
        assert token in response.content.decode()
        stored = ApiToken.objects.get(user=bob)
        assert stored.digest == ApiToken.digest_of(token)
        assert stored.name == "import script"
        assert AuditEntry.objects.filter(action="token.create", channel="web").exists()
        # Shown once: the next visit lists the token by its prefix only.
        page = client.get(reverse("profile")).content.decode()
        assert token not in page
        assert stored.prefix in page

    def test_it_revokes_a_token(self, client, bob):
        client.force_login(bob)
        client.post(reverse("token_new"), {"name": ""})
        token = ApiToken.objects.get(user=bob)
        response = client.post(reverse("token_revoke", args=[token.pk]))
        assert response.status_code == 302
        assert not ApiToken.objects.filter(pk=token.pk).exists()
        assert AuditEntry.objects.filter(action="token.revoke").exists()

    def test_it_does_not_revoke_someone_elses_token(self, client, bob, carol):
        client.force_login(carol)
        client.post(reverse("token_new"), {"name": ""})
        token = ApiToken.objects.get(user=carol)
        client.force_login(bob)
        response = client.post(reverse("token_revoke", args=[token.pk]))
        assert response.status_code == 404
        assert ApiToken.objects.filter(pk=token.pk).exists()

    def test_it_refuses_to_revoke_by_get(self, client, bob):
        client.force_login(bob)
        client.post(reverse("token_new"), {"name": ""})
        token = ApiToken.objects.get(user=bob)
        assert client.get(reverse("token_revoke", args=[token.pk])).status_code == 405
