"""Collection cycles and the submission workflow: the writes, each atomic and audited.

States: draft → submitted → returned → submitted … → accepted (→ reopened → submitted).
Submitted and accepted data are locked: `services.values_save` refuses to change them.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from miara.accounts.audit import audit_record
from miara.accounts.scope import is_coordinator, may_submit_for
from miara.catalogue.models import Variable
from miara.collection.findings import blocking_findings
from miara.collection.models import (
    Cycle,
    QuestionnaireItem,
    ReviewNote,
    Submission,
    SubmissionEvent,
    SubmissionState,
)
from miara.engine.periods import Period
from miara.lib import bulk
from miara.units.models import Unit

S = SubmissionState

# Which transitions exist, and who may make them.
TRANSITIONS = {
    "submit": ({S.DRAFT, S.RETURNED, S.REOPENED}, S.SUBMITTED),
    "return": ({S.SUBMITTED}, S.RETURNED),
    "accept": ({S.SUBMITTED}, S.ACCEPTED),
    "reopen": ({S.ACCEPTED}, S.REOPENED),
}


class WorkflowError(Exception):
    """A transition that is not possible now; the message says why in plain words."""


class SubmissionBlocked(WorkflowError):
    """Submission refused because of data-quality errors or unjustified warnings."""

    def __init__(self, findings):
        self.findings = findings
        super().__init__(
            ngettext(
                "%(count)d problem must be fixed or justified before submitting",
                "%(count)d problems must be fixed or justified before submitting",
                len(findings),
            )
            % {"count": len(findings)}
        )


def cycle_open(
    *,
    period: str,
    name: str | dict,
    variable_codes: list[str],
    unit_codes: list[str],
    required_codes: list[str] | None = None,
    deadline: dt.date | None = None,
    acting_user=None,
    channel: str = "web",
) -> Cycle:
    """Open a collection cycle with its questionnaire and participating units."""
    if acting_user is not None and not is_coordinator(acting_user):
        raise PermissionDenied
    Period.parse(period)
    variables = {v.code: v for v in Variable.objects.filter(code__in=variable_codes)}
    units = list(Unit.objects.filter(code__in=unit_codes))
    missing = [c for c in variable_codes if c not in variables] + sorted(
        set(unit_codes) - {u.code for u in units}
    )
    if missing:
        raise WorkflowError(_("unknown codes: %(codes)s") % {"codes": ", ".join(missing)})
    if not variables or not units:
        raise WorkflowError(_("a cycle needs at least one variable and one unit"))
    required = set(required_codes if required_codes is not None else variable_codes)
    with transaction.atomic():
        cycle = Cycle.objects.create(
            period=period,
            name=name,
            deadline=deadline,
            created_by=acting_user if acting_user and acting_user.is_authenticated else None,
        )
        QuestionnaireItem.objects.bulk_create(
            QuestionnaireItem(
                cycle=cycle, variable=variables[code], required=code in required, position=i
            )
            for i, code in enumerate(variable_codes)
        )
        Submission.objects.bulk_create(Submission(cycle=cycle, unit=unit) for unit in units)
        audit_record(
            user=acting_user,
            action="cycle.open",
            channel=channel,
            summary=f"{cycle.name} ({period}): {len(variables)} variables, {len(units)} units",
            details={"cycle": cycle.pk},
        )
    # The first cycle fills these tables from nothing: until autovacuum gets to them the
    # planner takes them for empty and reads a cycle's values by one index probe per unit
    # and variable (90,000 of them for 300 × 300) instead of one scan.
    bulk.analyze(QuestionnaireItem._meta.db_table, Submission._meta.db_table)
    return cycle


def _transition(
    submission: Submission, action: str, *, acting_user, comment: str = "", channel: str
) -> Submission:
    allowed_from, to_state = TRANSITIONS[action]
    with transaction.atomic():
        # Lock the row so two coordinators (or a coordinator and a manager) cannot both act.
        current = Submission.objects.select_for_update().get(pk=submission.pk)
        if current.state not in allowed_from:
            raise WorkflowError(
                _("this submission is %(state)s; it cannot be %(action)s now")
                % {"state": current.get_state_display(), "action": action}
            )
        if not current.cycle.is_open and action != "reopen":
            raise WorkflowError(_("the cycle is closed"))
        from_state = current.state
        current.state = to_state
        current.version += 1
        current.save(update_fields=["state", "version", "updated_at"])
        SubmissionEvent.objects.create(
            submission=current,
            from_state=from_state,
            to_state=to_state,
            user=acting_user if acting_user and acting_user.is_authenticated else None,
            comment=comment,
        )
        audit_record(
            user=acting_user,
            action=f"submission.{action}",
            channel=channel,
            summary=f"{current.unit.code} {current.cycle.period}: {from_state} → {to_state}",
            details={"submission": current.pk, "comment": comment},
        )
    return current


def submission_submit(*, submission: Submission, acting_user, channel: str = "web") -> Submission:
    """The unit manager (or a coordinator) submits; errors and unjustified warnings block it."""
    if not may_submit_for(acting_user, submission.unit_id):
        raise PermissionDenied
    blocking = blocking_findings(submission)
    if blocking:
        raise SubmissionBlocked(blocking)
    return _transition(submission, "submit", acting_user=acting_user, channel=channel)


def submission_return(
    *,
    submission: Submission,
    acting_user,
    comment: str,
    notes: dict[str, str] | None = None,
    channel: str = "web",
) -> Submission:
    """The coordinator sends a submission back, saying why, optionally per value."""
    if not is_coordinator(acting_user):
        raise PermissionDenied
    if not comment.strip() and not notes:
        raise WorkflowError(_("say why the submission is returned"))
    with transaction.atomic():
        result = _transition(
            submission, "return", acting_user=acting_user, comment=comment, channel=channel
        )
        variables = {v.code: v for v in Variable.objects.filter(code__in=list(notes or {}))}
        for code, text in (notes or {}).items():
            if text.strip():
                ReviewNote.objects.create(
                    submission=result,
                    variable=variables.get(code),
                    text=text.strip(),
                    user=acting_user,
                )
    return result


def submission_accept(
    *, submission: Submission, acting_user, comment: str = "", channel: str = "web"
) -> Submission:
    if not is_coordinator(acting_user):
        raise PermissionDenied
    return _transition(
        submission, "accept", acting_user=acting_user, comment=comment, channel=channel
    )


def submission_reopen(
    *, submission: Submission, acting_user, reason: str, channel: str = "web"
) -> Submission:
    """Accepted data are locked; reopening them needs a reason, which is recorded."""
    if not is_coordinator(acting_user):
        raise PermissionDenied
    if not reason.strip():
        raise WorkflowError(_("reopening accepted data needs a reason"))
    return _transition(
        submission, "reopen", acting_user=acting_user, comment=reason, channel=channel
    )


def locked_keys(unit_ids: list[int] | None, periods: list[str]) -> set[tuple[int, int, str]]:
    """(unit_id, variable_id, period) of values that submitted or accepted questionnaires lock.

    `unit_ids=None` means every unit.
    """
    submissions = Submission.objects.filter(
        cycle__period__in=periods, state__in=[S.SUBMITTED, S.ACCEPTED]
    )
    if unit_ids is not None:
        submissions = submissions.filter(unit_id__in=unit_ids)
    locked = list(submissions.values_list("unit_id", "cycle_id", "cycle__period"))
    if not locked:
        return set()
    variables: dict[int, list[int]] = {}
    for cycle_id, variable_id in QuestionnaireItem.objects.filter(
        cycle_id__in={row[1] for row in locked}
    ).values_list("cycle_id", "variable_id"):
        variables.setdefault(cycle_id, []).append(variable_id)
    return {
        (unit_id, variable_id, period)
        for unit_id, cycle_id, period in locked
        for variable_id in variables.get(cycle_id, [])
    }


# --- who may write which values ----------------------------------------------------------


def _collections(unit_ids: set[int], periods: set[str]) -> dict[tuple[int, str], bool]:
    """(unit_id, period) -> whether one of the cycles collecting it is open."""
    found: dict[tuple[int, str], bool] = {}
    for unit_id, period, is_open in Submission.objects.filter(
        unit_id__in=unit_ids, cycle__period__in=periods
    ).values_list("unit_id", "cycle__period", "cycle__is_open"):
        found[(unit_id, period)] = found.get((unit_id, period), False) or is_open
    return found


_UNKNOWN = object()


def values_write_refusals(user, keys, *, writable=_UNKNOWN) -> dict[tuple[int, str], str]:
    """THE rule for every channel that writes values (the form, its Excel upload, the API):
    which of the `(unit_id, period)` keys this user may not write, and why.

    - Only units in the user's write scope (`accounts.scope.writable_unit_ids`).
    - A period that a data collection gathers for the unit is written while one of those
      cycles is open, by anyone who may write the unit; once they are all closed, by
      nobody (the form has always shown a closed collection read-only, coordinators too).
    - A period that no collection gathers for the unit (an earlier year) only by
      coordinators, who load and correct the programme's data outside collections — in a
      programme that collects periods of that kind through collection cycles. Periods of
      a kind no cycle collects (months and quarters where the cycles are yearly: a
      process's running data) and every period of a programme that runs no cycles (its
      units deliver data through the API or files, contracts.md) are left to the units'
      editors and managers.
    The period rule guards the programme's data: `values_save` lifts it for a (unit,
    period) whose rows write only the office's own figures — the cost and output
    variables its process map names, when no questionnaire asks for them
    (`collection.hooks`) — leaving the unit rule.
    Submitted and accepted questionnaires are refused further down, by `values_save`
    (a 409 with the locked values), whoever writes.
    """
    from miara.accounts.scope import writable_unit_ids

    keys = {(int(unit_id), str(period)) for unit_id, period in keys}
    # A caller that has just read the user's write scope passes it (`writable`).
    writable = writable_unit_ids(user) if writable is _UNKNOWN else writable
    refusals: dict[tuple[int, str], str] = {}
    for key in keys:
        if writable is not None and key[0] not in writable:
            refusals[key] = _("you may not write values of this unit")
    rest = keys - refusals.keys()
    if not rest:
        return refusals
    collections = _collections({u for u, _p in rest}, {p for _u, p in rest})
    for key in rest:
        is_open = collections.get(key)
        if is_open is False:
            refusals[key] = _(
                "the data collection of %(period)s is closed; its values can no longer be changed"
            ) % {"period": key[1]}
        elif is_open is None and writable is not None and _programme_collects(key[1]):
            refusals[key] = _(
                "%(period)s is not collected from this unit now; only periods of an open "
                "data collection can be written"
            ) % {"period": key[1]}
    return refusals


def _programme_collects(period: str) -> bool:
    """Whether the programme gathers periods of this kind (years, quarters, months)
    through collection cycles. A kind no cycle collects is an office's own running data
    (a process's cases per month from its document-management system, say), which its
    staff load for themselves."""
    kind = Period.parse(period).kind
    return any(Period.parse(p).kind == kind for p in _cycle_periods())


def _cycle_periods() -> set[str]:
    return set(Cycle.objects.values_list("period", flat=True).distinct())


def value_write_refusal(user, *, unit_id: int, period: str, writable=_UNKNOWN) -> str | None:
    """Why this user may not write this unit's values for this period, or None."""
    return values_write_refusals(user, [(unit_id, period)], writable=writable).get(
        (unit_id, period)
    )
