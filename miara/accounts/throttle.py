"""Password guessing: django-axes counts failed log-ins and locks out, per account and per
address, for MIARA_LOGIN_COOLOFF_MINUTES after MIARA_LOGIN_FAILURE_LIMIT failures.

This module holds what axes leaves to the project: which address a request comes from
(behind a proxy only if it is one of MIARA_TRUSTED_PROXIES), the page a locked-out visitor
sees, and the backend's behaviour for callers that have no request.
"""

from __future__ import annotations

import ipaddress
import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_noop


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' lockout check for every log-in that comes with a request (the login page, the
    admin's login). Code that checks a password without a request (Django's test client,
    scripts) has no address to count and goes on to the next backend unchecked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _networks(entries: list[str]) -> list:
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


def _trusted(address: str, networks: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request) -> str:
    """The address that failures are counted against.

    REMOTE_ADDR, unless it is a trusted proxy: then the right-most X-Forwarded-For entry
    that is not itself a trusted proxy (entries further left are whatever the client
    chose to send). Without MIARA_TRUSTED_PROXIES the header is ignored, so a client cannot
    pick a new address for each guess.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(getattr(settings, "TRUSTED_PROXIES", []))
    if not networks or not _trusted(remote, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if not _trusted(entry, networks):
            return entry
    return remote


def locked_out(request, original_response=None, credentials=None):
    """The page for a log-in refused because of too many failures (HTTP 429)."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


# django-axes ships no Polish or Czech: the names of its models in the admin are
# translated in miara's own catalogue, and listed here so `make messages` keeps them.
AXES_MODEL_NAMES = (
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
)
