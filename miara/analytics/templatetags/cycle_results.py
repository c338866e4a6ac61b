"""`{% cycle_results %}`: the results section of a collection cycle's board.

The board (collection) sits below analytics and does not import it; its template draws
this section, which reads the period's result sets and its latest computation.
"""

from __future__ import annotations

from django import template

from miara.analytics.compute_views import cycle_results_context

register = template.Library()


@register.inclusion_tag("analytics/cycle_results.html", takes_context=True)
def cycle_results(context) -> dict:
    return {
        "cycle": context["cycle"],
        "may_act": context["may_act"],
        **cycle_results_context(context["cycle"]),
    }
