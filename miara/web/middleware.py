"""Server-Timing: how long the application took for a response, as browsers and load tools read it.

The figure is the time inside Django (from the first middleware to the response), without
the network and the WSGI server's queue, so that page speed can be measured on the server
side under load (benchmarks/pages.py) and seen in the browser's developer tools. Only
with MIARA_SERVER_TIMING=1: to anyone else a response's time tells how much work it caused
(for instance whether a user name exists at the login).
Compression of responses, and the refusal of NUL characters in a request, live here too.
"""

from __future__ import annotations

import json
import re
import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.gzip import GZipMiddleware
from django.utils.translation import gettext as _


class ServerTimingMiddleware:
    def __init__(self, get_response):
        if not getattr(settings, "SERVER_TIMING", False):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
        return response


class CompressionMiddleware(GZipMiddleware):
    """Django's gzip compression of responses, except for files that are compressed
    already (PDF, zip, Excel workbooks, images): a national page is 300–400 KB of HTML and
    a tenth of it compressed, which costs the server less to send than the bytes it saves.
    Django masks the CSRF token and pads compressed responses against BREACH."""

    SKIPPED = ("application/pdf", "application/zip", "application/vnd.openxmlformats", "image/")

    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith(self.SKIPPED):
            return response
        return super().process_response(request, response)


# A JSON body can carry NUL only escaped; look for the escape before parsing anything.
_JSON_NUL = re.compile(rb"\\u0000", re.IGNORECASE)


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _lists_have_nul(query_dict) -> bool:
    return any(_has_nul(k) or any(_has_nul(v) for v in vs) for k, vs in query_dict.lists())


def _nul_where(request) -> str | None:
    """Which part of the request carries a NUL character, or None."""
    if "\x00" in request.path or "\x00" in request.path_info:
        return "path"
    if _lists_have_nul(request.GET):
        return "query"
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # Uploaded files are bytes and may hold NUL; only the text fields matter.
        try:
            fields = request.POST
        except MultiPartParserError:
            return None  # a broken form: the view answers it as before
        if _lists_have_nul(fields):
            return "form"
    elif "json" in content_type:
        body = request.body
        if b"\x00" in body:
            return "body"
        if _JSON_NUL.search(body):
            try:
                if _has_nul(json.loads(body)):
                    return "body"
            except ValueError:
                pass  # not JSON: the endpoint says so
    return None


def _nul_message(where: str) -> str:
    return {
        "path": _("The address contains a NUL character, which is not allowed."),
        "query": _("The query parameters contain a NUL character, which is not allowed."),
        "form": _("A form field contains a NUL character, which is not allowed."),
        "body": _("The request body contains a NUL character, which is not allowed."),
    }[where]


class NulGuardMiddleware:
    """Refuse NUL characters in what a request sends, before anything reads it.

    PostgreSQL cannot store or compare text containing NUL ("A string literal cannot
    contain NUL (0x00) characters"), so a `%00` in a query parameter, a path or a form or
    JSON field would reach a query and end as a 500 there (SQLite lets it through). No
    code, period, comment or name has a use for it: the request is refused as a whole with
    400, as JSON `{"detail": ...}` under /api/ like every API error. It runs after
    LocaleMiddleware so that the refusal is in the reader's language, and before anything
    that reads the database (sessions, authentication, views).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = _nul_where(request)
        if where is None:
            return self.get_response(request)
        message = _nul_message(where)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
