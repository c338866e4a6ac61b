"""The vega-embed bundle (Vega, Vega-Lite and vega-embed), served from the installed package.

`vl-convert-python` ships these libraries; `javascript_bundle()` assembles them into one
script that sets `window.vegaEmbed`. It is built once per installed version and kept under
var/, so pages load charts from this server only: offices on closed networks get the same
charts, and nothing is copied into the repository.
"""

from __future__ import annotations

import threading
from functools import cache

from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from miara import conf

_lock = threading.Lock()


@cache
def bundle_version() -> str:
    import vl_convert

    return f"{vl_convert.get_vega_embed_version()}-{vl_convert.get_vega_version()}".replace("/", "")


@cache
def bundle_text() -> str:
    import vl_convert

    path = conf.var_dir() / f"vega-embed-{bundle_version()}.js"
    with _lock:
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_text(vl_convert.javascript_bundle(), encoding="utf-8")
            tmp.replace(path)
    return path.read_text(encoding="utf-8")


@require_GET
@cache_control(public=True, max_age=31_536_000, immutable=True)
def vega_bundle(request, version: str):
    # The version is in the URL so a new package version is a new address; an old address
    # still gets the current bundle rather than a 404.
    return HttpResponse(bundle_text(), content_type="text/javascript; charset=utf-8")
