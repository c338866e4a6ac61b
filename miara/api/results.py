"""Computed results: the rows of the results export, for the units the caller may see."""

from __future__ import annotations

from typing import Annotated

from ninja import Query, Router

from miara.analytics.selectors import results_page
from miara.api import lookups
from miara.api.auth import protected
from miara.api.schemas import (
    DEFAULT_PAGE,
    MAX_PAGE,
    Code,
    ErrorOut,
    PeriodCode,
    ResultsPageOut,
    UnitCode,
    ValidationErrorOut,
)

router = Router(tags=["results"], auth=protected)


@router.get(
    "",
    response={
        200: ResultsPageOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Results per unit with their group statistics",
)
def results_list(
    request,
    indicator: Annotated[
        list[Code] | None, Query(description="Indicator code; repeat for several")
    ] = None,
    period: Annotated[
        list[PeriodCode] | None, Query(description="Period code; repeat for several")
    ] = None,
    group: Annotated[
        list[Code] | None, Query(description="Peer group code (or all); repeat for several")
    ] = None,
    unit: Annotated[
        list[UnitCode] | None, Query(description="Unit code; repeat for several")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    """Each row: indicator, period, group, unit, value, rank, percentile, quartile,
    zscore, n, mean, median, q1, q3, min, max, best, std (the results export's fields),
    then gap_to_median, gap_to_best and change. Numbers at full precision; null = not
    defined. Rows are ordered by indicator, period, group and unit.
    """
    user = request.auth
    frame, total = results_page(
        user=user,
        indicators=lookups.check_indicators(indicator),
        periods=lookups.check_computed_periods(period),
        groups=lookups.check_groups(group),
        units=lookups.check_visible_units(user, unit),
        limit=limit,
        offset=offset,
    )
    return {"count": total, "limit": limit, "offset": offset, "items": frame.to_dicts()}
