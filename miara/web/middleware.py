"""Server-Timing: how long the application took for a response, as browsers and load tools read it.

The figure is the time inside Django (from the first middleware to the response), without
the network and the WSGI server's queue, so that page speed can be measured on the server
side under load (benchmarks/pages.py) and seen in the browser's developer tools. Only
with MIARA_SERVER_TIMING=1: to anyone else a response's time tells how much work it caused
(for instance whether a user name exists at the login).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.middleware.gzip import GZipMiddleware


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
