"""The targets page and the scorecard's target column speak Polish and Czech."""

import pytest
from django.test import Client

from miara.targets.services import target_set

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("pl", ["Cele i ich status", "na dobrej drodze", "Wyznacz cel"]),
        ("cs", ["Cíle a jejich stav", "na dobré cestě", "Stanovit cíl"]),
    ],
)
def test_the_targets_page_in_polish_and_czech(mike, language, words):
    target_set(acting_user=mike, indicator_code="WASTE_PC", unit_code="A1", points=[("2024", 9)])
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(mike)
    page = client.get("/units/A1/targets/").text
    for word in words:
        assert word in page
    scorecard = client.get("/units/A1/benchmark/").text
    assert words[1] in scorecard
