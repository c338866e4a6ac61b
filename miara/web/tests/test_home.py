import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


class TestHome:
    def test_it_explains_miara_to_anonymous_visitors(self, client):
        response = client.get("/")
        assert response.status_code == 200
        page = response.content.decode()
        assert "compare themselves with similar offices" in page
        assert reverse("login") in page

    def test_it_shows_counts_and_latest_result_sets(self, client, alice):
        client.force_login(alice)
        response = client.get("/")
        assert response.status_code == 200
        assert response.context["unit_count"] == 4
        assert response.context["indicator_count"] == 4
        assert response.context["period_count"] == 2
        assert [r.period for r in response.context["result_sets"]] == ["2024", "2023"]
        page = response.content.decode()
        assert "Periods computed" in page
        assert reverse("units:list") in page

    def test_it_links_an_editor_to_their_own_units_only(self, client, bob):
        client.force_login(bob)
        page = client.get("/").content.decode()
        assert reverse("analytics:benchmark", args=["A1"]) in page
        assert "Alpha" in page
        assert "Beta" not in page
        assert reverse("analytics:benchmark", args=["B2"]) not in page

    def test_it_shows_the_admin_link_to_coordinators_only(self, client, alice, bob):
        client.force_login(alice)
        assert reverse("admin:index") in client.get("/").content.decode()
        client.force_login(bob)
        assert reverse("admin:index") not in client.get("/").content.decode()


class TestLayout:
    def test_it_has_landmarks_skip_link_and_language(self, client, bob):
        client.force_login(bob)
        page = client.get("/").content.decode()
        assert '<html lang="en">' in page
        assert 'href="#main"' in page
        assert '<main id="main"' in page
        assert "<header" in page and "<nav" in page and "<footer" in page
        assert 'action="/i18n/setlang/"' in page

    def test_it_logs_out_with_a_post_form(self, client, bob):
        client.force_login(bob)
        page = client.get("/").content.decode()
        assert f'action="{reverse("logout")}" method="post"' in page
        response = client.post(reverse("logout"))
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session


class TestLogin:
    def test_it_renders_the_login_form(self, client):
        response = client.get(reverse("login"))
        assert response.status_code == 200
        assert 'autocomplete="current-password"' in response.content.decode()

    def test_it_logs_in_with_the_right_password(self, client, bob):
        response = client.post(
            reverse("login"), {"username": "bob", "password": "Correct-horse-42"}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("home")

    def test_it_says_so_when_the_password_is_wrong(self, client, bob):
        response = client.post(reverse("login"), {"username": "bob", "password": "nope"})
        assert response.status_code == 200
        assert "did not match" in response.content.decode()
