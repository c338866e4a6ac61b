"""Typed readers for MIARA_* environment variables.

Every setting comes from the environment; a bad value stops start-up with a message
that names the variable, rather than surfacing later as a confusing error.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigurationError(Exception):
    pass


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name}={raw!r} is not a yes/no value; use 1/0, true/false, on/off")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ConfigurationError(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


CACHE_SCHEMES = ("redis", "rediss", "unix")


def cache_from_url(name: str, url: str) -> dict:
    """Django's `default` cache from a URL: empty is this process's memory (LocMem);
    `redis://[:password@]host:port/db`, `rediss://...` (TLS) or `unix:///path.sock` is
    Redis (Django's RedisCache), shared by every process and machine that names it."""
    url = url.strip()
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    scheme = url.partition("://")[0].lower()
    if scheme not in CACHE_SCHEMES or "://" not in url:
        raise ConfigurationError(
            f"{name}={url!r} is not a Redis URL; use redis://host:6379/0, rediss://... "
            "or unix:///path/to/redis.sock, or leave it unset for the memory of each process"
        )
    # Several installations may share one Redis: keys carry miara's prefix.
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "miara",
    }


def var_dir() -> Path:
    """The working directory's var/, where local state (database, secret key) lives."""
    path = Path(os.environ.get("MIARA_VAR_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key() -> str:
    """MIARA_SECRET_KEY, or a key generated once and kept under var/ for local use."""
    key = os.environ.get("MIARA_SECRET_KEY")
    if key:
        return key
    path = var_dir() / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()
