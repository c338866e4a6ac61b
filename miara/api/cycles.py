"""Collection cycles: the ones you take part in, their questionnaires and submissions.

A cycle none of your units takes part in is a 404, like one that does not exist.
"""

from __future__ import annotations

from ninja import Router, Status

from miara.accounts.scope import visible_unit_ids
from miara.api import lookups
from miara.api.auth import protected
from miara.api.schemas import (
    CycleDetailOut,
    CycleIn,
    CycleOut,
    CycleSubmissionOut,
    ErrorOut,
    ValidationErrorOut,
)
from miara.catalogue.models import Variable
from miara.collection.cycles import WorkflowError, cycle_open
from miara.collection.findings import cycle_board
from miara.collection.models import Channel, Cycle
from miara.collection.selectors import cycles_overview, cycles_visible_to
from miara.units.models import Unit

router = Router(tags=["cycles"], auth=protected)


class CycleInputErrors(Exception):
    """The codes of a new cycle that do not exist; answered as 422, one entry each."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__(f"{len(errors)} field(s) are wrong")


@router.get("", response={200: list[CycleOut], 401: ErrorOut}, summary="Cycles you take part in")
def cycles_list(request):
    """Newest period first. Coordinators and experts see every cycle; managers and editors
    the cycles in which one of their units takes part. `units` counts only those units.
    """
    user = request.auth
    cycles = list(cycles_visible_to(user))
    counts = cycles_overview(user=user, cycles=cycles)
    return [_cycle_out(c) | counts[c.pk] for c in cycles]


@router.post(
    "",
    response={
        201: CycleDetailOut,
        401: ErrorOut,
        403: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Open a cycle (coordinators)",
)
def cycles_create(request, payload: CycleIn):
    """Opens the cycle with its questionnaire (the `variables`, in order) and a draft
    submission for each of the `units`. 403 unless you are a coordinator; 422 for a
    malformed period, repeated or unknown codes, or `required` codes that are not among
    the variables.
    """
    try:
        cycle = cycle_open(
            period=payload.period,
            name=payload.name,
            variable_codes=payload.variables,
            unit_codes=payload.units,
            required_codes=payload.required,
            deadline=payload.deadline,
            acting_user=request.auth,
            channel=Channel.API,
        )
    except WorkflowError as error:
        # cycle_open checks permission first, so only a coordinator learns which codes
        # exist; the field of each unknown code is found here for a precise answer.
        raise CycleInputErrors(_unknown_codes(payload) or [_error("body", str(error))]) from None
    return Status(201, _cycle_detail(cycle))


@router.get(
    "/{int:cycle_id}",
    response={200: CycleDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="A cycle and its questionnaire",
)
def cycles_detail(request, cycle_id: int):
    return _cycle_detail(lookups.access_cycle(request.auth, cycle_id))


@router.get(
    "/{int:cycle_id}/submissions",
    response={200: list[CycleSubmissionOut], 401: ErrorOut, 404: ErrorOut},
    summary="Progress of each unit's submission",
)
def cycles_submissions(request, cycle_id: int):
    """One row per unit taking part that you may see, ordered by unit code: state,
    version, filled and required values, data-quality errors and warnings not yet
    justified (the checks that block submitting, as on the coordinator's board), and the
    last activity: the latest change of its state or of one of its values.
    """
    user = request.auth
    cycle = lookups.access_cycle(user, cycle_id)
    visible = visible_unit_ids(user)
    # The board checks every unit at once (the peers of each are all units of the cycle);
    # the caller gets only the rows of the units they may see.
    return [
        {
            "id": row["submission"].pk,
            "unit": row["unit"].code,
            "unit_name": row["unit"].name,
            "state": row["state"],
            "version": row["submission"].version,
            "items": row["items"],
            "filled": row["filled"],
            "required": row["required"],
            "required_filled": row["required_filled"],
            "errors": row["errors"],
            "open_warnings": row["warnings"],
            "last_activity": row["last_activity"] or row["submission"].updated_at,
        }
        for row in cycle_board(cycle=cycle)
        if visible is None or row["unit"].pk in visible
    ]


def _cycle_out(cycle: Cycle) -> dict:
    return {
        "id": cycle.pk,
        "period": cycle.period,
        "name": cycle.name,
        "deadline": cycle.deadline,
        "open": cycle.is_open,
    }


def _cycle_detail(cycle: Cycle) -> dict:
    return _cycle_out(cycle) | {
        "instructions": cycle.instructions or {},
        "items": [
            {
                "variable": item.variable.code,
                "name": item.variable.name,
                "unit": item.variable.unit,
                "required": item.required,
                "help": item.help or {},
            }
            for item in cycle.items.select_related("variable")
        ],
    }


def _error(field: str, message: str) -> dict:
    return {"index": None, "field": field, "message": message}


def _unknown_codes(payload: CycleIn) -> list[dict]:
    errors = []
    for field, model, codes in (
        ("variables", Variable, payload.variables),
        ("units", Unit, payload.units),
    ):
        known = set(model.objects.filter(code__in=codes).values_list("code", flat=True))
        missing = [c for c in codes if c not in known]
        if missing:
            errors.append(_error(field, f"unknown {field[:-1]} {', '.join(missing)}"))
    return errors
