"""Result sets and computations: what was computed from which data, and computing anew.

`POST /result-sets` queues a computation (coordinators; 403 for anyone else) and answers
202 with the job and a `Location` of `GET /jobs/{id}`, which reports its state and
progress. Nothing computes in the request. Result sets list the submissions they
include, so they are for coordinators and experts; a job is shown to them only (any other
caller gets the 404 of a job that does not exist).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from miara.accounts.scope import reads_all_units
from miara.analytics.models import ComputeJob, ResultSet
from miara.analytics.selectors import period_result_sets
from miara.analytics.services import ComputeRequestError, result_set_compute_request
from miara.api import lookups
from miara.api.auth import protected
from miara.api.schemas import ErrorOut, ValidationErrorOut
from miara.collection.models import Channel

router = Router(tags=["computations"], auth=protected)


class ComputeIn(Schema):
    period: str = Field(description="The period to compute, e.g. 2025")
    kind: Literal["provisional", "final"] = Field(
        description="provisional: submitted and accepted data; final: accepted only "
        "(a final period computed again becomes revised)"
    )


class IncludedSubmissionOut(Schema):
    id: int
    unit: str
    state: str = Field(description="The submission's state when the set was computed")


class ResultSetOut(Schema):
    id: int
    period: str
    status: str = Field(description="provisional | final | revised")
    is_current: bool
    created_at: datetime
    created_by: str | None
    basis: str = Field(
        description="cycle: the listed submissions; loaded: every stored value "
        "(a period without a collection cycle)"
    )
    submissions: list[IncludedSubmissionOut]
    submission_counts: dict[str, int] = Field(
        description="Submissions of the period by state at compute time, included or not"
    )
    changes: dict = Field(description="What changed since the previous current result set")
    row_count: int


class JobOut(Schema):
    id: int
    period: str
    kind: str
    state: str = Field(description="queued | running | done | failed")
    step: str = Field(description="waiting | reading | formulas | statistics | storing | done")
    percent: int
    error: str
    result_set: int | None = Field(description="The result set it made, once done")
    created_at: datetime
    finished_at: datetime | None


def _readers_only(user) -> None:
    if not reads_all_units(user):
        raise PermissionDenied("only coordinators and experts see result sets")


def _result_set_out(result_set: ResultSet) -> dict:
    return {
        "id": result_set.pk,
        "period": result_set.period,
        "status": result_set.status,
        "is_current": result_set.is_current,
        "created_at": result_set.created_at,
        "created_by": result_set.created_by.username if result_set.created_by else None,
        "basis": result_set.basis,
        "submissions": result_set.submissions,
        "submission_counts": result_set.submission_counts,
        "changes": result_set.changes,
        "row_count": result_set.row_count,
    }


def job_out(job: ComputeJob) -> dict:
    return {
        "id": job.pk,
        "period": job.period,
        "kind": job.kind,
        "state": job.state,
        "step": job.step,
        "percent": job.percent,
        "error": job.error,
        "result_set": job.result_set_id,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@router.get(
    "/result-sets",
    response={200: list[ResultSetOut], 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Result sets of a period, with the submissions each includes",
)
def result_sets_list(request, period: Annotated[str, Query(description="A period, e.g. 2025")]):
    """Newest first; the current one has `is_current`. Coordinators and experts only."""
    _readers_only(request.auth)
    lookups.check_periods([period])
    return [_result_set_out(r) for r in period_result_sets(period)]


@router.post(
    "/result-sets",
    response={202: JobOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Compute a period's results in the background (coordinators)",
)
def result_sets_compute(request, payload: ComputeIn, response: HttpResponse):
    """Queues the computation and answers 202 at once, with a `Location` to follow it.
    While one is queued or running for the period, the same request returns that job.
    """
    try:
        job = result_set_compute_request(
            acting_user=request.auth,
            period=payload.period,
            kind=payload.kind,
            channel=Channel.API,
        )
    except ComputeRequestError as error:
        raise ComputeInputError(str(error)) from None
    response["Location"] = f"/api/v1/jobs/{job.pk}"
    return Status(202, job_out(job))


@router.get(
    "/jobs/{job_id}",
    response={200: JobOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="A computation's state and progress",
)
def job_detail(request, job_id: int):
    user = request.auth
    job = ComputeJob.objects.filter(pk=job_id).first()
    if job is None or not reads_all_units(user):
        raise Http404(f"there is no job {job_id}")
    return job_out(job)


class ComputeInputError(Exception):
    """A request the service refused as given (bad period, a computation under way)."""

    def __init__(self, message: str):
        self.errors = [{"index": None, "field": "body", "message": message}]
        super().__init__(message)
