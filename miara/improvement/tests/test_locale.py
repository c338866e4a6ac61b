"""The project pages speak Polish and Czech."""

import datetime

import pytest
from django.test import Client

from miara.improvement.services import ProjectData, project_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("pl", ["Przed i po, na tle mediany grupy", "Oś czasu", "Dodaj zadanie", "aktywny"]),
        ("cs", ["Před a po, vůči mediánu skupiny", "Časová osa", "Přidat úkol", "aktivní"]),
    ],
)
def test_the_project_page_and_board_in_polish_and_czech(mike, language, words):
    project = project_create(
        acting_user=mike,
        unit_code="A1",
        data=ProjectData(
            title="Recykling",
            start_date=datetime.date(2024, 1, 1),
            due_date=datetime.date(2026, 1, 1),
            state="active",
            indicators=["RECYCLING_RATE"],
        ),
    )
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(mike)
    page = client.get(f"/projects/{project.pk}/").text
    for word in words:
        assert word in page
    board = client.get("/units/A1/projects/").text
    assert {"pl": "Według stanu", "cs": "Podle stavu"}[language] in board
