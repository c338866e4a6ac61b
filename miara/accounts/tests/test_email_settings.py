"""E-mail is configured by MIARA_EMAIL_* variables: the console unless an SMTP host is named."""

import json
import os
import subprocess
import sys

READ_SETTINGS = (
    "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'miara.settings';"
    "from django.conf import settings as s;"
    "print(json.dumps([s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER,"
    " s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL]))"
)


def settings_with(tmp_path, **variables) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIARA_", "DJANGO_"))}
    env |= {"MIARA_SECRET_KEY": "test", "MIARA_VAR_DIR": str(tmp_path)} | variables
    return subprocess.run(
        [sys.executable, "-c", READ_SETTINGS], env=env, capture_output=True, text=True, timeout=60
    )


def test_mail_goes_to_the_console_by_default(tmp_path):
    done = settings_with(tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0] == "django.core.mail.backends.console.EmailBackend"


def test_an_smtp_host_turns_smtp_on(tmp_path):
    done = settings_with(
        tmp_path,
        MIARA_EMAIL_HOST="smtp.example.org",
        MIARA_EMAIL_PORT="2525",
        MIARA_EMAIL_HOST_USER="miara",
        MIARA_EMAIL_HOST_PASSWORD="s3cret",
        MIARA_EMAIL_USE_TLS="off",
        MIARA_DEFAULT_FROM_EMAIL="Benchmarking <noreply@example.org>",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
        2525,
        "miara",
        "s3cret",
        False,
        "Benchmarking <noreply@example.org>",
    ]


def test_a_bad_port_stops_start_up_with_its_name(tmp_path):
    done = settings_with(tmp_path, MIARA_EMAIL_HOST="smtp.example.org", MIARA_EMAIL_PORT="smtp")
    assert done.returncode != 0
    assert "MIARA_EMAIL_PORT='smtp' is not a whole number" in done.stderr
