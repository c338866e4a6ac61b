"""The pages' in-process cache: kept for the configured seconds, bounded, or off."""

from __future__ import annotations

import pytest

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
    monkeypatch.setattr(memo, "MAX_ENTRIES", 3)
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
