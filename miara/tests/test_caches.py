"""One CACHES setting: each process's memory by default, Redis when MIARA_CACHE_URL names one.

The Redis tests use a real server (MIARA_TEST_REDIS_URL, else redis://127.0.0.1:6379/15):
they are skipped where none answers, except in CI (CI set), where they fail.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from urllib.parse import urlsplit

import pytest
from django.core.cache import caches

from miara import conf

REDIS_URL = os.environ.get("MIARA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

READ_CACHES = (
    "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'miara.settings';"
    "from django.conf import settings as s;"
    "print(json.dumps(s.CACHES))"
)


def settings_with(tmp_path, **variables) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIARA_", "DJANGO_"))}
    env |= {"MIARA_SECRET_KEY": "test", "MIARA_VAR_DIR": str(tmp_path)} | variables
    return subprocess.run(
        [sys.executable, "-c", READ_CACHES], env=env, capture_output=True, text=True, timeout=60
    )


def test_without_a_url_each_process_keeps_its_own_cache(tmp_path):
    done = settings_with(tmp_path)
    assert done.returncode == 0, done.stderr
    default = json.loads(done.stdout)["default"]
    assert default["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_a_redis_url_makes_the_cache_redis(tmp_path):
    done = settings_with(tmp_path, MIARA_CACHE_URL="redis://:s3cret@cache.example.org:6380/2")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://:s3cret@cache.example.org:6380/2",
        "KEY_PREFIX": "miara",
    }


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/0", "rediss://cache:6380/1", "unix:///run/redis.sock", " "]
)
def test_the_urls_that_are_accepted(url):
    found = conf.cache_from_url("MIARA_CACHE_URL", url)
    if url.strip():
        assert found["BACKEND"].endswith("RedisCache") and found["LOCATION"] == url.strip()
    else:
        assert found["BACKEND"].endswith("LocMemCache")


@pytest.mark.parametrize(
    "url", ["memcached://127.0.0.1:11211", "127.0.0.1:6379", "locmem", "redis:/one-slash"]
)
def test_another_url_stops_start_up_naming_the_variable(url):
    with pytest.raises(conf.ConfigurationError, match=r"MIARA_CACHE_URL=.*not a Redis URL"):
        conf.cache_from_url("MIARA_CACHE_URL", url)


def test_a_bad_url_stops_the_settings_from_loading(tmp_path):
    done = settings_with(tmp_path, MIARA_CACHE_URL="memcached://127.0.0.1:11211")
    assert done.returncode != 0
    assert "MIARA_CACHE_URL='memcached://127.0.0.1:11211' is not a Redis URL" in done.stderr


def _redis_answers() -> bool:
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis_cache(settings):
    if not _redis_answers():
        if os.environ.get("CI"):
            pytest.fail(f"no Redis answers at {REDIS_URL}: CI needs one for the cache tests")
        pytest.skip(f"no Redis answers at {REDIS_URL} (set MIARA_TEST_REDIS_URL)")
    config = conf.cache_from_url("MIARA_CACHE_URL", REDIS_URL)
    # Its own prefix: other test runs may share the server, and clear() would empty it.
    config["KEY_PREFIX"] = f"miara-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": config}
    return caches["default"]


def test_the_default_cache_is_redis_and_keeps_plain_values(redis_cache):
    from django.core.cache import cache

    assert type(caches["default"]).__name__ == "RedisCache"
    value = {"errors": 2, "warnings": (1, 3), "units": ["A1", "B2"], "median": 850.0}
    cache.set("board:42:rev-7", value, 30)
    try:
        assert cache.get("board:42:rev-7") == value
        assert cache.get("board:42:rev-8") is None  # another revision: another entry
    finally:
        cache.delete("board:42:rev-7")


def test_another_process_reads_what_this_one_wrote(redis_cache, tmp_path):
    key = f"shared-{uuid.uuid4().hex[:8]}"
    redis_cache.set(key, {"written": "here"}, 30)
    prefix = redis_cache.key_prefix
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'miara.settings';"
        "import django; from django.conf import settings;"
        f"settings.CACHES['default']['KEY_PREFIX'] = {prefix!r}; django.setup();"
        f"from django.core.cache import cache; print(json.dumps(cache.get({key!r})))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIARA_", "DJANGO_"))}
    env |= {
        "MIARA_SECRET_KEY": "test",
        "MIARA_VAR_DIR": str(tmp_path),
        "MIARA_CACHE_URL": REDIS_URL,
    }
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout.strip().splitlines()[-1]) == {"written": "here"}
    finally:
        redis_cache.delete(key)
