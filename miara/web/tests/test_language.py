import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


class TestLanguage:
    def test_it_follows_accept_language(self, client, bob):
        client.force_login(bob)
        response = client.get(
            reverse("analytics:benchmark", args=["A1"]), headers={"accept-language": "pl"}
        )
        page = response.content.decode()
        assert '<html lang="pl">' in page
        assert "Mediana" in page  # a label of the table
        assert "Poziom recyklingu" in page  # an indicator's Polish name
        assert "Gospodarka odpadami" in page  # a service area's Polish name
        assert "Recycling rate" not in page

    def test_it_follows_the_language_cookie(self, client, bob, settings):
        client.force_login(bob)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cs"
        page = client.get(reverse("analytics:benchmark", args=["A1"])).content.decode()
        assert '<html lang="cs">' in page
        assert "Míra recyklace" in page
        assert "Medián" in page

    def test_it_switches_language_through_set_language(self, client, bob, settings):
        client.force_login(bob)
        url = reverse("units:list")
        response = client.post("/i18n/setlang/", {"language": "pl", "next": url})
        assert response.status_code == 302
        assert response["Location"] == url
        assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "pl"
        page = client.get(url).content.decode()
        assert "Miasto na prawach powiatu" in page
        assert "Nazwa" in page

    def test_it_falls_back_to_english_names_without_a_translation(self, client, bob):
        client.force_login(bob)
        page = client.get(
            reverse("analytics:benchmark", args=["A1"]), headers={"accept-language": "cs"}
        ).content.decode()
        # WASTE_PC has only an English name in the catalogue.
        assert "Waste per inhabitant" in page
