"""Publishing and retracting a period (methodology.md, "Publication and anonymity").

Only coordinators (and the operator at the command line) publish. Publishing checks
everything first, runs the disclosure audit once on the pinned result set and writes the
publication with its withheld groups in one transaction, with an audit entry. A period
whose current results are provisional is published only when nothing waits for
acceptance: without a collection cycle (the coordinator's own loaded values) its final
results are computed first; with unaccepted submissions it is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from miara.accounts.audit import audit_record
from miara.accounts.scope import is_coordinator, is_operator
from miara.analytics.models import ResultSet
from miara.analytics.services import FINAL
from miara.analytics.services import compute as compute_results
from miara.collection.models import Submission, SubmissionState
from miara.engine import disclosure
from miara.engine.errors import PeriodError
from miara.engine.periods import Period
from miara.lib.bulk import fetch_frame
from miara.publication.models import Publication, WithheldGroup
from miara.units.models import Programme

# Below three, a member of a published group of two learns the other's value from the mean.
MIN_THRESHOLD = 3
MAX_THRESHOLD = 1000


class PublicationError(ValueError):
    """A publication or retraction that cannot be done; the message says what to do.
    `field` names the input at fault (period, threshold, embargo_until, reason)."""

    def __init__(self, message: str, field: str = ""):
        self.field = field
        super().__init__(message)


@dataclass
class Preview:
    """What publishing a period would do, shown before the coordinator confirms."""

    period: str
    result_set: ResultSet
    threshold: int
    compute_final_first: bool  # the current results are provisional, from loaded values
    withheld: pl.DataFrame  # indicator, group, withheld
    groups: int = 0  # (indicator, group) pairs with results
    replaces: Publication | None = None
    notes: list[str] = field(default_factory=list)

    def count(self, reason: str) -> int:
        return self.withheld.filter(pl.col("withheld") == reason).height

    @property
    def withheld_small(self) -> int:
        return self.count(disclosure.THRESHOLD)

    @property
    def withheld_differencing(self) -> int:
        return self.count(disclosure.DIFFERENCING)


def _authorise(acting_user) -> None:
    if not (is_operator(acting_user) or is_coordinator(acting_user)):
        raise PermissionDenied(_("Only the programme's coordinators publish results."))


def _check_period(period: str) -> str:
    try:
        return Period.parse(str(period)).code
    except PeriodError as error:
        raise PublicationError(str(error), "period") from error


def _check_threshold(threshold) -> int:
    if threshold is None:
        return max(Programme.current().public_threshold, MIN_THRESHOLD)
    try:
        value = int(threshold)
    except (TypeError, ValueError):
        value = None
    if value is None or not MIN_THRESHOLD <= value <= MAX_THRESHOLD:
        raise PublicationError(
            _("The threshold must be a whole number from %(low)s to %(high)s; %(given)s is not.")
            % {"low": MIN_THRESHOLD, "high": MAX_THRESHOLD, "given": threshold},
            "threshold",
        )
    return value


def _check_embargo(embargo_until) -> dt.date | None:
    if embargo_until in (None, ""):
        return None
    if isinstance(embargo_until, str):
        try:
            embargo_until = dt.date.fromisoformat(embargo_until)
        except ValueError as error:
            raise PublicationError(
                _("%(given)s is not a date; write it as YYYY-MM-DD, e.g. 2026-03-31.")
                % {"given": embargo_until},
                "embargo_until",
            ) from error
    if embargo_until <= timezone.localdate():
        raise PublicationError(
            _("The embargo date %(date)s is not in the future; leave it empty to publish now.")
            % {"date": embargo_until.isoformat()},
            "embargo_until",
        )
    return embargo_until


def current_publication(period: str) -> Publication | None:
    """The period's newest publication (embargoed or retracted ones included)."""
    return Publication.objects.filter(period=period).order_by("-published_at", "-id").first()


def _unaccepted(period: str) -> int:
    return (
        Submission.objects.filter(cycle__period=period)
        .exclude(state=SubmissionState.ACCEPTED)
        .count()
    )


def _result_set_to_publish(period: str) -> tuple[ResultSet, bool]:
    """The result set a publication of `period` pins, and whether final results must be
    computed first (the current set is provisional and nothing waits for acceptance)."""
    current = ResultSet.objects.filter(period=period, is_current=True).first()
    if current is None:
        raise PublicationError(
            _("%(period)s has no results; compute them first (miara compute --period %(period)s).")
            % {"period": period},
            "period",
        )
    if not current.is_provisional:
        return current, False
    waiting = _unaccepted(period)
    if waiting:
        raise PublicationError(
            ngettext(
                "%(count)s submission of %(period)s is not accepted yet; accept or return it on the cycle board, then compute final results (miara compute --final --period %(period)s) and publish.",
                "%(count)s submissions of %(period)s are not accepted yet; accept or return them on the cycle board, then compute final results (miara compute --final --period %(period)s) and publish.",
                waiting,
            )
            % {"count": waiting, "period": period},
            "period",
        )
    return current, True


def memberships(result_set: ResultSet) -> pl.DataFrame:
    """Who has a value in each group of each indicator of a result set
    (`disclosure.MEMBERS_SCHEMA`): what the differencing audit needs."""
    return fetch_frame(
        'SELECT i.code, r."group", u.code FROM analytics_unitresult r '
        "JOIN catalogue_indicator i ON i.id = r.indicator_id "
        "JOIN units_unit u ON u.id = r.unit_id WHERE r.result_set_id = %s",
        [result_set.pk],
        disclosure.MEMBERS_SCHEMA,
    )


def publication_preview(*, acting_user, period: str, threshold=None) -> Preview:
    """What publishing `period` with `threshold` would withhold, without writing anything."""
    _authorise(acting_user)
    period = _check_period(period)
    threshold = _check_threshold(threshold)
    result_set, compute_first = _result_set_to_publish(period)
    members = memberships(result_set)
    return Preview(
        period=period,
        result_set=result_set,
        threshold=threshold,
        compute_final_first=compute_first,
        withheld=_audited(members, threshold),
        groups=members.select("indicator", "group").unique().height,
        replaces=current_publication(period),
    )


def _audited(members: pl.DataFrame, threshold: int) -> pl.DataFrame:
    try:
        return disclosure.withheld_frame(members, threshold)
    except disclosure.AuditTooLarge as error:
        raise PublicationError(
            _(
                "The differencing audit of %(indicator)s would take too long with threshold "
                "%(k)s and this many overlapping groups; choose a smaller threshold."
            )
            % {"indicator": error.indicator, "k": threshold},
            "threshold",
        ) from error


@dataclass
class Published:
    publication: Publication
    created: bool  # False: the same result set was already published with these settings
    computed: ResultSet | None = None  # final results computed on the way


def publication_publish(
    *,
    acting_user,
    period: str,
    threshold=None,
    embargo_until=None,
    visibility: str | None = None,
    channel: str = "web",
) -> Published:
    """Publish a period's final results (or its revision), after the disclosure audit."""
    _authorise(acting_user)
    period = _check_period(period)
    threshold = _check_threshold(threshold)
    embargo_until = _check_embargo(embargo_until)
    programme = Programme.current()
    visibility = visibility or programme.visibility
    if visibility not in Publication.Visibility.values:
        raise PublicationError(
            _("Visibility must be named or anonymised, not %(given)s.") % {"given": visibility},
            "visibility",
        )
    result_set, compute_first = _result_set_to_publish(period)
    computed = None
    if compute_first:
        [computed] = compute_results(
            periods=[period],
            user=None if is_operator(acting_user) else acting_user,
            channel=channel,
            kind=FINAL,
        )
        result_set = computed
    previous = current_publication(period)
    unchanged = (
        previous is not None
        and not previous.is_retracted
        and previous.result_set_id == result_set.pk
        and (previous.threshold, previous.embargo_until, previous.visibility)
        == (threshold, embargo_until, visibility)
    )
    if unchanged:
        return Published(publication=previous, created=False, computed=computed)
    members = memberships(result_set)
    withheld = _audited(members, threshold)
    try:
        with transaction.atomic():
            publication = _publication_write(
                acting_user=acting_user,
                period=period,
                result_set=result_set,
                visibility=visibility,
                threshold=threshold,
                embargo_until=embargo_until,
                previous=previous,
                members=members,
                withheld=withheld,
                channel=channel,
            )
    except IntegrityError as error:  # another publication of the period came first
        raise PublicationError(
            _("%(period)s was published by someone else meanwhile; reload and check it.")
            % {"period": period},
            "period",
        ) from error
    return Published(publication=publication, created=True, computed=computed)


def _publication_write(
    *,
    acting_user,
    period,
    result_set,
    visibility,
    threshold,
    embargo_until,
    previous,
    members,
    withheld,
    channel,
) -> Publication:
    programme = Programme.current()
    publication = Publication.objects.create(
        period=period,
        result_set=result_set,
        visibility=visibility,
        threshold=threshold,
        embargo_until=embargo_until,
        published_at=timezone.now(),
        published_by=acting_user if getattr(acting_user, "pk", None) else None,
        previous=previous,
        audit_summary={
            "indicators": members.get_column("indicator").n_unique(),
            "groups": members.select("indicator", "group").unique().height,
            "threshold": withheld.filter(pl.col("withheld") == disclosure.THRESHOLD).height,
            "differencing": withheld.filter(pl.col("withheld") == disclosure.DIFFERENCING).height,
        },
    )
    WithheldGroup.objects.bulk_create(
        WithheldGroup(publication=publication, indicator=i, group=g, reason=r)
        for i, g, r in withheld.iter_rows()
    )
    if programme.visibility != visibility:
        programme.visibility = visibility
        programme.save(update_fields=["visibility"])
    audit_record(
        user=acting_user,
        action="publication.publish",
        channel=channel,
        summary=f"published {period} (result set #{result_set.pk}, {result_set.status}, k={threshold}"
        + (f", embargo until {embargo_until.isoformat()}" if embargo_until else "")
        + (f", replaces publication #{previous.pk}" if previous else "")
        + ")",
        details={
            "period": period,
            "publication": publication.pk,
            "result_set": result_set.pk,
            "threshold": threshold,
            "visibility": visibility,
            "embargo_until": embargo_until.isoformat() if embargo_until else None,
            "previous": previous.pk if previous else None,
            "withheld": publication.audit_summary,
        },
    )
    return publication


def publication_retract(
    *, acting_user, period: str, reason: str, channel: str = "web"
) -> Publication:
    """Take a published period off the public pages; the pages say it was retracted."""
    _authorise(acting_user)
    period = _check_period(period)
    reason = (reason or "").strip()
    if not reason:
        raise PublicationError(
            _("Say why the publication is retracted; the public page shows the reason."), "reason"
        )
    with transaction.atomic():
        publications = Publication.objects.select_for_update().filter(period=period)
        publication = publications.order_by("-published_at", "-id").first()
        if publication is None:
            raise PublicationError(
                _("%(period)s is not published; there is nothing to retract.") % {"period": period},
                "period",
            )
        if publication.is_retracted:
            raise PublicationError(
                _("%(period)s was already retracted on %(date)s.")
                % {
                    "period": period,
                    "date": timezone.localdate(publication.retracted_at).isoformat(),
                },
                "period",
            )
        # Every publication of the period, not just the newest: an earlier one must not
        # reappear while a newer, embargoed revision waits for its date.
        publications.filter(retracted_at__isnull=True).update(
            retracted_at=timezone.now(),
            retracted_by=acting_user if getattr(acting_user, "pk", None) else None,
            retraction_reason=reason,
        )
        publication.refresh_from_db()
        audit_record(
            user=acting_user,
            action="publication.retract",
            channel=channel,
            summary=f"retracted the publication of {period}: {reason}",
            details={"period": period, "publication": publication.pk, "reason": reason},
        )
    return publication
