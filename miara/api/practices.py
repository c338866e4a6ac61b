"""Good practices: read those you may read (the author office as you may see it), propose
one for an office you work for."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.core.exceptions import PermissionDenied
from ninja import Field, Query, Router, Schema, Status

from miara.api import lookups
from miara.api.auth import protected
from miara.api.schemas import Code, ErrorOut, Text, UnitCode, ValidationErrorOut
from miara.practices import selectors, services
from miara.practices.models import Practice

router = Router(tags=["practices"], auth=protected)


class PracticeOut(Schema):
    id: int
    title: str
    state: str = Field(description="draft, submitted, returned, accepted, published, withdrawn")
    unit: str | None = Field(
        description="The author office's code; null when it is anonymous to you"
    )
    author: str = Field(description="The office's name, or its type when it is anonymous to you")
    problem: str
    what_was_done: str
    results: str
    cost: float | None
    currency: str
    effort: str
    contact: str | None
    area: str | None
    indicators: list[str]
    started_on: datetime.date
    named: bool
    version: int


class PracticesOut(Schema):
    items: list[PracticeOut]


class PracticeIn(Schema):
    unit: UnitCode
    title: Annotated[str, Field(min_length=1, max_length=200)]
    problem: Text = ""
    what_was_done: Text = ""
    results: Text = ""
    cost: float | None = Field(None, ge=0)
    currency: Annotated[str, Field(max_length=3)] = ""
    effort: Annotated[str, Field(max_length=200)] = ""
    contact: Annotated[str, Field(max_length=200)] = ""
    area: Code | None = None
    indicators: list[Code] = Field(default_factory=list, max_length=200)
    started_on: datetime.date
    named: bool = False
    submit: bool = Field(False, description="Submit it for review at once")


def _practice(practice: Practice, user) -> dict:
    author = selectors.author_of(practice, user)
    return {
        "id": practice.pk,
        "title": practice.title,
        "state": practice.state,
        "unit": author.code or None,
        "author": author.label,
        "problem": practice.problem,
        "what_was_done": practice.what_was_done,
        "results": practice.results,
        "cost": float(practice.cost) if practice.cost is not None else None,
        "currency": practice.currency,
        "effort": practice.effort,
        "contact": practice.contact if author.shown else None,
        "area": practice.area.code if practice.area else None,
        "indicators": sorted(i.code for i in practice.indicators.all()),
        "started_on": practice.started_on,
        "named": practice.named,
        "version": practice.version,
    }


@router.get(
    "",
    response={200: PracticesOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="Good practices you may read",
)
def practices_list(
    request,
    q: Annotated[str, Query(max_length=200, description="Words to search for")] = "",
    area: Annotated[Code | None, Query(description="Service area code")] = None,
    indicator: Annotated[Code | None, Query(description="Linked indicator code")] = None,
    unit_type: Annotated[Code | None, Query(description="Type of the author office")] = None,
):
    """Published practices, your own offices' and, for experts and coordinators, those in
    review. In an anonymised programme another office's practice names its office only if
    the office chose so."""
    user = request.auth
    filters = selectors.Filters(
        query=q, area=area or "", indicator=indicator or "", unit_type=unit_type or ""
    )
    found = selectors.search(selectors.practices_for(user=user), filters)[:500]
    return {"items": [_practice(p, user) for p in found]}


@router.post(
    "",
    response={
        200: PracticeOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Propose a practice",
)
def practice_post(request, payload: PracticeIn):
    """Propose a practice of an office you manage or edit for; 422 names the field that is
    wrong."""
    user = request.auth
    lookups.check_visible_units(user, [payload.unit])
    data = services.PracticeData(
        title=payload.title,
        started_on=payload.started_on,
        problem=payload.problem,
        what_was_done=payload.what_was_done,
        results=payload.results,
        cost=payload.cost,
        currency=payload.currency,
        effort=payload.effort,
        contact=payload.contact,
        area=payload.area,
        indicators=list(payload.indicators),
        named=payload.named,
    )
    try:
        practice = services.practice_create(
            acting_user=user,
            unit_code=payload.unit,
            data=data,
            submit=payload.submit,
            channel="api",
        )
    except services.PracticeInputError as error:
        return Status(
            422, {"detail": [{"index": None, "field": error.field, "message": str(error)}]}
        )
    except PermissionDenied as denied:
        return Status(403, {"detail": str(denied) or "you may not propose practices for it"})
    return _practice(practice, user)
