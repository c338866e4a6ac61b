"""Template helpers of the process pages: who may open an office's process map (for the
links to it from the unit's pages) and the words of a criterion's status."""

from __future__ import annotations

from django import template

from miara.presentation import labels, numbers
from miara.processes.services import may_read_process_map

register = template.Library()


@register.filter
def may_open_process_map(user, unit) -> bool:
    """Whether `user` may open the process map of `unit` (links show only then)."""
    return may_read_process_map(user, unit)


@register.filter
def quartile_label(quartile) -> str:
    return str(labels.QUARTILES.get(quartile, ""))


@register.filter
def reported(value) -> str:
    """A reported value (operational data) as entered, grouped and localised."""
    return numbers.significant(value)
