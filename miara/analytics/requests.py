"""What every analytics page reads from its URL the same way: the period asked for."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from miara.analytics.selectors import computed_periods


def requested_period(query, *, nothing_yet: str) -> tuple[list[str], str]:
    """The computed periods (newest first) and the one `?period=` asks for, else the
    newest; a 404 in the reader's language when none is computed (`nothing_yet` says what
    the page therefore cannot show) or the asked one is not."""
    periods = computed_periods()
    if not periods:
        raise Http404(nothing_yet)
    period = query.get("period") or periods[0]
    if period not in periods:
        raise Http404(
            _("No results have been computed for the period “%(period)s”. Available: %(periods)s.")
            % {"period": period, "periods": ", ".join(periods)}
        )
    return periods, period
