"""Stored values: read them with their versions and history, write a batch all-or-nothing."""

from __future__ import annotations

from typing import Annotated

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import transaction
from ninja import Query, Router, Status

from miara.accounts.audit import audit_record
from miara.accounts.scope import writable_unit_ids
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
from miara.collection.cycles import values_write_refusals
from miara.collection.models import Channel
from miara.collection.selectors import stored_values_by_ids, value_history, values_page
from miara.collection.services import ValueConflict, ValuesLocked, parse_values, values_write
from miara.fileio import FileProblem
from miara.fileio.tables import LINE
from miara.units.models import Unit

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
    user = request.auth
    items = payload.values
    _check_writable(user, items)
    rows = _parse(items)
    _check_periods_writable(user, rows, items)
    codes = pl.DataFrame(
        {
            LINE: list(range(len(items))),
            "unit": [i.unit for i in items],
            "variable": [i.variable for i in items],
        },
        schema={LINE: pl.Int64, "unit": pl.String, "variable": pl.String},
    )
    try:
        with transaction.atomic():
            rows = _keep_stored_comments(rows)
            report = values_write(
                rows=rows.drop(LINE), user=user, channel=Channel.API, source="api"
            )
            if report.created or report.updated:
                audit_record(
                    user=user,
                    action="values.write",
                    channel=Channel.API,
                    summary=f"API: {report.summary()}",
                    details={
                        "created": report.created,
                        "updated": report.updated,
                        "unchanged": report.unchanged,
                        "units": sorted({i.unit for i in items}),
                    },
                )
            versions = _versions(rows, codes)
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
        "versions": versions,
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


def _check_writable(user, items: list[ValueIn]) -> None:
    """Authorise before validating: a caller learns nothing about units they may not write."""
    writable = writable_unit_ids(user)
    if writable is None:
        return
    if not writable:
        raise PermissionDenied("your role may not write values")
    units = dict(Unit.objects.filter(code__in={i.unit for i in items}).values_list("code", "id"))
    forbidden = sorted(code for code, pk in units.items() if pk not in writable)
    if forbidden:
        raise PermissionDenied(f"you may not write values of unit {', '.join(forbidden)}")


def _check_periods_writable(user, rows: pl.DataFrame, items: list[ValueIn]) -> None:
    """The rule of every channel (collection.cycles): open collections only, except for
    coordinators outside collections. One 403 naming every refused unit and period."""
    keys = {
        (r["unit_id"], r["period"]): items[r[LINE]].unit
        for r in rows.select("unit_id", "period", LINE).iter_rows(named=True)
    }
    refusals = values_write_refusals(user, keys)
    if refusals:
        raise PermissionDenied(
            "; ".join(f"{keys[key]} {key[1]}: {reason}" for key, reason in sorted(refusals.items()))
        )


def _parse(items: list[ValueIn]) -> pl.DataFrame:
    """Check every item with the same rules as a file load; raise ItemErrors for all of them.

    Duplicates are found here (not by `parse_values`, which speaks of file lines) and only
    the first of each is checked further, so every item gets at most the errors it has.
    """
    errors: list[dict] = []
    first_index: dict[tuple, int] = {}
    for index, item in enumerate(items):
        key = (item.unit, item.variable, item.period)
        if key in first_index:
            errors.append(
                {
                    "index": index,
                    "field": "period",
                    "message": f"{item.unit} {item.variable} {item.period} is already item {first_index[key]}",
                }
            )
        else:
            first_index[key] = index
    kept = sorted(first_index.values())
    texts = []
    for i in kept:
        text, problem = _value_text(items[i].value)
        texts.append(text)
        if problem:
            errors.append({"index": i, "field": "value", "message": problem})
    frame = pl.DataFrame(
        {
            # Codes come normalised (stripped, not blank) from the schema: the same
            # spelling that _check_writable authorised is the one written.
            "unit": [items[i].unit for i in kept],
            "variable": [items[i].variable for i in kept],
            "period": [items[i].period for i in kept],
            "value": texts,
            "comment": [items[i].comment for i in kept],
            LINE: kept,
        },
        schema={
            "unit": pl.String,
            "variable": pl.String,
            "period": pl.String,
            "value": pl.String,
            "comment": pl.String,
            LINE: pl.Int64,
        },
    )
    parsed = None
    try:
        parsed = parse_values(frame, source="request")
    except FileProblem as problem:
        errors += [
            {"index": p.line, "field": p.column or "values", "message": p.message}
            for p in problem.problems
        ]
    if errors:
        raise ItemErrors(sorted(errors, key=lambda e: e["index"]))
    return parsed.with_columns(
        pl.Series("comment_given", [items[i].comment is not None for i in kept]),
        pl.Series("version", [items[i].version for i in kept], dtype=pl.Int64),
    )


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


def _keep_stored_comments(rows: pl.DataFrame) -> pl.DataFrame:
    """Where an item has no `comment`, keep the stored one rather than erase it.

    values_write reads it under its lock: read here, it could be one a concurrent
    writer has just replaced, and writing it back would erase theirs.
    """
    return rows.with_columns((~pl.col("comment_given")).alias("keep_comment")).drop("comment_given")


def _versions(rows: pl.DataFrame, codes: pl.DataFrame) -> list[dict]:
    """The stored version of every written item, in the order the items came."""
    stored = stored_values_by_ids(
        unit_ids=rows.get_column("unit_id").unique().to_list(),
        variable_ids=rows.get_column("variable_id").unique().to_list(),
        periods=rows.get_column("period").unique().to_list(),
    ).select("unit_id", "variable_id", "period", "version")
    return (
        rows.select(LINE, "unit_id", "variable_id", "period")
        .join(stored, on=["unit_id", "variable_id", "period"], how="left")
        .join(codes, on=LINE)
        .sort(LINE)
        .select("unit", "variable", "period", "version")
        .to_dicts()
    )
