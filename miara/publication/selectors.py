"""What the public may read: published periods and their aggregates (methodology.md,
"Publication and anonymity"). Every public page, export, API answer and report reads
public figures here and nowhere else, so disclosure control lives in one place.

No function here takes a user: everything returned may be shown to anyone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from django.db.models import Q
from django.utils import timezone

from miara.accounts.scope import is_coordinator, is_operator
from miara.analytics.models import GroupStatistic
from miara.catalogue.models import Indicator
from miara.engine.errors import EngineError
from miara.engine.formula import parse, references
from miara.engine.periods import Period
from miara.lib import memo
from miara.publication.models import Publication, WithheldGroup

# Quartiles say where the middle half of a group lies: from 8 units on they no longer
# come close to single values (methodology.md, "Publication and anonymity").
PUBLIC_QUARTILES_FROM_N = 8

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
    publication: int = 0  # the Publication's id
    previous_published_on: dt.datetime | None = None  # when the replaced figures went public
    visibility: str = ""  # named | anonymised (among participants)


def _visible() -> Q:
    """Publications whose embargo has passed (or that have none): nothing else exists
    for the public, not even the fact that a period is embargoed."""
    today = timezone.localdate()
    return Q(embargo_until__isnull=True) | Q(embargo_until__lte=today)


def _visible_publications() -> list[Publication]:
    """Every publication the public may know of, newest first; read once per request."""
    today = timezone.localdate().isoformat()
    return list(
        memo.per_request(
            f"public-publications:{today}",
            lambda: tuple(
                Publication.objects.filter(_visible())
                .select_related("result_set", "previous")
                .order_by("-published_at", "-id")
            ),
        )
    )


def _as_public(publication: Publication, visible: list[Publication]) -> PublishedPeriod:
    seen = {p.pk for p in visible}
    earlier = publication.previous
    # The figures it replaced: the nearest earlier publication the public saw with other figures.
    while earlier is not None and (
        earlier.result_set_id == publication.result_set_id or earlier.pk not in seen
    ):
        earlier = earlier.previous
    return PublishedPeriod(
        period=publication.period,
        state="retracted" if publication.is_retracted else "published",
        result_set=publication.result_set_id,
        result_state=publication.result_set.status,
        threshold=publication.threshold,
        published_on=publication.published_at,
        revised_on=publication.published_at if earlier else None,
        previous_result_set=earlier.result_set_id if earlier else None,
        retracted_on=publication.retracted_at,
        retraction_reason=publication.retraction_reason,
        publication=publication.pk,
        previous_published_on=earlier.published_at if earlier else None,
        visibility=publication.visibility,
    )


def published_periods() -> list[PublishedPeriod]:
    """Every period the public may see now (embargo passed), newest first; retracted
    ones included with state "retracted" so their pages can say so."""
    visible = _visible_publications()
    newest: dict[str, Publication] = {}
    for publication in visible:
        newest.setdefault(publication.period, publication)
    found = [_as_public(p, visible) for p in newest.values()]
    return sorted(found, key=lambda p: Period.parse(p.period), reverse=True)


def published_period(period: str) -> PublishedPeriod | None:
    """The period as the public sees it now, or None (never published, or embargoed)."""
    return next((p for p in published_periods() if p.period == period), None)


def _publication_rows(
    found: PublishedPeriod, indicators: list[str] | None, groups: list[str] | None
) -> pl.DataFrame:
    statistics = GroupStatistic.objects.filter(result_set_id=found.result_set)
    withheld_rows = WithheldGroup.objects.filter(publication_id=found.publication)
    if indicators:
        statistics = statistics.filter(indicator__code__in=indicators)
        withheld_rows = withheld_rows.filter(indicator__in=indicators)
    if groups:
        statistics = statistics.filter(group__in=groups)
        withheld_rows = withheld_rows.filter(group__in=groups)
    withheld = {(i, g): r for i, g, r in withheld_rows.values_list("indicator", "group", "reason")}
    rows = []
    for code, group, n, mean, median, q1, q3 in statistics.values_list(
        "indicator__code", "group", "n", "mean", "median", "q1", "q3"
    ):
        # A group the audit did not see (it cannot happen, but this is the last gate)
        # is still held to the threshold.
        reason = withheld.get((code, group)) or ("threshold" if n < found.threshold else None)
        if reason:
            rows.append((code, found.period, group, None, None, None, None, None, reason))
            continue
        quartiles = (q1, q3) if n >= PUBLIC_QUARTILES_FROM_N else (None, None)
        rows.append((code, found.period, group, n, mean, median, *quartiles, None))
    frame = pl.DataFrame(
        rows,
        schema={c: PUBLIC_TABLE_SCHEMA[c] for c in list(PUBLIC_TABLE_SCHEMA)[:9]},
        orient="row",
    )
    return frame.with_columns(
        pl.lit(found.result_set, pl.Int64).alias("result_set"),
        pl.lit(found.result_state, pl.String).alias("result_state"),
    ).sort("indicator", "group")


def public_aggregates(
    period: str, *, indicators: list[str] | None = None, groups: list[str] | None = None
) -> pl.DataFrame:
    """The public table of one published period (PUBLIC_TABLE_SCHEMA), rows ordered by
    indicator and group; empty when the period is not public (or retracted)."""
    found = published_period(period)
    if found is None or found.state != "published":
        return pl.DataFrame(schema=PUBLIC_TABLE_SCHEMA)
    return _publication_rows(found, indicators, groups).select(list(PUBLIC_TABLE_SCHEMA))


def public_series(indicator: str, *, groups: list[str] | None = None) -> pl.DataFrame:
    """One indicator's public rows over every published (not retracted) period, oldest
    first (by period, then group): the charts over time."""
    periods = sorted(
        (p for p in published_periods() if p.state == "published"),
        key=lambda p: Period.parse(p.period),
    )
    frames = [
        _publication_rows(p, [indicator], groups).select(list(PUBLIC_TABLE_SCHEMA)).sort("group")
        for p in periods
    ]
    if not frames:
        return pl.DataFrame(schema=PUBLIC_TABLE_SCHEMA)
    return pl.concat(frames)


def public_stamp() -> str:
    """A text that changes whenever anything public changes (a publication, a retraction,
    an embargo passing, an accepted practice): the key of public caches and ETags."""
    return ",".join(
        f"{p.period}:{p.publication}:{p.result_set}:{p.state}" for p in published_periods()
    )


def public_last_modified() -> dt.datetime | None:
    """When the public figures last changed: a publication, a retraction or an embargo
    ending (the start of its day), for Last-Modified headers."""
    moments = []
    for publication in _visible_publications():
        moments.append(publication.published_at)
        if publication.retracted_at:
            moments.append(publication.retracted_at)
        if publication.embargo_until:
            moments.append(
                dt.datetime.combine(
                    publication.embargo_until, dt.time(), tzinfo=timezone.get_current_timezone()
                )
            )
    return max(moments) if moments else None


@dataclass(frozen=True)
class Lineage:
    """Where a public figure comes from: the indicator's formula and the variables it reads."""

    formula: str
    variables: list[str]


def indicator_lineage(codes: list[str]) -> dict[str, Lineage]:
    """The formula and input codes of each indicator (catalogue data, public by nature)."""
    found = {}
    for code, formula in Indicator.objects.filter(code__in=codes).values_list("code", "formula"):
        try:
            variables = sorted(references(parse(formula)))
        except EngineError:  # a stored formula always parses; never fail a public answer on it
            variables = []
        found[code] = Lineage(formula=formula, variables=variables)
    return found


# --- the coordinator's view: every publication, embargoed ones included -------------------


@dataclass(frozen=True)
class PublicationRow:
    publication: Publication
    state: str  # embargoed | published | retracted | replaced
    withheld_threshold: int
    withheld_differencing: int


def publications_overview(*, acting_user) -> list[PublicationRow]:
    """Every publication with its state now, for the coordinator's publication page."""
    if not (is_operator(acting_user) or is_coordinator(acting_user)):
        return []
    today = timezone.localdate()
    rows = []
    newest: set[str] = set()
    for publication in Publication.objects.select_related("result_set", "published_by").order_by(
        "-published_at", "-id"
    ):
        if publication.is_retracted:
            state = "retracted"
        elif publication.period in newest:
            state = "replaced"
        elif publication.embargo_until and publication.embargo_until > today:
            state = "embargoed"
        else:
            state = "published"
        newest.add(publication.period)
        summary = publication.audit_summary or {}
        rows.append(
            PublicationRow(
                publication=publication,
                state=state,
                withheld_threshold=summary.get("threshold", 0),
                withheld_differencing=summary.get("differencing", 0),
            )
        )
    return rows


def withheld_groups(*, acting_user, publication: Publication) -> list[WithheldGroup]:
    """The groups a publication withholds and why (coordinators only)."""
    if not (is_operator(acting_user) or is_coordinator(acting_user)):
        return []
    return list(publication.withheld_groups.all())
