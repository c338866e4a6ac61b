"""`{% chart %}`: a Vega-Lite chart with its text summary; `{% chart_scripts %}`: its scripts.

The spec comes from `miara.analytics.charts`; it is embedded as JSON (escaped as Django's
`json_script` does) and drawn by static/miara/charts.js with the vega-embed bundle served
by `miara.presentation.vega`. The drawing is hidden from assistive technology; the visible caption
says in words what the chart shows, and the page gives the same figures as a table.
"""

from __future__ import annotations

import json

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from miara.presentation.vega import bundle_version

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def chart(spec, chart_id, summary="", css_class=""):
    """A figure: the drawing area, the summary as its caption, and the spec as JSON."""
    payload = json.dumps(spec, separators=(",", ":"), allow_nan=False).translate(_JSON_ESCAPES)
    caption = (
        format_html('<figcaption class="chart-summary">{}</figcaption>', summary) if summary else ""
    )
    return format_html(
        '<figure class="chart-figure {}"><div id="{}" class="chart" aria-hidden="true"></div>{}'
        '<script type="application/json" data-chart="{}">{}</script></figure>',
        css_class,
        chart_id,
        caption,
        chart_id,
        mark_safe(payload),  # escaped above, as json_script does
    )


@register.simple_tag
def chart_scripts():
    return format_html(
        '<script src="{}" defer></script><script src="{}" defer></script>',
        reverse("vega_bundle", args=[bundle_version()]),
        static("miara/charts.js"),
    )
