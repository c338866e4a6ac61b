import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    # A request in Polish leaves Polish active in the thread; later tests expect English.
    yield
    translation.deactivate()


class TestCatalogue:
    def test_it_needs_a_login(self, client, programme):
        response = client.get(reverse("catalogue:index"))
        assert response.status_code == 302

    def test_it_shows_areas_indicators_variables_and_groups(self, client, bob):
        client.force_login(bob)
        page = client.get(reverse("catalogue:index")).content.decode()
        for text in (
            "Municipal waste",
            "Recycling rate",
            "RECYCLED_T / WASTE_T * 100",
            "higher is better",
            "↑",
            "lower is better",
            "↓",
            "Recycled waste",
            "Cities with county rights",
            "City with county rights",  # the CITIES rule, as a human label
            "Large units",
            "Population",
        ):
            assert text in page, text

    def test_it_shows_polish_names_to_polish_readers(self, client, bob):
        client.force_login(bob)
        page = client.get(
            reverse("catalogue:index"), headers={"accept-language": "pl"}
        ).content.decode()
        assert "Poziom recyklingu" in page
        assert "Katalog wskaźników" in page
