"""Presentation helpers of the scorecard and indicator pages (no statistics here)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def raw_value(value):
    """A stored raw value as entered: no trailing zeros, at most six decimals, localised."""
    from miara.analytics.indicator_html import raw_text

    return raw_text(value)
