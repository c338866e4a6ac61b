"""Units the caller may see."""

from __future__ import annotations

from ninja import Router

from miara.accounts.scope import visible_unit_ids
from miara.api.auth import protected
from miara.api.schemas import ErrorOut, UnitOut
from miara.units.models import Unit

router = Router(tags=["units"], auth=protected)


@router.get("", response={200: list[UnitOut], 401: ErrorOut}, summary="Units you may see")
def units_list(request):
    visible = visible_unit_ids(request.auth)
    units = Unit.objects.select_related("parent").order_by("code")
    if visible is not None:
        units = units.filter(pk__in=visible)
    return [
        {
            "code": u.code,
            "name": u.name,
            "type": u.type,
            "parent": u.parent.code if u.parent else None,
            "country": u.country,
        }
        for u in units
    ]
