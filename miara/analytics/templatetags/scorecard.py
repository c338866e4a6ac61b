"""Presentation helpers of the scorecard and indicator pages (no statistics here)."""

from __future__ import annotations

from django import template

from miara.presentation import numbers

register = template.Library()


@register.filter
def raw_value(value):
    """A stored raw value as entered: no trailing zeros, at most six decimals, localised."""
    return numbers.as_entered(value)
