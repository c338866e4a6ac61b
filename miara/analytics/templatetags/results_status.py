"""The state of the results a page shows: provisional results say so on every page."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from miara.analytics.selectors import current_result_sets

register = template.Library()


def provisional_note(period: str) -> str:
    """The sentence that marks a period's provisional results ("" when they are final,
    revised or absent); pages, CSV headers and reports use the same words."""
    found = current_result_sets([period]) if period else []
    if not found or not found[0].is_provisional:
        return ""
    result_set = found[0]
    if result_set.basis == "cycle":
        basis = ngettext(
            "computed from %(n)d submitted or accepted submission",
            "computed from %(n)d submitted or accepted submissions",
            result_set.submission_count,
        ) % {"n": result_set.submission_count}
    else:
        basis = _("computed from the loaded values")
    return _("Provisional results for %(period)s, %(basis)s; they may change.") % {
        "period": period,
        "basis": basis,
    }


@register.simple_tag
def results_status_note(period):
    """A notice above a page's results when the period's results are provisional."""
    text = provisional_note(str(period or ""))
    if not text:
        return ""
    return format_html(
        '<p class="notice notice--provisional" role="note" data-results-status="provisional">'
        "<strong>{}</strong> {}</p>",
        _("Provisional."),
        text,
    )
