"""A Polish or Czech page shows no English catalogue name that has a translation.

Walks the pages that name catalogue entries (catalogue, scorecard, every indicator page)
as a coordinator, who sees the most, in pl and cs, and looks for each entry's English name
where the entry has a name in that language.
"""

import html
import re

import pytest
from django.urls import reverse

from miara.catalogue.models import Indicator, PeerGroup, ServiceArea, Variable

pytestmark = pytest.mark.django_db


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    text = response.content.decode()
    # The language switcher names the other languages on purpose.
    text = re.sub(r"<form[^>]*set_language.*?</form>", " ", text, flags=re.S)
    text = re.sub(r"<form[^>]*/i18n/setlang/.*?</form>", " ", text, flags=re.S)
    return html.unescape(text)


def catalogue_names(language: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(kind, code, English name) of every entry named in `language` differently, and the
    names shown as they are because the entry has no name in `language`."""
    translated, untranslated = [], []
    for model in (ServiceArea, Variable, Indicator, PeerGroup):
        for entry in model.objects.all():
            names = entry.name if isinstance(entry.name, dict) else {"en": str(entry.name)}
            english, local = names.get("en"), names.get(language)
            if english and local and local.strip() != english.strip():
                translated.append((model.__name__, entry.code, english))
            elif english and not local:
                untranslated.append(english)
    return translated, untranslated


@pytest.mark.parametrize("language", ["pl", "cs"])
def test_translated_catalogue_names_replace_the_english_ones(client, alice, language):
    client.force_login(alice)
    client.cookies["django_language"] = language
    urls = [reverse("catalogue:index"), "/units/A1/benchmark/?period=2024"]
    urls += [f"/indicators/{code}/?period=2024&unit=A1" for code in
             Indicator.objects.values_list("code", flat=True)]  # fmt: skip
    entries, untranslated = catalogue_names(language)
    assert entries, "the fixture catalogue must have translated names to check"
    leaks = []
    for url in urls:
        text = page_text(client, url)
        # An entry without a name in this language is rightly shown in English.
        for name in sorted(untranslated, key=len, reverse=True):
            text = text.replace(name, " ")
        for kind, code, english in entries:
            if re.search(rf"(?<![\w-]){re.escape(english)}(?![\w-])", text):
                leaks.append(f"{url}: {kind} {code} shows '{english}'")
    assert not leaks, "\n".join(leaks)


def test_a_page_kept_for_an_english_reader_is_not_served_to_a_polish_one(client, alice):
    """The page cache keeps parts of pages: what it keeps for one language must not
    reach a reader of another."""
    client.force_login(alice)
    url = "/indicators/RECYCLING_RATE/?period=2024&unit=A1"
    client.cookies["django_language"] = "en"
    assert "Municipal waste collected" in page_text(client, url)
    client.cookies["django_language"] = "pl"
    text = page_text(client, url)
    assert "Zebrane odpady komunalne" in text
    assert "Municipal waste collected" not in text
