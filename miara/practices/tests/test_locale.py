"""The practice pages speak Polish and Czech, the public ones too."""

import pytest
from django.test import Client

from .conftest import practice_data  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("pl", ["Dobre praktyki", "Dowody: przed i po", "Licencja: CC BY 4.0", "urząd ("]),
        ("cs", ["Dobrá praxe", "Doklady: před a po", "Licence: CC BY 4.0", "úřad ("]),
    ],
)
def test_the_public_practice_page_in_polish_and_czech(published, language, words):
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get(f"/public/practices/{published.pk}/").text
    for word in words:
        assert word in page
    assert "Evidence: before and after" not in page


def test_the_review_buttons_in_polish(published, carol):
    client = Client(HTTP_ACCEPT_LANGUAGE="pl")
    client.force_login(carol)
    page = client.get(f"/practices/{published.pk}/").text
    assert "Wycofaj" in page and "opublikowana" in page.lower()
