"""What the public may read: published periods and their aggregates (methodology.md,
"Publication and anonymity"). Every public page, export, API answer and report reads
public figures here and nowhere else, so disclosure control lives in one place.

No function here takes a user: everything returned may be shown to anyone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from miara.analytics.selectors import public_aggregates_frame, published_result_set
from miara.units.models import Programme

# One row per (indicator, period, group) the public may know of. A withheld group keeps
# its row with n, mean, median, q1 and q3 null and `withheld` saying why:
# "threshold" (fewer than k units) or "differencing" (withheld to protect a smaller group).
PUBLIC_TABLE_SCHEMA = {
    "indicator": pl.String,
    "period": pl.String,
    "group": pl.String,
    "n": pl.Int64,
    "mean": pl.Float64,
    "median": pl.Float64,
    "q1": pl.Float64,
    "q3": pl.Float64,
    "withheld": pl.String,
    "result_set": pl.Int64,
    "result_state": pl.String,
}


@dataclass(frozen=True)
class PublishedPeriod:
    """One period as the public sees it now."""

    period: str
    state: str  # "published" | "retracted"
    result_set: int
    result_state: str  # the pinned result set's status: final | revised
    threshold: int
    published_on: dt.datetime
    revised_on: dt.datetime | None = None  # when a revision replaced an earlier publication
    previous_result_set: int | None = None  # the result set the revision replaced
    retracted_on: dt.datetime | None = None
    retraction_reason: str = ""


def published_periods() -> list[PublishedPeriod]:
    """Every period the public may see now (embargo passed), newest first; retracted
    ones included with state "retracted" so their pages can say so."""
    periods = []
    from miara.analytics.models import ResultSet

    for period in (
        ResultSet.objects.filter(status__in=[ResultSet.Status.FINAL, ResultSet.Status.REVISED])
        .values_list("period", flat=True)
        .distinct()
    ):
        found = published_period(period)
        if found is not None:
            periods.append(found)
    return sorted(periods, key=lambda p: p.period, reverse=True)


def published_period(period: str) -> PublishedPeriod | None:
    """The period as the public sees it now, or None (never published, or embargoed)."""
    result_set = published_result_set(period)
    if result_set is None:
        return None
    return PublishedPeriod(
        period=period,
        state="published",
        result_set=result_set.pk,
        result_state=result_set.status,
        threshold=Programme.current().public_threshold,
        published_on=result_set.created_at,
    )


def public_aggregates(
    period: str, *, indicators: list[str] | None = None, groups: list[str] | None = None
) -> pl.DataFrame:
    """The public table of one published period (PUBLIC_TABLE_SCHEMA), rows ordered by
    indicator and group; empty when the period is not public (or retracted)."""
    found = published_period(period)
    if found is None or found.state != "published":
        return pl.DataFrame(schema=PUBLIC_TABLE_SCHEMA)
    from miara.analytics.models import ResultSet

    frame = public_aggregates_frame(
        result_set=ResultSet.objects.get(pk=found.result_set),
        threshold=found.threshold,
        indicators=indicators,
        groups=groups,
    )
    return frame.with_columns(
        pl.lit(None, pl.String).alias("withheld"),
        pl.lit(found.result_set, pl.Int64).alias("result_set"),
        pl.lit(found.result_state, pl.String).alias("result_state"),
    ).select(list(PUBLIC_TABLE_SCHEMA))


def public_series(indicator: str, *, groups: list[str] | None = None) -> pl.DataFrame:
    """One indicator's public rows over every published (not retracted) period, oldest
    first: the charts over time."""
    frames = [
        public_aggregates(p.period, indicators=[indicator], groups=groups)
        for p in published_periods()
        if p.state == "published"
    ]
    if not frames:
        return pl.DataFrame(schema=PUBLIC_TABLE_SCHEMA)
    return pl.concat(frames).sort("period", "group")


def public_stamp() -> str:
    """A text that changes whenever anything public changes (a publication, a retraction,
    an embargo passing, an accepted practice): the key of public caches and ETags."""
    return ",".join(f"{p.period}:{p.result_set}:{p.state}" for p in published_periods())
