"""What the public may see: aggregates of published periods (methodology.md, "Publication
and anonymity"). No authentication, so nothing here may reveal a single unit.
"""

from __future__ import annotations

from typing import Annotated

from ninja import Query, Router
from ninja.errors import HttpError

from miara.analytics.selectors import public_aggregates_frame, published_result_set
from miara.api import lookups
from miara.api.schemas import (
    Code,
    ErrorOut,
    PeriodCode,
    PublicAggregatesOut,
    ValidationErrorOut,
)
from miara.units.models import Programme

router = Router(tags=["public"], auth=None)


@router.get(
    "/aggregates",
    response={200: PublicAggregatesOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Published group aggregates (no authentication)",
)
def aggregates_list(
    request,
    period: Annotated[PeriodCode, Query(description="A published period")],
    indicator: Annotated[
        list[Code] | None, Query(description="Indicator code; repeat for several")
    ] = None,
    group: Annotated[
        list[Code] | None, Query(description="Peer group code (or all); repeat for several")
    ] = None,
):
    """n, mean and median of each group (q1 and q3 too when n >= 8), only for groups of
    at least the programme's threshold of units and only for published periods.
    Never min, max, best, ranks or single values.
    """
    lookups.check_periods([period])
    indicators = lookups.check_indicators(indicator)
    groups = lookups.check_groups(group)
    result_set = published_result_set(period)
    if result_set is None:
        raise HttpError(404, f"period {period} is not published")
    threshold = Programme.current().public_threshold
    frame = public_aggregates_frame(
        result_set=result_set, threshold=threshold, indicators=indicators, groups=groups
    )
    return {
        "period": period,
        "status": result_set.status,
        "threshold": threshold,
        "items": frame.to_dicts(),
    }
