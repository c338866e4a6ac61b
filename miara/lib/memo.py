"""The pages' cache in each server process's memory: Django's `pages` cache (settings.CACHES),
whose values are kept as they are, not pickled (`MIARA_PAGE_CACHE_SECONDS`).

Entries live in the memory of one server process, for at most the configured seconds and
up to a bounded number, the oldest dropped first. Not pickled: a national group's 6,300
ranked rows come back in microseconds, where unpickling them from the `default` cache
took ~9 ms and a national indicator page's four entries ~20 ms (LocMem; Redis ~26 ms;
docs/architecture.md, "Caching"). So callers must store values they never change
(tuples, strings, frozen dataclasses). Keys are chosen by the callers so that new
results never meet an old entry (they name the result sets); only names and labels can
be up to the configured seconds old. With 0 seconds nothing is kept.

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
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

T = TypeVar("T")

ALIAS = "pages"
MAX_ENTRIES = 256

_stores: dict[str, tuple[OrderedDict, threading.Lock]] = {}
_stores_lock = threading.Lock()
_MISSING = object()


class ProcessMemoryCache(BaseCache):
    """A Django cache backend in this process's memory that keeps values as they are.

    Django's LocMemCache pickles every value on the way in and out (so that no caller can
    change a kept value); here the callers promise not to, and a read costs a dictionary
    lookup. Bounded by OPTIONS["MAX_ENTRIES"], least recently used dropped first; every
    thread's instance of one LOCATION shares one store, as LocMemCache's do.
    """

    def __init__(self, name, params):
        super().__init__(params)
        with _stores_lock:
            self._entries, self._lock = _stores.setdefault(name, (OrderedDict(), threading.Lock()))

    def validate_key(self, key):
        """Any string: this cache never leaves the process (keys may hold formulas)."""

    def _deadline(self, timeout) -> float | None:
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        return None if timeout is None else time.monotonic() + timeout

    def _live(self, key: str):
        found = self._entries.get(key)
        if found is None:
            return _MISSING
        deadline, value = found
        if deadline is not None and deadline <= time.monotonic():
            del self._entries[key]
            return _MISSING
        self._entries.move_to_end(key)
        return value

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            value = self._live(key)
        return default if value is _MISSING else value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        if timeout is not None and timeout is not DEFAULT_TIMEOUT and timeout <= 0:
            with self._lock:
                self._entries.pop(key, None)
            return
        with self._lock:
            self._entries[key] = (self._deadline(timeout), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if self.has_key(key, version=version):
            return False
        self.set(key, value, timeout, version=version)
        return True

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            value = self._live(key)
            if value is _MISSING:
                return False
            self._entries[key] = (self._deadline(timeout), value)
            return True

    def has_key(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            return self._live(key) is not _MISSING

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            return self._entries.pop(key, None) is not None

    def clear(self):
        with self._lock:
            self._entries.clear()


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def get_or_build(key: str, build: Callable[[], T]) -> T:
    """The value kept under `key`, or `build()`'s, kept for the configured seconds."""
    seconds = settings.PAGE_CACHE_SECONDS
    if seconds <= 0:
        return build()
    pages = caches[ALIAS]
    value = pages.get(key, _MISSING)
    if value is _MISSING:
        value = build()
        pages.set(key, value, seconds)
    return value  # type: ignore[return-value]


def clear() -> None:
    caches[ALIAS].clear()


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
