"""The demo's public side: the latest period before the collection cycle is published,
as a coordinator would publish it once its results are final, so the public pages and
the open-data API have something to show."""

from __future__ import annotations

from collections.abc import Callable

from miara.accounts.scope import OPERATOR
from miara.analytics.models import ResultSet
from miara.engine.periods import Period
from miara.publication.models import Publication
from miara.publication.services import publication_publish


def demo_publication(progress: Callable[[str], None] = print) -> None:
    """Publish the newest final period unless something is published already."""
    if Publication.objects.exists():
        return
    finals = ResultSet.objects.filter(
        is_current=True, status__in=[ResultSet.Status.FINAL, ResultSet.Status.REVISED]
    ).values_list("period", flat=True)
    if not finals:
        return
    period = max(finals, key=Period.parse)
    progress(f"Publishing {period} (with the disclosure audit) ...")
    publication_publish(acting_user=OPERATOR, period=period, channel="import")
