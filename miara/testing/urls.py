"""Page addresses for tests: a named URL with a query string."""

from __future__ import annotations

from django.urls import reverse


def url_with_query(name: str, *args, **params) -> str:
    """`reverse(name, args=args)`, then `params` as a query string, values as given."""
    url = reverse(name, args=args)
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url
