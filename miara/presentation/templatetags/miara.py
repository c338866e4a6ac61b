"""Presentation of stored figures: numbers at an indicator's decimals, labels, symbols.

Nothing here computes a statistic; it only formats what a result set holds.
"""

from __future__ import annotations

from django import template

from miara.presentation import labels, numbers

register = template.Library()


@register.filter
def figure(value, decimals=2):
    """A stored number with the indicator's decimals, grouped and localised ('—' if empty)."""
    return numbers.fixed(value, decimals)


@register.filter
def signed(value, decimals=2):
    """A change: always with its sign, a typographic minus for negatives."""
    return numbers.signed(value, decimals)


@register.filter
def limit(value, decimals=3):
    """A limit (a variable's minimum, a group's bound): whole numbers without decimals,
    others with `decimals` places; "" if empty."""
    return numbers.limit_text(value, int(decimals))


@register.filter
def unit_type(code):
    return labels.unit_type_label(code)


@register.filter
def country(code):
    return labels.country_label(code)


@register.filter
def direction_symbol(direction):
    return labels.DIRECTION_SYMBOLS.get(direction, "")
