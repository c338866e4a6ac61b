"""The catalogue: service areas, variables, indicators and peer groups. Public."""

from __future__ import annotations

from django.utils.translation import gettext_noop
from ninja import Router

from miara.api.lookups import ALL_GROUP
from miara.api.schemas import AreaOut, GroupOut, IndicatorOut, VariableOut
from miara.catalogue.models import Indicator, PeerGroup, ServiceArea, Variable

# The catalogue describes what is measured, not anyone's data: no authentication.
router = Router(tags=["catalogue"], auth=None)

# The implicit group of every unit with a value (methodology.md); results refer to it.
ALL_GROUP_NAME = {
    "en": gettext_noop("All units"),
    "pl": "Wszystkie jednostki",
    "cs": "Všechny jednotky",
}


@router.get("/areas", response=list[AreaOut], summary="Service areas")
def areas_list(request):
    return [
        {"code": a.code, "name": a.name, "description": a.description}
        for a in ServiceArea.objects.all()
    ]


@router.get("/variables", response=list[VariableOut], summary="Variables (raw data)")
def variables_list(request):
    return [
        {
            "code": v.code,
            "name": v.name,
            "description": v.description,
            "unit": v.unit,
            "area": v.area.code if v.area else None,
            "min": v.min_value,
            "max": v.max_value,
        }
        for v in Variable.objects.select_related("area")
    ]


@router.get("/indicators", response=list[IndicatorOut], summary="Indicators and their formulas")
def indicators_list(request):
    return [
        {
            "code": i.code,
            "name": i.name,
            "description": i.description,
            "formula": i.formula,
            "direction": i.direction,
            "unit": i.unit,
            "decimals": i.decimals,
            "area": i.area.code if i.area else None,
        }
        for i in Indicator.objects.select_related("area")
    ]


@router.get("/groups", response=list[GroupOut], summary="Peer groups, with the implicit `all`")
def groups_list(request):
    implicit = {
        "code": ALL_GROUP,
        "name": ALL_GROUP_NAME,
        "description": {},
        "kind": "all",
        "unit_types": [],
        "context_variable": None,
        "context_min": None,
        "context_max": None,
    }
    return [implicit] + [
        {
            "code": g.code,
            "name": g.name,
            "description": g.description,
            "kind": g.kind,
            "unit_types": g.unit_types or [],
            "context_variable": g.context_variable.code if g.context_variable else None,
            "context_min": g.context_min,
            "context_max": g.context_max,
        }
        for g in PeerGroup.objects.select_related("context_variable")
    ]
