"""Composite indices: their definitions (public, like the catalogue) and their results
(per unit, only the units the caller may see)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404
from ninja import Field, Query, Router, Schema

from miara.analytics.index_selectors import index_export_frame
from miara.api import lookups
from miara.api.auth import protected
from miara.api.schemas import DEFAULT_PAGE, MAX_PAGE, Code, ErrorOut, PeriodCode, ValidationErrorOut
from miara.catalogue.indices import indicator_codes
from miara.catalogue.models import CompositeIndex

router = Router(tags=["indices"])


class IndexOut(Schema):
    code: str
    name: dict[str, str]
    description: dict[str, str]
    normalisation: str = Field(description="minmax | goalposts | zscore")
    aggregation: str = Field(description="arithmetic | geometric")
    max_missing_percent: float = Field(
        description="A unit missing a larger share of the indicators gets no score"
    )
    components: list[dict[str, Any]] = Field(
        description="As in the catalogue file: {indicator, weight?, goalposts?} or "
        "{pillar, name, aggregation?, weight?, components}"
    )


class IndexRowOut(Schema):
    index: str
    period: str
    unit: str
    score: float = Field(description="0–100 (a weighted mean of z-scores with zscore)")
    rank: int = Field(description="1 = the highest score")
    components: dict[str, float | None] = Field(
        description="Each indicator's normalised score (null when the unit has no value)"
    )


class IndexPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[IndexRowOut]


@router.get(
    "", response=list[IndexOut], auth=None, summary="Composite indices and their definitions"
)
def indices_list(request):
    return [
        {
            "code": i.code,
            "name": i.name,
            "description": i.description,
            "normalisation": i.normalisation,
            "aggregation": i.aggregation,
            "max_missing_percent": i.max_missing_percent,
            "components": i.components,
        }
        for i in CompositeIndex.objects.order_by("code")
    ]


@router.get(
    "/{code}/results",
    response={200: IndexPageOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    auth=protected,
    summary="Scores and ranks of a composite index",
)
def index_results(
    request,
    code: Code,
    period: Annotated[
        list[PeriodCode] | None, Query(description="Period code; repeat for several")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    """Rows ordered by period, rank and unit: index, period, unit, score, rank and the
    indicators' normalised scores. Ranks are among all scored units; a participant gets
    the rows of their own units only."""
    index = CompositeIndex.objects.filter(code=code).first()
    if index is None:
        raise Http404(f"unknown composite index {code}")
    frame = index_export_frame(
        index, periods=lookups.check_computed_periods(period), user=request.auth
    )
    page = frame.slice(offset, limit)
    codes = indicator_codes(index.components)
    items = [
        {
            **{k: row[k] for k in ("index", "period", "unit", "score", "rank")},
            "components": {c: row[c] for c in codes},
        }
        for row in page.iter_rows(named=True)
    ]
    return {"count": frame.height, "limit": limit, "offset": offset, "items": items}
