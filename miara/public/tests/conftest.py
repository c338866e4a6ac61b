"""Fixtures of the public site's tests: the small programme with periods made public.

`make_public(period)` is the one place these tests publish a period: through the
publishing service, as the operator (`miara publish`), so the differencing audit runs.
"""

from __future__ import annotations

import pytest

# The test programme has 4 units; with k = 3 the group "all" is public and the groups of
# two (CITIES, LARGE) are not.
THRESHOLD = 3


def make_public(period: str) -> None:
    from miara.accounts.scope import OPERATOR
    from miara.publication.services import publication_publish

    publication_publish(acting_user=OPERATOR, period=period, threshold=THRESHOLD, channel="cli")


def retract(period: str) -> None:
    from miara.accounts.scope import OPERATOR
    from miara.publication.services import publication_retract

    publication_retract(acting_user=OPERATOR, period=period, reason="test", channel="cli")


@pytest.fixture
def public(programme, settings):
    """Periods 2023 and 2024 public, in an anonymised programme with k = 3."""
    from miara.units.models import Programme

    settings.PUBLIC_CACHE_SECONDS = 0
    current = Programme.current()
    current.visibility = Programme.Visibility.ANONYMISED
    current.public_threshold = THRESHOLD
    current.name = {"en": "Test programme", "pl": "Program testowy", "cs": "Testovací program"}
    current.save()
    make_public("2023")
    make_public("2024")
    return programme
