"""Context-fair comparison (methodology.md): an indicator's expected values given chosen
context variables, for the units the caller may see."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from miara.analytics.context import (
    ContextChoiceError,
    context_choice,
    context_comparison,
    reader_in_group,
)
from miara.api import lookups
from miara.api.auth import protected
from miara.api.schemas import Code, ErrorOut, PeriodCode, ValidationErrorOut
from miara.catalogue.models import Indicator

router = Router(tags=["results"], auth=protected)


class ContextUnitOut(Schema):
    unit: str = Field(description="Unit code")
    name: str
    value: float
    expected: float = Field(description="The fit at the unit's context")
    against_expectation: float = Field(
        description="value − expected, negated for a lower-is-better indicator: positive "
        "is better than expected"
    )
    context: dict[str, float] = Field(description="The unit's value of each variable")


class ContextOut(Schema):
    indicator: str
    period: str
    group: str
    variables: list[str]
    n: int = Field(description="Units of the group with the indicator and every variable")
    needed: int = Field(description="The fewest units a fit on these variables needs")
    r_squared: float | None
    reason: str | None = Field(
        description="Why there is no fit: too_few_units | collinear; null when fitted"
    )
    coefficients: dict[str, float] | None = Field(
        description="intercept and one per variable; only for coordinators and experts"
    )
    units: list[ContextUnitOut] = Field(
        description="Every unit of the fit for coordinators and experts; a participant's "
        "own units only"
    )


@router.get(
    "",
    response={200: ContextOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Expected values of an indicator given context variables",
)
def context_get(
    request,
    indicator: Annotated[Code, Query(description="Indicator code")],
    period: Annotated[PeriodCode, Query(description="A computed period")],
    group: Annotated[Code | None, Query(description="Peer group code; default all")] = None,
    variables: Annotated[
        str | None,
        Query(description="Context variables, comma-separated; default POPULATION"),
    ] = None,
):
    """An ordinary least-squares fit with intercept of the indicator on the variables over
    the group's units that have all of them (methodology.md, "Context-fair comparison").
    No fit (reason) with fewer than number of variables + 5 such units."""
    user = request.auth
    group = group or lookups.ALL_GROUP
    lookups.check_indicators([indicator])
    lookups.check_computed_periods([period])
    lookups.check_groups([group])
    found = Indicator.objects.get(code=indicator)
    if not reader_in_group(user, found, period, group):
        raise HttpError(404, f"none of your units is compared within the group {group}")
    try:
        chosen = context_choice(variables)
    except ContextChoiceError as error:
        raise HttpError(422, str(error)) from error
    comparison = context_comparison(
        user=user, indicator=found, period=period, group=group, unit=None, variables=chosen
    )
    fit = comparison.fit
    names = ("intercept", *chosen)
    return {
        "indicator": indicator,
        "period": period,
        "group": group,
        "variables": list(chosen),
        "n": fit.n,
        "needed": fit.needed,
        "r_squared": fit.r_squared,
        "reason": fit.reason,
        "coefficients": dict(zip(names, fit.coefficients, strict=True))
        if comparison.coefficients
        else None,
        "units": [
            {
                "unit": row.label.code,
                "name": row.label.label,
                "value": row.value,
                "expected": row.expected,
                "against_expectation": row.against,
                "context": dict(zip(chosen, row.context, strict=True)),
            }
            for row in sorted(comparison.rows, key=lambda r: r.label.code)
        ],
    }
