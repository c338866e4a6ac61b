"""Presentation helpers of the scorecard and indicator pages (no statistics here)."""

from __future__ import annotations

from django import template

from miara.web import numbers

register = template.Library()


@register.filter
def share_as_percent(share):
    """A stored share (0.125) as a localised whole percentage without its sign ("13")."""
    return numbers.percent_share(share)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def raw_value(value):
    """A stored raw value as entered: no trailing zeros, at most six decimals, localised."""
    from miara.analytics.indicator_html import raw_text

    return raw_text(value)
