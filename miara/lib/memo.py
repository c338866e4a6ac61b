"""A small in-process cache for the read-mostly parts of pages (`MIARA_PAGE_CACHE_SECONDS`).

Entries live in the memory of one server process, for at most the configured seconds and
up to a bounded number, the oldest dropped first. Values are kept as they are, not
pickled: a national group's 6,300 rows are read back in no time, so callers must store
values they never change (tuples, strings, frozen dataclasses). Keys are chosen by the
callers so that new results never meet an old entry (they name the result sets); only
names and labels can be up to the configured seconds old. With 0 seconds nothing is kept.

`per_request` is narrower: within one GET request (`RequestMemoMiddleware`) a read that
several selectors repeat, such as the current result sets, is made once; outside a
request (command line, tests calling selectors) every call reads afresh.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

T = TypeVar("T")

MAX_ENTRIES = 256

_entries: OrderedDict[str, tuple[float, object]] = OrderedDict()
_lock = threading.Lock()


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def get_or_build(key: str, build: Callable[[], T]) -> T:
    """The value kept under `key`, or `build()`'s, kept for the configured seconds."""
    seconds = settings.PAGE_CACHE_SECONDS
    if seconds <= 0:
        return build()
    now = time.monotonic()
    with _lock:
        found = _entries.get(key)
        if found is not None and found[0] > now:
            _entries.move_to_end(key)
            return found[1]  # type: ignore[return-value]
    value = build()
    with _lock:
        _entries[key] = (now + seconds, value)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()


_request = threading.local()


def per_request(key: str, build: Callable[[], T]) -> T:
    """`build()`'s value, made once per GET request (see `RequestMemoMiddleware`)."""
    store = getattr(_request, "store", None)
    if store is None:
        return build()
    if key not in store:
        store[key] = build()
    return store[key]


class RequestMemoMiddleware:
    """Gives each GET or HEAD request its own `per_request` store, dropped at its end; a
    request that may change data (POST, ...) reads everything afresh."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        _request.store = {}
        try:
            return self.get_response(request)
        finally:
            _request.store = None
