"""Caching of the public site: one stamp of everything public says whether a page changed.

A public page depends on what is published (publication.selectors.public_stamp: every
publication, revision, retraction, passed embargo), on the catalogue (its loads, as the
audit trail records them), on the programme's name and threshold, on the licence, the
reader's language, the address and the day (the citation's "accessed" date). All of it
goes into one key, which is

* the ETag (django.views.decorators.http.condition): a harvester or a browser asking again
  with If-None-Match gets a 304 after a few queries;
* the key of the rendered response in Django's cache, so a page is built once per state
  and language, and nothing ever has to be invalidated: a new publication changes the key.

Cache-Control says `public, max-age` (short: PUBLIC_MAX_AGE) and Vary names what the page
depends on besides its address: Accept-Language and the language cookie.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition

from miara.accounts.models import AuditEntry
from miara.public.reading import visible_periods
from miara.publication import selectors
from miara.units.models import Programme

# Bump when the pages' markup changes, so that cached pages of the previous release are
# not served after an upgrade.
LAYOUT_VERSION = "1"
CACHED_STATUSES = (200, 410)
_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language")


@dataclass(frozen=True)
class SiteState:
    stamp: str
    last_modified: dt.datetime | None


def site_state(request) -> SiteState:
    """What is public now, read once per request."""
    found = getattr(request, "_public_state", None)
    if found is None:
        found = _read_state()
        request._public_state = found
    return found


def _read_state() -> SiteState:
    catalogue = AuditEntry.objects.filter(action="catalogue.load").order_by("-at", "-id").first()
    programme = Programme.current()
    parts = [
        LAYOUT_VERSION,
        selectors.public_stamp(),
        f"catalogue:{catalogue.pk if catalogue else 0}",
        f"programme:{programme.pk}:{sorted(programme.names.items())}:"
        f"{programme.public_threshold}:{programme.visibility}",
        settings.PUBLIC_LICENCE,
        settings.PUBLIC_LICENCE_URL,
        timezone.localdate().isoformat(),
    ]
    stamp = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return SiteState(stamp=stamp, last_modified=_last_change(stamp, catalogue))


def _last_change(stamp: str, catalogue) -> dt.datetime | None:
    """When anything public last changed: a publication, revision or retraction, or a
    catalogue load. Kept with the stamp, so a page served from the cache does not read
    the periods a second time."""
    key = f"public-last-change:{stamp}"
    found = cache.get(key) if settings.PUBLIC_CACHE_SECONDS else None
    if found is not None:
        return found or None
    moments = [catalogue.at] if catalogue else []
    for p in visible_periods():
        moments += [m for m in (p.published_on, p.revised_on, p.retracted_on) if m]
    latest = max(moments) if moments else None
    if settings.PUBLIC_CACHE_SECONDS:
        cache.set(key, latest or "", settings.PUBLIC_CACHE_SECONDS)
    return latest


def page_key(request) -> str:
    """The ETag and cache key of this page in this state and language."""
    text = "|".join(
        [
            site_state(request).stamp,
            translation.get_language() or "",
            request.get_host(),
            request.get_full_path(),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _etag(request, *args, **kwargs) -> str:
    return page_key(request)


def _last_modified(request, *args, **kwargs) -> dt.datetime | None:
    return site_state(request).last_modified


def public_page(view):
    """A public view: answered from the cache when this page was built in this state, 304
    to a matching If-None-Match / If-Modified-Since, with public caching headers."""

    @condition(etag_func=_etag, last_modified_func=_last_modified)
    def cached(request, *args, **kwargs):
        seconds = settings.PUBLIC_CACHE_SECONDS
        key = f"public-page:{page_key(request)}"
        hit = cache.get(key) if seconds else None
        if hit is not None:
            status, content, headers = hit
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if seconds and response.status_code in CACHED_STATUSES and not response.streaming:
            headers = [(h, response[h]) for h in _KEPT_HEADERS if response.has_header(h)]
            cache.set(key, (response.status_code, response.content, headers), seconds)
        return response

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = cached(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    return wrapper
