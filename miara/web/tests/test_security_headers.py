"""Every page forbids inline and foreign scripts; behind HTTPS, browsers are held to it."""

import os
import subprocess
import sys

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_send_a_policy_without_inline_or_eval_scripts(client, alice):
    client.force_login(alice)
    for url in ["/", reverse("catalogue:index"), "/indicators/POP/?period=2024", "/login/"]:
        directives = policy(client.get(url))
        assert directives["script-src"] == ["'self'"], url
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]


def test_no_template_holds_an_inline_script():
    """An inline script would be blocked by the policy: scripts live in static files."""
    import re
    from pathlib import Path

    import miara

    root = Path(miara.__file__).parent
    inline = []
    for template in root.rglob("templates/**/*.html"):
        for tag in re.findall(r"<script\b[^>]*>", template.read_text(encoding="utf-8")):
            if "src=" not in tag and "application/json" not in tag:
                inline.append(f"{template.relative_to(root)}: {tag}")
    assert not inline


def hsts_seconds(environment: dict[str, str]) -> int:
    code = "from django.conf import settings; print(settings.SECURE_HSTS_SECONDS)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "miara.settings", **environment}
    env.pop("MIARA_SECURE_COOKIES", None) if "MIARA_SECURE_COOKIES" not in environment else None
    shown = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(shown.stdout.strip())


def test_hsts_is_on_behind_https_and_off_otherwise():
    assert hsts_seconds({"MIARA_SECURE_COOKIES": "1"}) == 31_536_000
    assert hsts_seconds({"MIARA_SECURE_COOKIES": "0"}) == 0
