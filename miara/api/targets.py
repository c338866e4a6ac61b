"""Targets: read those you may read with their status, set several at once with versions."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Query, Router, Schema, Status

from miara.api import lookups
from miara.api.auth import protected
from miara.api.schemas import Code, ErrorOut, PeriodCode, Text, UnitCode, ValidationErrorOut
from miara.targets.selectors import target_rows
from miara.targets.services import (
    TargetConflict,
    TargetInputError,
    TargetItem,
    TargetItemErrors,
    targets_save,
)

router = Router(tags=["targets"], auth=protected)


class PointOut(Schema):
    period: str
    target: float


class TargetOut(Schema):
    indicator: str
    unit: str
    points: list[PointOut] = Field(description="The target per period; between points, linear")
    owner: str | None
    rule: str = Field(description="How it was set: empty by hand, else the rule it was derived by")
    version: int = Field(description="Send it back when you change the target")
    period: str | None = Field(
        description="The latest period with a value for which a target is set"
    )
    target: float | None
    value: float | None
    status: str = Field(description="on_track, at_risk, off_track or no_data")


class TargetsOut(Schema):
    items: list[TargetOut]


class PointIn(Schema):
    period: PeriodCode
    target: float


class TargetIn(Schema):
    indicator: Code
    unit: UnitCode
    points: list[PointIn] = Field(
        min_length=1, description="One period, or a start and a final period (and any between)"
    )
    owner: Code | None = Field(None, description="Username of the person who answers for it")
    rule: Text = ""
    version: int | None = Field(
        None,
        ge=0,
        description="The version you read (0: there is none yet); omit to overwrite regardless",
    )


class TargetsIn(Schema):
    targets: list[TargetIn] = Field(min_length=1, max_length=1000)


class ConflictOut(Schema):
    detail: str
    indicator: str
    unit: str
    given_version: int
    stored_version: int


@router.get(
    "",
    response={
        200: TargetsOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Targets with their status",
)
def targets_list(
    request,
    unit: Annotated[
        list[UnitCode] | None, Query(description="Unit code; repeat for several")
    ] = None,
    indicator: Annotated[
        list[Code] | None, Query(description="Indicator code; repeat for several")
    ] = None,
):
    """The targets you may read: your own units', and those other offices share with the
    programme (coordinators and experts). A unit you may not see is a 404, as is one
    that does not exist; a unit whose targets are not shared with you is a 403."""
    user = request.auth
    units = lookups.check_visible_units(user, unit)
    rows = target_rows(user=user, unit_codes=units, indicator_codes=indicator)
    return {"items": rows}


@router.post(
    "",
    response={
        200: TargetsOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ConflictOut,
        422: ValidationErrorOut,
    },
    summary="Set targets, all or nothing",
)
def targets_post(request, payload: TargetsIn):
    """Create or replace targets of units you manage (an office plans for itself).

    Send `version` as you read it: when someone changed the target since, nothing is
    stored and the answer is 409 with the stored version. 422 lists every bad item by its
    index (a neutral indicator, a final period before the start, an owner without access
    to the unit, ...). 403 when you may not plan for one of the units.
    """
    user = request.auth
    lookups.check_visible_units(user, sorted({t.unit for t in payload.targets}))
    items = [
        TargetItem(
            indicator=t.indicator,
            unit=t.unit,
            points=[(p.period, p.target) for p in t.points],
            owner=t.owner,
            rule=t.rule,
            version=t.version,
        )
        for t in payload.targets
    ]
    try:
        saved = targets_save(acting_user=user, items=items, channel="api")
    except TargetItemErrors as errors:
        return Status(
            422,
            {"detail": [{"index": i, "field": f, "message": m} for i, f, m in errors.errors]},
        )
    except TargetInputError as error:
        return Status(
            422, {"detail": [{"index": None, "field": error.field, "message": str(error)}]}
        )
    except TargetConflict as conflict:
        return Status(
            409,
            {
                "detail": str(conflict),
                "indicator": conflict.indicator,
                "unit": conflict.unit,
                "given_version": conflict.given,
                "stored_version": conflict.stored,
            },
        )
    keys = {(t.indicator.code, t.unit.code) for t in saved}
    rows = target_rows(user=user, unit_codes=sorted({u for _i, u in keys}))
    return {"items": [r for r in rows if (r["indicator"], r["unit"]) in keys]}
