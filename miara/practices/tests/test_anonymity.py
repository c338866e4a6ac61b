"""In an anonymised programme, nobody re-identifies the office behind a practice that does
not name it: another participant and an anonymous visitor see neither the office's name
nor its code, contact, attachments, review thread or raw values — on the internal page,
the public one, the lists and the API. `test_the_check_finds_the_office_without_the_rule`
drops the rule and shows the same check catching the leak."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from miara.accounts.services import token_create
from miara.practices import selectors
from miara.practices.services import attachment_add, practice_act, practice_create
from miara.units.models import Programme

from .conftest import practice_data

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# B2 is "Beta"; its RECYCLING_RATE was 40.0 (median 35.0) in 2023 and 41.1 (median 36.4) in
# 2024: the raw figures, as the page would print them with one decimal.
RAW = ("40.0", "41.1", "35.0", "36.4")


@pytest.fixture(autouse=True)
def _var(tmp_path, monkeypatch):
    monkeypatch.setenv("MIARA_VAR_DIR", str(tmp_path))


@pytest.fixture
def anonymous_practice(carol, alice):
    practice = practice_create(acting_user=carol, unit_code="B2", data=practice_data())
    attachment_add(
        acting_user=carol, practice_id=practice.pk, name="Beta_annual_report.pdf", data=PDF
    )
    practice = practice_act(acting_user=carol, practice_id=practice.pk, action="submit", version=1)
    practice_act(
        acting_user=alice,
        practice_id=practice.pk,
        action="comment",
        text="Beta did well.",
        version=2,
    )
    return practice_act(acting_user=alice, practice_id=practice.pk, action="publish", version=2)


def leaks(text: str) -> list[str]:
    """What in `text` identifies B2."""
    found = [word for word in ("Beta", "odpady@beta", "Beta_annual_report") if word in text]
    found += [f"code {m}" for m in re.findall(r"(?<![\w/-])B2(?![\w-])", text)]
    found += [
        f"raw {figure}"
        for figure in RAW
        if re.search(rf"(?<![\d.]){re.escape(figure)}(?!\d)", text)
    ]
    return found


def answers(bob, practice) -> dict[str, str]:
    as_bob = Client()
    as_bob.force_login(bob)
    public = Client()
    token = token_create(user=bob, name="test")
    api = Client(headers={"Authorization": f"Bearer {token}"})
    pages = {
        "bob: page": as_bob.get(f"/practices/{practice.pk}/"),
        "bob: list": as_bob.get("/practices/?q=bins"),
        "bob: list by type": as_bob.get("/practices/?unit_type=city_county"),
        "bob: api": api.get("/api/v1/practices"),
        "public: page": public.get(f"/public/practices/{practice.pk}/"),
        "public: list": public.get("/public/practices/"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
    return {name: response.content.decode() for name, response in pages.items()}


@pytest.fixture
def final_results(programme):
    """The programme's results published (final), as the public may read them."""
    from miara.analytics.services import compute

    compute(kind="final")


def test_the_public_reads_no_provisional_figures(bob, anonymous_practice):
    text = Client().get(f"/public/practices/{anonymous_practice.pk}/").content.decode()
    assert "No published results for this indicator yet." in text and "+14.3 %" not in text
    as_bob = Client()
    as_bob.force_login(bob)  # participants read provisional results anyway
    assert "+14.3 %" in as_bob.get(f"/practices/{anonymous_practice.pk}/").content.decode()


def test_nobody_else_learns_which_office_wrote_it(bob, anonymous_practice, final_results):
    assert Programme.current().visibility == Programme.Visibility.ANONYMISED
    texts = answers(bob, anonymous_practice)
    for name, text in texts.items():
        assert leaks(text) == [], name
    # ... while the page still says what kind of office it was and how it moved.
    assert "an office (city with county rights)" in texts["public: page"]
    assert "+14.3 %" in texts["public: page"] and "+12.9 %" in texts["bob: page"]
    assert "Attachments" not in texts["bob: page"]
    # The file is not served either, under any address.
    attachment = anonymous_practice.attachments.get()
    as_bob = Client()
    as_bob.force_login(bob)
    for client, url in (
        (as_bob, f"/practices/{anonymous_practice.pk}/files/{attachment.pk}/"),
        (Client(), f"/public/practices/{anonymous_practice.pk}/files/{attachment.pk}/"),
    ):
        assert client.get(url).status_code == 404


def test_the_check_finds_the_office_without_the_rule(
    bob, anonymous_practice, final_results, monkeypatch
):
    monkeypatch.setattr(selectors, "author_shown", lambda practice, user: True)
    texts = answers(bob, anonymous_practice)
    assert "Beta" in leaks(texts["public: page"]) and "odpady@beta" in leaks(texts["bob: page"])
    assert "raw 40.0" in leaks(texts["bob: page"]) or "Beta_annual_report" in leaks(
        texts["bob: page"]
    )


def test_its_own_office_and_the_reviewers_see_the_name(carol, erin, anonymous_practice):
    for user in (carol, erin):
        client = Client()
        client.force_login(user)
        text = client.get(f"/practices/{anonymous_practice.pk}/").content.decode()
        assert "Beta" in text and "Beta_annual_report.pdf" in text
        assert "Beta did well." in text  # the review thread


def test_an_office_that_chose_to_be_named_is_named(carol, alice, bob):
    practice = practice_create(
        acting_user=carol, unit_code="B2", data=practice_data(named=True), submit=True
    )
    practice_act(acting_user=alice, practice_id=practice.pk, action="publish", version=1)
    text = Client().get(f"/public/practices/{practice.pk}/").content.decode()
    assert "Beta" in text and "odpady@beta.example" in text
    # Named or not, the review thread stays with the office and the reviewers.
    as_bob = Client()
    as_bob.force_login(bob)
    assert "Review" not in re.sub(
        r"<title>.*?</title>", "", as_bob.get(f"/practices/{practice.pk}/").content.decode()
    )


def test_a_named_programme_names_every_office(bob, anonymous_practice):
    programme = Programme.current()
    programme.visibility = Programme.Visibility.NAMED
    programme.save()
    text = Client().get(f"/public/practices/{anonymous_practice.pk}/").content.decode()
    assert "Beta" in text
