import pytest
from django.test import RequestFactory

from miara.web import views

pytestmark = pytest.mark.django_db


class TestErrorPages:
    def test_it_renders_a_helpful_404_with_a_link_back(self, client):
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        page = response.content.decode()
        assert "We could not find that" in page
        assert 'href="/"' in page

    def test_it_renders_the_404_in_the_readers_language(self, client):
        response = client.get("/no-such-page/", headers={"accept-language": "pl"})
        assert response.status_code == 404
        assert "Nie znaleźliśmy" in response.content.decode()

    def test_it_renders_a_403_with_a_link_back(self, client, bob):
        client.force_login(bob)
        # Another unit's page is a 404 (as for a missing unit); a coordinator's page is a 403.
        response = client.get("/collection/cycles/")
        assert response.status_code == 403
        page = response.content.decode()
        assert "You may not open this page" in page
        assert 'href="/"' in page

    def test_it_renders_a_500_without_a_request_context(self):
        request = RequestFactory().get("/")
        response = views.error_500(request)
        assert response.status_code == 500
        assert "Something went wrong" in response.content.decode()
