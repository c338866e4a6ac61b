"""Stored values: read them with their versions and history, write a batch all-or-nothing."""

from __future__ import annotations

from typing import Annotated

import polars as pl
from ninja import Query, Router, Status

from miara.api import lookups
from miara.api.auth import protected
from miara.api.schemas import (
    DEFAULT_PAGE,
    MAX_PAGE,
    Code,
    ErrorOut,
    PeriodCode,
    UnitCode,
    ValidationErrorOut,
    ValueHistoryOut,
    ValueIn,
    ValuesConflictOut,
    ValuesLockedOut,
    ValuesPageOut,
    ValuesWriteIn,
    ValuesWriteOut,
)
from miara.collection.models import Channel
from miara.collection.selectors import value_history, values_page
from miara.collection.services import ValueConflict, ValuesLocked, values_save
from miara.fileio import FileProblem, Problem
from miara.fileio.tables import LINE

router = Router(tags=["values"], auth=protected)


class ItemErrors(Exception):
    """Items of a write request that cannot be stored; answered as 422, one entry each."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__(f"{len(errors)} item(s) cannot be stored")


@router.get(
    "",
    response={
        200: ValuesPageOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Stored values with their versions",
)
def values_list(
    request,
    unit: Annotated[
        list[UnitCode] | None, Query(description="Unit code; repeat for several")
    ] = None,
    period: Annotated[
        list[PeriodCode] | None, Query(description="Period code; repeat for several")
    ] = None,
    variable: Annotated[
        list[Code] | None, Query(description="Variable code; repeat for several")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    """Ordered by unit, variable and period. A unit you may not see is a 404, as is one
    that does not exist."""
    user = request.auth
    frame, total = values_page(
        user=user,
        units=lookups.check_visible_units(user, unit),
        periods=lookups.check_periods(period),
        variables=lookups.check_variables(variable),
        limit=limit,
        offset=offset,
    )
    return {"count": total, "limit": limit, "offset": offset, "items": frame.to_dicts()}


@router.post(
    "",
    response={
        200: ValuesWriteOut,
        401: ErrorOut,
        403: ErrorOut,
        409: ValuesConflictOut | ValuesLockedOut,
        422: ValidationErrorOut,
    },
    summary="Write values, all or nothing",
)
def values_post(request, payload: ValuesWriteIn):
    """Either every value is stored or none is.

    403 when you may not write one of the units; 422 with one entry per offending item.
    409 in two shapes, told apart by their list:
    - `conflicts`: a `version` you sent is not the stored one (someone changed the value
      after you read it); the answer lists the stored values and versions;
    - `locked`: values of a submitted or accepted questionnaire, which nobody may change
      until the coordinator returns or reopens it; the answer lists those values.
    Omit `comment` to keep the stored comment; omit `version` to overwrite regardless.
    """
    items = payload.values
    rows, problems = _rows(items)
    try:
        report = values_save(
            acting_user=request.auth,
            rows=rows,
            channel=Channel.API,
            source="api",
            about="API",
            details={"units": sorted({i.unit for i in items})},
            problems=problems,
        )
    except FileProblem as problem:
        raise ItemErrors(
            [
                {"index": p.line, "field": p.column or "values", "message": p.message}
                for p in problem.problems
            ]
        ) from None
    except ValueConflict as conflict:
        given = {(i.unit, i.variable, i.period): i.value for i in items}
        return Status(
            409,
            {
                "detail": f"{conflict}: read them again, then write with the new versions",
                "conflicts": [
                    {
                        "unit": c.unit,
                        "variable": c.variable,
                        "period": c.period,
                        "given_version": c.given_version,
                        "stored_version": c.stored_version,
                        "given_value": given.get((c.unit, c.variable, c.period)),
                        "stored_value": c.stored_value,
                    }
                    for c in conflict.conflicts
                ],
            },
        )
    except ValuesLocked as locked:
        return Status(
            409,
            {
                "detail": str(locked),
                "locked": [
                    {"unit": unit, "variable": variable, "period": period}
                    for unit, variable, period in locked.keys
                ],
            },
        )
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "versions": _versions(report, items),
    }


@router.get(
    "/history",
    response={
        200: ValueHistoryOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Every change of one value",
)
def values_history(
    request,
    unit: Annotated[UnitCode, Query(description="Unit code")],
    variable: Annotated[Code, Query(description="Variable code")],
    period: Annotated[PeriodCode, Query(description="Period code")],
):
    """Newest first: the version each change made, old and new value and comment, the
    channel (import, form, excel, api), who and when, and the file or request it came
    from. A unit you may not see is a 404, as for GET /values; an empty list means the
    value was never stored.
    """
    lookups.check_visible_units(request.auth, [unit])
    lookups.check_variables([variable])
    lookups.check_periods([period])
    return {
        "unit": unit,
        "variable": variable,
        "period": period,
        "items": value_history(unit=unit, variable=variable, period=period),
    }


def _rows(items: list[ValueIn]) -> tuple[pl.DataFrame, list[Problem]]:
    """The items as text rows for `values_save` (`__line` is the item's index), and the
    problems only the API can see: duplicates (`parse_values` speaks of file lines) and
    JSON values that are no numbers. Only the first item of each key is passed on, so
    every item gets at most the errors it has.
    """
    problems: list[Problem] = []
    first_index: dict[tuple, int] = {}
    for index, item in enumerate(items):
        key = (item.unit, item.variable, item.period)
        if key in first_index:
            problems.append(
                Problem(
                    f"{item.unit} {item.variable} {item.period} is already item {first_index[key]}",
                    line=index,
                    column="period",
                )
            )
        else:
            first_index[key] = index
    kept = sorted(first_index.values())
    texts = []
    for i in kept:
        text, problem = _value_text(items[i].value)
        texts.append(text)
        if problem:
            problems.append(Problem(problem, line=i, column="value"))
    rows = pl.DataFrame(
        {
            # Codes come normalised (stripped, not blank) from the schema: the same
            # spelling is authorised and written.
            "unit": [items[i].unit for i in kept],
            "variable": [items[i].variable for i in kept],
            "period": [items[i].period for i in kept],
            "value": texts,
            "comment": [items[i].comment for i in kept],
            LINE: kept,
            "version": [items[i].version for i in kept],
            # Where an item has no `comment`, the stored one stays rather than being
            # erased; the storage core reads it under its lock (read here, it could be
            # one a concurrent writer has just replaced, and writing it back would
            # erase theirs).
            "keep_comment": [items[i].comment is None for i in kept],
        },
        schema={
            "unit": pl.String,
            "variable": pl.String,
            "period": pl.String,
            "value": pl.String,
            "comment": pl.String,
            LINE: pl.Int64,
            "version": pl.Int64,
            "keep_comment": pl.Boolean,
        },
    )
    return rows, problems


def _value_text(value) -> tuple[str | None, str | None]:
    """The value as `parse_values` reads it (text, as in a file), or why it is no number.

    Only JSON numbers and null are values: "12" or true would convert, but a client that
    sends them has a bug worth hearing about.
    """
    if value is None:
        return None, None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, f"{value!r} is not a number; send a JSON number, or null for 'not available'"
    try:
        # repr() keeps every digit of a float; parse_values then rejects NaN and infinity.
        return repr(float(value)), None
    except OverflowError:
        return None, f"{value} is not a finite number"


def _versions(report, items: list[ValueIn]) -> list[dict]:
    """The stored version of every written item, in the order the items came."""
    return [
        {
            "unit": items[line].unit,
            "variable": items[line].variable,
            "period": items[line].period,
            "version": version,
        }
        for line, version in report.versions.sort(LINE).select(LINE, "version").iter_rows()
    ]
