"""What the public may see: aggregates of published periods (methodology.md, "Publication
and anonymity"), as open data. No authentication, so everything here is read through
`publication.selectors`, where the threshold, the quartile rule and the differencing
audit's withheld groups are applied; nothing here reads results directly.

Harvesters poll: every answer carries an ETag and Last-Modified, and a request that
repeats them (If-None-Match / If-Modified-Since) gets 304 Not Modified.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError

from miara.api import lookups
from miara.api.schemas import (
    Code,
    ErrorOut,
    PeriodCode,
    PublicAggregatesOut,
    PublicPeriodOut,
    ValidationErrorOut,
)
from miara.publication import selectors

router = Router(tags=["public"], auth=None)

# Harvesters may keep an answer this long; an ETag check costs them almost nothing.
MAX_AGE = 300
_FIGURES = ("n", "mean", "median", "q1", "q3")


def _validators(request) -> tuple[str, float | None]:
    stamp = f"{selectors.public_stamp()}|{request.get_full_path()}"
    etag = '"' + hashlib.sha256(stamp.encode()).hexdigest()[:32] + '"'
    modified = selectors.public_last_modified()
    return etag, modified.timestamp() if modified else None


def _not_modified(request) -> tuple[HttpResponse | None, str, float | None]:
    etag, modified = _validators(request)
    return (
        get_conditional_response(request, etag=etag, last_modified=modified and int(modified)),
        etag,
        modified,
    )


def _stamp(response: HttpResponse, etag: str, modified: float | None) -> None:
    response["ETag"] = etag
    if modified:
        response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"


def _not_public(period: str) -> HttpError:
    found = selectors.published_period(period)
    if found is not None and found.state == "retracted":
        return HttpError(
            404,
            f"the publication of period {period} was retracted on "
            f"{found.retracted_on.date().isoformat()} ({found.retraction_reason}); "
            "its figures are no longer public",
        )
    return HttpError(404, f"period {period} is not published")


def _item(row: dict, lineage: dict) -> dict:
    source = lineage.get(row["indicator"])
    trace = {
        "formula": source.formula if source else "",
        "variables": source.variables if source else [],
        "result_set": row["result_set"],
        "result_state": row["result_state"],
    }
    item = {"indicator": row["indicator"], "period": row["period"], "group": row["group"]}
    if row["withheld"]:
        # Nothing numeric at all, not even n: the count of a withheld group is part of
        # what the audit protects (n of a group and its part give the size of the rest).
        item["withheld"] = row["withheld"]
        item["withheld_note"] = (
            _("withheld to protect a smaller group")
            if row["withheld"] == "differencing"
            else _("fewer units than the publication threshold")
        )
    else:
        item.update({c: row[c] for c in _FIGURES})
        trace["n"] = row["n"]
    item["lineage"] = trace
    return item


@router.get(
    "/aggregates",
    response={200: PublicAggregatesOut, 304: None, 404: ErrorOut, 422: ValidationErrorOut},
    exclude_unset=True,
    summary="Published group aggregates (no authentication)",
)
def aggregates_list(
    request,
    response: HttpResponse,
    period: Annotated[PeriodCode, Query(description="A published period")],
    indicator: Annotated[
        list[Code] | None, Query(description="Indicator code; repeat for several")
    ] = None,
    group: Annotated[
        list[Code] | None, Query(description="Peer group code (or all); repeat for several")
    ] = None,
):
    """n, mean and median of each group (q1 and q3 too when n >= 8) of a published period.
    A group of fewer than the publication's threshold of units, or one withheld so that
    no sum or difference of published groups gives away a smaller group, answers with
    its figures omitted and a `withheld` reason. Never min, max, best, ranks or single
    values. Every item carries its lineage: formula, variables, n, result set and state.
    """
    lookups.check_periods([period])
    indicators = lookups.check_indicators(indicator)
    groups = lookups.check_groups(group)
    unchanged, etag, modified = _not_modified(request)
    if unchanged is not None:
        return unchanged
    found = selectors.published_period(period)
    if found is None or found.state != "published":
        raise _not_public(period)
    frame = selectors.public_aggregates(period, indicators=indicators, groups=groups)
    lineage = selectors.indicator_lineage(frame.get_column("indicator").unique().to_list())
    _stamp(response, etag, modified)
    return {
        "period": period,
        "status": found.result_state,
        "threshold": found.threshold,
        "result_set": found.result_set,
        "published_on": found.published_on,
        "revised_on": found.revised_on,
        "previous_result_set": found.previous_result_set,
        "previous_published_on": found.previous_published_on,
        "items": [_item(row, lineage) for row in frame.iter_rows(named=True)],
    }


@router.get(
    "/periods",
    response={200: list[PublicPeriodOut], 304: None},
    summary="Published periods, their state, revisions and retractions (no authentication)",
)
def periods_list(request, response: HttpResponse):
    """Every period the public may see, newest first: published or retracted (with the
    reason), and for a revision when it replaced which result set. Embargoed periods do
    not appear until their embargo date."""
    unchanged, etag, modified = _not_modified(request)
    if unchanged is not None:
        return unchanged
    _stamp(response, etag, modified)
    return [
        {
            "period": p.period,
            "state": p.state,
            "result_set": p.result_set,
            "result_state": p.result_state,
            "threshold": p.threshold,
            "published_on": p.published_on,
            "revised_on": p.revised_on,
            "previous_result_set": p.previous_result_set,
            "previous_published_on": p.previous_published_on,
            "retracted_on": p.retracted_on,
            "retraction_reason": p.retraction_reason,
        }
        for p in selectors.published_periods()
    ]
