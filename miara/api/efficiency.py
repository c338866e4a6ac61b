"""Efficiency models: list and define them, read their results as the caller may see them."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Router, Schema, Status

from miara.api.auth import protected
from miara.api.schemas import Code, ErrorOut, PeriodCode, Text, ValidationErrorOut
from miara.efficiency import selectors, services
from miara.efficiency.models import EfficiencyModel

router = Router(tags=["efficiency"], auth=protected)


class ModelOut(Schema):
    id: int
    name: str
    kind: str = Field(description="dea or malmquist")
    inputs: list[str]
    outputs: list[str]
    returns: str
    orientation: str
    period: str
    period_to: str = Field(description="Malmquist only: the second period")
    group: str = Field(description="Peer group code; empty for all units")
    state: str = Field(description="queued, running, done or failed")
    error: str
    excluded: list[dict] = Field(description="Units left out: unit, variable, reason")
    warnings: list[dict]


class ModelIn(Schema):
    name: Text = Field(min_length=1)
    kind: Literal["dea", "malmquist"] = "dea"
    inputs: list[Code] = Field(min_length=1)
    outputs: list[Code] = Field(min_length=1)
    returns: Literal["constant", "variable"] = "constant"
    orientation: Literal["input", "output"] = "input"
    period: PeriodCode
    period_to: PeriodCode | Literal[""] = ""
    group: Code | Literal[""] = ""


class ResultOut(Schema):
    unit: str = Field(description="Code, or a pseudonym in an anonymised programme")
    rank: int | None
    status: str = Field(description="optimal or infeasible (then no score)")
    score: float | None = None
    super_score: float | None = None
    efficient: bool | None = None
    peers: dict[str, float | None] = Field(
        default_factory=dict, description="Peer → weight λ (null where withheld)"
    )
    targets: dict[str, float] | None = None
    slacks: dict[str, float] | None = None
    figures: dict[str, float | None] = Field(
        default_factory=dict, description="Malmquist: effch, techch, pech, sech, tfpch"
    )


class ResultsOut(Schema):
    model: ModelOut
    items: list[ResultOut]


def _model_out(model: EfficiencyModel, user) -> dict:
    return {
        "id": model.pk,
        "name": model.name,
        "kind": model.kind,
        "inputs": model.inputs,
        "outputs": model.outputs,
        "returns": model.returns,
        "orientation": model.orientation,
        "period": model.period,
        "period_to": model.period_to,
        "group": model.group,
        "state": model.state,
        "error": model.error,
        "excluded": selectors.excluded_shown(user, model),
        "warnings": model.warnings,
    }


@router.get("/models", response={200: list[ModelOut], 401: ErrorOut})
def list_models(request):
    return [_model_out(m, request.user) for m in selectors.models_visible_to(request.user)]


@router.post(
    "/models", response={201: ModelOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut}
)
def create_model(request, payload: ModelIn):
    try:
        model = services.model_create(
            acting_user=request.user, channel="api", **payload.model_dump()
        )
    except selectors.EfficiencyInputError as error:
        return Status(
            422,
            {"detail": [{"index": None, "field": error.field or "payload", "message": str(error)}]},
        )
    return Status(201, _model_out(model, request.user))


@router.get(
    "/models/{model_id}",
    response={200: ResultsOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def model_results(request, model_id: int):
    model = selectors.model_get(request.user, model_id)
    items = []
    for item in selectors.shown_results(request.user, model):
        r = item.result
        items.append(
            {
                "unit": item.key,
                "rank": item.rank,
                "status": r.status,
                "score": r.score,
                "super_score": r.super_score,
                "efficient": r.efficient,
                "peers": {key: weight for key, _label, weight in item.peers},
                "targets": r.targets if item.shows_values else None,
                "slacks": r.slacks if item.shows_values else None,
                "figures": r.figures,
            }
        )
    return {"model": _model_out(model, request.user), "items": items}
