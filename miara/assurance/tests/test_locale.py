"""The audit, finding and risk pages speak Polish and Czech, the built-in checklist
included, and so do the refusals."""

import pytest
from django.test import Client
from django.utils import translation

from miara.assurance.attachments import AttachmentRefused, check
from miara.assurance.services import RiskData, risk_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "audit_words", "risk_words"),
    [
        (
            "pl",
            [
                "Lista kontrolna",
                "Delegowanie uprawnień",
                "A. Środowisko wewnętrzne",
                "niezgodność mała",
            ],
            ["Rejestr ryzyk: Alpha", "Mapa ryzyka", "Przed reakcją", "ograniczenie"],
        ),
        (
            "cs",
            [
                "Kontrolní seznam",
                "Delegování pravomocí",
                "A. Vnitřní prostředí",
                "méně závažná neshoda",
            ],
            ["Registr rizik: Alpha", "Mapa rizik", "Před reakcí", "snížení"],
        ),
    ],
)
def test_the_pages_in_polish_and_czech(audit, finding, mike, language, audit_words, risk_words):
    risk_create(acting_user=mike, unit_code="A1", data=RiskData("Povodeň", 2, 5))
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(mike)
    page = client.get(f"/audits/{audit.pk}/").text
    for word in audit_words:
        assert word in page, word
    page = client.get("/units/A1/risks/").text
    for word in risk_words:
        assert word in page, word


@pytest.mark.parametrize(
    ("language", "words"),
    [("pl", "nie jest tym, na co wskazuje nazwa"), ("cs", "není tím, co říká jeho název")],
)
def test_a_refused_file_is_explained_in_the_readers_language(language, words):
    with translation.override(language), pytest.raises(AttachmentRefused) as refused:
        check("raport.pdf", b"MZ" + b"\0" * 100)
    assert words in str(refused.value)
