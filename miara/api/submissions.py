"""A unit's submission to a cycle: read it, and move it through the workflow.

Status codes of the actions, the same for each:
- 404 when the submission does not exist or belongs to a unit you may not see (its id
  would otherwise tell which units take part);
- 403 when you may see it but your role may not make this move (editors and experts
  never do; managers only submit their own units; coordinators return, accept, reopen);
- 409 when the submission is not in a state that allows the move, or the cycle is closed;
- 422 when submitting is blocked by data-quality errors or unjustified warnings (the
  answer lists them), or when the request is malformed;
- 200 with the new state otherwise.
"""

from __future__ import annotations

from ninja import Router, Status

from miara.api import lookups
from miara.api.auth import protected
from miara.api.schemas import (
    ErrorOut,
    SubmissionBlockedOut,
    SubmissionOut,
    SubmissionReopenIn,
    SubmissionReturnIn,
    SubmissionStateOut,
    ValidationErrorOut,
)
from miara.collection.cycles import (
    SubmissionBlocked,
    WorkflowError,
    submission_accept,
    submission_reopen,
    submission_return,
    submission_submit,
)
from miara.collection.findings import submission_findings
from miara.collection.models import Channel, Submission

router = Router(tags=["submissions"], auth=protected)

# Shown in the documentation of every action.
STATUSES = (
    "\n\n404 when the submission does not exist or belongs to a unit you may not see; "
    "403 when you may see it but your role may not make this move; 409 when its state "
    "does not allow the move or the cycle is closed; 200 with the new state otherwise."
)
ACTION_ANSWERS = {
    200: SubmissionStateOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
}


class NoteErrors(Exception):
    """Notes on variables that are not in the questionnaire; answered as 422."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__(f"{len(errors)} note(s) name no questionnaire variable")


@router.get(
    "/{int:submission_id}",
    response={200: SubmissionOut, 401: ErrorOut, 404: ErrorOut},
    summary="A submission: state, history, review notes and data-quality findings",
)
def submissions_detail(request, submission_id: int):
    """`findings` are the checks run on submitting, as they stand now: errors always block,
    a warning blocks until its value carries a comment that justifies it. 404 when the
    submission does not exist or belongs to a unit you may not see.
    """
    submission = lookups.access_submission(request.auth, submission_id)
    events = submission.events.select_related("user")
    notes = submission.notes.select_related("user", "variable")
    return _state(submission) | {
        "cycle": submission.cycle_id,
        "unit_name": submission.unit.name,
        "locked": submission.is_locked,
        "updated_at": submission.updated_at,
        "events": [
            {
                "from_state": e.from_state,
                "to_state": e.to_state,
                "user": _username(e.user),
                "at": e.at,
                "comment": e.comment,
            }
            for e in events
        ],
        "notes": [
            {
                "variable": n.variable.code if n.variable else None,
                "text": n.text,
                "user": _username(n.user),
                "at": n.at,
            }
            for n in notes
        ],
        "findings": [_finding(f) for f in submission_findings(submission)],
    }


@router.post(
    "/{int:submission_id}/submit",
    response=ACTION_ANSWERS | {422: SubmissionBlockedOut},
    summary="Submit (the unit's manager, or a coordinator)",
    description="From draft, returned or reopened. 422 lists the findings that block it: "
    "fix the errors, and justify each remaining warning with a comment on its value." + STATUSES,
)
def submissions_submit(request, submission_id: int):
    submission = lookups.access_submission(request.auth, submission_id)
    try:
        return _state(
            submission_submit(submission=submission, acting_user=request.auth, channel=Channel.API)
        )
    except SubmissionBlocked as blocked:
        return Status(
            422, {"detail": str(blocked), "findings": [_finding(f) for f in blocked.findings]}
        )
    except WorkflowError as error:
        return Status(409, {"detail": str(error)})


@router.post(
    "/{int:submission_id}/return",
    response=ACTION_ANSWERS | {422: ValidationErrorOut},
    summary="Return to the unit with a comment (coordinators)",
    description="From submitted. Say why in `comment`, in `notes` per questionnaire "
    'variable (`{"WASTE_T": "twice last year\'s?"}`), or both; 422 without either, or for '
    "a note on a variable that is not in the questionnaire." + STATUSES,
)
def submissions_return(request, submission_id: int, payload: SubmissionReturnIn):
    submission = lookups.access_submission(request.auth, submission_id)
    _check_notes(submission, payload.notes)
    return _act(
        submission_return,
        submission,
        request.auth,
        comment=payload.comment,
        notes=payload.notes,
    )


@router.post(
    "/{int:submission_id}/accept",
    response=ACTION_ANSWERS,
    summary="Accept (coordinators)",
    description="From submitted. Accepted values stay locked until the submission is "
    "reopened." + STATUSES,
)
def submissions_accept(request, submission_id: int):
    submission = lookups.access_submission(request.auth, submission_id)
    return _act(submission_accept, submission, request.auth)


@router.post(
    "/{int:submission_id}/reopen",
    response=ACTION_ANSWERS | {422: ValidationErrorOut},
    summary="Reopen accepted data, with a reason (coordinators)",
    description="From accepted. The reason is recorded in the submission's history; 422 "
    "without one." + STATUSES,
)
def submissions_reopen(request, submission_id: int, payload: SubmissionReopenIn):
    submission = lookups.access_submission(request.auth, submission_id)
    return _act(submission_reopen, submission, request.auth, reason=payload.reason)


def _act(service, submission: Submission, user, **arguments):
    """Call one workflow service; PermissionDenied passes on to the API's 403 handler."""
    try:
        moved = service(submission=submission, acting_user=user, channel=Channel.API, **arguments)
    except WorkflowError as error:
        return Status(409, {"detail": str(error)})
    return _state(moved)


def _check_notes(submission: Submission, notes: dict[str, str]) -> None:
    asked = set(submission.cycle.items.values_list("variable__code", flat=True))
    stray = sorted(set(notes) - asked)
    if stray:
        raise NoteErrors(
            [
                {
                    "index": None,
                    "field": f"notes.{code}",
                    "message": f"{code} is not in this cycle's questionnaire",
                }
                for code in stray
            ]
        )


def _state(submission: Submission) -> dict:
    return {
        "id": submission.pk,
        "unit": submission.unit.code,
        "period": submission.cycle.period,
        "state": submission.state,
        "version": submission.version,
    }


def _finding(finding: dict) -> dict:
    return {
        "variable": finding["variable"],
        "check": finding["check"],
        "severity": finding["severity"],
        "detail": finding["detail"],
        "value": finding["value"],
        "justified": finding["justified"],
        "blocking": finding["blocking"],
    }


def _username(user) -> str | None:
    return user.username if user else None
