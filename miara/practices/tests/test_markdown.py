"""Practice texts are Markdown rendered and sanitised: no script, no event handler, no
javascript: link reaches a reader, on the internal page or the public one."""

from __future__ import annotations

import pytest
from django.test import Client

from miara.practices.rendering import markdown_html
from miara.practices.services import practice_act, practice_create

from .conftest import practice_data

pytestmark = pytest.mark.django_db

HOSTILE = (
    "Intro <script>alert('x')</script> **bold**\n\n"
    '<img src="x" onerror="alert(1)">\n\n'
    "[click](javascript:alert(2)) and [ok](https://example.org/)\n\n"
    '<a href="javascript:alert(3)" onclick="alert(4)">raw</a>\n\n'
    '<iframe src="https://evil.example/"></iframe><style>body{display:none}</style>\n\n'
    "# Heading"
)


def test_markdown_is_rendered_and_html_is_cleaned():
    html = str(markdown_html(HOSTILE))
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org/" rel="noopener noreferrer nofollow">ok</a>' in html
    assert "<h3>Heading</h3>" in html  # the page's own h1/h2 come first
    lowered = html.lower()
    for forbidden in ("<script", "onerror", "onclick", "javascript:", "<iframe", "<style", "<img"):
        assert forbidden not in lowered, forbidden


def test_hostile_texts_are_harmless_on_both_pages(carol, alice):
    practice = practice_create(
        acting_user=carol,
        unit_code="B2",
        data=practice_data(problem=HOSTILE, what_was_done=HOSTILE, results=HOSTILE),
        submit=True,
    )
    practice_act(acting_user=alice, practice_id=practice.pk, action="publish", version=1)
    client = Client()
    client.force_login(carol)
    for page in (
        client.get(f"/practices/{practice.pk}/"),
        Client().get(f"/public/practices/{practice.pk}/"),
    ):
        assert page.status_code == 200
        text = page.content.decode().lower()
        assert "<strong>bold</strong>" in text
        for forbidden in ("alert(", "onerror", "javascript:", "<iframe"):
            assert forbidden not in text, forbidden
