"""The compute service: load values, call the pure engine, store result sets.

One result set per period and computation. Old provisional result sets of the same
period are replaced; final/revised ones (pinned by publication) are kept.

Which values a result set uses (methodology.md, "Which data a result set uses"): in a
period with a collection cycle, only the units whose submission is accepted (final) or
submitted or accepted (provisional); in a period without a cycle, every stored value,
since only the coordinator loads those (`miara load values`).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from miara.accounts.audit import audit_record
from miara.accounts.scope import is_coordinator
from miara.analytics.index_compute import index_outcomes, index_store
from miara.analytics.models import (
    DataQualityIssue,
    GroupStatistic,
    IndexResult,
    ResultSet,
    UnitResult,
)
from miara.catalogue.models import CompositeIndex, Indicator, PeerGroup
from miara.collection.models import Submission, SubmissionState, ValueHistory
from miara.collection.selectors import values_frame
from miara.engine import compare as engine_compare
from miara.engine import formula as formulas
from miara.engine import groups as engine_groups
from miara.engine import stats
from miara.engine.errors import PeriodError
from miara.engine.periods import Period
from miara.lib import bulk
from miara.lib.jobs import job_queued_announce
from miara.units.models import Unit
from miara.units.services import units_frame

GROUP_STAT_COLUMNS = ["n", "mean", "median", "q1", "q3", "min", "max", "best", "std"]
UNIT_COLUMNS = [
    "value",
    "rank",
    "percentile",
    "quartile",
    "zscore",
    "gap_to_median",
    "gap_to_best",
    "change",
]


class ComputeError(Exception):
    pass


PROVISIONAL = "provisional"
FINAL = "final"
KINDS = (PROVISIONAL, FINAL)
# Submission states whose data a result set of each kind includes.
INCLUDED_STATES = {
    FINAL: (SubmissionState.ACCEPTED,),
    PROVISIONAL: (SubmissionState.SUBMITTED, SubmissionState.ACCEPTED),
}
STEPS = ("reading", "formulas", "statistics", "storing")


def data_basis(kind: str) -> tuple[pl.DataFrame, dict[str, dict]]:
    """Which units' values of each cycle period a result set of `kind` includes.

    Returns the included `(period, unit)` pairs of the periods that have a collection
    cycle, and per such period {"submissions": [{id, unit, state}], "counts": {state: n}}
    (the counts cover every submission of the period, included or not). Periods without
    a cycle are absent: they use every stored value.
    """
    included_states = INCLUDED_STATES[kind]
    basis: dict[str, dict] = {}
    pairs = []
    for sub_id, period, unit, state in Submission.objects.order_by("unit__code", "id").values_list(
        "id", "cycle__period", "unit__code", "state"
    ):
        entry = basis.setdefault(period, {"submissions": [], "counts": {}})
        entry["counts"][state] = entry["counts"].get(state, 0) + 1
        if state in included_states:
            entry["submissions"].append({"id": sub_id, "unit": unit, "state": state})
            pairs.append((period, unit))
    frame = pl.DataFrame(pairs, schema={"period": pl.String, "unit": pl.String}, orient="row")
    return frame.unique(), basis


def compute(
    *,
    periods: list[str] | None = None,
    user=None,
    channel: str = "cli",
    kind: str = PROVISIONAL,
    progress: Callable[[str, int, int], None] | None = None,
    step: Callable[[str], None] | None = None,
) -> list[ResultSet]:
    """Compute indicators and all group statistics; store one result set per period.

    `kind="final"` uses accepted submissions only and marks the sets final (revised when
    the period already has a final or revised set); `"provisional"` uses submitted and
    accepted ones. `step(name)` is told when each of `STEPS` begins.
    """
    if kind not in KINDS:
        raise ComputeError(f"unknown kind of results {kind!r}; use provisional or final")
    started = time.perf_counter()
    indicators = list(Indicator.objects.all())
    if not indicators:
        raise ComputeError("the catalogue has no indicators; load a catalogue first")
    for code in periods or []:
        Period.parse(code)  # raises PeriodError with a clear message
    if step:
        step("reading")
    values = values_frame()
    if values.is_empty():
        raise ComputeError("there are no values yet; load values first")
    included, basis = data_basis(kind)
    if basis:
        in_cycle = pl.col("period").is_in(list(basis))
        values = pl.concat(
            [
                values.filter(~in_cycle),
                values.filter(in_cycle).join(included, on=["period", "unit"], how="semi"),
            ]
        )
    if step:
        step("formulas")
    definitions = {i.code: i.formula for i in indicators}
    evaluation = formulas.evaluate(values, definitions)
    indicator_values = evaluation.values
    available = sorted(
        set(indicator_values.get_column("period").unique().to_list()), key=lambda p: Period.parse(p)
    )
    targets = periods or available
    if periods:
        empty = [p for p in periods if p not in set(available)]
        if empty:
            raise ComputeError(_no_data_message(empty, kind, basis))
    directions = {i.code: i.direction for i in indicators}
    memberships = group_memberships(values, targets)

    indicator_ids = pl.DataFrame(
        {"indicator": [i.code for i in indicators], "indicator_id": [i.pk for i in indicators]}
    )
    unit_ids = pl.DataFrame(
        list(Unit.objects.values_list("code", "id")),
        schema={"unit": pl.String, "unit_id": pl.Int64},
        orient="row",
    )
    inputs_state = _inputs_state(indicators)
    indices = index_outcomes(indicator_values, targets)
    created = []
    if step:
        step("statistics")
    for index, period in enumerate(targets):
        if progress:
            progress(period, index, len(targets))
        period_started = time.perf_counter()
        current = indicator_values.filter(pl.col("period") == period)
        previous = indicator_values.filter(pl.col("period") == Period.parse(period).previous().code)
        result = stats.compute_statistics(
            current, memberships.filter(pl.col("period") == period), directions, previous=previous
        )
        issues = evaluation.issues.filter(pl.col("period") == period)
        if step and index == len(targets) - 1:
            step("storing")
        with transaction.atomic():
            before = ResultSet.objects.filter(period=period, is_current=True).first()
            changes = _changes(before, current.select("indicator", "unit", "value"))
            if kind == FINAL:
                pinned = ResultSet.objects.filter(
                    period=period,
                    status__in=[ResultSet.Status.FINAL, ResultSet.Status.REVISED],
                ).exists()
                status = ResultSet.Status.REVISED if pinned else ResultSet.Status.FINAL
            else:
                status = ResultSet.Status.PROVISIONAL
            period_basis = basis.get(period)
            stale = ResultSet.objects.filter(period=period, status=ResultSet.Status.PROVISIONAL)
            # Deleting the bulk rows first, in SQL, is much faster than the ORM's cascade.
            stale_ids = list(stale.values_list("id", flat=True))
            if stale_ids:
                UnitResult.objects.filter(result_set_id__in=stale_ids)._raw_delete(
                    UnitResult.objects.db
                )
                GroupStatistic.objects.filter(result_set_id__in=stale_ids)._raw_delete(
                    GroupStatistic.objects.db
                )
                IndexResult.objects.filter(result_set_id__in=stale_ids)._raw_delete(
                    IndexResult.objects.db
                )
                stale.delete()
            ResultSet.objects.filter(period=period).update(is_current=False)
            result_set = ResultSet.objects.create(
                period=period,
                status=status,
                created_by=user if user and user.is_authenticated else None,
                inputs_state=inputs_state,
                indicator_count=len(indicators),
                basis="cycle" if period_basis else "loaded",
                submissions=period_basis["submissions"] if period_basis else [],
                submission_counts=period_basis["counts"] if period_basis else {},
                changes=changes,
            )
            group_rows = result.groups.join(indicator_ids, on="indicator").select(
                pl.lit(result_set.pk, pl.Int64).alias("result_set_id"),
                "indicator_id",
                "group",
                *GROUP_STAT_COLUMNS,
            )
            unit_rows = (
                result.units.join(indicator_ids, on="indicator")
                .join(unit_ids, on="unit")
                .select(
                    pl.lit(result_set.pk, pl.Int64).alias("result_set_id"),
                    "indicator_id",
                    "group",
                    "unit_id",
                    *UNIT_COLUMNS,
                )
            )
            issue_rows = (
                issues.join(indicator_ids, on="indicator")
                .join(unit_ids, on="unit")
                .select(
                    pl.lit(result_set.pk, pl.Int64).alias("result_set_id"),
                    "indicator_id",
                    "unit_id",
                    "kind",
                )
            )
            bulk.insert_frame(GroupStatistic._meta.db_table, group_rows)
            bulk.insert_frame(UnitResult._meta.db_table, unit_rows)
            bulk.insert_frame(DataQualityIssue._meta.db_table, issue_rows)
            index_store(result_set, indices, unit_ids)
            result_set.row_count = unit_rows.height
            result_set.seconds = time.perf_counter() - period_started
            result_set.save(update_fields=["row_count", "seconds"])
            created.append(result_set)
    bulk.analyze(
        ResultSet._meta.db_table,
        GroupStatistic._meta.db_table,
        UnitResult._meta.db_table,
        DataQualityIssue._meta.db_table,
        IndexResult._meta.db_table,
    )
    with transaction.atomic():
        audit_record(
            user=user,
            action="results.compute",
            channel=channel,
            summary=f"computed {kind} results of {len(indicators)} indicators for {', '.join(targets)} in {time.perf_counter() - started:.1f} s",
            details={
                "periods": targets,
                "kind": kind,
                "result_sets": [r.pk for r in created],
                "statuses": [r.status for r in created],
                "submissions": {r.period: [s["id"] for s in r.submissions] for r in created},
            },
        )
    if progress:
        progress("", len(targets), len(targets))
    return created


def _no_data_message(periods: list[str], kind: str, basis: dict[str, dict]) -> str:
    # Shown on the board too (a failed job), so in the requester's language.
    parts = []
    for period in periods:
        if period not in basis:
            parts.append(_("%(period)s has no values") % {"period": period})
        elif kind == FINAL:
            parts.append(
                _("%(period)s has no accepted submission with values yet") % {"period": period}
            )
        else:
            parts.append(
                _("%(period)s has no submitted or accepted submission with values yet")
                % {"period": period}
            )
    return "; ".join(parts)


LARGEST_CHANGES = 5


def _changes(before: ResultSet | None, after: pl.DataFrame) -> dict:
    """What changed against the result set that was current (its `all` group, where
    every unit with a value appears once per indicator): engine.compare on both."""
    if before is None:
        return {}
    rows = UnitResult.objects.filter(result_set=before, group=stats.ALL).values_list(
        "indicator__code", "unit__code", "value"
    )
    old = pl.DataFrame(list(rows), schema=engine_compare.VALUES_SCHEMA, orient="row")
    diff = engine_compare.compare_results(old, after, largest=LARGEST_CHANGES)
    return {
        "previous": {
            "id": before.pk,
            "status": before.status,
            "created_at": before.created_at.isoformat(),
        },
        "units_added": diff.units_added,
        "units_removed": diff.units_removed,
        "values_changed": diff.values_changed,
        "values_added": diff.values_added,
        "values_removed": diff.values_removed,
        "largest": diff.largest.to_dicts(),
    }


def group_memberships(values: pl.DataFrame, periods: list[str]) -> pl.DataFrame:
    """Members of every stored peer group in each period, as the engine wants them."""
    frames = [pl.DataFrame(schema={"group": pl.String, "period": pl.String, "unit": pl.String})]
    units = units_frame()
    for group in PeerGroup.objects.select_related("context_variable").prefetch_related("members"):
        if group.kind == PeerGroup.Kind.LISTED:
            frames.append(
                engine_groups.listed_members(
                    group.code, [u.code for u in group.members.all()], periods
                )
            )
            continue
        variable = group.context_variable.code if group.context_variable else None
        context = values.filter(pl.col("variable") == variable) if variable else None
        frames.append(
            engine_groups.rule_members(
                units,
                context,
                group=group.code,
                periods=periods,
                unit_types=group.unit_types or None,
                variable=variable,
                low=group.context_min,
                high=group.context_max,
            )
        )
    return pl.concat([f.select("group", "period", "unit") for f in frames])


def _inputs_state(indicators: list[Indicator]) -> dict:
    catalogue = json.dumps(sorted((i.code, i.formula, i.direction) for i in indicators)).encode()
    groups = json.dumps(
        sorted(
            (
                g.code,
                g.kind,
                g.unit_types,
                g.context_variable_id,
                g.context_min,
                g.context_max,
                sorted(g.members.values_list("id", flat=True)),
            )
            for g in PeerGroup.objects.all()
        )
    ).encode()
    last = ValueHistory.objects.order_by("-id").values_list("id", flat=True).first()
    state = {
        "last_value_change": last,
        "catalogue_digest": hashlib.sha256(catalogue).hexdigest()[:16],
        "groups_digest": hashlib.sha256(groups).hexdigest()[:16],
    }
    indices = [
        (c.code, c.normalisation, c.aggregation, c.max_missing_percent, c.components)
        for c in CompositeIndex.objects.order_by("code")
    ]
    if indices:  # absent without indices, so earlier states read the same
        encoded = json.dumps(indices, sort_keys=True).encode()
        state["indices_digest"] = hashlib.sha256(encoded).hexdigest()[:16]
    return state


class ComputeRequestError(Exception):
    """A computation cannot be asked for as given; the message says why, for a person."""


def result_set_compute_request(*, acting_user, period: str, kind: str, channel: str = "web"):
    """Queue a computation of one period's results (coordinators only), audited.

    The background runner (`reports/runner.py`) runs it with `analytics.jobs.compute_job_run`;
    nothing computes in the request. While a computation of the period is queued or
    running, asking again for the same kind returns that job.
    """
    from miara.analytics.models import ComputeJob

    if not is_coordinator(acting_user):
        raise PermissionDenied
    if kind not in KINDS:
        raise ComputeRequestError(_("Choose provisional or final results."))
    try:
        period = Period.parse(str(period).strip()).code
    except PeriodError:
        raise ComputeRequestError(
            _(
                "“%(text)s” is not a period: write a year (2025), a quarter (2025-Q1) or a month (2025-03)."
            )
            % {"text": period}
        ) from None
    with transaction.atomic():
        active = (
            ComputeJob.objects.select_for_update()
            .filter(period=period, state__in=[ComputeJob.State.QUEUED, ComputeJob.State.RUNNING])
            .first()
        )
        if active is not None:
            if active.kind == kind:
                return active
            raise ComputeRequestError(
                _("A computation of %(period)s is already under way; wait until it is done.")
                % {"period": period}
            )
        job = ComputeJob.objects.create(
            requested_by=acting_user,
            period=period,
            kind=kind,
            channel=channel,
            language=translation.get_language() or "",
        )
        audit_record(
            user=acting_user,
            action="results.compute_requested",
            channel=channel,
            summary=f"compute job #{job.pk}: {kind} results for {period}",
            details={"job": job.pk, "period": period, "kind": kind},
        )
        job_queued_announce()
    return job
