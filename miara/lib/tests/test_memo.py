"""The pages' in-process cache: kept for the configured seconds, bounded, or off."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from miara.lib import memo


@pytest.fixture(autouse=True)
def empty():
    memo.clear()
    yield
    memo.clear()


def counter():
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    return build, calls


def test_a_value_is_built_once_within_the_time(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 60
    now = [1000.0]
    monkeypatch.setattr(memo.time, "monotonic", lambda: now[0])
    build, calls = counter()
    assert memo.get_or_build("k", build) == 1
    now[0] += 59
    assert memo.get_or_build("k", build) == 1
    now[0] += 2  # past the 60 s
    assert memo.get_or_build("k", build) == 2
    assert len(calls) == 2


def test_the_oldest_entries_go_first(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 60
    monkeypatch.setattr(caches["pages"], "_max_entries", 3)
    for key in "abc":
        memo.get_or_build(key, lambda key=key: key)
    memo.get_or_build("a", lambda: "again")  # used: now the newest
    memo.get_or_build("d", lambda: "d")  # evicts b, the oldest
    assert memo.get_or_build("a", lambda: "rebuilt") == "a"
    assert memo.get_or_build("b", lambda: "rebuilt") == "rebuilt"


def test_zero_seconds_keeps_nothing(settings):
    settings.PAGE_CACHE_SECONDS = 0
    build, calls = counter()
    memo.get_or_build("k", build)
    memo.get_or_build("k", build)
    assert len(calls) == 2 and not memo.enabled()


def test_values_are_kept_as_they_are_not_copied(settings):
    settings.PAGE_CACHE_SECONDS = 60
    rows = (("A1", 1.0), ("B2", 2.0))
    assert memo.get_or_build("rows", lambda: rows) is rows
    assert memo.get_or_build("rows", lambda: ()) is rows  # the same object, not unpickled


def test_the_pages_cache_is_djangos_and_shared_by_threads(settings):
    import threading

    settings.PAGE_CACHE_SECONDS = 60
    assert isinstance(caches["pages"], memo.ProcessMemoryCache)
    memo.get_or_build("k", lambda: "kept")
    seen = []
    thread = threading.Thread(target=lambda: seen.append(caches["pages"].get("k")))
    thread.start()
    thread.join()
    assert seen == ["kept"]


def test_the_backend_follows_djangos_cache_api(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(memo.time, "monotonic", lambda: now[0])
    pages = caches["pages"]
    assert pages.add("a", 1, 10) and not pages.add("a", 2, 10)
    assert pages.get("a") == 1 and pages.has_key("a")
    assert pages.touch("a", 100)
    now[0] += 50
    assert pages.get("a") == 1  # touched: 100 s from then
    assert pages.delete("a") and pages.get("a", "gone") == "gone"
    pages.set("b", 2, 0)  # 0 seconds: not kept, as in Django's other backends
    assert not pages.has_key("b")
