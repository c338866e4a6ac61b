"""Server-Timing: how long the application took for a response, as browsers and load tools read it.

The figure is the time inside Django (from the first middleware to the response), without
the network and the WSGI server's queue, so that page speed can be measured on the server
side under load (benchmarks/pages.py) and seen in the browser's developer tools.
"""

from __future__ import annotations

import time


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
        return response
